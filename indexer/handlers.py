"""One handler per contract event: how each fact changes the derived rows.

Handlers are pure functions of (overlay, log): they read and write rows through the overlay and never touch
the database or the chain. Events arrive in chain order; the indexer has already dropped logs it stored
before, so every handler runs exactly once per log.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from genip.chain.types import CheckOutcome, RevenueSource, Tier, WorkKind
from genip.rules import DEFAULT_ROYALTY_BPS, ContentStatus, Standing
from indexer.events import DecodedLog
from indexer.overlay import Overlay, Row

__all__ = ["HANDLERS", "Handler", "prefetch_keys"]

Handler = Callable[[Overlay, DecodedLog], None]

ZERO = "0x0000000000000000000000000000000000000000"
#: The hub's `Standing` enum, as the API and the web page spell it.
STANDING = tuple(Standing)  # the hub's Standing ordinals, in order


@cache
def _name(enum: Any, value: int) -> str:
    try:
        return str(enum(value).name.lower())
    except ValueError:
        return f"unknown-{value}"


# ─────────────────────────────── certificates ───────────────────────────────


def work_registered(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.put(
        "assets",
        {
            "asset_id": a["assetId"],
            "creator": a["creator"],
            "owner": a["creator"],
            "registrar": a["registrar"],
            "kind": _name(WorkKind, a["kind"]),
            "content_hash": a["contentHash"],
            "perceptual_hash": a["perceptualHash"],
            "prompt_commitment": a["promptCommitment"],
            "metadata_cid": a["metadataCid"],
            "block_number": log.block_number,
            "tx_hash": log.tx_hash,
            "registered_at": log.timestamp,
            "is_derivative": False,
            "royalty_stack_bps": 0,
            "depth": 0,
            "children_count": 0,
            "licenses_sold": 0,
            "royalty_bps": None,
            "royalty_sink": None,
            "prompt_check": "unchecked",
            "prompt_checker": None,
            "prompt_report_hash": None,
            "prompt_check_block": None,
            "standing": "clear",
            "standing_dispute_id": 0,
            "expires_at": 0,
            "metadata_status": ContentStatus.PENDING,
            "title": None,
            "description": None,
            "tags": None,
            "media_cid": None,
            "media_type": None,
            "metadata_json": None,
            "media_status": ContentStatus.PENDING,
            "preview_cid": None,  # the public face, read from the metadata (`indexer.content_fields`)
            "excerpt": None,
            "card": None,
            "image_width": None,  # the look, from the media step (`indexer.media`)
            "image_height": None,
            "orientation": None,
            "size_class": None,
            "colour": None,
        },
    )


def certificate_transfer(ov: Overlay, log: DecodedLog) -> None:
    if log.args["from"] == ZERO:
        return  # a mint: WorkRegistered, emitted right after, creates the row
    ov.require("assets", log.args["tokenId"])["owner"] = log.args["to"]


def prompt_check_attested(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    outcome = _name(CheckOutcome, a["outcome"])
    asset = ov.require("assets", a["assetId"])
    asset.update(
        prompt_check=outcome,
        prompt_checker=a["checker"],
        prompt_report_hash=a["reportHash"],
        prompt_check_block=log.block_number,
    )
    ov.insert_new(
        "prompt_checks",
        {
            "block_hash": log.block_hash,
            "log_index": log.log_index,
            "asset_id": a["assetId"],
            "checker": a["checker"],
            "outcome": outcome,
            "report_hash": a["reportHash"],
            "block_number": log.block_number,
        },
    )


def _params(ov: Overlay) -> Row:
    return ov.get("chain_params") or ov.put(
        "chain_params",
        {
            "hub": None,
            "platform_fee_bps": 0,
            "fee_recipient": None,
            "default_royalty_bps": DEFAULT_ROYALTY_BPS,
            "base_uri": None,
            "court": None,
            "referral_fee_bps": 0,
            "response_window": 3 * 86_400,  # the court's defaults until WindowsSet
            "appeal_window": 7 * 86_400,
            "failed_check_policy": True,  # on from the hub's deployment
        },
    )


def hub_set(ov: Overlay, log: DecodedLog) -> None:
    _params(ov)["hub"] = log.args["hub"]


def royalty_rate_set(ov: Overlay, log: DecodedLog) -> None:
    asset_id, bps = log.args["assetId"], log.args["bps"]
    if asset_id == 0:
        _params(ov)["default_royalty_bps"] = bps
    else:
        ov.require("assets", asset_id)["royalty_bps"] = bps


def base_uri_set(ov: Overlay, log: DecodedLog) -> None:
    _params(ov)["base_uri"] = log.args["baseURI"]


def platform_authorized(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    if a["expiresAt"] == 0 and a["maxWorks"] == 0:  # both 0: the grant is revoked
        ov.delete("platform_authorizations", a["creator"], a["platform"])
        return
    ov.put(
        "platform_authorizations",
        {
            "creator": a["creator"],
            "platform": a["platform"],
            "expires_at": a["expiresAt"],
            "max_works": a["maxWorks"],
            "block_number": log.block_number,
        },
    )


# ─────────────────────────────── terms, offers, licences ───────────────────────────────


def terms_registered(ov: Overlay, log: DecodedLog) -> None:
    tier, commercial, derivatives, transferable, rev_share, doc_hash, doc_uri = log.args["terms"]
    ov.put(
        "terms",
        {
            "terms_id": log.args["termsId"],
            "terms_hash": log.args["termsHash"],
            "tier": _name(Tier, tier),
            "commercial_use": commercial,
            "derivatives_allowed": derivatives,
            "transferable": transferable,
            "rev_share_bps": rev_share,
            "document_hash": "0x" + doc_hash.hex(),
            "document_uri": doc_uri,
        },
    )


def offer_created(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    terms = ov.require("terms", a["termsId"])
    ov.put(
        "offers",
        {
            "offer_id": a["offerId"],
            "asset_id": a["assetId"],
            "terms_id": a["termsId"],
            "tier": terms["tier"],
            "currency": a["currency"],
            "price": a["price"],
            "duration": a["duration"],
            "supply_cap": a["supplyCap"],
            "sold": 0,
            "paused": False,
            "creator": a["creator"],
            "block_number": log.block_number,
        },
    )


def offer_pause_set(ov: Overlay, log: DecodedLog) -> None:
    ov.require("offers", log.args["offerId"])["paused"] = log.args["paused"]


def license_purchased(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    offer = ov.require("offers", a["offerId"])
    terms = ov.require("terms", offer["terms_id"])
    offer["sold"] += 1
    ov.require("assets", a["assetId"])["licenses_sold"] += 1
    ov.put(
        "licenses",
        {
            "license_id": a["licenseId"],
            "asset_id": a["assetId"],
            "offer_id": a["offerId"],
            "holder": a["holder"],
            "buyer": a["buyer"],
            "currency": a["currency"],
            "price": a["price"],
            "expires_at": a["expiresAt"],
            "tier": terms["tier"],
            "commercial_use": terms["commercial_use"],
            "derivatives_allowed": terms["derivatives_allowed"],
            "transferable": terms["transferable"],
            "rev_share_bps": terms["rev_share_bps"],
            "used_for_derivative": None,
            "block_number": log.block_number,
            "tx_hash": log.tx_hash,
            "purchased_at": log.timestamp,
            "referrer": None if a["referrer"] == ZERO else a["referrer"],
            "renounced": False,
            "renounced_block": None,
        },
    )


def license_transfer(ov: Overlay, log: DecodedLog) -> None:
    if log.args["from"] == ZERO:
        return  # a mint: LicensePurchased, emitted right after, creates the row
    licence = ov.require("licenses", log.args["tokenId"])
    if log.args["to"] == ZERO:  # a burn: the licence is no longer held (the row keeps its last holder)
        licence.update(renounced=True, renounced_block=log.block_number)
        return
    licence["holder"] = log.args["to"]


def license_renounced(ov: Overlay, log: DecodedLog) -> None:
    # The burn's Transfer to 0x0 follows in the same transaction; both mark the licence, either suffices.
    ov.require("licenses", log.args["licenseId"]).update(renounced=True, renounced_block=log.block_number)


def license_used(ov: Overlay, log: DecodedLog) -> None:
    ov.require("licenses", log.args["licenseId"])["used_for_derivative"] = log.args["derivativeId"]


# ─────────────────────────────── lineage ───────────────────────────────


def derivative_registered(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    child = a["assetId"]
    ov.require("assets", child).update(
        is_derivative=True,
        royalty_stack_bps=a["royaltyStackBps"],
        depth=a["depth"],
        expires_at=a["expiresAt"],
    )
    for parent, license_id, share in zip(a["parentIds"], a["licenseIds"], a["parentShareBps"], strict=True):
        ov.require("assets", parent)["children_count"] += 1
        ov.insert_new(
            "derivative_edges",
            {"child_id": child, "parent_id": parent, "license_id": license_id, "share_bps": share},
        )
    for ancestor, share in zip(a["ancestorIds"], a["ancestorShareBps"], strict=True):
        ov.insert_new("ancestors", {"asset_id": child, "ancestor_id": ancestor, "share_bps": share})


# ─────────────────────────────── money ───────────────────────────────


def revenue_paid(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.insert_new(
        "payments",
        {
            "block_hash": log.block_hash,
            "log_index": log.log_index,
            "asset_id": a["assetId"],
            "payer": a["payer"],
            "currency": a["currency"],
            "amount": a["amount"],
            "fee": a["fee"],
            "source": _name(RevenueSource, a["source"]),
            "block_number": log.block_number,
            "tx_hash": log.tx_hash,
        },
    )


def _balance(ov: Overlay, account: str, currency: str) -> Row:
    return ov.get("balances", account, currency) or ov.put(
        "balances", {"account": account, "currency": currency, "credited": 0, "withdrawn": 0, "balance": 0}
    )


def _ledger(ov: Overlay, log: DecodedLog, **row: Any) -> None:
    ov.insert_new(
        "credits",
        {"block_hash": log.block_hash, "log_index": log.log_index, "block_number": log.block_number, **row},
    )


def credited(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    account, currency, amount = a["account"], a["currency"], a["amount"]
    balance = _balance(ov, account, currency)
    balance["credited"] += amount
    balance["balance"] += amount
    ov.insert_new(  # the most frequent event: its ledger row is built in one dict display
        "credits",
        {
            "block_hash": log.block_hash,
            "log_index": log.log_index,
            "block_number": log.block_number,
            "account": account,
            "currency": currency,
            "asset_id": a["assetId"],
            "source_asset_id": a["sourceAssetId"],
            "amount": amount,
            "held": False,
        },
    )


def revenue_held(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    key = (a["assetId"], a["disputeId"], a["currency"])
    held = ov.get("held", *key) or ov.put(
        "held",
        {
            "asset_id": a["assetId"],
            "dispute_id": a["disputeId"],
            "currency": a["currency"],
            "amount": 0,
            "released": 0,
            "released_to": None,
        },
    )
    held["amount"] += a["amount"]
    _ledger(
        ov,
        log,
        account=None,
        currency=a["currency"],
        asset_id=a["assetId"],
        source_asset_id=a["sourceAssetId"],
        amount=a["amount"],
        held=True,
    )


def held_released(ov: Overlay, log: DecodedLog) -> None:
    # The Credited event that follows adds the amount to the receiving account's balance.
    a = log.args
    held = ov.require("held", a["assetId"], a["disputeId"], a["currency"])
    held["amount"] -= a["amount"]
    held["released"] += a["amount"]
    held["released_to"] = a["account"]


def withdrawn(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    balance = ov.require("balances", a["account"], a["currency"])
    balance["withdrawn"] += a["amount"]
    balance["balance"] -= a["amount"]
    ov.insert_new(
        "withdrawals",
        {
            "block_hash": log.block_hash,
            "log_index": log.log_index,
            "account": a["account"],
            "currency": a["currency"],
            "amount": a["amount"],
            "block_number": log.block_number,
            "tx_hash": log.tx_hash,
        },
    )


def platform_fee_set(ov: Overlay, log: DecodedLog) -> None:
    _params(ov).update(platform_fee_bps=log.args["bps"], fee_recipient=log.args["recipient"])


def referral_fee_set(ov: Overlay, log: DecodedLog) -> None:
    _params(ov)["referral_fee_bps"] = log.args["bps"]


def failed_check_policy_set(ov: Overlay, log: DecodedLog) -> None:
    _params(ov)["failed_check_policy"] = bool(log.args["enforced"])


def court_set(ov: Overlay, log: DecodedLog) -> None:
    _params(ov)["court"] = log.args["court"]


def royalty_sink_deployed(ov: Overlay, log: DecodedLog) -> None:
    ov.require("assets", log.args["assetId"])["royalty_sink"] = log.args["sink"]


# ─────────────────────────────── standing and the dispute court ───────────────────────────────


def standing_set(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    standing = STANDING[a["standing"]] if a["standing"] < len(STANDING) else f"unknown-{a['standing']}"
    ov.require("assets", a["assetId"]).update(standing=standing, standing_dispute_id=a["disputeId"])


def dispute_raised(ov: Overlay, log: DecodedLog) -> None:
    # The hub's StandingSet (emitted first, in the same transaction) marks the asset disputed.
    a = log.args
    ov.put(
        "disputes",
        {
            "dispute_id": a["disputeId"],
            "asset_id": a["assetId"],
            "claimant": a["claimant"],
            "claimant_asset_id": a["claimantAssetId"],
            "evidence_hash": a["evidenceHash"],
            "bond_currency": a["bondCurrency"],
            "bond": a["bond"],
            "answer_deadline": a["answerDeadline"],
            "answered": False,
            "answer_hash": None,
            "status": "open",
            "reversed": False,
            "reversal_hash": None,
            "reversed_by": None,
            "arbiter": None,
            "resolution_hash": None,
            "final_at": None,
            "bond_awarded_to": None,
            "raised_at": log.timestamp,
            "resolved_at": None,
            "raised_block": log.block_number,
            "answered_block": None,
            "resolved_block": None,
            "reversed_block": None,
            "tx_hash": log.tx_hash,
        },
    )


def dispute_answered(ov: Overlay, log: DecodedLog) -> None:
    ov.require("disputes", log.args["disputeId"]).update(
        answered=True, answer_hash=log.args["answerHash"], answered_block=log.block_number
    )


def dispute_resolved(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.require("disputes", a["disputeId"]).update(
        status="upheld" if a["upheld"] else "cleared",
        arbiter=a["arbiter"],
        resolution_hash=a["resolutionHash"],
        final_at=a["finalAt"],
        resolved_at=log.timestamp,
        resolved_block=log.block_number,
    )


def dispute_reversed(ov: Overlay, log: DecodedLog) -> None:
    ov.require("disputes", log.args["disputeId"]).update(
        status="cleared",
        reversed=True,
        reversal_hash=log.args["reasonHash"],
        reversed_by=log.args["admin"],
        final_at=log.timestamp,  # the court sets finalAt to the reversal's time
        reversed_block=log.block_number,
    )


def _bond_balance(ov: Overlay, account: str, currency: str) -> Row:
    return ov.get("bond_balances", account, currency) or ov.put(
        "bond_balances",
        {"account": account, "currency": currency, "credited": 0, "withdrawn": 0, "balance": 0},
    )


def bond_awarded(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.require("disputes", a["disputeId"])["bond_awarded_to"] = a["account"]
    balance = _bond_balance(ov, a["account"], a["currency"])
    balance["credited"] += a["amount"]
    balance["balance"] += a["amount"]


def bond_withdrawn(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    balance = ov.require("bond_balances", a["account"], a["currency"])
    balance["withdrawn"] += a["amount"]
    balance["balance"] -= a["amount"]


def taint_propagated(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.put(
        "taints",
        {
            "asset_id": a["assetId"],
            "dispute_id": a["disputeId"],
            "ancestor_id": a["ancestorId"],
            "status": "active",
            "propagated_block": log.block_number,
            "cleared_block": None,
        },
    )


def taint_cleared(ov: Overlay, log: DecodedLog) -> None:
    ov.require("taints", log.args["assetId"], log.args["disputeId"]).update(
        status="cleared", cleared_block=log.block_number
    )


def bond_set(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.put("dispute_bonds", {"currency": a["currency"], "amount": a["amount"], "accepted": a["accepted"]})


def windows_set(ov: Overlay, log: DecodedLog) -> None:
    _params(ov).update(response_window=log.args["responseWindow"], appeal_window=log.args["appealWindow"])


# ─────────────────────────────── roles ───────────────────────────────


def role_granted(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.put(
        "roles",
        {
            "contract": log.address,
            "role": a["role"],
            "account": a["account"],
            "granted_by": a["sender"],
            "block_number": log.block_number,
        },
    )


def role_revoked(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    ov.delete("roles", log.address, a["role"], a["account"])


def ignored(_ov: Overlay, _log: DecodedLog) -> None:
    """Events kept only as raw rows: nothing a reader asks about depends on them. Registration commitments
    are consumed by the reveal that follows (WorkRegistered carries the work), and unordered nonces matter
    only to whoever signs the next request (the chain's `nonceUsed` answers them)."""


HANDLERS: dict[str, Handler] = {
    "GenIPRegistry.WorkRegistered": work_registered,
    "GenIPRegistry.Transfer": certificate_transfer,
    "GenIPRegistry.PromptCheckAttested": prompt_check_attested,
    "GenIPRegistry.HubSet": hub_set,
    "GenIPRegistry.RoyaltyRateSet": royalty_rate_set,
    "GenIPRegistry.BaseURISet": base_uri_set,
    "GenIPRegistry.RoleGranted": role_granted,
    "GenIPRegistry.RoleRevoked": role_revoked,
    "GenIPRegistry.PlatformAuthorized": platform_authorized,
    "GenIPRegistry.RegistrationCommitted": ignored,
    "GenIPRegistry.NoncesInvalidated": ignored,
    "LicensingHub.TermsRegistered": terms_registered,
    "LicensingHub.OfferCreated": offer_created,
    "LicensingHub.OfferPauseSet": offer_pause_set,
    "LicensingHub.LicensePurchased": license_purchased,
    "LicensingHub.DerivativeRegistered": derivative_registered,
    "LicensingHub.RevenuePaid": revenue_paid,
    "LicensingHub.Credited": credited,
    "LicensingHub.RevenueHeld": revenue_held,
    "LicensingHub.HeldReleased": held_released,
    "LicensingHub.Withdrawn": withdrawn,
    "LicensingHub.StandingSet": standing_set,
    "LicensingHub.PlatformFeeSet": platform_fee_set,
    "LicensingHub.ReferralFeeSet": referral_fee_set,
    "LicensingHub.CourtSet": court_set,
    "LicensingHub.FailedCheckPolicySet": failed_check_policy_set,
    "LicensingHub.RoyaltySinkDeployed": royalty_sink_deployed,
    "LicensingHub.RoleGranted": role_granted,
    "LicensingHub.RoleRevoked": role_revoked,
    "LicenseToken.Transfer": license_transfer,
    "LicenseToken.LicenseUsed": license_used,
    "LicenseToken.LicenseRenounced": license_renounced,
    "DisputeCourt.DisputeRaised": dispute_raised,
    "DisputeCourt.DisputeAnswered": dispute_answered,
    "DisputeCourt.DisputeResolved": dispute_resolved,
    "DisputeCourt.DisputeReversed": dispute_reversed,
    "DisputeCourt.BondAwarded": bond_awarded,
    "DisputeCourt.BondWithdrawn": bond_withdrawn,
    "DisputeCourt.TaintPropagated": taint_propagated,
    "DisputeCourt.TaintCleared": taint_cleared,
    "DisputeCourt.BondSet": bond_set,
    "DisputeCourt.WindowsSet": windows_set,
    "DisputeCourt.RoleGranted": role_granted,
    "DisputeCourt.RoleRevoked": role_revoked,
}


#: Keys of the rows some logs' handlers read, from the logs' arguments (one comprehension per event kind).
_Keys = Callable[[list[dict[str, Any]]], list[tuple[Any, ...]]]


def _one(name: str) -> _Keys:
    return lambda args: [(a[name],) for a in args]


def _pair(first: str, second: str) -> _Keys:
    return lambda args: [(a[first], a[second]) for a in args]


def _triple(first: str, second: str, third: str) -> _Keys:
    return lambda args: [(a[first], a[second], a[third]) for a in args]


def _minted_or(name: str) -> _Keys:
    return lambda args: [(a[name],) for a in args if a["from"] != ZERO]


#: Per event, the rows its handler reads or replaces (those the chain guarantees or that usually exist), so
#: a batch loads them with one query per table; anything not listed is still loaded on a miss.
_READS: dict[str, list[tuple[str, _Keys]]] = {
    "GenIPRegistry.WorkRegistered": [("assets", _one("assetId"))],
    "GenIPRegistry.Transfer": [("assets", _minted_or("tokenId"))],
    "GenIPRegistry.PromptCheckAttested": [("assets", _one("assetId"))],
    "GenIPRegistry.RoyaltyRateSet": [
        ("assets", lambda args: [(a["assetId"],) for a in args if a["assetId"]])
    ],
    "LicensingHub.TermsRegistered": [("terms", _one("termsId"))],
    "LicensingHub.OfferCreated": [("terms", _one("termsId")), ("offers", _one("offerId"))],
    "LicensingHub.OfferPauseSet": [("offers", _one("offerId"))],
    "LicensingHub.LicensePurchased": [
        ("offers", _one("offerId")),
        ("assets", _one("assetId")),
        ("licenses", _one("licenseId")),
    ],
    "LicensingHub.DerivativeRegistered": [
        ("assets", lambda args: [k for a in args for k in ((a["assetId"],), *((p,) for p in a["parentIds"]))])
    ],
    "LicensingHub.Credited": [("balances", _pair("account", "currency"))],
    "LicensingHub.RevenueHeld": [("held", _triple("assetId", "disputeId", "currency"))],
    "LicensingHub.HeldReleased": [("held", _triple("assetId", "disputeId", "currency"))],
    "LicensingHub.Withdrawn": [("balances", _pair("account", "currency"))],
    "LicensingHub.StandingSet": [("assets", _one("assetId"))],
    "LicensingHub.RoyaltySinkDeployed": [("assets", _one("assetId"))],
    "LicenseToken.Transfer": [("licenses", _minted_or("tokenId"))],
    "LicenseToken.LicenseUsed": [("licenses", _one("licenseId"))],
    "LicenseToken.LicenseRenounced": [("licenses", _one("licenseId"))],
    "GenIPRegistry.PlatformAuthorized": [("platform_authorizations", _pair("creator", "platform"))],
    "DisputeCourt.DisputeRaised": [("disputes", _one("disputeId"))],
    "DisputeCourt.DisputeAnswered": [("disputes", _one("disputeId"))],
    "DisputeCourt.DisputeResolved": [("disputes", _one("disputeId"))],
    "DisputeCourt.DisputeReversed": [("disputes", _one("disputeId"))],
    "DisputeCourt.BondAwarded": [
        ("disputes", _one("disputeId")),
        ("bond_balances", _pair("account", "currency")),
    ],
    "DisputeCourt.BondWithdrawn": [("bond_balances", _pair("account", "currency"))],
    "DisputeCourt.TaintPropagated": [("taints", _pair("assetId", "disputeId"))],
    "DisputeCourt.TaintCleared": [("taints", _pair("assetId", "disputeId"))],
    "DisputeCourt.BondSet": [("dispute_bonds", _one("currency"))],
}


def prefetch_keys(logs: list[DecodedLog]) -> dict[str, set[tuple[Any, ...]]]:
    """Rows a batch will read, so the overlay can load them in one query per table (misses still load)."""
    by_event: dict[str | None, list[dict[str, Any]]] = {}
    for log in logs:
        args = by_event.get(log.event)
        if args is None:
            args = by_event[log.event] = []
        args.append(log.args)
    keys: dict[str, set[tuple[Any, ...]]] = {}
    for event, args in by_event.items():
        for table, extract in _READS.get(event or "", ()):
            keys.setdefault(table, set()).update(extract(args))
    return keys
