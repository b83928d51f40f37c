"""The embedded store: same CIDs as Kubo, atomic writes, verified reads."""

import os
from pathlib import Path

import pytest

from genip.content.cid import cid_of_bytes
from genip.content.errors import InvalidCIDError
from genip.storage import ContentNotFoundError, ContentStore, IntegrityError, LocalStore, open_store

HELLO_CID = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"  # Kubo: echo hello | ipfs add


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def test_put_bytes_and_get_them_back_by_kubo_cid(store: LocalStore) -> None:
    assert store.put(b"hello\n") == HELLO_CID
    assert store.has(HELLO_CID)
    assert store.get(HELLO_CID) == b"hello\n"
    assert store.path_of(HELLO_CID) == store.root / "am" / HELLO_CID


def test_put_a_multi_chunk_file_streams_and_reads_back(store: LocalStore, tmp_path: Path) -> None:
    data = os.urandom(3 * 262_144 + 11)
    source = tmp_path / "work.bin"
    source.write_bytes(data)
    seen: list[int] = []
    cid = store.put(source, progress=seen.append)
    assert cid == cid_of_bytes(data)
    assert cid.startswith("bafybei")
    assert seen[-1] == len(data)
    with store.open(cid) as stream:
        parts = []
        while block := stream.read(100_000):
            parts.append(block)
    assert b"".join(parts) == data


def test_putting_the_same_bytes_twice_is_harmless(store: LocalStore) -> None:
    assert store.put(b"same") == store.put(b"same")
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [cid_of_bytes(b"same")]


def test_a_corrupted_object_is_refused_on_read(store: LocalStore) -> None:
    cid = store.put(b"original bytes")
    store.path_of(cid).write_bytes(b"tampered bytes")
    with pytest.raises(IntegrityError, match=f"bytes for {cid} that hash to bafkrei"):
        store.get(cid)
    with store.open(cid) as stream, pytest.raises(IntegrityError):
        stream.read()
    store.put(b"original bytes")  # re-storing repairs it
    assert store.get(cid) == b"original bytes"


def test_a_truncated_multi_chunk_object_is_refused(store: LocalStore) -> None:
    data = os.urandom(600_000)
    cid = store.put(data)
    path = store.path_of(cid)
    path.write_bytes(data[:-1])
    with pytest.raises(IntegrityError):
        store.get(cid)


def test_missing_and_malformed_cids(store: LocalStore) -> None:
    with pytest.raises(ContentNotFoundError, match=HELLO_CID):
        store.get(HELLO_CID)
    assert not store.has(HELLO_CID)
    with pytest.raises(InvalidCIDError):
        store.get("../../secrets")
    with pytest.raises(InvalidCIDError):
        store.has("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")


def test_a_failed_put_leaves_nothing_behind(store: LocalStore, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        store.put(tmp_path / "missing.bin")
    assert list(store.root.iterdir()) == []


def test_an_interrupted_put_leaves_no_partial_object(store: LocalStore, tmp_path: Path) -> None:
    def interrupt(done: int) -> None:
        if done >= 1024 * 1024:
            raise KeyboardInterrupt

    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024))
    with pytest.raises(KeyboardInterrupt):
        store.put(source, progress=interrupt)
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_local_store_satisfies_the_protocol_and_is_the_default(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    assert isinstance(store, LocalStore)
    assert isinstance(store, ContentStore)
    assert store.root == tmp_path / "store"
