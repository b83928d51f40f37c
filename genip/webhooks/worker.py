"""The delivery worker (`genip webhooks run`): claims due deliveries, POSTs them signed, logs every attempt.

**Claiming.** A worker claims due deliveries with one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)
RETURNING`: on Postgres several workers share the queue and never claim the same row, because a claim sets a
lease (`leased_by`, `leased_until`) and counts the attempt in the same statement. A worker that dies (SIGKILL,
power loss) leaves its rows leased; once the lease runs out any worker claims them again, so an event is
delivered at least once, and every delivery of it carries the same `webhook-id` for the receiver to dedupe.
A result is recorded only by the worker still holding that attempt's lease. On SQLite the same statement is
atomic (SQLite writes one transaction at a time), but run one worker there: several would only queue on the
database's write lock.

**Sending.** Standard Webhooks: the JSON body signed with the subscription's secret (`webhook-id`,
`webhook-timestamp` of the attempt, `webhook-signature`: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`),
an HTTP POST with httpx that does not follow redirects. A 2xx answer delivers; anything else (status, timeout,
refused connection) is retried after `backoff_base · 2^(attempt-1)` seconds (capped, ±10 % jitter) until
`max_attempts`, then the delivery is failed (the operator can replay it). Up to `concurrency` requests are
in flight at once, on a thread pool: one slow receiver does not hold the others up.

**Where it connects.** A platform's subscription (`genip.webhooks.subscriptions.must_be_public`) is sent
through `PublicOnlyTransport` unless `private_urls` (`GENIP_API_WEBHOOK_PRIVATE_URLS`, `--private-urls`):
every connection it opens resolves the host itself, judges every address by the rule `POST /webhooks` applied
at subscription (`private_address`), and connects to those very addresses (in the resolver's order, the next
when one refuses), so a name that resolved to a public address when subscribed and resolves to 127.0.0.1,
10.x or 169.254.169.254 now (DNS rebinding) is refused, and no second lookup can differ from the checked one.
TLS still names and verifies the host. A refused attempt is logged like a failed one (`error` "refused: …
private address", no status) and retried with the same backoff: the name may point back to a public address
later, and a delivery that stays refused ends `failed` after `max_attempts`, replayable once the receiver is
fixed. The operator's own subscriptions go anywhere, as they may be made to.

**Health.** A status line every `status_interval` (delivered, retried, failed since the last line; deliveries
due now and the oldest one's wait); `stop` (SIGINT/SIGTERM in the CLI) finishes the requests in flight,
records them and returns. Log lines name deliveries, events and redacted URLs, never secrets or signatures.
"""

import json
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpcore
import httpx
from sqlalchemy import Engine, and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased
from standardwebhooks.webhooks import Webhook

from genip.db import models
from genip.errors import redact_url
from genip.webhooks.events import DeliveryState
from genip.webhooks.subscriptions import must_be_public, private_address, resolve

__all__ = [
    "Job",
    "Outcome",
    "PrivateAddressRefused",
    "PublicOnlyTransport",
    "Worker",
    "WorkerConfig",
    "WorkerStats",
    "backoff",
    "signed_headers",
]


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 8
    lease_seconds: float = 60.0  # longer than a request can take (`timeout`), or two workers could overlap
    max_attempts: int = 8
    backoff_base: float = 5.0
    backoff_cap: float = 3_600.0
    timeout: float = 10.0
    poll_interval: float = 0.2
    status_interval: float = 30.0
    #: `GENIP_API_WEBHOOK_PRIVATE_URLS`: platforms' webhooks may go to private addresses (local setups only).
    private_urls: bool = False

    def __post_init__(self) -> None:
        if self.lease_seconds <= self.timeout + 1:
            raise ValueError("the lease must outlast a request: lease_seconds > timeout + 1")
        if self.concurrency < 1 or self.max_attempts < 1:
            raise ValueError("concurrency and max_attempts must be at least 1")


def backoff(attempt: int, base: float, cap: float, *, jitter: float = 0.1) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based)."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return float(delay * random.uniform(1 - jitter, 1 + jitter))


def signed_headers(secret: str, msg_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
        "content-type": "application/json",
        "user-agent": "genip-webhooks/1",
    }


class PrivateAddressRefused(httpcore.ConnectError):
    """A connection not opened: the host is, or resolves to, a private address (`private_address`)."""


class _PublicOnlyBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, opened to public addresses only: resolves the host, judges every address, and
    connects to the addresses it judged (see the module doc)."""

    def __init__(self) -> None:
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} does not resolve ({exc})") from None
        reason = private_address(host, addresses)
        if reason is not None:
            raise PrivateAddressRefused(reason)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        last: Exception | None = None
        for address in addresses:
            try:
                return self._sockets.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webhooks are not sent over Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's transport whose connections go to public addresses only (`_PublicOnlyBackend`). httpx builds
    its httpcore pool without a network-backend parameter, so the backend is set on the pool it built."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pool._network_backend = _PublicOnlyBackend()


@dataclass(frozen=True)
class Job:
    """A claimed delivery: attempt number `attempt` of delivery `id`."""

    id: int
    attempt: int
    event_id: str
    type: str
    url: str
    secret: str = field(repr=False)
    body: bytes = field(repr=False)
    public_only: bool = False  # a platform's subscription: sent through `PublicOnlyTransport`


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: float
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class WorkerStats:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    lost_lease: int = 0


def _body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


class Worker:
    """One delivery worker; several may run against one Postgres database."""

    def __init__(
        self,
        engine: Engine,
        config: WorkerConfig | None = None,
        *,
        name: str | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.config = config or WorkerConfig()
        self.name = (name or f"{socket.gethostname()}:{os.getpid()}")[:80]
        self.log = log or (lambda _line: None)
        self.stats = WorkerStats()

    # ─────────────────────────────── queue ───────────────────────────────

    def claim(self, limit: int) -> list[Job]:
        """Leases up to `limit` due deliveries to this worker (one attempt each)."""
        now = datetime.now(UTC)
        d = models.WebhookDelivery
        due, prior = aliased(d), aliased(d)
        in_flight_prior = exists().where(prior.id == due.follows, prior.leased_until > now)
        candidates = (
            select(due.id)
            .where(
                due.state == DeliveryState.PENDING,
                due.next_attempt_at <= now,
                or_(due.leased_until.is_(None), due.leased_until < now),
                ~in_flight_prior,
            )
            .order_by(due.next_attempt_at, due.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=due)
        )
        with self.engine.begin() as c:
            claimed = c.execute(
                update(d)
                .where(d.id.in_(candidates))
                .values(
                    leased_by=self.name,
                    leased_until=now + timedelta(seconds=self.config.lease_seconds),
                    attempts=d.attempts + 1,
                )
                .returning(d.id, d.attempts)
            ).all()
            if not claimed:
                return []
            attempts = {row[0]: row[1] for row in claimed}
            e, s = models.WebhookEvent, models.WebhookSubscription
            rows = c.execute(
                select(d.id, d.event_id, e.type, e.payload, s.url, s.secret, s.platform_id)
                .join(e, e.id == d.event_id)
                .join(s, s.id == d.subscription_id)
                .where(d.id.in_(list(attempts)))
                .order_by(d.id)
            ).all()
        return [
            Job(
                id=r.id,
                attempt=attempts[r.id],
                event_id=r.event_id,
                type=r.type,
                url=r.url,
                secret=r.secret,
                body=_body(r.payload),
                public_only=must_be_public(r.platform_id, self.config.private_urls),
            )
            for r in rows
        ]

    def send(self, client: httpx.Client, job: Job) -> Outcome:
        """One signed POST; never raises for a failed request."""
        started = datetime.now(UTC)
        clock = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = client.post(
                job.url, content=job.body, headers=signed_headers(job.secret, job.event_id, job.body, started)
            )
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            if isinstance(exc.__cause__, PrivateAddressRefused):
                error = (
                    f"refused: {exc.__cause__}; platforms' webhooks go to public addresses only "
                    "(GENIP_API_WEBHOOK_PRIVATE_URLS)"
                )[:300]
            else:
                text = str(exc).splitlines()[0] if str(exc) else ""
                error = f"{type(exc).__name__}: {text}"[:300]
        return Outcome(started, (time.perf_counter() - clock) * 1000, status, error)

    def record(self, job: Job, outcome: Outcome) -> str:
        """Logs one attempt and moves its delivery on; see `record_all`."""
        return self.record_all([(job, outcome)])[0]

    def record_all(self, finished: list[tuple[Job, Outcome]]) -> list[str]:
        """Logs finished attempts and moves their deliveries on (where this worker still holds the lease), in
        one transaction; returns each one's new state: delivered, retry, failed, or lost (another worker took
        it over after the lease ran out, or it was cancelled meanwhile: reorg, removed subscription)."""
        now = datetime.now(UTC)
        d = models.WebhookDelivery
        results: list[str] = []
        with self.engine.begin() as c:
            c.execute(
                insert(models.WebhookAttempt),
                [
                    {
                        "delivery_id": job.id,
                        "attempt": job.attempt,
                        "worker": self.name,
                        "started_at": outcome.started_at,
                        "duration_ms": round(outcome.duration_ms, 3),
                        "status": outcome.status,
                        "error": outcome.error,
                    }
                    for job, outcome in finished
                ],
            )
            for job, outcome in finished:
                mine = and_(d.id == job.id, d.leased_by == self.name, d.attempts == job.attempt)
                values: dict[str, Any] = {
                    "leased_by": None,
                    "leased_until": None,
                    "last_status": outcome.status,
                    "last_error": outcome.error,
                }
                if outcome.ok:
                    values |= {"state": DeliveryState.DELIVERED, "delivered_at": now}
                    result = "delivered"
                elif job.attempt >= self.config.max_attempts:
                    values["state"] = DeliveryState.FAILED
                    result = "failed"
                else:
                    pause = backoff(job.attempt, self.config.backoff_base, self.config.backoff_cap)
                    values["next_attempt_at"] = now + timedelta(seconds=pause)
                    result = "retry"
                moved = c.execute(
                    update(d).where(mine, d.state == DeliveryState.PENDING).values(**values)
                ).rowcount
                if not moved:  # not ours any more, or cancelled: release our lease, if still held
                    c.execute(update(d).where(mine).values(leased_by=None, leased_until=None))
                    result = "lost"
                results.append(result)
        for (job, outcome), result in zip(finished, results, strict=True):
            match result:
                case "delivered":
                    self.stats.delivered += 1
                case "retry":
                    self.stats.retried += 1
                case "failed":
                    self.stats.failed += 1
                case _:
                    self.stats.lost_lease += 1
            if result != "delivered":
                self.log(
                    f"delivery {job.id} ({job.type} {job.event_id}) attempt {job.attempt} to "
                    f"{redact_url(job.url)}: {outcome.error or outcome.status} → {result}"
                )
        return results

    def backlog(self) -> tuple[int, float]:
        """Deliveries due now, and how long the oldest has waited (seconds)."""
        now = datetime.now(UTC)
        d = models.WebhookDelivery
        with self.engine.connect() as c:
            count, oldest = c.execute(
                select(func.count(), func.min(d.next_attempt_at)).where(
                    d.state == DeliveryState.PENDING, d.next_attempt_at <= now
                )
            ).one()
        if oldest is None:
            return int(count), 0.0
        if oldest.tzinfo is None:  # SQLite hands datetimes back naive (stored as UTC)
            oldest = oldest.replace(tzinfo=UTC)
        return int(count), max(0.0, (now - oldest).total_seconds())

    # ─────────────────────────────── loop ───────────────────────────────

    def run(self, stop: threading.Event, *, until_idle: bool = False) -> WorkerStats:
        """Delivers until `stop` is set (or, with `until_idle`, until nothing is due or in flight)."""
        cfg = self.config
        self.claim(0)  # connects and prepares the claim before saying it has started
        due, oldest = self.backlog()
        self.log(
            f"webhook worker {self.name} started: {cfg.concurrency} in flight at most, lease "
            f"{cfg.lease_seconds:g}s, {cfg.max_attempts} attempts, platforms' webhooks to "
            f"{'any address (private URLs allowed)' if cfg.private_urls else 'public addresses only'}; "
            f"due now {due}, oldest waiting {oldest:.1f}s"
        )
        in_flight: dict[Future[Outcome], Job] = {}
        last_status = time.monotonic()
        shown = WorkerStats()
        with (
            httpx.Client(timeout=cfg.timeout, follow_redirects=False) as client,
            httpx.Client(
                timeout=cfg.timeout, follow_redirects=False, transport=PublicOnlyTransport()
            ) as public_only,  # a given transport also keeps environment proxies (which would resolve) out
            ThreadPoolExecutor(cfg.concurrency, thread_name_prefix="genip-webhook") as pool,
        ):
            while True:
                if not stop.is_set() and len(in_flight) < cfg.concurrency:
                    try:
                        for job in self.claim(cfg.concurrency - len(in_flight)):
                            sender = public_only if job.public_only else client
                            in_flight[pool.submit(self.send, sender, job)] = job
                    except OperationalError as exc:  # the database went away: retry after a pause
                        self.log(f"database unavailable ({type(exc.orig or exc).__name__}); retrying")
                        stop.wait(cfg.poll_interval * 5)
                if not in_flight:
                    if stop.is_set() or until_idle:
                        break
                    stop.wait(cfg.poll_interval)
                else:
                    done, _ = wait(in_flight, timeout=cfg.poll_interval, return_when=FIRST_COMPLETED)
                    self._record_safely([(in_flight.pop(f), f.result()) for f in done])
                if time.monotonic() - last_status >= cfg.status_interval:
                    self._status(shown)
                    last_status = time.monotonic()
        self._status(shown)
        self.log(f"webhook worker {self.name} stopped")
        return self.stats

    def _record_safely(self, finished: list[tuple[Job, Outcome]]) -> None:
        if not finished:
            return
        for pause in (0.5, 1, 2, 4, 8):
            try:
                self.record_all(finished)
                return
            except OperationalError:  # if this never lands, the leases run out and the attempts happen again
                time.sleep(pause)
        self.log(
            f"could not record {len(finished)} attempt(s); they will be retried when their leases run out"
        )

    def _status(self, shown: WorkerStats) -> None:
        s = self.stats
        try:
            due, oldest = self.backlog()
            queue = f"due now {due}, oldest waiting {oldest:.1f}s"
        except OperationalError:
            queue = "queue unknown (database unavailable)"
        self.log(
            f"webhooks: delivered {s.delivered - shown.delivered}, retried {s.retried - shown.retried}, "
            f"failed {s.failed - shown.failed} since last status; {queue}"
        )
        shown.delivered, shown.retried, shown.failed = s.delivered, s.retried, s.failed
