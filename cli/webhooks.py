"""`genip webhooks add|list|remove|deliveries|replay|run`: subscriptions, the delivery log, the worker.

Operator commands, on the database in `GENIP_DATABASE_URL` (events come from the indexer: `genip index` must
run for anything to be sent). `add` prints the subscription's signing secret once; nothing shows it again.
`run` is the delivery worker, a long-running process of its own (several may share one Postgres database).
"""

import signal
import sys
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import JsonOption, deployed_chain_id, open_database, settings_of
from cli.output import console, emit, table
from genip.errors import ConfigError

if TYPE_CHECKING:  # SQLAlchemy and httpx load when a command runs
    from collections.abc import Callable

    from sqlalchemy import Engine

    from genip.platforms import PlatformView

__all__ = ["webhooks_app"]

webhooks_app = typer.Typer(no_args_is_help=True, help="Webhook subscriptions and the delivery worker.")


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


#: `GENIP_API_WEBHOOK_PRIVATE_URLS`, the API's setting: one switch for where platforms' webhooks may go, read
#: by the API (`POST /webhooks`), `genip webhooks add --platform` and the worker (`genip webhooks run`).
PrivateUrlsOption = Annotated[
    bool,
    typer.Option(
        "--private-urls/--public-urls-only",
        envvar="GENIP_API_WEBHOOK_PRIVATE_URLS",
        show_envvar=True,
        help="Let platforms' webhooks go to private addresses (this host, a LAN): a local setup only.",
    ),
]


def _platform(engine: "Engine", chain_id: int, name_or_id: str) -> "PlatformView":
    """The live platform named `name_or_id`, else the one with that id (`genip platform list`)."""
    from genip.errors import NotFoundError
    from genip.platforms import find_platform, list_platforms

    try:
        found = find_platform(engine, chain_id, name_or_id)
    except NotFoundError:
        text = name_or_id.strip()
        platforms = list_platforms(engine, chain_id, removed=True)
        by_id = [p for p in platforms if text.isdigit() and p.id == int(text)]
        if not by_id:
            raise NotFoundError(f"no platform named or numbered {name_or_id[:70]!r}") from None
        found = by_id[0]
    if found.removed_at is not None:
        raise ConfigError(f"platform {found.name!r} was removed")
    return found


@webhooks_app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Where events are POSTed (http or https).")],
    events: Annotated[
        list[str],
        typer.Option(
            "--events",
            help="Event types, comma-separated or repeated: work.registered, license.purchased, "
            "license.expired, dispute.raised, dispute.resolved, copy.marked, report.resolved, "
            "registration.updated (the last two reach a platform's subscriptions only).",
        ),
    ],
    asset: Annotated[list[int] | None, typer.Option("--asset", help="Only events about this asset.")] = None,
    account: Annotated[
        list[str] | None, typer.Option("--account", help="Only events involving this account.")
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            metavar="NAME|ID",
            help="Make it the platform's subscription (as its key's POST /webhooks does): listed and "
            "managed through its key, sent its registration.updated and report.resolved events; its URL "
            "must be public unless private URLs are allowed.",
        ),
    ] = None,
    private_urls: PrivateUrlsOption = False,
    as_json: JsonOption = False,
) -> None:
    """Subscribe a URL to events; prints its signing secret (shown only this once)."""
    from genip.webhooks.subscriptions import add_subscription

    settings = settings_of(ctx)
    engine = open_database(settings)
    chain_id = deployed_chain_id(settings)
    owner = None if platform is None else _platform(engine, chain_id, platform)
    new_id, secret = add_subscription(
        engine,
        chain_id=chain_id,
        url=url,
        events=_split(events),
        assets=asset or None,
        accounts=_split(account or []) or None,
        platform_id=None if owner is None else owner.id,
        private_urls=private_urls,
    )
    emit(
        {"id": new_id, "url": url, "platform": None if owner is None else owner.name, "secret": secret},
        as_json=as_json,
        title=f"webhook subscription {new_id}",
    )
    if not as_json:
        console.print("keep the secret: it signs every payload and is not shown again")


@webhooks_app.command("list")
def list_(
    ctx: typer.Context,
    removed: Annotated[bool, typer.Option("--removed", help="Include removed subscriptions.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The subscriptions (without their secrets)."""
    from genip.webhooks.subscriptions import list_subscriptions

    settings = settings_of(ctx)
    subs = list_subscriptions(open_database(settings), deployed_chain_id(settings), removed=removed)
    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "url": s.url,
            "events": s.event_types,
            "assets": s.asset_ids,
            "accounts": s.accounts,
            "platform": s.platform_id,
            "created_at": _when(s.created_at),
            "removed_at": _when(s.removed_at),
        }
        for s in subs
    ]
    if as_json:
        emit({"subscriptions": rows}, as_json=True, title="webhook subscriptions")
        return
    columns = ["id", "url", "events", "assets", "accounts", "platform", "created_at", "removed_at"]
    console.print(
        table(
            "webhook subscriptions",
            columns,
            [[", ".join(map(str, v)) if isinstance(v, list) else v for v in r.values()] for r in rows],
        )
    )


@webhooks_app.command("remove")
def remove(
    ctx: typer.Context,
    subscription_id: Annotated[int, typer.Argument(help="The subscription's id (`genip webhooks list`).")],
    as_json: JsonOption = False,
) -> None:
    """Stop sending to a subscription; its queued deliveries are cancelled (the log is kept)."""
    from genip.webhooks.subscriptions import remove_subscription

    settings = settings_of(ctx)
    cancelled = remove_subscription(open_database(settings), deployed_chain_id(settings), subscription_id)
    emit(
        {"removed": subscription_id, "cancelled_deliveries": cancelled},
        as_json=as_json,
        title="webhook subscription removed",
    )


@webhooks_app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    subscription: Annotated[
        int | None, typer.Option("--subscription", help="Only this subscription's.")
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="pending, delivered, failed or cancelled.")
    ] = None,
    attempts: Annotated[
        int | None, typer.Option("--attempts", help="Show the attempt log of this delivery.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """The delivery log, newest first (or one delivery's attempts)."""
    from genip.webhooks.events import DeliveryState
    from genip.webhooks.subscriptions import attempts_of, list_deliveries

    settings = settings_of(ctx)
    engine = open_database(settings)
    if attempts is not None:
        log = [
            {
                "attempt": a.attempt,
                "worker": a.worker,
                "started_at": _when(a.started_at),
                "duration_ms": round(a.duration_ms, 1),
                "status": a.status,
                "error": a.error,
            }
            for a in attempts_of(engine, attempts)
        ]
        if as_json:
            emit({"delivery": attempts, "attempts": log}, as_json=True, title="attempts")
        else:
            console.print(
                table(
                    f"attempts of delivery {attempts}",
                    list(log[0]) if log else ["attempt"],
                    [list(r.values()) for r in log],
                )
            )
        return
    states = (DeliveryState.PENDING, DeliveryState.DELIVERED, DeliveryState.FAILED, DeliveryState.CANCELLED)
    if state is not None and state not in states:
        raise ConfigError(f"--state {state[:20]!r}: one of {', '.join(states)}")
    found = list_deliveries(
        engine, deployed_chain_id(settings), subscription_id=subscription, state=state, limit=limit
    )
    rows = [
        {
            "id": d.id,
            "subscription": d.subscription_id,
            "webhook_id": d.event_id,
            "type": d.type,
            "state": d.state,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "next_attempt_at": _when(d.next_attempt_at) if d.state == DeliveryState.PENDING else None,
            "delivered_at": _when(d.delivered_at),
        }
        for d in found
    ]
    if as_json:
        emit({"deliveries": rows}, as_json=True, title="webhook deliveries")
        return
    console.print(
        table("webhook deliveries", list(rows[0]) if rows else ["id"], [list(r.values()) for r in rows])
    )


@webhooks_app.command("replay")
def replay(
    ctx: typer.Context,
    delivery_id: Annotated[int, typer.Argument(help="The delivery's id (`genip webhooks deliveries`).")],
    as_json: JsonOption = False,
) -> None:
    """Send a delivered or failed delivery again (same webhook-id, fresh attempts)."""
    from genip.webhooks.subscriptions import replay_delivery

    settings = settings_of(ctx)
    replay_delivery(open_database(settings), deployed_chain_id(settings), delivery_id)
    emit({"replayed": delivery_id}, as_json=as_json, title="webhook delivery queued again")


def stopper(stop: threading.Event, log: "Callable[[str], None]") -> "Callable[[int, Any], None]":
    """The SIGINT/SIGTERM handler of `run`: logs and sets `stop` from a thread of its own. A handler runs in
    the main thread between two of its steps, and the main thread spends its idle time in `stop.wait()`,
    holding the event's lock at moments: setting the event (or printing to stderr) from the handler itself
    could wait on a lock its own thread holds, and the worker would hang instead of stopping."""

    def handle(signum: int, _frame: Any) -> None:
        def stopping() -> None:
            log(f"{signal.Signals(signum).name}: finishing the requests in flight")
            stop.set()

        threading.Thread(target=stopping, name="genip-stop", daemon=True).start()

    return handle


@webhooks_app.command("run")
def run(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=256)] = 8,
    lease: Annotated[float, typer.Option("--lease", help="Seconds a claim is held.", min=2)] = 60.0,
    max_attempts: Annotated[int, typer.Option("--max-attempts", min=1, max=100)] = 8,
    backoff: Annotated[float, typer.Option("--backoff", help="First retry delay, seconds.", min=0)] = 5.0,
    timeout: Annotated[float, typer.Option("--timeout", help="Request timeout, seconds.", min=0.1)] = 10.0,
    poll: Annotated[float, typer.Option("--poll", help="Idle poll interval, seconds.", min=0.01)] = 0.2,
    status_interval: Annotated[float, typer.Option("--status-interval", min=0.1)] = 30.0,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Stop once nothing is due or in flight.")
    ] = False,
    private_urls: PrivateUrlsOption = False,
) -> None:
    """The delivery worker: runs until SIGINT/SIGTERM, logging a status line per interval."""
    from genip.webhooks.worker import Worker, WorkerConfig

    settings = settings_of(ctx)
    try:
        config = WorkerConfig(
            concurrency=concurrency,
            lease_seconds=lease,
            max_attempts=max_attempts,
            backoff_base=backoff,
            timeout=timeout,
            poll_interval=poll,
            status_interval=status_interval,
            private_urls=private_urls,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None

    def log(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)

    stop = threading.Event()
    handler = stopper(stop, log)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    Worker(open_database(settings), config, log=log).run(stop, until_idle=until_idle)
