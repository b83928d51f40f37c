"""`genip show` and `genip prompt verify|reveal`: what the chain and the vault say about an asset."""

from typing import Annotated, Any

import typer

from genip.chain.client import GenIPClient
from genip.chain.reads import OfferInfo, asset_info, check_asset, offers_of, parents_of
from genip.cli.context import JsonOption, open_client, settings_of
from genip.cli.output import emit, hex0x, table
from genip.cli.works import PromptFileOption, PromptOption
from genip.errors import ConfigError, GenIPError
from genip.money import currency_at, format_amount
from genip.prompts import PromptVault, normalize_prompt
from genip.works import AI_KINDS, read_text_file

__all__ = ["prompt_app", "show"]


def _offer_json(o: OfferInfo) -> dict[str, Any]:
    return {
        "offer_id": o.offer_id,
        "tier": "extended" if o.derivatives_allowed else "standard",
        "currency": o.currency,
        "price": str(o.price),
        "duration": o.duration,
        "supply_cap": o.supply_cap,
        "sold": o.sold,
        "paused": o.paused,
        "rev_share_bps": o.rev_share_bps,
    }


def _offer_table(client: GenIPClient, offers: list[OfferInfo]) -> Any:
    rows = []
    for o in offers:
        coin = currency_at(client, o.currency)
        rows.append(
            (
                o.offer_id,
                "extended" if o.derivatives_allowed else "standard",
                f"{format_amount(o.price, coin.decimals)} {coin.symbol}",
                o.duration or "perpetual",
                f"{o.sold}/{o.supply_cap or '∞'}",
                o.paused,
                f"{o.rev_share_bps / 100:g}%",
            )
        )
    columns = ["offer", "tier", "price", "duration s", "sold/cap", "paused", "rev share"]
    return table("Offers", columns, rows)


def show(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset (certificate) id.")],
    as_json: JsonOption = False,
) -> None:
    """Show an asset from the chain: owner, hashes, offers, parents, dispute and prompt-check state."""
    client = open_client(settings_of(ctx))
    info = asset_info(client, asset)
    offers = offers_of(client, asset)
    parents = parents_of(client, asset)
    ancestors, shares = client.hub.functions.ancestry(asset).call()
    data: dict[str, Any] = {
        "asset_id": info.asset_id,
        "owner": info.owner,
        "creator": info.creator,
        "kind": info.kind.name.lower(),
        "sha256": hex0x(info.content_hash),
        "perceptual_hash": hex0x(info.perceptual_hash),
        "prompt_commitment": hex0x(info.prompt_commitment),
        "metadata_cid": info.metadata_cid,
        "registered_block": info.registered_block,
        "prompt_check": info.prompt_check.name.lower(),
        "dispute": info.dispute.name.lower(),
        "royalty_stack_bps": info.royalty_stack_bps,
        "offers": [_offer_json(o) for o in offers],
        "parents": [
            {"asset_id": p.asset_id, "license_id": p.license_id, "share_bps": p.share_bps} for p in parents
        ],
        "ancestors": [
            {"asset_id": int(a), "share_bps": int(s)} for a, s in zip(ancestors, shares, strict=True)
        ],
    }
    extra = [_offer_table(client, offers)] if offers else []
    if parents:
        extra.append(
            table(
                "Parents",
                ["asset", "licence", "share"],
                [(p.asset_id, p.license_id, f"{p.share_bps / 100:g}%") for p in parents],
            )
        )
    emit(data, as_json=as_json, title=f"Asset {asset}", extra=extra, skip=("offers", "parents", "ancestors"))


prompt_app = typer.Typer(no_args_is_help=True, help="Check or reveal the prompt committed for a work.")


@prompt_app.command("verify")
def verify(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    salt: Annotated[str, typer.Option("--salt", help="The 32-byte salt, hex.")],
    prompt_file: PromptFileOption = None,
    prompt: PromptOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a revealed prompt and salt against the asset's on-chain commitment (exit 1 if they differ)."""
    if prompt is not None:
        text = prompt
    elif prompt_file is not None:
        text = read_text_file(prompt_file, "prompt file")
    else:
        raise ConfigError("give the prompt: --prompt-file F or --prompt TEXT")
    try:
        salt_bytes = bytes.fromhex(salt.strip().removeprefix("0x"))
    except ValueError:
        raise ConfigError("--salt is not hex") from None
    if len(salt_bytes) != 32:
        raise ConfigError(f"--salt has {len(salt_bytes)} bytes, not 32")
    client = open_client(settings_of(ctx))
    check_asset(client, asset)
    ok = bool(
        client.registry.functions.verifyPrompt(asset, normalize_prompt(text).encode(), salt_bytes).call()
    )
    emit({"asset_id": asset, "verified": ok}, as_json=as_json, title=f"Prompt of asset {asset}")
    if not ok:
        raise GenIPError(f"the prompt and salt do not open asset {asset}'s commitment")


@prompt_app.command("reveal")
def reveal(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    as_json: JsonOption = False,
) -> None:
    """Print the creator's own kept prompt and salt for an asset (from this data directory's vault)."""
    settings = settings_of(ctx)
    info = asset_info(open_client(settings), asset)
    kept = PromptVault(settings.data_dir, info.creator).load(info.content_hash)
    if kept is None:
        raise GenIPError(f"no kept prompt for asset {asset} (creator {info.creator}) in {settings.data_dir}")
    data = {
        "asset_id": asset,
        "creator": info.creator,
        "prompt": kept.prompt,
        "salt": hex0x(kept.salt),
        "commitment": hex0x(kept.commitment),
        "matches_chain": kept.commitment == info.prompt_commitment,
        "ai_kind": info.kind in AI_KINDS,
    }
    emit(data, as_json=as_json, title=f"Prompt of asset {asset}")
