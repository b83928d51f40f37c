"""Exact in-memory Hamming-radius indexes over 256-bit hashes, append-only (ids are caller-chosen int64).

Implementations of one interface (`HammingIndex`), all exact (every stored hash within the radius
of any query is returned, with its smallest distance over the queries):

* `PopcountScanIndex` — a compiled scan (`popcount_scan.c`, built by cffi when the package is installed):
  codes stored as four columns of 64-bit words; every query of a search runs over each 1 024-code block
  while it is in the L1 cache, so the codes are read once per search, not once per query; a 128-bit prefix
  filter, then all 256 bits for the few candidates; AVX-512 VPOPCNTQ (eight codes per instruction
  sequence) or AVX2 (four) where the CPU has them, chosen at run time.
* `FaissFlatIndex` — FAISS `IndexBinaryFlat` range search over the same 128-bit prefix (or the full
  width), one scan per query. Adds are appends, so a new code is searchable at once.
* `MultiIndexHashIndex` (benchmark-only, in `scripts/mih_index.py`) — multi-index hashing over 16-bit
  chunks, whose pruning depends on the radius.

**Choice: `PopcountScanIndex`** (`FaissFlatIndex` where the scan is not built).
`scripts/bench_match_latency.py` on one 2-core AMD EPYC with AVX-512, 8 variants per lookup at radius 48:
at 1 M hashes 2.9 ms p50 (FAISS with the same prefix and shards 5.7 ms, plain FAISS 7.5 ms, numpy 156 ms);
at 10 M 31 ms (FAISS prefix 60 ms, plain 85 ms, numpy 2.0 s). For the crop stage's 256 descriptors at
radius 56, at full width: 10 ms against FAISS's 39 ms over 256 000 descriptors. Multi-index hashing only
prunes when ⌊r/16⌋ is small: at radius 48 every chunk must be probed within 3 bits (697 buckets per chunk,
16 chunks, 8 variants), and it took 141 ms at 1 M. It stays in `scripts/`, tested exact,
because at Meta's radius of 31 (⌊31/16⌋ = 1, 17 buckets per chunk) it was the faster one in earlier
measurements (4.0 ms against FAISS's 8.3 ms at 1 M).
"""

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Final, Protocol

import faiss
import numpy as np
import numpy.typing as npt

try:  # the compiled scan (setup.py builds it from popcount_scan.c when the package is installed)
    from genip.matching._popcount import ffi as _ffi
    from genip.matching._popcount import lib as _lib

    _SCAN_BUILT = True
except ImportError:  # pragma: no cover - a copy of the sources that was never installed
    _SCAN_BUILT = False

__all__ = [
    "FaissFlatIndex",
    "HammingIndex",
    "Hit",
    "PopcountScanIndex",
    "default_index",
    "popcount_scan_available",
    "scan_loop",
]

Codes = npt.NDArray[np.uint8]
Ids = npt.NDArray[np.int64]
#: (id, distance) pairs, nearest first.
Hit = tuple[int, int]

_BITS: Final = 256
_BYTES: Final = 32
#: Below this many codes a scan takes well under a millisecond: shards are searched in the calling thread,
#: since handing them to the pool would cost more than it saves.
PARALLEL_FROM: Final = 65_536


class HammingIndex(Protocol):
    """An append-only set of 32-byte codes with int64 ids, searched by Hamming radius."""

    def __len__(self) -> int: ...

    def add(self, ids: Ids, codes: Codes) -> None:
        """Append `codes` (n x 32 uint8) under `ids` (n int64)."""

    def search(self, queries: Codes, radius: int) -> list[Hit]:
        """Ids within `radius` bits of any query, with their smallest distance; nearest first."""
        ...


def _as_codes(codes: Codes) -> Codes:
    array = np.ascontiguousarray(codes, dtype=np.uint8)
    if array.ndim != 2 or array.shape[1] != _BYTES:
        raise ValueError(f"codes must be an n x {_BYTES} uint8 array, got shape {array.shape}")
    return array


def _best_per_id(ids: Ids, distances: npt.NDArray[np.int64]) -> list[Hit]:
    if ids.size == 0:
        return []
    order = np.lexsort((distances, ids))
    ids, distances = ids[order], distances[order]
    first = np.ones(ids.size, dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    ids, distances = ids[first], distances[first]
    order = np.lexsort((ids, distances))
    return list(zip(ids[order].tolist(), distances[order].tolist(), strict=True))


def _popcount_distances(codes: Codes, queries: Codes) -> npt.NDArray[np.int64]:
    """Distance of every code to every query: (len(codes), len(queries))."""
    words = codes.view(np.uint64)
    qwords = queries.view(np.uint64)
    counts: npt.NDArray[np.int64] = np.bitwise_count(words[:, None, :] ^ qwords[None, :, :]).sum(
        axis=2, dtype=np.int64
    )
    return counts


class _Growable:
    """Ids (and, unless `ids_only`, codes) in arrays that double when full: amortised O(1) appends."""

    def __init__(self, *, ids_only: bool = False) -> None:
        self.ids_only = ids_only
        self.codes: Codes = np.empty((0 if ids_only else 1024, _BYTES), dtype=np.uint8)
        self.ids: Ids = np.empty(1024, dtype=np.int64)
        self.size = 0

    def append(self, ids: Ids, codes: Codes) -> None:
        need = self.size + len(ids)
        if need > len(self.ids):
            capacity = max(need, 2 * len(self.ids))
            self.ids = np.resize(self.ids, capacity)
            if not self.ids_only:
                self.codes = np.resize(self.codes, (capacity, _BYTES))
        self.ids[self.size : need] = ids
        if not self.ids_only:
            self.codes[self.size : need] = codes
        self.size = need

    def view(self) -> tuple[Ids, Codes]:
        return self.ids[: self.size], self.codes[: self.size]


class _Shard(Protocol):
    def __len__(self) -> int: ...

    def add(self, ids: Ids, codes: Codes) -> None: ...

    def search(self, queries: Codes, radius: int) -> tuple[Ids, npt.NDArray[np.int64]]:
        """(ids, distances) within `radius` of some query (ids may repeat)."""
        ...


class _PrefixShard:
    """One shard of `FaissFlatIndex`: FAISS flat over the codes' first `prefix_bytes`, full codes beside."""

    def __init__(self, prefix_bytes: int) -> None:
        self.prefix_bytes = prefix_bytes
        self.index = faiss.IndexBinaryFlat(prefix_bytes * 8)
        self.rows = _Growable()  # ids and full codes, in FAISS's position order

    def __len__(self) -> int:
        return self.rows.size

    def add(self, ids: Ids, codes: Codes) -> None:
        self.index.add(np.ascontiguousarray(codes[:, : self.prefix_bytes]))
        self.rows.append(ids, codes)

    def search(self, queries: Codes, radius: int) -> tuple[Ids, npt.NDArray[np.int64]]:
        """(ids, distances) within `radius` of some query (ids may repeat). Exact: a code's distance over
        the prefix never exceeds its full distance, so the prefix scan misses nothing; each candidate is
        then verified on all 256 bits against the query that found it."""
        if len(self) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        prefixes = np.ascontiguousarray(queries[:, : self.prefix_bytes])
        # FAISS binary range search keeps distances strictly below its radius argument.
        limits, prefix_distances, positions = self.index.range_search(prefixes, radius + 1)
        query_of = np.repeat(np.arange(len(queries)), np.diff(limits).astype(np.int64))
        ids, codes = self.rows.view()
        words, query_words = codes.view(np.uint64), queries.view(np.uint64)
        distances = prefix_distances.astype(np.int64)
        # The rest of each candidate, one 64-bit word at a time: 1-D gathers are ~9x faster in numpy than
        # gathering whole rows, and the prefix's distance is FAISS's already.
        for word in range(self.prefix_bytes // 8, _BYTES // 8):
            distances += np.bitwise_count(words[positions, word] ^ query_words[query_of, word])
        keep = distances <= radius
        return ids[positions[keep]], distances[keep]


#: The scan's loops, slowest first; `PopcountScanIndex(instructions=...)` caps which it may use.
SCAN_LOOPS: Final = ("portable", "avx2", "avx512")


def popcount_scan_available() -> bool:
    """Whether the compiled scan behind `PopcountScanIndex` is installed."""
    return _SCAN_BUILT


def scan_loop() -> str:
    """The loop the compiled scan runs on this CPU ("avx512", "avx2" or "portable")."""
    return SCAN_LOOPS[_lib.genip_scan_level()] if _SCAN_BUILT else "not built"


class _ScanShard:
    """One shard of `PopcountScanIndex`: the codes as four columns of 64-bit words, for the C scan."""

    #: Hits the first call has room for; a search that finds more calls again with room for all.
    FIRST_CAPACITY: Final = 4096

    def __init__(self, *, prefix_bytes: int, level: int) -> None:
        self.filter_words = prefix_bytes // 8
        self.level = level
        self.words = np.empty((4, 1024), dtype=np.uint64)  # word j of code i: words[j, i]
        self.ids: Ids = np.empty(1024, dtype=np.int64)
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, ids: Ids, codes: Codes) -> None:
        need = self.size + len(ids)
        if need > len(self.ids):
            capacity = max(need, 2 * len(self.ids))
            words = np.empty((4, capacity), dtype=np.uint64)
            words[:, : self.size] = self.words[:, : self.size]
            self.words = words
            self.ids = np.resize(self.ids, capacity)
        self.words[:, self.size : need] = codes.view(np.uint64).T
        self.ids[self.size : need] = ids
        self.size = need

    def search(self, queries: Codes, radius: int) -> tuple[Ids, npt.NDArray[np.int64]]:
        query_words = np.ascontiguousarray(queries.view(np.uint64))
        capacity = self.FIRST_CAPACITY
        while True:
            positions = np.empty(capacity, dtype=np.int64)
            distances = np.empty(capacity, dtype=np.int32)
            found = _lib.genip_scan(  # cffi releases the GIL while it runs
                _ffi.cast("uint64_t *", self.words.ctypes.data),
                self.words.shape[1],
                self.size,
                _ffi.cast("uint64_t *", query_words.ctypes.data),
                len(query_words),
                radius,
                self.filter_words,
                _ffi.cast("int64_t *", positions.ctypes.data),
                _ffi.cast("int32_t *", distances.ctypes.data),
                capacity,
                self.level,
            )
            if found <= capacity:
                return self.ids[positions[:found]], distances[:found].astype(np.int64)
            capacity = found


def default_shards() -> int:
    """One shard per CPU, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


class _ShardedIndex:
    """Codes spread over shards, searched at once on a thread pool from `parallel_from` codes on.

    * **Shards.** Each add goes to the emptiest shards; a search runs every shard on the pool (smaller
      indexes are scanned in the caller, since handing work to the pool would cost more than it saves).
      The scans release the GIL, so shards run on separate cores. Python threads rather than FAISS's
      OpenMP, whose spinning threads were measured 10x slower than one thread on a busy 2-core machine.
    * **Concurrency.** Searches run concurrently with each other; `add` waits for running searches (a
      readers-writer lock), since a shard may reallocate its arrays while appending.
    """

    def __init__(self, shards: list[_Shard], parallel_from: int) -> None:
        self._shards = shards
        self._pool = (
            ThreadPoolExecutor(len(shards), thread_name_prefix="genip-match") if len(shards) > 1 else None
        )
        self._lock = _ReadWriteLock()
        self._parallel_from = parallel_from

    def __len__(self) -> int:
        return sum(len(shard) for shard in self._shards)

    def add(self, ids: Ids, codes: Codes) -> None:
        codes = _as_codes(codes)
        ids = np.asarray(ids, dtype=np.int64)
        with self._lock.writing():
            emptiest = sorted(self._shards, key=len)
            parts = zip(np.array_split(ids, len(emptiest)), np.array_split(codes, len(emptiest)), strict=True)
            for shard, (part_ids, part_codes) in zip(emptiest, parts, strict=True):
                if len(part_ids):
                    shard.add(part_ids, part_codes)

    def search(self, queries: Codes, radius: int) -> list[Hit]:
        queries = _as_codes(queries)
        with self._lock.reading():
            if self._pool is None or len(self) < self._parallel_from:
                found = [shard.search(queries, radius) for shard in self._shards]
            else:
                found = list(self._pool.map(lambda shard: shard.search(queries, radius), self._shards))
        return _best_per_id(np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]))


class FaissFlatIndex(_ShardedIndex):
    """FAISS `IndexBinaryFlat` scans over 128-bit prefixes, verified on 256 bits, in parallel shards.

    * **Prefix filter.** A flat scan costs one popcount per 64-bit word per code per query. Scanning only
      the first `prefix_bytes` (16: half the words) and verifying the few codes within the radius there
      halves that and stays exact (see `_PrefixShard.search`). At radius 48 an unrelated code passes the
      128-bit filter with probability about 0.3 % (P[Bin(128, 1/2) <= 48]); `prefix_bytes=32` is the
      plain full-width scan.
    * **Shards** and concurrency: see `_ShardedIndex`. FAISS's own OpenMP is set to one thread.
    """

    def __init__(
        self, *, shards: int | None = None, prefix_bytes: int = 16, parallel_from: int = PARALLEL_FROM
    ) -> None:
        """`parallel_from`: fewest codes for which shards are searched on the pool (see `_ShardedIndex`)."""
        if prefix_bytes not in (8, 16, 24, 32):
            raise ValueError(f"prefix_bytes must be 8, 16, 24 or 32 (whole 64-bit words), got {prefix_bytes}")
        faiss.omp_set_num_threads(1)
        count = max(1, shards if shards is not None else default_shards())
        super().__init__([_PrefixShard(prefix_bytes) for _ in range(count)], parallel_from)


class PopcountScanIndex(_ShardedIndex):
    """The compiled scan (`popcount_scan.c`): every query against each block of codes, AVX2 where present.

    Same filter as `FaissFlatIndex` (`prefix_bytes` 16: the 128-bit prefix within the radius, then all
    256 bits; 32: the full width at once, for radii where the prefix would let many codes through), but one
    pass over memory answers all the queries of a search (the engine sends 8: the upload's rotations and
    flips), where FAISS scans the codes once per query, and four codes are compared per instruction
    sequence (eight with AVX-512's VPOPCNTQ). Exact. `instructions` caps the loop ("avx2", "portable"; by
    default the CPU's best), so tests cover every loop on a machine that has them all.
    """

    def __init__(
        self,
        *,
        shards: int | None = None,
        prefix_bytes: int = 16,
        parallel_from: int = PARALLEL_FROM,
        instructions: str = "avx512",
    ) -> None:
        if not _SCAN_BUILT:
            raise RuntimeError(
                "the compiled popcount scan is not installed (genip/matching/_popcount): "
                "reinstall the package with a C compiler present (make setup), or use FaissFlatIndex"
            )
        if prefix_bytes not in (16, 32):
            raise ValueError(f"prefix_bytes must be 16 or 32, got {prefix_bytes}")
        if instructions not in SCAN_LOOPS:
            raise ValueError(f"instructions must be one of {', '.join(SCAN_LOOPS)}, got {instructions!r}")
        count = max(1, shards if shards is not None else default_shards())
        level = SCAN_LOOPS.index(instructions)
        shards_made: list[_Shard] = [_ScanShard(prefix_bytes=prefix_bytes, level=level) for _ in range(count)]
        super().__init__(shards_made, parallel_from)


class _ReadWriteLock:
    """Many readers or one writer (writers wait for running readers; new readers wait for a writer)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._writing = True
            self._cond.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


def default_index(*, prefix_bytes: int = 16) -> HammingIndex:
    """The index the engine uses: the compiled scan, or FAISS flat where it is not built (see the module
    docstring for the measurements). `prefix_bytes=32` (no prefix filter) suits radii the 128-bit filter
    would let many codes through, such as the ORB descriptors' 56."""
    if popcount_scan_available():
        return PopcountScanIndex(prefix_bytes=prefix_bytes)
    return FaissFlatIndex(prefix_bytes=prefix_bytes)
