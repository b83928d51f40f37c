"""`KuboStore` against a stand-in of Kubo's RPC API (no Kubo binary can be installed here; see
`kubo_standin.py`). The CIDs equal real Kubo's by the reference vectors in `tests/content/test_cid.py`."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from genip.content.cid import cid_of_bytes
from genip.storage import (
    ContentNotFoundError,
    ContentStore,
    IntegrityError,
    KuboStore,
    LocalStore,
    StorageUnavailableError,
    open_store,
)
from tests.storage.kubo_standin import KuboStandIn, running_standin


@pytest.fixture
def node(tmp_path: Path) -> Iterator[KuboStandIn]:
    with running_standin(tmp_path / "node") as state:
        yield state


@pytest.fixture
def store(node: KuboStandIn) -> Iterator[KuboStore]:
    with KuboStore(node.url, timeout=10) as client:
        yield client


def test_add_pins_and_returns_the_same_cid_as_the_local_store(
    store: KuboStore, node: KuboStandIn, tmp_path: Path
) -> None:
    data = os.urandom(700_000)  # three chunks
    source = tmp_path / "work.bin"
    source.write_bytes(data)
    cid = store.put(source)
    assert cid == LocalStore(tmp_path / "local").put(data) == cid_of_bytes(data)
    assert cid in node.pinned
    assert store.has(cid)
    assert store.get(cid) == data
    assert store.put(b"hello\n") == "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"


def test_reading_streams_and_verifies(store: KuboStore) -> None:
    data = os.urandom(300_000)
    cid = store.put(data)
    with store.open(cid) as stream:
        assert stream.read(10) == data[:10]
        assert stream.read() == data[10:]


def test_has_means_pinned(store: KuboStore, node: KuboStandIn) -> None:
    cid = node.store.put(b"present but not pinned")
    assert not store.has(cid)
    store.pin(cid)
    assert store.has(cid)
    assert not store.has(cid_of_bytes(b"absent"))


def test_a_node_that_answers_another_cid_is_caught(store: KuboStore, node: KuboStandIn) -> None:
    node.lie_on_add = True
    with pytest.raises(IntegrityError, match=cid_of_bytes(b"payload")):
        store.put(b"payload")


def test_a_node_that_serves_wrong_bytes_is_caught(store: KuboStore, node: KuboStandIn) -> None:
    cid = store.put(os.urandom(400_000))
    node.corrupt_cat = True
    with pytest.raises(IntegrityError, match="cat"):
        store.get(cid)


def test_unknown_content(store: KuboStore) -> None:
    missing = cid_of_bytes(b"never added")
    with pytest.raises(ContentNotFoundError, match=missing):
        store.get(missing)
    with pytest.raises(ContentNotFoundError):
        store.pin(missing)


def test_import_settings_are_always_sent(store: KuboStore, node: KuboStandIn) -> None:
    store.put(b"x")
    assert node.requests == ["/api/v0/add"]  # the stand-in refuses an add without Kubo's CIDv1 settings


def test_an_unreachable_node_is_a_clear_error_without_credentials() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with KuboStore(f"http://user:secret@127.0.0.1:{port}/token123", timeout=2) as store:
        with pytest.raises(StorageUnavailableError) as info:
            store.put(b"data")
        assert f"http://127.0.0.1:{port}/…" in str(info.value)
        assert "secret" not in str(info.value) and "token123" not in str(info.value)
        assert "secret" not in repr(store)
        with pytest.raises(StorageUnavailableError):
            store.get(cid_of_bytes(b"data"))


def test_open_store_picks_kubo_when_an_api_is_configured(node: KuboStandIn, tmp_path: Path) -> None:
    store = open_store(tmp_path, node.url)
    assert isinstance(store, KuboStore)
    assert isinstance(store, ContentStore)
    store.close()
