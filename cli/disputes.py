"""`genip dispute …`: claims against certificates in the dispute court, from raising one to its bond's refund.

Evidence, answers and reasons are documents: `--evidence FILE_OR_TEXT` reads the file when one exists at
that path, else takes the text itself; the bytes are hashed (sha256, the bytes32 the court records) and stored
in the content store (embedded, or Kubo with `GENIP_IPFS_API`), as offer terms documents are, so whoever reads
the hash can fetch the document by its CID. Times are shown as dates in UTC and as "in 2 days 3 hours", never
as epoch numbers. Reverts are named in words by `genip.chain.explain` ("the owner can still answer dispute 1
until …").
"""

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import AccountOption, JsonOption, open_client, settings_of, signer
from cli.output import emit, hex0x, table
from genip.errors import ConfigError

if TYPE_CHECKING:
    from genip.chain.client import GenIPClient
    from genip.chain.reads import DisputeInfo
    from genip.settings import Settings

__all__ = ["describe_dispute", "dispute_app", "document_hash", "in_words"]

dispute_app = typer.Typer(
    no_args_is_help=True,
    help="Claims against certificates: raise, answer, resolve (arbiter), reverse (admin), settle, show.",
)

DisputeArgument = Annotated[int, typer.Argument(help="Dispute id.")]


def document_hash(settings: "Settings", text_or_file: str, what: str) -> tuple[bytes, str, str]:
    """(sha256, CID, source) of a document given as a path to a file or as the text itself; stored first."""
    from genip.storage import open_store

    path = Path(text_or_file)
    try:
        is_file = path.is_file()
    except OSError:  # a long text is not a path
        is_file = False
    if is_file:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{what} file {path} cannot be read: {exc.strerror}") from None
        source = f"file {path.name}"
    else:
        if not text_or_file.strip():
            raise ConfigError(f"the {what} is empty: give a file or some text")
        data = text_or_file.encode("utf-8")
        source = "text"
    cid = open_store(settings.data_dir, settings.ipfs_api).put(data)
    return hashlib.sha256(data).digest(), cid, source


def in_words(seconds: int) -> str:
    """A duration like `2 days 3 hours`, `5 minutes`, `less than a minute`."""
    seconds = abs(int(seconds))
    parts = []
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
        if len(parts) == 2:
            break
    return " ".join(parts) or "less than a minute"


def _when(timestamp: int, now: int) -> str:
    from genip.chain.explain import format_time

    if not timestamp:
        return "-"
    delta = timestamp - now
    relative = f"in {in_words(delta)}" if delta > 0 else f"{in_words(delta)} ago"
    return f"{format_time(timestamp)} ({relative})"


def _now(client: "GenIPClient") -> int:
    return int(client.w3.eth.get_block("latest")["timestamp"])


def _iso(timestamp: int) -> str | None:
    from genip.chain.explain import format_time

    return format_time(timestamp).replace(" UTC", "Z").replace(" ", "T") if timestamp else None


def _next_step(info: "DisputeInfo", now: int) -> str:
    from genip.chain.explain import format_time

    if info.status == "open":
        if now <= info.answer_deadline:
            return (
                f"the owner may answer until {format_time(info.answer_deadline)}; an arbiter rules after that"
            )
        return "waiting for an arbiter's ruling"
    if info.status == "upheld":
        if not info.ruling_final:
            return f"upheld; final (and the bond refundable) at {format_time(info.final_at)}"
        return "upheld and final" + ("; bond refunded" if info.settled else "; settle it to refund the bond")
    if info.status == "reversed":
        return "the upheld ruling was reversed: cleared, the bond went to the owner"
    return "cleared: the bond went to the owner"


def describe_dispute(client: "GenIPClient", info: "DisputeInfo") -> dict[str, Any]:
    """A dispute as JSON-friendly data: ISO times, amounts as base-unit strings, the held funds."""
    from genip.chain.reads import held_of
    from genip.money import currency_at, format_amount

    now = _now(client)
    coin = currency_at(client, info.bond_currency)
    held = [
        {
            "currency": h.currency,
            "amount": str(h.amount),
            "amount_display": f"{format_amount(h.amount, currency_at(client, h.currency).decimals)} "
            f"{currency_at(client, h.currency).symbol}",
        }
        for h in held_of(client, info.asset_id, info.dispute_id)
    ]
    return {
        "dispute_id": info.dispute_id,
        "asset_id": info.asset_id,
        "status": info.status,
        "next": _next_step(info, now),
        "claimant": info.claimant,
        "claimant_asset_id": info.claimant_asset_id or None,
        "evidence_sha256": hex0x(info.evidence_hash),
        "bond": str(info.bond),
        "bond_display": f"{format_amount(info.bond, coin.decimals)} {coin.symbol}",
        "bond_currency": info.bond_currency,
        "answer_deadline": _iso(info.answer_deadline),
        "answer_deadline_words": _when(info.answer_deadline, now),
        "answered": info.answered,
        "answer_sha256": hex0x(info.answer_hash) if info.answer_hash else None,
        "final_at": _iso(info.final_at),
        "final_at_words": _when(info.final_at, now),
        "ruling_final": info.ruling_final,
        "settled": info.settled,
        "arbiter": info.arbiter,
        "resolution_sha256": hex0x(info.resolution_hash) if info.resolution_hash else None,
        "held": held,
    }


def _tx(receipt: Any) -> str:
    return str(receipt["transactionHash"].to_0x_hex())


@dispute_app.command("raise")
def raise_(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id the claim is against.")],
    evidence: Annotated[str, typer.Option("--evidence", help="Evidence: a file, or the text itself.")],
    copy_of: Annotated[
        int, typer.Option("--copy-of", help="Your own earlier asset this one copies.", min=0)
    ] = 0,
    currency: Annotated[str, typer.Option("--currency", help="Bond currency: ETH or an ERC-20.")] = "ETH",
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Raise a claim against an asset, posting the court's bond; the asset stops selling at once."""
    from genip.chain import actions
    from genip.chain.reads import check_asset, dispute_info
    from genip.money import format_amount, resolve_currency

    settings = settings_of(ctx)
    client = open_client(settings)
    check_asset(client, asset)
    if copy_of:
        check_asset(client, copy_of)
    coin = resolve_currency(client, currency)
    bond, accepted = client.court.functions.bondOf(coin.address).call()
    if not accepted:
        raise ConfigError(f"the court takes no bonds in {coin.symbol}")
    digest, cid, source = document_hash(settings, evidence, "evidence")
    outcome = actions.raise_dispute(
        client,
        signer(settings, account),
        asset,
        digest,
        claimant_asset_id=copy_of,
        bond_currency=coin.address,
    )
    info = dispute_info(client, outcome.value)
    data = {
        "dispute_id": outcome.value,
        "asset_id": asset,
        "claimant_asset_id": copy_of or None,
        "evidence_sha256": hex0x(digest),
        "evidence_cid": cid,
        "evidence_from": source,
        "bond": str(int(bond)),
        "bond_display": f"{format_amount(int(bond), coin.decimals)} {coin.symbol}",
        "answer_deadline": _iso(info.answer_deadline),
        "owner_may_answer_until": _when(info.answer_deadline, _now(client)),
        "tx_hash": _tx(outcome.receipt),
    }
    emit(data, as_json=as_json, title=f"Dispute {outcome.value} raised against asset {asset}")


@dispute_app.command("answer")
def answer(
    ctx: typer.Context,
    dispute: DisputeArgument,
    answer_text: Annotated[str, typer.Option("--answer", help="Your answer: a file, or the text itself.")],
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a claim against an asset you own, within the response window."""
    from genip.chain import actions
    from genip.chain.reads import dispute_info

    settings = settings_of(ctx)
    client = open_client(settings)
    info = dispute_info(client, dispute)
    digest, cid, source = document_hash(settings, answer_text, "answer")
    receipt = actions.answer_dispute(client, signer(settings, account), dispute, digest)
    data = {
        "dispute_id": dispute,
        "asset_id": info.asset_id,
        "answer_sha256": hex0x(digest),
        "answer_cid": cid,
        "answer_from": source,
        "tx_hash": _tx(receipt),
    }
    emit(data, as_json=as_json, title=f"Dispute {dispute} answered")


@dispute_app.command("resolve")
def resolve(
    ctx: typer.Context,
    dispute: DisputeArgument,
    reason: Annotated[str, typer.Option("--reason", help="The ruling's reasons: a file, or the text.")],
    uphold: Annotated[
        bool | None, typer.Option("--uphold/--clear", help="Uphold the claim, or clear the asset.")
    ] = None,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rule on a claim (arbiters only, after the response window): --uphold or --clear."""
    from genip.chain import actions
    from genip.chain.reads import dispute_info

    if uphold is None:
        raise ConfigError("say how you rule: --uphold or --clear")
    settings = settings_of(ctx)
    client = open_client(settings)
    info = dispute_info(client, dispute)
    digest, cid, _source = document_hash(settings, reason, "reason")
    receipt = actions.resolve_dispute(
        client, signer(settings, account), dispute, upheld=uphold, resolution_hash=digest
    )
    after = dispute_info(client, dispute)
    data = {
        "dispute_id": dispute,
        "asset_id": info.asset_id,
        "ruling": "upheld" if uphold else "cleared",
        "final_at": _iso(after.final_at),
        "final": _when(after.final_at, _now(client)),
        "reason_sha256": hex0x(digest),
        "reason_cid": cid,
        "tx_hash": _tx(receipt),
    }
    emit(data, as_json=as_json, title=f"Dispute {dispute} {'upheld' if uphold else 'cleared'}")


@dispute_app.command("reverse")
def reverse(
    ctx: typer.Context,
    dispute: DisputeArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why: a file, or the text.")],
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reverse an upheld ruling within its appeal window (the court's admin): the asset is cleared."""
    from genip.chain import actions
    from genip.chain.reads import dispute_info

    settings = settings_of(ctx)
    client = open_client(settings)
    info = dispute_info(client, dispute)
    digest, cid, _source = document_hash(settings, reason, "reason")
    receipt = actions.reverse_dispute(client, signer(settings, account), dispute, digest)
    data = {
        "dispute_id": dispute,
        "asset_id": info.asset_id,
        "reason_sha256": hex0x(digest),
        "reason_cid": cid,
        "tx_hash": _tx(receipt),
    }
    emit(data, as_json=as_json, title=f"Dispute {dispute} reversed")


@dispute_app.command("settle")
def settle(
    ctx: typer.Context,
    dispute: DisputeArgument,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Refund the claimant's bond once an upheld ruling is final (anyone may send it)."""
    from genip.chain import actions
    from genip.chain.reads import dispute_info

    settings = settings_of(ctx)
    client = open_client(settings)
    info = dispute_info(client, dispute)
    receipt = actions.settle_dispute(client, signer(settings, account), dispute)
    data = {
        "dispute_id": dispute,
        "asset_id": info.asset_id,
        "claimant": info.claimant,
        "tx_hash": _tx(receipt),
    }
    emit(data, as_json=as_json, title=f"Dispute {dispute} settled")


@dispute_app.command("show")
def show(ctx: typer.Context, dispute: DisputeArgument, as_json: JsonOption = False) -> None:
    """A dispute: status, what comes next, deadlines, bond and the funds it holds."""
    from genip.chain.reads import dispute_info

    client = open_client(settings_of(ctx))
    data = describe_dispute(client, dispute_info(client, dispute))
    if as_json:
        emit(data, as_json=True, title="")
        return
    shown = {
        k: v
        for k, v in data.items()
        if k not in ("answer_deadline", "final_at", "bond", "held", "bond_currency")
    }
    shown["answer_deadline"] = shown.pop("answer_deadline_words")
    shown["final_at"] = shown.pop("final_at_words")
    rows = [(h["amount_display"], h["currency"]) for h in data["held"]]
    extra = [table("Held under this dispute", ["amount", "currency"], rows)] if rows else []
    emit(shown, as_json=False, title=f"Dispute {dispute}", extra=extra)


@dispute_app.command("release")
def release(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id holding the funds.")],
    dispute: Annotated[int, typer.Option("--dispute", help="The dispute they are held under.")],
    currency: Annotated[str, typer.Option("--currency", help="ETH, demo, or an ERC-20 address.")] = "ETH",
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Release revenue held under a dispute: to the owner once cleared, to the claimant once upheld, final."""
    from genip.chain import actions
    from genip.chain.reads import check_asset
    from genip.money import format_amount, resolve_currency

    settings = settings_of(ctx)
    client = open_client(settings)
    check_asset(client, asset)
    coin = resolve_currency(client, currency)
    outcome = actions.release_held(client, signer(settings, account), asset, dispute, coin.address)
    data = {
        "asset_id": asset,
        "dispute_id": dispute,
        "currency": coin.address,
        "amount": str(outcome.value),
        "amount_display": f"{format_amount(outcome.value, coin.decimals)} {coin.symbol}",
        "tx_hash": _tx(outcome.receipt),
    }
    emit(data, as_json=as_json, title=f"Released what asset {asset} held under dispute {dispute}")


@dispute_app.command("taint")
def taint(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="A descendant of the upheld asset.")],
    ancestor: Annotated[int, typer.Option("--ancestor", help="Its ancestor whose claim was upheld.")],
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Taint a descendant of an upheld asset: its sales stop and its revenue is held like the ancestor's."""
    from genip.chain import actions
    from genip.chain.reads import check_asset

    settings = settings_of(ctx)
    client = open_client(settings)
    check_asset(client, asset)
    receipt = actions.propagate_taint(client, signer(settings, account), asset, ancestor)
    _standing, dispute_id = client.hub.functions.standingOf(asset).call()
    data = {
        "asset_id": asset,
        "ancestor_id": ancestor,
        "dispute_id": int(dispute_id),
        "tx_hash": _tx(receipt),
    }
    emit(data, as_json=as_json, title=f"Asset {asset} tainted by dispute {int(dispute_id)}")


@dispute_app.command("clear-taint")
def clear_taint(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="An asset tainted by a reversed ruling.")],
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lift a taint whose ruling was reversed."""
    from genip.chain import actions
    from genip.chain.reads import check_asset

    settings = settings_of(ctx)
    client = open_client(settings)
    check_asset(client, asset)
    receipt = actions.clear_taint(client, signer(settings, account), asset)
    emit(
        {"asset_id": asset, "tx_hash": _tx(receipt)}, as_json=as_json, title=f"Taint of asset {asset} lifted"
    )


@dispute_app.command("withdraw-bond")
def withdraw_bond(
    ctx: typer.Context,
    currency: Annotated[str, typer.Option("--currency", help="ETH or an ERC-20 address.")] = "ETH",
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw bonds the court awarded you (an owner cleared, or a claimant refunded)."""
    from genip.chain import actions
    from genip.money import format_amount, resolve_currency

    settings = settings_of(ctx)
    client = open_client(settings)
    coin = resolve_currency(client, currency)
    sender = signer(settings, account)
    outcome = actions.withdraw_bond(client, sender, currency=coin.address)
    data = {
        "account": sender.address,
        "amount": str(outcome.value),
        "amount_display": f"{format_amount(outcome.value, coin.decimals)} {coin.symbol}",
        "tx_hash": _tx(outcome.receipt),
    }
    emit(data, as_json=as_json, title="Bond withdrawn")
