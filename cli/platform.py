"""`genip platform …`: creators authorise platforms on-chain; the operator manages platform accounts.

`authorize|revoke|show` (here): let a platform register works for you (and pay their gas).
`add|list|keys|rotate-key|revoke-key|remove` (`cli.platform_accounts`): the operator's platform accounts and
their API keys. `revoke` withdraws an on-chain authorisation; `revoke-key` stops an API key.

A creator authorises a platform once (`authorizePlatform`), with a time limit (`--until 2026-12-31` or
`--for 30d`; neither: no time limit) and a count limit (`--max-works N`; default no limit); the platform
then registers works for the creator without a signature per work (one batch can hold many creators' works).
Both limits 0 revoke (`genip platform revoke`).
"""

from datetime import UTC, datetime
from typing import Annotated

import typer

from cli.context import AccountOption, JsonOption, open_client, resolve_address, settings_of, signer
from cli.output import emit
from cli.platform_accounts import add_account_commands
from genip.chain.types import UNLIMITED_WORKS
from genip.errors import ConfigError

__all__ = ["platform_app"]

platform_app = typer.Typer(
    no_args_is_help=True,
    help="Creators: authorise a platform on-chain to register works for you (authorize, revoke, show). "
    "Operator: platform accounts and their API keys (add, list, keys, rotate-key, revoke-key, remove).",
)

PlatformArgument = Annotated[str, typer.Argument(help="The platform's address.")]


def _address(text: str) -> str:
    from eth_utils.address import is_address, to_checksum_address

    if not is_address(text):
        raise ConfigError(f"{text[:64]!r} is not an address")
    return str(to_checksum_address(text))


def _until(until: str | None, for_: str | None, now: int) -> int:
    from genip.money import parse_duration

    if until and for_:
        raise ConfigError("give --until or --for, not both")
    if for_:
        seconds = parse_duration(for_)
        return now + seconds if seconds else 0
    if until:
        try:
            moment = datetime.fromisoformat(until.strip())
        except ValueError:
            raise ConfigError(
                f"--until {until[:40]!r} is not a date like 2026-12-31 or 2026-12-31T18:00"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        stamp = int(moment.timestamp())
        if stamp <= now:
            raise ConfigError(f"--until {until[:40]!r} is in the past")
        return stamp
    return 0


def _limits(expires_at: int, remaining: int) -> dict[str, object]:
    from genip.chain.explain import format_time

    return {
        "until": format_time(expires_at) if expires_at else "no time limit",
        "works_left": "no limit" if remaining == UNLIMITED_WORKS else remaining,
    }


@platform_app.command("authorize")
def authorize(
    ctx: typer.Context,
    platform: PlatformArgument,
    until: Annotated[str | None, typer.Option("--until", help="Last moment (UTC date or ISO time).")] = None,
    for_: Annotated[str | None, typer.Option("--for", help="How long from now: 30d, 12h, 1y.")] = None,
    max_works: Annotated[
        int | None,
        typer.Option("--max-works", min=1, max=UNLIMITED_WORKS - 1, help="Most works; default no limit."),
    ] = None,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Let a platform register works for you until a date, up to a number of works."""
    from genip.chain import actions

    settings = settings_of(ctx)
    client = open_client(settings)
    where = _address(platform)
    now = int(client.w3.eth.get_block("latest")["timestamp"])
    expires_at = _until(until, for_, now)
    creator = signer(settings, account)
    receipt = actions.authorize_platform(
        client, creator, where, expires_at=expires_at, max_works=max_works or UNLIMITED_WORKS
    )
    data = {
        "creator": creator.address,
        "platform": where,
        **_limits(expires_at, max_works or UNLIMITED_WORKS),
        "tx_hash": receipt["transactionHash"].to_0x_hex(),
    }
    emit(data, as_json=as_json, title=f"Platform {where} authorised")


@platform_app.command("revoke")
def revoke(
    ctx: typer.Context,
    platform: PlatformArgument,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw a platform's on-chain authorisation (an API key: `revoke-key`)."""
    from genip.chain import actions

    settings = settings_of(ctx)
    client = open_client(settings)
    where = _address(platform)
    creator = signer(settings, account)
    receipt = actions.revoke_platform(client, creator, where)
    data = {"creator": creator.address, "platform": where, "tx_hash": receipt["transactionHash"].to_0x_hex()}
    emit(data, as_json=as_json, title=f"Platform {where} revoked")


@platform_app.command("show")
def show(
    ctx: typer.Context,
    platform: PlatformArgument,
    account: Annotated[
        str | None,
        typer.Option("--account", envvar="GENIP_ACCOUNT", help="Creator address (default: yours)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """What a creator currently allows a platform."""
    settings = settings_of(ctx)
    client = open_client(settings)
    where = _address(platform)
    creator = resolve_address(settings, account)
    expires_at, remaining, _epoch = client.registry.functions.platformAuthorization(creator, where).call()
    now = int(client.w3.eth.get_block("latest")["timestamp"])
    active = bool(remaining) and (not expires_at or expires_at > now)
    data = {
        "creator": creator,
        "platform": where,
        "authorised": active,
        **_limits(int(expires_at), int(remaining)),
    }
    emit(data, as_json=as_json, title=f"Platform {where} for {creator}")


add_account_commands(platform_app)
