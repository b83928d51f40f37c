"""Verifying the webhooks Gen-IP sends (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
`webhook-signature`, HMAC-SHA256 of `id.timestamp.body` with the subscription's `whsec_…` secret).

The signature is computed by the `standardwebhooks` library (the one Gen-IP's delivery worker signs with) and
compared in constant time here, so the timestamp tolerance is the caller's (`tolerance`, default 5 minutes,
the specification's recommendation; the library's own `verify` fixes it at 5 minutes). Pass the raw body
bytes exactly as received — re-serialised JSON does not verify.

Delivery is at least once: a retried delivery carries the same `webhook-id`, so keep the ids you have
handled (for longer than the tolerance) and skip repeats.
"""

import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from genip_sdk.errors import WebhookVerificationError

__all__ = ["DEFAULT_TOLERANCE", "WebhookVerifier", "verify_webhook"]

#: Seconds a webhook's timestamp may be away from the receiver's clock (either way).
DEFAULT_TOLERANCE = 300.0


class WebhookVerifier:
    """Verifies webhooks signed with one subscription's secret (`whsec_` + base64, as `POST /webhooks`
    answered it once)."""

    def __init__(self, secret: str, *, tolerance: float = DEFAULT_TOLERANCE) -> None:
        if tolerance < 0:
            raise ValueError("tolerance cannot be negative")
        try:
            self._webhook = Webhook(secret)
        except (EmptyWebhookSecretError, ValueError) as exc:
            raise ValueError(f"not a webhook secret: {exc}") from None
        self.tolerance = tolerance

    def verify(self, body: bytes | str, headers: Mapping[str, str], *, now: datetime | None = None) -> Any:
        """The JSON payload of a verified webhook; `WebhookVerificationError` when a header is missing, the
        timestamp is outside the tolerance or no signature matches (several, space-separated, are allowed
        while a secret is rotated)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        msg_id = lowered.get("webhook-id")
        stamp = lowered.get("webhook-timestamp")
        signatures = lowered.get("webhook-signature")
        if not (msg_id and stamp and signatures):
            raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
        try:
            sent = datetime.fromtimestamp(int(stamp), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise WebhookVerificationError("malformed webhook-timestamp") from None
        skew = ((now or datetime.now(UTC)) - sent).total_seconds()
        if skew > self.tolerance:
            raise WebhookVerificationError(f"webhook timestamp is {skew:.0f} s old, over the tolerance")
        if -skew > self.tolerance:
            raise WebhookVerificationError(f"webhook timestamp is {-skew:.0f} s in the future")
        raw = body.encode() if isinstance(body, str) else bytes(body)
        expected = self._webhook.sign(msg_id, sent, raw).encode()
        if not any(hmac.compare_digest(expected, given.encode()) for given in signatures.split()):
            raise WebhookVerificationError("no matching signature")
        try:
            return json.loads(raw)
        except ValueError:
            raise WebhookVerificationError("the signed body is not JSON") from None


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: datetime | None = None,
) -> Any:
    """`WebhookVerifier(secret, tolerance=…).verify(body, headers)`."""
    return WebhookVerifier(secret, tolerance=tolerance).verify(body, headers, now=now)
