"""An image's look as the marketplace filters it: width, height, orientation, size class and dominant colour.

The dominant colour is a name from `COLOURS` (what a buyer picks from, not a hex value): the image is reduced
to 64 x 64, each pixel named by its hue, saturation and brightness (dark pixels black, unsaturated ones grey
or white, dim oranges and reds brown, the rest by hue), and the most common name wins. The indexer's media
step computes it from the decoded image; `genip.rules` classifies orientation and size.
"""

import io
from dataclasses import dataclass
from typing import Final

import numpy as np
from PIL import Image

from genip.rules import Orientation, SizeClass, orientation, size_class

__all__ = ["COLOURS", "ImageLook", "dominant_colour", "image_look"]

#: The colour names, in the order a filter lists them.
COLOURS: Final = (
    "red",
    "orange",
    "yellow",
    "green",
    "teal",
    "blue",
    "purple",
    "pink",
    "brown",
    "black",
    "grey",
    "white",
)
#: Hue bins (upper bound in degrees, name), for saturated pixels bright enough to have a hue.
_HUES: Final = ((15, "red"), (45, "orange"), (70, "yellow"), (165, "green"), (195, "teal"), (255, "blue"),
                (290, "purple"), (345, "pink"), (360, "red"))  # fmt: skip
_SIDE: Final = 64


@dataclass(frozen=True, slots=True)
class ImageLook:
    """What the marketplace's image filters read."""

    width: int
    height: int
    orientation: Orientation
    size_class: SizeClass
    colour: str


def dominant_colour(image: Image.Image) -> str:
    """The most common colour name (`COLOURS`) among the pixels of `image` reduced to 64 x 64."""
    small = image.convert("RGB").resize((_SIDE, _SIDE), Image.Resampling.BILINEAR)
    hsv = np.asarray(small.convert("HSV"), dtype=np.float64).reshape(-1, 3)
    hue, sat, val = hsv[:, 0] * 360.0 / 255.0, hsv[:, 1] / 255.0, hsv[:, 2] / 255.0
    names = np.full(hue.shape, "", dtype=object)
    for bound, name in reversed(_HUES):
        names[hue < bound] = name
    brownish = ((names == "orange") | (names == "red")) & (val < 0.6) & (sat > 0.25)
    names[brownish] = "brown"
    grey = sat < 0.18
    names[grey] = "grey"
    names[grey & (val > 0.85)] = "white"
    names[val < 0.18] = "black"
    values, counts = np.unique(names.astype(str), return_counts=True)
    return str(values[int(np.argmax(counts))])


def image_look(image: Image.Image, original: bytes | None = None) -> ImageLook:
    """Width, height, orientation, size class and dominant colour of a decoded image. When the image was
    scaled down to be decoded (`genip.matching.normalize.load_image`), `original` (its file, already checked)
    gives the true size from its header, turned as the decoded image is (an EXIF rotation swaps the sides)."""
    width, height = image.size
    if original is not None:
        with Image.open(io.BytesIO(original)) as header:
            true_width, true_height = header.size
        if (true_width > true_height) != (width > height) and true_width != true_height:
            true_width, true_height = true_height, true_width
        width, height = true_width, true_height
    return ImageLook(
        width, height, orientation(width, height), size_class(width, height), dominant_colour(image)
    )
