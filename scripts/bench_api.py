"""API benchmark: requests/s and p50/p99 latency at 50 concurrent clients over a large Postgres database.

    python scripts/bench_api.py [--quick] [--assets N] [--licenses N] [--clients 50] [--seconds S]
                                [--workers N]

1. Creates a fresh Postgres database (on `GENIP_TEST_PG`'s server, default 127.0.0.1:5432), migrates it,
   and loads synthetic but realistic rows with COPY: ≥ 100 000 assets (titles, descriptions and tags from a
   word list, a few disputed, some derivatives), two offers each, ≥ 1 000 000 licences (perpetual, live and
   expired, standard and extended, some used for derivatives) held by 20 000 accounts, and the cursor.
2. Serves, each under uvicorn (`--workers` processes, default 1) with the same settings: (a) a bare ASGI app
   returning a constant — the framework ceiling — and (b-d) the Gen-IP API. `--quick` loads 10 000 assets
   and 100 000 licences and measures 2 s per endpoint, so the whole run takes under a minute.
3. Loads each endpoint from a separate process: a small asyncio HTTP/1.1 client with keep-alive connections
   (`--clients` of them), after a warm-up, for `--seconds`:
   (a) the constant, (b) single licence status over 2 000 random (asset, account, use) questions — and the
   same again with the per-process answer cache off (`GENIP_API_STATUS_CACHE_SIZE=0`), so every request runs
   its query —, (c) batch status of 1 000 items, (d) a search query (one word, first page with facets).

Prints a table and, last, one line of JSON. Goal: single status at ≥ 50 % of the ceiling with p99 ≤ 20 ms.
The database is dropped afterwards (`--keep` keeps it and prints its URL).
"""

import argparse
import asyncio
import json
import math
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from eth_utils.address import to_checksum_address
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from genip.db.engine import make_engine  # noqa: E402
from genip.db.migrate import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("GENIP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CHAIN = 31337
HEAD = 1_000_000
NOW = 1_800_000_000  # chain time of the cursor block
ZERO = "0x" + "0" * 40
TOKEN = to_checksum_address("0x" + "a1" * 20)
_WORD_LIST = (
    "neon tide harbour forest moss fog dusk dawn city river mountain portrait dragon robot garden ocean "
    "desert storm lantern temple market train bridge winter summer autumn spring galaxy nebula castle "
    "village meadow cyber retro pastel noir glitch dream echo mirror shadow crystal ember velvet silk "
    "paper ink watercolor pixel vector sketch oil charcoal bronze marble glass neon-lit misty golden "
    "silver crimson azure emerald violet amber ivory obsidian jade coral saffron teal indigo scarlet "
    "fox wolf owl whale tiger crane koi deer horse cat dog sparrow falcon serpent phoenix unicorn "
    "poem haiku ballad story fable myth legend chronicle diary letter song hymn chant anthem lullaby "
    "model workflow lora prompt upscale inpaint diffusion sampler seed checkpoint embedding adapter"
)
WORDS = _WORD_LIST.split()
KINDS = ["image", "image", "image", "text", "model", "workflow", "prompt", "other"]


# ─────────────────────────────── load generator (child process) ───────────────────────────────


async def _client(
    host: str, port: int, requests: list[bytes], stop_at: float, warm_until: float, lat: list[float]
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    errors = 0
    i = random.randrange(len(requests))
    try:
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            status = int(head[9:12])
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            done = time.perf_counter()
            if status >= 400:
                errors += 1
            if now >= warm_until:
                lat.append(done - now)
    finally:
        writer.close()
    return errors


def _request(method: str, host: str, port: int, path: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    host, port = spec["host"], spec["port"]
    requests = [
        _request(r["method"], host, port, r["path"], r.get("body", "").encode()) for r in spec["requests"]
    ]
    start = time.perf_counter()
    warm_until = start + spec["warmup"]
    stop_at = warm_until + spec["seconds"]
    lat: list[float] = []
    errors = await asyncio.gather(
        *(_client(host, port, requests, stop_at, warm_until, lat) for _ in range(spec["clients"]))
    )
    lat.sort()
    n = len(lat)

    def pct(p: float) -> float:
        return lat[min(n - 1, int(p * n))] * 1000 if n else float("nan")

    return {
        "requests": n,
        "rps": n / spec["seconds"],
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": sum(errors),
    }


def load_main(spec_path: str) -> None:
    """Entry of the load-generator process: reads a spec, prints one JSON line of results."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    spec = json.loads(Path(spec_path).read_text())
    print(json.dumps(asyncio.run(_load(spec))))


# ─────────────────────────────── bare ASGI app (the ceiling) ───────────────────────────────

_CONSTANT = b'{"ok":true}'


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that answers every request with the same small JSON body."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"11")],
        }
    )
    await send({"type": "http.response.body", "body": _CONSTANT})


# ─────────────────────────────── data ───────────────────────────────


def addresses(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [to_checksum_address("0x" + rng.randbytes(20).hex()) for _ in range(n)]


def _hex32(rng: random.Random) -> str:
    return "0x" + rng.randbytes(32).hex()


def load_data(url: str, n_assets: int, n_licences: int, console: Console) -> dict[str, Any]:
    """Fills the database at `url` (already migrated) and returns what the load needs to ask about."""
    rng = random.Random(7)
    creators = addresses(5_000, 1)
    holders = addresses(20_000, 2)
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO cursors (chain_id, block_number, block_hash, head_block, journal_from, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, now())",
            (CHAIN, HEAD, "0x" + "ab" * 32, HEAD, HEAD),
        )
        cur.execute(
            "INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp) VALUES (%s, %s, %s, %s, %s)",
            (CHAIN, HEAD, "0x" + "ab" * 32, "0x" + "cd" * 32, NOW),
        )
        asset_cols = (
            "chain_id, asset_id, creator, owner, registrar, kind, content_hash, perceptual_hash, "
            "prompt_commitment, metadata_cid, block_number, tx_hash, registered_at, is_derivative, "
            "royalty_stack_bps, depth, children_count, licenses_sold, prompt_check, standing, "
            "standing_dispute_id, metadata_status, title, description, tags, media_cid, media_type"
        )
        with cur.copy(f"COPY assets ({asset_cols}) FROM STDIN") as copy:
            for i in range(1, n_assets + 1):
                creator = creators[rng.randrange(len(creators))]
                words = rng.sample(WORDS, 6)
                standing = "disputed" if i % 97 == 0 else "upheld" if i % 211 == 0 else "clear"
                derivative = i > 1000 and i % 10 == 0
                copy.write_row(
                    (
                        CHAIN, i, creator, creator, creator, KINDS[i % len(KINDS)], _hex32(rng), _hex32(rng),
                        _hex32(rng), f"bafkreibench{i}", i * 5, _hex32(rng), NOW - (n_assets - i) * 60,
                        derivative, 1000 if derivative else 0, 1 if derivative else 0,
                        1 if i % 10 == 1 else 0, 0, "passed" if i % 3 == 0 else "unchecked", standing,
                        i if standing != "clear" else 0,
                        "ok", " ".join(words[:3]).title(), f"A {words[3]} of {words[4]} and {words[5]}",
                        json.dumps(words[3:6]), f"bafkreimedia{i}", "image/png",
                    )
                )  # fmt: skip
        console.print(f"  assets: {n_assets:,} rows ({time.perf_counter() - started:.1f} s)")
        offer_cols = (
            "chain_id, offer_id, asset_id, terms_id, tier, currency, price, duration, supply_cap, sold, "
            "paused, creator, block_number"
        )
        with cur.copy(f"COPY offers ({offer_cols}) FROM STDIN") as copy:
            for i in range(1, n_assets + 1):
                creator = creators[i % len(creators)]
                copy.write_row((CHAIN, 2 * i - 1, i, 1, "standard", ZERO, rng.randrange(1, 10**18), 0, 0, 0,
                                i % 50 == 0, creator, i * 5))  # fmt: skip
                copy.write_row((CHAIN, 2 * i, i, 2, "extended", TOKEN, rng.randrange(1, 10**9), 86_400 * 365,
                                100, 0, False, creator, i * 5))  # fmt: skip
        lic_cols = (
            "chain_id, license_id, asset_id, offer_id, holder, buyer, currency, price, expires_at, tier, "
            "commercial_use, derivatives_allowed, transferable, rev_share_bps, used_for_derivative, "
            "block_number, tx_hash, purchased_at"
        )
        pairs: list[tuple[int, str]] = []
        # Licences are the bulk: COPY text lines in large chunks, with the secondary indexes built afterwards.
        cur.execute("DROP INDEX ix_licenses_holder_asset")
        cur.execute("DROP INDEX ix_licenses_asset")
        with cur.copy(f"COPY licenses ({lic_cols}) FROM STDIN") as copy:
            tx = _hex32(rng)
            lines: list[str] = []
            for lid in range(1, n_licences + 1):
                asset = rng.randrange(1, n_assets + 1)
                holder = holders[rng.randrange(len(holders))]
                if lid % 4:
                    lines.append(f"{CHAIN}\t{lid}\t{asset}\t{2 * asset - 1}\t{holder}\t{holder}\t"
                                 f"{ZERO}\t1000\t0\tstandard\tt\tf\tt\t0\t\\N\t{HEAD - 10}\t{tx}\t"
                                 f"{NOW - 1000}\n")  # fmt: skip
                else:
                    expires = NOW + rng.randrange(-86_400 * 30, 86_400 * 300)
                    used = asset + 1 if lid % 8 == 0 else "\\N"
                    lines.append(f"{CHAIN}\t{lid}\t{asset}\t{2 * asset}\t{holder}\t{holder}\t{TOKEN}\t1000\t"
                                 f"{expires}\textended\tt\tt\tf\t1000\t{used}\t{HEAD - 10}\t{tx}\t"
                                 f"{NOW - 1000}\n")  # fmt: skip
                if lid % 1000 == 0:
                    pairs.append((asset, holder))
                if len(lines) == 50_000:
                    copy.write("".join(lines))
                    lines.clear()
            copy.write("".join(lines))
        cur.execute("CREATE INDEX ix_licenses_holder_asset ON licenses (chain_id, holder, asset_id)")
        cur.execute("CREATE INDEX ix_licenses_asset ON licenses (chain_id, asset_id)")
        console.print(f"  licences: {n_licences:,} rows ({time.perf_counter() - started:.1f} s)")
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    console.print(f"  loaded and analysed in {time.perf_counter() - started:.1f} s")
    return {"pairs": pairs, "holders": holders, "n_assets": n_assets}


# ─────────────────────────────── driver ───────────────────────────────


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(
    app: str, port: int, env: dict[str, str], factory: bool, workers: int = 1
) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--no-access-log", "--log-level", "warning", "--app-dir", str(ROOT / "scripts")]
    args += ["--loop", "uvloop", "--http", "httptools", "--workers", str(workers)]
    if factory:
        args.append("--factory")
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"server exited: {err}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("server did not start")


def run_load(
    port: int, requests: list[dict[str, str]], args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "requests": requests,
        "clients": args.clients,
        "seconds": args.seconds,
        "warmup": args.warmup,
    }
    path = tmp / f"spec-{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(spec))
    out = subprocess.run(
        [sys.executable, __file__, "--load", str(path)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def status_requests(data: dict[str, Any], rng: random.Random) -> list[dict[str, str]]:
    out = []
    uses = ["display", "commercial", "derivative"]
    for i in range(2_000):
        if i % 2 == 0 and data["pairs"]:
            asset, holder = data["pairs"][rng.randrange(len(data["pairs"]))]
        else:
            asset, holder = rng.randrange(1, data["n_assets"] + 1), rng.choice(data["holders"])
        path = f"/licenses/status?asset={asset}&account={holder}&use={uses[i % 3]}"
        out.append({"method": "GET", "path": path})
    return out


def batch_requests(data: dict[str, Any], rng: random.Random) -> list[dict[str, str]]:
    out = []
    for _ in range(20):
        items = []
        for j in range(1_000):
            if j % 2 == 0 and data["pairs"]:
                asset, holder = data["pairs"][rng.randrange(len(data["pairs"]))]
            else:
                asset, holder = rng.randrange(1, data["n_assets"] + 1), rng.choice(data["holders"])
            items.append({"asset": asset, "account": holder, "use": "commercial"})
        out.append({"method": "POST", "path": "/licenses/status", "body": json.dumps({"items": items})})
    return out


def search_requests(rng: random.Random) -> list[dict[str, str]]:
    return [{"method": "GET", "path": f"/assets?q={rng.choice(WORDS)}&limit=20"} for _ in range(200)]


def fresh_database() -> Iterator[str]:
    name = f"genip_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        if not os.environ.get("GENIP_BENCH_KEEP"):
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _finite(value: Any) -> Any:
    """The summary with NaN / infinity (an endpoint that answered nothing in its window) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Short measurements over 10 000 assets and 100 000 licences (the run takes < 1 minute).",
    )
    parser.add_argument("--assets", type=int, default=None, help="Default 100 000 (--quick: 10 000).")
    parser.add_argument("--licenses", type=int, default=None, help="Default 1 000 000 (--quick: 100 000).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=None, help="Measured seconds per endpoint.")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes per server.")
    parser.add_argument("--keep", action="store_true", help="Keep the database (prints its URL).")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(args.load)
        return
    args.seconds = args.seconds or (2.0 if args.quick else 10.0)
    args.assets = args.assets or (10_000 if args.quick else 100_000)
    args.licenses = args.licenses or (100_000 if args.quick else 1_000_000)
    args.warmup = 0.5 if args.quick else 2.0
    if args.keep:
        os.environ["GENIP_BENCH_KEEP"] = "1"
    console = Console()
    rng = random.Random(11)
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    for url in fresh_database():
        console.print(
            f"[bold]loading[/bold] {args.assets:,} assets, {args.licenses:,} licences into Postgres"
        )
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        data = load_data(url, args.assets, args.licenses, console)
        env = {**os.environ, "DATABASE_URL": url, "GENIP_DATA_DIR": str(tmp / "genip-bench")}
        env["PYTHONPATH"] = str(ROOT)
        single = status_requests(data, rng)
        scenarios = [
            ("ceiling", "bare ASGI constant", "bench_api:bare_app", False, [{"method": "GET", "path": "/"}]),
            ("status", "single licence status", "api.app:create_app", True, single),
            # The same questions with the per-process answer cache off: every request runs its query.
            ("status_uncached", "single status, no answer cache", "api.app:create_app", True, single),
            ("batch", "batch status x 1 000", "api.app:create_app", True, batch_requests(data, rng)),
            ("search", "search (q=word, facets)", "api.app:create_app", True, search_requests(rng)),
        ]
        results: dict[str, Any] = {}
        for key, label, app, factory, requests in scenarios:
            port = free_port()
            server_env = {**env, "GENIP_API_STATUS_CACHE_SIZE": "0"} if key == "status_uncached" else env
            process = serve(app, port, server_env, factory, args.workers)
            try:
                wait_port(port, process)
                results[key] = {"label": label, **run_load(port, requests, args, tmp)}
            finally:
                process.terminate()
                process.wait(10)
            r = results[key]
            console.print(
                f"  {label}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.2f}, p99 {r['p99_ms']:.2f} ms"
            )
        if args.keep:
            console.print(f"database kept: {url}")
    table = Table(title=f"Gen-IP API at {args.clients} concurrent clients ({args.seconds:.0f} s each)")
    for column in ("endpoint", "req/s", "p50 ms", "p99 ms", "errors", "% of ceiling"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    ceiling = results["ceiling"]["rps"]
    for r in results.values():
        table.add_row(
            r["label"], f"{r['rps']:,.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", str(r["errors"]),
            f"{100 * r['rps'] / ceiling:.1f} %",
        )  # fmt: skip
    console.print(table)
    status = results["status"]
    summary = {
        "assets": args.assets,
        "licenses": args.licenses,
        "clients": args.clients,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "workers": args.workers,
        **{k: {m: round(v[m], 3) for m in ("rps", "p50_ms", "p99_ms", "errors")} for k, v in results.items()},
        "status_share_of_ceiling": round(status["rps"] / ceiling, 3),
        "goal_met": status["rps"] >= 0.5 * ceiling and status["p99_ms"] <= 20,
    }
    print(json.dumps(_finite(summary), allow_nan=False))


if __name__ == "__main__":
    main()
