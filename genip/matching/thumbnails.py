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
* **Centred crops** (`zoomed`, `ZOOMS`): a work is stored in the index as its thumbnail and the thumbnails of
  its centre 95 % and 90 %, both resampled (bilinear) from the stored 16x16 thumbnail, so a copy cut by
  2-12 % on every side (a centred crop) correlates with the work as well as an uncut copy does. Chosen for
  the pictures the keypoint stage cannot pair (`genip.matching.features`: a repeating pattern such as a
  checkerboard gives every corner the same descriptor, so the ratio test drops them all): 5 % crops of
  checkerboard tiles correlate at 0.987-0.998 with the 95 % view, against 0.94-0.95 whole. The robustness
  bench (277 works, 102 064 distinct pairs with the 200 `lfw_subset` patches): at 0.98 the same single
  distinct pair as without the views (two aligned face patches); 3 pairs at 0.97 (2 without), 10 at 0.95
  (5); 5 % crops correlating at 0.98 go from 22 % of the works to 52 %, 10 % crops from 4 % to 30 %, and the
  engine's recall of 10 % crops from 95 % to 99 %. A crop from one side only moves the centre and is left to
  the keypoints. Nothing more is stored: the views are computed when the engine loads a thumbnail, so every
  registered work has them.
* **Search**: exact, a matrix product of the stored vectors (3 per image, float32, 1 KiB each) with the
  upload's 8 rotations/flips (`ThumbnailIndex`). With one vector per image it took 0.9 ms at 10 000 images,
  11 ms at 100 000, 0.32 s at 1 000 000 (memory-bound, one idle 2-core machine); three read three times as
  much, more where one fitted the CPU cache (best of 40 on a loaded machine: 1.0 → 11.5 ms at 10 000, 20 →
  81 ms at 100 000). The engine runs this stage on every lookup (`MatchConfig.every_stage`), and
  `GENIP_MATCH_THUMBNAILS=false` turns it off for registries where that is too slow.
"""

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = [
    "MIN_CORRELATION",
    "THUMB_BYTES",
    "ZOOMS",
    "ThumbnailIndex",
    "thumbnail",
    "thumbnail_variants",
    "unit_vectors",
    "zoomed",
]

#: Side of the thumbnail in pixels.
THUMB_SIDE: Final = 16
THUMB_BYTES: Final = THUMB_SIDE * THUMB_SIDE
#: Default correlation at or above which a thumbnail matches (see the module docstring).
MIN_CORRELATION: Final = 0.98
#: Centre views a work is also stored as (fraction of its width and height kept), for centred crops.
ZOOMS: Final = (0.95, 0.90)

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


def zoomed(thumb: bytes) -> list[bytes]:
    """A stored thumbnail and its centre views (`ZOOMS`), each 16x16: what the copy's thumbnail looks like
    when the copy is the work cut by `(1 - zoom) / 2` on every side (see the module docstring). A malformed
    thumbnail is returned alone (it correlates with nothing)."""
    if len(thumb) != THUMB_BYTES:
        return [thumb]
    small = Image.frombytes("L", (THUMB_SIDE, THUMB_SIDE), thumb)
    views = [thumb]
    for zoom in ZOOMS:
        margin = THUMB_SIDE * (1 - zoom) / 2
        box = (margin, margin, THUMB_SIDE - margin, THUMB_SIDE - margin)
        size = (THUMB_SIDE, THUMB_SIDE)
        views.append(small.transform(size, Image.Transform.EXTENT, box, Image.Resampling.BILINEAR).tobytes())
    return views


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
        """(id, correlation) of the ids with a stored vector correlating at least `min_correlation` with some
        query, best first, once per id (its best vector and query: an id may hold several vectors)."""
        if self._size == 0 or len(queries) == 0:
            return []
        best = (self._vectors[: self._size] @ queries.T).max(axis=1)
        rows = np.flatnonzero(best >= min_correlation)
        rows = rows[np.lexsort((self._ids[rows], -best[rows]))]
        found: dict[int, float] = {}
        for r in rows.tolist():
            found.setdefault(int(self._ids[r]), float(best[r]))
        return list(found.items())
