"""Rate-limit benchmark: the cost of `api.rate_limit` on the licence-status fast path, limits off vs on.

    python scripts/bench_rate_limit.py [--assets 10000] [--licenses 100000] [--clients 50] [--seconds 3]
                                       [--rounds 2] [--redis redis://127.0.0.1:6379/0]

Reuses scripts/bench_api.py: a fresh Postgres database with its synthetic rows, its load generator and its
single licence-status row (2 000 random questions, `--clients` keep-alive clients, one uvicorn process). Rows,
run in turns (`--rounds` times, so drift of the shared machine hits every row alike): limits off
(`GENIP_API_RATE_LIMIT_ENABLED=false`), limits on in process memory, limits on in Redis. With limits on the
loopback exemption is off and the quota is out of reach (10 million a second), so every request is counted
and none refused: the rows measure what counting costs. Prints a table and, last, one line of JSON with each
row's best round and the on/off ratios of req/s and p50, and the middleware's own cost per request measured
in process (a bare ASGI app alone, behind the limiter counting, behind it for an exempt client).
"""

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench_api  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

HUGE = "10000000/second"


async def _bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def middleware_micros(n: int = 20_000, rounds: int = 3) -> dict[str, float]:
    """In-process: microseconds per request of a bare ASGI app, alone and behind `RateLimit` counting in
    memory against the default two limits (best of `rounds`): what the middleware adds, without HTTP."""
    from api.rate_limit import RateLimit
    from api.settings import ApiSettings

    async def nothing() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def ignore(message: dict[str, Any]) -> None:
        return None

    async def run(app: Any) -> float:
        scope = {"type": "http", "path": "/licenses/status", "method": "GET", "headers": [],
                 "client": ("198.51.100.7", 5000), "query_string": b""}  # fmt: skip
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(n):
                await app(dict(scope), nothing, ignore)
            best = min(best, (time.perf_counter() - started) / n * 1e6)
        return best

    settings = ApiSettings(api_rate_limit_exempt=[], api_rate_limit_per_ip="10000000/second;100000000/minute")
    limited = RateLimit(_bare, settings)
    exempt = RateLimit(_bare, ApiSettings(api_rate_limit_exempt=["198.51.100.0/24"]))

    async def both() -> dict[str, float]:
        off = await run(_bare)
        on = await run(limited)
        loopback = await run(exempt)
        return {"bare_us": round(off, 2), "counted_us": round(on, 2), "exempt_us": round(loopback, 2)}

    return asyncio.run(both())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--licenses", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Empty: no Redis row.")
    args = parser.parse_args()
    console = Console(width=None if sys.stdout.isatty() else 130)
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    prefix = f"genip-bench-{uuid.uuid4().hex[:8]}"
    on = {"GENIP_API_RATE_LIMIT_EXEMPT": "[]", "GENIP_API_RATE_LIMIT_PER_IP": HUGE}
    variants = {
        "off": ("limits off", {"GENIP_API_RATE_LIMIT_ENABLED": "false"}),
        "memory": ("limits on, memory", {**on, "GENIP_API_RATE_LIMIT_STORAGE": "memory://"}),
    }
    if args.redis:
        variants["redis"] = (
            "limits on, Redis",
            {**on, "GENIP_API_RATE_LIMIT_STORAGE": args.redis, "GENIP_API_RATE_LIMIT_PREFIX": prefix},
        )
    results: dict[str, list[dict[str, Any]]] = {key: [] for key in variants}
    for url in bench_api.fresh_database():
        console.print(f"[bold]loading[/bold] {args.assets:,} assets, {args.licenses:,} licences")
        engine = bench_api.make_engine(url)
        bench_api.upgrade(engine)
        engine.dispose()
        data = bench_api.load_data(url, args.assets, args.licenses, console)
        requests = bench_api.status_requests(data, random.Random(11))
        env = {**os.environ, "DATABASE_URL": url, "GENIP_DATA_DIR": str(tmp / "genip-bench")}
        env["PYTHONPATH"] = str(ROOT)
        for round_ in range(args.rounds):
            for key, (label, extra) in variants.items():
                row = bench_api.Scenario(key, label, "app", args.clients, requests, extra)
                port = bench_api.free_port()
                process = bench_api.serve("app", port, {**env, **extra})
                try:
                    bench_api.wait_port(port, process)
                    r = bench_api.run_load(port, row, args, tmp)
                finally:
                    process.terminate()
                    process.wait(10)
                results[key].append(r)
                console.print(
                    f"  round {round_ + 1} {label}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.2f}, "
                    f"p99 {r['p99_ms']:.2f} ms, {r['errors']} errors"
                )
    best = {key: max(runs, key=lambda r: r["rps"]) for key, runs in results.items()}
    table = Table(title=f"GET /licenses/status, {args.clients} clients, best of {args.rounds} rounds")
    for column in ("row", "req/s", "p50 ms", "p99 ms", "errors", "req/s vs off"):
        table.add_column(column, justify="left" if column == "row" else "right")
    off = best["off"]
    for key, r in best.items():
        table.add_row(
            variants[key][0], f"{r['rps']:,.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}",
            str(r["errors"]), f"{100 * r['rps'] / off['rps']:.1f} %" if off["rps"] else "—",
        )  # fmt: skip
    console.print(table)
    summary: dict[str, Any] = {"clients": args.clients, "seconds": args.seconds, "rounds": args.rounds}
    for key, r in best.items():
        summary[key] = {k: r[k] for k in ("rps", "p50_ms", "p99_ms", "errors")}
        if key != "off" and off["rps"]:
            summary[f"{key}_rps_share"] = round(r["rps"] / off["rps"], 3)
            summary[f"{key}_p50_added_ms"] = round(r["p50_ms"] - off["p50_ms"], 3)
    micro = middleware_micros()
    summary["middleware"] = micro
    console.print(
        f"in process: a bare ASGI app {micro['bare_us']:.1f} µs per request; behind the limiter counting in "
        f"memory (2 limits) {micro['counted_us']:.1f} µs; an exempt client {micro['exempt_us']:.1f} µs"
    )
    print(json.dumps(bench_api._finite(summary), allow_nan=False))


if __name__ == "__main__":
    main()
