"""Migration 0002 keeps the search index in step with the asset rows the indexer writes: inserts, updates
(metadata arriving) and deletes (reorg rollbacks delete and re-insert)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert, text, update

from api.queries.chain import ChainState
from api.queries.search import SearchParams, search
from genip.db import models
from genip.db.engine import make_engine, make_sessionmaker
from genip.db.migrate import upgrade
from tests.indexer.conftest import postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated database on each backend."""
    urls = iter([f"sqlite:///{tmp_path / 'search.db'}"]) if request.param == "sqlite" else postgres_database()
    for url in urls:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


STATE = ChainState(1, 1, "0x" + "00" * 32, 0)


def row(asset_id: int, title: str | None) -> dict[str, object]:
    return {
        "chain_id": 1,
        "asset_id": asset_id,
        "creator": "0x" + "11" * 20,
        "owner": "0x" + "11" * 20,
        "registrar": "0x" + "11" * 20,
        "kind": "text",
        "content_hash": "0x" + f"{asset_id:064x}",
        "perceptual_hash": "0x" + "00" * 32,
        "prompt_commitment": "0x" + "07" * 32,
        "metadata_cid": "bafy",
        "block_number": 1,
        "tx_hash": "0x" + "00" * 32,
        "registered_at": 0,
        "title": title,
    }


def found(engine: Engine, q: str) -> list[int]:
    with make_sessionmaker(engine)() as s:
        return [a.asset_id for a in search(s, state=STATE, params=SearchParams(q=q, facets=False)).data]


def test_search_follows_inserts_updates_and_deletes(engine: Engine) -> None:
    A = models.Asset
    with engine.begin() as c:
        c.execute(insert(A), [row(1, None), row(2, "Lighthouse keeper")])
    assert found(engine, "lighthouse") == [2]
    with engine.begin() as c:  # metadata arrives for asset 1
        c.execute(update(A).where(A.asset_id == 1).values(title="Lighthouse at dusk"))
    assert sorted(found(engine, "lighthouse")) == [1, 2]
    with engine.begin() as c:  # a rollback: deleted, then re-inserted as before
        c.execute(delete(A).where(A.asset_id == 2))
        c.execute(insert(A), [row(2, "Keeper of nothing")])
    assert found(engine, "lighthouse") == [1]
    assert found(engine, "keeper") == [2]
    if engine.dialect.name == "sqlite":
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM assets_fts")).scalar_one() == 2
