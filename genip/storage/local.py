"""The embedded content store: whole files in a directory, named by their CID.

Layout: `<root>/<last two characters of the CID>/<CID>`, one file per stored object (the file's own bytes,
not IPFS blocks), so the store can be browsed and backed up with ordinary tools.

Writes are atomic: bytes stream into a temporary file in `<root>` while their CID is computed, the file is
flushed and fsynced, then renamed into place (`os.replace`) and the directory fsynced. A crash leaves
either nothing or a complete object, never a partial one under a CID; re-storing the same bytes replaces
the object with an identical copy, which also repairs a corrupted one. Reads verify the bytes against the
CID (`base.verifying_reader`), so a file damaged on disk raises `IntegrityError` instead of being served.
"""

import contextlib
import os
import tempfile
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from genip.content.cid import parse_cid
from genip.content.digest import READ_SIZE, DigestWriter
from genip.storage.base import ContentNotFoundError, Progress, verifying_reader

__all__ = ["LocalStore"]


class LocalStore:
    """Content-addressed files under `root` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def path_of(self, cid: str) -> Path:
        """Where `cid` is (or would be) stored; `InvalidCIDError` for a malformed CID."""
        parse_cid(cid)  # only base32 characters: safe as a file name
        return self.root / cid[-2:] / cid

    def put(self, source: Path | bytes, *, progress: Progress | None = None) -> str:
        """Store a file or bytes atomically and return its CID."""
        self.root.mkdir(parents=True, exist_ok=True)
        writer = DigestWriter()
        handle, temp_name = tempfile.mkstemp(dir=self.root, prefix=".put-", suffix=".tmp")
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out, _open_source(source) as stream:
                while block := stream.read(READ_SIZE):
                    out.write(block)
                    writer.write(block)
                    if progress is not None:
                        progress(writer.size)
                out.flush()
                os.fsync(out.fileno())
            cid = writer.digest().cid
            final = self.path_of(cid)
            final.parent.mkdir(exist_ok=True)
            os.replace(temp, final)
            _fsync_dir(final.parent)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return cid

    def open(self, cid: str) -> BinaryIO:
        """A verifying stream of `cid`'s bytes (`ContentNotFoundError` if absent)."""
        path = self.path_of(cid)
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise ContentNotFoundError(cid, f"the local store {self.root}") from None
        blocks = iter(lambda: stream.read(READ_SIZE), b"")
        return verifying_reader(cid, blocks, where=f"the local store {self.root}", on_close=stream.close)

    def get(self, cid: str) -> bytes:
        """The verified bytes of `cid`."""
        with self.open(cid) as stream:
            return stream.read()

    def has(self, cid: str) -> bool:
        """Whether an object is stored under `cid` (not re-verified; `get` or `open` verify)."""
        return self.path_of(cid).is_file()

    def remove(self, cid: str) -> bool:
        """Unlink the object stored under `cid` (and make that durable); whether there was one."""
        path = self.path_of(cid)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True


def _open_source(source: Path | bytes) -> BinaryIO:
    return BytesIO(source) if isinstance(source, bytes) else source.open("rb")


def _fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (best effort: not every platform can open a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
