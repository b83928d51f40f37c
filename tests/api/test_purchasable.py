"""Regression: an asset whose dispute was upheld, or that is tainted by one, is not purchasable and its offers
are not available, in search, the asset page and the account page (the asset page's `available` once ignored
disputes). Both on rows written directly (SQLite and Postgres) and on the indexed chain story."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from api.queries.accounts import account
from api.queries.assets import asset_detail
from api.queries.chain import ChainState
from api.queries.search import SearchParams, search
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from tests.api.world import World
from tests.indexer.conftest import postgres_database

T = 1_000_000
OWNER = "0x" + "11" * 20
STATE = ChainState(1, 1, "0x" + "00" * 32, T)
#: Asset id -> (standing, expires_at); each has one open offer by its owner.
ASSETS = {1: ("clear", 0), 2: ("upheld", 0), 3: ("tainted", 0), 4: ("disputed", 0), 5: ("clear", T - 1)}
NOT_CLEAR = {2, 3, 4}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('buy') / 'buy.db'}"])
    else:
        urls = postgres_database()
    for url in urls:
        engine = make_engine(url)
        upgrade(engine)
        _write(engine)
        yield engine
        engine.dispose()


def _write(engine: Engine) -> None:
    zero32 = "0x" + "00" * 32
    assets: list[dict[str, Any]] = [
        {
            "chain_id": 1,
            "asset_id": i,
            "creator": OWNER,
            "owner": OWNER,
            "registrar": OWNER,
            "kind": "text",
            "content_hash": "0x" + f"{i:064x}",
            "perceptual_hash": zero32,
            "prompt_commitment": zero32,
            "metadata_cid": "bafy",
            "block_number": 1,
            "tx_hash": zero32,
            "registered_at": 0,
            "standing": standing,
            "standing_dispute_id": 0 if standing == "clear" else 9,
            "expires_at": expires_at,
            "title": f"work {i}",
        }
        for i, (standing, expires_at) in ASSETS.items()
    ]
    offers = [
        {
            "chain_id": 1,
            "offer_id": i,
            "asset_id": i,
            "terms_id": 1,
            "tier": "standard",
            "currency": "0x" + "00" * 20,
            "price": 10**15,
            "duration": 0,
            "supply_cap": 0,
            "sold": 0,
            "paused": False,
            "creator": OWNER,
            "block_number": 1,
        }
        for i in ASSETS
    ]
    with engine.begin() as c:
        c.execute(insert(models.Asset), assets)
        c.execute(insert(models.Offer), offers)


def test_upheld_and_tainted_assets_are_not_for_sale_on_the_asset_page(engine: Engine) -> None:
    with Session(engine) as session:
        pages = {i: asset_detail(session, state=STATE, asset_id=i) for i in ASSETS}
    for i, page in pages.items():
        assert page is not None
        (offer,) = page.offers
        if i in NOT_CLEAR:
            assert (page.purchasable, offer.available, offer.purchasable) == (False, False, False), i
    assert (pages[1].purchasable, pages[1].offers[0].available, pages[1].offers[0].purchasable) == (True,) * 3
    # An expired asset's offer stays available (its own state) but cannot be bought.
    assert (pages[5].asset_status, pages[5].purchasable, pages[5].offers[0].available) == (
        "expired",
        False,
        True,
    )
    assert [pages[i].asset_status for i in (2, 3, 4)] == ["upheld", "tainted", "disputed"]


def test_upheld_and_tainted_assets_are_not_for_sale_in_search_and_on_the_account(engine: Engine) -> None:
    with Session(engine) as session:
        found = {a.asset_id: a for a in search(session, state=STATE, params=SearchParams(limit=50)).data}
        buyable = search(session, state=STATE, params=SearchParams(purchasable=True, facets=False)).data
        not_buyable = search(session, state=STATE, params=SearchParams(purchasable=False, facets=False)).data
        disputed = search(session, state=STATE, params=SearchParams(disputed=True, facets=False)).data
        clear = search(session, state=STATE, params=SearchParams(disputed=False, facets=False)).data
        works = account(session, state=STATE, address=OWNER, limit=50).works_created
    assert {i for i, a in found.items() if a.purchasable} == {1}
    assert [a.asset_id for a in buyable] == [1]
    assert {a.asset_id for a in not_buyable} == {2, 3, 4, 5}
    assert {a.asset_id for a in disputed} == NOT_CLEAR and {a.asset_id for a in clear} == {1, 5}
    assert {w.asset_id for w in works if w.purchasable} == {1}
    assert {i: found[i].asset_status for i in NOT_CLEAR} == {2: "upheld", 3: "tainted", 4: "disputed"}


def test_the_indexed_upheld_parent_has_no_available_offer(api: TestClient, world: World) -> None:
    """Its offer was published before the claim was upheld: the chain refuses to sell it, so does the API."""
    page = api.get(f"/assets/{world.upheld_parent}").json()
    assert page["asset_status"] == "upheld" and page["purchasable"] is False
    assert page["offers"] and not any(o["available"] or o["purchasable"] for o in page["offers"])
    listed = {a["asset_id"]: a for a in api.get("/assets", params={"limit": 100}).json()["data"]}
    assert (
        listed[world.upheld_parent]["purchasable"] is False and listed[world.tainted]["purchasable"] is False
    )
    buyable = {
        a["asset_id"] for a in api.get("/assets", params={"purchasable": True, "limit": 100}).json()["data"]
    }
    assert not buyable & {world.upheld_parent, world.tainted}
