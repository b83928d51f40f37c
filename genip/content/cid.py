"""IPFS CIDs exactly as Kubo's `ipfs add --cid-version=1` makes them, computed in constant memory.

Kubo's defaults for `--cid-version=1` (which implies `--raw-leaves`) are reproduced here:

- the file is cut into fixed 256 KiB chunks (`size-262144`; the last chunk may be shorter);
- every chunk is a *raw* block (codec `raw`, 0x55) addressed by its sha2-256;
- a file of at most one chunk, the empty file included, is that single raw block: its CID is
  `bafkrei...`, which carries the sha256 of the whole file (see `raw_cid` / `sha256_of_raw_cid`);
- larger files get a *balanced* DAG of dag-pb (0x70) nodes holding UnixFS `File` data: leaves are grouped
  174 to a node, those nodes 174 to a parent, and so on until one root remains. Every leaf sits at the same
  depth; every node is full except the right-most one of its level (boxo `importer/balanced`).
- CIDs are printed as CIDv1 in base32 (multibase prefix `b`, lower case, no padding).

The tree is built level by level while chunks stream in: each level keeps only the links of its one open
node (at most 174), so memory does not grow with the file. The protobuf encodings (dag-pb `PBNode`/`PBLink`
and UnixFS `Data`) are written by hand; they are a few fields, and the field order matches boxo's output
(links before data; `Name` always present and empty; `Type`, `filesize`, then one `blocksizes` per child).

The reference vectors in `tests/content/test_cid.py` (Kubo's own sharness tests) pin all of this down.
"""

import base64
import hashlib
from dataclasses import dataclass
from typing import Final, NamedTuple

from genip.content.errors import InvalidCIDError

__all__ = [
    "CHUNK_SIZE",
    "CID",
    "DAG_PB",
    "MAX_LINKS",
    "RAW",
    "SHA2_256",
    "UnixFSFileHasher",
    "cid_of_bytes",
    "parse_cid",
    "raw_cid",
    "sha256_of_raw_cid",
]

#: Kubo's default fixed-size chunk (`--chunker=size-262144`).
CHUNK_SIZE: Final = 262_144
#: Kubo's default maximum number of links per dag-pb node in the balanced layout.
MAX_LINKS: Final = 174
#: Multicodec of raw blocks.
RAW: Final = 0x55
#: Multicodec of dag-pb blocks.
DAG_PB: Final = 0x70
#: Multihash code of sha2-256.
SHA2_256: Final = 0x12

_UNIXFS_FILE: Final = 2
_BASE32_ALPHABET: Final = frozenset("abcdefghijklmnopqrstuvwxyz234567")


@dataclass(frozen=True, slots=True)
class CID:
    """A CIDv1 with a sha2-256 multihash: `codec` is `RAW` or `DAG_PB`, `digest` the 32-byte sha256."""

    codec: int
    digest: bytes

    def __post_init__(self) -> None:
        if len(self.digest) != 32:
            raise InvalidCIDError(f"a sha2-256 digest has 32 bytes, not {len(self.digest)}")

    @property
    def binary(self) -> bytes:
        """The binary CID: version 1, codec, multihash (sha2-256, 32, digest)."""
        return _varint(1) + _varint(self.codec) + bytes([SHA2_256, 32]) + self.digest

    def __str__(self) -> str:
        """Base32 multibase text form, e.g. `bafkrei...` (raw) or `bafybei...` (dag-pb)."""
        return "b" + base64.b32encode(self.binary).decode("ascii").lower().rstrip("=")


class _Link(NamedTuple):
    """One child of a dag-pb node: its binary CID, cumulative block size and file bytes under it."""

    cid: bytes
    tsize: int
    filesize: int


def parse_cid(text: str) -> CID:
    """Parse a base32 CIDv1 (raw or dag-pb, sha2-256), the only form Gen-IP stores and prints.

    Raises `InvalidCIDError` for anything else (CIDv0 `Qm...`, other bases, codecs or hash functions),
    which also makes a parsed CID safe to use as a file name.
    """
    if not text.startswith("b") or not set(text[1:]) <= _BASE32_ALPHABET or len(text) < 2:
        raise InvalidCIDError(f"not a base32 CIDv1: {text[:80]!r}")
    body = text[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        raise InvalidCIDError(f"not a base32 CIDv1: {text[:80]!r}") from None
    if len(raw) != 36 or raw[0] != 1 or raw[1] not in (RAW, DAG_PB) or raw[2:4] != bytes([SHA2_256, 32]):
        raise InvalidCIDError(f"not a sha2-256 raw or dag-pb CIDv1: {text[:80]!r}")
    cid = CID(raw[1], raw[4:])
    if str(cid) != text:  # non-canonical padding bits
        raise InvalidCIDError(f"not a canonical base32 CIDv1: {text[:80]!r}")
    return cid


def raw_cid(sha256_digest: bytes) -> str:
    """The raw-block CID of bytes whose sha256 is `sha256_digest` (what Kubo gives a file of <= 256 KiB)."""
    return str(CID(RAW, sha256_digest))


def sha256_of_raw_cid(cid: str) -> bytes:
    """The sha256 a raw-block CID carries; `InvalidCIDError` for a dag-pb (multi-chunk) CID."""
    parsed = parse_cid(cid)
    if parsed.codec != RAW:
        raise InvalidCIDError(
            f"{cid} is a dag-pb CID: it carries the root node's hash, not the file's sha256"
        )
    return parsed.digest


def cid_of_bytes(data: bytes) -> str:
    """The CID Kubo's `ipfs add --cid-version=1` gives `data`."""
    hasher = UnixFSFileHasher()
    hasher.update(data)
    return hasher.cid()


class UnixFSFileHasher:
    """Incremental CID of a file, fed like a `hashlib` object: `update(...)` as bytes arrive, then `cid()`.

    Holds at most one partial chunk (256 KiB) plus up to 174 links per tree level.
    """

    def __init__(self) -> None:
        self._pending = bytearray()
        self._levels: list[list[_Link]] = []
        self._size = 0
        self._result: str | None = None

    @property
    def size(self) -> int:
        """Bytes fed so far."""
        return self._size

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Feed the next bytes of the file."""
        if self._result is not None:
            raise ValueError("cid() was already computed; start a new hasher")
        view = memoryview(data).cast("B")
        self._size += len(view)
        if self._pending:
            take = min(CHUNK_SIZE - len(self._pending), len(view))
            self._pending += view[:take]
            view = view[take:]
            if len(self._pending) < CHUNK_SIZE:
                return
            self._add_leaf(bytes(self._pending))
            self._pending.clear()
        while len(view) >= CHUNK_SIZE:
            self._add_leaf(view[:CHUNK_SIZE])
            view = view[CHUNK_SIZE:]
        self._pending += view

    def cid(self) -> str:
        """Finish the tree and return the root CID (further `update` calls are refused)."""
        if self._result is None:
            if self._pending or not self._levels:  # the empty file is one empty raw block
                self._add_leaf(bytes(self._pending))
                self._pending.clear()
            self._result = self._finish()
        return self._result

    def _add_leaf(self, chunk: bytes | memoryview) -> None:
        digest = hashlib.sha256(chunk).digest()
        self._push(0, _Link(CID(RAW, digest).binary, len(chunk), len(chunk)))

    def _push(self, level: int, link: _Link) -> None:
        """Append `link` to the open node of `level`, first closing that node into its parent if full."""
        if level == len(self._levels):
            self._levels.append([])
        links = self._levels[level]
        if len(links) == MAX_LINKS:
            self._push(level + 1, _file_node(links))
            links.clear()
        links.append(link)

    def _finish(self) -> str:
        if len(self._levels) == 1 and len(self._levels[0]) == 1:  # one chunk: the raw leaf is the root
            return str(_decode_binary(self._levels[0][0].cid))
        # Close the open right-most node of every level below the top, bottom up. Closing one may fill
        # its parent and open a new level above, so the bound is re-read on every step.
        level = 0
        while level < len(self._levels) - 1:
            self._push(level + 1, _file_node(self._levels[level]))
            self._levels[level] = []
            level += 1
        root = _file_node(self._levels[-1])
        return str(_decode_binary(root.cid))


def _file_node(links: list[_Link]) -> _Link:
    """Encode a dag-pb node with UnixFS `File` data over `links`; return the link that points at it."""
    filesize = sum(link.filesize for link in links)
    unixfs = _field_varint(1, _UNIXFS_FILE) + _field_varint(3, filesize)
    unixfs += b"".join(_field_varint(4, link.filesize) for link in links)
    encoded_links = b"".join(
        _field_bytes(2, _field_bytes(1, link.cid) + _field_bytes(2, b"") + _field_varint(3, link.tsize))
        for link in links
    )
    block = encoded_links + _field_bytes(1, unixfs)
    digest = hashlib.sha256(block).digest()
    return _Link(CID(DAG_PB, digest).binary, len(block) + sum(link.tsize for link in links), filesize)


def _decode_binary(binary: bytes) -> CID:
    return CID(binary[1], binary[4:])


def _varint(value: int) -> bytes:
    """Unsigned LEB128, as protobuf and multiformats write integers."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field_varint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_bytes(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(value)) + value
