"""The crop stage: keypoints survive crops and padding, distinct pictures do not line up, and the stored form
round-trips."""

import pytest
from PIL import Image, ImageOps

from genip.matching.features import MIN_INLIERS, Features, extract, verify


def crop(image: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = image.size
    return image.crop((round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom))))


@pytest.mark.parametrize(
    "box",
    [(0.05, 0.05, 0.05, 0.05), (0.10, 0.0, 0.0, 0.0), (0.0, 0.1, 0.1, 0.0), (0.1, 0.1, 0.1, 0.1)],
    ids=["centred 10%", "left strip", "top-right corner", "centred 20%"],
)
def test_a_crop_lines_up_with_its_original(astronaut: Image.Image, box: tuple[float, ...]) -> None:
    original = extract(astronaut)
    assert verify(extract(crop(astronaut, *box)), original) >= MIN_INLIERS


def test_padding_and_rescaling_line_up_too(astronaut: Image.Image) -> None:
    padded = ImageOps.expand(astronaut.resize((300, 300)), border=30, fill=(255, 255, 255))
    assert verify(extract(padded), extract(astronaut)) >= MIN_INLIERS


def test_distinct_pictures_do_not_line_up(
    astronaut: Image.Image, coffee: Image.Image, rocket: Image.Image
) -> None:
    assert verify(extract(coffee), extract(astronaut)) < MIN_INLIERS
    assert verify(extract(crop(rocket, 0.05, 0.05, 0.05, 0.05)), extract(astronaut)) < MIN_INLIERS


def test_a_flat_picture_has_no_keypoints_and_matches_nothing(astronaut: Image.Image) -> None:
    flat = extract(Image.new("RGB", (400, 300), (30, 120, 200)))
    assert len(flat) == 0
    assert verify(flat, extract(astronaut)) == 0


def test_features_round_trip_and_malformed_bytes_are_refused(astronaut: Image.Image) -> None:
    features = extract(astronaut)
    again = Features.from_bytes(features.to_bytes())
    assert (again.points == features.points).all() and (again.descriptors == features.descriptors).all()
    assert len(features) > 100 and (features.points >= 0).all() and (features.points <= 1).all()
    with pytest.raises(ValueError, match="need"):
        Features.from_bytes(features.to_bytes()[:-1])
