"""Light- and colour-proof matching: normalised correlation of 16x16 grey thumbnails.

PDQ and pHash threshold DCT coefficients at their median, so a change of exposure that clips highlights
(brightness +30 % on a colour wheel, where the saturated primaries clip and the luminance changes shape) or
that moves many coefficients across the median at once (a checkerboard) flips a third of their bits: the
robustness bench's three brightness misses. The thumbnail's normalised cross-correlation is unchanged by
any brightness or contrast change (it subtracts the mean and divides by the norm) and moves little when a
few pixels clip: those copies correlate at 0.995-0.9995 with their work.

* **Thumbnail**: the image in grey (Pillow's `L`), box-filtered down to 16x16: 256 bytes, stored by the
  indexer's media step as kind `thumb` in `match_hashes`.
* **Vector**: minus its mean, over its norm (`unit_vectors`); a flat thumbnail has no vector (the engine
  refuses flat uploads before this stage anyway).
* **Threshold** (`MIN_CORRELATION`, setting `GENIP_MATCH_THUMBNAIL_CORRELATION`): 0.98, from
  `scripts/bench_match_robustness.py`: of 102 064 pairs of distinct works, 1 correlates above it (two
  aligned face crops of `lfw_subset`); 4 above 0.97, 12 above 0.95 at 8x8 (16x16 gives 5).
* **Search**: exact, a matrix product of the stored vectors with the upload's 8 rotations/flips
  (`ThumbnailIndex`, float32, 1 KiB per image): 0.9 ms at 10 000 images, 11 ms at 100 000, 0.32 s at
  1 000 000 (memory-bound; one 2-core machine). The engine runs this stage only when neither hash matched,
  and `GENIP_MATCH_THUMBNAILS=false` turns it off for registries where that is too slow.
"""

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = [
    "MIN_CORRELATION",
    "THUMB_BYTES",
    "ThumbnailIndex",
    "thumbnail",
    "thumbnail_variants",
    "unit_vectors",
]

#: Side of the thumbnail in pixels.
THUMB_SIDE: Final = 16
THUMB_BYTES: Final = THUMB_SIDE * THUMB_SIDE
#: Default correlation at or above which a thumbnail matches (see the module docstring).
MIN_CORRELATION: Final = 0.98

Vectors = npt.NDArray[np.float32]


def thumbnail(image: Image.Image) -> bytes:
    """The 16x16 grey thumbnail of `image` (row-major, 256 bytes)."""
    small = image.convert("L").resize((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BOX)
    return small.tobytes()


def thumbnail_variants(image: Image.Image, methods: Sequence[Image.Transpose | None]) -> list[bytes]:
    """The thumbnail of `image` turned by each of `methods` (None: as it is); the query side passes
    `hashing.DIHEDRAL`, the 8 rotations/flips."""
    small = Image.frombytes("L", (THUMB_SIDE, THUMB_SIDE), thumbnail(image))
    return [(small if method is None else small.transpose(method)).tobytes() for method in methods]


def unit_vectors(thumbnails: list[bytes]) -> tuple[Vectors, npt.NDArray[np.bool_]]:
    """(vectors, usable): each thumbnail minus its mean over its norm; `usable` is false for flat ones
    (their row is zero) and for malformed ones (not 256 bytes)."""
    usable = np.array([len(t) == THUMB_BYTES for t in thumbnails], dtype=bool)
    pixels = np.zeros((len(thumbnails), THUMB_BYTES), dtype=np.float32)
    for row in np.flatnonzero(usable).tolist():
        pixels[row] = np.frombuffer(thumbnails[row], dtype=np.uint8)
    pixels -= pixels.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(pixels, axis=1)
    usable &= norms > 1e-3
    pixels[usable] /= norms[usable, None]
    pixels[~usable] = 0.0
    return pixels, usable


class ThumbnailIndex:
    """Unit thumbnail vectors with int64 ids, searched exactly by correlation; appends only."""

    def __init__(self) -> None:
        self._vectors: Vectors = np.empty((1024, THUMB_BYTES), dtype=np.float32)
        self._ids = np.empty(1024, dtype=np.int64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, ids: npt.NDArray[np.int64], vectors: Vectors) -> None:
        need = self._size + len(ids)
        if need > len(self._ids):
            capacity = max(need, 2 * len(self._ids))
            grown = np.empty((capacity, THUMB_BYTES), dtype=np.float32)
            grown[: self._size] = self._vectors[: self._size]
            self._vectors, self._ids = grown, np.resize(self._ids, capacity)
        self._vectors[self._size : need] = vectors
        self._ids[self._size : need] = ids
        self._size = need

    def search(self, queries: Vectors, min_correlation: float) -> list[tuple[int, float]]:
        """(id, correlation) of stored vectors correlating at least `min_correlation` with some query,
        best first (the best query per id)."""
        if self._size == 0 or len(queries) == 0:
            return []
        best = (self._vectors[: self._size] @ queries.T).max(axis=1)
        rows = np.flatnonzero(best >= min_correlation)
        rows = rows[np.lexsort((self._ids[rows], -best[rows]))]
        return [(int(self._ids[r]), float(best[r])) for r in rows.tolist()]
