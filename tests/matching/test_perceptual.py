"""Query hashes: 8 rotations/flips, the original first; flat images refused; stored hex parsed."""

import pytest
from PIL import Image

from genip.content.fingerprint import hamming_distance, pdq_fingerprint
from genip.matching import LowQualityImageError, hash_query
from genip.matching.perceptual import hash_from_hex


def test_the_first_variant_is_the_registered_hash(astronaut: Image.Image) -> None:
    query = hash_query(astronaut)
    assert len(query.variants) == 8 and query.hash == pdq_fingerprint(astronaut).hash
    assert query.quality == 100


@pytest.mark.parametrize(
    "method",
    [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.FLIP_LEFT_RIGHT],
    ids=["rot90", "rot180", "flip"],
)
def test_a_rotated_or_flipped_copy_has_the_originals_hash_among_its_variants(
    astronaut: Image.Image, method: Image.Transpose
) -> None:
    registered = pdq_fingerprint(astronaut).hash
    variants = hash_query(astronaut.transpose(method)).variants
    assert min(hamming_distance(registered, v) for v in variants) == 0


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (120, 130, 140)])
def test_flat_images_are_refused(colour: tuple[int, int, int]) -> None:
    with pytest.raises(LowQualityImageError, match="too flat") as caught:
        hash_query(Image.new("RGB", (300, 200), colour))
    assert caught.value.quality < caught.value.minimum


def test_a_gentle_gradient_is_refused_at_the_engine_floor() -> None:
    gradient = Image.linear_gradient("L").resize((300, 300)).convert("RGB")
    with pytest.raises(LowQualityImageError):
        hash_query(gradient, min_quality=70)


def test_stored_hashes_parse_from_hex() -> None:
    assert hash_from_hex("0x" + "ab" * 32) == bytes([0xAB]) * 32
    with pytest.raises(ValueError):
        hash_from_hex("0x1234")
