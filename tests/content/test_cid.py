"""CIDs equal Kubo's `ipfs add --cid-version=1` for known inputs, and the streaming tree equals boxo's layout.

Reference vectors (the expected CIDs are Kubo's own test expectations, not values computed here):

- Kubo `test/sharness/t0040-add-and-cat.sh`, `test_add_cat_raw`: the empty file with `--raw-leaves` is
  `bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku`.
- Same file, `add_directory '--cid-version=1'`: `echo "Hello Mars!"` is
  `bafkreibmlvvgdyihetgocpof6xk64kjjzdeq2e4c7hqs3krdheosk4tgj4`, `echo "Hello Venus!"` is
  `bafkreihfsphazrk2ilejpekyltjeh5k4yvwgjuwg26ueafohqioeo3sdca`.
- Kubo `test/sharness/t0114-gateway-subdomains/README.md`: `echo hello | ipfs add --cid-version 1` is
  `bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am`.
- t0040 `test_add_cat_5MB --cid-version=1`: `random 5242880 41` (20 chunks, one tree level) is
  `bafybeigfnx3tka2rf5ovv2slb7ymrt4zbwa3ryeqibe6fipyt5vgsrli3u`; the file's sha1 is
  `5620fb92eb5a49c9986b5c6844efda37e471660e` (multihash `1114...` in the test).
- t0040 `test_add_cat_expensive --cid-version=1`: `random 104857600 42` (400 chunks > 174, so two tree
  levels) is `bafybeidkj5ecbhrqmzrcee2rw7qwsx24z3364qya3fnp2ktkg2tnsrewhi`; sha1
  `885b197b01e0f7ff584458dc236cb9477d2e736d`.

`tests/content/gorandom.py` reproduces go-random's bytes; the sha1 checks prove it.
"""

import hashlib
from collections.abc import Iterator

import pytest

from genip.content import cid as cid_module
from genip.content.cid import (
    CHUNK_SIZE,
    CID,
    DAG_PB,
    RAW,
    UnixFSFileHasher,
    cid_of_bytes,
    parse_cid,
    raw_cid,
    sha256_of_raw_cid,
)
from genip.content.errors import InvalidCIDError
from tests.content.gorandom import go_random


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
        (b"hello\n", "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"),
        (b"Hello Mars!\n", "bafkreibmlvvgdyihetgocpof6xk64kjjzdeq2e4c7hqs3krdheosk4tgj4"),
        (b"Hello Venus!\n", "bafkreihfsphazrk2ilejpekyltjeh5k4yvwgjuwg26ueafohqioeo3sdca"),
    ],
    ids=["empty", "hello", "mars", "venus"],
)
def test_single_block_files_match_kubo(data: bytes, expected: str) -> None:
    assert cid_of_bytes(data) == expected
    assert sha256_of_raw_cid(expected) == hashlib.sha256(data).digest()


@pytest.mark.parametrize(
    ("size", "seed", "sha1", "expected"),
    [
        (
            5_242_880,
            41,
            "5620fb92eb5a49c9986b5c6844efda37e471660e",
            "bafybeigfnx3tka2rf5ovv2slb7ymrt4zbwa3ryeqibe6fipyt5vgsrli3u",
        ),
        (
            104_857_600,
            42,
            "885b197b01e0f7ff584458dc236cb9477d2e736d",
            "bafybeidkj5ecbhrqmzrcee2rw7qwsx24z3364qya3fnp2ktkg2tnsrewhi",
        ),
    ],
    ids=["5MB-one-level", "100MB-two-levels"],
)
def test_multi_chunk_files_match_kubo(size: int, seed: int, sha1: str, expected: str) -> None:
    check = hashlib.sha1()
    hasher = UnixFSFileHasher()
    for block in go_random(size, seed):
        check.update(block)
        hasher.update(block)
    assert check.hexdigest() == sha1, "go-random reproduction is wrong, not the CID code"
    assert hasher.size == size
    assert hasher.cid() == expected


def test_the_cid_does_not_depend_on_how_the_bytes_arrive() -> None:
    data = bytes(range(256)) * 5000  # 1.28 MB: five chunks
    whole = cid_of_bytes(data)
    hasher = UnixFSFileHasher()
    position = 0
    for size in [1, 7, CHUNK_SIZE - 8, 3, CHUNK_SIZE * 2 + 5, 100_000]:
        hasher.update(data[position : position + size])
        position += size
    hasher.update(memoryview(data)[position:])
    assert hasher.cid() == whole
    assert parse_cid(whole).codec == DAG_PB


def test_one_full_chunk_is_a_raw_block_and_one_byte_more_is_a_dag() -> None:
    chunk = b"\xab" * CHUNK_SIZE
    assert cid_of_bytes(chunk) == raw_cid(hashlib.sha256(chunk).digest())
    assert cid_of_bytes(chunk + b"\x00").startswith("bafybei")


def test_a_finished_hasher_refuses_more_bytes() -> None:
    hasher = UnixFSFileHasher()
    hasher.update(b"abc")
    first = hasher.cid()
    assert hasher.cid() == first
    with pytest.raises(ValueError, match="already computed"):
        hasher.update(b"more")


def test_raw_cids_convert_to_and_from_sha256() -> None:
    digest = hashlib.sha256(b"gen-ip").digest()
    text = raw_cid(digest)
    assert text.startswith("bafkrei")
    assert sha256_of_raw_cid(text) == digest
    assert parse_cid(text) == CID(RAW, digest)
    assert str(parse_cid(text)) == text


def test_a_dag_pb_cid_does_not_give_a_file_sha256() -> None:
    with pytest.raises(InvalidCIDError, match="dag-pb"):
        sha256_of_raw_cid("bafybeigfnx3tka2rf5ovv2slb7ymrt4zbwa3ryeqibe6fipyt5vgsrli3u")


@pytest.mark.parametrize(
    "text",
    [
        "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",  # CIDv0
        "BAFKREIHDWDCEFGH4DQKJV67UZCMW7OJEE6XEDZDETOJUZJEVTENXQUVYKU",  # upper-case base32
        "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk",  # truncated
        "bafk2bzaceaqcxw46uzkyd2jmczoogof6pnkqt4dpiv3pwkunsv4g5rkkmecie",  # blake2b-256
        "b",
        "",
        "../../etc/passwd",
    ],
)
def test_parse_cid_refuses_what_gen_ip_does_not_make(text: str) -> None:
    with pytest.raises(InvalidCIDError):
        parse_cid(text)


# ── the streaming level-by-level tree equals boxo's recursive balanced layout ──


def _balanced_reference(chunks: list[bytes], max_links: int) -> str:
    """boxo `importer/balanced.Layout` + `fillNodeRec`, recursively, over the same node encoding."""
    leaves: Iterator[bytes] = iter(chunks)
    pending = list(chunks)

    def leaf() -> cid_module._Link:
        data = next(leaves)
        pending.pop(0)
        return cid_module._Link(CID(RAW, hashlib.sha256(data).digest()).binary, len(data), len(data))

    def fill(children: list[cid_module._Link], depth: int) -> cid_module._Link:
        while len(children) < max_links and pending:
            children.append(leaf() if depth == 1 else fill([], depth - 1))
        return cid_module._file_node(children)

    if not pending:
        return cid_of_bytes(b"")
    root = leaf()
    depth = 1
    while pending:
        root = fill([root], depth)
        depth += 1
    return str(CID(root.cid[1], root.cid[4:]))


@pytest.mark.parametrize("count", [1, 2, 3, 4, 8, 9, 10, 12, 26, 27, 28, 30, 81, 82, 100])
def test_streaming_tree_equals_the_recursive_balanced_layout(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny chunks and fan-out make deep trees cheap: with 3 links per node, 28 chunks need four levels.
    monkeypatch.setattr(cid_module, "CHUNK_SIZE", 4)
    monkeypatch.setattr(cid_module, "MAX_LINKS", 3)
    data = hashlib.sha256(str(count).encode()).digest() * (count // 8 + 1)
    data = data[: count * 4 - 1]  # last chunk is short
    chunks = [data[i : i + 4] for i in range(0, len(data), 4)]
    assert len(chunks) == count
    assert cid_of_bytes(data) == _balanced_reference(chunks, max_links=3)
