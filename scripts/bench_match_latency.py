"""Lookup latency of the matching index at 100 k, 1 M and 10 M hashes, against numpy brute force.

Usage: `python scripts/bench_match_latency.py [--size N] [--quick] [--queries Q] [--shards S] [--crops N]`

**Data** (realistic, not only uniform bits): a third of the hashes are independent "originals"; the rest
are near-duplicate clusters around them (2-20 copies each, every copy 4-40 bits away from its original, as
re-encodes, resizes and edits of one picture are), and each bit of the originals is biased (probabilities
drawn from 0.35-0.65) as real PDQ bits are. Generated in 1 M blocks, seeded.

**Queries**: 8 codes per lookup, as the engine sends (the upload's 8 rotations/flips): half the lookups hold
a stored hash 0-20 bits perturbed as variant 0 (a registered work re-uploaded), the other half nothing stored;
the other 7 variants are unrelated codes. Radius: the engine's `match_distance` (48).

**Indexes**: `PopcountScanIndex` as the engine uses it (the compiled scan, `genip/matching/popcount_scan.c`:
128-bit prefix filter, all 8 variants per pass over the codes, AVX-512 or AVX2 where the CPU has them, one
shard per CPU searched in parallel), `FaissFlatIndex` with the same prefix filter and shards (the previous
engine), the same class as a plain full-width single scan (`shards=1, prefix_bytes=32`: the FAISS baseline),
`MultiIndexHashIndex` (16 x 16-bit chunk tables; at radius 48 each chunk is probed within 3 bits) and numpy
brute force (XOR + popcount over every code, per variant). Build time is the time to add every code; memory
is the process's resident-set growth while building (the codes themselves take 32 B each). Every index's
answers are checked equal to the first contender's on the first lookups, and numpy's are the reference.
`--shards` sets the engine index's shards (default: one per CPU).

**Crop stage** (`--crops N`, repeatable; default 1 000 and 10 000 images, 1 000 with `--quick`): the
engine's keypoint lookup (`MatchEngine.crop_matches`' descriptor scan) over N images x 256 ORB descriptors
(uniform random bits: a scan's cost does not depend on their values), with an upload's 256 descriptors at
the engine's descriptor radius, with the compiled scan at full width as the engine uses it
(`prefix_bytes=32`: at radius 56 a 128-bit prefix would let ~10 % of codes through); against FAISS flat
and numpy brute force at the first size.

**Thumbnail stage**: the engine's thumbnail lookup (8 variants, a float32 matrix product) over 10 000,
100 000 and 1 000 000 stored thumbnails (10 000 with `--quick`).

Prints rich tables, then one JSON line.
"""

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from mih_index import MultiIndexHashIndex  # scripts/: benchmark-only
from rich.console import Console
from rich.table import Table

from genip.matching.features import MAX_DESCRIPTOR_DISTANCE, MAX_FEATURES
from genip.matching.index import (
    FaissFlatIndex,
    HammingIndex,
    Hit,
    PopcountScanIndex,
    default_shards,
    scan_loop,
)
from genip.matching.thumbnails import ThumbnailIndex
from genip.settings import Settings

Codes = npt.NDArray[np.uint8]
BLOCK = 1_000_000


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def flip_bits(codes: Codes, counts: npt.NDArray[np.int64], rng: np.random.Generator) -> Codes:
    """Each row of `codes` with about `counts[i]` random bits flipped (positions drawn with replacement)."""
    n, most = len(codes), max(int(counts.max()), 1)
    positions = rng.integers(0, 256, size=(n, most))
    rows = np.repeat(np.arange(n), most).reshape(n, most)
    use = np.arange(most)[None, :] < counts[:, None]
    mask = np.zeros((n, 256), dtype=bool)
    mask[rows[use], positions[use]] = True
    return codes ^ np.packbits(mask, axis=1)


def make_codes(n: int, seed: int = 0) -> Codes:
    """`n` hashes: biased-bit originals and near-duplicate clusters around them (see module doc)."""
    rng = np.random.default_rng(seed)
    bias = rng.uniform(0.35, 0.65, size=256)
    out = np.empty((n, 32), dtype=np.uint8)
    filled = 0
    while filled < n:
        block = min(BLOCK, n - filled)
        originals = max(1, block // 3)
        base = np.packbits(rng.random((originals, 256)) < bias, axis=1)
        copies = block - originals
        parent = rng.integers(0, originals, size=copies)
        # Cluster sizes vary: skew the parent choice so some originals get many copies, most few.
        parent = (parent * rng.random(copies) ** 2).astype(np.int64)
        dupes = flip_bits(base[parent], rng.integers(4, 41, size=copies), rng)
        out[filled : filled + block] = np.concatenate([base, dupes])
        filled += block
    return out


def make_lookups(codes: Codes, count: int, seed: int = 1) -> list[Codes]:
    rng = np.random.default_rng(seed)
    lookups = []
    for k in range(count):
        variants = np.packbits(rng.random((8, 256)) < 0.5, axis=1)
        if k % 2 == 0:
            stored = codes[rng.integers(0, len(codes))][None, :]
            variants[0] = flip_bits(stored, np.array([rng.integers(0, 21)]), rng)[0]
        lookups.append(variants)
    return lookups


class NumpyBrute:
    """The baseline: XOR + popcount against every stored code, per variant."""

    def __init__(self) -> None:
        self.words = np.empty((0, 4), dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.words)

    def add(self, ids: npt.NDArray[np.int64], codes: Codes) -> None:
        del ids  # ids are positions here
        self.words = np.concatenate([self.words, codes.view(np.uint64)])

    def search(self, queries: Codes, radius: int) -> list[Hit]:
        best: dict[int, int] = {}
        for q in queries.view(np.uint64):
            dist = np.bitwise_count(self.words ^ q).sum(axis=1, dtype=np.int64)
            for i in np.flatnonzero(dist <= radius).tolist():
                best[i] = min(best.get(i, 999), int(dist[i]))
        return sorted(best.items(), key=lambda kv: (kv[1], kv[0]))


def measure(
    name: str, factory: Callable[[], Any], codes: Codes, lookups: list[Codes], radius: int, repeat: int
) -> tuple[dict[str, float], Any]:
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    index = factory()
    for start in range(0, len(codes), BLOCK):
        block = codes[start : start + BLOCK]
        index.add(np.arange(start, start + len(block), dtype=np.int64), block)
    build = time.perf_counter() - started
    memory = rss_bytes() - before
    times = []
    for _ in range(repeat):
        for lookup in lookups:
            t = time.perf_counter()
            index.search(lookup, radius)
            times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    # Freshness: one new code, searchable right after `add` returns.
    new = np.packbits(np.random.default_rng(99).random((1, 256)) < 0.5, axis=1)
    t = time.perf_counter()
    index.add(np.array([len(codes)], dtype=np.int64), new)
    add_ms = (time.perf_counter() - t) * 1000
    found = any(hit == (len(codes), 0) for hit in index.search(np.repeat(new, 8, axis=0), radius))
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "build_s": round(build, 2),
        "memory_mb": round(memory / 2**20, 1),
        "add_one_ms": round(add_ms, 3),
        "new_found": found,
        "lookups": len(times),
    } | {"name": name}, index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append", help="index size (repeatable)")
    parser.add_argument("--quick", action="store_true", help="100 k hashes, few lookups: < 1 min")
    parser.add_argument("--queries", type=int, default=None, help="lookups per size (8 codes each)")
    parser.add_argument("--shards", type=int, default=None, help="engine index shards (default: CPUs)")
    parser.add_argument("--radius", type=int, default=None, help="Hamming radius (default: settings)")
    parser.add_argument("--crops", type=int, action="append", help="images for the crop-stage lookup")
    args = parser.parse_args()
    shards = args.shards or default_shards()
    sizes = args.size or ([100_000] if args.quick else [100_000, 1_000_000, 10_000_000])
    radius = args.radius if args.radius is not None else Settings().match_distance
    console = Console(width=max(120, Console().width))
    results: list[dict[str, Any]] = []
    for n in sizes:
        console.print(f"[bold]{n:,} hashes[/bold]: generating…")
        codes = make_codes(n)
        lookups = make_lookups(codes, args.queries or (20 if args.quick else 60))
        contenders: list[tuple[str, Callable[[], HammingIndex | NumpyBrute], int]] = [
            ("numpy brute force", NumpyBrute, 1),
            (f"compiled scan, {shards} shards", lambda: PopcountScanIndex(shards=shards), 3),
            (f"faiss prefix, {shards} shards", lambda: FaissFlatIndex(shards=shards), 3),
            ("faiss flat plain", lambda: FaissFlatIndex(shards=1, prefix_bytes=32), 3),
            ("multi-index hashing", MultiIndexHashIndex, 1),
        ]
        reference: list[list[Hit]] = []
        baseline_p50 = 0.0
        for name, factory, repeat in contenders:
            # The slow contenders get 10 lookups at 10 M (enough for a median, not for a p99).
            fast = name.startswith(("faiss", "compiled"))
            lookups_used = lookups[:10] if not fast and n > 1_000_000 else lookups
            figures, index = measure(name, factory, codes, lookups_used, radius, repeat)
            answers = [index.search(lookup, radius) for lookup in lookups[:6]]
            if not reference:
                reference = answers
            figures["exact"] = answers == reference
            figures["size"] = n
            baseline_p50 = baseline_p50 or figures["p50_ms"]
            figures["speedup_vs_numpy"] = round(baseline_p50 / max(figures["p50_ms"], 1e-3), 1)
            results.append(figures)
            console.print(f"  {name}: p50 {figures['p50_ms']} ms, build {figures['build_s']} s")
            del index
            gc.collect()
        del codes

    table = Table(title=f"lookup latency, 8 variants per lookup, radius {radius}, {os.cpu_count()} CPUs")
    columns = (
        "size",
        "index",
        "p50 ms",
        "p99 ms",
        "x numpy p50",
        "build s",
        "memory MB",
        "add 1 ms",
        "exact",
    )
    for column in columns:
        table.add_column(column, justify="right" if column != "index" else "left")
    for r in results:
        table.add_row(
            f"{r['size']:,}",
            r["name"],
            f"{r['p50_ms']}",
            f"{r['p99_ms']}",
            f"{r['speedup_vs_numpy']}",
            f"{r['build_s']}",
            f"{r['memory_mb']}",
            f"{r['add_one_ms']}",
            "yes" if r["exact"] and r["new_found"] else "NO",
        )
    console.print(table)
    crops = crop_stage(args.crops or ([1_000] if args.quick else [1_000, 10_000]), console)
    thumbs = thumbnail_stage([10_000] if args.quick else [10_000, 100_000, 1_000_000], console)
    console.print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    summary = {
        "radius": radius,
        "shards": shards,
        "scan_loop": scan_loop(),
        "results": results,
        "crop_stage": crops,
        "thumbnail_stage": thumbs,
    }
    sys.stdout.write(json.dumps(summary) + "\n")


def thumbnail_stage(sizes: list[int], console: Console) -> list[dict[str, Any]]:
    """p50/p99 of the thumbnail stage's lookup (8 variants) over `sizes` stored thumbnails."""
    rng = np.random.default_rng(6)
    out: list[dict[str, Any]] = []
    table = Table(title="thumbnail stage: 8 variants against every stored 16x16 thumbnail")
    for column in ("images", "p50 ms", "p99 ms", "memory MB"):
        table.add_column(column, justify="right")
    for images in sizes:
        vectors = rng.normal(size=(images, 256)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = ThumbnailIndex()
        index.add(np.arange(images, dtype=np.int64), vectors)
        times = []
        for k in range(12):
            queries = vectors[k * 8 : k * 8 + 8]
            t = time.perf_counter()
            index.search(queries, Settings().match_thumbnail_correlation)
            times.append((time.perf_counter() - t) * 1000)
        row = {
            "images": images,
            "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p99_ms": round(float(np.percentile(times, 99)), 2),
            "memory_mb": round(vectors.nbytes / 2**20, 1),
        }
        out.append(row)
        table.add_row(f"{images:,}", f"{row['p50_ms']}", f"{row['p99_ms']}", f"{row['memory_mb']}")
        del index, vectors
        gc.collect()
    console.print(table)
    return out


def crop_stage(sizes: list[int], console: Console) -> list[dict[str, Any]]:
    """p50/p99 of one upload's descriptor lookup over `sizes` images (see the module docstring)."""
    rng = np.random.default_rng(5)
    out: list[dict[str, Any]] = []
    table = Table(title=f"crop stage: {MAX_FEATURES} descriptors per image and per upload")
    for column in ("images", "descriptors", "index", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right" if column != "index" else "left")
    for images in sizes:
        count = images * MAX_FEATURES
        codes = rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
        scan = PopcountScanIndex(prefix_bytes=32)  # as MatchEngine builds it
        scan.add(np.arange(count, dtype=np.int64), codes)
        index = FaissFlatIndex(prefix_bytes=32)  # the engine's before the compiled scan
        index.add(np.arange(count, dtype=np.int64), codes)
        queries = [rng.integers(0, 256, size=(MAX_FEATURES, 32), dtype=np.uint8) for _ in range(8)]
        contenders: list[tuple[str, Callable[[Codes], object]]] = [
            ("compiled scan, engine", lambda q, scan=scan: scan.search(q, MAX_DESCRIPTOR_DISTANCE)),
            ("faiss flat", lambda q, index=index: index.search(q, MAX_DESCRIPTOR_DISTANCE)),
        ]
        if images == sizes[0]:
            brute = NumpyBrute()
            brute.add(np.arange(count, dtype=np.int64), codes)
            contenders.append(("numpy brute force", lambda q, b=brute: b.search(q, MAX_DESCRIPTOR_DISTANCE)))
        for name, search in contenders:
            times = []
            for q in queries[: 3 if name.startswith("numpy") else 8]:
                t = time.perf_counter()
                search(q)
                times.append((time.perf_counter() - t) * 1000)
            row = {
                "images": images,
                "descriptors": count,
                "name": name,
                "p50_ms": round(float(np.percentile(times, 50)), 1),
                "p99_ms": round(float(np.percentile(times, 99)), 1),
            }
            out.append(row)
            table.add_row(f"{images:,}", f"{count:,}", name, f"{row['p50_ms']}", f"{row['p99_ms']}")
        del index, scan, codes
        gc.collect()
    console.print(table)
    return out


if __name__ == "__main__":
    main()
