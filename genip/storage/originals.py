"""Originals encrypted at rest: envelope encryption, so the content store (local or Kubo) holds ciphertext.

    sealed = seal_original(engine, store, keyring, path)        # at registration, instead of store.put(path)
    data = read_original(engine, store, keyring, sealed.original_cid)   # the one way back to the bytes

**Envelope.** Each original gets a fresh random 256-bit data key. The original is encrypted with it under
AES-256-GCM and only that ciphertext is put in the store (so only ciphertext is ever pinned or served); the
data key is wrapped by the service key with `cryptography`'s Fernet (AES-128-CBC + HMAC-SHA256) and kept,
with the original's CID and the ciphertext's CID, in the `sealed_originals` table (`SealedOriginal`). The
service key never touches the data; rotating it (`rotate_envelopes`, `genip originals rotate`) rewraps the
small data keys and leaves the stored ciphertext alone.

**Service keys** (`Keyring`): `GENIP_ORIGINALS_KEYS`, comma-separated Fernet keys, newest first (the first
wraps, all of them unwrap: `MultiFernet`); unset, a key file `<data_dir>/originals.key` created on first use
with mode 0600. Keys are never printed, logged or put in a message.

**Ciphertext format** (streamable, so multi-gigabyte models are neither read whole nor decrypted whole):
`MAGIC` (12 bytes), a random 7-byte nonce prefix, then the original in segments of `SEGMENT` (1 MiB) bytes,
each sealed with AES-256-GCM under the nonce `prefix ‖ segment number (4 bytes, big-endian) ‖ last flag
(1 byte)` and the original's CID as associated data: the STREAM construction (Hoang, Reyhanitabar, Rogaway,
Vizár 2015, as in Tink and age), which refuses reordered, dropped, truncated or appended segments, and a
ciphertext moved to another original's envelope. An empty original is one empty last segment.

**Reading verifies twice**: GCM authenticates each segment, and the plaintext is hashed as it streams and
compared with the original's CID at the end (`IntegrityError`), so the bytes delivered are the ones the
certificate commits to.

    StorageError
    └── OriginalsError               originals at rest
        ├── OriginalNotSealedError   no envelope for this CID (not sealed yet, or not an original)
        └── OriginalKeyError         no service key opens the envelope (wrong or rotated-away key)
    IntegrityError                   the ciphertext was tampered with, or decrypts to other bytes
"""

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Final, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError as DuplicateRowError

from genip.content.cid import UnixFSFileHasher, parse_cid
from genip.content.digest import READ_SIZE
from genip.db.models import SealedOriginal
from genip.errors import ConfigError
from genip.settings import Settings
from genip.storage.base import ContentStore, IntegrityError, Progress, StorageError

__all__ = [
    "KEY_FILE",
    "MAGIC",
    "SEGMENT",
    "Envelope",
    "Keyring",
    "OriginalKeyError",
    "OriginalNotSealedError",
    "Originals",
    "OriginalsError",
    "envelope_of",
    "key_file",
    "open_original",
    "read_original",
    "rotate_envelopes",
    "seal_original",
]

#: First bytes of every sealed original (format version 1).
MAGIC: Final = b"GENIP-SEAL1\n"
#: Plaintext bytes per AES-GCM segment.
SEGMENT: Final = 1024 * 1024
#: Name of the embedded default key file in the data directory.
KEY_FILE: Final = "originals.key"
_PREFIX: Final = 7
_TAG: Final = 16


class OriginalsError(StorageError):
    """Sealing or opening an original failed."""


class OriginalNotSealedError(OriginalsError):
    """No envelope names this CID: the original was never sealed here (or is not an original)."""

    def __init__(self, cid: str) -> None:
        super().__init__(
            f"no sealed original {cid}: it was not registered here, or the store predates sealing "
            "(run `genip originals seal-store`)"
        )
        self.cid = cid


class OriginalKeyError(OriginalsError):
    """None of the service keys unwraps the envelope's data key."""

    def __init__(self, cid: str) -> None:
        super().__init__(
            f"the sealed original {cid} cannot be opened with the configured service keys "
            "(GENIP_ORIGINALS_KEYS or <data dir>/originals.key): a wrong key, or one rotated away"
        )
        self.cid = cid


class Keyring:
    """The service keys that wrap data keys: the first wraps, every one unwraps (`MultiFernet`)."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise ConfigError("no originals service key given")
        fernets = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise ConfigError(
                    f"originals service key {number} is not a Fernet key (32 url-safe base64 bytes)"
                ) from None
        self._multi = MultiFernet(fernets)
        self.count = len(fernets)

    def __repr__(self) -> str:
        return f"Keyring({self.count} key{'s' if self.count != 1 else ''})"  # never the keys

    @classmethod
    def from_text(cls, text: str) -> "Keyring":
        """Keys written as `GENIP_ORIGINALS_KEYS` holds them: comma-separated, newest first."""
        return cls([key.strip() for key in text.split(",") if key.strip()])

    @classmethod
    def from_settings(cls, settings: Settings) -> "Keyring":
        """`GENIP_ORIGINALS_KEYS` when set, else the key file in the data directory (created if absent)."""
        keys = settings.originals_keys.get_secret_value() if settings.originals_keys else ""
        if keys.strip():
            return cls.from_text(keys)
        return cls([key_file(settings.data_dir)])

    def wrap(self, data_key: bytes) -> str:
        """`data_key` wrapped with the newest service key (a Fernet token, ASCII)."""
        return self._multi.encrypt(data_key).decode("ascii")

    def unwrap(self, wrapped: str, cid: str) -> bytes:
        """The data key in `wrapped`; `OriginalKeyError` when no service key opens it."""
        try:
            return self._multi.decrypt(wrapped.encode("ascii"))
        except (InvalidToken, ValueError):
            raise OriginalKeyError(cid) from None

    def rewrap(self, wrapped: str, cid: str) -> str:
        """`wrapped` rewrapped with the newest key (`MultiFernet.rotate`); `OriginalKeyError` if no key opens
        it."""
        try:
            return self._multi.rotate(wrapped.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            raise OriginalKeyError(cid) from None


def key_file(data_dir: Path) -> bytes:
    """The embedded service key in `<data_dir>/originals.key`, created (mode 0600, exclusively, so two
    processes starting together agree on one key) when absent."""
    path = data_dir / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(Fernet.generate_key() + b"\n")
        out.flush()
        os.fsync(out.fileno())
    return path.read_bytes().strip()


@dataclass(frozen=True, slots=True)
class Envelope:
    """Where one sealed original is: its CID, its ciphertext's CID, its wrapped data key, its size."""

    original_cid: str
    sealed_cid: str
    wrapped_key: str
    size: int


def envelope_of(engine: Engine, cid: str) -> Envelope | None:
    """The envelope of the original `cid`, or `None`."""
    s = SealedOriginal
    with engine.connect() as c:
        row = c.execute(
            select(s.original_cid, s.sealed_cid, s.wrapped_key, s.size).where(s.original_cid == cid)
        ).first()
    return None if row is None else Envelope(*row)


def seal_original(
    engine: Engine,
    store: ContentStore,
    keyring: Keyring,
    source: Path | bytes,
    *,
    progress: Progress | None = None,
) -> Envelope:
    """Encrypt `source` under a fresh data key, put only the ciphertext in `store` and record the envelope.

    Idempotent: an original already sealed (its envelope present and its ciphertext still in the store) is
    not sealed again, so the envelope keeps its key. `progress` sees the plaintext bytes read so far.
    """
    data_key = AESGCM.generate_key(bit_length=256)
    if isinstance(source, bytes):
        cid, sealed = _encrypt(BytesIO(source), data_key, progress)
        return _keep(engine, store, keyring, cid, lambda: store.put(sealed.getvalue()), data_key, len(source))
    with tempfile.TemporaryDirectory(prefix="genip-seal-") as folder:
        target = Path(folder) / "sealed"
        with source.open("rb") as stream, target.open("wb") as out:
            cid, size = _encrypt_to(stream, out, data_key, progress)
        return _keep(engine, store, keyring, cid, lambda: store.put(target), data_key, size)


def open_original(engine: Engine, store: ContentStore, keyring: Keyring, cid: str) -> Iterator[bytes]:
    """The original `cid`'s plaintext as a stream of blocks, decrypted and verified as it goes: each segment
    by its GCM tag, the whole against `cid` at the end (`IntegrityError`; discard what was read then).

    Raises `OriginalNotSealedError`, `OriginalKeyError`, and the store's errors for the ciphertext.
    """
    parse_cid(cid)
    envelope = envelope_of(engine, cid)
    if envelope is None:
        raise OriginalNotSealedError(cid)
    data_key = keyring.unwrap(envelope.wrapped_key, cid)
    stream = store.open(envelope.sealed_cid)
    return _decrypt(stream, AESGCM(data_key), cid, envelope.size)


def read_original(engine: Engine, store: ContentStore, keyring: Keyring, cid: str) -> bytes:
    """The verified bytes of the original `cid` (see `open_original`): the one function everything that
    needs an original's bytes calls (the indexer's media step, licensed downloads, `seal-store`)."""
    return b"".join(open_original(engine, store, keyring, cid))


def rotate_envelopes(
    engine: Engine, keyring: Keyring, *, progress: Progress | None = None
) -> tuple[int, list[str]]:
    """Rewrap every envelope's data key with the keyring's newest key. Returns how many were rewrapped and
    the CIDs no configured key opens (left as they are)."""
    s = SealedOriginal
    with engine.connect() as c:
        rows = c.execute(select(s.original_cid, s.wrapped_key).order_by(s.original_cid)).all()
    done, failed = 0, []
    for number, (cid, wrapped) in enumerate(rows, start=1):
        try:
            rewrapped = keyring.rewrap(wrapped, cid)
        except OriginalKeyError:
            failed.append(cid)
            continue
        with engine.begin() as c:
            c.execute(
                update(s)
                .where(s.original_cid == cid, s.wrapped_key == wrapped)
                .values(wrapped_key=rewrapped, rotated_at=datetime.now(UTC))
            )
        done += 1
        if progress is not None:
            progress(number)
    return done, failed


# ─────────────────────────────── the format ───────────────────────────────


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    if number >= 1 << 32:
        raise OriginalsError("an original of more than 4 PiB cannot be sealed")
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class _Reader(Protocol):
    def read(self, size: int, /) -> bytes: ...


def _segments(stream: _Reader) -> Iterator[tuple[bytes, bool]]:
    """`stream` in `SEGMENT`-sized pieces, each with whether it is the last (read one piece ahead)."""
    current = stream.read(SEGMENT)
    while True:
        following = stream.read(SEGMENT)
        yield current, not following
        if not following:
            return
        current = following


def _encrypt_to(
    stream: BinaryIO, out: BinaryIO, data_key: bytes, progress: Progress | None
) -> tuple[str, int]:
    """Encrypt `stream` into `out`; the plaintext's CID and size. The CID is the associated data, so the
    plaintext is hashed in a first pass (files are re-read; bytes are in memory)."""
    hasher = UnixFSFileHasher()
    while block := stream.read(READ_SIZE):
        hasher.update(block)
        if progress is not None:
            progress(hasher.size)
    cid, size = hasher.cid(), hasher.size
    stream.seek(0)
    aead, prefix = AESGCM(data_key), secrets.token_bytes(_PREFIX)
    out.write(MAGIC + prefix)
    for number, (segment, last) in enumerate(_segments(stream)):
        out.write(aead.encrypt(_nonce(prefix, number, last), segment, cid.encode("ascii")))
    return cid, size


def _encrypt(stream: BinaryIO, data_key: bytes, progress: Progress | None) -> tuple[str, BytesIO]:
    out = BytesIO()
    cid, _ = _encrypt_to(stream, out, data_key, progress)
    return cid, out


def _keep(
    engine: Engine,
    store: ContentStore,
    keyring: Keyring,
    cid: str,
    put: Callable[[], str],
    data_key: bytes,
    size: int,
) -> Envelope:
    existing = envelope_of(engine, cid)
    if existing is not None and store.has(existing.sealed_cid):
        return existing
    sealed_cid = put()
    envelope = Envelope(cid, sealed_cid, keyring.wrap(data_key), size)
    s = SealedOriginal
    values = {
        "sealed_cid": envelope.sealed_cid,
        "wrapped_key": envelope.wrapped_key,
        "size": size,
        "sealed_at": datetime.now(UTC),
        "rotated_at": None,
    }
    try:
        with engine.begin() as c:
            if existing is None:
                c.execute(insert(s).values(original_cid=cid, **values))
            else:  # the ciphertext was lost: this sealing replaces the envelope
                c.execute(update(s).where(s.original_cid == cid).values(**values))
    except DuplicateRowError:  # sealed at the same moment by another process: theirs stands
        found = envelope_of(engine, cid)
        if found is None:
            raise
        return found
    return envelope


def _decrypt(stream: BinaryIO, aead: AESGCM, cid: str, size: int) -> Iterator[bytes]:
    with stream:
        header = stream.read(len(MAGIC) + _PREFIX)
        if header[: len(MAGIC)] != MAGIC or len(header) != len(MAGIC) + _PREFIX:
            raise IntegrityError(cid, "no sealed original", "the sealed copy")
        prefix, associated = header[len(MAGIC) :], cid.encode("ascii")
        hasher = UnixFSFileHasher()
        for number, (segment, last) in enumerate(_segments(_Resegment(stream))):
            try:
                plain = aead.decrypt(_nonce(prefix, number, last), segment, associated)
            except InvalidTag:
                raise IntegrityError(cid, "a segment that fails authentication", "the sealed copy") from None
            hasher.update(plain)
            yield plain
        actual = hasher.cid()
        if actual != cid or hasher.size != size:
            raise IntegrityError(cid, actual, "the sealed copy")


class _Resegment:
    """Reads ciphertext segments (`SEGMENT` + tag bytes) for `_segments`, whatever size it asks for."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, _size: int) -> bytes:
        wanted, parts = SEGMENT + _TAG, []
        while wanted:
            part = self._stream.read(wanted)
            if not part:
                break
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)


@dataclass(frozen=True, slots=True)
class Originals:
    """Where originals are kept, in one value to pass around: ciphertext in `store`, envelopes in
    `engine`'s database, data keys wrapped by `keyring`."""

    engine: Engine
    store: ContentStore
    keyring: Keyring

    @classmethod
    def from_settings(cls, engine: Engine, store: ContentStore, settings: Settings) -> "Originals":
        """Originals in `store` and `engine`'s database, with the service keys of `settings`."""
        return cls(engine, store, Keyring.from_settings(settings))

    def seal(self, source: Path | bytes, *, progress: Progress | None = None) -> Envelope:
        """`seal_original` into this store and database."""
        return seal_original(self.engine, self.store, self.keyring, source, progress=progress)

    def read(self, cid: str) -> bytes:
        """`read_original` from this store and database."""
        return read_original(self.engine, self.store, self.keyring, cid)
