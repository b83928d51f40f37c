"""The outbox written by the real indexer against anvil, on SQLite and Postgres: events only once their block
is confirmed, filters, licence expiry at chain time, disputes, and reorgs (sent events retracted, unsent ones
dropped), delivered by the worker to a real receiver."""

from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine, select
from web3.types import RPCEndpoint

from genip.chain import actions
from genip.chain.tx import send
from genip.db import models
from indexer.config import IndexerConfig
from indexer.runner import Indexer
from tests.helpers import make_work, standard_terms
from tests.indexer.conftest import Chain
from tests.indexer.story import WINDOW, Actors, grant_arbiter, warp
from tests.webhooks.conftest import deliveries, run_worker, subscribe
from tests.webhooks.receiver import Receiver

A = Actors()


def rpc(chain: Chain, method: str, *params: object) -> object:
    answer = chain.client.w3.provider.make_request(RPCEndpoint(method), list(params))
    assert "error" not in answer, answer
    return answer["result"]


def head(chain: Chain) -> int:
    return int(chain.client.w3.eth.block_number)


def indexer(engine: Engine, chain: Chain, *, confirmations: int = 0) -> Indexer:
    return Indexer(engine, IndexerConfig.from_deployment(chain.deployment, confirmations=confirmations))


def register(chain: Chain, creator: LocalAccount, seed: str) -> int:
    return int(actions.register(chain.client, creator, make_work(seed)).value)


def types(engine: Engine, subscription: int | None = None) -> list[str]:
    return [t for s, t, *_ in deliveries(engine) if subscription is None or s == subscription]


def test_events_wait_for_the_confirmation_depth(engine: Engine, chain: Chain, hooks: Receiver) -> None:
    subscribe(engine, hooks, "/all")
    asset = register(chain, A.alice, "confirmed")
    index = indexer(engine, chain, confirmations=3)
    index.run(once=True)
    assert deliveries(engine) == []  # its block is the head: 0 confirmations
    rpc(chain, "anvil_mine", 2)
    index.run(once=True)
    assert deliveries(engine) == []  # 2 of 3
    rpc(chain, "anvil_mine", 1)
    index.run(once=True)
    assert types(engine) == ["work.registered"]
    run_worker(engine)
    [got] = hooks.wait_for(1)
    assert hooks.invalid == []
    assert (got.type, got.data["asset_id"], got.data["creator"]) == (
        "work.registered",
        asset,
        A.alice.address,
    )
    assert got.webhook_id == deliveries(engine)[0][3]


def test_filters_select_by_type_asset_and_account(engine: Engine, chain: Chain, hooks: Receiver) -> None:
    works = subscribe(engine, hooks, "/works", events=["work.registered"])
    # alice's first asset will be 1: licences on it only
    on_one = subscribe(engine, hooks, "/one", events=["license.purchased"], assets=[1])
    bob = subscribe(engine, hooks, "/bob", accounts=[A.bob.address.lower()])
    both = subscribe(
        engine, hooks, "/both", events=["work.registered"], assets=[2], accounts=[A.alice.address]
    )
    first = register(chain, A.alice, "filters-1")
    second = register(chain, A.bob, "filters-2")
    assert (first, second) == (1, 2)
    offers = [
        actions.create_offer(chain.client, owner, asset, standard_terms(), price=10**15).value
        for owner, asset in ((A.alice, first), (A.bob, second))
    ]
    for offer in offers:
        actions.buy_license(chain.client, A.brand, offer)
    indexer(engine, chain).run(once=True)
    assert types(engine, works) == ["work.registered", "work.registered"]
    assert types(engine, on_one) == ["license.purchased"]
    # bob: his registration, and the licence bought on his asset (he owns it); not alice's
    assert types(engine, bob) == ["work.registered", "license.purchased"]
    assert types(engine, both) == []  # asset 2 is bob's, not alice's: both filters must match
    run_worker(engine)
    got = hooks.wait_for(5)
    assert {(r.path, r.data["asset_id"]) for r in got if r.type == "license.purchased"} == {
        ("/one", 1),
        ("/bob", 2),
    }


def test_a_licence_expiry_is_sent_once_chain_time_passes_it(
    engine: Engine, chain: Chain, hooks: Receiver
) -> None:
    subscribe(engine, hooks, "/expiry", events=["license.purchased", "license.expired"])
    asset = register(chain, A.alice, "expiring")
    offer = actions.create_offer(
        chain.client, A.alice, asset, standard_terms(), price=1, duration=1_000
    ).value
    licence = actions.buy_license(chain.client, A.brand, offer).value
    index = indexer(engine, chain)
    index.run(once=True)
    assert types(engine) == ["license.purchased"]
    warp(chain.client.w3, 500)
    index.run(once=True)
    assert types(engine) == ["license.purchased"]  # not yet
    warp(chain.client.w3, 600)
    index.run(once=True)
    assert types(engine) == ["license.purchased", "license.expired"]
    index.run(once=True)
    warp(chain.client.w3, 10)
    index.run(once=True)
    assert types(engine) == ["license.purchased", "license.expired"]  # once
    run_worker(engine)
    got = {r.type: r for r in hooks.wait_for(2)}
    expired = got["license.expired"].data
    assert (expired["license_id"], expired["holder"]) == (licence, A.brand.address)
    assert expired["expires_at"] == got["license.purchased"].data["expires_at"]
    assert expired["observed_block"]["timestamp"] >= expired["expires_at"]
    block = chain.client.w3.eth.get_block(expired["observed_block"]["number"])
    assert block["hash"].to_0x_hex() == expired["observed_block"]["hash"]
    previous = chain.client.w3.eth.get_block(expired["observed_block"]["number"] - 1)
    assert previous["timestamp"] < expired["expires_at"]  # noticed in the first block past it


def test_disputes_raised_and_resolved(engine: Engine, chain: Chain, hooks: Receiver) -> None:
    subscribe(engine, hooks, "/court", events=["dispute.raised", "dispute.resolved"])
    claimant = subscribe(engine, hooks, "/claimant", accounts=[A.claimant.address])
    grant_arbiter(chain.client, A.admin, A.admin.address)
    send(chain.client.w3, A.admin, chain.client.court.functions.setWindows(WINDOW, WINDOW))
    asset = register(chain, A.alice, "disputed")
    dispute = actions.raise_dispute(chain.client, A.claimant, asset, b"\x0a" * 32).value
    warp(chain.client.w3, WINDOW + 1)
    actions.resolve_dispute(chain.client, A.admin, dispute, upheld=True, resolution_hash=b"\x0b" * 32)
    indexer(engine, chain).run(once=True)
    assert types(engine, claimant) == ["dispute.raised", "dispute.resolved"]
    run_worker(engine)
    got = hooks.wait_for(4)
    court = {r.type: r.data for r in got if r.path == "/court"}
    assert court["dispute.raised"]["dispute_id"] == court["dispute.resolved"]["dispute_id"] == dispute
    assert court["dispute.raised"]["asset_owner"] == A.alice.address
    assert court["dispute.resolved"]["upheld"] is True
    assert court["dispute.resolved"]["claimant"] == A.claimant.address


def test_a_reorg_retracts_sent_events_and_drops_unsent_ones(
    engine: Engine, chain: Chain, hooks: Receiver
) -> None:
    subscribe(engine, hooks, "/reorg", events=["work.registered"])
    start = head(chain)
    register(chain, A.alice, "sent")
    index = indexer(engine, chain)
    index.run(once=True)
    run_worker(engine)
    [sent] = hooks.wait_for(1)
    register(chain, A.bob, "unsent")
    index.run(once=True)
    unsent = [e for *_, state, e in deliveries(engine) if state == "pending"]
    assert len(unsent) == 1
    rpc(chain, "anvil_reorg", head(chain) - start, [])  # both registrations never happened
    index.run(once=True)
    assert index.stats.reorgs == 1
    with engine.connect() as c:
        events = dict(c.execute(select(models.WebhookEvent.id, models.WebhookEvent.type)).all())
    assert unsent[0] not in events  # dropped: nobody saw it
    assert events[sent.webhook_id] == "work.registered"  # kept (marked retracted) for the log
    run_worker(engine)
    got = hooks.wait_for(2)
    assert [r.type for r in got] == ["work.registered", "work.registered.retracted"]
    retraction = got[1]
    assert retraction.data["webhook_id"] == sent.webhook_id
    assert retraction.webhook_id != sent.webhook_id
    assert unsent[0] not in {r.webhook_id for r in hooks.received}
    # The new fork's own facts are sent as usual.
    again = register(chain, A.alice, "after")
    index.run(once=True)
    run_worker(engine)
    assert hooks.wait_for(3)[2].data["asset_id"] == again
