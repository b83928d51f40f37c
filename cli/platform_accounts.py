"""`genip platform add|list|keys|rotate-key|revoke-key|remove`: platform accounts and their API keys.

Operator commands on the database in `GENIP_DATABASE_URL`, for the chain of the current deployment (as
`genip webhooks`). A platform's key (`gip_…`) is printed once, by `add` and `rotate-key`; only its digest is
stored, so nothing can show it again. These are not the creator-side `authorize|revoke|show`, which sign an
on-chain authorisation of a platform's address: `revoke-key` stops an API key, `revoke` withdraws an
authorisation.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from cli.context import JsonOption, deployed_chain_id, open_database, settings_of
from cli.output import console, emit, table
from genip.errors import ConfigError

if TYPE_CHECKING:  # SQLAlchemy loads when a command runs
    from genip.platforms import IssuedKey

__all__ = ["add_account_commands"]

NameArgument = Annotated[str, typer.Argument(help="The platform's name (`genip platform list`).")]
SHOWN_ONCE: Final = "keep this key: only its digest is stored, it will not be shown again"


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _grace(text: str) -> timedelta:
    from genip.money import parse_duration

    if text.strip().lower() in ("perpetual", "forever", "none"):
        raise ConfigError(f"--grace {text[:40]!r}: give a duration such as 1d, 12h or 0 (end at once)")
    return timedelta(seconds=parse_duration(text))


def _issued(issued: "IssuedKey", as_json: bool, title: str, extra: dict[str, Any] | None = None) -> None:
    data = {
        "platform": issued.platform.name,
        "id": issued.platform.id,
        "wallet": issued.platform.wallet,
        "key_id": issued.key_id,
        "key": issued.key,
        **(extra or {}),
    }
    if as_json:
        emit({**data, "note": SHOWN_ONCE}, as_json=True, title=title)
        return
    emit(data, as_json=False, title=title)
    console.print(SHOWN_ONCE)


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the platform (letters, digits, ' ._-').")],
    wallet: Annotated[str, typer.Option("--wallet", help="The address its referral fees go to.")],
    as_json: JsonOption = False,
) -> None:
    """Create a platform account and print its API key (shown only this once)."""
    from genip.platforms import add_platform

    settings = settings_of(ctx)
    issued = add_platform(open_database(settings), deployed_chain_id(settings), name, wallet)
    _issued(issued, as_json, f"platform {issued.platform.name} added")


def list_(
    ctx: typer.Context,
    removed: Annotated[bool, typer.Option("--removed", help="Include removed platforms.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The platform accounts (names, wallets; never keys)."""
    from genip.platforms import list_platforms

    settings = settings_of(ctx)
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "wallet": p.wallet,
            "created_at": _when(p.created_at),
            "removed_at": _when(p.removed_at),
        }
        for p in list_platforms(open_database(settings), deployed_chain_id(settings), removed=removed)
    ]
    if as_json:
        emit({"platforms": rows}, as_json=True, title="platforms")
        return
    columns = ["id", "name", "wallet", "created_at", "removed_at"]
    console.print(table("platforms", columns, [list(r.values()) for r in rows]))


def keys(ctx: typer.Context, name: NameArgument, as_json: JsonOption = False) -> None:
    """A platform's API keys: their public ids and states (live, ending at a time, expired, revoked)."""
    from datetime import UTC

    from genip.platforms import find_platform, list_keys

    settings = settings_of(ctx)
    engine = open_database(settings)
    platform = find_platform(engine, deployed_chain_id(settings), name)
    now = datetime.now(UTC)
    rows = []
    for k in list_keys(engine, platform.id):
        if k.revoked_at is not None:
            state = "revoked"
        elif k.expires_at is not None and k.expires_at <= now:
            state = "expired"
        elif k.expires_at is not None:
            state = "ending"
        else:
            state = "live"
        rows.append(
            {
                "key_id": k.key_id,
                "state": state,
                "created_at": _when(k.created_at),
                "expires_at": _when(k.expires_at),
                "revoked_at": _when(k.revoked_at),
            }
        )
    if as_json:
        emit({"platform": platform.name, "keys": rows}, as_json=True, title="keys")
        return
    columns = ["key_id", "state", "created_at", "expires_at", "revoked_at"]
    console.print(table(f"API keys of {platform.name}", columns, [list(r.values()) for r in rows]))


def rotate_key(
    ctx: typer.Context,
    name: NameArgument,
    grace: Annotated[
        str,
        typer.Option("--grace", help="How long the older keys keep working: 1d, 12h, 15m, 0 (end at once)."),
    ] = "1d",
    as_json: JsonOption = False,
) -> None:
    """Issue a new API key (shown only this once); the older keys end after the grace period."""
    from genip.platforms import rotate_key as rotate

    settings = settings_of(ctx)
    period = _grace(grace)
    issued = rotate(open_database(settings), deployed_chain_id(settings), name, grace=period)
    _issued(
        issued,
        as_json,
        f"new API key for {issued.platform.name}",
        {"older_keys_end_in": f"{int(period.total_seconds())} s"},
    )


def revoke_key(
    ctx: typer.Context,
    name: NameArgument,
    key_id: Annotated[
        str | None, typer.Argument(help="The key's id (`genip platform keys NAME`), or --all.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Revoke every live key of the platform.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Stop an API key at once (not `revoke`, which withdraws a creator's on-chain authorisation)."""
    from genip.platforms import revoke_keys

    if (key_id is None) == (not all_):
        raise ConfigError("name one KEY_ID or give --all")
    settings = settings_of(ctx)
    n = revoke_keys(open_database(settings), deployed_chain_id(settings), name, key_id)
    emit({"platform": name, "revoked_keys": n}, as_json=as_json, title="API keys revoked")


def remove(ctx: typer.Context, name: NameArgument, as_json: JsonOption = False) -> None:
    """Remove a platform account: every key stops at once; its record stays."""
    from genip.platforms import remove_platform

    settings = settings_of(ctx)
    remove_platform(open_database(settings), deployed_chain_id(settings), name)
    emit({"removed": name}, as_json=as_json, title="platform removed")


def add_account_commands(app: typer.Typer) -> None:
    """Registers the account commands on `genip platform`."""
    app.command("add")(add)
    app.command("list")(list_)
    app.command("keys")(keys)
    app.command("rotate-key")(rotate_key)
    app.command("revoke-key")(revoke_key)
    app.command("remove")(remove)
