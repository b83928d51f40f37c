"""Both indexes are exact: they return every stored code within the radius, with its smallest distance."""

import numpy as np
import pytest

from genip.matching import FaissFlatIndex, HammingIndex, MultiIndexHashIndex


def _flip(code: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    unpacked = np.unpackbits(code)
    unpacked[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(unpacked)


@pytest.fixture(params=["faiss", "mih"])
def index(request: pytest.FixtureRequest) -> HammingIndex:
    if request.param == "faiss":
        return FaissFlatIndex()
    return MultiIndexHashIndex(segment_size=256, max_segments=3)


def _brute(codes: np.ndarray, ids: np.ndarray, queries: np.ndarray, radius: int) -> list[tuple[int, int]]:
    bits = np.unpackbits(codes, axis=1).astype(np.int64)
    best: dict[int, int] = {}
    for q in np.unpackbits(queries, axis=1).astype(np.int64):
        dist = (bits != q).sum(axis=1)
        for i in np.flatnonzero(dist <= radius):
            best[int(ids[i])] = min(best.get(int(ids[i]), 999), int(dist[i]))
    return sorted(best.items(), key=lambda kv: (kv[1], kv[0]))


def test_results_equal_brute_force_including_the_radius_boundary(index: HammingIndex) -> None:
    rng = np.random.default_rng(7)
    centres = rng.integers(0, 256, size=(40, 32), dtype=np.uint8)
    # Clusters of near-duplicates at exact distances 0..60 around each centre, added in small batches.
    codes = np.stack([_flip(c, int(d), rng) for c in centres for d in rng.integers(0, 61, size=25)])
    ids = np.arange(1000, 1000 + len(codes), dtype=np.int64)
    for start in range(0, len(codes), 70):
        index.add(ids[start : start + 70], codes[start : start + 70])
    assert len(index) == len(codes)
    for k in range(5):
        queries = np.stack([_flip(centres[k], 5, rng), rng.integers(0, 256, 32, dtype=np.uint8)])
        for radius in (0, 31, 47, 48):
            assert index.search(queries, radius) == _brute(codes, ids, queries, radius)


def test_an_added_code_is_found_at_once(index: HammingIndex) -> None:
    rng = np.random.default_rng(3)
    index.add(np.arange(500, dtype=np.int64), rng.integers(0, 256, size=(500, 32), dtype=np.uint8))
    new = rng.integers(0, 256, size=(1, 32), dtype=np.uint8)
    assert index.search(new, 10) == []
    index.add(np.array([9999], dtype=np.int64), new)
    assert index.search(new, 10) == [(9999, 0)]
