"""`genip show`: what the chain says about an asset (its certificate, offers, lineage and disputes)."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import JsonOption, open_client, settings_of
from cli.disputes import describe_dispute
from cli.output import emit, hex0x, table
from genip import rules

if TYPE_CHECKING:
    from genip.chain.client import GenIPClient
    from genip.chain.reads import OfferInfo

__all__ = ["show"]


def _offer_json(o: "OfferInfo") -> dict[str, Any]:
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


def _offer_table(client: "GenIPClient", offers: "list[OfferInfo]") -> Any:
    from genip.money import currency_at, format_amount

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
    """Show an asset from the chain: owner, hashes, offers, parents, standing, disputes and prompt check."""
    from genip.chain.explain import format_time
    from genip.chain.reads import asset_info, disputes_of, offers_of, parents_of

    client = open_client(settings_of(ctx))
    info = asset_info(client, asset)
    offers = offers_of(client, asset)
    parents = parents_of(client, asset)
    ancestors, shares = client.hub.functions.ancestry(asset).call()
    check = info.prompt_check.name.lower()
    delisted = rules.is_delisted(check, bool(client.hub.functions.failedCheckPolicy().call()))
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
        "prompt_check": check,
        "sales_stopped_by_check": delisted,
        "standing": info.standing.name.lower(),
        "standing_dispute_id": info.dispute_id or None,
        "expires": format_time(info.expires_at) if info.expires_at else "never",
        "royalty_stack_bps": info.royalty_stack_bps,
        "offers": [_offer_json(o) for o in offers],
        "parents": [
            {"asset_id": p.asset_id, "license_id": p.license_id, "share_bps": p.share_bps} for p in parents
        ],
        "ancestors": [
            {"asset_id": int(a), "share_bps": int(s)} for a, s in zip(ancestors, shares, strict=True)
        ],
        "disputes": [describe_dispute(client, d) for d in disputes_of(client, asset)],
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
    if data["disputes"]:
        extra.append(
            table(
                "Disputes",
                ["dispute", "status", "claimant", "copy of", "next", "held"],
                [
                    (
                        d["dispute_id"],
                        d["status"],
                        d["claimant"],
                        d["claimant_asset_id"],
                        d["next"],
                        ", ".join(h["amount_display"] for h in d["held"]) or None,
                    )
                    for d in data["disputes"]
                ],
            )
        )
    skip = ("offers", "parents", "ancestors", "disputes")
    emit(data, as_json=as_json, title=f"Asset {asset}", extra=extra, skip=skip)
