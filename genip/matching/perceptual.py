"""Perceptual hashes of query images: PDQ-256 with its 8 dihedral variants, low-quality hashes refused.

**Why PDQ and not imagehash's pHash-256, or both** (`scripts/bench_match_robustness.py`, 277 works from
scikit-image's data and their tiles, 102 064 distinct pairs, distance ≤ 48, quality ≥ 70): both hashes
reached 100 % on JPEG q50-95, greyscale, blur and the 8 rotations/flips, 98.6-100 % on brightness, contrast
and gamma, and no false positive (closest distinct pair: PDQ 52, pHash 50). pHash was better on resizing
(99.6-100 % against PDQ's 96.0-96.8 %; PDQ's misses are the aliasing-prone synthetic images: checkerboard,
a page of text, brick texture), on 5 % crops (68 % against 47 %) and on 2° rotations (64 % against 51 %).
**So both.** PDQ is the registered hash: `register` commits it on-chain (`perceptualHash`), the indexer
stores it, and it gives the quality score that keeps flat images out (their hashes collide: all false
positives seen at quality 50-70 involved such images); it is also the hash Meta's HMA and ThreatExchange
exchange. pHash-256 is the second opinion, computed off-chain by the indexer from each image's media after
checking it against the certificate's content hash (`indexer.media`, table `match_hashes`). An upload
matches a work when either hash is within its own distance (`match_distance`, `match_phash_distance`). With
both, every goal family (JPEG, resize, blur, colour) is at or above 98.6 % with no false positive; the
engine's thumbnail stage (`genip.matching.thumbnails`) brings brightness to 99.6 % (see README 'Image
matching' for the figures of the last run).

Queries hash the 8 dihedral variants (identity first; each the PDQ of the truly transposed pixels, see
`genip.content.fingerprint.pdq_dihedral`) so rotated and mirrored copies match; the index answers for all 8
at once and keeps the smallest distance per asset.
"""

from dataclasses import dataclass, field
from typing import Final

from genip_sdk.imaging import phash256, phash_dihedral
from PIL import Image

from genip.content.fingerprint import DIHEDRAL, PDQ_MIN_QUALITY, pdq_dihedral
from genip.matching.errors import LowQualityImageError
from genip.matching.features import Features, extract
from genip.matching.thumbnails import thumbnail_variants

__all__ = ["DIHEDRAL", "HASH_BYTES", "QueryHash", "hash_from_hex", "hash_query", "phash256", "phash_dihedral"]

#: Bytes per perceptual hash (PDQ-256).
HASH_BYTES: Final = 32


@dataclass(frozen=True, slots=True)
class QueryHash:
    """The PDQ hashes of a query's 8 rotations/flips (`variants[0]` is the image as given) and its quality."""

    variants: tuple[bytes, ...]
    quality: int
    #: pHash-256 of the same 8 rotations/flips, in the same order (empty when not computed).
    phash_variants: tuple[bytes, ...] = field(default=())
    #: ORB keypoints of the image as given, for the crop stage (None when not computed).
    features: Features | None = None
    #: 16x16 grey thumbnails of the same 8 rotations/flips, for the thumbnail stage (empty when not computed).
    thumbnails: tuple[bytes, ...] = field(default=())

    @property
    def hash(self) -> bytes:
        """The hash of the image as given (no rotation)."""
        return self.variants[0]


def hash_query(image: Image.Image, *, min_quality: int = PDQ_MIN_QUALITY, dihedral: bool = True) -> QueryHash:
    """PDQ hashes of `image` (all 8 dihedral variants unless `dihedral` is false).

    Raises `LowQualityImageError` when PDQ's quality is below `min_quality` (flat or featureless images).
    """
    hashes, quality = pdq_dihedral(image)
    if quality < min_quality:
        raise LowQualityImageError(quality, min_quality)
    count = len(DIHEDRAL) if dihedral else 1
    return QueryHash(
        tuple(hashes[:count]),
        quality,
        tuple(phash_dihedral(image)[:count]),
        extract(image),
        tuple(thumbnail_variants(image, DIHEDRAL[:count])),
    )


def hash_from_hex(value: str) -> bytes:
    """A stored `perceptual_hash` (`0x` + 64 hex digits) as 32 bytes; `ValueError` if malformed."""
    raw = bytes.fromhex(value.removeprefix("0x"))
    if len(raw) != HASH_BYTES:
        raise ValueError(f"perceptual hash must be {HASH_BYTES} bytes, got {len(raw)}")
    return raw
