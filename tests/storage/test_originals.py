"""Originals sealed at rest: envelope round trips, wrong and rotated keys, tampering, both stores, and the
migration of a plaintext store (`seal_store`), after which no stored object equals an original's bytes."""

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import Engine, insert, select, update

from genip.content.cid import cid_of_bytes
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import Asset, SealedOriginal
from genip.errors import ConfigError
from genip.settings import Settings
from genip.storage import ContentStore, IntegrityError, KuboStore, LocalStore
from genip.storage.originals import (
    KEY_FILE,
    MAGIC,
    SEGMENT,
    Keyring,
    OriginalKeyError,
    OriginalNotSealedError,
    Originals,
    envelope_of,
    read_original,
    rotate_envelopes,
    seal_original,
)
from genip.storage.seal_store import seal_store
from tests.storage.kubo_standin import running_standin


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'genip.db'}")
    upgrade(engine)
    return engine


@pytest.fixture(params=["local", "kubo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ContentStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    with running_standin(tmp_path / "node") as node, KuboStore(node.url, timeout=10) as kubo:
        yield kubo


def _keys(n: int = 1) -> list[bytes]:
    return [Fernet.generate_key() for _ in range(n)]


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT + 7])
def test_a_sealed_original_reads_back_byte_for_byte(engine: Engine, tmp_path: Path, size: int) -> None:
    store, keyring = LocalStore(tmp_path / "store"), Keyring(_keys())
    data = os.urandom(size)
    envelope = seal_original(engine, store, keyring, data)
    assert envelope.original_cid == cid_of_bytes(data)
    assert not store.has(envelope.original_cid)  # only the ciphertext is stored
    assert store.get(envelope.sealed_cid).startswith(MAGIC)
    assert read_original(engine, store, keyring, envelope.original_cid) == data


def test_sealing_a_file_streams_it_and_both_stores_hold_only_ciphertext(
    engine: Engine, store: ContentStore, tmp_path: Path
) -> None:
    data = os.urandom(SEGMENT + 300_000)
    path = tmp_path / "lora.safetensors"
    path.write_bytes(data)
    seen: list[int] = []
    keyring = Keyring(_keys())
    envelope = seal_original(engine, store, keyring, path, progress=seen.append)
    assert seen[-1] == len(data)
    assert not store.has(envelope.original_cid)
    sealed = store.get(envelope.sealed_cid)
    assert data[:4096] not in sealed and len(sealed) > len(data)
    assert read_original(engine, store, keyring, envelope.original_cid) == data


def test_sealing_the_same_original_again_keeps_its_envelope(engine: Engine, tmp_path: Path) -> None:
    store, keyring = LocalStore(tmp_path / "store"), Keyring(_keys())
    first = seal_original(engine, store, keyring, b"the same work")
    assert seal_original(engine, store, keyring, b"the same work") == first
    with engine.connect() as c:
        assert c.execute(select(SealedOriginal.original_cid)).scalars().all() == [first.original_cid]


def test_a_wrong_service_key_fails_clearly(engine: Engine, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    envelope = seal_original(engine, store, Keyring(_keys()), b"licensed bytes")
    with pytest.raises(OriginalKeyError, match="cannot be opened with the configured service keys"):
        read_original(engine, store, Keyring(_keys()), envelope.original_cid)


def test_an_unsealed_cid_is_refused_clearly(engine: Engine, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    cid = store.put(b"plaintext from before sealing")
    with pytest.raises(OriginalNotSealedError, match="genip originals seal-store"):
        read_original(engine, store, Keyring(_keys()), cid)


def test_rotation_rewraps_so_only_the_new_key_is_needed(engine: Engine, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    old, new = _keys(2)
    works = [seal_original(engine, store, Keyring([old]), f"work {i}".encode()) for i in range(3)]
    done, failed = rotate_envelopes(engine, Keyring([new, old]))
    assert (done, failed) == (3, [])
    only_new = Keyring([new])
    for i, envelope in enumerate(works):
        assert read_original(engine, store, only_new, envelope.original_cid) == f"work {i}".encode()
        with pytest.raises(OriginalKeyError):
            read_original(engine, store, Keyring([old]), envelope.original_cid)
        assert envelope_of(engine, envelope.original_cid).sealed_cid == envelope.sealed_cid  # type: ignore[union-attr]


def test_rotation_reports_envelopes_no_key_opens(engine: Engine, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    lost = seal_original(engine, store, Keyring(_keys()), b"sealed with a lost key")
    assert rotate_envelopes(engine, Keyring(_keys())) == (0, [lost.original_cid])


def test_tampered_ciphertext_is_refused(engine: Engine, tmp_path: Path) -> None:
    store, keyring = LocalStore(tmp_path / "store"), Keyring(_keys())
    envelope = seal_original(engine, store, keyring, os.urandom(2 * SEGMENT))
    sealed = bytearray(store.get(envelope.sealed_cid))
    sealed[len(sealed) // 2] ^= 1
    tampered = store.put(bytes(sealed))
    with engine.begin() as c:  # an attacker who can write the table and the store, but has no key
        c.execute(
            update(SealedOriginal)
            .where(SealedOriginal.original_cid == envelope.original_cid)
            .values(sealed_cid=tampered)
        )
    with pytest.raises(IntegrityError, match="fails authentication"):
        read_original(engine, store, keyring, envelope.original_cid)


def test_a_truncated_ciphertext_is_refused(engine: Engine, tmp_path: Path) -> None:
    store, keyring = LocalStore(tmp_path / "store"), Keyring(_keys())
    envelope = seal_original(engine, store, keyring, os.urandom(2 * SEGMENT + 5))
    cut = store.put(store.get(envelope.sealed_cid)[: len(MAGIC) + 7 + SEGMENT + 16])  # last segment dropped
    with engine.begin() as c:
        c.execute(
            update(SealedOriginal)
            .where(SealedOriginal.original_cid == envelope.original_cid)
            .values(sealed_cid=cut)
        )
    with pytest.raises(IntegrityError):
        read_original(engine, store, keyring, envelope.original_cid)


def test_the_default_key_file_is_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = Keyring.from_settings(settings)
    path = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_bytes().strip()
    assert key.decode() not in repr(first)
    store, engine = LocalStore(tmp_path / "store"), make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    envelope = seal_original(engine, store, first, b"kept")
    assert read_original(engine, store, Keyring.from_settings(settings), envelope.original_cid) == b"kept"


def test_keys_from_settings_win_and_a_malformed_key_is_refused_without_echo(tmp_path: Path) -> None:
    new, old = (k.decode() for k in _keys(2))
    keyring = Keyring.from_settings(Settings(data_dir=tmp_path, originals_keys=SecretStr(f"{new}, {old}")))
    assert keyring.count == 2 and not (tmp_path / KEY_FILE).exists()
    with pytest.raises(ConfigError, match="key 2 is not a Fernet key") as caught:
        Keyring.from_text(f"{new},not-a-key-s3cret")
    assert "s3cret" not in str(caught.value)


def _objects(store: LocalStore) -> list[bytes]:
    return [p.read_bytes() for p in store.root.rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_seal_store_migrates_plaintext_originals_and_derives_missing_previews(
    engine: Engine, tmp_path: Path
) -> None:
    from tests.content.test_preview import _png, sample

    store = LocalStore(tmp_path / "store")
    image, text = _png(sample("astronaut")), ("A long tale. " * 80).encode()
    upload = b"uploaded but never registered"
    cids = [store.put(image), store.put(text), store.put(upload)]
    with engine.begin() as c:
        for asset_id, (cid, kind) in enumerate(zip(cids[:2], ("image", "text"), strict=True), start=1):
            c.execute(insert(Asset).values(**_asset_row(asset_id, kind, cid)))
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / f"{cids[2]}.json").write_text(json.dumps({"cid": cids[2], "kind": "other", "details": {}}))
    originals = Originals(engine, store, Keyring(_keys()))
    seen: list[str] = []
    report = seal_store(originals, uploads, on_item=lambda o: seen.append(o.cid))
    assert (report.sealed, report.already, report.absent, report.failed) == (3, 0, 0, [])
    assert report.previews == 2 and sorted(seen) == sorted(cids)
    stored = _objects(store)
    for original in (image, text, upload):
        assert original not in stored
    for cid, original in zip(cids, (image, text, upload), strict=True):
        assert not store.has(cid)
        assert originals.read(cid) == original
    with engine.connect() as c:
        rows = dict(c.execute(select(Asset.kind, Asset.preview_cid)).all())
        excerpt = c.execute(select(Asset.excerpt).where(Asset.kind == "text")).scalar_one()
    assert store.get(str(rows["image"]))[:3] == b"\xff\xd8\xff"  # the preview, a JPEG, in the clear
    assert excerpt is not None and excerpt.startswith("A long tale.")
    again = seal_store(originals, uploads)  # idempotent: nothing left to seal
    assert (again.sealed, again.already, again.previews) == (0, 3, 0)


def _asset_row(asset_id: int, kind: str, cid: str) -> dict[str, object]:
    zero = "0x" + "00" * 32
    return {
        "chain_id": 1,
        "asset_id": asset_id,
        "creator": "0x" + "11" * 20,
        "owner": "0x" + "11" * 20,
        "registrar": "0x" + "11" * 20,
        "kind": kind,
        "content_hash": zero,
        "perceptual_hash": zero,
        "prompt_commitment": zero,
        "metadata_cid": cid,
        "block_number": asset_id,
        "tx_hash": zero,
        "registered_at": 0,
        "metadata_status": "ok",
        "media_cid": cid,
        "metadata_json": {"genip": {"details": {}}},
    }


def test_seal_store_on_kubo_unpins_the_plaintext(engine: Engine, tmp_path: Path) -> None:
    with running_standin(tmp_path / "node") as node, KuboStore(node.url, timeout=10) as kubo:
        data = b"an original pinned in the clear before sealing existed"
        cid = kubo.put(data)
        uploads = tmp_path / "uploads"
        uploads.mkdir()
        (uploads / f"{cid}.json").write_text(json.dumps({"cid": cid, "kind": "other"}))
        originals = Originals(engine, kubo, Keyring(_keys()))
        report = seal_store(originals, uploads)
        assert (report.sealed, report.failed) == (1, [])
        assert not kubo.has(cid) and cid not in node.pinned  # unpinned (`pin/rm`), the node frees it
        assert kubo.remove(cid) is False  # nothing left to remove
        assert data not in _objects(node.store)
        assert originals.read(cid) == data
