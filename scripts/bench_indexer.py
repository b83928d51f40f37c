"""Indexer benchmark: raw `eth_getLogs` fetch rate (the ceiling) against full indexing into Postgres.

    python scripts/bench_indexer.py [--events N] [--quick]

On a fresh anvil, a dev-only emitter (contracts/src/dev/BenchEmitter.sol) seeds N real-shaped hub events
(payment splits: RevenuePaid + two Credited) in large batched transactions, so seeding is not the bottleneck.
Then, in one run:

1. the raw fetch rate: `eth_getLogs` over the whole range with the indexer's own adaptive ranges and JSON
   parsing, nothing else, before and again after the indexing runs (the ceiling is their mean: the speed of
   a shared machine drifts);
2. indexing from scratch into a fresh Postgres database (decode, handlers, raw + derived rows, cursor), in a
   child process so its peak memory can be read (with that of the backfill's fetch process, its own child);
3. peak memory at two backlog sizes (the first quarter of the events, then all of them): memory must stay
   flat as the backlog grows, because ranges are streamed, never loaded whole;
4. CPU time per event, which a busy machine distorts less than rates: the raw fetch's, the indexing
   process's and its fetch process's, and the local Postgres server's (read from /proc, when it is local).

Prints a table and, last, one line of JSON.

Last measured (2-core shared VM whose speed drifts by tens of percent within minutes): three runs gave
52.8 %, 61.7 % and 60.6 % (raw 87 475 / 70 379 / 67 844 events/s, indexing 46 163 / 43 427 / 41 084
events/s); in 10 alternating pairs against the previous session's code on one seeded chain, the median ratio
was 66.5 % (55.6-83.7 %) against 56.4 % (43.8-62.8 %), with CPU per event indexer + fetch process + Postgres
33.2 µs against 38.5 µs. Peak RSS from 52 500 to 210 000 events: indexer 172 → 172 MiB, fetch process
151-157 → 177-183 MiB. The goal of 60 % is met in the median; a single run on a busy machine can miss it.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import (
    connect,
    contract_at,
)
from genip.chain.deploy import deploy_contract
from genip.chain.tx import send
from genip.db.engine import make_engine
from genip.db.migrate import upgrade

PG_ADMIN = os.environ.get("GENIP_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PER_TX = 2_000  # payment splits per transaction (3 events each)
UNUSED = "0x000000000000000000000000000000000000dEaD"


def seed(w3, emitter, first: int, splits: int, progress: Progress) -> int:  # type: ignore[no-untyped-def]
    account = dev_account(0)
    task = progress.add_task("seed", total=splits * 3)
    done = 0
    while done < splits:
        count = min(PER_TX, splits - done)
        call = emitter.functions.emitPayments(first + done, count, account.address, UNUSED)
        send(w3, account, call, gas=29_000_000, action="emitPayments")
        done += count
        progress.update(task, advance=count * 3)
    progress.remove_task(task)
    return first + done


def raw_fetch(rpc_url: str, address: str, first: int, last: int) -> tuple[int, float, float]:
    from indexer.ranges import AdaptiveRange
    from indexer.rpc import RpcClient

    rpc = RpcClient([rpc_url])
    ranges = AdaptiveRange(1, 500_000, 10_000)  # the indexer's own defaults
    start, events, began, cpu_began = first, 0, time.perf_counter(), time.process_time()
    while start <= last:
        end = ranges.end(start, last)
        t = time.perf_counter()
        logs = rpc.get_logs([address], start, end)
        ranges.succeeded(len(logs), time.perf_counter() - t)
        events += len(logs)
        start = end + 1
    return events, time.perf_counter() - began, time.process_time() - cpu_began


def postgres_cpu_seconds() -> float | None:
    """CPU time of the local Postgres server's processes so far (exited backends included, through the
    postmaster's children times), or None when the server is not on this machine (or /proc is missing)."""
    tick, total, found = os.sysconf("SC_CLK_TCK"), 0, False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for pid in entries:
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.index("(") + 1 : stat.rindex(")")] != "postgres":
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        found = True
    return total / tick if found else None


def index_in_child(rpc_url: str, emitter: str, first: int, last: int) -> dict[str, float]:
    """Indexes [first, last] into a fresh Postgres database in a child process; its figures."""
    name = f"genip_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        args = [sys.executable, __file__, "--child", url, rpc_url, emitter, str(first), str(last)]
        engine = make_engine(url)
        upgrade(engine)  # here, so that the child's upgrade is a no-op and Postgres's CPU is the indexing's
        engine.dispose()
        pg_before = postgres_cpu_seconds()
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        pg_after = postgres_cpu_seconds()
        if done.returncode != 0:
            raise SystemExit(f"indexing child failed:\n{done.stderr[-3000:]}")
        figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        if pg_before is not None and pg_after is not None:
            figures["postgres_cpu_seconds"] = pg_after - pg_before
        return figures
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child(url: str, rpc_url: str, emitter: str, first: int, last: int) -> None:
    from indexer.config import IndexerConfig
    from indexer.runner import Indexer

    engine = make_engine(url)
    upgrade(engine)
    chain_id = int(connect(rpc_url).eth.chain_id)
    config = IndexerConfig(
        chain_id=chain_id,
        rpc_urls=(rpc_url,),
        registry=UNUSED,
        hub=emitter,
        license_token="0x000000000000000000000000000000000000bEEF",
        court="0x000000000000000000000000000000000000c0de",
        start_block=first,
        end_block=last,
        use_finalized_tag=False,
        reorg_window=0,  # everything seeded is history: the backfill path
    )
    indexer = Indexer(engine, config)
    began, cpu_began = time.perf_counter(), time.process_time()
    indexer.run(once=True)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fetch = resource.getrusage(resource.RUSAGE_CHILDREN)  # the backfill's fetch process (indexer.fetcher)
    figures = {
        "events": indexer.stats.events,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "fetch_cpu_seconds": fetch.ru_utime + fetch.ru_stime,
        "peak_rss_mib": peak_kib / 1024,
        "fetch_peak_rss_mib": fetch.ru_maxrss / 1024,
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=210_000, help="events to seed (default 210 000)")
    parser.add_argument("--quick", action="store_true", help="30 000 events: finishes in under a minute")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, rpc_url, emitter, first, last = args.child
        child(url, rpc_url, emitter, int(first), int(last))
        return
    total = 30_000 if args.quick else args.events
    console = Console()
    with Anvil() as node:
        w3 = connect(node.rpc_url)
        address, _ = deploy_contract(w3, dev_account(0), "BenchEmitter")
        emitter = contract_at(w3, "BenchEmitter", address)
        first_block = w3.eth.block_number + 1
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as progress:
            quarter = seed(w3, emitter, 0, total // 12, progress)
            small_last = w3.eth.block_number
            seed(w3, emitter, quarter, total // 3 - quarter, progress)
        last_block = w3.eth.block_number

        with console.status("fetching raw logs"):
            raw_events, raw_before, raw_cpu = raw_fetch(node.rpc_url, address, first_block, last_block)
        with console.status(f"indexing {total // 4:,} events (memory, small backlog)"):
            small = index_in_child(node.rpc_url, address, first_block, small_last)
        with console.status(f"indexing {raw_events:,} events into Postgres"):
            full = index_in_child(node.rpc_url, address, first_block, last_block)
        with console.status("fetching raw logs again"):
            _, raw_after, raw_cpu_after = raw_fetch(node.rpc_url, address, first_block, last_block)

    # The machine's speed drifts (a shared 2-core VM here): the ceiling is the mean of the raw fetch before
    # and after the indexing runs, so that a drift during the run does not favour either side.
    raw_seconds, raw_cpu = (raw_before + raw_after) / 2, (raw_cpu + raw_cpu_after) / 2
    raw_rate = raw_events / raw_seconds
    index_rate = full["events"] / full["seconds"]

    def per_event(figures: dict[str, float], key: str) -> str:
        return f"{figures[key] / figures['events'] * 1e6:.1f}" if key in figures else "-"

    def memory(figures: dict[str, float]) -> str:
        return f"{figures['peak_rss_mib']:.0f} + {figures['fetch_peak_rss_mib']:.0f}"

    table = Table(title=f"Indexer benchmark: {raw_events:,} events, {last_block - first_block + 1} blocks")
    columns = (
        "measure",
        "events",
        "seconds",
        "events/s",
        "CPU µs/event: indexer + fetch process",
        "Postgres CPU µs/event",
        "peak RSS MiB: indexer + fetch process",
    )
    for col in columns:
        table.add_column(col, justify="right" if col != "measure" else "left")
    console.print(
        f"raw fetch: {raw_events / raw_before:,.0f} events/s before indexing, "
        f"{raw_events / raw_after:,.0f} after"
    )
    table.add_row(
        "raw eth_getLogs (ceiling)",
        f"{raw_events:,}",
        f"{raw_seconds:.2f}",
        f"{raw_rate:,.0f}",
        f"{raw_cpu / raw_events * 1e6:.1f}",
        "-",
        "-",
    )
    for label, figures in (("index → Postgres", full), ("index, small backlog", small)):
        table.add_row(
            label,
            f"{figures['events']:,.0f}",
            f"{figures['seconds']:.2f}",
            f"{figures['events'] / figures['seconds']:,.0f}",
            f"{per_event(figures, 'cpu_seconds')} + {per_event(figures, 'fetch_cpu_seconds')}",
            per_event(figures, "postgres_cpu_seconds"),
            memory(figures),
        )
    console.print(table)
    ratio = index_rate / raw_rate
    full_rss = full["peak_rss_mib"] + full["fetch_peak_rss_mib"]
    small_rss = small["peak_rss_mib"] + small["fetch_peak_rss_mib"]
    growth = full_rss / small_rss
    console.print(
        f"indexing runs at {ratio:.0%} of the raw fetch rate (goal ≥ 60 %); peak memory (indexer + fetch "
        f"process) grows x{growth:.2f} for x{full['events'] / small['events']:.1f} the backlog (flat ≈ x1)"
    )
    print(
        json.dumps(
            {
                "events": raw_events,
                "raw_fetch_events_per_s": round(raw_rate),
                "raw_fetch_events_per_s_before_after": [
                    round(raw_events / raw_before),
                    round(raw_events / raw_after),
                ],
                "index_events_per_s": round(index_rate),
                "ratio": round(ratio, 3),
                "peak_rss_mib_small": round(small["peak_rss_mib"], 1),
                "peak_rss_mib_full": round(full["peak_rss_mib"], 1),
                "fetch_peak_rss_mib_small": round(small["fetch_peak_rss_mib"], 1),
                "fetch_peak_rss_mib_full": round(full["fetch_peak_rss_mib"], 1),
                "small_backlog_events": small["events"],
                "cpu_us_per_event": {
                    "raw_fetch": round(raw_cpu / raw_events * 1e6, 1),
                    "indexer": round(full["cpu_seconds"] / full["events"] * 1e6, 1),
                    "fetch_process": round(full["fetch_cpu_seconds"] / full["events"] * 1e6, 1),
                    "postgres": round(full["postgres_cpu_seconds"] / full["events"] * 1e6, 1)
                    if "postgres_cpu_seconds" in full
                    else None,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
