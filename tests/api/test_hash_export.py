"""`GET /hashes`: the registered hashes as an HMA-style signal feed, on SQLite and Postgres.

Over the session world: paging with the cursor returns every registered hash (each image's PDQ, and the
pHash-256 the media step stored) exactly once, with its work's metadata. On a database of its own: a
registration a reorg rollback deletes is sent as a "remove" of each of its hashes, after its "add"; a young
gap in the log's ids (a transaction still running) holds the page back, an old one is passed.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, and_, select, text

from api.queries.hashes import GAP_WAIT, signal_page
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import Asset, MatchHash
from tests.indexer.conftest import postgres_database

ZERO = "0x" + "0" * 64


def _all_pages(api: TestClient, limit: int) -> tuple[list[dict[str, Any]], int]:
    entries: list[dict[str, Any]] = []
    since: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"since": since} if since else {})
        response = api.get("/hashes", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        entries += page["signals"]
        assert page["next"].startswith("s")
        if not page["has_more"]:
            again = api.get("/hashes", params={"since": page["next"]}).json()
            assert again["signals"] == [] and again["next"] == page["next"]
            return entries, pages
        since = page["next"]


def _registered(engine: Engine) -> set[tuple[int, str, str]]:
    """(asset, signal type, value) of every exportable hash, from the tables themselves."""
    with engine.connect() as connection:
        pdq = {
            (int(a), "pdq", str(h)[2:])
            for a, h in connection.execute(
                select(Asset.asset_id, Asset.perceptual_hash).where(
                    Asset.kind == "image", Asset.perceptual_hash != ZERO
                )
            )
        }
        joined = and_(
            Asset.chain_id == MatchHash.chain_id,
            Asset.asset_id == MatchHash.asset_id,
            Asset.content_hash == MatchHash.content_hash,
        )
        phash = {
            (int(a), "phash256", bytes(c).hex())
            for a, c in connection.execute(
                select(Asset.asset_id, MatchHash.code)
                .join(Asset, joined)
                .where(MatchHash.kind == "phash", Asset.kind == "image")
            )
        }
    return pdq | phash


def test_paging_returns_every_registered_hash_exactly_once(api: TestClient) -> None:
    engine: Engine = api.app.state.engine  # type: ignore[attr-defined]
    expected = _registered(engine)
    assert any(t == "pdq" for _, t, _ in expected)
    entries, pages = _all_pages(api, limit=2)
    assert pages > 1
    assert all(e["op"] == "add" for e in entries)  # no reorg in the session world
    got = [(e["metadata"]["asset_id"], e["signal_type"], e["signal_value"]) for e in entries]
    assert len(got) == len(set(got)) and set(got) == expected
    assert len({e["key"] for e in entries}) == len(entries)
    whole, _ = _all_pages(api, limit=10_000)
    assert whole == entries  # the same feed whatever the page size
    with engine.connect() as connection:
        rows = {int(r.asset_id): r for r in connection.execute(select(Asset))}
    for e in entries:
        meta = e["metadata"]
        row = rows[meta["asset_id"]]
        assert (meta["owner"], meta["creator"], meta["cid"]) == (row.owner, row.creator, row.media_cid)
        assert meta["registered_block"] == row.block_number and meta["content_hash"] == row.content_hash


def test_a_bad_cursor_or_limit_is_refused(api: TestClient) -> None:
    for since in ("x1", "s", "s-1", "s01", "s" + "9" * 30, "s1\x00"):
        response = api.get("/hashes", params={"since": since})
        assert response.status_code == 422, (since, response.text)
    for limit in (0, 10_001, -1):
        assert api.get("/hashes", params={"limit": limit}).status_code == 422


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'feed.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    for url in postgres_database():
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


_COLUMNS = (
    "chain_id, asset_id, creator, owner, registrar, kind, content_hash, perceptual_hash, prompt_commitment, "
    "metadata_cid, block_number, tx_hash, registered_at, is_derivative, royalty_stack_bps, depth, "
    "children_count, licenses_sold, prompt_check, standing, standing_dispute_id, metadata_status"
)


def _register(engine: Engine, asset: int, pdq: str, kind: str = "image") -> None:
    content = "0x" + f"{asset:02x}" * 32
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO assets ({_COLUMNS}) VALUES (1, :a, :o, :o, :o, :k, :c, :p, :z, 'm', :b, :z, 0, "
                "false, 0, 0, 0, 0, 'unchecked', 'clear', 0, 'ok')"
            ),
            {
                "a": asset,
                "o": "0x" + "11" * 20,
                "k": kind,
                "c": content,
                "p": pdq,
                "z": ZERO,
                "b": 100 + asset,
            },
        )
        connection.execute(
            text(
                "INSERT INTO match_hashes (chain_id, asset_id, content_hash, kind, code) "
                "VALUES (1, :a, :c, :k, :x)"
            ),
            {"a": asset, "c": content, "k": "phash", "x": bytes([asset]) * 32},
        )


def test_a_reorg_that_removes_a_registration_sends_removals(fresh: Engine) -> None:
    _register(fresh, 1, "0x" + "ab" * 32)
    _register(fresh, 2, "0x" + "cd" * 32)
    _register(fresh, 3, ZERO)  # no PDQ: only its pHash is exported
    _register(fresh, 4, "0x" + "ef" * 32, kind="text")  # not an image: nothing
    with fresh.connect() as connection:
        first = signal_page(connection, since=0, limit=100, chain_id=None)
    assert [(e["metadata"]["asset_id"], e["signal_type"], e["op"]) for e in first.entries] == [
        (1, "pdq", "add"),
        (1, "phash256", "add"),
        (2, "pdq", "add"),
        (2, "phash256", "add"),
        (3, "phash256", "add"),
    ]
    assert first.entries[0]["signal_value"] == "ab" * 32 and first.entries[1]["signal_value"] == "01" * 32
    with fresh.begin() as connection:  # what the indexer's rollback does to a registration above the fork
        connection.execute(text("DELETE FROM assets WHERE chain_id = 1 AND asset_id = 2"))
    with fresh.connect() as connection:
        after = signal_page(connection, since=first.last_id, limit=100, chain_id=None)
        only_other_chain = signal_page(connection, since=first.last_id, limit=100, chain_id=7)
    removed = [(e["key"], e["op"]) for e in after.entries]
    assert removed == [(first.entries[2]["key"], "remove"), (first.entries[3]["key"], "remove")]
    assert after.entries[0]["metadata"]["owner"] is None and not after.has_more
    assert only_other_chain.entries == [] and only_other_chain.last_id == after.last_id


def test_a_young_gap_in_the_log_holds_the_page_back(fresh: Engine) -> None:
    _register(fresh, 1, "0x" + "ab" * 32)
    with fresh.begin() as connection:  # an id taken by a transaction that has not committed (yet)
        connection.execute(text("DELETE FROM hash_signals WHERE id = 2"))
    _register(fresh, 2, "0x" + "cd" * 32)
    with fresh.connect() as connection:
        rows = connection.execute(text("SELECT id, logged_at FROM hash_signals ORDER BY id")).all()
        logged = float(rows[-1][1])
        young = signal_page(connection, since=0, limit=100, chain_id=None, now=logged + 1)
        old = signal_page(connection, since=0, limit=100, chain_id=None, now=logged + GAP_WAIT + 1)
    assert young.last_id == 1 and young.has_more and len(young.entries) == 1
    assert old.last_id == rows[-1][0] and not old.has_more and len(old.entries) == len(rows)
