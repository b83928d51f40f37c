"""Perceptual fingerprints: the `perceptualHash` (bytes32) a work is registered with.

**Images: PDQ** (Meta's 256-bit perceptual hash, via `pdqhash`). It fills the bytes32 exactly, survives
re-encoding, resizing and mild edits, and comes with a quality score (0-100); Meta's guidance is to treat
hashes of quality below 50 as unreliable (flat or featureless images), which `ImageFingerprint.low_quality`
flags. Two PDQ hashes within `PDQ_MATCH_DISTANCE` (31) bits of each other are the same picture for PDQ's
recommended threshold. Byte layout: the hash in PDQ's canonical hex order (the first hex digit is bits
255-252), i.e. `bytes.fromhex(pdq_hex)`.

**One pixel cap for every decoded image**: `MAX_IMAGE_PIXELS` (64 M, an 8000x8000 render; the default of
`GENIP_MATCH_MAX_PIXELS`, which uploads, `/match` and the indexer's media step read) is checked from the
header before any pixel is decoded, and an image over it raises `TooManyPixelsError` (uploads answer 413,
`genip register` one line). Decoding 64 M pixels as RGB takes about 192 MB; Pillow's own guard (an error at
twice its `MAX_IMAGE_PIXELS`, 179 M) would let ~2.8 times that through.

The image is decoded with Pillow and prepared by `prepare_image` (defined, with the PDQ and pHash
computation, in the SDK's `genip_sdk.imaging`, which platforms install to hash on their side: one home for
the rule, re-exported here): shrunk first when its longer side exceeds
`MAX_PDQ_SIDE` (PDQ downsamples to 64x64 internally, so this only bounds memory and time), turned upright by
its EXIF orientation, its transparency flattened onto a fixed white background (`FLATTEN_BACKGROUND`; a
transparent logo then hashes like the same logo pasted on a white page, instead of like whatever colour the
invisible pixels happen to hold), and converted to RGB. The matching engine (`genip.matching`) hashes queries
with the same function, so registration and lookup see the same pixels. `pdq_dihedral` gives the hashes of
the 8 rotations/flips.

**Text: SimHash-64** over word 3-shingles. The text is canonicalised (`canonical.normalize_text`), case-folded
and split into words (`\\w+`, Unicode-aware); every run of three consecutive words (or the whole text if it
has fewer) is hashed with BLAKE2b-64, and each bit of the result is the sign of the sum over shingles of +1
/ -1 for that bit (`genip.content.simhash`: the pure-Python definition, kept as the oracle, and the fast
path used here, compiled). Near-duplicates differ in few bits (`TEXT_NEAR_DUPLICATE_BITS`). It is placed in
the bytes32 **left-aligned**: the 8 bytes big-endian, then 24 zero bytes, as Solidity's
`bytes32(bytes8(h))` would; `simhash_from_bytes32` reads it back.

`fingerprint_work` picks per kind: PDQ for images, SimHash-64 for text and prompts, none for models,
workflows and other kinds (they register a zero `perceptualHash`).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from genip_sdk.imaging import (
    DIHEDRAL,
    FLATTEN_BACKGROUND,
    MAX_PDQ_SIDE,
    pdq_dihedral,
    pdq_hash,
    prepare_image,
    python_decoder,
)
from PIL import Image

from genip.chain.types import WorkKind
from genip.content.errors import FingerprintError, TooManyPixelsError
from genip.content.formats import IMAGE_DECODE_ERRORS, PreparedWork
from genip.content.metadata import PerceptualHash
from genip.content.simhash import simhash64

__all__ = [
    "DIHEDRAL",
    "FLATTEN_BACKGROUND",
    "MAX_IMAGE_PIXELS",
    "MAX_PDQ_SIDE",
    "PDQ_MATCH_DISTANCE",
    "PDQ_MIN_QUALITY",
    "TEXT_NEAR_DUPLICATE_BITS",
    "ImageFingerprint",
    "TooManyPixelsError",
    "check_image_pixels",
    "fingerprint_work",
    "hamming_distance",
    "pdq_dihedral",
    "pdq_fingerprint",
    "pdq_fingerprint_file",
    "prepare_image",
    "python_decoder",
    "simhash64",
    "simhash_from_bytes32",
    "simhash_to_bytes32",
    "text_fingerprint",
]

#: PDQ quality below this marks a hash as unreliable (Meta's recommendation).
PDQ_MIN_QUALITY: Final = 50
#: PDQ hashes at most this many bits apart are considered matches (Meta's recommended threshold).
PDQ_MATCH_DISTANCE: Final = 31
#: Most pixels an image may have to be decoded (the default of `GENIP_MATCH_MAX_PIXELS`; see the module doc).
MAX_IMAGE_PIXELS: Final = 64_000_000
#: SimHash-64 values at most this many bits apart are near-duplicate texts. Unrelated texts differ in about
#: 32 bits (binomial, sd 4), so 10 leaves false matches around one in 10^8 while a paragraph with two edited
#: words (6 of ~100 shingles changed) still matches.
TEXT_NEAR_DUPLICATE_BITS: Final = 10


@dataclass(frozen=True, slots=True)
class ImageFingerprint:
    """A 256-bit PDQ hash (`hash`, 32 bytes) and its quality (0-100)."""

    hash: bytes
    quality: int

    @property
    def low_quality(self) -> bool:
        """True when PDQ considers the hash unreliable (quality < 50: flat, featureless images)."""
        return self.quality < PDQ_MIN_QUALITY

    @property
    def hex(self) -> str:
        """PDQ's canonical 64-digit hex form."""
        return self.hash.hex()


def pdq_fingerprint(image: Image.Image) -> ImageFingerprint:
    """PDQ hash and quality of a decoded image (see the module docstring for the preprocessing)."""
    digest, quality = pdq_hash(image)
    return ImageFingerprint(digest, quality)


def _check_pixels(image: Image.Image, max_pixels: int, name: str) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise TooManyPixelsError(
            f"image {name} is {width}x{height}, {width * height:,} pixels: "
            f"more than the {max_pixels:,} allowed"
        )


def _too_many(name: str, max_pixels: int, exc: Exception) -> TooManyPixelsError:
    """Pillow's own guard, raised inside `Image.open` before the size is known to us."""
    return TooManyPixelsError(f"image {name} has more than the {max_pixels:,} pixels allowed ({exc})")


def check_image_pixels(path: Path, max_pixels: int = MAX_IMAGE_PIXELS) -> None:
    """`TooManyPixelsError` when the image header at `path` announces more than `max_pixels` pixels; reads the
    header only, and leaves files that are not readable images to whoever decodes them."""
    try:
        with Image.open(path) as image:
            _check_pixels(image, max_pixels, path.name)
    except Image.DecompressionBombError as exc:
        raise _too_many(path.name, max_pixels, exc) from None
    except IMAGE_DECODE_ERRORS:
        return


def pdq_fingerprint_file(path: Path, *, max_pixels: int = MAX_IMAGE_PIXELS) -> ImageFingerprint:
    """PDQ hash and quality of the image file at `path`; `TooManyPixelsError` over `max_pixels` (checked from
    the header, before decoding), `FingerprintError` if it cannot be decoded or only in Python
    (`python_decoder`)."""
    try:
        with Image.open(path) as image:
            _check_pixels(image, max_pixels, path.name)
            if (decoder := python_decoder(image)) is not None:
                raise FingerprintError(f"image {path.name} is encoded with {decoder}, which is not accepted")
            image.load()
            return pdq_fingerprint(image)
    except Image.DecompressionBombError as exc:
        raise _too_many(path.name, max_pixels, exc) from None
    except IMAGE_DECODE_ERRORS as exc:
        raise FingerprintError(f"cannot decode image {path.name}: {exc}") from None


def simhash_to_bytes32(value: int) -> bytes:
    """A SimHash-64 as the bytes32 `perceptualHash`: 8 bytes big-endian, then 24 zero bytes."""
    return value.to_bytes(8, "big") + bytes(24)


def simhash_from_bytes32(value: bytes) -> int:
    """The SimHash-64 in a text work's `perceptualHash` (its first 8 bytes)."""
    return int.from_bytes(value[:8], "big")


def text_fingerprint(text: str) -> bytes:
    """The bytes32 `perceptualHash` of a text work (left-aligned SimHash-64)."""
    return simhash_to_bytes32(simhash64(text))


def hamming_distance(a: bytes | int, b: bytes | int) -> int:
    """Number of differing bits between two hashes of equal length (bytes) or two integers."""
    if isinstance(a, bytes) and isinstance(b, bytes):
        if len(a) != len(b):
            raise ValueError(f"hashes differ in length: {len(a)} and {len(b)} bytes")
        return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()
    if isinstance(a, int) and isinstance(b, int):
        return (a ^ b).bit_count()
    raise TypeError("compare two bytes values or two integers")


def fingerprint_work(work: PreparedWork, *, max_pixels: int = MAX_IMAGE_PIXELS) -> PerceptualHash | None:
    """The perceptual hash `work` is registered with, or `None` for kinds without one (see module doc);
    `TooManyPixelsError` for an image of more than `max_pixels` pixels."""
    if work.kind is WorkKind.IMAGE:
        image = pdq_fingerprint_file(work.path, max_pixels=max_pixels)
        return PerceptualHash("pdq", image.hash, image.quality)
    if work.kind in (WorkKind.TEXT, WorkKind.PROMPT) and work.canonical is not None:
        return PerceptualHash("simhash64", text_fingerprint(work.canonical.decode("utf-8")))
    return None
