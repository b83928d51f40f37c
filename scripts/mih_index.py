"""Multi-index hashing (Norouzi et al.) over 256-bit hashes: a `HammingIndex` the benchmark compares with the
engine's indexes (`scripts/bench_match_latency.py`); the service never uses it (see `genip.matching.index`).

The 256 bits are cut into 16 chunks of 16 bits; if two hashes are within r bits, some chunk differs in at most
⌊r/16⌋ bits (pigeonhole), so the candidates are the codes whose chunk j equals a key within ⌊r/16⌋ bits of the
query's chunk j, looked up in a per-chunk bucket table (CSR: 65 536 buckets), then verified with an exact
popcount. Adds go to a small brute-force-scanned buffer, frozen into a new segment every `segment_size` adds;
more than `max_segments` segments are merged (amortised). No add rebuilds the index.
"""

from typing import Final

import numpy as np
import numpy.typing as npt

from genip.matching.index import Codes, Hit, Ids, _as_codes, _best_per_id, _Growable, _popcount_distances

__all__ = ["MultiIndexHashIndex"]

_CHUNKS: Final = 16
_BUCKETS: Final = 1 << 16


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
