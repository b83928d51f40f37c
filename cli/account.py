"""`genip account new|import|list`: encrypted keystore accounts in `<data dir>/keystore/`."""

import typer

from cli.context import JsonOption, keystore, password, read_secret_line, settings_of
from cli.output import emit, table

__all__ = ["account_app"]

account_app = typer.Typer(no_args_is_help=True, help="Keystore accounts (encrypted with a password).")


@account_app.command("new")
def new(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Create a random account, encrypted with a password (GENIP_PASSWORD or a hidden prompt)."""
    settings = settings_of(ctx)
    entry = keystore(settings).create(password("New keystore password", confirm=True))
    emit({"address": entry.address, "keystore_file": str(entry.path)}, as_json=as_json, title="New account")


@account_app.command("import")
def import_key(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Import a private key read from a hidden prompt, or from stdin when piped (never an argument)."""
    settings = settings_of(ctx)
    key = read_secret_line("Private key (hex)")
    entry = keystore(settings).import_key(key, password("New keystore password", confirm=True))
    emit(
        {"address": entry.address, "keystore_file": str(entry.path)},
        as_json=as_json,
        title="Imported account",
    )


@account_app.command("list")
def list_accounts(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List keystore accounts; their numbers can be given to --account."""
    entries = keystore(settings_of(ctx)).entries()
    rows = [
        {"number": i, "address": e.address, "keystore_file": str(e.path)} for i, e in enumerate(entries, 1)
    ]
    emit(
        {"accounts": rows, "count": len(rows)},
        as_json=as_json,
        title="Keystore accounts",
        skip=("accounts",),
        extra=[
            table(
                "", ["#", "address", "file"], [(r["number"], r["address"], r["keystore_file"]) for r in rows]
            )
        ],
    )
