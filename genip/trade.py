"""Buying licences and paying revenue with the checks a person needs before money moves: the offer belongs
to the asset, was published by its current owner (offers lapse when a certificate changes hands) and is
open, the buyer can pay (`InsufficientFundsError` names what is missing), and ERC-20
payments are approved to the hub first (only when the allowance is short)."""

from eth_account.signers.local import LocalAccount
from web3 import Web3

from genip.chain import actions
from genip.chain.actions import Outcome
from genip.chain.client import GenIPClient, contract_at
from genip.chain.reads import OfferInfo, check_asset, offer_info
from genip.errors import GenIPError
from genip.money import Currency, currency_at, format_amount

__all__ = ["InsufficientFundsError", "OfferClosedError", "buy", "ensure_allowance", "pay"]


class InsufficientFundsError(GenIPError):
    """The account holds less than the payment needs."""


class OfferClosedError(GenIPError):
    """The offer is paused or sold out, or does not belong to the asset named."""


def _balance(client: GenIPClient, account: str, currency: str) -> int:
    if int(currency, 16) == 0:
        return int(client.w3.eth.get_balance(Web3.to_checksum_address(account)))
    return int(contract_at(client.w3, "DemoToken", currency).functions.balanceOf(account).call())


def _require(client: GenIPClient, account: LocalAccount, currency: Currency, amount: int) -> None:
    have = _balance(client, account.address, currency.address)
    if have < amount:
        raise InsufficientFundsError(
            f"insufficient funds: {account.address} holds {format_amount(have, currency.decimals)} "
            f"{currency.symbol}, needs {format_amount(amount, currency.decimals)} {currency.symbol}"
        )


def ensure_allowance(client: GenIPClient, account: LocalAccount, token: str, amount: int) -> bool:
    """Approve the hub for `amount` of ERC-20 `token` unless already allowed; whether a tx was sent."""
    erc20 = contract_at(client.w3, "DemoToken", token)
    if int(erc20.functions.allowance(account.address, client.hub.address).call()) >= amount:
        return False
    actions.approve_hub(client, account, token, amount)
    return True


def buy(
    client: GenIPClient,
    buyer: LocalAccount,
    asset_id: int,
    offer_id: int,
    *,
    referrer: str | None = None,
) -> tuple[Outcome, OfferInfo, Currency]:
    """Buy a licence on `asset_id` under `offer_id` for the buyer, through platform `referrer` if given;
    returns the licence outcome."""
    check_asset(client, asset_id)
    offer = offer_info(client, offer_id)
    if offer.asset_id != asset_id:
        raise OfferClosedError(f"offer {offer_id} is for asset {offer.asset_id}, not asset {asset_id}")
    owner = str(client.registry.functions.ownerOf(asset_id).call())
    if owner.lower() != offer.seller.lower():
        raise OfferClosedError(
            f"offer {offer_id} lapsed: {offer.seller} published it, "
            f"but asset {asset_id} now belongs to {owner}"
        )
    if offer.paused:
        raise OfferClosedError(f"offer {offer_id} is paused")
    if offer.supply_cap and offer.sold >= offer.supply_cap:
        raise OfferClosedError(f"offer {offer_id} is sold out ({offer.sold} of {offer.supply_cap})")
    currency = currency_at(client, offer.currency)
    _require(client, buyer, currency, offer.price)
    if not currency.is_native and offer.price:
        ensure_allowance(client, buyer, currency.address, offer.price)
    return actions.buy_license(client, buyer, offer_id, referrer=referrer), offer, currency


def pay(client: GenIPClient, payer: LocalAccount, asset_id: int, amount: int, currency: Currency) -> Outcome:
    """Pay `amount` of `currency` to `asset_id` as revenue; the outcome's value is the platform fee."""
    check_asset(client, asset_id)
    if amount <= 0:
        raise GenIPError("the amount must be more than 0")
    _require(client, payer, currency, amount)
    if not currency.is_native:
        ensure_allowance(client, payer, currency.address, amount)
    return actions.pay_revenue(client, payer, asset_id, amount, currency=currency.address)
