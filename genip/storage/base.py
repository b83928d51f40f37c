"""The content-store contract, its errors, and the reader that checks bytes against their CID.

Every store is content-addressed by the CID Kubo's `ipfs add --cid-version=1` gives (`genip.content.cid`),
so a local store and an IPFS node name the same bytes the same way. Reading always verifies: the bytes are
hashed as they stream out and compared with the CID when the stream ends; a mismatch raises
`IntegrityError` at that point (the caller must then discard what it read).

    GenIPError
    └── StorageError
        ├── ContentNotFoundError      the store has no object with that CID
        ├── IntegrityError            bytes do not match their CID (corrupt file, misbehaving node)
        └── StorageUnavailableError   the IPFS API cannot be reached or answered with an error
"""

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from genip.content.cid import UnixFSFileHasher
from genip.content.digest import READ_SIZE
from genip.errors import GenIPError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "ContentNotFoundError",
    "ContentStore",
    "IntegrityError",
    "Progress",
    "StorageError",
    "StorageUnavailableError",
    "verifying_reader",
]

#: Called with the number of bytes processed so far.
Progress = Callable[[int], None]


class StorageError(GenIPError):
    """Storing or reading content failed."""


class ContentNotFoundError(StorageError):
    """The store holds no object with this CID."""

    def __init__(self, cid: str, where: str) -> None:
        super().__init__(f"{cid} is not in {where}")
        self.cid = cid


class IntegrityError(StorageError):
    """Bytes do not match the CID they were stored or served under."""

    def __init__(self, cid: str, actual: str, where: str) -> None:
        super().__init__(f"{where} returned bytes for {cid} that hash to {actual}: corrupt or wrong content")
        self.cid = cid
        self.actual = actual


class StorageUnavailableError(StorageError):
    """The storage backend (the IPFS RPC API) cannot be reached or failed."""


@runtime_checkable
class ContentStore(Protocol):
    """A content-addressed store of whole files, keyed by their Kubo-compatible CIDv1."""

    def put(self, source: Path | bytes, *, progress: Progress | None = None) -> str:
        """Store a file (streamed from `source` when a path) or bytes; return its CID."""
        ...

    def get(self, cid: str) -> bytes:
        """The verified bytes of `cid` (`ContentNotFoundError`, `IntegrityError`)."""
        ...

    def open(self, cid: str) -> BinaryIO:
        """A stream of `cid`'s bytes, verified when read to the end; use it as a context manager."""
        ...

    def has(self, cid: str) -> bool:
        """Whether the store holds (for Kubo: has pinned) `cid`."""
        ...

    def remove(self, cid: str) -> bool:
        """Drop `cid` from the store (for Kubo: unpin it, so garbage collection frees it); whether it was
        there. Used to remove plaintext originals once sealed (`genip originals seal-store`)."""
        ...


class _VerifyingRaw(io.RawIOBase):
    """Raw stream over `blocks` that hashes everything it passes on and checks the CID at the end."""

    def __init__(self, cid: str, blocks: Iterator[bytes], where: str, on_close: Callable[[], None]) -> None:
        super().__init__()
        self._cid = cid
        self._blocks = blocks
        self._where = where
        self._on_close = on_close
        self._hasher = UnixFSFileHasher()
        self._buffer = memoryview(b"")
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: "WriteableBuffer") -> int:
        out = memoryview(target).cast("B")
        while not self._buffer:
            if self._done:
                return 0
            block = next(self._blocks, None)
            if block is None:
                self._done = True
                actual = self._hasher.cid()
                if actual != self._cid:
                    raise IntegrityError(self._cid, actual, self._where)
                return 0
            self._hasher.update(block)
            self._buffer = memoryview(block)
        n = min(len(out), len(self._buffer))
        out[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            self._on_close()
        super().close()


def verifying_reader(
    cid: str, blocks: Iterator[bytes], *, where: str, on_close: Callable[[], None]
) -> BinaryIO:
    """A buffered binary stream of `blocks` that raises `IntegrityError` at the end if they are not `cid`.

    `on_close` releases the source (a file, an HTTP response) when the stream is closed.
    """
    return io.BufferedReader(_VerifyingRaw(cid, blocks, where, on_close), buffer_size=READ_SIZE)
