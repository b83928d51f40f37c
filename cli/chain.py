"""`genip chain up` and `genip deploy`: parse options, call `genip.chain.up`, render."""

import signal
import time
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from cli.render import print_deployment
from genip.errors import ConfigError

if TYPE_CHECKING:
    from genip.settings import Settings

__all__ = ["chain_app", "deploy"]

chain_app = typer.Typer(no_args_is_help=True, help="Run a local dev chain with the contracts deployed.")
console = Console(highlight=False)
status = Console(stderr=True, highlight=False)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON line instead of a table.")]
FeeOption = Annotated[
    int | None,
    typer.Option("--fee-bps", min=0, max=10_000, help="Platform fee (default GENIP_FEE_BPS, 250)."),
]


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@chain_app.command("up")
def up(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option("--port", help="anvil port (default: a free one).")] = None,
    fee_bps: FeeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start anvil, deploy the contracts (and a demo ERC-20) with its first dev account, keep it running
    until Ctrl-C. With GENIP_RPC_URL set, deploy there instead and exit."""
    from genip.chain.up import DEV_BLOCK_TIME, local_chain

    settings: Settings = ctx.obj
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    with local_chain(settings, port=port, fee_bps=fee_bps, block_time=DEV_BLOCK_TIME) as chain:
        if chain.anvil is None:
            print_deployment(console, chain, as_json=as_json)
            return
        try:  # Ctrl-C may come as soon as the table is out, even before the loop starts
            print_deployment(console, chain, as_json=as_json)
            status.print(f"anvil (pid {chain.anvil.pid}) is running; press Ctrl-C to stop it.")
            while chain.anvil.running:
                time.sleep(0.2)
        except KeyboardInterrupt:
            status.print("stopping anvil…")
        else:
            raise typer.Exit(1)
    status.print("stopped.")


def deploy(
    ctx: typer.Context,
    rpc_url: Annotated[
        str | None, typer.Option("--rpc-url", help="Chain to deploy to (or GENIP_RPC_URL).")
    ] = None,
    key_env: Annotated[
        str | None, typer.Option("--key-env", help="Env var holding the deployer's key (GENIP_PRIVATE_KEY).")
    ] = None,
    fee_bps: FeeOption = None,
    fee_recipient: Annotated[
        str | None, typer.Option("--fee-recipient", help="Default: the deployer.")
    ] = None,
    demo_token: Annotated[bool, typer.Option("--demo-token", help="Also deploy the demo ERC-20.")] = False,
    arbiter: Annotated[
        str | None,
        typer.Option("--arbiter", help="Who rules on disputes (the court's ARBITER_ROLE); none if unset."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Deploy the contracts to any RPC with a funded key from the environment; write the deployment file."""
    from web3 import Web3

    from genip.chain.accounts import account_from_env
    from genip.chain.up import deploy_to

    settings: Settings = ctx.obj
    url = rpc_url or settings.rpc_url
    if not url:
        raise ConfigError("no RPC URL: pass --rpc-url or set GENIP_RPC_URL")
    account = account_from_env(key_env or settings.key_env)
    if arbiter is not None and not Web3.is_address(arbiter):
        raise ConfigError(f"--arbiter {arbiter!r} is not an address")
    chain = deploy_to(
        settings,
        url,
        account,
        fee_bps=fee_bps,
        fee_recipient=fee_recipient,
        demo_token=demo_token,
        arbiter=arbiter,
    )
    print_deployment(console, chain, as_json=as_json)
