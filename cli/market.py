"""`genip offer`, `genip license buy|renounce|list|document|download` and `genip status`."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cli.context import AccountOption, JsonOption, open_client, resolve_address, settings_of, signer
from cli.download import download
from cli.licence_document import document
from cli.output import emit, table
from genip.chain.types import LicenseUse, Tier
from genip.errors import ConfigError, GenIPError

__all__ = ["license_app", "offer_app", "status"]


class _DefaultCreate(TyperGroup):
    """`genip offer ASSET …` means `genip offer create ASSET …`; `pause`/`resume` stay subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


offer_app = typer.Typer(
    cls=_DefaultCreate,
    no_args_is_help=True,
    help="Publish licence offers: `genip offer ASSET --tier … --price …`; `genip offer pause|resume OFFER`.",
)


def _when(timestamp: int) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat() if timestamp else None


@offer_app.command("create")
def create(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id you own.")],
    tier: Annotated[
        str,
        typer.Option(
            "--tier",
            help="standard (commercial use), extended (one derivative per licence) or generation (models, "
            "workflows and prompts: every work generated with it registers as a derivative).",
        ),
    ],
    price: Annotated[str, typer.Option("--price", help="Decimal price in the currency, e.g. 0.05.")],
    currency: Annotated[str, typer.Option("--currency", help="ETH, demo, or an ERC-20 address.")] = "ETH",
    duration: Annotated[
        str, typer.Option("--duration", help="Licence lifetime: 30d, 12h, 0 = perpetual.")
    ] = "0",
    supply: Annotated[int, typer.Option("--supply", min=0, help="Most licences sold; 0 = unlimited.")] = 0,
    rev_share: Annotated[
        str | None,
        typer.Option("--rev-share", help="Extended and generation: share of derivatives' revenue (10%)."),
    ] = None,
    terms: Annotated[Path | None, typer.Option("--terms", help="Your own terms document.")] = None,
    transferable: Annotated[
        bool, typer.Option("--transferable", help="Licences may be transferred.")
    ] = False,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Publish an offer on an asset you own; the terms document is stored so its ipfs:// URI resolves. A
    generation offer is refused on a work that is not a model, workflow or prompt (the contracts do not know
    a work's kind: `genip.terms.tier_refusal`)."""
    from genip.chain import actions
    from genip.chain.reads import asset_info
    from genip.money import format_amount, parse_duration, parse_share, resolve_currency, to_base_units
    from genip.storage import open_store
    from genip.terms import TermsDocument, template, terms_for, tier_refusal
    from genip.works import check_readable

    try:
        chosen = Tier[tier.strip().upper()]
    except KeyError:
        raise ConfigError(f"--tier {tier[:40]!r} is not standard, extended or generation") from None
    settings = settings_of(ctx)
    document = template(chosen)
    if terms is not None:
        check_readable(terms, "terms file")
        document = TermsDocument.from_bytes(terms.read_bytes())
    record = terms_for(
        chosen,
        rev_share_bps=None if rev_share is None else parse_share(rev_share),
        transferable=transferable,
        document=document,
    )
    seconds = parse_duration(duration)
    client = open_client(settings)
    refusal = tier_refusal(chosen, asset_info(client, asset).kind)  # also: UnknownAssetError
    if refusal is not None:
        raise ConfigError(f"asset {asset}: {refusal}")
    coin = resolve_currency(client, currency)
    amount = to_base_units(price, coin.decimals)
    owner = signer(settings, account)
    open_store(settings.data_dir, settings.ipfs_api).put(document.data)
    outcome = actions.create_offer(
        client, owner, asset, record, price=amount, currency=coin.address, duration=seconds, supply_cap=supply
    )
    data = {
        "offer_id": outcome.value,
        "asset_id": asset,
        "tier": chosen.name.lower(),
        "price": str(amount),
        "price_display": f"{format_amount(amount, coin.decimals)} {coin.symbol}",
        "currency": coin.address,
        "duration": seconds,
        "supply_cap": supply,
        "rev_share_bps": record.rev_share_bps,
        "terms_uri": record.document_uri,
        "terms_sha256": "0x" + record.document_hash.hex(),
        "tx_hash": outcome.receipt["transactionHash"].to_0x_hex(),
    }
    emit(data, as_json=as_json, title=f"Offer {outcome.value} on asset {asset}")


def _set_paused(ctx: typer.Context, offer: int, paused: bool, account: str | None, as_json: bool) -> None:
    from genip.chain import actions
    from genip.chain.reads import offer_info

    settings = settings_of(ctx)
    client = open_client(settings)
    info = offer_info(client, offer)
    receipt = actions.set_offer_paused(client, signer(settings, account), offer, paused)
    data = {
        "offer_id": offer,
        "asset_id": info.asset_id,
        "paused": paused,
        "tx_hash": receipt["transactionHash"].to_0x_hex(),
    }
    emit(data, as_json=as_json, title=f"Offer {offer} {'paused' if paused else 'resumed'}")


@offer_app.command("pause")
def pause(
    ctx: typer.Context,
    offer: Annotated[int, typer.Argument(help="Offer id.")],
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop sales under an offer (existing licences stay valid)."""
    _set_paused(ctx, offer, True, account, as_json)


@offer_app.command("resume")
def resume(
    ctx: typer.Context,
    offer: Annotated[int, typer.Argument(help="Offer id.")],
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reopen a paused offer."""
    _set_paused(ctx, offer, False, account, as_json)


license_app = typer.Typer(no_args_is_help=True, help="Buy and list licences.")
license_app.command("document")(document)
license_app.command("download")(download)


@license_app.command("buy")
def buy(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    offer: Annotated[int, typer.Option("--offer", help="Offer id to buy under.")],
    referrer: Annotated[
        str | None,
        typer.Option("--referrer", help="The platform that made the sale (it earns the referral fee)."),
    ] = None,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Buy a licence (ERC-20 offers are approved to the hub first when needed)."""
    from eth_utils.address import is_address, to_checksum_address

    from genip import trade
    from genip.money import format_amount

    if referrer is not None and not is_address(referrer):
        raise ConfigError(f"--referrer {referrer[:64]!r} is not an address")
    settings = settings_of(ctx)
    client = open_client(settings)
    outcome, info, coin = trade.buy(client, signer(settings, account), asset, offer, referrer=referrer)
    lic = client.license_token.functions.licenseOf(outcome.value).call()
    data = {
        "license_id": outcome.value,
        "asset_id": asset,
        "offer_id": offer,
        "price": str(info.price),
        "price_display": f"{format_amount(info.price, coin.decimals)} {coin.symbol}",
        "currency": coin.address,
        "expires_at": int(lic[2]),
        "expires": _when(int(lic[2])) or "never",
        "referrer": to_checksum_address(referrer) if referrer else None,
        "tx_hash": outcome.receipt["transactionHash"].to_0x_hex(),
    }
    emit(data, as_json=as_json, title=f"Licence {outcome.value} on asset {asset}")


@license_app.command("renounce")
def renounce(
    ctx: typer.Context,
    licence: Annotated[int, typer.Argument(help="Licence id you hold.")],
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give up (burn) a licence you hold; it grants nothing afterwards."""
    from genip.chain import actions
    from genip.chain.reads import license_info

    settings = settings_of(ctx)
    client = open_client(settings)
    info = license_info(client, licence)
    holder = signer(settings, account)
    if int(info.holder, 16) == 0:
        raise GenIPError(f"licence {licence} was already renounced")
    if info.holder.lower() != holder.address.lower():
        raise GenIPError(f"{holder.address} does not hold licence {licence} ({info.holder} does)")
    receipt = actions.renounce_license(client, holder, licence)
    data = {
        "license_id": licence,
        "asset_id": info.asset_id,
        "holder": holder.address,
        "tx_hash": receipt["transactionHash"].to_0x_hex(),
    }
    emit(data, as_json=as_json, title=f"Licence {licence} renounced")


@license_app.command("list")
def list_licenses(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option("--account", envvar="GENIP_ACCOUNT", help="Holder address (default: yours).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the licences an account holds, read from the chain."""
    from genip.chain.reads import licenses_held
    from genip.rules import is_expired

    settings = settings_of(ctx)
    holder = resolve_address(settings, account)
    client = open_client(settings)
    now = int(client.w3.eth.get_block("latest")["timestamp"])
    rows: list[dict[str, Any]] = [
        {
            "license_id": lic.license_id,
            "asset_id": lic.asset_id,
            "offer_id": lic.offer_id,
            "expires_at": lic.expires_at,
            "expired": is_expired(lic.expires_at, now),
            "derivatives_allowed": lic.derivatives_allowed,
            "used_for_derivative": lic.used_for_derivative,
            "rev_share_bps": lic.rev_share_bps,
        }
        for lic in licenses_held(client, holder)
    ]
    cols = ["licence", "asset", "offer", "expires", "expired", "derivatives", "used"]
    shown = [
        (
            r["license_id"],
            r["asset_id"],
            r["offer_id"],
            _when(r["expires_at"]) or "never",
            r["expired"],
            r["derivatives_allowed"],
            r["used_for_derivative"],
        )
        for r in rows
    ]
    emit(
        {"account": holder, "count": len(rows), "licenses": rows},
        as_json=as_json,
        title=f"Licences of {holder}",
        skip=("licenses",),
        extra=[table("", cols, shown)],
    )


def status(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    account: Annotated[str, typer.Option("--account", help="Address to check.")],
    use: Annotated[str, typer.Option("--use", help="display, commercial or derivative.")] = "commercial",
    as_json: JsonOption = False,
) -> None:
    """Whether an account may use an asset now (hub.licenseStatus). Exits 1 when it may not."""
    # Bare JSON-RPC, no web3: platforms call this before every display, so it must start at once.
    from genip.chain.deployment import read_deployment
    from genip.chain.quick_reads import license_status

    try:
        which = LicenseUse[use.strip().upper()]
    except KeyError:
        raise ConfigError(f"--use {use[:40]!r} is not display, commercial or derivative") from None
    settings = settings_of(ctx)
    deployment = read_deployment(settings.deployment_path())
    state = license_status(
        settings.rpc_url or deployment.rpc_url,
        chain_id=deployment.chain_id,
        registry=deployment.registry,
        hub=deployment.hub,
        asset_id=asset,
        account=resolve_address(settings, account),
        use=which,
    )
    data = {
        "asset_id": asset,
        "account": state.account,
        "use": which.name.lower(),
        "licensed": state.licensed,
        "license_id": state.license_id,
        "expires_at": state.expires_at,
        "block": state.block,
    }
    emit(data, as_json=as_json, title=f"Licence status of asset {asset}")
    if not state.licensed:
        raise GenIPError(
            f"{state.account} holds no valid licence for {which.name.lower()} use of asset {asset}"
        )
