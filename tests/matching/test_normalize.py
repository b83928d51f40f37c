"""Uploads are refused before decoding when too big, bombs, or not images; accepted ones come out RGB."""

import struct
import zlib

import pytest
from PIL import Image

from genip.matching import (
    DecompressionBombError,
    ImageRefusedError,
    ImageTooLargeError,
    NotAnImageError,
    load_image,
)
from tests.matching.conftest import encode


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces width x height, with a tiny (invalid) body: a bomb never decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(DecompressionBombError, match="possible decompression bomb") as caught:
        load_image(_png_header_only(30_000, 30_000))
    assert caught.value.pixels == 900_000_000


def test_pillows_own_bomb_guard_is_mapped_to_the_same_error() -> None:
    # 200 MP is over twice Pillow's default MAX_IMAGE_PIXELS (~89 MP): Pillow itself refuses in open().
    with pytest.raises(DecompressionBombError):
        load_image(_png_header_only(20_000, 10_000), max_pixels=10**12)


def test_a_real_image_over_the_pixel_cap_is_refused(astronaut: Image.Image) -> None:
    with pytest.raises(DecompressionBombError, match="512x512") as caught:
        load_image(encode(astronaut), max_pixels=100_000)
    assert caught.value.limit == 100_000


@pytest.mark.parametrize(
    "data", [b"", b"hello, this is text", b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n" + b"\0" * 40], ids=repr
)
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(NotAnImageError):
        load_image(data)


def test_a_truncated_jpeg_is_refused(astronaut: Image.Image) -> None:
    data = encode(astronaut, "JPEG", quality=90)
    with pytest.raises(NotAnImageError, match="cannot be decoded"):
        load_image(data[: len(data) // 3])


def test_an_oversize_file_is_refused_before_parsing(astronaut: Image.Image) -> None:
    data = encode(astronaut)
    with pytest.raises(ImageTooLargeError, match="limit is 1,000 bytes") as caught:
        load_image(data, max_bytes=1_000)
    assert isinstance(caught.value, ImageRefusedError) and caught.value.size == len(data)


def test_alpha_is_flattened_onto_white_and_output_is_rgb() -> None:
    transparent = Image.new("RGBA", (64, 64), (255, 0, 0, 0))
    image = load_image(encode(transparent))
    assert image.mode == "RGB" and image.getpixel((10, 10)) == (255, 255, 255)


def test_exif_orientation_is_applied(rocket: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = encode(rocket, "JPEG", quality=95, exif=exif.tobytes())
    image = load_image(data)
    assert image.size == (rocket.height, rocket.width)


def test_large_images_are_downscaled_first(astronaut: Image.Image) -> None:
    big = astronaut.resize((3000, 3000))
    image = load_image(encode(big, "JPEG", quality=90))
    assert max(image.size) == 1024


def test_greyscale_and_palette_images_become_rgb(astronaut: Image.Image) -> None:
    for converted in (astronaut.convert("L"), astronaut.convert("P")):
        assert load_image(encode(converted)).mode == "RGB"
