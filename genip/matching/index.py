"""Exact in-memory Hamming-radius indexes over 256-bit hashes, append-only (ids are caller-chosen int64).

Two implementations with one interface (`HammingIndex`), both exact (every stored hash within the radius of
any query is returned, with its smallest distance over the queries):

* `FaissFlatIndex` — FAISS `IndexBinaryFlat` range search: a SIMD popcount scan of every code, one scan
  per query. Adds are appends (the id array grows by doubling), so a new code is searchable at once.
* `MultiIndexHashIndex` — multi-index hashing (Norouzi et al.): the 256 bits are cut into 16 chunks of 16
  bits; if two hashes are within r bits, some chunk differs in at most ⌊r/16⌋ bits (pigeonhole), so the
  candidates are the codes whose chunk j equals a key within ⌊r/16⌋ bits of the query's chunk j, looked up
  in a per-chunk bucket table (CSR: 65 536 buckets), then verified with an exact popcount. Adds go to a small
  brute-force-scanned buffer, frozen into a new segment every `segment_size` adds; more than `max_segments`
  segments are merged (amortised). No add rebuilds the index.

**Choice: FAISS flat.** Multi-index hashing only prunes when ⌊r/16⌋ is small. At the engine's radius (48,
chosen for recall, see `scripts/bench_match_robustness.py`) every chunk must be probed within 3 bits: 697
buckets per chunk, 16 chunks, 8 query variants, and the candidate lists approach a full scan done in numpy
rather than SIMD C++: `scripts/bench_match_latency.py` measured p50 448 ms against FAISS's 17 ms at 1 M
hashes. It stays here, tested exact, because at Meta's radius of 31 (⌊31/16⌋ = 1, 17 buckets per chunk) it
was the faster one: 4.0 ms against FAISS's 8.3 ms at 1 M (same run, same loaded 2-core machine).
"""

from typing import Final, Protocol

import faiss
import numpy as np
import numpy.typing as npt

__all__ = ["FaissFlatIndex", "HammingIndex", "Hit", "MultiIndexHashIndex", "default_index"]

Codes = npt.NDArray[np.uint8]
Ids = npt.NDArray[np.int64]
#: (id, distance) pairs, nearest first.
Hit = tuple[int, int]

_BITS: Final = 256
_BYTES: Final = 32
_CHUNKS: Final = 16
_BUCKETS: Final = 1 << 16


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


class FaissFlatIndex:
    """FAISS `IndexBinaryFlat` (exhaustive SIMD scan) with a position → id array."""

    def __init__(self, *, threads: int | None = 1) -> None:
        """`threads`: FAISS's OpenMP threads (process-wide). One by default: on a busy 2-core machine two
        spinning OpenMP threads were measured 10x slower than one; `None` leaves FAISS's setting alone."""
        if threads is not None:
            faiss.omp_set_num_threads(threads)
        self._index = faiss.IndexBinaryFlat(_BITS)
        self._ids = _Growable(ids_only=True)  # FAISS holds the codes

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: Ids, codes: Codes) -> None:
        codes = _as_codes(codes)
        self._index.add(codes)
        self._ids.append(np.asarray(ids, dtype=np.int64), codes)

    def search(self, queries: Codes, radius: int) -> list[Hit]:
        if len(self) == 0:
            return []
        # FAISS binary range search keeps distances strictly below its radius argument.
        limits, distances, positions = self._index.range_search(_as_codes(queries), radius + 1)
        del limits
        all_ids, _ = self._ids.view()
        return _best_per_id(all_ids[positions], distances.astype(np.int64))


class _Segment:
    """Immutable codes with one CSR bucket table per 16-bit chunk."""

    def __init__(self, ids: Ids, codes: Codes) -> None:
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.codes = np.ascontiguousarray(codes, dtype=np.uint8)
        n = len(self.ids)
        chunks = self.codes.view(np.uint16)  # (n, 16)
        self.order = np.empty(_CHUNKS * n, dtype=np.int32 if n < 2**31 else np.int64)
        self.offsets = np.empty((_CHUNKS, _BUCKETS + 1), dtype=np.int64)
        for j in range(_CHUNKS):
            column = chunks[:, j]
            self.order[j * n : (j + 1) * n] = np.argsort(column, kind="stable")
            counts = np.bincount(column, minlength=_BUCKETS)
            self.offsets[j, 0] = j * n
            np.cumsum(counts, out=self.offsets[j, 1:])
            self.offsets[j, 1:] += j * n

    def search(self, queries: Codes, masks: npt.NDArray[np.uint16], radius: int) -> tuple[Ids, Ids]:
        """(ids, distances) of this segment's codes within `radius` of some query (ids may repeat).

        A code found through query i's chunk is verified against query i only: if it is also within the
        radius of query k, query k's own chunks find it too.
        """
        qchunks = queries.view(np.uint16)  # (q, 16)
        keys = (qchunks[:, :, None] ^ masks[None, None, :]).astype(np.int64)  # (q, 16, m)
        rows = np.arange(_CHUNKS)[None, :, None]
        starts = self.offsets[rows, keys].ravel()
        lengths = self.offsets[rows, keys + 1].ravel() - starts
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = self.order[shift + np.arange(total, dtype=np.int64)]
        per_query = lengths.reshape(len(queries), -1).sum(axis=1)
        query_of = np.repeat(np.arange(len(queries)), per_query)
        words = self.codes.view(np.uint64)[positions] ^ queries.view(np.uint64)[query_of]
        distances = np.bitwise_count(words).sum(axis=1, dtype=np.int64)
        keep = distances <= radius
        return self.ids[positions[keep]], distances[keep]


class MultiIndexHashIndex:
    """Multi-index hashing over 16 chunks of 16 bits; see the module docstring."""

    def __init__(self, *, segment_size: int = 65_536, max_segments: int = 8) -> None:
        self.segment_size = segment_size
        self.max_segments = max_segments
        self._segments: list[_Segment] = []
        self._buffer = _Growable()
        self._masks: dict[int, npt.NDArray[np.uint16]] = {}

    def __len__(self) -> int:
        return sum(len(s.ids) for s in self._segments) + self._buffer.size

    def add(self, ids: Ids, codes: Codes) -> None:
        codes = _as_codes(codes)
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) >= self.segment_size:  # a bulk load (start-up): build a segment directly
            self._segments.append(_Segment(ids, codes))
        else:
            self._buffer.append(ids, codes)
            if self._buffer.size >= self.segment_size:
                self._segments.append(_Segment(*self._buffer.view()))
                self._buffer = _Growable()
        if len(self._segments) > self.max_segments:
            self._segments = [
                _Segment(
                    np.concatenate([s.ids for s in self._segments]),
                    np.concatenate([s.codes for s in self._segments]),
                )
            ]

    def _chunk_masks(self, radius: int) -> npt.NDArray[np.uint16]:
        per_chunk = max(radius, 0) // _CHUNKS
        if per_chunk not in self._masks:
            values = np.arange(_BUCKETS, dtype=np.uint32)
            weights = np.bitwise_count(values)
            self._masks[per_chunk] = values[weights <= per_chunk].astype(np.uint16)
        return self._masks[per_chunk]

    def search(self, queries: Codes, radius: int) -> list[Hit]:
        queries = _as_codes(queries)
        masks = self._chunk_masks(radius)
        found_ids: list[Ids] = []
        found_dist: list[npt.NDArray[np.int64]] = []
        for segment in self._segments:
            ids, distances = segment.search(queries, masks, radius)
            found_ids.append(ids)
            found_dist.append(distances)
        buffered, codes = self._buffer.view()
        if len(buffered):
            dist = _popcount_distances(codes, queries).min(axis=1)
            keep = dist <= radius
            found_ids.append(buffered[keep])
            found_dist.append(dist[keep])
        if not found_ids:
            return []
        return _best_per_id(np.concatenate(found_ids), np.concatenate(found_dist))


def default_index() -> HammingIndex:
    """The index the engine uses: FAISS flat (see the module docstring for the measurements)."""
    return FaissFlatIndex()
