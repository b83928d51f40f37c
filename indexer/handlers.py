"""One handler per contract event: how each fact changes the derived rows.

Handlers are pure functions of (overlay, log): they read and write rows through the overlay and never touch
the database or the chain. Events arrive in chain order; the indexer has already dropped logs it stored
before, so every handler runs exactly once per log.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from genip.chain.types import CheckOutcome, RevenueSource, Tier, WorkKind
from indexer.events import DecodedLog
from indexer.overlay import Overlay, Row

__all__ = ["HANDLERS", "Handler", "prefetch_keys"]

Handler = Callable[[Overlay, DecodedLog], None]

ZERO = "0x0000000000000000000000000000000000000000"
_DISPUTE = {1: "open", 2: "cleared", 3: "upheld"}


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
            "dispute_status": "none",
            "dispute_round": 0,
            "dispute_recipient": None,
            "metadata_status": "pending",
            "title": None,
            "description": None,
            "tags": None,
            "media_cid": None,
            "media_type": None,
            "metadata_json": None,
            "media_status": "pending",
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
            "default_royalty_bps": 500,
            "base_uri": None,
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
        },
    )


def license_transfer(ov: Overlay, log: DecodedLog) -> None:
    if log.args["from"] == ZERO:
        return  # a mint: LicensePurchased, emitted right after, creates the row
    ov.require("licenses", log.args["tokenId"])["holder"] = log.args["to"]


def license_used(ov: Overlay, log: DecodedLog) -> None:
    ov.require("licenses", log.args["licenseId"])["used_for_derivative"] = log.args["derivativeId"]


# ─────────────────────────────── lineage ───────────────────────────────


def derivative_registered(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    child = a["assetId"]
    ov.require("assets", child).update(
        is_derivative=True, royalty_stack_bps=a["royaltyStackBps"], depth=a["depth"]
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
    held = ov.get("held", a["assetId"], a["currency"]) or ov.put(
        "held", {"asset_id": a["assetId"], "currency": a["currency"], "amount": 0}
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
    ov.require("held", a["assetId"], a["currency"])["amount"] -= a["amount"]


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


def royalty_sink_deployed(ov: Overlay, log: DecodedLog) -> None:
    ov.require("assets", log.args["assetId"])["royalty_sink"] = log.args["sink"]


# ─────────────────────────────── disputes & roles ───────────────────────────────


def dispute_raised(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    asset = ov.require("assets", a["assetId"])
    asset["dispute_round"] += 1
    asset["dispute_status"] = "open"
    ov.put(
        "disputes",
        {
            "asset_id": a["assetId"],
            "round": asset["dispute_round"],
            "status": "open",
            "arbiter": a["arbiter"],
            "evidence_hash": a["evidenceHash"],
            "raised_block": log.block_number,
            "resolved_by": None,
            "recipient": None,
            "resolution_hash": None,
            "resolved_block": None,
        },
    )


def dispute_resolved(ov: Overlay, log: DecodedLog) -> None:
    a = log.args
    asset = ov.require("assets", a["assetId"])
    status = "upheld" if a["upheld"] else "cleared"
    recipient = a["recipient"] if a["upheld"] else None
    asset.update(dispute_status=status, dispute_recipient=recipient)
    ov.require("disputes", a["assetId"], asset["dispute_round"]).update(
        status=status,
        resolved_by=a["arbiter"],
        recipient=recipient,
        resolution_hash=a["resolutionHash"],
        resolved_block=log.block_number,
    )


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
    """Events kept only as raw rows (approvals, admin-transfer scheduling)."""


HANDLERS: dict[str, Handler] = {
    "GenIPRegistry.WorkRegistered": work_registered,
    "GenIPRegistry.Transfer": certificate_transfer,
    "GenIPRegistry.PromptCheckAttested": prompt_check_attested,
    "GenIPRegistry.HubSet": hub_set,
    "GenIPRegistry.RoyaltyRateSet": royalty_rate_set,
    "GenIPRegistry.BaseURISet": base_uri_set,
    "GenIPRegistry.RoleGranted": role_granted,
    "GenIPRegistry.RoleRevoked": role_revoked,
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
    "LicensingHub.DisputeRaised": dispute_raised,
    "LicensingHub.DisputeResolved": dispute_resolved,
    "LicensingHub.PlatformFeeSet": platform_fee_set,
    "LicensingHub.RoyaltySinkDeployed": royalty_sink_deployed,
    "LicensingHub.RoleGranted": role_granted,
    "LicensingHub.RoleRevoked": role_revoked,
    "LicenseToken.Transfer": license_transfer,
    "LicenseToken.LicenseUsed": license_used,
}


#: Keys of the rows some logs' handlers read, from the logs' arguments (one comprehension per event kind).
_Keys = Callable[[list[dict[str, Any]]], list[tuple[Any, ...]]]


def _one(name: str) -> _Keys:
    return lambda args: [(a[name],) for a in args]


def _pair(first: str, second: str) -> _Keys:
    return lambda args: [(a[first], a[second]) for a in args]


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
    "LicensingHub.RevenueHeld": [("held", _pair("assetId", "currency"))],
    "LicensingHub.HeldReleased": [("held", _pair("assetId", "currency"))],
    "LicensingHub.Withdrawn": [("balances", _pair("account", "currency"))],
    "LicensingHub.DisputeRaised": [("assets", _one("assetId"))],
    "LicensingHub.DisputeResolved": [("assets", _one("assetId"))],
    "LicensingHub.RoyaltySinkDeployed": [("assets", _one("assetId"))],
    "LicenseToken.Transfer": [("licenses", _minted_or("tokenId"))],
    "LicenseToken.LicenseUsed": [("licenses", _one("licenseId"))],
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
