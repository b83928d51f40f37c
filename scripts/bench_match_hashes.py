"""Hash-only batch matching: 1 000 PDQ hashes against 1 000 000 registered works, as `POST /match/hashes`
looks them up, beside the per-hash path, measured in the same run.

    python scripts/bench_match_hashes.py [--quick] [--size N] [--batch 1000] [--repeats 15] [--no-mih]

**Registry** (in memory, no chain): a `MatchEngine` on an empty migrated SQLite database, its indexes wrapped
in `KeptCodes` as `api.matcher` builds them, filled with N synthetic works (default 1 000 000; `--quick`
100 000): a PDQ hash each (uniform bits) and a pHash-256 each (the media step's second hash).

**Batch**: `--batch` hashes (default 1 000), a tenth of them a registered work's PDQ (and pHash) with 0-20
bits flipped (a platform's post of a registered image), the rest unrelated; radius `/match`'s 48 bits
(pHash 44).

**Paths**, each timed `--repeats` times after a warm-up, p50 reported:
* `batch_pdq`: `genip.matching.batch.match_many`, PDQ only (one compiled scan of the batch, then the hits
  attributed to their hashes) — the goal: p50 ≤ 200 ms at 1 000 x 1 000 000;
* `batch_pdq_phash`: the same with every item's pHash sent too (a second scan over the pHash index);
* baseline `per_hash`: `MatchEngine.match_hash` once per hash (the per-query path `/match` takes), fewer
  repeats;
* `mih_scan`: multi-index hashing (`scripts/mih_index.py`) over the same codes, one search of the whole batch
  (the union of hits only: a lower bound on its cost), once.

Every path's candidates are checked equal to `per_hash`'s. Prints a table and, last, one JSON line.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from mih_index import MultiIndexHashIndex  # noqa: E402 - scripts/: benchmark-only

from genip.db.engine import make_engine  # noqa: E402
from genip.db.migrate import upgrade  # noqa: E402
from genip.matching.batch import KeptCodes, match_many  # noqa: E402
from genip.matching.engine import MatchEngine  # noqa: E402
from genip.matching.index import default_index, scan_loop  # noqa: E402
from genip.matching.perceptual import QueryHash  # noqa: E402

GOAL_MS = 200.0
CHAIN = 31337


def _registry(
    size: int, rng: np.random.Generator, console: Console
) -> tuple[MatchEngine, np.ndarray, np.ndarray]:
    """An engine over `size` synthetic works (PDQ and pHash codes), and the codes."""
    folder = Path(tempfile.mkdtemp())
    db = make_engine(f"sqlite:///{folder / 'empty.db'}")
    upgrade(db)
    engine = MatchEngine(
        db, chain_id=CHAIN, index=KeptCodes(default_index()), phash_index=KeptCodes(default_index())
    )
    started = time.perf_counter()
    pdq = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    phash = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    creator = "0x" + "11" * 20
    step = 100_000
    for start in range(0, size, step):
        block = range(start, min(size, start + step))
        engine._append((CHAIN, i + 1, "0x" + pdq[i].tobytes().hex(), creator, "clear") for i in block)
        engine._append_media(
            (i + 1, "phash", CHAIN, i + 1, phash[i].tobytes(), creator, "clear") for i in block
        )
    console.print(f"  registry: {size:,} works in {time.perf_counter() - started:.1f} s ({scan_loop()} scan)")
    return engine, pdq, phash


def _perturbed(code: np.ndarray, bits: int, rng: np.random.Generator) -> bytes:
    flipped = np.unpackbits(code.copy())
    flipped[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(flipped).tobytes()


def _batch(
    pdq: np.ndarray, phash: np.ndarray, n: int, rng: np.random.Generator, *, with_phash: bool
) -> list[QueryHash]:
    queries = []
    for k in range(n):
        if k % 10 == 0:
            work = int(rng.integers(len(pdq)))
            p, h = _perturbed(pdq[work], int(rng.integers(0, 21)), rng), _perturbed(phash[work], 10, rng)
        else:
            p, h = rng.bytes(32), rng.bytes(32)
        queries.append(QueryHash((p,), 100, (h,) if with_phash else ()))
    return queries


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[dict[str, float], Any]:
    fn()  # warm-up
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    ordered = sorted(times)
    summary = {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "min_ms": round(ordered[0] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "repeats": repeats,
    }
    return summary, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 000 works, 5 repeats.")
    parser.add_argument("--size", type=int, default=None, help="Registered works (default 1 000 000).")
    parser.add_argument("--batch", type=int, default=1000, help="Hashes per request (default 1 000).")
    parser.add_argument("--repeats", type=int, default=None, help="Timed runs per path (default 15).")
    parser.add_argument("--no-mih", action="store_true", help="Skip multi-index hashing.")
    args = parser.parse_args()
    size = args.size or (100_000 if args.quick else 1_000_000)
    repeats = args.repeats or (5 if args.quick else 15)
    console = Console(width=None if sys.stdout.isatty() else 130)
    rng = np.random.default_rng(20)
    engine, pdq, phash = _registry(size, rng, console)
    pdq_only = _batch(pdq, phash, args.batch, rng, with_phash=False)
    both = _batch(pdq, phash, args.batch, rng, with_phash=True)
    results: dict[str, Any] = {}
    results["batch_pdq"], batch_answers = _timed(lambda: match_many(engine, pdq_only), repeats)
    results["batch_pdq_phash"], both_answers = _timed(lambda: match_many(engine, both), repeats)
    slow = max(2, repeats // 5)
    results["per_hash"], loop_answers = _timed(lambda: [engine.match_hash(q) for q in pdq_only], slow)
    loop_both = [engine.match_hash(q) for q in both]
    assert batch_answers == loop_answers, "match_many differs from match_hash (PDQ)"
    assert both_answers == loop_both, "match_many differs from match_hash (PDQ and pHash)"
    matched = sum(1 for found in batch_answers if found)
    if not args.no_mih:
        mih = MultiIndexHashIndex()
        mih.add(np.arange(size, dtype=np.int64), pdq)
        codes = np.frombuffer(b"".join(q.variants[0] for q in pdq_only), dtype=np.uint8).reshape(-1, 32)
        started = time.perf_counter()
        mih.search(codes, engine.config.match_distance)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        results["mih_scan"] = {"p50_ms": elapsed, "min_ms": elapsed, "max_ms": elapsed, "repeats": 1}
    table = Table(title=f"{args.batch:,} hashes against {size:,} registered works, radius 48")
    for head in ("path", "p50 ms", "min ms", "max ms", "repeats"):
        table.add_column(head)
    for name, r in results.items():
        table.add_row(name, str(r["p50_ms"]), str(r["min_ms"]), str(r["max_ms"]), str(r["repeats"]))
    console.print(table)
    console.print(f"  {matched} of {args.batch} hashes matched a work (expected ≈ {args.batch // 10})")
    summary = {
        "size": size,
        "batch": args.batch,
        "scan": scan_loop(),
        "matched": matched,
        **results,
        "speedup_vs_per_hash": round(results["per_hash"]["p50_ms"] / results["batch_pdq"]["p50_ms"], 1),
        "goal_ms": GOAL_MS,
        "goal_met": results["batch_pdq"]["p50_ms"] <= GOAL_MS,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
