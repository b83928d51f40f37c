"""Custom errors of the Gen-IP contracts in words, for people: `ResponseWindowOpen(disputeId=1,
answerDeadline=1796652000, timestamp=…)` becomes "the owner can still answer dispute 1 until 2026-12-09 14:00
UTC; it can be ruled on after that".

`explain(name, args)` returns `None` for errors it has no words for; the caller then shows the decoded error
as it is (`Name(arg=value, …)`), which still names every value. Times are shown in UTC to the minute, never as
epoch numbers; roles by their names; `WrongDisputeStatus`'s and `AssetNotClear`'s enum values by their words.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from eth_hash.auto import keccak

from genip.chain.types import DisputeStatus, Standing

__all__ = ["explain", "format_time", "role_name"]

_ROLES = {bytes(32): "admin"} | {
    bytes(keccak(name.encode())): name.removesuffix("_ROLE").lower()
    for name in ("ARBITER_ROLE", "CHECKER_ROLE", "REFERRER_ROLE")
}


def format_time(timestamp: int) -> str:
    """A Unix time as `2026-12-09 14:00 UTC`."""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M UTC")


def role_name(role: bytes) -> str:
    """`arbiter`, `checker`, `referrer`, `admin`, or the role's hex."""
    return _ROLES.get(bytes(role), "0x" + bytes(role).hex())


def _currency(address: str) -> str:
    return "ETH" if int(str(address), 16) == 0 else str(address)


def _standing(value: int) -> str:
    try:
        return Standing(int(value)).name.lower()
    except ValueError:
        return str(value)


def _status(value: int) -> str:
    try:
        status = DisputeStatus(int(value))
    except ValueError:
        return str(value)
    return "unknown (never raised)" if status is DisputeStatus.NONE else status.name.lower()


_Words = Callable[[Mapping[str, Any]], str]

_WORDS: dict[str, _Words] = {
    # the court
    "ResponseWindowOpen": lambda a: (
        f"the owner can still answer dispute {a['disputeId']} until {format_time(a['answerDeadline'])}; "
        "it can be ruled on after that"
    ),
    "ResponseWindowClosed": lambda a: (
        f"the owner could answer dispute {a['disputeId']} only until {format_time(a['answerDeadline'])}"
    ),
    "AppealWindowClosed": lambda a: (
        f"the ruling on dispute {a['disputeId']} became final at {format_time(a['finalAt'])} "
        "and can no longer be reversed"
    ),
    "RulingNotFinal": lambda a: (
        f"the ruling on dispute {a['disputeId']} becomes final at {format_time(a['finalAt'])}; "
        "wait until then"
    ),
    "AlreadySettled": lambda a: f"dispute {a['disputeId']} is already settled",
    "UnknownDispute": lambda a: f"unknown dispute {a['disputeId']}: no dispute with this id",
    "WrongDisputeStatus": lambda a: (
        f"dispute {a['disputeId']} is {_status(a['status'])}, which does not allow this step"
    ),
    "AssetNotClear": lambda a: (
        f"asset {a['assetId']} is {_standing(a['standing'])}: no new claims, offers, licences or "
        "derivatives on it until it is clear"
    ),
    "InvalidClaimantAsset": lambda a: (
        f"asset {a['claimantAssetId']} cannot be the original asset {a['assetId']} copies "
        "(unknown, or the asset itself)"
    ),
    "BondCurrencyNotAccepted": lambda a: f"the court takes no bonds in {_currency(a['currency'])}",
    "WrongBond": lambda a: f"the bond is {a['expected']} wei, {a['sent']} were sent",
    "NotAnAncestor": lambda a: f"asset {a['ancestorId']} is not an ancestor of asset {a['assetId']}",
    "AncestorNotUpheld": lambda a: f"no claim against asset {a['ancestorId']} was upheld",
    "NotClearable": lambda a: f"asset {a['assetId']} is not tainted by a reversed ruling",
    "NotAssetOwner": lambda a: f"{a['caller']} does not own asset {a['assetId']} ({a['owner']} does)",
    "AccessControlUnauthorizedAccount": lambda a: (
        f"{a['account']} does not hold the {role_name(a['neededRole'])} role this needs"
    ),
    # money
    "NothingToWithdraw": lambda a: f"{a['account']} has nothing to withdraw in {_currency(a['currency'])}",
    "NothingHeld": lambda a: (
        f"asset {a['assetId']} holds nothing in {_currency(a['currency'])} under dispute {a['disputeId']}"
    ),
    "HeldUntilResolved": lambda a: (
        f"what asset {a['assetId']} holds under dispute {a['disputeId']} waits for the ruling "
        "(and, when upheld, for its appeal window to pass)"
    ),
    "WrongPayment": lambda a: f"the price is {a['expected']} wei, {a['sent']} were sent",
    # offers and licences
    "OfferLapsed": lambda a: (
        f"offer {a['offerId']} lapsed: {a['seller']} published it, but the certificate now belongs to "
        f"{a['owner']}"
    ),
    "OfferNotActive": lambda a: f"offer {a['offerId']} is paused",
    "PromptCheckFailed": lambda a: (
        f"asset {a['assetId']}'s prompt check failed: no new licences on it while the marketplace's "
        "failed-check policy is on (licences already sold keep working)"
    ),
    "AncestorCheckFailed": lambda a: (
        f"asset {a['assetId']} cannot pass its prompt check: the check of its ancestor "
        f"{a['ancestorId']} failed"
    ),
    "OfferSoldOut": lambda a: f"offer {a['offerId']} is sold out ({a['supplyCap']} sold)",
    "AssetExpired": lambda a: (
        f"asset {a['assetId']} expired at {format_time(a['expiresAt'])} (a parent licence it was made "
        "under ended)"
    ),
    "NotAReferrer": lambda a: f"{a['referrer']} is not a referrer platform (it lacks the referrer role)",
    "LicenseExpired": lambda a: f"licence {a['licenseId']} expired at {format_time(a['expiresAt'])}",
    "NotLicenseHolder": lambda a: (
        f"{a['caller']} does not hold licence {a['licenseId']} ({a['holder']} does)"
    ),
    "LicenseIdsExhausted": lambda a: f"every licence id up to {a['max']} is taken: no licence can be minted",
    "LicenseAlreadyUsed": lambda a: f"licence {a['licenseId']} was already used for a derivative",
    "DerivativesNotAllowed": lambda a: f"licence {a['licenseId']} does not allow derivatives",
    "LicenseNotTransferable": lambda a: f"licence {a['licenseId']} is not transferable",
    "ERC721NonexistentToken": lambda a: f"token {a['tokenId']} does not exist (never minted, or burned)",
    # registration
    "ContentAlreadyRegistered": lambda a: (
        f"this content is already certified as asset {a['existingAssetId']}"
    ),
    "UnknownCommitment": lambda a: "the registration was not committed first (unknown commitment)",
    "CommitmentTooNew": lambda a: (
        f"the registration was committed in block {a['committedBlock']}; reveal it in a later block"
    ),
    "CommitmentExpired": lambda a: (
        f"the registration commitment made at {format_time(a['committedAt'])} expired; commit again"
    ),
    "AlreadyCommitted": lambda a: f"this commitment was already made in block {a['committedBlock']}",
    "SignatureExpired": lambda a: f"the signature expired at {format_time(a['deadline'])}",
    "InvalidSignature": lambda a: f"the signature is not {a['creator']}'s",
    "NonceAlreadyUsed": lambda a: f"{a['creator']}'s signature nonce was already used or cancelled",
    "PlatformNotAuthorized": lambda a: (
        f"{a['platform']} holds no current authorisation from {a['creator']}"
        + (f" (it expired at {format_time(a['expiresAt'])})" if int(a["expiresAt"]) else "")
    ),
    "PlatformQuotaExhausted": lambda a: (
        f"{a['platform']} already registered every work {a['creator']} allowed it to"
    ),
    "SelfAuthorization": lambda a: f"{a['account']} cannot authorise itself",
}


def explain(name: str, args: Mapping[str, Any]) -> str | None:
    """Error `name` with its decoded `args` in words, or `None` when there are none for it."""
    words = _WORDS.get(name)
    if words is None:
        return None
    try:
        return words(args)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
