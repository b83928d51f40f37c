"""Thumbnail vectors and their exact correlation index."""

import numpy as np
import skimage.data
from PIL import Image, ImageEnhance

from genip.matching.perceptual import DIHEDRAL
from genip.matching.thumbnails import (
    MIN_CORRELATION,
    THUMB_BYTES,
    ZOOMS,
    ThumbnailIndex,
    thumbnail,
    thumbnail_variants,
    unit_vectors,
    zoomed,
)


def test_correlation_ignores_brightness_and_contrast_changes_that_do_not_clip() -> None:
    camera = Image.fromarray(skimage.data.camera())
    dimmer = ImageEnhance.Contrast(ImageEnhance.Brightness(camera).enhance(0.6)).enhance(0.8)
    vectors, usable = unit_vectors([thumbnail(camera), thumbnail(dimmer)])
    assert usable.all()
    assert float(vectors[0] @ vectors[1]) > 0.995
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_flat_and_malformed_thumbnails_are_not_usable() -> None:
    flat = thumbnail(Image.new("RGB", (64, 64), (90, 90, 90)))
    vectors, usable = unit_vectors([flat, b"short", thumbnail(Image.fromarray(skimage.data.coins()))])
    assert usable.tolist() == [False, False, True]
    assert not vectors[0].any() and not vectors[1].any()


def test_variants_are_the_thumbnails_of_the_turned_image() -> None:
    """Turning the 16x16 thumbnail equals thumbnailing the turned image (box filter, square grid), up to
    rounding."""
    image = Image.fromarray(skimage.data.astronaut()).resize((256, 256))
    variants = thumbnail_variants(image, DIHEDRAL)
    assert len(variants) == 8 and all(len(v) == THUMB_BYTES for v in variants)
    for method, variant in zip(DIHEDRAL, variants, strict=True):
        turned = image if method is None else image.transpose(method)
        diff = np.frombuffer(variant, np.uint8).astype(int) - np.frombuffer(thumbnail(turned), np.uint8)
        assert np.abs(diff).max() <= 1
    assert len(set(variants)) == 8


def test_index_returns_every_vector_at_the_threshold_best_first() -> None:
    rng = np.random.default_rng(4)
    stored = rng.normal(size=(3000, THUMB_BYTES)).astype(np.float32)
    stored /= np.linalg.norm(stored, axis=1, keepdims=True)
    index = ThumbnailIndex()
    for start in range(0, 3000, 700):  # several adds, past the first capacity
        index.add(np.arange(start, min(start + 700, 3000), dtype=np.int64) + 10, stored[start : start + 700])
    assert len(index) == 3000
    queries = np.stack([stored[5] + 0.05 * stored[6], stored[2500]])
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    expected_corr = (stored @ queries.T).max(axis=1)
    for threshold in (0.3, 0.9, 0.999):
        found = index.search(queries.astype(np.float32), threshold)
        expected = sorted(
            ((int(i) + 10, float(expected_corr[i])) for i in np.flatnonzero(expected_corr >= threshold)),
            key=lambda kv: (-kv[1], kv[0]),
        )
        assert [i for i, _ in found] == [i for i, _ in expected]
        assert np.allclose([c for _, c in found], [c for _, c in expected], atol=1e-5)
    assert [i for i, _ in index.search(queries.astype(np.float32), 0.9)][:2] == [2510, 15]
    assert ThumbnailIndex().search(queries.astype(np.float32), 0.5) == []


def _checkerboard_tile() -> Image.Image:
    """The (0, 1) tile of a 3x3 cut of scikit-image's checkerboard, as the robustness bench cuts it."""
    board = Image.fromarray(skimage.data.checkerboard()).convert("RGB")
    w, h = board.size
    return board.crop((0, h // 3, w // 3, 2 * h // 3))


def test_a_centred_crop_correlates_with_a_centre_view_of_the_stored_thumbnail() -> None:
    """A 5 % crop of a checkerboard tile (its squares grow and shift against the frame) correlates at 0.95
    with the whole thumbnail, below the threshold, and at 0.98 or more with the 95 % view computed from the
    stored 16x16 thumbnail alone; an unrelated picture correlates with no view."""
    tile = _checkerboard_tile()
    w, h = tile.size
    dx, dy = round(w * 0.025), round(h * 0.025)
    crop = thumbnail(tile.crop((dx, dy, w - dx, h - dy)))
    views = zoomed(thumbnail(tile))
    assert len(views) == 1 + len(ZOOMS) and views[0] == thumbnail(tile)
    assert all(len(v) == THUMB_BYTES for v in views)
    vectors, usable = unit_vectors([crop, *views, thumbnail(Image.fromarray(skimage.data.coffee()))])
    assert usable.all()
    whole, *centre = (float(vectors[0] @ v) for v in vectors[1:-1])
    assert whole < MIN_CORRELATION <= max(centre)
    assert float((vectors[1:-1] @ vectors[-1]).max()) < 0.5
    assert zoomed(b"short") == [b"short"]


def test_an_id_with_several_vectors_is_returned_once_with_its_best() -> None:
    index = ThumbnailIndex()
    vectors = np.eye(3, THUMB_BYTES, dtype=np.float32)
    index.add(np.array([7, 7, 9], dtype=np.int64), vectors)
    query = (vectors[1] * 0.9 + vectors[2] * 0.1)[None, :]
    query /= np.linalg.norm(query)
    found = index.search(query.astype(np.float32), 0.05)
    assert [i for i, _ in found] == [7, 9]
    assert found[0][1] > 0.99 and found[1][1] < 0.2
