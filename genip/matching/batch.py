"""Many hash-only queries against the engine at once: each query's own candidates, as `match_hash` finds them.

**Why a batch path.** A platform sends up to 1 000 PDQ hashes (its posts' images, hashed on its side). The
engine's `match_hash` takes one query (the 8 rotations/flips of one upload) per scan of every registered
hash; 1 000 calls read the registry 1 000 times. The compiled scan (`genip.matching.index.PopcountScanIndex`)
already runs every query of a search over each block of codes while it sits in the L1 cache, but it answers
"which codes are within the radius of *some* query", not which query found them. `match_many` therefore:

1. scans once with all the batch's hashes (the union of hits: one pass over memory);
2. attributes each hit to the queries it is within the radius of, with an exact popcount of the few hit codes
   against every query (hits x queries x 4 words, vectorised; hits are the matched posts' works only, since
   an unrelated code is within 48 of 256 bits with probability ~1e-9);
3. builds each query's candidates exactly as `MatchEngine.match_hash` does for a hash-only query (PDQ first,
   pHash when given, once per asset with the smaller distance, best first, ties to the oldest asset).

Step 2 needs each hit's code, which a `HammingIndex` does not give back: `KeptCodes` wraps the engine's index
and keeps the codes by id (32 bytes per hash: 32 MB per million registered works). An engine built without
it falls back to one `match_hash` per query (same answers, the per-query cost).

**Measured** (`scripts/bench_match_hashes.py`: 1 000 PDQ hashes, 100 of them registered works' hashes with
0-20 bits flipped, against 1 000 000 synthetic registered works at `/match`'s radius 48; this 2-vCPU
machine with AVX-512, shared with other jobs — the figures move with its load):

    load ~0.3 (idle), the compiled scan of 1 000 hashes x 1 M codes       221 ms p50, 107 ms min
    load ~3, `search_each` (the scan and the attribution)                  202 ms p50, 107 ms min
    load 13-16: `match_many`, PDQ only                                     565 ms p50, 328 ms min
    load 13-16: `match_many`, PDQ and pHash (two scans)                   1 264 ms p50
    load 13-16: baseline, `match_hash` once per hash (the per-query path) 1 597 ms p50 (2.8x slower)
    load ~12, 100 000 works: multi-index hashing (`scripts/mih_index.py`),
        the union of 1 000 hashes' hits only                               ~50 000 ms (`match_many`: 123 ms)

End to end (`scripts/bench_match_hashes_route.py`: the whole `POST /match/hashes` on Postgres with 1 M works
and 1 M licences, verdicts included): p50 95 ms on the quiet machine (this module's part 66 ms), 483 ms at
load 7.

**Choice: the compiled scan, once per batch.** Multi-index hashing only prunes at small radii (Meta's 31:
⌊31/16⌋ = 1); at the 48 bits `/match` uses (no false positive over 102 064 pairs of distinct images, see
`genip.matching.perceptual`) every 16-bit chunk is probed within 3 bits (697 buckets), which verifies about a
sixth of the registry per hash: 400x slower than the scan here. A batch's cost is the scan's 1e9 code-hash
comparisons (two 64-bit popcounts each, eight codes per AVX-512 instruction); one scan of the batch saves
the per-hash path's 1 000 passes over memory and calls. The 200 ms goal is reached on a quiet machine
(p50 202-221 ms, min 107 ms: at the goal, not under it) and missed under load; going further needs fewer
comparisons than a linear scan at radius 48, which no exact index found here gives, or a tighter C loop
(several hashes per loaded block of codes) in `genip/matching/popcount_scan.c`.
"""

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from genip.matching.engine import Candidate, MatchEngine, confidence
from genip.matching.index import Codes, HammingIndex, Hit, Ids
from genip.matching.perceptual import HASH_BYTES, QueryHash

__all__ = ["KeptCodes", "match_many", "search_each"]

#: Bytes of the (hits x queries) distance block computed at once in `search_each` (bounds its memory).
_BLOCK_BYTES: Final = 32 * 1024 * 1024


class KeptCodes:
    """A `HammingIndex` that also keeps every code by id, so hits can be attributed to queries.

    Ids must be added in order from 0 (the engine numbers its rows so); searches go to `inner`."""

    def __init__(self, inner: HammingIndex) -> None:
        self.inner = inner
        self._codes: Codes = np.empty((1024, HASH_BYTES), dtype=np.uint8)
        self._size = 0

    def __len__(self) -> int:
        return len(self.inner)

    def add(self, ids: Ids, codes: Codes) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, HASH_BYTES)
        if len(ids) and not np.array_equal(ids, np.arange(self._size, self._size + len(ids))):
            raise ValueError(f"KeptCodes takes ids in order from {self._size}, got {ids[:3].tolist()}…")
        need = self._size + len(ids)
        if need > len(self._codes):
            grown = np.empty((max(need, 2 * len(self._codes)), HASH_BYTES), dtype=np.uint8)
            grown[: self._size] = self._codes[: self._size]
            self._codes = grown
        self._codes[self._size : need] = codes
        self.inner.add(ids, codes)
        self._size = need

    def search(self, queries: Codes, radius: int) -> list[Hit]:
        return self.inner.search(queries, radius)

    def codes(self, ids: Ids) -> Codes:
        """The codes stored under `ids`."""
        return self._codes[: self._size][ids]


def search_each(index: KeptCodes, queries: Codes, radius: int) -> list[list[Hit]]:
    """For each query, the ids within `radius` bits of it with their distance, nearest first (then by id):
    one scan for all queries, then each hit's exact distance to every query (see the module docstring)."""
    queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, HASH_BYTES)
    found: list[list[Hit]] = [[] for _ in range(len(queries))]
    hits = index.search(queries, radius) if len(queries) else []
    if not hits:
        return found
    ids = np.fromiter((h[0] for h in hits), dtype=np.int64, count=len(hits))
    qwords = queries.view(np.uint64)  # (q, 4)
    step = max(1, _BLOCK_BYTES // (8 * len(queries)))
    pairs_q: list[npt.NDArray[np.int64]] = []
    pairs_id: list[npt.NDArray[np.int64]] = []
    pairs_d: list[npt.NDArray[np.int64]] = []
    for start in range(0, len(ids), step):
        block = ids[start : start + step]
        words = index.codes(block).view(np.uint64)  # (h, 4)
        distances = np.zeros((len(block), len(queries)), dtype=np.int64)
        for word in range(HASH_BYTES // 8):
            distances += np.bitwise_count(words[:, word, None] ^ qwords[None, :, word])
        hit_rows, query_cols = np.nonzero(distances <= radius)
        pairs_q.append(query_cols.astype(np.int64))
        pairs_id.append(block[hit_rows])
        pairs_d.append(distances[hit_rows, query_cols])
    q_all, id_all, d_all = np.concatenate(pairs_q), np.concatenate(pairs_id), np.concatenate(pairs_d)
    order = np.lexsort((id_all, d_all, q_all))
    for q, i, d in zip(q_all[order].tolist(), id_all[order].tolist(), d_all[order].tolist(), strict=True):
        found[q].append((i, d))
    return found


def _codes(hashes: Sequence[bytes]) -> Codes:
    return np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(-1, HASH_BYTES)


def match_many(
    engine: MatchEngine, queries: Sequence[QueryHash], *, limit: int = 10
) -> list[list[Candidate]]:
    """For each hash-only query (PDQ `variants`, optional `phash_variants`; no thumbnails or keypoints), the
    candidates `engine.match_hash(query, limit=limit)` gives, computed for all queries in one scan per index
    (see the module docstring). The caller refreshes the engine and holds its lock, as for `match_hash`."""
    if not isinstance(engine.index, KeptCodes) or not isinstance(engine.phash_index, KeptCodes):
        return [engine.match_hash(q, limit=limit) for q in queries]
    config = engine.config
    # Query number of each variant row, for PDQ and for the queries that sent a pHash.
    pdq_owner = [n for n, q in enumerate(queries) for _ in q.variants]
    pdq_hits = search_each(
        engine.index, _codes([v for q in queries for v in q.variants]), config.match_distance
    )
    best: list[dict[tuple[int, int], Candidate]] = [{} for _ in queries]
    rows, phash_rows = engine._rows, engine._phash_rows

    def keep(n: int, found: Candidate, distance: int) -> None:
        key = (found.chain_id, found.asset_id)
        if key not in best[n] or distance < (best[n][key].distance or 0):
            best[n][key] = found

    for variant, hits in enumerate(pdq_hits):
        for row, distance in hits:
            keep(
                pdq_owner[variant],
                rows.candidate(row, "pdq", confidence(distance), distance=distance),
                distance,
            )
    if len(phash_rows) and any(q.phash_variants for q in queries):
        phash_owner = [n for n, q in enumerate(queries) for _ in q.phash_variants]
        codes = _codes([v for q in queries for v in q.phash_variants])
        for variant, hits in enumerate(search_each(engine.phash_index, codes, config.phash_distance)):
            for row, distance in hits:
                found = phash_rows.candidate(row, "phash", confidence(distance), distance=distance)
                keep(phash_owner[variant], found, distance)
    return [sorted(b.values(), key=lambda c: (c.distance or 0, c.chain_id, c.asset_id))[:limit] for b in best]
