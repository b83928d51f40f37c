"""One function per on-chain action of the Gen-IP story, each sending one transaction.

Every function signs with the given account, waits for success (`TransactionFailedError` otherwise) and
returns an `Outcome`: the id the action produced (asset, offer, licence, amount withdrawn) and the receipt.
"""

from typing import Any, NamedTuple

from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from genip.chain.client import GenIPClient, contract_at
from genip.chain.tx import ZERO_ADDRESS, send
from genip.chain.types import LicenseTerms, Work
from genip.errors import ChainError

__all__ = [
    "Outcome",
    "approve_hub",
    "buy_license",
    "create_offer",
    "pay_revenue",
    "register",
    "register_derivative",
    "register_for",
    "set_offer_paused",
    "withdraw",
]


class Outcome(NamedTuple):
    """What an action produced (`value`: an id or an amount) and its transaction receipt."""

    value: int
    receipt: TxReceipt


def _event_arg(contract: Contract, event: str, receipt: TxReceipt, arg: str) -> int:
    """Argument `arg` of the first `event` emitted by `contract` in `receipt`."""
    for log in getattr(contract.events, event)().process_receipt(receipt, errors=DISCARD):
        value: Any = log["args"][arg]
        return int(value)
    raise ChainError(f"transaction {receipt['transactionHash'].hex()} emitted no {event}")


def register(client: GenIPClient, creator: LocalAccount, work: Work) -> Outcome:
    """Register `work` from `creator`; the value is the new asset id."""
    receipt = send(client.w3, creator, client.registry.functions.register(work.as_tuple()), action="register")
    return Outcome(_event_arg(client.registry, "WorkRegistered", receipt, "assetId"), receipt)


def register_for(
    client: GenIPClient,
    sender: LocalAccount,
    *,
    creator: str,
    work: Work,
    nonce: int,
    deadline: int,
    signature: bytes,
) -> Outcome:
    """Register `work` for `creator` with their EIP-712 `signature`, paid by `sender`."""
    call = client.registry.functions.registerFor(creator, work.as_tuple(), nonce, deadline, signature)
    receipt = send(client.w3, sender, call, action="registerFor")
    return Outcome(_event_arg(client.registry, "WorkRegistered", receipt, "assetId"), receipt)


def create_offer(
    client: GenIPClient,
    owner: LocalAccount,
    asset_id: int,
    terms: LicenseTerms,
    *,
    price: int,
    currency: str = ZERO_ADDRESS,
    duration: int = 0,
    supply_cap: int = 0,
) -> Outcome:
    """Publish an offer on `asset_id`; the value is the offer id."""
    call = client.hub.functions.createOffer(asset_id, terms.as_tuple(), currency, price, duration, supply_cap)
    receipt = send(client.w3, owner, call, action="createOffer")
    return Outcome(_event_arg(client.hub, "OfferCreated", receipt, "offerId"), receipt)


def set_offer_paused(client: GenIPClient, owner: LocalAccount, offer_id: int, paused: bool) -> TxReceipt:
    """Pause (`paused=True`) or resume offer `offer_id` of an asset `owner` owns."""
    call = client.hub.functions.setOfferPaused(offer_id, paused)
    return send(client.w3, owner, call, action="pauseOffer" if paused else "resumeOffer")


def approve_hub(client: GenIPClient, owner: LocalAccount, token: str, amount: int) -> TxReceipt:
    """Let the hub take up to `amount` of ERC-20 `token` from `owner`."""
    erc20 = contract_at(client.w3, "DemoToken", token)
    call = erc20.functions.approve(client.hub.address, amount)
    return send(client.w3, owner, call, action="approve")


def buy_license(
    client: GenIPClient, buyer: LocalAccount, offer_id: int, *, holder: str | None = None
) -> Outcome:
    """Buy a licence under `offer_id` for `holder` (default the buyer); native offers send the price as
    value, ERC-20 offers need `approve_hub` first. The value is the licence id."""
    offer = client.hub.functions.offer(offer_id).call()
    currency, price = offer[6], offer[7]
    value = price if int(currency, 16) == 0 else 0
    call = client.hub.functions.buyLicense(offer_id, holder or buyer.address)
    receipt = send(client.w3, buyer, call, value=value, action="buyLicense")
    return Outcome(_event_arg(client.hub, "LicensePurchased", receipt, "licenseId"), receipt)


def register_derivative(
    client: GenIPClient, creator: LocalAccount, license_ids: list[int], work: Work
) -> Outcome:
    """Register `work` as a derivative under `license_ids` (one per parent); the value is its asset id."""
    call = client.hub.functions.registerDerivative(license_ids, work.as_tuple())
    receipt = send(client.w3, creator, call, action="registerDerivative")
    return Outcome(_event_arg(client.hub, "DerivativeRegistered", receipt, "assetId"), receipt)


def pay_revenue(
    client: GenIPClient, payer: LocalAccount, asset_id: int, amount: int, *, currency: str = ZERO_ADDRESS
) -> Outcome:
    """Pay `amount` of `currency` to `asset_id` (ERC-20 needs `approve_hub`); the value is the fee taken."""
    value = amount if int(currency, 16) == 0 else 0
    call = client.hub.functions.payRevenue(asset_id, currency, amount)
    receipt = send(client.w3, payer, call, value=value, action="payRevenue")
    return Outcome(_event_arg(client.hub, "RevenuePaid", receipt, "fee"), receipt)


def withdraw(client: GenIPClient, account: LocalAccount, *, currency: str = ZERO_ADDRESS) -> Outcome:
    """Withdraw `account`'s whole balance of `currency`; the value is the amount sent."""
    receipt = send(client.w3, account, client.hub.functions.withdraw(currency), action="withdraw")
    return Outcome(_event_arg(client.hub, "Withdrawn", receipt, "amount"), receipt)
