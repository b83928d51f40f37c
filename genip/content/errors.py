"""Exceptions of the content layer (hashing, CIDs, formats, fingerprints, metadata).

They derive from `genip.errors.GenIPError`, so the CLI shows their message as it is.

    GenIPError
    └── ContentError                  a work's bytes or description cannot be used
        ├── InvalidCIDError           a string is not a CID this project reads
        ├── FormatError               a file is not valid for the kind it claims (JSON, UTF-8, safetensors)
        ├── FingerprintError          no perceptual fingerprint can be computed (unreadable image)
        │   └── TooManyPixelsError    an image announces more pixels than the cap (nothing decoded)
        └── MetadataTooLargeError     the metadata JSON would not fit in one raw IPFS block
"""

from genip.errors import GenIPError

__all__ = [
    "ContentError",
    "FingerprintError",
    "FormatError",
    "InvalidCIDError",
    "MetadataTooLargeError",
    "TooManyPixelsError",
]


class ContentError(GenIPError):
    """A work's bytes or its description cannot be hashed, parsed or described."""


class InvalidCIDError(ContentError):
    """A string is not a base32 CIDv1 with a sha2-256 multihash (the only CIDs Gen-IP makes)."""


class FormatError(ContentError):
    """A file does not match the format its kind requires (text not UTF-8, workflow not JSON, ...)."""


class FingerprintError(ContentError):
    """A perceptual fingerprint cannot be computed, e.g. the image cannot be decoded."""


class TooManyPixelsError(FingerprintError):
    """An image whose header announces more pixels than the cap (none of them was decoded)."""


class MetadataTooLargeError(ContentError):
    """The canonical metadata JSON is larger than one raw block (256 KiB)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"metadata JSON is {size} bytes; at most {limit} fit in one raw IPFS block")
        self.size = size
        self.limit = limit
