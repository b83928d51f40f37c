"""Both indexes are exact: they return every stored code within the radius, with its smallest distance."""

import threading

import numpy as np
import pytest

from genip.matching import FaissFlatIndex, HammingIndex, MultiIndexHashIndex


def _flip(code: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    unpacked = np.unpackbits(code)
    unpacked[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(unpacked)


@pytest.fixture(params=["faiss", "faiss-3-shards-8-byte-prefix", "faiss-plain", "mih"])
def index(request: pytest.FixtureRequest) -> HammingIndex:
    if request.param == "faiss":
        return FaissFlatIndex()
    if request.param == "faiss-3-shards-8-byte-prefix":
        return FaissFlatIndex(shards=3, prefix_bytes=8, parallel_from=0)  # always on the thread pool
    if request.param == "faiss-plain":
        return FaissFlatIndex(shards=1, prefix_bytes=32)
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


def test_searches_running_while_codes_are_added_stay_exact() -> None:
    """Adds wait for running searches (FAISS may move its arrays while appending); every answer a search
    gives equals brute force over the codes present when it ran (a prefix of the add order)."""
    index = FaissFlatIndex(shards=2, parallel_from=0)
    rng = np.random.default_rng(11)
    centre = rng.integers(0, 256, size=32, dtype=np.uint8)
    codes = np.stack([_flip(centre, int(d), rng) for d in rng.integers(0, 40, size=3000)])
    ids = np.arange(len(codes), dtype=np.int64)
    query = centre[None, :]
    answers: list[list[tuple[int, int]]] = []
    errors: list[BaseException] = []

    def search_repeatedly() -> None:
        try:
            for _ in range(60):
                answers.append(index.search(query, 30))
        except BaseException as exc:  # reported below
            errors.append(exc)

    reader = threading.Thread(target=search_repeatedly)
    reader.start()
    for start in range(0, len(codes), 50):
        index.add(ids[start : start + 50], codes[start : start + 50])
    reader.join()
    assert not errors
    snapshots = [_brute(codes[:present], ids[:present], query, 30) for present in range(0, 3001, 50)]
    assert len(answers) == 60
    assert all(answer in snapshots for answer in answers)
    assert index.search(query, 30) == _brute(codes, ids, query, 30)


def test_prefix_width_is_checked() -> None:
    with pytest.raises(ValueError, match="prefix_bytes"):
        FaissFlatIndex(prefix_bytes=33)
