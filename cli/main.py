"""The `genip` command line: wiring only; the work is done by the core packages.

It starts at once: the command modules import only typer, rich and the light core modules (errors, the
chain's enums) when loaded, and each command imports what it needs (web3, SQLAlchemy, the API, the indexer,
numpy…) when it runs, so `genip --help` costs about as much as a bare typer app (`scripts/bench_cli.py`;
`tests/cli/test_startup.py` keeps it so).
"""

import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from cli.account import account_app
from cli.chain import chain_app, deploy
from cli.checker import checker_app
from cli.demo.run import demo
from cli.disputes import dispute_app
from cli.faucet import faucet
from cli.index import db_app, index
from cli.market import license_app, offer_app, status
from cli.match import match
from cli.money import balance, pay, withdraw
from cli.originals import originals_app
from cli.platform import platform_app
from cli.prompt import prompt_app
from cli.relay import relay
from cli.serve import serve
from cli.show import show
from cli.uploads import uploads_app
from cli.webhooks import webhooks_app
from cli.works import derive, register
from genip.errors import ConfigError, GenIPError

__all__ = ["app", "error_message", "main"]

app = typer.Typer(
    no_args_is_help=True,
    help="Gen-IP: certificates and licences for AI-made work.",
    pretty_exceptions_show_locals=False,  # locals may hold keys
)
app.add_typer(chain_app, name="chain")
app.command("deploy")(deploy)
app.add_typer(db_app, name="db")
app.command("index")(index)
app.add_typer(account_app, name="account")
app.command("register")(register)
app.command("derive")(derive)
app.command("show")(show)
app.add_typer(prompt_app, name="prompt")
app.add_typer(offer_app, name="offer")
app.add_typer(license_app, name="license")
app.add_typer(dispute_app, name="dispute")
app.add_typer(platform_app, name="platform")
platform_app.command("relay")(relay)  # issue #20 part 3: the bulk-registration relayer
app.command("status")(status)
app.command("pay")(pay)
app.command("balance")(balance)
app.command("withdraw")(withdraw)
app.command("serve")(serve)
app.command("match")(match)
app.command("demo")(demo)
app.command("faucet")(faucet)
app.add_typer(checker_app, name="checker")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(originals_app, name="originals")
app.add_typer(uploads_app, name="uploads")


@app.callback()
def _root(ctx: typer.Context) -> None:
    """Gen-IP command line. Settings come from GENIP_* environment variables."""
    from pydantic import ValidationError

    from genip.settings import Settings

    try:
        ctx.obj = Settings()
    except ValidationError as exc:
        fields = ", ".join("GENIP_" + str(e["loc"][0]).upper() for e in exc.errors() if e["loc"])
        raise ConfigError(f"invalid settings: {fields or 'GENIP_*'}") from None


def _fail(message: str) -> NoReturn:
    line = " ".join(message.split())
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {escape(line)}")
    sys.exit(1)


def error_message(exc: BaseException) -> str | None:
    """The one-line message shown for a known failure, or `None` for anything else (a bug)."""
    if isinstance(exc, GenIPError):
        return str(exc)
    web3_errors = sys.modules.get("web3.exceptions")  # no web3 error exists before web3 is loaded
    if web3_errors is not None and isinstance(exc, web3_errors.Web3Exception):
        return f"chain error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if isinstance(exc, OSError):  # includes requests' connection errors, whose text may hold the RPC URL
        return f"connection failed ({type(exc).__name__})"
    return None


def main() -> None:
    """Entry point: runs the app; known failures become one red line on stderr and exit code 1."""
    try:
        app()
    except Exception as exc:
        message = error_message(exc)  # GenIPError, web3's errors and OSError; anything else is a bug
        if message is None:
            raise
        _fail(message or type(exc).__name__)
