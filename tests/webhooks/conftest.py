"""Webhook fixtures: the indexer tests' fresh anvil and databases on both backends (SQLite, Postgres), a real
receiver, and helpers to subscribe and to run a worker."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from genip.db import models
from genip.webhooks.events import EVENT_TYPES
from genip.webhooks.subscriptions import add_subscription
from genip.webhooks.worker import Worker, WorkerConfig
from tests.indexer.conftest import chain, db_url, engine, postgres_database
from tests.webhooks.receiver import Receiver, receiver

__all__ = ["chain", "db_url", "deliveries", "engine", "postgres_database", "run_worker", "subscribe"]

#: Fast retries for tests; the receivers listen on this host: platforms' webhooks may go to private addresses.
FAST = WorkerConfig(
    lease_seconds=5.0, timeout=2.0, backoff_base=0.2, poll_interval=0.05, status_interval=60,
    private_urls=True,
)  # fmt: skip


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def subscribe(
    engine: Engine,
    hooks: Receiver,
    path: str,
    *,
    chain_id: int = 31337,
    events: list[str] | None = None,
    assets: list[int] | None = None,
    accounts: list[str] | None = None,
) -> int:
    """Subscribes the receiver's `path` and tells the receiver its secret."""
    sub_id, secret = add_subscription(
        engine,
        chain_id=chain_id,
        url=hooks.url(path),
        events=events or list(EVENT_TYPES),
        assets=assets,
        accounts=accounts,
    )
    hooks.secrets[path] = secret
    return sub_id


def run_worker(engine: Engine, config: WorkerConfig = FAST, name: str = "test-worker") -> Worker:
    """Runs a worker in this thread until nothing is due or in flight."""
    worker = Worker(engine, config, name=name)
    worker.run(threading.Event(), until_idle=True)
    return worker


def deliveries(engine: Engine, **where: object) -> list[tuple[int, str, str, str]]:
    """(subscription id, event type, state, event id) of every delivery, oldest first."""
    d, e = models.WebhookDelivery, models.WebhookEvent
    query = select(d.subscription_id, e.type, d.state, e.id).join(e, e.id == d.event_id).order_by(d.id)
    for name, value in where.items():
        query = query.where(getattr(d, name) == value)
    with engine.connect() as c:
        return [(r[0], r[1], r[2], r[3]) for r in c.execute(query).all()]


def count(engine: Engine, model: type[models.Base]) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(model)).scalar_one())
