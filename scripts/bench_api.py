"""API benchmark: requests/s and p50/p95/p99 latency of the Gen-IP API over a large Postgres database, at 50
concurrent clients and under a load of 1 000, each beside the ceilings measured in the same run.

    python scripts/bench_api.py [--quick] [--assets N] [--licenses N] [--clients 50] [--many-clients 1000]
                                [--batch-clients 1] [--seconds S] [--warmup S] [--workers N]
                                [--many-workers 1] [--only KEYS]

1. Creates a fresh Postgres database (on `GENIP_TEST_PG`'s server, default 127.0.0.1:5432), migrates it,
   and loads synthetic but realistic rows with COPY: ≥ 100 000 assets (titles, descriptions and tags from a
   word list, a few disputed, some derivatives), two offers each, ≥ 1 000 000 licences (perpetual, live and
   expired, standard and extended, some used for derivatives) held by 20 000 accounts, and the cursor.
2. Serves, each under uvicorn with uvloop and httptools (`--workers` processes, default 1; listen backlog
   4096) with the same settings: a bare ASGI app returning a constant — the framework ceiling — and the
   Gen-IP API; for the load rows also a raw asyncio server answering a constant with no HTTP parser — the
   load generator's own ceiling on this machine. `--quick` loads 10 000 assets and 100 000 licences and
   measures 2 s per row, so the whole run takes about a minute.
3. Loads each row from a separate process: asyncio protocols on keep-alive connections (one per client, each
   sending its next request when the last answer is in), after a warm-up, for `--seconds`. Only answers
   completed inside the window count; a client that cannot connect, a closed connection or a 4xx/5xx is an
   error. At `--clients`: (a) the constant, (b) single licence status over 2 000 random (asset, account,
   use) questions — and the same again with the per-process answer cache off
   (`GENIP_API_STATUS_CACHE_SIZE=0`), so every request runs its query —, (c) batch status of 1 000 items
   (`--batch-clients`, default 1: its p50 is one batch's latency), (d) a search query (one word, first page
   with facets), and the same again with the search answer cache off (`GENIP_API_SEARCH_CACHE_SIZE=0`: every
   request runs its queries), with the facet table (migration 0021) and, the same-run baseline, without it
   (`GENIP_API_SEARCH_FACET_TABLE=false`: facets by scanning the matching assets and their offers); the
   whole catalogue likewise; the cached row after a warm-up that fills the cache (20 s, `--quick` 5 s: the
   steady state, the cursor not moving). Then queries no cache has seen at one client (p50 = one search's
   latency), each beside its same-run baseline without the facet table: one word, the whole catalogue, and
   shoppers' filters without text (kind, look, derivatives, tier, currency). Offers are sold by the work's
   owner, so they are live (an offer of anyone else lapses). Search goals: p50 ≤ 50 ms with the cache
   (`search_goal_met`) and for each unseen row (`search_unseen_goal_met`). At
   `--many-clients` (0: none), connected all at once, after the first answer of each
   (reported: "all in") and a warm-up long enough to fill the answer cache (steady state; the cursor does not
   move): the load generator's ceiling, the bare ASGI
   constant and single licence status (`--many-workers` processes, default 1), single status without the
   answer cache, and single status with 2 processes (1 if `--many-workers` is not 1) for comparison.

Prints a table and, last, one line of JSON. Goals: single status at ≥ 50 % of the ceiling with p99 ≤ 20 ms
(`goal_met`); at 1 000 clients, no error and p99 ≤ 250 ms (`many_goal_met`). The machine's 2 CPUs are
shared by the load generator, the server and Postgres, so every figure is relative to the same-run ceilings.
The database is dropped afterwards (`--keep` keeps it and prints its URL).
"""

import argparse
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from eth_utils.address import to_checksum_address
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_load import BACKLOG  # noqa: E402  (scripts/ is this script's own directory)

from genip.content.look import COLOURS  # noqa: E402
from genip.db.engine import make_engine  # noqa: E402
from genip.db.migrate import upgrade  # noqa: E402

#: The load generator, the raw constant server and the bare ASGI constant: each row starts them afresh.
LOAD_SCRIPT = ROOT / "scripts" / "bench_load.py"

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
ORIENTATIONS = ("landscape", "portrait", "square")
SIZES = ("small", "medium", "large")
#: The search goal: p50 of one word with facets, at 100 000 works — with the answer cache (at `--clients`
#: clients) and for queries no cache has seen (the answer caches off, `UNSEEN_CLIENTS` clients).
SEARCH_P50_GOAL_MS = 50
#: Clients of the unseen-query rows: one, so p50 is one search's latency (at 50 clients on one process it is
#: 50 requests' worth of queueing; those rows are measured too).
UNSEEN_CLIENTS = 1
#: Server settings of the unseen-query rows: no answer cache; the baseline also without the facet table.
NO_CACHE = {"GENIP_API_SEARCH_CACHE_SIZE": "0"}
NO_TABLE = {**NO_CACHE, "GENIP_API_SEARCH_FACET_TABLE": "false"}
KINDS = ["image", "image", "image", "text", "model", "workflow", "prompt", "other"]


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
            "standing_dispute_id, metadata_status, title, description, tags, media_cid, media_type, "
            "orientation, size_class, colour"
        )
        owners = [ZERO]  # owners[i]: asset i's owner (its creator), who sells its offers
        with cur.copy(f"COPY assets ({asset_cols}) FROM STDIN") as copy:
            for i in range(1, n_assets + 1):
                creator = creators[rng.randrange(len(creators))]
                owners.append(creator)
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
                        ORIENTATIONS[i % 3], SIZES[i % 5 % 3], COLOURS[i % len(COLOURS)],
                    )
                )  # fmt: skip
        console.print(f"  assets: {n_assets:,} rows ({time.perf_counter() - started:.1f} s)")
        offer_cols = (
            "chain_id, offer_id, asset_id, terms_id, tier, currency, price, duration, supply_cap, sold, "
            "paused, creator, block_number"
        )
        with cur.copy(f"COPY offers ({offer_cols}) FROM STDIN") as copy:
            for i in range(1, n_assets + 1):
                creator = owners[i]  # the owner's offers are live (another seller's would have lapsed)
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


#: The load goal: p99 of single status at `--many-clients` clients, with no error.
MANY_P99_GOAL_MS = 250


@dataclass(frozen=True)
class Scenario:
    """One row: which server (`raw` constant, `bare` ASGI constant, the Gen-IP `app`) under how many clients,
    asked which requests, with which extra server environment."""

    key: str
    label: str
    server: str
    clients: int
    requests: list[dict[str, str]]
    env: dict[str, str] = field(default_factory=dict)
    warmup: float | None = None  # seconds before measuring (default `--quick`'s or the full run's)
    workers: int | None = None  # uvicorn processes (default `--workers`)
    ceiling: str = "ceiling"  # the row its "% of ceiling" is of


def serve(server: str, port: int, env: dict[str, str], workers: int = 1) -> subprocess.Popen[bytes]:
    """Starts a scenario's server: the raw constant (one process), or uvicorn with uvloop and httptools."""
    if server == "raw":
        args = [sys.executable, str(LOAD_SCRIPT), "--raw-server", str(port)]
    else:
        app = "bench_load:bare_app" if server == "bare" else "api.app:create_app"
        args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        args += ["--no-access-log", "--log-level", "warning", "--app-dir", str(ROOT / "scripts")]
        args += ["--loop", "uvloop", "--http", "httptools", "--workers", str(workers)]
        args += ["--backlog", str(BACKLOG)]
        if server == "app":
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


def run_load(port: int, row: Scenario, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "requests": row.requests,
        "clients": row.clients,
        "seconds": args.seconds,
        "warmup": args.warmup if row.warmup is None else row.warmup,
    }
    path = tmp / f"spec-{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(spec))
    try:
        out = subprocess.run(
            [sys.executable, str(LOAD_SCRIPT), "--load", str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
    finally:
        path.unlink(missing_ok=True)
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


def filter_requests(rng: random.Random) -> list[dict[str, str]]:
    """Shoppers' filters without text (one to three of kind, look, derivatives, tier, currency), first page
    with facets."""
    choices = {
        "kind": ["image", "text", "model", "workflow", "prompt"],
        "colour": list(COLOURS),
        "orientation": list(ORIENTATIONS),
        "size": list(SIZES),
        "has_derivatives": ["true", "false"],
        "tier": ["standard", "extended"],
        "currency": [ZERO, TOKEN],
        "disputed": ["false"],
    }
    out = []
    for _ in range(200):
        picked = rng.sample(sorted(choices), rng.randint(1, 3))
        query = "&".join(f"{k}={rng.choice(choices[k])}" for k in picked)
        out.append({"method": "GET", "path": f"/assets?{query}&limit=20"})
    return out


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


def _cell(value: float, fmt: str) -> str:
    return format(value, fmt) if math.isfinite(value) else "—"


def _row_summary(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("clients", "rps", "p50_ms", "p95_ms", "p99_ms", "errors", "all_answered_ms")
    return {m: round(r[m], 3) for m in keys}


def scenarios(args: argparse.Namespace, data: dict[str, Any], rng: random.Random) -> list[Scenario]:
    """Every row of the run, in order (`--only` keeps some)."""
    single = status_requests(data, rng)
    constant = [{"method": "GET", "path": "/"}]
    words = search_requests(random.Random(11))
    everything = [{"method": "GET", "path": "/assets?limit=20"}]
    c, many, mw = args.clients, args.many_clients, args.many_workers
    rows = [
        Scenario("ceiling", "bare ASGI constant", "bare", c, constant),
        Scenario("status", "single licence status", "app", c, single),
        # The same questions with the per-process answer cache off: every request runs its query.
        Scenario("status_uncached", "single status, no answer cache", "app", c, single,
                 {"GENIP_API_STATUS_CACHE_SIZE": "0"}),
        Scenario("batch", "batch status x 1 000", "app", args.batch_clients, batch_requests(data, rng)),
        # Steady state: a warm-up long enough to fill the answer cache (the cursor does not move).
        Scenario("search", "search (q=word, facets)", "app", c, search_requests(rng),
                 warmup=args.search_warmup),
        # The same requests with the answer cache off: every request runs its queries (queries no cache has
        # seen), with the facet table and live offers (migration 0021) and, the same-run baseline, without
        # (facets by scanning the matching assets and their offers, as before).
        Scenario("search_uncached", "search, no answer cache", "app", c, words, NO_CACHE),
        Scenario("search_uncached_base", "search, no answer cache, no facet table", "app", c, words,
                 NO_TABLE),
        # The whole catalogue (no query: every asset counted in the facets), the answer cache off.
        Scenario("search_all_uncached", "whole catalogue, no answer cache", "app", c, everything, NO_CACHE),
        Scenario("search_all_uncached_base", "whole catalogue, no answer cache, no facet table", "app", c,
                 everything, NO_TABLE),
    ]  # fmt: skip
    # Unseen queries, one client (p50 = one search's latency), each with its same-run baseline.
    u = UNSEEN_CLIENTS
    for key, label, requests in (
        ("word", "one word", words),
        ("all", "whole catalogue", everything),
        ("filters", "filters, no text", filter_requests(random.Random(12))),
    ):
        rows += [
            Scenario(f"unseen_{key}", f"unseen: {label}", "app", u, requests, NO_CACHE),
            Scenario(f"unseen_{key}_base", f"unseen: {label}, no facet table", "app", u, requests, NO_TABLE),
        ]
    if many:
        # Long enough a warm-up for every client to have connected and the answer cache to be filled: these
        # rows measure the steady state (the cursor does not move during the run).
        uncached = {"GENIP_API_STATUS_CACHE_SIZE": "0"}

        def load(
            key: str,
            label: str,
            server: str,
            requests: list[dict[str, str]],
            workers: int,
            env: dict[str, str] | None = None,
        ) -> Scenario:
            return Scenario(
                key, label, server, many, requests, env or {}, args.many_warmup, workers, "generator_many"
            )

        rows += [
            # The load generator's own ceiling: the same generator against a server costing next to nothing.
            load("generator_many", "load generator ceiling (raw)", "raw", constant, 1),
            load("ceiling_many", f"bare ASGI constant, {mw} proc.", "bare", constant, mw),
            load("status_many", f"single licence status, {mw} proc.", "app", single, mw),
            # Every request a query (as right after the cursor moves, when the answer cache starts empty).
            load("status_many_uncached", f"single status, no answer cache, {mw} proc.", "app", single, mw,
                 uncached),
        ]  # fmt: skip
        other = 2 if mw == 1 else 1  # the same row with another number of processes, for comparison
        rows.append(load("status_many_other", f"single licence status, {other} proc.", "app", single, other))
    if args.only:
        keep = set(args.only.split(","))
        rows = [r for r in rows if r.key in keep]
    return rows


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
    parser.add_argument(
        "--many-clients", type=int, default=1000, help="Clients of the load rows (0: no load rows)."
    )
    parser.add_argument("--batch-clients", type=int, default=1, help="Clients of the batch row.")
    parser.add_argument("--seconds", type=float, default=None, help="Measured seconds per endpoint.")
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="Seconds before measuring (default 2, load rows 5; --quick: 1, 3).",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes per server.")
    parser.add_argument(
        "--many-workers",
        type=int,
        default=1,
        help="uvicorn processes of the load rows (a last row compares 2, or 1 if this is not 1).",
    )
    parser.add_argument("--only", help="Comma-separated row keys to run (e.g. generator_many,status_many).")
    parser.add_argument("--keep", action="store_true", help="Keep the database (prints its URL).")
    args = parser.parse_args()
    args.seconds = args.seconds or (2.0 if args.quick else 10.0)
    args.assets = args.assets or (10_000 if args.quick else 100_000)
    args.licenses = args.licenses or (100_000 if args.quick else 1_000_000)
    args.many_warmup = args.warmup or (3.0 if args.quick else 5.0)
    args.warmup = args.warmup or (1.0 if args.quick else 2.0)
    args.search_warmup = 5.0 if args.quick else 20.0
    if args.keep:
        os.environ["GENIP_BENCH_KEEP"] = "1"
    console = Console(width=None if sys.stdout.isatty() else 130)
    rng = random.Random(11)
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    results: dict[str, Any] = {}
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
        for row in scenarios(args, data, rng):
            port = free_port()
            process = serve(row.server, port, {**env, **row.env}, row.workers or args.workers)
            try:
                wait_port(port, process)
                measured = run_load(port, row, args, tmp)
            finally:
                process.terminate()
                process.wait(10)
            r = results[row.key] = {
                "label": row.label,
                "clients": row.clients,
                "ceiling": row.ceiling,
                **measured,
            }
            console.print(
                f"  {row.label} ({row.clients:,} clients): {r['rps']:,.1f} req/s, "
                f"p50 {_cell(r['p50_ms'], '.2f')}, p95 {_cell(r['p95_ms'], '.2f')}, "
                f"p99 {_cell(r['p99_ms'], '.2f')} ms, {r['errors']} errors"
                + ("" if r["requests"] else " — nothing answered in the window")
            )
        if args.keep:
            console.print(f"database kept: {url}")
    table = Table(
        title=f"Gen-IP API ({args.seconds:g} s measured per row, after {args.warmup:g} s warm-up, load rows "
        f"{args.many_warmup:g} s)",
        caption="% of ceiling: of the bare ASGI constant at as many clients; load rows: of the generator's. "
        "all in: from the connects to every client's first answer (before the warm-up).",
    )
    columns = (
        "endpoint",
        "clients",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "% of ceiling",
        "all in, s",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for r in results.values():
        ceiling = results.get(r["ceiling"])
        share = f"{100 * r['rps'] / ceiling['rps']:.1f} %" if ceiling and ceiling["rps"] else "—"
        table.add_row(
            r["label"], f"{r['clients']:,}", f"{r['rps']:,.1f}", _cell(r["p50_ms"], ".2f"),
            _cell(r["p95_ms"], ".2f"), _cell(r["p99_ms"], ".2f"), str(r["errors"]), share,
            f"{r['all_answered_ms'] / 1000:.2f}",
        )  # fmt: skip
    console.print(table)
    summary: dict[str, Any] = {
        "assets": args.assets,
        "licenses": args.licenses,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "many_workers": args.many_workers,
        **{k: _row_summary(v) for k, v in results.items()},
    }
    if "status" in results and "ceiling" in results:
        status, ceiling = results["status"], results["ceiling"]
        summary["status_share_of_ceiling"] = round(status["rps"] / ceiling["rps"], 3)
        summary["goal_met"] = status["rps"] >= 0.5 * ceiling["rps"] and status["p99_ms"] <= 20
    if "search" in results and "search_uncached" in results:
        cached, uncached = results["search"], results["search_uncached"]
        if cached["p50_ms"] and math.isfinite(cached["p50_ms"]):
            summary["search_p50_ratio"] = round(uncached["p50_ms"] / cached["p50_ms"], 1)
        if cached["rps"] and uncached["rps"]:
            summary["search_rps_ratio"] = round(cached["rps"] / uncached["rps"], 1)
        summary["search_goal_met"] = cached["errors"] == 0 and cached["p50_ms"] <= SEARCH_P50_GOAL_MS
        hit, miss = _cell(cached["p50_ms"], ".1f"), _cell(uncached["p50_ms"], ".1f")
        console.print(
            f"search (q=word, facets, {args.clients} clients) at {args.assets:,} works: p50 {hit} ms with "
            f"the answer cache, {miss} ms without (x{summary.get('search_p50_ratio', '—')}); "
            f"{cached['rps']:,.0f} vs {uncached['rps']:,.0f} req/s — goal (p50 ≤ {SEARCH_P50_GOAL_MS} ms)"
            + (" met" if summary["search_goal_met"] else " not met")
        )
    unseen = [k for k in ("word", "all", "filters") if f"unseen_{k}" in results]
    for k in unseen:
        new, base = results[f"unseen_{k}"], results.get(f"unseen_{k}_base")
        if base and new["p50_ms"] and math.isfinite(base["p50_ms"]):
            summary[f"unseen_{k}_p50_ratio"] = round(base["p50_ms"] / new["p50_ms"], 1)
        console.print(
            f"unseen {k} ({UNSEEN_CLIENTS} client) at {args.assets:,} works: "
            f"p50 {_cell(new['p50_ms'], '.1f')} ms, "
            f"p95 {_cell(new['p95_ms'], '.1f')} ms"
            + (f"; without the facet table (same run) {_cell(base['p50_ms'], '.1f')} ms" if base else "")
        )
    if unseen:
        summary["search_unseen_goal_met"] = all(
            results[f"unseen_{k}"]["errors"] == 0 and results[f"unseen_{k}"]["p50_ms"] <= SEARCH_P50_GOAL_MS
            for k in unseen
        )
        console.print(
            f"unseen searches: goal (p50 ≤ {SEARCH_P50_GOAL_MS} ms for each of {', '.join(unseen)})"
            + (" met" if summary["search_unseen_goal_met"] else " not met")
        )
    if "status_many" in results:
        status = results["status_many"]
        generator = results.get("generator_many")
        if generator and generator["rps"]:
            summary["status_many_share_of_generator"] = round(status["rps"] / generator["rps"], 3)
        console.print(
            f"{args.many_clients:,} clients on GET /licenses/status ({args.many_workers} proc.): "
            f"{status['rps']:,.0f} req/s, p99 {_cell(status['p99_ms'], '.1f')} ms, {status['errors']} errors"
            + (f"; the load generator alone reaches {generator['rps']:,.0f} req/s" if generator else "")
            + f" — goal (no error, p99 ≤ {MANY_P99_GOAL_MS} ms)"
            + (" met" if _many_goal(status) else " not met")
            + f"; all {args.many_clients:,} connections opened at once had their first answer within "
            f"{status['all_answered_ms'] / 1000:.2f} s"
            + (f" (generator alone: {generator['all_answered_ms'] / 1000:.2f} s)" if generator else "")
        )
        summary["many_goal_met"] = _many_goal(status)
        if "status_many_other" in results:
            summary["many_goal_met_other_workers"] = _many_goal(results["status_many_other"])
    print(json.dumps(_finite(summary), allow_nan=False))


def _many_goal(status: dict[str, Any]) -> bool:
    """No error, and p99 within the goal, of a row that answered at all."""
    return bool(status["requests"]) and status["errors"] == 0 and status["p99_ms"] <= MANY_P99_GOAL_MS


if __name__ == "__main__":
    main()
