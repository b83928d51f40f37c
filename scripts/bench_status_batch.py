"""Batch licence status benchmark: `POST /licenses/status` with 1 000 items over 100 000 works and 1 000 000
licences on Postgres, beside the paths it replaced, measured in the same run.

    python scripts/bench_status_batch.py [--quick] [--assets N] [--licenses N] [--batches 30]

1. Creates a fresh Postgres database (`GENIP_TEST_PG`'s server) and fills it with `scripts/bench_api.py`'s
   generator (`load_data`: ≥ 100 000 assets, ≥ 1 000 000 licences held by 20 000 accounts); batches are
   `bench_api.batch_requests`'s (half the items a pair that holds a licence, half random; `use=commercial`).
2. Measures, per batch of 1 000 items, each `--batches` times after a warm-up:
   * `route`: the whole request through the app in process (FastAPI, validation, addresses, the cursor, the
     one set-based statement `api.queries.status.MANY_SQL`, the rules, JSON) — the goal: p50 ≤ 100 ms;
   * `query`: `api.queries.status.status_batch` alone (statement and rules);
   * baseline `in_lists`: the previous batch path (assets `IN (…)`, then licences `holder IN (…) AND
     asset_id IN (…)`, answers as pydantic models), reproduced here;
   * baseline `loop`: one `status_with_state` statement per item (the single question's path, 1 000 times).
   Every batch's answers are checked equal across the paths.

Prints a table and, last, one line of JSON (`goal_met`: route p50 ≤ 100 ms). `--quick`: 10 000 assets,
100 000 licences, 10 batches. The database is dropped afterwards.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, bindparam, column, table, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_api import batch_requests, fresh_database, load_data  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.queries.chain import ChainState, chain_state  # noqa: E402
from api.queries.status import LicenceRow, evaluate, status_batch, status_with_state  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from genip import rules  # noqa: E402
from genip.db.engine import make_engine  # noqa: E402
from genip.db.migrate import upgrade  # noqa: E402

GOAL_MS = 100.0

_HELD = str(
    rules.licence_held_sql(table("licenses", column("renounced"))).compile(
        compile_kwargs={"literal_binds": True}
    )
)
_ASSETS = text(
    "SELECT asset_id, owner, standing, expires_at FROM assets WHERE chain_id = :chain_id AND asset_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_LICENCES = text(
    "SELECT asset_id, holder, license_id, expires_at, commercial_use, derivatives_allowed, "
    "used_for_derivative FROM licenses "
    f"WHERE chain_id = :chain_id AND holder IN :holders AND asset_id IN :ids AND {_HELD}"
).bindparams(bindparam("holders", expanding=True), bindparam("ids", expanding=True))


def in_lists(
    connection: Connection, state: ChainState, items: list[tuple[int, str, Any]]
) -> list[dict[str, Any]]:
    """The previous batch path (baseline): two statements with IN lists, answers as models."""
    ids = sorted({asset for asset, _, _ in items})
    holders = sorted({account for _, account, _ in items})
    assets = {
        int(r[0]): (str(r[1]), str(r[2]), int(r[3] or 0))
        for r in connection.execute(_ASSETS, {"chain_id": state.chain_id, "ids": ids})
    }
    held: dict[tuple[int, str], list[LicenceRow]] = defaultdict(list)
    for r in connection.execute(
        _LICENCES, {"chain_id": state.chain_id, "holders": holders, "ids": sorted(assets)}
    ):
        held[(int(r[0]), str(r[1]))].append(
            LicenceRow(int(r[2]), int(r[3]), bool(r[4]), bool(r[5]), None if r[6] is None else int(r[6]))
        )
    out = []
    for asset, account, use in items:
        owner, standing, expires_at = assets.get(asset, (None, None, 0))
        answer = evaluate(
            asset=asset,
            account=account,
            use=use,
            owner=owner,
            standing=standing,
            expires_at=expires_at,
            licences=held.get((asset, account), ()),
            state=state,
        )
        out.append(answer.model_dump())
    return out


def loop(
    connection: Connection, state: ChainState, items: list[tuple[int, str, Any]]
) -> list[dict[str, Any]]:
    """One statement per item (baseline): the single question's path."""
    return [
        status_with_state(connection, chain_id=state.chain_id, asset=a, account=h, use=u)[1].model_dump()
        for a, h, u in items
    ]


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "min_ms": round(ordered[0] * 1000, 1),
    }


def _timed(fn: Callable[[int], Any], batches: int) -> tuple[list[float], list[Any]]:
    times, results = [], []
    for k in range(batches):
        started = time.perf_counter()
        results.append(fn(k))
        times.append(time.perf_counter() - started)
    return times, results


def _measure(url: str, n_assets: int, n_licences: int, batches: int, console: Console) -> dict[str, Any]:
    """Loads the database at `url`, then times every path on the same batches (see the module docstring)."""
    rng = random.Random(11)
    results: dict[str, Any] = {}
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = make_engine(sa_url)
    upgrade(engine)
    data = load_data(url, n_assets, n_licences, console)
    bodies = [json.loads(r["body"]) for r in batch_requests(data, rng)]
    questions = [[(i["asset"], i["account"], i["use"]) for i in b["items"]] for b in bodies]
    app = create_app(ApiSettings(database_url=sa_url, data_dir=Path(tempfile.mkdtemp())))
    with TestClient(app) as client, engine.connect() as connection:
        state = chain_state_of(connection)

        def route(k: int) -> Any:
            return client.post("/licenses/status", json=bodies[k % len(bodies)]).json()["data"]

        paths: dict[str, Callable[[int], Any]] = {
            "route": route,
            "query": lambda k: status_batch(connection, state=state, items=questions[k % len(questions)]),
            "in_lists": lambda k: in_lists(connection, state, questions[k % len(questions)]),
            "loop": lambda k: loop(connection, state, questions[k % len(questions)]),
        }
        answers: dict[str, list[Any]] = {}
        for name, path in paths.items():
            for k in range(3):  # warm-up
                path(k)
            count = batches if name != "loop" else max(3, batches // 5)
            times, answers[name] = _timed(path, count)
            results[name] = _summary(times) | {"batches": count}
        for name in ("query", "in_lists", "loop"):
            for k, got in enumerate(answers[name]):
                assert json.loads(json.dumps(got)) == answers["route"][k], f"{name} differs on batch {k}"
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 assets, 100 000 licences, 10 batches.")
    parser.add_argument("--assets", type=int, default=None)
    parser.add_argument("--licenses", type=int, default=None)
    parser.add_argument("--batches", type=int, default=None, help="Batches measured per path (default 30).")
    args = parser.parse_args()
    n_assets = args.assets or (10_000 if args.quick else 100_000)
    n_licences = args.licenses or (100_000 if args.quick else 1_000_000)
    batches = args.batches or (10 if args.quick else 30)
    console = Console(width=None if sys.stdout.isatty() else 130)
    results: dict[str, Any] = {}
    for url in fresh_database():
        console.print(f"[bold]loading[/bold] {n_assets:,} assets, {n_licences:,} licences into Postgres")
        results = _measure(url, n_assets, n_licences, batches, console)
    table_ = Table(title=f"POST /licenses/status, 1 000 items, {n_assets:,} works, {n_licences:,} licences")
    for head in ("path", "p50 ms", "p95 ms", "min ms", "batches"):
        table_.add_column(head)
    for name, r in results.items():
        table_.add_row(name, str(r["p50_ms"]), str(r["p95_ms"]), str(r["min_ms"]), str(r["batches"]))
    console.print(table_)
    summary = {
        "assets": n_assets,
        "licences": n_licences,
        "items": 1000,
        **{name: r for name, r in results.items()},
        "speedup_query_vs_in_lists": round(results["in_lists"]["p50_ms"] / results["query"]["p50_ms"], 2),
        "speedup_query_vs_loop": round(results["loop"]["p50_ms"] / results["query"]["p50_ms"], 2),
        "goal_ms": GOAL_MS,
        "goal_met": results["route"]["p50_ms"] <= GOAL_MS,
    }
    print(json.dumps(summary))


def chain_state_of(connection: Connection) -> ChainState:
    """The cursor the answers are as of (the route reads the same)."""
    from sqlalchemy.orm import Session

    with Session(bind=connection) as session:
        return chain_state(session, None)


if __name__ == "__main__":
    main()
