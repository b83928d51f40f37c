"""When the client retries a request, and how long it waits.

* **429** (over quota): waits what `Retry-After` says (seconds or an HTTP date), if that is at most
  `max_retry_after`; a longer wait is not slept through, the `RateLimitedError` is raised at once with its
  `retry_after` so the caller can schedule.
* **5xx** (502/503/504 by default) and **connection errors / timeouts**: exponential backoff with full jitter,
  `uniform(0, min(max_backoff, base · 2^(attempt-1)))` (AWS's "full jitter": retries from many clients spread
  out instead of arriving in waves).
* At most `attempts` tries in all (the first included).

Requests that change something and are not idempotent (creating a webhook subscription) are retried only
when they certainly did not reach the server (the connection could not be opened) or were refused with 429.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = ["RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Statuses retried with backoff (besides 429, retried after `Retry-After`).
RETRY_STATUSES: Final = frozenset({502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many tries, and how long to wait between them (see the module doc). `RetryPolicy(attempts=1)`
    turns retries off."""

    attempts: int = 4
    backoff_base: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.backoff_base < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("waits cannot be negative")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based): full jitter."""
        return random.uniform(0, min(self.max_backoff, self.backoff_base * 2 ** (attempt - 1)))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds (from delta-seconds or an HTTP date); None when absent or malformed."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
