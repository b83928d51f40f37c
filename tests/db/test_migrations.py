"""Migration 0007 (the dispute court) upgrades a database holding 0006 data on both backends: dispute state
becomes standing, hub dispute rounds become court disputes, held funds are keyed by dispute, the SQLite
search index survives the rebuild of `assets` (its triggers are recreated), and a downgrade and upgrade again
return the same rows."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, insert, select, text, update

from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import (
    HEAD,
    SchemaError,
    alembic_config,
    current_revision,
    head_revision,
    require_current,
    upgrade,
)
from genip.db.types import UINT256_DIGITS
from tests.indexer.conftest import postgres_database

CHAIN = 31337
ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
ARBITER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
CLAIMANT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
ZERO = "0x" + "00" * 20


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'genip.db'}"])
    else:
        urls = postgres_database()
    for url in urls:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _asset(
    asset_id: int, title: str, dispute_status: str, dispute_round: int, recipient: str | None
) -> dict[str, Any]:
    return {
        "chain_id": CHAIN,
        "asset_id": asset_id,
        "creator": ALICE,
        "owner": ALICE,
        "registrar": ALICE,
        "kind": "text",
        "content_hash": "0x" + f"{asset_id:02x}" * 32,
        "perceptual_hash": "0x" + "00" * 32,
        "prompt_commitment": "0x" + "07" * 32,
        "metadata_cid": f"bafy{asset_id}",
        "block_number": 10 + asset_id,
        "tx_hash": "0x" + "ab" * 32,
        "registered_at": 1_800_000_000 + asset_id,
        "is_derivative": False,
        "royalty_stack_bps": 0,
        "depth": 0,
        "children_count": 0,
        "licenses_sold": 1,
        "prompt_check": "unchecked",
        "dispute_status": dispute_status,
        "dispute_round": dispute_round,
        "dispute_recipient": recipient,
        "metadata_status": "ok",
        "title": title,
        "description": "a work",
        "media_status": "pending",
    }


def _round(asset_id: int, number: int, status: str, raised: int, recipient: str | None) -> dict[str, Any]:
    return {
        "chain_id": CHAIN,
        "asset_id": asset_id,
        "round": number,
        "status": status,
        "arbiter": ARBITER,
        "evidence_hash": "0x" + f"{number:02x}" * 32,
        "raised_block": raised,
        "resolved_by": None if status == "open" else ARBITER,
        "recipient": recipient,
        "resolution_hash": None if status == "open" else "0x" + "0f" * 32,
        "resolved_block": None if status == "open" else raised + 1,
    }


def _seed_0006(engine: Engine) -> None:
    upgrade(engine, "0006")
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    amount = (lambda n: str(n).zfill(UINT256_DIGITS)) if engine.dialect.name == "sqlite" else (lambda n: n)
    with engine.begin() as c:
        c.execute(
            insert(t["assets"]),
            [
                _asset(1, "Tides", "none", 0, None),
                _asset(2, "Harbour lights", "open", 1, None),
                _asset(3, "Quiet forest", "upheld", 2, CLAIMANT),
            ],
        )
        c.execute(
            insert(t["disputes"]),
            [
                _round(3, 1, "cleared", 20, None),
                _round(2, 1, "open", 30, None),
                _round(3, 2, "upheld", 40, CLAIMANT),
            ],
        )
        c.execute(
            insert(t["held"]),
            [{"chain_id": CHAIN, "asset_id": 2, "currency": ZERO, "amount": amount(5 * 10**17)}],
        )
        c.execute(
            insert(t["licenses"]),
            [
                {
                    "chain_id": CHAIN,
                    "license_id": 1,
                    "asset_id": 1,
                    "offer_id": 1,
                    "holder": CLAIMANT,
                    "buyer": CLAIMANT,
                    "currency": ZERO,
                    "price": amount(10**15),
                    "expires_at": 0,
                    "tier": "standard",
                    "commercial_use": True,
                    "derivatives_allowed": False,
                    "transferable": True,
                    "rev_share_bps": 0,
                    "block_number": 12,
                    "tx_hash": "0x" + "cd" * 32,
                    "purchased_at": 1_800_000_100,
                }
            ],
        )
        c.execute(
            insert(t["chain_params"]),
            [{"chain_id": CHAIN, "platform_fee_bps": 250, "default_royalty_bps": 500, "hub": ARBITER}],
        )


def _search(engine: Engine, word: str) -> list[int]:
    """Asset ids whose text matches `word`, through the backend's search index (0002)."""
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            sql = (
                "SELECT a.asset_id FROM assets a JOIN assets_fts f ON f.rowid = a.rowid "
                "WHERE assets_fts MATCH :w"
            )
        else:
            sql = "SELECT asset_id FROM assets WHERE search_vector @@ plainto_tsquery('english', :w)"
        return sorted(int(r[0]) for r in c.execute(text(sql), {"w": word}))


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as c:
        for model in (models.Asset, models.Dispute, models.Held, models.License, models.ChainParams):
            rows = c.execute(select(model.__table__)).all()
            out[model.__tablename__] = sorted((tuple(r) for r in rows), key=repr)
    return out


def test_upgrading_from_0006_carries_the_dispute_state_over(engine: Engine) -> None:
    _seed_0006(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision() == HEAD == "0023"
    with engine.connect() as c:
        assets = {
            r.asset_id: (r.standing, r.standing_dispute_id, r.expires_at)
            for r in c.execute(select(models.Asset.__table__))
        }
        assert assets == {1: ("clear", 0, 0), 2: ("disputed", 2, 0), 3: ("upheld", 3, 0)}
        # Rounds numbered per chain in the order they were raised: (3, 1) at block 20, (2, 1), (3, 2).
        disputes = {
            r.dispute_id: (r.asset_id, r.status, r.claimant, r.bond, r.final_at)
            for r in c.execute(select(models.Dispute.__table__))
        }
        assert disputes == {
            1: (3, "cleared", ARBITER, 0, 0),
            2: (2, "open", ARBITER, 0, None),
            3: (3, "upheld", CLAIMANT, 0, 0),
        }
        held = c.execute(select(models.Held.__table__)).one()
        assert (held.asset_id, held.dispute_id, held.amount, held.released) == (2, 2, 5 * 10**17, 0)
        licence = c.execute(select(models.License.__table__)).one()
        assert (licence.renounced, licence.referrer, licence.renounced_block) == (False, None, None)
        params = c.execute(select(models.ChainParams.__table__)).one()
        assert (params.court, params.referral_fee_bps, params.response_window, params.appeal_window) == (
            None,
            0,
            259_200,
            604_800,
        )
    # The search index still finds every asset, and keeps up with later writes (the triggers came back).
    assert _search(engine, "harbour") == [2]
    with engine.begin() as c:
        c.execute(update(models.Asset).where(models.Asset.asset_id == 1).values(title="Spring tide"))
    assert _search(engine, "spring") == [1]


def test_a_downgrade_and_upgrade_again_keep_the_rows(engine: Engine) -> None:
    _seed_0006(engine)
    upgrade(engine)
    before = _rows(engine)
    command.downgrade(alembic_config(engine), "0006")
    with engine.connect() as c:
        old = {
            r.asset_id: r.dispute_status
            for r in c.execute(text("SELECT asset_id, dispute_status FROM assets"))
        }
    assert old == {1: "none", 2: "open", 3: "upheld"}
    assert _search(engine, "forest") == [3]
    upgrade(engine)
    assert _rows(engine) == before
    assert _search(engine, "forest") == [3]


def test_the_written_down_head_is_the_newest_migration() -> None:
    assert head_revision() == HEAD


def test_require_current_reads_the_version_table_on_both_databases(engine: Engine) -> None:
    """The start-up check reads alembic's table itself: empty, behind, current and unknown schemas."""
    with pytest.raises(SchemaError, match="no Gen-IP schema"):
        require_current(engine)
    upgrade(engine, "0006")
    with pytest.raises(SchemaError, match="at 0006, this code needs 0023: run `genip db upgrade`"):
        require_current(engine)
    upgrade(engine)
    require_current(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with pytest.raises(SchemaError, match="unknown to this version"):
        require_current(engine)
