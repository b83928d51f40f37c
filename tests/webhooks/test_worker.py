"""The delivery worker against a real receiver, on SQLite and Postgres: signatures, retries with backoff,
failure and replay, a worker killed mid-delivery, and (Postgres) two workers sharing the queue."""

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from genip.db import models
from genip.webhooks.events import OutboxEvent, event_id, retract_after, write_events
from genip.webhooks.subscriptions import WebhookError, attempts_of, remove_subscription, replay_delivery
from genip.webhooks.worker import Outcome, Worker, WorkerConfig, backoff
from tests.webhooks.conftest import FAST, count, deliveries, run_worker, subscribe
from tests.webhooks.receiver import Receiver, receiver

CHAIN = 31337


def events(n: int, *, block: int = 10) -> list[OutboxEvent]:
    return [
        OutboxEvent(
            id=event_id(CHAIN, "test", i),
            type="work.registered",
            data={"asset_id": i + 1, "chain_id": CHAIN},
            timestamp=1_700_000_000 + i,
            block_number=block,
            assets=frozenset({i + 1}),
            accounts=frozenset({"0x" + "ab" * 20}),
        )
        for i in range(n)
    ]


def queue(engine: Engine, batch: list[OutboxEvent]) -> int:
    with engine.begin() as c:
        return write_events(c, CHAIN, batch)


def test_payloads_are_signed_and_every_event_is_delivered_once(engine: Engine, hooks: Receiver) -> None:
    subscribe(engine, hooks, "/a")
    batch = events(5)
    assert queue(engine, batch) == 5
    queue(engine, batch)  # the same events written again (a replayed range) add nothing
    assert count(engine, models.WebhookDelivery) == count(engine, models.WebhookEvent) == 5
    run_worker(engine)
    got = hooks.wait_for(5)
    assert hooks.invalid == []
    assert sorted(r.webhook_id for r in got) == sorted(e.id for e in batch)
    assert {r.type for r in got} == {"work.registered"}
    assert all(state == "delivered" for *_, state, _ in deliveries(engine))


def test_no_subscription_means_nothing_is_written(engine: Engine) -> None:
    assert queue(engine, events(3)) == 0
    assert count(engine, models.WebhookEvent) == 0


def test_a_500_is_retried_with_exponential_backoff(engine: Engine) -> None:
    with receiver(fail_first=3) as hooks:
        subscribe(engine, hooks, "/retry")
        queue(engine, events(1))
        stop = threading.Event()
        worker = Worker(engine, FAST, name="w")
        thread = threading.Thread(target=worker.run, args=(stop,))
        thread.start()
        try:
            got = hooks.wait_for(1, timeout=15)
        finally:
            stop.set()
            thread.join()
    assert [r.status for r in hooks.received] == [500, 500, 500, 200]
    assert len({r.webhook_id for r in hooks.received}) == 1  # every attempt carries the same webhook-id
    assert got[0].webhook_id == events(1)[0].id
    [delivery] = deliveries(engine)
    assert delivery[2] == "delivered"
    with engine.connect() as c:
        delivery_id = c.execute(select(models.WebhookDelivery.id)).scalar_one()
    log = attempts_of(engine, delivery_id)
    assert [(a.attempt, a.status) for a in log] == [(1, 500), (2, 500), (3, 500), (4, 200)]
    assert [a.error for a in log][:3] == ["HTTP 500"] * 3
    starts = [a.started_at.timestamp() for a in log]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    for k, gap in enumerate(gaps):  # 0.2 s, 0.4 s, 0.8 s (±10 %), plus polling
        assert gap >= 0.9 * FAST.backoff_base * 2**k, gaps
    assert gaps[2] > gaps[0]


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [round(backoff(n, 5, 60, jitter=0)) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_max_attempts_fail_the_delivery_and_replay_sends_it_again(engine: Engine) -> None:
    config = WorkerConfig(
        lease_seconds=5, timeout=2, backoff_base=0.05, max_attempts=2, poll_interval=0.05, status_interval=60
    )
    with receiver(fail_first=2) as hooks:
        subscribe(engine, hooks, "/fail")
        queue(engine, events(1))
        stop = threading.Event()
        thread = threading.Thread(target=Worker(engine, config, name="w").run, args=(stop,))
        thread.start()
        deadline = time.monotonic() + 10
        while deliveries(engine)[0][2] != "failed" and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        thread.join()
        assert deliveries(engine)[0][2] == "failed"
        with engine.connect() as c:
            delivery_id = c.execute(select(models.WebhookDelivery.id)).scalar_one()
        replay_delivery(engine, CHAIN, delivery_id)
        with pytest.raises(WebhookError, match="still queued"):
            replay_delivery(engine, CHAIN, delivery_id)
        run_worker(engine, config)
        got = hooks.wait_for(1)
    assert deliveries(engine)[0][2] == "delivered"
    assert {r.webhook_id for r in hooks.received} == {got[0].webhook_id}  # the replay keeps the id
    assert [a.status for a in attempts_of(engine, delivery_id)] == [500, 500, 200]


def _worker_process(db_url: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_")}
    env |= {"GENIP_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "webhooks", "run", "--poll", "0.05", *args],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_delivery_loses_nothing(engine: Engine, db_url: str) -> None:
    with receiver(hold_first=1, hold=1.5) as hooks:  # the first request is held while the worker dies
        subscribe(engine, hooks, "/kill")
        batch = events(3)
        queue(engine, batch)
        first = _worker_process(db_url, "--concurrency", "1", "--lease", "3", "--timeout", "1.5")
        try:
            assert hooks.started.wait(30), "the worker never sent anything"
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == -signal.SIGKILL
        states = [state for *_, state, _ in deliveries(engine)]
        assert "delivered" not in states[:1]
        second = _worker_process(db_url, "--concurrency", "1", "--lease", "3", "--timeout", "1.5")
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(
                state != "delivered" for *_, state, _ in deliveries(engine)
            ):
                time.sleep(0.1)
        finally:
            second.send_signal(signal.SIGTERM)
            _out, err = second.communicate(timeout=20)
        assert second.returncode == 0, err
    assert "stopped" in err and "whsec_" not in err
    assert all(state == "delivered" for *_, state, _ in deliveries(engine))
    ids = [r.webhook_id for r in hooks.received]
    assert set(ids) == {e.id for e in batch}  # nothing lost, nothing invented
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates in ([], [batch[0].id])  # only the interrupted one may arrive twice, with its own id
    with engine.connect() as c:
        attempts = dict(
            c.execute(select(models.WebhookDelivery.event_id, models.WebhookDelivery.attempts)).all()
        )
    assert attempts[batch[0].id] == 2  # the killed attempt counted, then the one after the lease ran out


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_share_the_queue_without_double_sends(engine: Engine, db_url: str) -> None:
    with receiver(delay=0.005) as hooks:
        subscribe(engine, hooks, "/pair")
        batch = events(200)
        queue(engine, batch)
        workers = [
            _worker_process(db_url, "--concurrency", "4", "--lease", "10", "--timeout", "5") for _ in range(2)
        ]
        try:
            hooks.wait_for(200, timeout=60)
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            errs = [w.communicate(timeout=20)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], errs
    ids = Counter(r.webhook_id for r in hooks.received)
    assert set(ids) == {e.id for e in batch}
    assert max(ids.values()) == 1  # no attempt was sent twice
    with engine.connect() as c:
        rows = c.execute(select(models.WebhookAttempt.delivery_id, models.WebhookAttempt.worker)).all()
    assert len(rows) == 200 and len({r[0] for r in rows}) == 200
    assert len({r[1] for r in rows}) == 2, "both workers took part"


def test_a_retraction_waits_for_the_original_in_flight_and_skips_removed_subscriptions(
    engine: Engine, hooks: Receiver
) -> None:
    kept = subscribe(engine, hooks, "/kept")
    gone = subscribe(engine, hooks, "/gone")
    queue(engine, events(1, block=10))
    worker = Worker(engine, FAST, name="w")
    in_flight = worker.claim(10)  # both deliveries leased: the receiver may be acting on them
    assert len(in_flight) == 2
    remove_subscription(engine, CHAIN, gone)
    with engine.begin() as c:
        assert retract_after(c, CHAIN, 9) == 1  # block 10 left the chain; only `kept` is told
    assert worker.claim(10) == []  # not while the original is in flight
    outcome = Outcome(datetime.now(UTC), 1.0, 200, None)
    assert worker.record_all([(job, outcome) for job in in_flight]) == ["lost", "lost"]  # cancelled
    [retraction] = worker.claim(10)
    assert retraction.type == "work.registered.retracted"
    assert json.loads(retraction.body)["data"]["webhook_id"] == in_flight[0].event_id
    assert [(s, state) for s, _, state, _ in deliveries(engine)] == [
        (kept, "cancelled"),
        (gone, "cancelled"),
        (kept, "pending"),
    ]
