"""Webhooks: an outbox written with the facts, fanned out to subscriptions, delivered by separate workers.

* `events` — event types, the outbox writer (`write_events`, in the caller's transaction) and reorg
  retraction (`retract_after`);
* `subscriptions` — what the operator manages (`genip webhooks add/list/remove/deliveries/replay`);
* `worker` — the delivery worker (`genip webhooks run`): Standard Webhooks signatures, at-least-once with
  exponential backoff, leases shared through Postgres `SKIP LOCKED`.
"""

from genip.webhooks.events import EVENT_TYPES, RETRACTED, OutboxEvent, retract_after, write_events
from genip.webhooks.subscriptions import WebhookError

__all__ = ["EVENT_TYPES", "RETRACTED", "OutboxEvent", "WebhookError", "retract_after", "write_events"]
