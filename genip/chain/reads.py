"""Read the state of assets, offers, licences and disputes from the chain: the contracts' views, plus
`eth_getLogs` of the registry, hub and court filtered by indexed ids for what no view returns (a work's hashes
and metadata CID, an asset's offers, parents and disputes, an account's licences, a dispute's answer and
ruling).

An asset's standing comes from the hub (`standingOf`: clear, disputed, upheld or tainted, with the dispute
that caused it); a dispute's state from the court (`dispute(id)`) and its events (answered, resolved,
reversed).

Unknown ids raise `UnknownAssetError`, `UnknownOfferError`, `UnknownLicenseError` or `UnknownDisputeError`
(all `NotFoundError`), so callers never see a bare revert. Logs are read from the deployment's `deploy_block`.
"""

from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from genip.chain.client import GenIPClient
from genip.chain.tx import ZERO_ADDRESS
from genip.chain.types import CheckOutcome, DisputeStatus, Standing, WorkKind
from genip.errors import NotFoundError, UnknownAssetError

__all__ = [
    "AssetInfo",
    "DisputeInfo",
    "HeldFunds",
    "LicenseInfo",
    "NotFoundError",
    "OfferInfo",
    "ParentInfo",
    "UnknownAssetError",
    "UnknownDisputeError",
    "UnknownLicenseError",
    "UnknownOfferError",
    "asset_info",
    "check_asset",
    "dispute_info",
    "disputes_of",
    "held_of",
    "license_info",
    "licenses_held",
    "offer_info",
    "offers_of",
    "parents_of",
]


class UnknownOfferError(NotFoundError):
    """No offer has this id."""

    def __init__(self, offer_id: int) -> None:
        super().__init__(f"unknown offer {offer_id}: no offer with this id on this deployment")
        self.offer_id = offer_id


class UnknownLicenseError(NotFoundError):
    """No licence has this id."""

    def __init__(self, license_id: int) -> None:
        super().__init__(f"unknown licence {license_id}: no licence with this id on this deployment")
        self.license_id = license_id


class UnknownDisputeError(NotFoundError):
    """No dispute has this id."""

    def __init__(self, dispute_id: int) -> None:
        super().__init__(f"unknown dispute {dispute_id}: no dispute with this id on this deployment")
        self.dispute_id = dispute_id


@dataclass(frozen=True, slots=True)
class AssetInfo:
    """A certificate as the chain knows it: its registration event plus current views."""

    asset_id: int
    owner: str
    creator: str
    kind: WorkKind
    content_hash: bytes
    perceptual_hash: bytes
    prompt_commitment: bytes
    metadata_cid: str
    registered_block: int
    prompt_check: CheckOutcome
    standing: Standing
    dispute_id: int  # the dispute behind a standing other than clear (0 when clear)
    expires_at: int  # a derivative's inherited licence expiry (0 = never)
    royalty_stack_bps: int


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """An offer's current state (`ILicensingHub.Offer`) plus its terms' enforced flags."""

    offer_id: int
    asset_id: int
    seller: str  # the owner who published it; it lapses once the certificate has another owner
    terms_id: int
    duration: int
    supply_cap: int
    sold: int
    paused: bool
    currency: str
    price: int
    commercial_use: bool
    derivatives_allowed: bool
    transferable: bool
    rev_share_bps: int


@dataclass(frozen=True, slots=True)
class ParentInfo:
    """A parent of a derivative: the parent asset, the licence used and the parent's direct share."""

    asset_id: int
    license_id: int
    share_bps: int


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    """A licence token (`ILicenseToken.License`) and its holder."""

    license_id: int
    holder: str
    asset_id: int
    offer_id: int
    expires_at: int
    rev_share_bps: int
    commercial_use: bool
    derivatives_allowed: bool
    transferable: bool
    used_for_derivative: bool


@dataclass(frozen=True, slots=True)
class DisputeInfo:
    """A claim in the court: its state (`IDisputeCourt.Dispute`) plus what its events add (the answer, the
    ruling, a reversal). Times are Unix seconds; `status` is "open", "cleared", "upheld" or "reversed"."""

    dispute_id: int
    asset_id: int
    claimant: str
    claimant_asset_id: int
    evidence_hash: bytes
    bond_currency: str
    bond: int
    raised_block: int
    answer_deadline: int
    answered: bool
    answer_hash: bytes | None
    final_at: int
    status: str
    ruling_final: bool
    settled: bool
    resolution_hash: bytes | None
    arbiter: str | None


@dataclass(frozen=True, slots=True)
class HeldFunds:
    """Revenue an asset holds under one dispute, in one currency."""

    asset_id: int
    dispute_id: int
    currency: str
    amount: int


def _logs(client: GenIPClient, contract: Contract, event: str, **filters: Any) -> list[Any]:
    """Logs of `event` since the deployment block, filtered by indexed arguments."""
    handle = getattr(contract.events, event)()
    return list(handle.get_logs(argument_filters=filters, from_block=client.deployment.deploy_block))


def check_asset(client: GenIPClient, asset_id: int) -> None:
    """Raise `UnknownAssetError` unless `asset_id` is a minted certificate (ids run 1..totalAssets)."""
    if not 1 <= asset_id <= int(client.registry.functions.totalAssets().call()):
        raise UnknownAssetError(asset_id)


def asset_info(client: GenIPClient, asset_id: int) -> AssetInfo:
    """Everything the chain says about `asset_id` (`UnknownAssetError` if there is none)."""
    check_asset(client, asset_id)
    logs = _logs(client, client.registry, "WorkRegistered", assetId=asset_id)
    if not logs:
        raise UnknownAssetError(asset_id)
    args = logs[0]["args"]
    registry, hub = client.registry.functions, client.hub.functions
    standing, dispute_id = hub.standingOf(asset_id).call()
    return AssetInfo(
        asset_id=asset_id,
        owner=str(registry.ownerOf(asset_id).call()),
        creator=str(args["creator"]),
        kind=WorkKind(int(args["kind"])),
        content_hash=bytes(args["contentHash"]),
        perceptual_hash=bytes(args["perceptualHash"]),
        prompt_commitment=bytes(args["promptCommitment"]),
        metadata_cid=str(args["metadataCid"]),
        registered_block=int(logs[0]["blockNumber"]),
        prompt_check=CheckOutcome(int(registry.promptCheck(asset_id).call())),
        standing=Standing(int(standing)),
        dispute_id=int(dispute_id),
        expires_at=int(hub.expiryOf(asset_id).call()),
        royalty_stack_bps=int(hub.royaltyStack(asset_id).call()),
    )


def offer_info(client: GenIPClient, offer_id: int) -> OfferInfo:
    """Offer `offer_id` now (`UnknownOfferError` if there is none)."""
    if not 1 <= offer_id <= int(client.hub.functions.totalOffers().call()):
        raise UnknownOfferError(offer_id)
    # (seller, assetId, duration, currency, price, termsId, supplyCap, sold, paused)
    seller, asset_id, duration, currency, price, terms_id, supply_cap, sold, paused = (
        client.hub.functions.offer(offer_id).call()
    )
    commercial, derivatives, transferable, share = client.hub.functions.termsFlags(int(terms_id)).call()
    return OfferInfo(
        offer_id=offer_id,
        asset_id=int(asset_id),
        seller=Web3.to_checksum_address(seller),
        terms_id=int(terms_id),
        duration=int(duration),
        supply_cap=int(supply_cap),
        sold=int(sold),
        paused=bool(paused),
        currency=Web3.to_checksum_address(currency),
        price=int(price),
        commercial_use=bool(commercial),
        derivatives_allowed=bool(derivatives),
        transferable=bool(transferable),
        rev_share_bps=int(share),
    )


def offers_of(client: GenIPClient, asset_id: int) -> list[OfferInfo]:
    """Every offer ever published on `asset_id`, in id order, in its current state."""
    logs = _logs(client, client.hub, "OfferCreated", assetId=asset_id)
    return [offer_info(client, int(log["args"]["offerId"])) for log in logs]


def parents_of(client: GenIPClient, asset_id: int) -> list[ParentInfo]:
    """The parents `asset_id` was registered as a derivative of (empty for an original work)."""
    logs = _logs(client, client.hub, "DerivativeRegistered", assetId=asset_id)
    if not logs:
        return []
    args = logs[0]["args"]
    return [
        ParentInfo(int(p), int(lic), int(s))
        for p, lic, s in zip(args["parentIds"], args["licenseIds"], args["parentShareBps"], strict=True)
    ]


def _holder(client: GenIPClient, license_id: int) -> str:
    """The licence's holder; the zero address once it was renounced (burned)."""
    try:
        return str(client.license_token.functions.ownerOf(license_id).call())
    except ContractLogicError:  # ERC721NonexistentToken: burned by `renounce`
        return ZERO_ADDRESS


def license_info(client: GenIPClient, license_id: int) -> LicenseInfo:
    """Licence `license_id` and its holder (`UnknownLicenseError` if there is none). A renounced licence is
    burned with its data: it comes back from its `LicensePurchased` event, held by the zero address."""
    token = client.license_token.functions
    if not 1 <= license_id <= int(token.totalLicenses().call()):
        raise UnknownLicenseError(license_id)
    try:
        lic = token.licenseOf(license_id).call()
    except ContractLogicError:
        return _renounced(client, license_id)
    return LicenseInfo(
        license_id=license_id,
        holder=_holder(client, license_id),
        asset_id=int(lic[0]),
        offer_id=int(lic[1]),
        expires_at=int(lic[2]),
        rev_share_bps=int(lic[3]),
        commercial_use=bool(lic[4]),
        derivatives_allowed=bool(lic[5]),
        transferable=bool(lic[6]),
        used_for_derivative=bool(lic[7]),
    )


def _renounced(client: GenIPClient, license_id: int) -> LicenseInfo:
    logs = _logs(client, client.hub, "LicensePurchased", licenseId=license_id)
    if not logs:
        raise UnknownLicenseError(license_id)
    args = logs[0]["args"]
    flags = client.hub.functions.termsFlags(
        int(client.hub.functions.offer(int(args["offerId"])).call()[5])
    ).call()
    return LicenseInfo(
        license_id=license_id,
        holder=ZERO_ADDRESS,
        asset_id=int(args["assetId"]),
        offer_id=int(args["offerId"]),
        expires_at=int(args["expiresAt"]),
        rev_share_bps=int(flags[3]),
        commercial_use=bool(flags[0]),
        derivatives_allowed=bool(flags[1]),
        transferable=bool(flags[2]),
        used_for_derivative=False,
    )


def licenses_held(client: GenIPClient, account: str) -> list[LicenseInfo]:
    """Licences `account` holds now: every licence token ever transferred to it that it still owns."""
    holder = Web3.to_checksum_address(account)
    logs = _logs(client, client.license_token, "Transfer", to=holder)
    ids = sorted({int(log["args"]["tokenId"]) for log in logs})
    held = (license_info(client, i) for i in ids)
    return [lic for lic in held if lic.holder == holder]


def _first(client: GenIPClient, event: str, dispute_id: int) -> Any | None:
    logs = _logs(client, client.court, event, disputeId=dispute_id)
    return logs[-1] if logs else None


def dispute_info(client: GenIPClient, dispute_id: int) -> DisputeInfo:
    """Dispute `dispute_id` now (`UnknownDisputeError` if there is none)."""
    court = client.court.functions
    if not 1 <= dispute_id <= int(court.totalDisputes().call()):
        raise UnknownDisputeError(dispute_id)
    (
        asset_id,
        claimant_asset_id,
        answer_deadline,
        final_at,
        status,
        answered,
        settled,
        claimant,
        bond_currency,
        bond,
        evidence_hash,
    ) = court.dispute(dispute_id).call()
    _status, final, _claimant = court.outcome(dispute_id).call()
    raised = _first(client, "DisputeRaised", dispute_id)
    answer = _first(client, "DisputeAnswered", dispute_id) if answered else None
    resolved = _first(client, "DisputeResolved", dispute_id)
    reversed_ = _first(client, "DisputeReversed", dispute_id)
    word = "reversed" if reversed_ is not None else DisputeStatus(int(status)).name.lower()
    return DisputeInfo(
        dispute_id=dispute_id,
        asset_id=int(asset_id),
        claimant=Web3.to_checksum_address(claimant),
        claimant_asset_id=int(claimant_asset_id),
        evidence_hash=bytes(evidence_hash),
        bond_currency=Web3.to_checksum_address(bond_currency),
        bond=int(bond),
        raised_block=int(raised["blockNumber"]) if raised is not None else 0,
        answer_deadline=int(answer_deadline),
        answered=bool(answered),
        answer_hash=bytes(answer["args"]["answerHash"]) if answer is not None else None,
        final_at=int(final_at),
        status=word,
        ruling_final=bool(final) and int(status) in (DisputeStatus.CLEARED, DisputeStatus.UPHELD),
        settled=bool(settled),
        resolution_hash=bytes(resolved["args"]["resolutionHash"]) if resolved is not None else None,
        arbiter=str(resolved["args"]["arbiter"]) if resolved is not None else None,
    )


def disputes_of(client: GenIPClient, asset_id: int) -> list[DisputeInfo]:
    """Every dispute ever raised against `asset_id`, oldest first, in its current state."""
    logs = _logs(client, client.court, "DisputeRaised", assetId=asset_id)
    return [dispute_info(client, int(log["args"]["disputeId"])) for log in logs]


def held_of(client: GenIPClient, asset_id: int, dispute_id: int) -> list[HeldFunds]:
    """What `asset_id` still holds under `dispute_id`, per currency that was ever held (amounts may be 0 once
    released)."""
    logs = _logs(client, client.hub, "RevenueHeld", assetId=asset_id, disputeId=dispute_id)
    currencies = sorted({Web3.to_checksum_address(log["args"]["currency"]) for log in logs})
    hub = client.hub.functions
    return [
        HeldFunds(asset_id, dispute_id, c, int(hub.heldOf(asset_id, dispute_id, c).call()))
        for c in currencies
    ]
