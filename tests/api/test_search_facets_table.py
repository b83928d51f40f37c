"""The facet table and the live offers on the asset row (migration 0021) stay exact under the writes the
indexer makes, on SQLite and Postgres; and the searches it answers give the same count and facets as the
GROUP BY over the matching assets (the path `test_search_facets_naive` checks against naive counts).

A random catalogue (kinds, looks, standings, derivatives, failed checks, possible copies) with random offers
(paused, sold out, by a seller who no longer owns the work, in two currencies) goes through rounds of random
writes — offers paused, sold out, added, deleted, works transferred, looks and standings changed, works
deleted, bulk statements and row-by-row. After each round: every `assets.live_offers` equals the live pairs
recomputed here from the offers, every key's count in `search_facets` equals the assets counted here, and a
set of searches answers the same through the table as through the GROUP BY."""

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from api.queries import search as search_module
from api.queries.chain import chain_state
from api.queries.search import SearchParams, search
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from tests.api.test_shopping_search import CHAIN, H0, NOW, TOKEN, ZERO, _asset, _offer
from tests.indexer.conftest import postgres_database

A = models.Asset.__table__
OFFERS = models.Offer.__table__
F = models.SearchFacet.__table__
SELLERS = ["0x" + f"{i:02x}" * 20 for i in (0x31, 0x32, 0x33)]
COLOURS = ["red", "blue", None]
QUERIES: list[dict[str, Any]] = [
    {},
    {"kind": "image"},
    {"tier": "extended"},
    {"currency": TOKEN},
    {"tier": "standard", "currency": ZERO},
    {"colour": "red", "disputed": False},
    {"has_derivatives": True},
    {"standing": "disputed"},
    {"include_delisted": True},
    {"include_copies": True, "orientation": "square"},
    {"base_model": "sdxl"},
    {"size": "large", "tier": "standard", "include_copies": True, "include_delisted": True},
    {"kind": "workflow"},  # nothing matches: no page query
    {"colour": "red", "offset": 500},  # past the last match
    # What the table cannot answer: one scan of the matching rows for the facets and the page.
    {"q": "fox"},
    {"q": "fox", "sort": "most_licensed", "currency": ZERO},
    {"q": "owl", "sort": "newest", "include_copies": True, "limit": 3, "offset": 2},
    {"creator": SELLERS[1], "colour": "red"},
    {"purchasable": True, "tier": "extended"},
    {"q": "heron", "sort": "price"},
]


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    urls = iter([f"sqlite:///{tmp_path / 'genip.db'}"]) if request.param == "sqlite" else postgres_database()
    for url in urls:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def _random_asset(rng: random.Random, asset_id: int) -> dict[str, Any]:
    seller = rng.choice(SELLERS)
    kind = rng.choice(["image", "image", "model", "text"])
    meta = {"genip": {"details": {"baseModel": rng.choice(["sdxl", "sd15"])}}} if kind == "model" else None
    return _asset(
        asset_id,
        kind=kind,
        title=rng.choice(["Red fox", "Fox and owl", "Owl", "Grey heron", "Heron fox"]),
        licenses_sold=rng.randrange(4),
        creator=seller,
        owner=seller,
        registrar=seller,
        metadata_json=meta,
        standing=rng.choice(["clear", "clear", "disputed", "upheld"]),
        children_count=rng.choice([0, 0, 2]),
        prompt_check=rng.choice(["unchecked", "passed", "failed"]),
        orientation=rng.choice(["square", "portrait", None]),
        size_class=rng.choice(["small", "large", None]),
        colour=rng.choice(COLOURS),
    )


def _random_offer(rng: random.Random, asset_id: int) -> dict[str, Any]:
    offer = _offer(asset_id, rng.choice([ZERO, TOKEN]), rng.randrange(1, 1000), owner=rng.choice(SELLERS))
    offer["tier"] = rng.choice(["standard", "extended"])
    offer["paused"] = rng.random() < 0.2
    offer["supply_cap"] = rng.choice([0, 0, 3])
    offer["sold"] = rng.choice([0, 3])
    return offer


def _write_round(engine: Engine, rng: random.Random, next_id: list[int]) -> None:
    """Random writes as the indexer makes them: row by row, and a few bulk statements."""
    with engine.begin() as c:
        assets = [r[0] for r in c.execute(select(A.c.asset_id))]
        offers = [r[0] for r in c.execute(select(OFFERS.c.offer_id))]
        for _ in range(12):
            what = rng.randrange(8)
            if what == 0 and offers:
                c.execute(
                    update(OFFERS)
                    .where(OFFERS.c.offer_id == rng.choice(offers))
                    .values(paused=rng.random() < 0.5)
                )
            elif what == 1 and offers:
                c.execute(
                    update(OFFERS)
                    .where(OFFERS.c.offer_id == rng.choice(offers))
                    .values(sold=rng.choice([0, 3]))
                )
            elif what == 2 and assets:
                c.execute(insert(OFFERS), [_random_offer(rng, rng.choice(assets)) for _ in range(3)])
            elif what == 3 and offers:
                c.execute(delete(OFFERS).where(OFFERS.c.offer_id == rng.choice(offers)))
            elif what == 4 and assets:  # a transfer: the old owner's offers lapse, the new owner's live
                c.execute(
                    update(A).where(A.c.asset_id == rng.choice(assets)).values(owner=rng.choice(SELLERS))
                )
            elif what == 5 and assets:
                c.execute(
                    update(A)
                    .where(A.c.asset_id == rng.choice(assets))
                    .values(colour=rng.choice(COLOURS), standing=rng.choice(["clear", "disputed"]))
                )
            elif what == 6:
                next_id[0] += 1
                c.execute(insert(A), [_random_asset(rng, next_id[0])])
                c.execute(insert(OFFERS), [_random_offer(rng, next_id[0])])
            elif what == 7 and len(assets) > 5:
                gone = rng.choice(assets)
                c.execute(delete(OFFERS).where(OFFERS.c.asset_id == gone))
                c.execute(delete(models.Provenance.__table__).where(models.Provenance.asset_id == gone))
                c.execute(delete(A).where(A.c.asset_id == gone))
                assets.remove(gone)
        # Bulk: every offer of one seller paused or resumed at once; children counted.
        c.execute(
            update(OFFERS).where(OFFERS.c.creator == rng.choice(SELLERS)).values(paused=rng.random() < 0.5)
        )
        c.execute(
            update(A).where(A.c.asset_id % 3 == rng.randrange(3)).values(children_count=rng.choice([0, 1]))
        )


def _fill(engine: Engine, rng: random.Random, n: int) -> None:
    with engine.begin() as c:
        c.execute(
            insert(models.Cursor),
            [{"chain_id": CHAIN, "block_number": 100, "block_hash": H0, "head_block": 100,
              "journal_from": 100, "updated_at": __import__("datetime").datetime.now()}],
        )  # fmt: skip
        c.execute(
            insert(models.Block),
            [{"chain_id": CHAIN, "number": 100, "hash": H0, "parent_hash": H0, "timestamp": NOW}],
        )
        assets = [_random_asset(rng, i) for i in range(1, n + 1)]
        c.execute(insert(A), assets)
        c.execute(insert(OFFERS), [_random_offer(rng, rng.randrange(1, n + 1)) for _ in range(2 * n)])
        # Possible copies: a later work recorded as a near-duplicate of an earlier one.
        c.execute(
            insert(models.Provenance.__table__),
            [
                {"chain_id": CHAIN, "asset_id": a["asset_id"], "content_hash": a["content_hash"],
                 "block_number": a["asset_id"], "original_id": a["asset_id"] - 1, "method": "pdq"}
                for a in assets if a["asset_id"] % 7 == 0
            ],
        )  # fmt: skip


def _expected_live(engine: Engine) -> dict[int, set[tuple[str, str]]]:
    with engine.connect() as c:
        owners = dict(c.execute(select(A.c.asset_id, A.c.owner)).all())
        live: dict[int, set[tuple[str, str]]] = {a: set() for a in owners}
        for o in c.execute(select(OFFERS)).mappings():
            open_ = not o["paused"] and (o["supply_cap"] == 0 or o["sold"] < o["supply_cap"])
            if o["asset_id"] in owners and open_ and o["creator"] == owners[o["asset_id"]]:
                live[o["asset_id"]].add((o["tier"], o["currency"]))
    return live


def _check_table(engine: Engine) -> None:
    live = _expected_live(engine)
    with engine.connect() as c:
        stored = dict(c.execute(text("SELECT asset_id, live_offers FROM assets")).all())
        assert {a: set(search_module._pairs(v)) for a, v in stored.items()} == live
        assert all(v is None or (v.startswith(",") and v.endswith(",")) for v in stored.values())
        key = search_module._key_columns()
        failed = (A.c.prompt_check == "failed").label("failed")
        counted = Counter(
            {
                tuple(r[:-1]): int(r[-1])
                for r in c.execute(select(*key, failed, func.count()).group_by(*key, failed))
            }
        )
        dims = [col for col in F.c if col.name not in ("chain_id", "n")]
        table = Counter(
            {tuple(r[:-1]): int(r[-1]) for r in c.execute(select(*dims, func.sum(F.c.n)).group_by(*dims))}
        )
    normal = Counter({(*k[:-1], int(bool(k[-1]))): n for k, n in counted.items()})
    assert +table == +normal  # unary plus: keys whose count is 0 dropped
    assert all(n >= 0 for n in table.values())


def _check_searches(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Each query's count, once checked."""
    seen: dict[str, int] = {}
    with Session(engine) as session:
        state = chain_state(session, CHAIN)
        for query in QUERIES:
            params = SearchParams(**query)
            fast = search(session, state=state, params=params)
            with monkeypatch.context() as m:
                m.setattr(search_module, "_from_table", lambda p, text: False)
                slow = search(session, state=state, params=params)
            assert (fast.count, fast.facets) == (slow.count, slow.facets), query
            assert fast.data == slow.data
            # The path before the table (offer filters and facets from the offers themselves).
            scanned = search(session, state=state, params=params, facet_table=False)
            assert (fast.count, fast.facets) == (scanned.count, scanned.facets), query
            assert fast.data == scanned.data, query
            seen[str(query)] = fast.count
            bare = search(session, state=state, params=replace(params, facets=False))
            assert bare.count == fast.count and bare.facets is None
    return seen


def test_facet_table_and_live_offers_stay_exact(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(19)
    _fill(engine, rng, 60)
    _check_table(engine)
    counts = _check_searches(engine, monkeypatch)
    assert sum(1 for n in counts.values() if n) >= len(QUERIES) - 4, counts  # the checks are about something
    with Session(engine) as session:
        facets = search(session, state=chain_state(session, CHAIN), params=SearchParams()).facets
        assert facets is not None and len(facets.tier) == 2 and len(facets.currency) == 2
    next_id = [60]
    for _ in range(6):
        _write_round(engine, rng, next_id)
        _check_table(engine)
        _check_searches(engine, monkeypatch)


def test_offers_lapse_on_transfer(engine: Engine) -> None:
    """A concrete case: the owner's offer is live; after a transfer it lapses and the facets say so; the new
    owner's offer makes the work buyable again, and pausing it takes it away."""
    with engine.begin() as c:
        c.execute(insert(A), [_asset(1, creator=SELLERS[0], owner=SELLERS[0])])
        c.execute(
            insert(OFFERS), [_offer(1, TOKEN, 5, owner=SELLERS[0]), _offer(1, ZERO, 7, owner=SELLERS[1])]
        )

    def tiers_and_currencies() -> tuple[dict[str, int], dict[str, int]]:
        with Session(engine) as session:
            facets = search(session, state=chain_state(session, CHAIN), params=SearchParams()).facets
        assert facets is not None
        return facets.tier, facets.currency

    assert tiers_and_currencies() == ({"standard": 1}, {TOKEN: 1})
    with engine.begin() as c:
        c.execute(update(A).where(A.c.asset_id == 1).values(owner=SELLERS[1]))
    assert tiers_and_currencies() == ({"standard": 1}, {ZERO: 1})
    with engine.begin() as c:
        c.execute(update(OFFERS).where(OFFERS.c.currency == ZERO).values(paused=True))
    assert tiers_and_currencies() == ({}, {})
