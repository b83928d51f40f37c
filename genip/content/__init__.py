"""A work's bytes: hashes and CIDs (`hashing`, `cid`), canonical forms (`canonical`), kinds and their formats
(`formats`), perceptual fingerprints (`fingerprint`) and the ERC-721 metadata JSON (`metadata`).

The light, dependency-free parts are re-exported here; import `fingerprint` (numpy, Pillow, pdqhash),
`formats` (Pillow) and `metadata` from their modules.
"""

from genip.content.canonical import canonical_json, normalize_text, parse_json, text_bytes
from genip.content.cid import (
    CHUNK_SIZE,
    CID,
    UnixFSFileHasher,
    cid_of_bytes,
    parse_cid,
    raw_cid,
    sha256_of_raw_cid,
)
from genip.content.digest import (
    ContentDigest,
    DigestWriter,
    digest_bytes,
    digest_file,
    digest_stream,
    sha256_file,
)
from genip.content.errors import (
    ContentError,
    FingerprintError,
    FormatError,
    InvalidCIDError,
    MetadataTooLargeError,
)

__all__ = [
    "CHUNK_SIZE",
    "CID",
    "ContentDigest",
    "ContentError",
    "DigestWriter",
    "FingerprintError",
    "FormatError",
    "InvalidCIDError",
    "MetadataTooLargeError",
    "UnixFSFileHasher",
    "canonical_json",
    "cid_of_bytes",
    "digest_bytes",
    "digest_file",
    "digest_stream",
    "normalize_text",
    "parse_cid",
    "parse_json",
    "raw_cid",
    "sha256_file",
    "sha256_of_raw_cid",
    "text_bytes",
]
