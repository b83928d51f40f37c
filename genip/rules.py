"""Licensing and dispute rules: the one place that says what is disputed, expired, licensed and purchasable.

The contracts are the source of truth; this module restates their rules for the indexed rows, so that search,
the asset page, licence status, matching and the CLI all answer alike (and the web page only renders what the
API decided). Each rule is a pure predicate over plain values, and where a query needs it, a SQL twin right
beside it (`*_sql`: a SQLAlchemy column expression over the tables of `genip.db.models`, or an alias or CTE
with the same column names). `tests/test_rules.py` checks every predicate against its twin on SQLite and
Postgres, over every combination of standing, expiry and licence state.

* **Standing** (the hub's `standingOf`): `clear`, `disputed` (an open claim), `upheld` (a claim was upheld) or
  `tainted` (a claim against an ancestor was upheld). Anything but clear is *disputed* (`is_disputed`), a
  standing this code does not know included: the hub's `_requireClear` then refuses new offers, licences and
  derivatives, and `licenseStatus` licenses nobody, the owner included.
* **Expiry**: `expires_at` 0 is never; otherwise it has passed once `expires_at <= timestamp` (`is_expired`),
  the timestamp being chain time (the indexed cursor block's), not a server clock. The same rule holds for an
  asset's rights (the hub's `expiryOf`: a derivative's rights end with its shortest parent licence) and for a
  licence.
* **Prompt checks** (`check_state`): `unchecked` (no prompt submitted, or a submission the checker could not
  use), `pending` (submitted, the checker's verdict not on-chain yet), `under_review` (the policy flagged it:
  a person decides), `passed` or `failed` (the latest on-chain attestation, which outranks the submission).
  A failed work is *delisted* (`is_delisted`) while the hub's failed-check policy is on (`check_policy`,
  `chain_params.failed_check_policy`): search leaves it out by default and the hub sells no new licences on
  it (licences already sold keep working).
* **Purchasable** (`buyLicense`): the offer is not paused and not sold out (`offer_open`), its seller still
  owns the certificate (`offer_live`; else it has lapsed: `offer_lapsed`), and the asset is clear, not
  delisted and not expired (`open_for_sale`, the hub's `_requireSellable`). `sale_refusal` names the first
  check `buyLicense` would revert on, in its order. An asset is purchasable when one of its offers is
  (`asset_purchasable`). An offer is *available* (`offer_available`) when it is open and its asset is not
  disputed.
* **Licensed** (`licenseStatus`, step for step; `licensed`): an unregistered or disputed asset licenses
  nobody; an expired one licenses nobody for `derivative` use, its owner included; otherwise its owner is
  licensed for every use, and anybody else holding a *usable* licence: held (not renounced, i.e. burned) and
  not expired (`licence_valid`), fit for the use (`licence_fits`: `commercial` needs commercial use,
  `derivative` a licence that allows derivatives and was not yet used for one; `display` takes any).
  **Generation licences** (tier `generation`, `LicenceTier`) are never used up: the hub emits no
  `LicenseUsed` for them, so their indexed `used_for_derivative` stays NULL and `licence_fits` (and every SQL
  statement that restates it) keeps counting them for `derivative` however many derivatives they registered
  (`licence_reusable`). Those derivatives are the `derivative_edges` naming the licence.
* **Asset status** (`asset_status`): what the licence rules make of an asset: `active` (clear), `expired`
  (clear, its rights ended), `disputed`, `upheld`, `tainted`, or `unregistered` (no such asset).
* **Disputes** (the court): a ruling is final at once when cleared, and once its appeal window has passed
  when upheld (`ruling_final`, the court's `outcome`); the owner may answer an open claim until its deadline
  (`answer_open`).
* **Downloads** (`may_download`): a work's original goes to its owner, always, and to the holder of a valid
  licence on it while it is not disputed.

The enums are the spellings the indexer writes and the API serves (`StrEnum`, so a member equals its text).
The contracts' ordinals are `genip.chain.types` (IntEnums of the same order); the API's schemas repeat the
spellings as `Literal`s (mypy checks them against these enums wherever the API passes a member's `value`).

Importing this module costs nothing but the standard library: the CLI imports it, and SQLAlchemy alone takes
about a second to import on a busy machine, so the SQL twins are built with the columns' own operators and
SQLAlchemy's types are named for the type checker only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, FromClause

__all__ = [
    "DEFAULT_ROYALTY_BPS",
    "DERIVATIVE_TIERS",
    "AssetFacts",
    "AssetStatus",
    "CheckState",
    "ContentStatus",
    "DisputeState",
    "DownloadGrant",
    "DownloadRefusal",
    "HeldLicenceFacts",
    "LicenceFacts",
    "LicenceTier",
    "MatchRole",
    "OfferFacts",
    "PromptCheckStatus",
    "SaleRefusal",
    "Standing",
    "StandingStatus",
    "Use",
    "answer_open",
    "asset_purchasable",
    "asset_purchasable_sql",
    "asset_status",
    "check_state",
    "check_state_sql",
    "is_delisted",
    "is_delisted_sql",
    "is_disputed",
    "is_disputed_sql",
    "is_expired",
    "is_expired_sql",
    "licence_fits",
    "licence_held_sql",
    "licence_renewable",
    "licence_reusable",
    "licence_valid",
    "licence_valid_sql",
    "licensed",
    "may_download",
    "offer_available",
    "offer_lapsed",
    "offer_live",
    "offer_live_sql",
    "offer_of_sql",
    "offer_open",
    "offer_open_sql",
    "open_for_sale",
    "open_for_sale_sql",
    "purchasable",
    "purchasable_sql",
    "ruling_final",
    "sale_refusal",
    "standing_status",
    "usable_licences",
    "use_ended",
]

#: Default royalty rate (ERC-2981) of a new certificate until the registry's `RoyaltyRateSet`: the registry's
#: `INITIAL_ROYALTY_BPS`.
DEFAULT_ROYALTY_BPS: Final = 500


# ─────────────────────────────── spellings ───────────────────────────────


class Standing(StrEnum):
    """An asset's standing in the hub (`standingOf`), in the contract's order."""

    CLEAR = "clear"
    DISPUTED = "disputed"  # an open claim
    UPHELD = "upheld"  # a claim against it was upheld
    TAINTED = "tainted"  # a claim against one of its ancestors was upheld


class DisputeState(StrEnum):
    """A claim's status in the court as indexed (`disputes.status`); a reversed ruling is `cleared` with its
    `reversed` flag set."""

    OPEN = "open"
    CLEARED = "cleared"
    UPHELD = "upheld"


class AssetStatus(StrEnum):
    """What the licence rules make of an asset (`asset_status`)."""

    ACTIVE = "active"
    EXPIRED = "expired"
    DISPUTED = "disputed"
    UPHELD = "upheld"
    TAINTED = "tainted"
    UNREGISTERED = "unregistered"


#: The status of a registered asset by its standing alone (no expiry considered).
StandingStatus = Literal[AssetStatus.ACTIVE, AssetStatus.DISPUTED, AssetStatus.UPHELD, AssetStatus.TAINTED]


class LicenceTier(StrEnum):
    """A licence's or offer's tier as indexed (`genip.chain.types.Tier`'s names)."""

    STANDARD = "standard"  # commercial use, no derivatives
    EXTENDED = "extended"  # build on it: one derivative per licence
    GENERATION = "generation"  # generate with a model, workflow or prompt: any number of derivatives


#: Tiers whose licences register derivatives, the reusable one first (what a resource's maker sells).
DERIVATIVE_TIERS: Final = (LicenceTier.GENERATION, LicenceTier.EXTENDED)


def licence_reusable(tier: str) -> bool:
    """A licence of `tier` registers any number of derivatives (a generation licence); any other is used up by
    its first derivative."""
    return tier == LicenceTier.GENERATION


class Use(StrEnum):
    """What a licence is asked about (`LicenseUse`, in the contract's order)."""

    DISPLAY = "display"
    COMMERCIAL = "commercial"
    DERIVATIVE = "derivative"


class PromptCheckStatus(StrEnum):
    """The latest prompt-check attestation of an asset (`assets.prompt_check`; `CheckOutcome`'s order)."""

    UNCHECKED = "unchecked"
    PASSED = "passed"
    FAILED = "failed"


class CheckState(StrEnum):
    """Where an asset's prompt check stands, as the page and search show it (`check_state`)."""

    UNCHECKED = "unchecked"  # no usable prompt submitted
    PENDING = "pending"  # submitted; the checker's verdict is not on-chain yet
    UNDER_REVIEW = "under_review"  # the policy flagged it; a person decides
    PASSED = "passed"
    FAILED = "failed"


class SaleRefusal(StrEnum):
    """Why `buyLicense` would refuse an offer now (`sale_refusal`), named after the check, in its order."""

    PAUSED = "paused"
    DISPUTED = "disputed"
    CHECK_FAILED = "check_failed"
    EXPIRED = "expired"
    LAPSED = "lapsed"
    SOLD_OUT = "sold_out"


class ContentStatus(StrEnum):
    """How reading an asset's content went (`assets.metadata_status`, `assets.media_status`)."""

    PENDING = "pending"  # not read yet
    OK = "ok"  # read and verified
    MISSING = "missing"  # not in the content store (yet): retried
    INVALID = "invalid"  # unreadable: a malformed CID, not JSON or metadata, not a decodable image
    MISMATCH = "mismatch"  # describes other content than the certificate commits to


class MatchRole(StrEnum):
    """What a registered work that matches another is to it (`genip.matching.originals.role_of`)."""

    ORIGINAL = "original"  # earlier, by another creator, not an ancestor: the work it may copy
    POSSIBLE_COPY = "possible_copy"  # later, by another creator, not a derivative of it
    ANCESTOR = "ancestor"  # one of its licensed ancestors: a derivative is expected to look like them
    DERIVATIVE = "derivative"  # registered under a licence on it
    SAME_CREATOR = "same_creator"  # another work of its own creator


# ─────────────────────────────── what the rules read ───────────────────────────────


class AssetFacts(Protocol):
    """The fields of an asset the rules read (a `models.Asset`, or any row with them)."""

    @property
    def owner(self) -> str: ...
    @property
    def standing(self) -> str: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def prompt_check(self) -> str: ...


class OfferFacts(Protocol):
    """The fields of an offer the rules read (a `models.Offer`; `creator` is its seller)."""

    @property
    def paused(self) -> bool: ...
    @property
    def supply_cap(self) -> int: ...
    @property
    def sold(self) -> int: ...
    @property
    def creator(self) -> str: ...


class LicenceFacts(Protocol):
    """The fields of a licence that say which uses it fits (validity aside)."""

    @property
    def expires_at(self) -> int: ...
    @property
    def commercial_use(self) -> bool: ...
    @property
    def derivatives_allowed(self) -> bool: ...
    @property
    def used_for_derivative(self) -> int | None: ...


LicenceT = TypeVar("LicenceT", bound=LicenceFacts)

# Members as module constants: the hot path of `/licenses/status` runs these rules per request, and looking a
# member up on its enum class costs about 0.1 µs each time (Python 3.11).
_CLEAR: Final = Standing.CLEAR
_ACTIVE: Final = AssetStatus.ACTIVE
_EXPIRED: Final = AssetStatus.EXPIRED
_DISPUTED: Final = AssetStatus.DISPUTED
_UNREGISTERED: Final = AssetStatus.UNREGISTERED
_COMMERCIAL: Final = Use.COMMERCIAL
_DERIVATIVE: Final = Use.DERIVATIVE


# ─────────────────────────────── standing and expiry ───────────────────────────────


def is_disputed(standing: str) -> bool:
    """Anything but clear: an open claim, an upheld one, a taint, or a standing this code does not know."""
    return standing != _CLEAR


def is_disputed_sql(assets: FromClause) -> ColumnElement[bool]:
    """`is_disputed` of `assets.standing`."""
    return assets.c.standing != Standing.CLEAR.value


def is_expired(expires_at: int, timestamp: int) -> bool:
    """`expires_at` (0 = never) has passed at `timestamp` (chain time): an asset's rights or a licence."""
    return expires_at != 0 and expires_at <= timestamp


def _unexpired_sql(table: FromClause, timestamp: int) -> ColumnElement[bool]:
    return (table.c.expires_at == 0) | (table.c.expires_at > timestamp)


def is_expired_sql(table: FromClause, timestamp: int) -> ColumnElement[bool]:
    """`is_expired` of `table.expires_at` (assets or licences)."""
    return ~_unexpired_sql(table, timestamp)


def open_for_sale(
    standing: str, expires_at: int, timestamp: int, *, prompt_check: str, check_policy: bool
) -> bool:
    """The asset's side of `buyLicense` (the hub's `_requireSellable`): clear, not delisted by a failed
    prompt check while the policy (`check_policy`) is on, and its rights not expired."""
    return (
        not is_disputed(standing)
        and not is_delisted(prompt_check, check_policy)
        and not is_expired(expires_at, timestamp)
    )


def open_for_sale_sql(assets: FromClause, timestamp: int, *, params: FromClause) -> ColumnElement[bool]:
    """`open_for_sale` of an assets row (`params`: the chain_params table, for its chain's policy)."""
    return (
        (assets.c.standing == Standing.CLEAR.value)
        & ~is_delisted_sql(assets, params)
        & _unexpired_sql(assets, timestamp)
    )


# ─────────────────────────────── prompt checks ───────────────────────────────

_PASSED: Final = PromptCheckStatus.PASSED
_FAILED: Final = PromptCheckStatus.FAILED


def is_delisted(prompt_check: str, check_policy: bool) -> bool:
    """The latest attestation failed and the hub's failed-check policy is on: left out of search by default,
    and no new licences (the hub's `PromptCheckFailed`)."""
    return check_policy and prompt_check == _FAILED


def is_delisted_sql(assets: FromClause, params: FromClause) -> ColumnElement[bool]:
    """`is_delisted` of an assets row, the policy read from its chain's row of `params` (the chain_params
    table; on when the chain has none yet, as the hub is deployed)."""
    from sqlalchemy import func, select, true  # imported when a query is built, not when the CLI starts

    policy = (
        select(params.c.failed_check_policy)
        .where(params.c.chain_id == assets.c.chain_id)
        .correlate(assets)
        .scalar_subquery()
    )
    return (assets.c.prompt_check == _FAILED.value) & func.coalesce(policy, true())


def check_state(prompt_check: str, submission: str | None) -> CheckState:
    """Where the check stands, from the latest attestation (`assets.prompt_check`) and the status of the
    asset's prompt submission (`prompt_submissions.status`: pending, needs_review, attested, rejected; None
    without one). An attestation outranks the submission; a submission attested but not indexed yet is still
    pending; a rejected one (unreadable, or not the committed prompt) leaves the work unchecked."""
    if prompt_check == _PASSED:
        return CheckState.PASSED
    if prompt_check == _FAILED:
        return CheckState.FAILED
    if submission == "needs_review":
        return CheckState.UNDER_REVIEW
    if submission in ("pending", "attested"):
        return CheckState.PENDING
    return CheckState.UNCHECKED


def check_state_sql(assets: FromClause, submissions: FromClause) -> ColumnElement[str]:
    """`check_state` of an assets row, its submission read by a correlated subquery (`submissions`: the
    prompt_submissions table, one row per asset)."""
    from sqlalchemy import case, select  # imported when a query is built, not when the CLI starts

    sub = (
        select(submissions.c.status)
        .where((submissions.c.chain_id == assets.c.chain_id) & (submissions.c.asset_id == assets.c.asset_id))
        .correlate(assets)
        .scalar_subquery()
    )
    return case(
        (assets.c.prompt_check == _PASSED.value, CheckState.PASSED.value),
        (assets.c.prompt_check == _FAILED.value, CheckState.FAILED.value),
        (sub == "needs_review", CheckState.UNDER_REVIEW.value),
        (sub.in_(("pending", "attested")), CheckState.PENDING.value),
        else_=CheckState.UNCHECKED.value,
    )


_BY_STANDING: Final[dict[str, StandingStatus]] = {
    Standing.CLEAR: AssetStatus.ACTIVE,
    Standing.DISPUTED: AssetStatus.DISPUTED,
    Standing.UPHELD: AssetStatus.UPHELD,
    Standing.TAINTED: AssetStatus.TAINTED,
}


def standing_status(standing: str) -> StandingStatus:
    """The status of a registered asset by its standing alone: `active` when clear, else the standing (a
    standing this code does not know reads `disputed`)."""
    return _BY_STANDING.get(standing, _DISPUTED)


def asset_status(standing: str | None, expires_at: int = 0, timestamp: int = 0) -> AssetStatus:
    """`active`, `expired` (clear, but its rights ended at `expires_at` <= `timestamp`), `disputed`, `upheld`,
    `tainted`, or `unregistered` when there is no such asset (`standing` None)."""
    if standing is None:
        return _UNREGISTERED
    if not is_disputed(standing) and is_expired(expires_at, timestamp):
        return _EXPIRED
    return standing_status(standing)


# ─────────────────────────────── offers ───────────────────────────────


def offer_open(offer: OfferFacts) -> bool:
    """Not paused and not sold out (a `supply_cap` of 0 is unlimited)."""
    return not offer.paused and (offer.supply_cap == 0 or offer.sold < offer.supply_cap)


def offer_open_sql(offers: FromClause) -> ColumnElement[bool]:
    """`offer_open` of an offers row."""
    o = offers.c
    return ~o.paused & ((o.supply_cap == 0) | (o.sold < o.supply_cap))


def offer_of_sql(offers: FromClause, assets: FromClause) -> ColumnElement[bool]:
    """The offers row is one of the assets row's offers (the join condition)."""
    return (offers.c.chain_id == assets.c.chain_id) & (offers.c.asset_id == assets.c.asset_id)


def offer_available(offer: OfferFacts, asset: AssetFacts) -> bool:
    """Open, and its asset not disputed (a lapsed offer, or one on an expired asset, is still available but
    not purchasable)."""
    return offer_open(offer) and not is_disputed(asset.standing)


def offer_lapsed(offer: OfferFacts, asset: AssetFacts) -> bool:
    """Its seller no longer owns the certificate (`buyLicense` reverts `OfferLapsed`)."""
    return offer.creator != asset.owner


def offer_live(offer: OfferFacts, asset: AssetFacts) -> bool:
    """Open and not lapsed."""
    return offer_open(offer) and not offer_lapsed(offer, asset)


def offer_live_sql(offers: FromClause, assets: FromClause) -> ColumnElement[bool]:
    """`offer_live` of an offers row and its assets row."""
    return offer_open_sql(offers) & (offers.c.creator == assets.c.owner)


def purchasable(offer: OfferFacts, asset: AssetFacts, timestamp: int, *, check_policy: bool) -> bool:
    """`buyLicense` would accept this offer of `asset` at `timestamp`: live, and the asset open for sale."""
    return offer_live(offer, asset) and open_for_sale(
        asset.standing,
        asset.expires_at,
        timestamp,
        prompt_check=asset.prompt_check,
        check_policy=check_policy,
    )


def purchasable_sql(
    offers: FromClause, assets: FromClause, timestamp: int, *, params: FromClause
) -> ColumnElement[bool]:
    """`purchasable` of an offers row and its assets row (`params`: the chain_params table)."""
    return offer_live_sql(offers, assets) & open_for_sale_sql(assets, timestamp, params=params)


def sale_refusal(
    offer: OfferFacts, asset: AssetFacts, timestamp: int, *, check_policy: bool
) -> SaleRefusal | None:
    """The first check `buyLicense` would revert on for this offer of `asset` at `timestamp`, in the hub's
    order (paused, not clear, failed prompt check under the policy, expired, lapsed, sold out); None when it
    would sell (exactly when `purchasable`)."""
    if offer.paused:
        return SaleRefusal.PAUSED
    if is_disputed(asset.standing):
        return SaleRefusal.DISPUTED
    if is_delisted(asset.prompt_check, check_policy):
        return SaleRefusal.CHECK_FAILED
    if is_expired(asset.expires_at, timestamp):
        return SaleRefusal.EXPIRED
    if offer_lapsed(offer, asset):
        return SaleRefusal.LAPSED
    if not offer_open(offer):
        return SaleRefusal.SOLD_OUT
    return None


def asset_purchasable(
    asset: AssetFacts, offers: Iterable[OfferFacts], timestamp: int, *, check_policy: bool
) -> bool:
    """A licence on `asset` can be bought now: one of its `offers` is purchasable."""
    return any(purchasable(offer, asset, timestamp, check_policy=check_policy) for offer in offers)


def asset_purchasable_sql(
    offers: FromClause, assets: FromClause, timestamp: int, *, params: FromClause
) -> ColumnElement[bool]:
    """`asset_purchasable` of an assets row: open for sale, and an EXISTS over its live offers (`offers`: an
    alias of the offers table, correlated with `assets`; `params`: the chain_params table)."""
    live = offers.select().with_only_columns(offers.c.offer_id)
    return (
        open_for_sale_sql(assets, timestamp, params=params)
        & live.where(offer_of_sql(offers, assets) & offer_live_sql(offers, assets)).exists()
    )


# ─────────────────────────────── licences ───────────────────────────────


def licence_valid(expires_at: int, timestamp: int, *, renounced: bool = False) -> bool:
    """Held (a renounced licence is burned) and perpetual or not yet expired at `timestamp`."""
    return not renounced and not is_expired(expires_at, timestamp)


def licence_held_sql(licences: FromClause) -> ColumnElement[bool]:
    """The licence is held: not renounced (burned)."""
    return ~licences.c.renounced


def licence_valid_sql(licences: FromClause, timestamp: int) -> ColumnElement[bool]:
    """`licence_valid` of a licences row."""
    return licence_held_sql(licences) & _unexpired_sql(licences, timestamp)


def licence_fits(licence: LicenceFacts, use: str | None) -> bool:
    """Whether `licence` covers `use` (validity aside): `commercial` needs commercial use, `derivative` a
    licence that allows derivatives and was not yet used for one (a generation licence never is: see the
    module); `display` (or no use) takes any."""
    if use == _COMMERCIAL:
        return licence.commercial_use
    if use == _DERIVATIVE:
        return licence.derivatives_allowed and licence.used_for_derivative is None
    return True


def usable_licences(licences: Iterable[LicenceT], use: str | None, timestamp: int) -> list[LicenceT]:
    """The held `licences` valid at `timestamp` and fit for `use`, in the given order."""
    return [lc for lc in licences if licence_valid(lc.expires_at, timestamp) and licence_fits(lc, use)]


def use_ended(status: AssetStatus, use: str) -> bool:
    """An expired asset licenses nobody to build on it, its owner included (the hub checks this before the
    owner)."""
    return status is _EXPIRED and use == _DERIVATIVE


def licensed(status: AssetStatus, use: str, *, is_owner: bool, holds_usable: bool) -> bool:
    """The hub's `licenseStatus`: the asset (of `status`) is registered and clear, its rights have not ended
    for `use`, and the account owns it or holds a usable licence on it (see `usable_licences`)."""
    if status is not _ACTIVE and status is not _EXPIRED:
        return False
    if use_ended(status, use):
        return False
    return is_owner or holds_usable


# ─────────────────────────────── disputes ───────────────────────────────


def ruling_final(status: str, final_at: int | None, timestamp: int) -> bool:
    """A cleared ruling is final at once; an upheld one once its appeal window has passed (the court's
    `outcome`: `block.timestamp > finalAt`); an open claim has no ruling."""
    if status == DisputeState.CLEARED:
        return True
    return status == DisputeState.UPHELD and final_at is not None and timestamp > final_at


def answer_open(status: str, answered: bool, answer_deadline: int, timestamp: int) -> bool:
    """The owner may still answer the claim: open, not answered, and its deadline not passed (the court's
    `answer` reverts once `block.timestamp > deadline`)."""
    return status == DisputeState.OPEN and not answered and timestamp <= answer_deadline


# ─────────────────────────────── original downloads ───────────────────────────────


class HeldLicenceFacts(LicenceFacts, Protocol):
    """A licence token as the download rule reads it (a `models.License`): its id, and whether it was
    burned."""

    @property
    def license_id(self) -> int: ...
    @property
    def renounced(self) -> bool: ...


class DownloadRefusal(StrEnum):
    """Why an account may not download a work's original (`may_download`)."""

    NO_LICENCE = "no_licence"  # not the owner, and holds no licence on the work (or only renounced ones)
    LICENCE_EXPIRED = "licence_expired"  # holds licences on it, all expired
    DISPUTED = "disputed"  # holds a valid licence, but the work is not clear (disputed, upheld, tainted)


@dataclass(frozen=True, slots=True)
class DownloadGrant:
    """Why an account may download a work's original: it owns the certificate (`license_id` None), or holds
    the valid licence `license_id` on it."""

    grant: Literal["owner", "licence"]
    license_id: int | None = None


def may_download(
    asset: AssetFacts, account: str, licences: Iterable[HeldLicenceFacts], timestamp: int
) -> DownloadGrant | DownloadRefusal:
    """Whether `account` may have `asset`'s original at `timestamp` (chain time), given the licences on the
    asset it holds (`licences`; others' are ignored by the caller's query, renounced ones here).

    The certificate's owner always may: it is their own work, whatever its standing or expiry. Anybody else
    needs a held licence valid at `timestamp` (`licence_valid`; any use fits: a download is for display at
    least) on a work that is not disputed (`is_disputed`: an open claim, an upheld one or a taint stops
    delivery, as `licenseStatus` then licenses nobody). A failed prompt check does not stop it (licences
    already sold keep working). The grant names the licence that lasts longest (a perpetual one first, then
    the lowest id among equals); a refusal says the first thing missing: a licence, a valid one, a clear
    standing."""
    if account.lower() == asset.owner.lower():
        return DownloadGrant("owner")
    held = [lc for lc in licences if not lc.renounced]
    if not held:
        return DownloadRefusal.NO_LICENCE
    valid = [lc for lc in held if licence_valid(lc.expires_at, timestamp)]
    if not valid:
        return DownloadRefusal.LICENCE_EXPIRED
    if is_disputed(asset.standing):
        return DownloadRefusal.DISPUTED
    best = min(valid, key=lambda lc: (lc.expires_at != 0, -lc.expires_at, lc.license_id))
    return DownloadGrant("licence", best.license_id)


def licence_renewable(expires_at: int, timestamp: int, *, renounced: bool, offer_purchasable: bool) -> bool:
    """A held licence can be renewed now: it has an end date that has not passed at `timestamp`, and the offer
    it was bought under still sells (`purchasable`). Renewing buys a new licence under that offer (same terms
    and price), which runs from its own purchase; the hub extends no licence in place."""
    return expires_at != 0 and licence_valid(expires_at, timestamp, renounced=renounced) and offer_purchasable


# ─────────────────────────────── shopping search ───────────────────────────────


class Orientation(StrEnum):
    """An image's orientation as the marketplace filters it (`orientation`)."""

    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"
    SQUARE = "square"


class SizeClass(StrEnum):
    """An image's size as the marketplace filters it, by its longer side (`size_class`)."""

    SMALL = "small"  # longer side under 1 024 px
    MEDIUM = "medium"  # 1 024 to 2 047 px
    LARGE = "large"  # 2 048 px or more


#: Sides within this fraction of the longer one make a square (a 1 000 x 970 render is square to a buyer).
SQUARE_TOLERANCE: Final = 0.03
#: Longer sides at which an image becomes medium, then large.
MEDIUM_SIDE: Final = 1024
LARGE_SIDE: Final = 2048


def orientation(width: int, height: int) -> Orientation:
    """Square when the sides differ by at most `SQUARE_TOLERANCE` of the longer one, else the longer
    side's."""
    if abs(width - height) <= SQUARE_TOLERANCE * max(width, height):
        return Orientation.SQUARE
    return Orientation.LANDSCAPE if width > height else Orientation.PORTRAIT


def size_class(width: int, height: int) -> SizeClass:
    """Small, medium or large by the longer side (`MEDIUM_SIDE`, `LARGE_SIDE`)."""
    side = max(width, height)
    if side >= LARGE_SIDE:
        return SizeClass.LARGE
    return SizeClass.MEDIUM if side >= MEDIUM_SIDE else SizeClass.SMALL


def price_order_key(currency: str, price: int) -> tuple[str, int]:
    """How search orders prices (`sort=price`) and picks the price a card shows: offers group by currency
    (the native coin, the zero address, first; then by address), and by amount within a currency. Amounts
    in different currencies are never compared (the index knows no exchange rate)."""
    return (currency.lower(), price)
