"""Hash-only matching end to end: `POST /match/hashes` with 1 000 PDQ hashes against 1 000 000 registered
works on Postgres, the whole route (matching and verdicts), beside the per-item verdict path it replaced,
measured in the same run.

    python scripts/bench_match_hashes_route.py [--quick] [--works N] [--licenses N] [--repeats 15]

1. Creates a fresh Postgres database (`GENIP_TEST_PG`'s server) and fills it with `scripts/bench_api.py`'s
   generator (`load_data`: N works, all made images here, each with a random on-chain PDQ hash; licences held
   by 20 000 accounts; a few works disputed or upheld), then starts the app in process on it: the matching
   engine loads every work's hash from the database as `genip serve` does.
2. Each request has 1 000 hashes: a tenth of them a registered work's PDQ with 0-20 bits flipped (half of
   those a work whose licence an account holds, sent as that item's `account`, half any work), the rest
   unrelated; the request's `account` is one licence holder, `use=commercial`.
3. Times, each `--repeats` times after a warm-up, p50 reported:
   * `route`: the whole request through the app (validation, addresses, the one scan of the batch, the
     verdicts with `api.routes.match.judge_many`, JSON) — the goal: p50 ≤ 200 ms;
   * `lookup`: `api.matcher.lookup_many` alone (appending new works, the scan and the attribution of hits);
   * `refresh`: the engine's look for newly indexed works alone (part of `lookup`, nothing new here), one
     primary-key range per statement; baseline `refresh_one_or`: the single statement it replaced
     (`kind = 'image' AND (chain_id NOT IN (…) OR (chain_id = … AND asset_id > …))`);
   * `verdicts`: `judge_many` alone, on the lookup's candidates (a few set-based statements per batch);
   * baseline `verdicts_per_item`: `judge` once per item (~5 statements per matched item), fewer repeats.
   The two verdict paths' answers are checked equal.

Prints a table and, last, one line of JSON (`goal_met`: route p50 ≤ 200 ms). `--quick`: 100 000 works,
100 000 licences, 5 repeats. The database is dropped afterwards.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_api import fresh_database, load_data  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.matcher import lookup_many, matcher  # noqa: E402
from api.routes.match import judge, judge_many  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from genip.db.engine import make_engine  # noqa: E402
from genip.db.migrate import upgrade  # noqa: E402
from genip.matching.perceptual import QueryHash  # noqa: E402

GOAL_MS = 200.0

#: The engine's refresh statement before it was split into primary-key ranges (the baseline).
_ONE_OR = text(
    "SELECT chain_id, asset_id, perceptual_hash, creator, standing FROM assets WHERE kind = 'image' AND "
    "(chain_id NOT IN (31337) OR (chain_id = 31337 AND asset_id > :last)) ORDER BY chain_id, asset_id"
)


def _flipped(code: bytes, bits: int, rng: np.random.Generator) -> bytes:
    unpacked = np.unpackbits(np.frombuffer(code, dtype=np.uint8).copy())
    unpacked[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(unpacked).tobytes()


def _requests(
    url: str, data: dict[str, Any], n: int, count: int, rng: np.random.Generator
) -> list[dict[str, Any]]:
    """`count` request bodies of `n` items (see the module docstring)."""
    with psycopg.connect(url) as conn:
        codes = {
            int(a): bytes.fromhex(str(h)[2:])
            for a, h in conn.execute("SELECT asset_id, perceptual_hash FROM assets ORDER BY asset_id")
        }
    ids = list(codes)
    pairs: list[tuple[int, str]] = data["pairs"]
    bodies = []
    for _ in range(count):
        account = pairs[int(rng.integers(len(pairs)))][1]
        items: list[dict[str, Any]] = []
        for k in range(n):
            item: dict[str, Any] = {"id": f"post-{k}"}
            if k % 10 == 0:
                if k % 20 == 0:
                    asset, holder = pairs[int(rng.integers(len(pairs)))]
                    item["account"] = holder
                else:
                    asset = ids[int(rng.integers(len(ids)))]
                item["pdq"] = _flipped(codes[asset], int(rng.integers(0, 21)), rng).hex()
            else:
                item["pdq"] = rng.bytes(32).hex()
            items.append(item)
        bodies.append({"items": items, "account": account, "use": "commercial"})
    return bodies


def _timed(fn: Callable[[int], Any], repeats: int) -> tuple[dict[str, float], list[Any]]:
    fn(0)  # warm-up
    times, answers = [], []
    for k in range(repeats):
        started = time.perf_counter()
        answers.append(fn(k))
        times.append(time.perf_counter() - started)
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "min_ms": round(ordered[0] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "repeats": repeats,
    }, answers


def _measure(url: str, works: int, licences: int, repeats: int, console: Console) -> dict[str, Any]:
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = make_engine(sa_url)
    upgrade(engine)
    data = load_data(url, works, licences, console)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE assets SET kind = 'image'")  # every work an image: each is matched against
        conn.execute("VACUUM ANALYZE assets")
    rng = np.random.default_rng(21)
    bodies = _requests(url, data, 1000, 4, rng)
    app = create_app(ApiSettings(database_url=sa_url, data_dir=Path(tempfile.mkdtemp())))
    results: dict[str, Any] = {}
    with TestClient(app) as client:
        started = time.perf_counter()
        first = client.post("/match/hashes", json=bodies[0])
        first.raise_for_status()
        loaded = time.perf_counter() - started
        console.print(f"  first request (the engine loads {works:,} hashes): {loaded:.1f} s")
        matched = sum(1 for d in first.json()["data"] if d["candidates"])

        def route(k: int) -> Any:
            response = client.post("/match/hashes", json=bodies[k % len(bodies)])
            response.raise_for_status()
            return response.json()["data"]

        def queries(k: int) -> list[QueryHash]:
            return [QueryHash((bytes.fromhex(i["pdq"]),), 100) for i in bodies[k % len(bodies)]["items"]]

        def asked(k: int) -> list[tuple[Any, str | None, Any]]:
            body = bodies[k % len(bodies)]
            found = lookup_many(app, queries(k))
            pairs = zip(body["items"], found, strict=True)
            return [(c, i.get("account", body["account"]), body["use"]) for i, c in pairs]

        prepared = [asked(k) for k in range(len(bodies))]
        with app.state.autocommit_engine.connect() as connection:
            paths: dict[str, Callable[[int], Any]] = {
                "route": route,
                "lookup": lambda k: lookup_many(app, queries(k)),
                "refresh": lambda k: matcher(app).refresh(),
                "refresh_one_or": lambda k: connection.execute(_ONE_OR, {"last": works}).all(),
                "verdicts": lambda k: judge_many(app, connection, prepared[k % len(prepared)]),
                "verdicts_per_item": lambda k: [
                    judge(app, connection, c, account=a, use=u) for c, a, u in prepared[k % len(prepared)]
                ],
            }
            answers: dict[str, list[Any]] = {}
            for name, path in paths.items():
                count = repeats if name != "verdicts_per_item" else max(3, repeats // 5)
                results[name], answers[name] = _timed(path, count)
            for k, got in enumerate(answers["verdicts_per_item"]):
                assert got == answers["verdicts"][k], f"judge_many differs from judge on request {k}"
    engine.dispose()
    results["matched"] = matched
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 000 works, 100 000 licences, 5 repeats.")
    parser.add_argument("--works", type=int, default=None, help="Registered works (default 1 000 000).")
    parser.add_argument("--licenses", type=int, default=None, help="Licences (default 1 000 000).")
    parser.add_argument("--repeats", type=int, default=None, help="Timed runs per path (default 15).")
    args = parser.parse_args()
    works = args.works or (100_000 if args.quick else 1_000_000)
    licences = args.licenses or (100_000 if args.quick else 1_000_000)
    repeats = args.repeats or (5 if args.quick else 15)
    random.seed(5)
    console = Console(width=None if sys.stdout.isatty() else 130)
    results: dict[str, Any] = {}
    for url in fresh_database():
        console.print(f"[bold]loading[/bold] {works:,} works, {licences:,} licences into Postgres")
        results = _measure(url, works, licences, repeats, console)
    matched = results.pop("matched")
    table = Table(title=f"POST /match/hashes, 1 000 hashes, {works:,} works, {licences:,} licences")
    for head in ("path", "p50 ms", "min ms", "max ms", "repeats"):
        table.add_column(head)
    for name, r in results.items():
        table.add_row(name, str(r["p50_ms"]), str(r["min_ms"]), str(r["max_ms"]), str(r["repeats"]))
    console.print(table)
    console.print(f"  {matched} of 1 000 hashes matched a work (expected ≈ 100)")
    summary = {
        "works": works,
        "licences": licences,
        "batch": 1000,
        "matched": matched,
        **results,
        "speedup_verdicts_vs_per_item": round(
            results["verdicts_per_item"]["p50_ms"] / results["verdicts"]["p50_ms"], 1
        ),
        "goal_ms": GOAL_MS,
        "goal_met": results["route"]["p50_ms"] <= GOAL_MS,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
