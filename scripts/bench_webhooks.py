"""Benchmark: webhook delivery lag, from the moment an event is committed to the outbox to the moment a local
receiver has read and verified it.

Events are written at `--rate` per second in small transactions (one every 100 ms, as the indexer's live
batches come) with `genip.webhooks.events.write_events`, the function the indexer's batch transaction calls;
`--workers` delivery workers run as separate processes (`genip webhooks run`), and a threaded HTTP receiver on
127.0.0.1 verifies each Standard Webhooks signature and notes the arrival time. Lag = arrival minus the event
row's commit time. The chain and the indexer are left out on purpose: their lag is `bench_indexer.py`'s.
Goal (issue 20): p99 ≤ 2 s at 100 events/s.

    .venv/bin/python scripts/bench_webhooks.py --seconds 10 --rate 100 [--db postgres] [--workers 2]

Prints the figures, then one line of JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.webhooks.events import OutboxEvent, event_id, write_events
from genip.webhooks.subscriptions import add_subscription

CHAIN = 31337
ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("GENIP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    import psycopg

    name = f"genip_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Arrivals:
    def __init__(self, secret: str) -> None:
        self.webhook = Webhook(secret)
        self.lock = threading.Lock()
        self.at: dict[str, float] = {}
        self.duplicates = 0
        self.invalid = 0

    def serve(self) -> tuple[ThreadingHTTPServer, int]:
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                now = time.time()
                try:
                    arrivals.webhook.verify(body, {k.lower(): v for k, v in self.headers.items()})
                    status = 200
                except Exception:
                    status = 400
                with arrivals.lock:
                    if status == 400:
                        arrivals.invalid += 1
                    elif self.headers["webhook-id"] in arrivals.at:
                        arrivals.duplicates += 1
                    else:
                        arrivals.at[self.headers["webhook-id"]] = now
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Silent."""

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, server.server_address[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=100, help="events per second")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.db == "sqlite" and args.workers != 1:
        parser.error("SQLite: one worker")

    with database(args.db) as url:
        engine = make_engine(url)
        upgrade(engine)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_")}
        env |= {"GENIP_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
        server: ThreadingHTTPServer | None = None
        workers: list[subprocess.Popen[str]] = []
        try:
            probe = Arrivals("whsec_" + "A" * 43)
            server, port = probe.serve()
            _, secret = add_subscription(
                engine, chain_id=CHAIN, url=f"http://127.0.0.1:{port}/bench", events=["work.registered"]
            )
            arrivals = probe
            arrivals.webhook = Webhook(secret)
            workers = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "cli",
                        "webhooks",
                        "run",
                        "--poll",
                        "0.05",
                        "--status-interval",
                        "5",
                    ],
                    env=env,
                    cwd=ROOT,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(args.workers)
            ]
            for w in workers:  # wait until each worker is up (imports, database check)
                assert w.stderr is not None
                while "started" not in (line := w.stderr.readline()):
                    if not line:
                        raise SystemExit("a worker exited before starting")
            total = int(args.seconds * args.rate)
            per_tick = max(1, args.rate // 10)
            written = 0
            started = time.monotonic()
            while written < total:
                batch = [
                    OutboxEvent(
                        id=event_id("bench", written + i),
                        type="work.registered",
                        data={"asset_id": written + i + 1, "chain_id": CHAIN},
                        timestamp=int(time.time()),
                        block_number=written + i,
                        assets=frozenset({written + i + 1}),
                    )
                    for i in range(min(per_tick, total - written))
                ]
                with engine.begin() as c:
                    write_events(c, CHAIN, batch, now=datetime.now(UTC))
                written += len(batch)
                time.sleep(max(0.0, started + written / args.rate - time.monotonic()))
            elapsed_write = time.monotonic() - started
            deadline = time.monotonic() + 60
            while len(arrivals.at) < total and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                w.communicate(timeout=30)
            if server is not None:
                server.shutdown()

        e = models.WebhookEvent
        with engine.connect() as c:
            created = {
                i: (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()
                for i, t in c.execute(select(e.id, e.created_at)).all()
            }
        engine.dispose()
    lags = [arrivals.at[i] - created[i] for i in arrivals.at if i in created]
    result = {
        "db": args.db,
        "workers": args.workers,
        "rate": args.rate,
        "events": total,
        "write_seconds": round(elapsed_write, 2),
        "received": len(arrivals.at),
        "duplicates": arrivals.duplicates,
        "invalid": arrivals.invalid,
        "lag_p50_s": round(statistics.median(lags), 4) if lags else None,
        "lag_p99_s": round(percentile(lags, 0.99), 4) if lags else None,
        "lag_max_s": round(max(lags), 4) if lags else None,
        "goal_p99_s": 2.0,
    }
    print(f"{total} events at {args.rate}/s over {elapsed_write:.1f} s, {args.workers} worker(s), {args.db}")
    print(f"received {len(arrivals.at)} (duplicates {arrivals.duplicates}, invalid {arrivals.invalid})")
    p50, p99, top = result["lag_p50_s"], result["lag_p99_s"], result["lag_max_s"]
    print(f"lag p50 {p50} s, p99 {p99} s, max {top} s (goal p99 ≤ 2 s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
