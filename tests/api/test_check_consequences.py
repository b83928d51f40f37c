"""A failed prompt check has consequences in every answer: while the hub's failed-check policy is on, search
leaves the work out unless asked, and neither the asset page nor search nor the account page offers it for
sale (the offer says why); each work carries its check state, and search filters by it. Rows written directly,
on SQLite and Postgres."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, update
from sqlalchemy.orm import Session

from api.queries.accounts import account
from api.queries.assets import asset_detail
from api.queries.chain import ChainState
from api.queries.search import SearchParams, search
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from tests.indexer.conftest import postgres_database

OWNER = "0x" + "11" * 20
STATE = ChainState(1, 1, "0x" + "00" * 32, 1_000_000)
#: Asset id -> (latest attestation, submission status or None, the state shown); each has one open offer.
WORKS: dict[int, tuple[str, str | None, str]] = {
    1: ("unchecked", None, "unchecked"),
    2: ("unchecked", "pending", "pending"),
    3: ("unchecked", "needs_review", "under_review"),
    4: ("passed", "attested", "passed"),
    5: ("failed", "attested", "failed"),
    6: ("unchecked", "rejected", "unchecked"),
}
FAILED = 5


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('check') / 'check.db'}"])
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
    assets: list[dict[str, Any]] = []
    offers: list[dict[str, Any]] = []
    submissions: list[dict[str, Any]] = []
    for i, (check, submitted, _) in WORKS.items():
        assets.append(
            {
                "chain_id": 1,
                "asset_id": i,
                "creator": OWNER,
                "owner": OWNER,
                "registrar": OWNER,
                "kind": "image",
                "content_hash": "0x" + f"{i:064x}",
                "perceptual_hash": zero32,
                "prompt_commitment": zero32,
                "metadata_cid": "bafy",
                "block_number": 1,
                "tx_hash": zero32,
                "registered_at": 0,
                "prompt_check": check,
                "title": f"work {i}",
            }
        )
        offers.append(
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
        )
        if submitted is not None:
            submissions.append(
                {
                    "chain_id": 1,
                    "asset_id": i,
                    "creator": OWNER,
                    "commitment": zero32,
                    "key_id": "k1",
                    "ciphertext": "c2VhbGVk",
                    "status": submitted,
                    "submitted_at": datetime(2026, 1, 1, tzinfo=UTC),
                }
            )
    with engine.begin() as c:
        c.execute(insert(models.Asset), assets)
        c.execute(insert(models.Offer), offers)
        c.execute(insert(models.PromptSubmission), submissions)
        c.execute(insert(models.ChainParams), [{"chain_id": 1}])  # the policy on, as deployed


def _set_policy(engine: Engine, enforced: bool) -> None:
    with engine.begin() as c:
        c.execute(update(models.ChainParams).values(failed_check_policy=enforced))


def _ids(session: Session, **params: Any) -> set[int]:
    found = search(session, state=STATE, params=SearchParams(limit=50, **params))
    assert found.count == len(found.data)
    return {a.asset_id for a in found.data}


def test_a_failed_work_is_delisted_and_not_for_sale(engine: Engine) -> None:
    with Session(engine) as session:
        listed = search(session, state=STATE, params=SearchParams(limit=50))
        assert {a.asset_id for a in listed.data} == set(WORKS) - {FAILED}
        assert listed.count == len(WORKS) - 1 and sum(listed.facets.kind.values()) == listed.count  # type: ignore[union-attr]
        assert {a.asset_id: a.check_state for a in listed.data} == {
            i: shown for i, (_, _, shown) in WORKS.items() if i != FAILED
        }
        assert all(a.purchasable for a in listed.data)
        assert _ids(session, purchasable=False) == set()  # delisted even from "not for sale"
        assert _ids(session, prompt_check="failed") == {FAILED}  # asked for by name
        assert _ids(session, include_delisted=True) == set(WORKS)
        failed = search(session, state=STATE, params=SearchParams(prompt_check="failed")).data[0]
        assert (failed.check_state, failed.purchasable) == ("failed", False)

        page = asset_detail(session, state=STATE, asset_id=FAILED)
        assert page is not None and (page.check_state, page.purchasable) == ("failed", False)
        (offer,) = page.offers
        assert (offer.available, offer.purchasable, offer.refusal) == (True, False, "check_failed")
        ok = asset_detail(session, state=STATE, asset_id=4)
        assert ok is not None and ok.offers[0].refusal is None and ok.purchasable

        works = {w.asset_id: w for w in account(session, state=STATE, address=OWNER, limit=50).works_created}
        assert works[FAILED].purchasable is False and works[FAILED].check_state == "failed"
        assert works[3].check_state == "under_review" and works[3].purchasable


def test_search_filters_by_each_check_state(engine: Engine) -> None:
    with Session(engine) as session:
        for state in ("unchecked", "pending", "under_review", "passed"):
            assert _ids(session, prompt_check=state) == {i for i, w in WORKS.items() if w[2] == state}, state


def test_with_the_policy_off_a_failed_work_is_listed_and_sells(engine: Engine) -> None:
    _set_policy(engine, False)
    try:
        with Session(engine) as session:
            assert _ids(session) == set(WORKS)
            assert FAILED in _ids(session, purchasable=True)
            page = asset_detail(session, state=STATE, asset_id=FAILED)
            assert page is not None and page.purchasable and page.offers[0].refusal is None
            assert page.check_state == "failed"  # the badge stays
    finally:
        _set_policy(engine, True)
