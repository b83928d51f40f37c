"""Images from scikit-image's bundled data (nothing downloaded) and helpers to encode them."""

import io

import pytest
import skimage.data
from PIL import Image


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """`image` encoded as `fmt` bytes."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def astronaut() -> Image.Image:
    return Image.fromarray(skimage.data.astronaut())


@pytest.fixture(scope="session")
def coffee() -> Image.Image:
    return Image.fromarray(skimage.data.coffee())


@pytest.fixture(scope="session")
def rocket() -> Image.Image:
    return Image.fromarray(skimage.data.rocket())
