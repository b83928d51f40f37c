"""Relay fixtures: a fresh migrated database on each backend (SQLite, Postgres) next to the session's anvil
(each test in a snapshot of it), a platform whose wallet is `PLATFORM`, and helpers to index and subscribe."""

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select, update

from genip.chain.client import GenIPClient
from genip.db import models
from genip.platforms import IssuedKey, add_platform
from genip.webhooks.subscriptions import add_subscription
from indexer.config import IndexerConfig
from indexer.runner import Indexer
from tests.helpers import PLATFORM
from tests.indexer.conftest import db_url, engine

__all__ = ["Setup", "db_url", "engine", "index", "setup", "subscribe", "webhook_events"]


@dataclass
class Setup:
    engine: Engine
    client: GenIPClient
    issued: IssuedKey


@pytest.fixture
def setup(engine: Engine, client: GenIPClient) -> Setup:
    """A platform "Pixels" whose wallet (the address creators authorise) is `PLATFORM`."""
    issued = add_platform(engine, client.deployment.chain_id, "Pixels", PLATFORM.address)
    return Setup(engine, client, issued)


def index(s: Setup) -> None:
    """Indexes the chain into the database once (as `genip index` would)."""
    Indexer(s.engine, IndexerConfig.from_deployment(s.client.deployment)).run(once=True)


def subscribe(s: Setup, platform_id: int | None, events: list[str]) -> int:
    sub_id, _secret = add_subscription(
        s.engine, chain_id=s.client.deployment.chain_id, url="https://hooks.example.com/x", events=events
    )
    with s.engine.begin() as c:
        c.execute(
            update(models.WebhookSubscription)
            .where(models.WebhookSubscription.id == sub_id)
            .values(platform_id=platform_id)
        )
    return sub_id


def webhook_events(s: Setup, subscription: int) -> list[tuple[str, dict[str, object]]]:
    """(type, data) of every event delivered to `subscription`, in the order written."""
    d, e = models.WebhookDelivery, models.WebhookEvent
    with s.engine.connect() as c:
        rows = c.execute(
            select(e.type, e.payload)
            .join(d, d.event_id == e.id)
            .where(d.subscription_id == subscription)
            .order_by(d.id)
        ).all()
    return [(r.type, r.payload["data"]) for r in rows]
