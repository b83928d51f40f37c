"""Every index is exact: they return every stored code within the radius, with its smallest distance."""

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genip.matching import FaissFlatIndex, HammingIndex, PopcountScanIndex
from genip.matching.index import SCAN_LOOPS, default_index, popcount_scan_available
from tests.script_modules import load_script


def _mih_index_class() -> type:
    """`scripts/mih_index.py`'s index: benchmark-only code, kept exact by the same tests."""
    return load_script("mih_index").MultiIndexHashIndex  # type: ignore[no-any-return]


def _flip(code: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    unpacked = np.unpackbits(code)
    unpacked[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(unpacked)


@pytest.fixture(
    params=[
        "scan",
        "scan-3-shards-portable",
        "scan-avx2",
        "scan-full-width",
        "faiss",
        "faiss-3-shards-8-byte-prefix",
        "faiss-plain",
        "mih",
    ]
)
def index(request: pytest.FixtureRequest) -> HammingIndex:
    if request.param == "scan":
        return PopcountScanIndex()
    if request.param == "scan-3-shards-portable":  # the plain-C loop, always on the thread pool
        return PopcountScanIndex(shards=3, parallel_from=0, instructions="portable")
    if request.param == "scan-avx2":
        return PopcountScanIndex(instructions="avx2")
    if request.param == "scan-full-width":
        return PopcountScanIndex(prefix_bytes=32)
    if request.param == "faiss":
        return FaissFlatIndex()
    if request.param == "faiss-3-shards-8-byte-prefix":
        return FaissFlatIndex(shards=3, prefix_bytes=8, parallel_from=0)  # always on the thread pool
    if request.param == "faiss-plain":
        return FaissFlatIndex(shards=1, prefix_bytes=32)
    return _mih_index_class()(segment_size=256, max_segments=3)  # type: ignore[no-any-return]


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


@pytest.mark.parametrize("kind", [PopcountScanIndex, FaissFlatIndex])
def test_searches_running_while_codes_are_added_stay_exact(kind: type[PopcountScanIndex]) -> None:
    """Adds wait for running searches (a shard may move its arrays while appending); every answer a search
    gives equals brute force over the codes present when it ran (a prefix of the add order)."""
    index = kind(shards=2, parallel_from=0)
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
    with pytest.raises(ValueError, match="prefix_bytes must be 16 or 32, got 8"):
        PopcountScanIndex(prefix_bytes=8)
    with pytest.raises(ValueError, match="instructions must be one of portable, avx2, avx512, got 'sse'"):
        PopcountScanIndex(instructions="sse")


def _brute_words(codes: np.ndarray, queries: np.ndarray, radius: int) -> list[tuple[int, int]]:
    """Brute force by 64-bit popcount (fast enough for thousands of codes); ids are positions."""
    distances = np.bitwise_count(codes.view(np.uint64)[:, None, :] ^ queries.view(np.uint64)[None]).sum(2)
    best = distances.min(axis=1)
    hits = np.flatnonzero(best <= radius)
    return sorted(zip(hits.tolist(), best[hits].tolist(), strict=True), key=lambda kv: (kv[1], kv[0]))


@pytest.mark.parametrize("instructions", SCAN_LOOPS)
def test_scan_crosses_blocks_and_grows_its_hit_buffer(instructions: str) -> None:
    """5 003 codes: several of the scan's 1 024-code blocks, a tail that is not a multiple of four, and, at
    a wide radius, more hits than the first buffer holds (the scan is called again with room for all).
    Each loop the CPU has is tested (a loop it lacks falls back to the next one down)."""
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 256, size=(5003, 32), dtype=np.uint8)
    index = PopcountScanIndex(shards=1, instructions=instructions)
    index.add(np.arange(len(codes), dtype=np.int64), codes)
    queries = np.concatenate(
        [codes[[0, 1023, 1024, 5002]], rng.integers(0, 256, size=(4, 32), dtype=np.uint8)]
    )
    for radius in (0, 48, 127, 140):
        answer = index.search(queries, radius)
        assert answer == _brute_words(codes, queries, radius)
    assert len(index.search(queries, 140)) > 4096


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(min_size=32, max_size=32 * 40),
    query=st.binary(min_size=32, max_size=32 * 8),
    radius=st.integers(min_value=0, max_value=256),
    prefix_bytes=st.sampled_from([16, 32]),
    instructions=st.sampled_from(SCAN_LOOPS),
)
def test_scan_equals_brute_force_on_arbitrary_codes(
    data: bytes, query: bytes, radius: int, prefix_bytes: int, instructions: str
) -> None:
    codes = np.frombuffer(data[: len(data) // 32 * 32], dtype=np.uint8).reshape(-1, 32)
    queries = np.frombuffer(query[: len(query) // 32 * 32], dtype=np.uint8).reshape(-1, 32)
    index = PopcountScanIndex(shards=1, prefix_bytes=prefix_bytes, instructions=instructions)
    index.add(np.arange(len(codes), dtype=np.int64), codes)
    assert index.search(queries, radius) == _brute_words(codes, queries, radius)


def test_scan_and_faiss_agree_on_real_sized_data() -> None:
    """The engine's default (the compiled scan) against FAISS on 200 000 clustered codes."""
    rng = np.random.default_rng(21)
    centres = rng.integers(0, 256, size=(2000, 32), dtype=np.uint8)
    bits = np.unpackbits(centres[rng.integers(0, 2000, size=200_000)], axis=1)
    bits ^= (rng.random(bits.shape) < 0.08).astype(np.uint8)
    codes = np.packbits(bits, axis=1)
    scan, faiss_index = PopcountScanIndex(), FaissFlatIndex()
    for index in (scan, faiss_index):
        index.add(np.arange(len(codes), dtype=np.int64), codes)
    for k in range(5):
        queries = np.concatenate([centres[k : k + 1], rng.integers(0, 256, size=(7, 32), dtype=np.uint8)])
        answer = scan.search(queries, 48)
        assert answer and answer == faiss_index.search(queries, 48)


def test_the_engine_gets_the_compiled_scan() -> None:
    """`make setup` builds the scan (setup.py, cffi); were the build lost, the engine would quietly fall back
    to FAISS at half the speed, so the test suite checks it is there."""
    assert popcount_scan_available()
    assert isinstance(default_index(), PopcountScanIndex)
    assert isinstance(default_index(prefix_bytes=32), PopcountScanIndex)
