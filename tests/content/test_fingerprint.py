"""PDQ for images (robust to re-encoding, far for other pictures, flat ones flagged); SimHash for text."""

import io
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image

from genip.content.errors import FingerprintError
from genip.content.fingerprint import (
    PDQ_MATCH_DISTANCE,
    TEXT_NEAR_DUPLICATE_BITS,
    fingerprint_work,
    hamming_distance,
    pdq_fingerprint,
    pdq_fingerprint_file,
    simhash64,
    simhash_from_bytes32,
    simhash_to_bytes32,
    text_fingerprint,
)
from genip.content.formats import prepare_work


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer)


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(skimage.data.astronaut())


def test_a_jpeg_reencode_stays_close(astronaut: Image.Image) -> None:
    original = pdq_fingerprint(astronaut)
    assert len(original.hash) == 32
    assert original.quality == 100 and not original.low_quality
    for quality in (90, 60, 30):
        reencoded = pdq_fingerprint(_jpeg(astronaut, quality))
        assert hamming_distance(original.hash, reencoded.hash) <= 16 < PDQ_MATCH_DISTANCE


def test_resizing_and_greyscale_stay_within_the_match_distance(astronaut: Image.Image) -> None:
    original = pdq_fingerprint(astronaut)
    smaller = pdq_fingerprint(astronaut.resize((200, 200), Image.Resampling.BILINEAR))
    grey = pdq_fingerprint(astronaut.convert("L"))
    assert hamming_distance(original.hash, smaller.hash) <= PDQ_MATCH_DISTANCE
    assert hamming_distance(original.hash, grey.hash) <= PDQ_MATCH_DISTANCE


@pytest.mark.parametrize("other", ["camera", "coffee", "chelsea", "rocket"])
def test_a_different_image_is_far(astronaut: Image.Image, other: str) -> None:
    pixels = getattr(skimage.data, other)()
    distance = hamming_distance(
        pdq_fingerprint(astronaut).hash, pdq_fingerprint(Image.fromarray(pixels)).hash
    )
    assert distance > 90  # unrelated 256-bit hashes sit around 128


def test_a_flat_image_is_flagged_low_quality() -> None:
    flat = pdq_fingerprint(Image.new("RGB", (400, 300), (120, 130, 140)))
    assert flat.quality == 0
    assert flat.low_quality


def test_large_images_are_shrunk_first_and_still_match(astronaut: Image.Image) -> None:
    big = astronaut.resize((3000, 3000), Image.Resampling.BICUBIC)
    assert hamming_distance(pdq_fingerprint(big).hash, pdq_fingerprint(astronaut).hash) <= PDQ_MATCH_DISTANCE


def test_image_files_including_exif_rotation(tmp_path: Path, astronaut: Image.Image) -> None:
    png = tmp_path / "a.png"
    astronaut.save(png)
    rotated = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the stored pixels must be turned 90° clockwise to display
    astronaut.transpose(Image.Transpose.ROTATE_90).save(rotated, "JPEG", quality=95, exif=exif)
    from_png, from_rotated = pdq_fingerprint_file(png), pdq_fingerprint_file(rotated)
    assert from_png == pdq_fingerprint(astronaut)
    assert hamming_distance(from_png.hash, from_rotated.hash) <= PDQ_MATCH_DISTANCE


def test_a_broken_image_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(FingerprintError, match=r"broken\.png"):
        pdq_fingerprint_file(path)


def test_pdq_hex_is_the_hash_bytes(astronaut: Image.Image) -> None:
    fingerprint = pdq_fingerprint(astronaut)
    assert bytes.fromhex(fingerprint.hex) == fingerprint.hash
    assert len(fingerprint.hex) == 64


# ── text ──

STORY = " ".join(
    [
        "The lighthouse keeper counted the ships each night, writing their names in a ledger that nobody",
        "read. When the fog came in from the north she lit the second lamp, the one her mother had built",
        "from brass and salvaged glass, and listened for the horns. Some nights there were none. On the",
        "longest night of the year a ship with no name rounded the point, and the keeper, who had never left",
        "her ledger blank, wrote down what she saw: black sails, no lights, and a single figure at the wheel",
        "who waved as if they knew her.",
    ]
)
UNRELATED = " ".join(
    [
        "Preheat the oven to two hundred degrees. Whisk the eggs with sugar until pale, fold in the flour",
        "and a pinch of salt, then pour the batter into a buttered tin. Bake for twenty five minutes, or",
        "until a skewer comes out clean, and let the cake cool on a rack before slicing it into squares for",
        "the afternoon tea. Serve it with whipped cream, fresh berries and a pot of strong black tea for",
        "guests.",
    ]
)


def test_a_near_duplicate_text_is_close_and_an_unrelated_one_is_far() -> None:
    edited = STORY.replace("brass", "copper").replace("black sails", "grey sails")
    assert hamming_distance(simhash64(STORY), simhash64(edited)) <= TEXT_NEAR_DUPLICATE_BITS
    appended = STORY + " The end."
    assert hamming_distance(simhash64(STORY), simhash64(appended)) <= TEXT_NEAR_DUPLICATE_BITS
    assert hamming_distance(simhash64(STORY), simhash64(UNRELATED)) > 2 * TEXT_NEAR_DUPLICATE_BITS


def test_case_punctuation_and_line_endings_do_not_change_the_text_hash() -> None:
    variant = STORY.upper().replace(", ", " , ").replace(". ", ".\r\n")
    assert simhash64(variant) == simhash64(STORY)


def test_text_fingerprint_layout_in_bytes32() -> None:
    value = simhash64(STORY)
    packed = text_fingerprint(STORY)
    assert packed == simhash_to_bytes32(value)
    assert len(packed) == 32 and packed[8:] == bytes(24)
    assert packed[:8] == value.to_bytes(8, "big")
    assert simhash_from_bytes32(packed) == value
    assert simhash64("") == simhash64("  ...  ") == 0
    assert simhash64("two words") != 0


def test_hamming_distance() -> None:
    assert hamming_distance(b"\x00\xff", b"\x01\xff") == 1
    assert hamming_distance(0b1011, 0b0001) == 2
    with pytest.raises(ValueError, match="length"):
        hamming_distance(b"\x00", b"\x00\x00")
    with pytest.raises(TypeError):
        hamming_distance(b"\x00", 0)


def test_greyscale_numpy_images_work() -> None:
    camera = Image.fromarray(skimage.data.camera())
    assert camera.mode == "L"
    assert pdq_fingerprint(camera).quality > 50
    assert np.asarray(camera).ndim == 2


def test_each_kind_gets_its_fingerprint(tmp_path: Path, astronaut: Image.Image) -> None:
    image = tmp_path / "a.png"
    astronaut.save(image)
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    workflow = tmp_path / "graph.json"
    workflow.write_text('{"1": {"class_type": "KSampler", "inputs": {}}}')
    from_image = fingerprint_work(prepare_work(image))
    assert from_image is not None and from_image.algorithm == "pdq" and from_image.quality == 100
    assert from_image.value == pdq_fingerprint(astronaut).hash
    from_text = fingerprint_work(prepare_work(story))
    assert from_text is not None and from_text.algorithm == "simhash64"
    assert from_text.value == text_fingerprint(STORY)
    assert fingerprint_work(prepare_work(workflow)) is None
