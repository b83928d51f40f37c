"""`genip pay`, `genip balance` and `genip withdraw`: revenue in, balances, pull payments out."""

from typing import TYPE_CHECKING, Annotated

import typer

from cli.context import AccountOption, JsonOption, open_client, resolve_address, settings_of, signer
from cli.output import emit, table

if TYPE_CHECKING:
    from genip.money import Currency

__all__ = ["balance", "pay", "withdraw"]

CurrencyOption = Annotated[str, typer.Option("--currency", help="ETH, demo, or an ERC-20 address.")]


def pay(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id to pay revenue to.")],
    amount: Annotated[str, typer.Argument(help="Decimal amount, e.g. 1.5.")],
    currency: CurrencyOption = "ETH",
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pay revenue to an asset; it is split between the platform fee, ancestors and the owner."""
    from genip import trade
    from genip.money import format_amount, resolve_currency, to_base_units

    settings = settings_of(ctx)
    client = open_client(settings)
    coin = resolve_currency(client, currency)
    units = to_base_units(amount, coin.decimals)
    outcome = trade.pay(client, signer(settings, account), asset, units, coin)
    data = {
        "asset_id": asset,
        "amount": str(units),
        "amount_display": f"{format_amount(units, coin.decimals)} {coin.symbol}",
        "currency": coin.address,
        "fee": str(outcome.value),
        "tx_hash": outcome.receipt["transactionHash"].to_0x_hex(),
    }
    emit(data, as_json=as_json, title=f"Paid asset {asset}")


def balance(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option("--account", envvar="GENIP_ACCOUNT", help="Address (default: yours).")
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="Only this currency.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Withdrawable balances in the hub (ETH, the demo token, or --currency)."""
    from genip.money import NATIVE, format_amount, resolve_currency

    settings = settings_of(ctx)
    holder = resolve_address(settings, account)
    client = open_client(settings)
    coins: list[Currency] = [resolve_currency(client, currency)] if currency else [NATIVE]
    if currency is None and client.deployment.demo_token:
        coins.append(resolve_currency(client, "demo"))
    rows = []
    for coin in coins:
        units = int(client.hub.functions.balanceOf(holder, coin.address).call())
        rows.append(
            {
                "currency": coin.address,
                "symbol": coin.symbol,
                "decimals": coin.decimals,
                "balance": str(units),
                "balance_display": format_amount(units, coin.decimals),
            }
        )
    shown = [(r["symbol"], r["balance_display"], r["balance"], r["currency"]) for r in rows]
    emit(
        {"account": holder, "balances": rows},
        as_json=as_json,
        title=f"Withdrawable balance of {holder}",
        skip=("balances",),
        extra=[table("", ["currency", "amount", "base units", "address"], shown)],
    )


def withdraw(
    ctx: typer.Context,
    currency: CurrencyOption = "ETH",
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw your whole balance of a currency from the hub."""
    from genip.chain import actions
    from genip.money import format_amount, resolve_currency

    settings = settings_of(ctx)
    client = open_client(settings)
    coin = resolve_currency(client, currency)
    sender = signer(settings, account)
    outcome = actions.withdraw(client, sender, currency=coin.address)
    data = {
        "account": sender.address,
        "currency": coin.address,
        "amount": str(outcome.value),
        "amount_display": f"{format_amount(outcome.value, coin.decimals)} {coin.symbol}",
        "tx_hash": outcome.receipt["transactionHash"].to_0x_hex(),
    }
    emit(data, as_json=as_json, title="Withdrawn")
