"""One streamed pass over a work's bytes: its sha256 (the on-chain `contentHash`) and its IPFS CID.

Files are read in 1 MiB blocks; each block feeds `hashlib.sha256` and the `UnixFSFileHasher`, and is then
dropped, so memory stays flat whatever the file size (tests check a 48 MiB file).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from genip.content.cid import UnixFSFileHasher

__all__ = [
    "READ_SIZE",
    "ContentDigest",
    "DigestWriter",
    "digest_bytes",
    "digest_file",
    "digest_stream",
    "sha256_file",
]

#: Bytes read from a file at a time.
READ_SIZE: Final = 1 << 20

#: Called after each block with the number of bytes processed so far (drives progress bars).
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ContentDigest:
    """What identifies a work's bytes: `sha256` (32 bytes), Kubo-compatible `cid`, and `size` in bytes."""

    sha256: bytes
    cid: str
    size: int

    @property
    def sha256_hex(self) -> str:
        """The sha256 as `0x`-prefixed hex, as a bytes32 is shown in JSON and on-chain tools."""
        return "0x" + self.sha256.hex()


class DigestWriter:
    """A sink that computes sha256 and CID of everything written to it (`write`, then `digest()`)."""

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self._cid = UnixFSFileHasher()

    @property
    def size(self) -> int:
        """Bytes written so far."""
        return self._cid.size

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Hash the next bytes; returns how many were taken (all of them)."""
        self._sha256.update(data)
        self._cid.update(data)
        return len(data)

    def digest(self) -> ContentDigest:
        """sha256, CID and size of everything written."""
        return ContentDigest(self._sha256.digest(), self._cid.cid(), self._cid.size)


def digest_bytes(data: bytes) -> ContentDigest:
    """sha256 and CID of `data` held in memory."""
    writer = DigestWriter()
    writer.write(data)
    return writer.digest()


def digest_stream(stream: BinaryIO, *, progress: Progress | None = None) -> ContentDigest:
    """sha256 and CID of everything left in `stream`, read block by block."""
    writer = DigestWriter()
    while block := stream.read(READ_SIZE):
        writer.write(block)
        if progress is not None:
            progress(writer.size)
    return writer.digest()


def digest_file(path: Path, *, progress: Progress | None = None) -> ContentDigest:
    """sha256 and CID of the file at `path` (`OSError` if it cannot be read)."""
    with path.open("rb") as stream:
        return digest_stream(stream, progress=progress)


def sha256_file(path: Path) -> bytes:
    """sha256 of the file at `path`, streamed."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").digest()
