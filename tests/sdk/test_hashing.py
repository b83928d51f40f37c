"""The SDK hashes images exactly as the server does: equal PDQ (and quality) and pHash-256 to what `POST
/match` computes (`genip.matching`: `load_image` then `hash_query`) and PDQ equal to what registration
commits (`genip.content.fingerprint.pdq_fingerprint_file`), over real pictures in the forms platforms
receive them: JPEG recompressed, EXIF-rotated, with alpha, palette with transparency, greyscale, 16-bit,
CMYK, animated, and larger than the 1 024 px the preparation shrinks to."""

import io
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pdqhash  # type: ignore[import-untyped]
import pytest
import skimage.data
from genip_sdk import ImageError, hash_image
from genip_sdk import imaging as sdk_imaging
from PIL import Image

from genip.content.fingerprint import pdq_fingerprint_file
from genip.matching.normalize import load_image
from genip.matching.perceptual import hash_query

FUZZ_IMAGES = Path(__file__).resolve().parents[1] / "fuzz_corpus" / "image"


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def picture(name: str) -> Image.Image:
    return Image.fromarray(getattr(skimage.data, name)())


def exif_rotated(name: str, orientation: int) -> bytes:
    image = picture(name)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image, "JPEG", quality=90, exif=exif.tobytes())


def with_alpha() -> bytes:
    rgba = picture("astronaut").convert("RGBA")
    alpha = np.zeros((rgba.height, rgba.width), dtype=np.uint8)
    alpha[64:448, 96:416] = 255  # opaque centre, transparent border holding colour
    rgba.putalpha(Image.fromarray(alpha))
    return encode(rgba, "PNG")


def palette_transparent() -> bytes:
    image = picture("coffee").convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return encode(image, "PNG", transparency=0)


def large() -> bytes:
    return encode(picture("astronaut").resize((3000, 2400), Image.Resampling.BICUBIC), "JPEG", quality=85)


def recompressed(name: str) -> bytes:
    once = Image.open(io.BytesIO(encode(picture(name), "JPEG", quality=95)))
    smaller = once.resize((once.width * 3 // 4, once.height * 3 // 4))
    return encode(smaller, "JPEG", quality=50)


def animated() -> bytes:
    frames = [picture("chelsea"), picture("coffee").resize((451, 300))]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


CORPUS: dict[str, Callable[[], bytes]] = {
    "astronaut.png": lambda: encode(picture("astronaut"), "PNG"),
    "rocket.jpg-recompressed": lambda: recompressed("rocket"),
    "coffee.jpg-recompressed": lambda: recompressed("coffee"),
    "exif-rotate-90": lambda: exif_rotated("chelsea", 6),
    "exif-mirror": lambda: exif_rotated("coffee", 2),
    "rgba-alpha.png": with_alpha,
    "palette-transparent.png": palette_transparent,
    "large-3000x2400.jpg": large,
    "grey.png": lambda: encode(picture("camera"), "PNG"),
    "grey-la.png": lambda: encode(picture("camera").convert("LA"), "PNG"),
    "cmyk.jpg": lambda: encode(picture("astronaut").convert("CMYK"), "JPEG", quality=90),
    "webp": lambda: encode(picture("coffee"), "WEBP", quality=80),
    "animated.gif": animated,
    "tiff": lambda: encode(picture("astronaut"), "TIFF"),
    **{
        f"fixture:{name}": partial((FUZZ_IMAGES / name).read_bytes)
        for name in (
            "exif-rotated.jpg",
            "grey16.png",
            "lossless.webp",
            "palette-transparent.png",
            "progressive.jpg",
            "a1111-parameters.png",
        )
    },
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_sdk_hashes_equal_the_servers(name: str, tmp_path: Path) -> None:
    data = CORPUS[name]()
    server = hash_query(load_image(data), min_quality=0)
    ours = hash_image(data, id=name, min_quality=0)
    assert ours.pdq == server.hash.hex()
    assert ours.quality == server.quality
    assert ours.phash == server.phash_variants[0].hex()
    assert ours.id == name
    # what registration commits on-chain for the same file
    path = tmp_path / "work"
    path.write_bytes(data)
    assert ours.pdq == pdq_fingerprint_file(path).hex
    # a path and an already decoded image give the same hashes as the bytes
    assert hash_image(path, min_quality=0).pdq == ours.pdq
    assert hash_image(Image.open(io.BytesIO(data)), min_quality=0) == hash_image(data, min_quality=0)


def test_the_dihedral_variants_equal_the_servers() -> None:
    data = exif_rotated("astronaut", 8)
    server = hash_query(load_image(data), min_quality=0)
    variants, quality = sdk_imaging.pdq_dihedral(sdk_imaging.load_image(data))
    assert tuple(variants) == server.variants and quality == server.quality
    assert tuple(sdk_imaging.phash_dihedral(sdk_imaging.load_image(data))) == server.phash_variants


def test_preparation_really_matters_for_the_corpus() -> None:
    """The EXIF-rotated and alpha images would hash differently without the preparation: the equality
    above would catch a preparation that drifted."""
    for data in (exif_rotated("chelsea", 6), with_alpha()):
        raw = Image.open(io.BytesIO(data)).convert("RGB")
        bare, _ = pdqhash.compute(np.asarray(raw, dtype=np.uint8))
        bare_hex = np.packbits(np.asarray(bare, dtype=np.uint8)).tobytes().hex()
        assert bare_hex != hash_image(data).pdq


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"not an image at all", "supported format"),
        ((FUZZ_IMAGES / "bomb-header.png").read_bytes(), "pixels"),
        ((FUZZ_IMAGES / "regress-rle-bmp-timeout.bmp").read_bytes(), "not accepted"),
        ((FUZZ_IMAGES / "regress-truncated-ihdr.png").read_bytes(), "decoded|supported format"),
    ],
    ids=["empty", "text", "bomb-header", "rle-bmp", "truncated"],
)
def test_refused_images_raise_image_error(data: bytes, words: str) -> None:
    with pytest.raises(ImageError, match=words):
        hash_image(data)


def test_a_file_over_the_byte_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(encode(picture("astronaut"), "PNG"))
    with pytest.raises(ImageError, match="over the 1,000 allowed"):
        hash_image(path, max_bytes=1_000)
    with pytest.raises(ImageError, match="cannot read"):
        hash_image(tmp_path / "missing.png")


def test_a_flat_image_is_refused_as_match_refuses_it() -> None:
    flat = encode(Image.new("RGB", (300, 200), (120, 130, 140)), "PNG")
    with pytest.raises(ImageError, match="too flat"):
        hash_image(flat)
    assert hash_image(flat, min_quality=0).low_quality
