"""The outbox: events written with the rows that made them, fanned out to the subscriptions that want them.

Whoever records a fact (the indexer's batch transaction, the provenance step's row) calls `write_events` in
its own transaction: the events and one `webhook_deliveries` row per matching subscription land with the fact
or not at all, so no event is lost and none is invented. Nothing is written while no subscription wants an
event (a backfill with no subscribers pays one small query per batch), and a subscription only receives events
recorded after it was created.

Ids are derived from where an event comes from (chain, block hash, log index, type): writing the same event
twice (a replayed range, a re-index) is a no-op, and every delivery of one event, to any subscription and on
every attempt, carries the same `webhook-id`.

`retract_after` runs in the indexer's reorg-rollback transaction: events of the removed blocks whose delivery
was never attempted are dropped; those already attempted (the receiver may have acted on them) get a
`<type>.retracted` event naming the original `webhook-id`, sent to the same subscriptions once the original's
attempt in flight, if any, is over.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from genip.db import models

__all__ = [
    "EVENT_TYPES",
    "RETRACTED",
    "DeliveryState",
    "OutboxEvent",
    "event_id",
    "has_subscriptions",
    "retract_after",
    "write_events",
]

#: Event types a subscription can ask for.
EVENT_TYPES: Final = (
    "work.registered",
    "license.purchased",
    "license.expired",
    "dispute.raised",
    "dispute.resolved",
    "copy.marked",
    "report.resolved",
    "registration.updated",  # a platform registration's state changed (`genip.relay`): its platform only
)
#: Suffix of the type of a retraction (`work.registered.retracted`), sent to whoever got the original.
RETRACTED: Final = ".retracted"


class DeliveryState:
    """Delivery states (`webhook_deliveries.state`)."""

    PENDING: Final = "pending"
    DELIVERED: Final = "delivered"
    FAILED: Final = "failed"
    CANCELLED: Final = "cancelled"


def event_id(*parts: object) -> str:
    """A Standard Webhooks message id derived from the event's origin (stable across re-writes)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return f"msg_{digest[:32]}"


@dataclass(frozen=True)
class OutboxEvent:
    """One event: its type, its JSON `data`, the chain time it happened at, the block it belongs to (None:
    not chain-bound) and what filters see (asset ids; accounts, any case)."""

    id: str
    type: str
    data: dict[str, Any]
    timestamp: int
    block_number: int | None
    assets: frozenset[int] = field(default_factory=frozenset)
    accounts: frozenset[str] = field(default_factory=frozenset)
    #: Only this platform's subscriptions receive it (`report.resolved`: reports name a platform's users);
    #: None: any subscription.
    platform: int | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body sent (the Standard Webhooks envelope: type, timestamp, data)."""
        return {
            "type": self.type,
            "timestamp": datetime.fromtimestamp(self.timestamp, UTC).isoformat().replace("+00:00", "Z"),
            "data": self.data,
        }


@dataclass(frozen=True)
class _Subscription:
    id: int
    types: frozenset[str]
    assets: frozenset[int] | None
    accounts: frozenset[str] | None
    platform: int | None = None

    def wants(self, event: OutboxEvent) -> bool:
        if event.type not in self.types:
            return False
        if event.platform is not None and self.platform != event.platform:
            return False
        if self.assets is not None and not (self.assets & event.assets):
            return False
        if self.accounts is not None:
            return bool(self.accounts & {a.lower() for a in event.accounts})
        return True


def _subscriptions(c: Connection, chain_id: int) -> list[_Subscription]:
    s = models.WebhookSubscription
    rows = c.execute(
        select(s.id, s.event_types, s.asset_ids, s.accounts, s.platform_id).where(
            s.chain_id == chain_id, s.removed_at.is_(None)
        )
    ).all()
    return [
        _Subscription(
            id=r.id,
            types=frozenset(r.event_types),
            assets=None if r.asset_ids is None else frozenset(int(a) for a in r.asset_ids),
            accounts=None if r.accounts is None else frozenset(str(a).lower() for a in r.accounts),
            platform=r.platform_id,
        )
        for r in rows
    ]


def _insert(c: Connection) -> Any:
    return postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert


def has_subscriptions(c: Connection, chain_id: int) -> bool:
    s = models.WebhookSubscription
    found = c.execute(select(s.id).where(s.chain_id == chain_id, s.removed_at.is_(None)).limit(1)).first()
    return found is not None


def write_events(
    c: Connection, chain_id: int, events: Iterable[OutboxEvent], *, now: datetime | None = None
) -> int:
    """Writes the events some subscription wants, and their deliveries, in the caller's transaction `c`;
    returns the number of deliveries written. Events already written are left as they are."""
    subs = _subscriptions(c, chain_id)
    if not subs:
        return 0
    now = now or datetime.now(UTC)
    event_rows: list[dict[str, Any]] = []
    delivery_rows: list[dict[str, Any]] = []
    for event in events:
        targets = [s.id for s in subs if s.wants(event)]
        if not targets:
            continue
        event_rows.append(
            {
                "id": event.id,
                "chain_id": chain_id,
                "type": event.type,
                "block_number": event.block_number,
                "payload": event.body(),
                "retracts": None,
                "retracted_at": None,
                "created_at": now,
            }
        )
        delivery_rows += [_delivery(sub, event.id, now) for sub in targets]
    if not event_rows:
        return 0
    ins = _insert(c)
    c.execute(ins(models.WebhookEvent).on_conflict_do_nothing(index_elements=["id"]), event_rows)
    c.execute(
        ins(models.WebhookDelivery).on_conflict_do_nothing(index_elements=["subscription_id", "event_id"]),
        delivery_rows,
    )
    return len(delivery_rows)


def _delivery(subscription: int, event: str, now: datetime, follows: int | None = None) -> dict[str, Any]:
    return {
        "subscription_id": subscription,
        "event_id": event,
        "state": DeliveryState.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "leased_by": None,
        "leased_until": None,
        "follows": follows,
        "last_status": None,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
    }


def retract_after(c: Connection, chain_id: int, block: int, *, now: datetime | None = None) -> int:
    """In the reorg rollback's transaction `c`: handles the events of blocks after `block` (see module doc);
    returns the number of retractions queued."""
    now = now or datetime.now(UTC)
    e, d = models.WebhookEvent, models.WebhookDelivery
    gone = c.execute(
        select(e.id, e.type, e.block_number, e.payload).where(
            e.chain_id == chain_id, e.block_number > block, e.retracted_at.is_(None)
        )
    ).all()
    if not gone:
        return 0
    ids = [g.id for g in gone]
    # Never attempted: nobody saw them; they are simply dropped.
    c.execute(delete(d).where(d.event_id.in_(ids), d.attempts == 0, d.state == DeliveryState.PENDING))
    s = models.WebhookSubscription
    sent = c.execute(
        select(d.id, d.subscription_id, d.event_id, s.removed_at)
        .join(s, s.id == d.subscription_id)
        .where(d.event_id.in_(ids))
        .order_by(d.id)
    ).all()
    # Attempted and not yet delivered: no more retries.
    c.execute(
        update(d)
        .where(d.event_id.in_(ids), d.state == DeliveryState.PENDING)
        .values(state=DeliveryState.CANCELLED)
    )
    by_event: dict[str, list[tuple[int, int]]] = {}  # event -> (delivery, subscription) still subscribed
    for row in sent:
        told = by_event.setdefault(row.event_id, [])
        if row.removed_at is None:
            told.append((row.id, row.subscription_id))
    c.execute(delete(e).where(e.id.in_([i for i in ids if i not in by_event])))
    if not by_event:
        return 0
    c.execute(update(e).where(e.id.in_(list(by_event))).values(retracted_at=now))
    retractions: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for original in gone:
        if not by_event.get(original.id):  # sent only to subscriptions removed since
            continue
        retraction_id = event_id("retraction", original.id)
        retractions.append(
            {
                "id": retraction_id,
                "chain_id": chain_id,
                "type": original.type + RETRACTED,
                "block_number": None,
                "payload": {
                    "type": original.type + RETRACTED,
                    "timestamp": now.isoformat().replace("+00:00", "Z"),
                    "data": {
                        "webhook_id": original.id,
                        "type": original.type,
                        "reason": "reorg",
                        "chain_id": chain_id,
                        "block_number": original.block_number,
                        "original": original.payload.get("data"),
                    },
                },
                "retracts": original.id,
                "retracted_at": None,
                "created_at": now,
            }
        )
        deliveries += [
            _delivery(sub, retraction_id, now, follows=delivery) for delivery, sub in by_event[original.id]
        ]
    if not deliveries:
        return 0
    ins = _insert(c)
    c.execute(ins(e).on_conflict_do_nothing(index_elements=["id"]), retractions)
    c.execute(ins(d).on_conflict_do_nothing(index_elements=["subscription_id", "event_id"]), deliveries)
    return len(deliveries)
