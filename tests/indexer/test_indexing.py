"""Every event lands in the right rows; replays change nothing; the indexer guards its schema and its lock."""

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from web3.types import RPCEndpoint

from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import SchemaError
from indexer.config import IndexerConfig
from indexer.events import contract_events
from indexer.handlers import HANDLERS
from indexer.lock import IndexerBusy, writer_lock
from indexer.runner import Indexer
from tests.indexer import story
from tests.indexer.checks import assert_matches_chain, snapshot
from tests.indexer.conftest import Chain


def index_once(engine: Engine, chain: Chain, **overrides: object) -> Indexer:
    indexer = Indexer(engine, IndexerConfig.from_deployment(chain.deployment, **overrides))
    indexer.run(once=True)
    return indexer


def test_every_event_lands_in_rows_equal_to_the_chain(engine: Engine, chain: Chain) -> None:
    ids = story.play(chain.client)
    index_once(engine, chain)
    assert_matches_chain(engine, chain.client)

    with Session(engine) as c:
        names = {r[0] for r in c.execute(select(models.RawEvent.event).distinct())}
        # The story emits every event the handlers know.
        assert set(HANDLERS) <= names, set(HANDLERS) - names
        grandchild = c.execute(
            select(models.Asset).where(models.Asset.asset_id == ids.grandchild)
        ).scalar_one()
        assert (grandchild.is_derivative, grandchild.depth, grandchild.royalty_stack_bps) == (True, 2, 1_500)
        root = c.execute(select(models.Asset).where(models.Asset.asset_id == ids.root)).scalar_one()
        assert (root.licenses_sold, root.children_count, root.prompt_check, root.royalty_bps) == (
            3,
            1,
            "passed",
            750,
        )
        assert (root.standing, root.expires_at) == ("clear", 0)
        child = c.get(models.Asset, (chain.deployment.chain_id, ids.child))
        assert child is not None and child.expires_at > 0  # under a one-day licence
        assert grandchild.expires_at == child.expires_at  # the shortest expiry up the line
        moved = c.execute(
            select(models.License).where(models.License.license_id == ids.licenses["brand_standard"])
        ).scalar_one()
        assert moved.holder == story.Actors().claimant.address and moved.buyer == story.Actors().brand.address
        used = c.execute(
            select(models.License.used_for_derivative).where(
                models.License.license_id == ids.licenses["bob_extended"]
            )
        ).scalar_one()
        assert used == ids.child
        renounced = c.get(models.License, (chain.deployment.chain_id, ids.licenses["renounced"]))
        assert (
            renounced is not None and renounced.renounced and renounced.holder == story.Actors().brand.address
        )
        referred = c.get(models.License, (chain.deployment.chain_id, ids.licenses["referred"]))
        assert referred is not None and referred.referrer == story.Actors().platform.address
        auths = c.execute(select(models.PlatformAuthorization)).scalars().all()
        assert [(p.creator, p.platform, p.max_works) for p in auths] == [
            (story.Actors().alice.address, story.Actors().platform.address, 5)
        ]  # the claimant's grant was revoked
        assert c.get(models.Asset, (chain.deployment.chain_id, ids.by_platform)).registrar == (  # type: ignore[union-attr]
            story.Actors().platform.address
        )
        params = c.execute(select(models.ChainParams)).scalar_one()
        assert (params.platform_fee_bps, params.base_uri) == (300, "https://genip.example/assets/")
        assert params.failed_check_policy is True
        assert (params.court, params.referral_fee_bps, params.response_window, params.appeal_window) == (
            chain.deployment.court,
            100,
            story.WINDOW,
            story.WINDOW,
        )
        roles = {r.account for r in c.execute(select(models.Role)).scalars()}
        assert story.Actors().admin.address in roles
        sources = {p.source for p in c.execute(select(models.Payment)).scalars()}
        assert sources == {"license_sale", "direct", "royalty"}


def test_replaying_an_indexed_range_changes_nothing(engine: Engine, chain: Chain) -> None:
    story.play(chain.client)
    indexer = index_once(engine, chain)
    before = snapshot(engine)
    added = indexer.replay(chain.deployment.deploy_block, chain.client.w3.eth.block_number)
    assert added == 0
    assert snapshot(engine) == before


def test_resuming_indexes_only_new_blocks(engine: Engine, chain: Chain) -> None:
    story.play(chain.client)
    index_once(engine, chain)
    story.play(chain.client, salt="-second")
    second = index_once(engine, chain)
    assert_matches_chain(engine, chain.client)
    assert 0 < second.stats.events < 2 * 130


def _web3_form(value: object) -> object:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list):
        return [_web3_form(v) for v in value]
    return value


def test_fast_decoding_equals_web3_decoding(chain: Chain) -> None:
    story.play(chain.client)
    d = chain.deployment
    events = contract_events(d.registry, d.hub, d.license_token, d.court)
    flt = {"address": [d.registry, d.hub, d.license_token, d.court], "fromBlock": "0x0", "toBlock": "latest"}
    raw_logs = chain.client.w3.provider.make_request(RPCEndpoint("eth_getLogs"), [flt])["result"]
    web3_logs = chain.client.w3.eth.get_logs({**flt, "fromBlock": 0})
    contracts = {
        d.registry: chain.client.registry,
        d.hub: chain.client.hub,
        d.license_token: chain.client.license_token,
        d.court: chain.client.court,
    }
    assert len(raw_logs) == len(web3_logs) > 50
    for raw, log in zip(raw_logs, web3_logs, strict=True):
        ours = events.decode(raw)
        assert ours.event is not None
        theirs = contracts[log["address"]].events[ours.event.split(".")[1]]().process_log(log)
        for name, value in theirs["args"].items():
            expected = tuple(value.values()) if name == "terms" else _web3_form(value)
            assert ours.args[name] == expected, (ours.event, name)


def test_indexer_refuses_a_database_without_its_schema(chain: Chain, tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(SchemaError, match="genip db upgrade"):
        index_once(engine, chain)


def test_indexer_refuses_an_unknown_schema_revision(engine: Engine, chain: Chain) -> None:
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with pytest.raises(SchemaError, match="unknown"):
        index_once(engine, chain)


def test_a_second_writer_for_the_same_chain_is_refused(engine: Engine, chain: Chain) -> None:
    with writer_lock(engine, chain.deployment.chain_id), pytest.raises(IndexerBusy, match="already indexing"):
        index_once(engine, chain)
    index_once(engine, chain)  # free again once the first writer stopped
