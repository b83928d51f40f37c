"""`genip.rules`: every predicate agrees with its SQL twin on every combination of standing, expiry, prompt
check (and submission), failed-check policy, offer and licence state, on SQLite and Postgres; `licensed` is
the hub's `licenseStatus` and `purchasable` its `buyLicense` line for line; the enums spell what the contracts
number, and the API's schemas and the indexer spell them alike."""

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from sqlalchemy import ColumnElement, Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from api import schemas
from genip import rules
from genip.chain import types as chain
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.rules import AssetStatus, Standing, Use
from indexer import handlers
from tests.indexer.conftest import postgres_database

ROOT = Path(__file__).resolve().parents[1]
T = 1_000_000  # the chain time the rules are judged at
OWNER, OTHER = "0x" + "11" * 20, "0x" + "22" * 20
STANDINGS = [*Standing, "unknown-7"]  # a standing this code does not know licenses nobody
EXPIRIES = [0, T - 1, T, T + 1]  # never, passed, ends now (passed), later
CHECKS = [*rules.PromptCheckStatus]  # the latest attestation: unchecked, passed, failed
#: A prompt submission's status (None: never submitted), by asset id modulo 5: with 13 offer states per
#: (standing, expiry, check), every check meets every submission status.
SUBMISSIONS: list[str | None] = [None, "pending", "needs_review", "attested", "rejected"]


@dataclass(frozen=True)
class OfferState:
    paused: bool
    supply_cap: int
    sold: int
    creator: str


OFFER_STATES = [
    OfferState(paused, cap, sold, seller)
    for paused in (False, True)
    for cap, sold in ((0, 9), (3, 2), (3, 3))  # unlimited, one left, sold out
    for seller in (OWNER, OTHER)  # the owner's, or lapsed
]
LICENCE_STATES = [(expires, renounced) for expires in (0, T, T + 1) for renounced in (False, True)]


# ─────────────────────────────── the world of every combination ───────────────────────────────


def _asset(asset_id: int, standing: str, expires_at: int, prompt_check: str = "unchecked") -> dict[str, Any]:
    return {
        "chain_id": 1,
        "asset_id": asset_id,
        "creator": OWNER,
        "owner": OWNER,
        "registrar": OWNER,
        "kind": "image",
        "content_hash": "0x" + f"{asset_id:064x}",
        "perceptual_hash": "0x" + "00" * 32,
        "prompt_commitment": "0x" + "07" * 32,
        "metadata_cid": "bafy",
        "block_number": 1,
        "tx_hash": "0x" + "00" * 32,
        "registered_at": 0,
        "standing": standing,
        "expires_at": expires_at,
        "prompt_check": prompt_check,
    }


def _submission(asset_id: int, status: str) -> dict[str, Any]:
    return {
        "chain_id": 1,
        "asset_id": asset_id,
        "creator": OWNER,
        "commitment": "0x" + "07" * 32,
        "key_id": "k1",
        "ciphertext": "c2VhbGVk",
        "status": status,
        "submitted_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


def _offer(offer_id: int, asset_id: int, state: OfferState) -> dict[str, Any]:
    return {
        "chain_id": 1,
        "offer_id": offer_id,
        "asset_id": asset_id,
        "terms_id": 1,
        "tier": "standard",
        "currency": "0x" + "00" * 20,
        "price": 10**15,
        "duration": 0,
        "supply_cap": state.supply_cap,
        "sold": state.sold,
        "paused": state.paused,
        "creator": state.creator,
        "block_number": 1,
    }


def _licence(license_id: int, asset_id: int, expires_at: int, renounced: bool) -> dict[str, Any]:
    return {
        "chain_id": 1,
        "license_id": license_id,
        "asset_id": asset_id,
        "offer_id": 1,
        "holder": OTHER,
        "buyer": OTHER,
        "currency": "0x" + "00" * 20,
        "price": 1,
        "expires_at": expires_at,
        "tier": "extended",
        "commercial_use": True,
        "derivatives_allowed": True,
        "transferable": False,
        "rev_share_bps": 0,
        "block_number": 1,
        "tx_hash": "0x" + "00" * 32,
        "purchased_at": 0,
        "renounced": renounced,
    }


def write_world(engine: Engine) -> None:
    """One asset per (standing, expiry, prompt check, offer state or none), each with one licence per licence
    state and a prompt submission by its id (`SUBMISSIONS`); the chain's params with the policy on."""
    assets: list[dict[str, Any]] = []
    offers: list[dict[str, Any]] = []
    licences: list[dict[str, Any]] = []
    submissions: list[dict[str, Any]] = []
    for asset_id, (standing, expires_at, check, offer) in enumerate(
        itertools.product(STANDINGS, EXPIRIES, CHECKS, [None, *OFFER_STATES]), start=1
    ):
        assets.append(_asset(asset_id, standing, expires_at, check))
        if offer is not None:
            offers.append(_offer(asset_id, asset_id, offer))
        for expires, renounced in LICENCE_STATES:
            licences.append(_licence(len(licences) + 1, asset_id, expires, renounced))
        status = SUBMISSIONS[asset_id % len(SUBMISSIONS)]
        if status is not None:
            submissions.append(_submission(asset_id, status))
    with engine.begin() as c:
        c.execute(insert(models.Asset), assets)
        c.execute(insert(models.Offer), offers)
        c.execute(insert(models.License), licences)
        c.execute(insert(models.PromptSubmission), submissions)
        c.execute(insert(models.ChainParams), [{"chain_id": 1, "failed_check_policy": True}])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database on each backend, holding every combination."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('rules') / 'rules.db'}"])
    else:
        urls = postgres_database()
    for url in urls:
        engine = make_engine(url)
        upgrade(engine)
        write_world(engine)
        yield engine
        engine.dispose()


A = models.Asset.__table__
OF = models.Offer.__table__
L = models.License.__table__
P = models.ChainParams.__table__
S = models.PromptSubmission.__table__
#: The policy as the chain's params row says: on, off, or no row yet (on, as the hub is deployed).
POLICIES = [True, False, None]


@contextmanager
def policy(engine: Engine, enforced: bool | None) -> Iterator[bool]:
    """The chain's params row says `enforced` (None: there is no row) while inside; yields the policy the
    rules should then apply."""
    with engine.begin() as c:
        if enforced is None:
            c.execute(delete(models.ChainParams))
        else:
            c.execute(update(models.ChainParams).values(failed_check_policy=enforced))
    try:
        yield True if enforced is None else enforced
    finally:
        with engine.begin() as c:
            c.execute(delete(models.ChainParams))
            c.execute(insert(models.ChainParams), [{"chain_id": 1, "failed_check_policy": True}])


def agree(
    engine: Engine, entity: Any, twin: ColumnElement[bool], pure: Callable[[Any], bool], *joined: Any
) -> int:
    """Asserts `twin` (evaluated by the database) equals `pure` (in Python) on every row of `entity` (joined
    with `joined` entities); returns how many rows were compared."""
    query = select(entity, *joined, twin.label("sql"))
    if entity is models.Offer:
        query = query.join(models.Asset, rules.offer_of_sql(OF, A))
    with Session(engine) as session:
        rows = session.execute(query).all()
    for row in rows:
        objects = row[:-1]
        expected = pure(objects[0] if len(objects) == 1 else tuple(objects))
        assert bool(row.sql) is expected, (objects, expected)
    assert rows
    return len(rows)


# ─────────────────────────────── each predicate and its SQL twin ───────────────────────────────


def test_asset_predicates_and_their_twins_agree(engine: Engine) -> None:
    asset = models.Asset
    n = agree(engine, asset, rules.is_disputed_sql(A), lambda a: rules.is_disputed(a.standing))
    assert n == len(STANDINGS) * len(EXPIRIES) * len(CHECKS) * (1 + len(OFFER_STATES))
    agree(engine, asset, ~rules.is_disputed_sql(A), lambda a: not rules.is_disputed(a.standing))
    agree(engine, asset, rules.is_expired_sql(A, T), lambda a: rules.is_expired(a.expires_at, T))
    for enforced in POLICIES:
        with policy(engine, enforced) as on:
            agree(engine, asset, rules.is_delisted_sql(A, P), lambda a: rules.is_delisted(a.prompt_check, on))
            agree(
                engine,
                asset,
                rules.open_for_sale_sql(A, T, params=P),
                lambda a: rules.open_for_sale(
                    a.standing, a.expires_at, T, prompt_check=a.prompt_check, check_policy=on
                ),
            )


def test_the_check_state_and_its_twin_agree(engine: Engine) -> None:
    """Every attestation meets every submission status; the attestation outranks the submission."""
    query = select(models.Asset, S.c.status, rules.check_state_sql(A, S).label("sql")).outerjoin(
        S, (S.c.chain_id == A.c.chain_id) & (S.c.asset_id == A.c.asset_id)
    )
    seen = set()
    with Session(engine) as session:
        for asset, status, sql in session.execute(query):
            expected = rules.check_state(asset.prompt_check, status)
            assert sql == expected.value, (asset.asset_id, asset.prompt_check, status)
            seen.add((asset.prompt_check, status))
    assert seen == set(itertools.product(CHECKS, SUBMISSIONS))
    assert rules.check_state("failed", "needs_review") is rules.CheckState.FAILED
    assert rules.check_state("unchecked", "needs_review") is rules.CheckState.UNDER_REVIEW
    assert rules.check_state("unchecked", "attested") is rules.CheckState.PENDING  # not indexed yet
    assert rules.check_state("unchecked", "rejected") is rules.CheckState.UNCHECKED


def test_offer_predicates_and_their_twins_agree(engine: Engine) -> None:
    offer, asset = models.Offer, models.Asset
    n = agree(engine, offer, rules.offer_open_sql(OF), lambda oa: rules.offer_open(oa[0]), asset)
    assert n == len(STANDINGS) * len(EXPIRIES) * len(CHECKS) * len(OFFER_STATES)
    agree(engine, offer, rules.offer_live_sql(OF, A), lambda oa: rules.offer_live(*oa), asset)
    for enforced in POLICIES:
        with policy(engine, enforced) as on:
            agree(
                engine,
                offer,
                rules.purchasable_sql(OF, A, T, params=P),
                lambda oa: rules.purchasable(oa[0], oa[1], T, check_policy=on),
                asset,
            )


def test_an_asset_is_purchasable_alike_in_sql_and_python(engine: Engine) -> None:
    with Session(engine) as session:
        offers: dict[int, list[models.Offer]] = defaultdict(list)
        for o in session.execute(select(models.Offer)).scalars():
            offers[o.asset_id].append(o)
    twin = rules.asset_purchasable_sql(OF.alias("o"), A, T, params=P)
    for enforced in POLICIES:
        with policy(engine, enforced) as on:
            agree(
                engine,
                models.Asset,
                twin,
                lambda a: rules.asset_purchasable(a, offers[a.asset_id], T, check_policy=on),
            )


def test_licence_predicates_and_their_twins_agree(engine: Engine) -> None:
    licence = models.License
    n = agree(
        engine,
        licence,
        rules.licence_valid_sql(L, T),
        lambda lc: rules.licence_valid(lc.expires_at, T, renounced=lc.renounced),
    )
    assert n == len(STANDINGS) * len(EXPIRIES) * len(CHECKS) * (1 + len(OFFER_STATES)) * len(LICENCE_STATES)
    agree(engine, licence, rules.licence_held_sql(L), lambda lc: not lc.renounced)
    agree(engine, licence, rules.is_expired_sql(L, T), lambda lc: rules.is_expired(lc.expires_at, T))


# ─────────────────────────────── the contracts' rules, restated ───────────────────────────────


@dataclass(frozen=True)
class Held:
    """A licence as the LicenseToken stores it."""

    expires_at: int
    commercial_use: bool
    derivatives_allowed: bool
    used_for_derivative: int | None


HELD = [
    Held(expires, commercial, derivatives, used)
    for expires in (0, T, T + 1)
    for commercial in (False, True)
    for derivatives in (False, True)
    for used in (None, 5)
]
LICENCE_SETS: list[tuple[Held, ...]] = [(), *((h,) for h in HELD), *itertools.combinations(HELD[::3], 2)]


def hub_license_status(
    standing: str, expires_at: int, use: Use, is_owner: bool, held: tuple[Held, ...]
) -> bool:
    """`LicensingHub.licenseStatus` of a registered asset at `T`, line for line, with `LicenseToken`'s
    `bestLicense` (the longest-lasting held licence fitting the use)."""
    if standing != "clear":
        return False
    if use is Use.DERIVATIVE and expires_at != 0 and expires_at <= T:
        return False
    if is_owner:
        return True
    fitting = [
        h
        for h in held
        if (use is not Use.COMMERCIAL or h.commercial_use)
        and (use is not Use.DERIVATIVE or (h.derivatives_allowed and h.used_for_derivative is None))
    ]
    if not fitting:
        return False
    best = max(fitting, key=lambda h: 2**64 if h.expires_at == 0 else h.expires_at)
    return not (best.expires_at != 0 and best.expires_at <= T)


def test_licensed_is_the_hubs_licence_status() -> None:
    cases = 0
    for standing, expires_at, use, is_owner, held in itertools.product(
        STANDINGS, EXPIRIES, Use, (False, True), LICENCE_SETS
    ):
        status = rules.asset_status(standing, expires_at, T)
        usable = rules.usable_licences(held, use, T)
        got = rules.licensed(status, use, is_owner=is_owner, holds_usable=bool(usable))
        assert got is hub_license_status(standing, expires_at, use, is_owner, held), (
            standing,
            expires_at,
            use,
            is_owner,
            held,
        )
        cases += 1
    assert cases == len(STANDINGS) * len(EXPIRIES) * len(Use) * 2 * len(LICENCE_SETS)
    assert rules.licensed(AssetStatus.UNREGISTERED, Use.DISPLAY, is_owner=True, holds_usable=True) is False


@pytest.mark.parametrize(
    ("standing", "expires_at", "expected"),
    [
        (None, 0, AssetStatus.UNREGISTERED),
        ("clear", 0, AssetStatus.ACTIVE),
        ("clear", T + 1, AssetStatus.ACTIVE),
        ("clear", T, AssetStatus.EXPIRED),
        ("clear", T - 1, AssetStatus.EXPIRED),
        ("disputed", T - 1, AssetStatus.DISPUTED),  # a dispute outranks an expiry
        ("upheld", 0, AssetStatus.UPHELD),
        ("tainted", 0, AssetStatus.TAINTED),
        ("unknown-7", 0, AssetStatus.DISPUTED),
    ],
)
def test_asset_status(standing: str | None, expires_at: int, expected: AssetStatus) -> None:
    assert rules.asset_status(standing, expires_at, T) is expected


def hub_buy_license_reverts(
    o: OfferState, standing: str, expires_at: int, check: str, on: bool
) -> str | None:
    """The error `LicensingHub.buyLicense` reverts with, line for line (None: it sells)."""
    if o.paused:
        return "OfferNotActive"
    if standing != "clear":  # _requireClear(assetId, true)
        return "AssetNotClear"
    if check == "failed" and on:
        return "PromptCheckFailed"
    if expires_at != 0 and expires_at <= T:
        return "AssetExpired"
    if o.creator != OWNER:
        return "OfferLapsed"
    if o.supply_cap != 0 and o.sold >= o.supply_cap:
        return "OfferSoldOut"
    return None


def test_purchasable_is_buy_licence() -> None:
    """`buyLicense`'s checks in its order: not paused, asset clear, its prompt check not failed while the
    policy is on, not expired, seller still the owner, not sold out; `sale_refusal` names the first."""

    @dataclass(frozen=True)
    class Asset:
        owner: str
        standing: str
        expires_at: int
        prompt_check: str

    refusal_of = {
        "OfferNotActive": "paused",
        "AssetNotClear": "disputed",
        "PromptCheckFailed": "check_failed",
        "AssetExpired": "expired",
        "OfferLapsed": "lapsed",
        "OfferSoldOut": "sold_out",
    }
    for standing, expires_at, check, on, o in itertools.product(
        STANDINGS, EXPIRIES, CHECKS, (True, False), OFFER_STATES
    ):
        asset = Asset(OWNER, standing, expires_at, check)
        error = hub_buy_license_reverts(o, standing, expires_at, check, on)
        assert rules.purchasable(o, asset, T, check_policy=on) is (error is None)
        refusal = rules.sale_refusal(o, asset, T, check_policy=on)
        assert (None if refusal is None else refusal.value) == (None if error is None else refusal_of[error])
        assert rules.is_delisted(check, on) is (check == "failed" and on)
        assert rules.offer_available(o, asset) is (
            not o.paused and (o.supply_cap == 0 or o.sold < o.supply_cap) and standing == "clear"
        )


def test_rulings_and_answers_follow_the_courts_clock() -> None:
    assert rules.ruling_final("cleared", None, T)
    assert not rules.ruling_final("upheld", T, T) and rules.ruling_final("upheld", T - 1, T)
    assert not rules.ruling_final("open", None, T)
    assert rules.answer_open("open", False, T, T) and not rules.answer_open("open", False, T - 1, T)
    assert not rules.answer_open("open", True, T, T) and not rules.answer_open("upheld", False, T, T)


# ─────────────────────────────── one spelling everywhere ───────────────────────────────


def test_the_enums_spell_what_the_contracts_number() -> None:
    assert [s.value for s in Standing] == [m.name.lower() for m in chain.Standing]
    assert [u.value for u in Use] == [m.name.lower() for m in chain.LicenseUse]
    assert [c.value for c in rules.PromptCheckStatus] == [m.name.lower() for m in chain.CheckOutcome]
    assert [d.value for d in rules.DisputeState] == [
        m.name.lower() for m in chain.DisputeStatus if m is not chain.DisputeStatus.NONE
    ]
    registry = (ROOT / "contracts" / "src" / "GenIPRegistry.sol").read_text()
    found = re.search(r"INITIAL_ROYALTY_BPS = (\d+);", registry)
    assert found is not None and int(found.group(1)) == rules.DEFAULT_ROYALTY_BPS


def test_the_api_and_the_indexer_spell_them_alike() -> None:
    assert get_args(schemas.Standing) == tuple(Standing)
    assert get_args(schemas.AssetStatus) == tuple(AssetStatus)
    assert get_args(schemas.DisputeStatus) == tuple(rules.DisputeState)
    assert get_args(schemas.Use) == tuple(Use)
    assert get_args(schemas.CheckState) == tuple(rules.CheckState)
    assert get_args(schemas.SaleRefusal) == tuple(rules.SaleRefusal)
    assert tuple(Standing) == handlers.STANDING
    assert set(rules.ContentStatus) == {"pending", "ok", "missing", "invalid", "mismatch"}


def test_the_hot_path_statement_keeps_its_text() -> None:
    """The status statement (a prepared statement on Postgres) takes its licence condition from the rule, as
    the same SQL as before it did."""
    from api.queries.status import WITH_STATE_SQL

    assert "l.asset_id = a.asset_id\n       AND NOT l.renounced\n" in WITH_STATE_SQL
