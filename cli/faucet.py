"""`genip faucet ADDRESS`: ask the running demo's faucet for test ETH (and gUSD) for a new wallet.

The faucet's key lives in the demo's API process alone, so this command only calls `POST /faucet` on the API
(`--api`, else `GENIP_API_URL`, else the demo running on this data directory).
"""

from typing import Annotated

import typer
from rich.console import Console

from genip.errors import ConfigError, GenIPError

__all__ = ["faucet"]


def faucet(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The wallet to fund (0x…).")],
    api: Annotated[
        str | None, typer.Option("--api", help="API base URL; default GENIP_API_URL or the running demo's.")
    ] = None,
) -> None:
    """Demo only: send ADDRESS a little test ETH (and demo gUSD) from the demo's faucet."""
    import httpx

    from cli.prompt import api_url

    base = (api or api_url(ctx.obj) or "").rstrip("/")
    if not base:
        raise ConfigError("no demo API found: start `genip demo` or pass --api URL")
    try:
        answer = httpx.post(f"{base}/faucet", json={"address": address}, timeout=90.0)
    except httpx.HTTPError as exc:
        raise GenIPError(f"the API at {base} did not answer ({type(exc).__name__})") from None
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if answer.status_code != 200:
        detail = body.get("detail") if isinstance(body, dict) else None
        raise GenIPError(f"the faucet refused: {detail if isinstance(detail, str) else answer.status_code}")
    eth = int(body["eth_wei"]) / 10**18
    sent = f"{eth:g} ETH"
    if body.get("token") and int(body.get("token_units", "0")):
        sent += f" and {int(body['token_units']) / 10**6:g} gUSD"
    Console(highlight=False).print(f"sent {sent} to {body['address']} (block {body['block_number']})")
