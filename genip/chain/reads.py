"""Read the state of assets, offers and licences from the chain: the contracts' views, plus `eth_getLogs`
of the registry and hub filtered by indexed ids for what no view returns (a work's hashes and metadata CID,
an asset's offers and parents, an account's licences).

Unknown ids raise `UnknownAssetError`, `UnknownOfferError` or `UnknownLicenseError` (all `NotFoundError`),
so callers never see a bare revert. Logs are read from the deployment's `deploy_block`.
"""

from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.contract import Contract

from genip.chain.client import GenIPClient
from genip.chain.types import CheckOutcome, DisputeStatus, LicenseUse, WorkKind
from genip.errors import GenIPError

__all__ = [
    "AssetInfo",
    "LicenseInfo",
    "LicenseState",
    "NotFoundError",
    "OfferInfo",
    "ParentInfo",
    "UnknownAssetError",
    "UnknownLicenseError",
    "UnknownOfferError",
    "asset_info",
    "check_asset",
    "license_info",
    "license_status",
    "licenses_held",
    "offer_info",
    "offers_of",
    "parents_of",
]


class NotFoundError(GenIPError):
    """An asset, offer or licence id does not exist on this deployment."""


class UnknownAssetError(NotFoundError):
    """No certificate has this asset id."""

    def __init__(self, asset_id: int) -> None:
        super().__init__(f"unknown asset {asset_id}: no certificate with this id on this deployment")
        self.asset_id = asset_id


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
    dispute: DisputeStatus
    royalty_stack_bps: int


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """An offer's current state (`ILicensingHub.Offer`) plus its terms' enforced flags."""

    offer_id: int
    asset_id: int
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
class LicenseState:
    """`LicensingHub.licenseStatus`: whether an account may use an asset now, under which licence."""

    asset_id: int
    account: str
    use: LicenseUse
    licensed: bool
    license_id: int
    expires_at: int
    block: int


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
    dispute, _recipient = hub.disputeOf(asset_id).call()
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
        dispute=DisputeStatus(int(dispute)),
        royalty_stack_bps=int(hub.royaltyStack(asset_id).call()),
    )


def offer_info(client: GenIPClient, offer_id: int) -> OfferInfo:
    """Offer `offer_id` now (`UnknownOfferError` if there is none)."""
    if not 1 <= offer_id <= int(client.hub.functions.totalOffers().call()):
        raise UnknownOfferError(offer_id)
    o = client.hub.functions.offer(offer_id).call()
    commercial, derivatives, transferable, share = client.hub.functions.termsFlags(int(o[1])).call()
    return OfferInfo(
        offer_id=offer_id,
        asset_id=int(o[0]),
        terms_id=int(o[1]),
        duration=int(o[2]),
        supply_cap=int(o[3]),
        sold=int(o[4]),
        paused=bool(o[5]),
        currency=Web3.to_checksum_address(o[6]),
        price=int(o[7]),
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


def license_info(client: GenIPClient, license_id: int) -> LicenseInfo:
    """Licence `license_id` and its holder (`UnknownLicenseError` if there is none)."""
    token = client.license_token.functions
    if not 1 <= license_id <= int(token.totalLicenses().call()):
        raise UnknownLicenseError(license_id)
    lic = token.licenseOf(license_id).call()
    return LicenseInfo(
        license_id=license_id,
        holder=str(token.ownerOf(license_id).call()),
        asset_id=int(lic[0]),
        offer_id=int(lic[1]),
        expires_at=int(lic[2]),
        rev_share_bps=int(lic[3]),
        commercial_use=bool(lic[4]),
        derivatives_allowed=bool(lic[5]),
        transferable=bool(lic[6]),
        used_for_derivative=bool(lic[7]),
    )


def licenses_held(client: GenIPClient, account: str) -> list[LicenseInfo]:
    """Licences `account` holds now: every licence token ever transferred to it that it still owns."""
    holder = Web3.to_checksum_address(account)
    logs = _logs(client, client.license_token, "Transfer", to=holder)
    ids = sorted({int(log["args"]["tokenId"]) for log in logs})
    held = (license_info(client, i) for i in ids)
    return [lic for lic in held if lic.holder == holder]


def license_status(client: GenIPClient, asset_id: int, account: str, use: LicenseUse) -> LicenseState:
    """`licenseStatus(asset, account, use)` at the latest block (`UnknownAssetError` for unknown assets)."""
    check_asset(client, asset_id)
    block = int(client.w3.eth.block_number)
    address = Web3.to_checksum_address(account)
    licensed, license_id, expires = client.hub.functions.licenseStatus(asset_id, address, int(use)).call(
        block_identifier=block
    )
    return LicenseState(asset_id, address, use, bool(licensed), int(license_id), int(expires), block)
