"""The `genip` command line: wiring only; the work is done by the core packages."""

import sys
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from web3.exceptions import Web3Exception

from genip.cli.chain import chain_app, deploy
from genip.cli.index import db_app, index
from genip.errors import ConfigError, GenIPError
from genip.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    no_args_is_help=True,
    help="Gen-IP: certificates and licences for AI-made work.",
    pretty_exceptions_show_locals=False,  # locals may hold keys
)
app.add_typer(chain_app, name="chain")
app.command("deploy")(deploy)
app.add_typer(db_app, name="db")
app.command("index")(index)


@app.callback()
def _root(ctx: typer.Context) -> None:
    """Gen-IP command line. Settings come from GENIP_* environment variables."""
    try:
        ctx.obj = Settings()
    except ValidationError as exc:
        fields = ", ".join("GENIP_" + str(e["loc"][0]).upper() for e in exc.errors() if e["loc"])
        raise ConfigError(f"invalid settings: {fields or 'GENIP_*'}") from None


def _fail(message: str) -> NoReturn:
    line = " ".join(message.split())
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {escape(line)}")
    sys.exit(1)


def main() -> None:
    """Entry point: runs the app; known failures become one red line on stderr and exit code 1."""
    try:
        app()
    except GenIPError as exc:
        _fail(str(exc))
    except Web3Exception as exc:
        _fail(f"chain error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    except OSError as exc:  # includes requests' connection errors, whose text may hold the RPC URL
        _fail(f"connection failed ({type(exc).__name__})")
