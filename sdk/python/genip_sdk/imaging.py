"""Image hashes computed on the platform's side, with exactly the preparation Gen-IP's server uses.

This module is the one home of the rule (see the package README, "One preparation rule"): an image is decoded
safely, **prepared** by `prepare_image` — shrunk first when its longer side exceeds `MAX_PDQ_SIDE` (Lanczos),
turned upright by its EXIF orientation, its transparency flattened onto white (`FLATTEN_BACKGROUND`),
converted to RGB — and hashed with **PDQ** (Meta's 256-bit perceptual hash, `pdqhash`, with its quality
0-100) and **pHash-256** (imagehash's pHash over a 16x16 DCT, packed big-endian). Hashes are PDQ's canonical
hex (64 digits, the first one holding bits 255-252), the layout the registry commits on-chain.

Decoding checks, cheapest first: byte size (`max_bytes`), format (`ALLOWED_FORMATS`, read from the header),
pixels announced by the header (`max_pixels`) before any is decoded, and encodings Pillow decodes in Python
(RLE BMP), whose cost follows the announced size. Refusals raise `ImageError`. Animated images are hashed
from their first frame.

Needs the `hashing` extra (`pip install genip-sdk[hashing]`: Pillow, numpy, pdqhash, imagehash).
"""

import io
import os
import re
import warnings
from dataclasses import dataclass
from typing import Any, Final

import imagehash
import numpy as np
import pdqhash  # type: ignore[import-untyped]
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from genip_sdk.errors import ImageError

__all__ = [
    "ALLOWED_FORMATS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "DIHEDRAL",
    "FLATTEN_BACKGROUND",
    "MATCH_MIN_QUALITY",
    "MAX_PDQ_SIDE",
    "PDQ_MIN_QUALITY",
    "ImageHashes",
    "hash_image",
    "load_image",
    "pdq_dihedral",
    "pdq_hash",
    "phash256",
    "phash_dihedral",
    "prepare_image",
    "python_decoder",
]

#: Longer image side above which the image is shrunk before hashing (PDQ works on 64x64 internally).
MAX_PDQ_SIDE: Final = 1024
#: Colour transparent pixels are flattened onto before hashing.
FLATTEN_BACKGROUND: Final = (255, 255, 255)
#: PDQ quality below this marks a hash as unreliable (Meta's recommendation); the server refuses queries
#: below its own `GENIP_MATCH_MIN_QUALITY` (70 by default).
PDQ_MIN_QUALITY: Final = 50
#: The server's default `GENIP_MATCH_MIN_QUALITY`: `/match` refuses flatter images (their hashes collide),
#: and `hash_image` refuses them too, since `/match/hashes` cannot tell from a hash.
MATCH_MIN_QUALITY: Final = 70
#: Image formats accepted (Pillow format names), as the server's `/match`.
ALLOWED_FORMATS: Final = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
#: The server's defaults for `GENIP_MATCH_MAX_BYTES` (25 MiB) and `GENIP_MATCH_MAX_PIXELS` (64 M).
DEFAULT_MAX_BYTES: Final = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 64_000_000
#: The 8 rotations/flips in the order `pdq_dihedral` returns them (None: the image as given).
DIHEDRAL: Final = (
    None,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
)


def prepare_image(image: Image.Image, *, max_side: int = MAX_PDQ_SIDE) -> Image.Image:
    """`image` shrunk to `max_side`, upright (EXIF orientation), alpha flattened on white, in RGB.

    Shrinking comes first so a large image is never converted or transposed at full size. (JPEG `draft`
    decoding would be faster still, but it changes pixels slightly and registration must see the same ones.)
    """
    if max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, FLATTEN_BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def python_decoder(image: ImageFile.ImageFile) -> str | None:
    """The decoder Pillow would run in Python to decode `image`, if any (None: only C decoders)."""
    for tile in image.tile:
        if tile.codec_name in Image.DECODERS:  # Python decoders only; C ones are looked up in the core
            return tile.codec_name
    return None


def load_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int = MAX_PDQ_SIDE,
) -> Image.Image:
    """Decode `data` safely into a prepared RGB image (see the module doc); `ImageError` when refused."""
    if len(data) > max_bytes:
        raise ImageError(f"the image is {len(data):,} bytes, over the {max_bytes:,} allowed")
    if not data:
        raise ImageError("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(
                    f"the image is {width}x{height}, more than the {max_pixels:,} pixels allowed"
                )
            if (decoder := python_decoder(image)) is not None:
                raise ImageError(f"the image is encoded with {decoder}, which is not accepted")
            image.load()
            return prepare_image(image, max_side=max_side)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        announced = re.search(r"\((\d+) pixels\)", str(exc))
        raise ImageError(
            f"the image has too many pixels ({announced.group(1) if announced else '?'})"
        ) from None
    except UnidentifiedImageError:
        raise ImageError(f"not an image in a supported format ({', '.join(ALLOWED_FORMATS)})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"the image cannot be decoded: {exc}") from None


def _pixels(image: Image.Image) -> Any:
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def _pack(bits: object) -> bytes:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()


def pdq_hash(image: Image.Image) -> tuple[bytes, int]:
    """PDQ hash (32 bytes) and quality of `image`, prepared first (`prepare_image` is idempotent)."""
    bits, quality = pdqhash.compute(_pixels(prepare_image(image)))
    return _pack(bits), int(quality)


def pdq_dihedral(image: Image.Image) -> tuple[list[bytes], int]:
    """PDQ hashes of the 8 rotations/flips of `image` (`DIHEDRAL` order, the image as given first) and its
    quality. Each is the hash of the truly transposed pixels, not `pdqhash.compute_dihedral`'s DCT shortcut
    (measured up to 50-100 bits away from the hash of a rotated copy on textured pictures)."""
    prepared = prepare_image(image)
    first, quality = pdqhash.compute(_pixels(prepared))
    hashes = [_pack(first)]
    for method in DIHEDRAL[1:]:
        hashes.append(_pack(pdqhash.compute(_pixels(prepared.transpose(method)))[0]))
    return hashes, int(quality)


def phash256(image: Image.Image) -> bytes:
    """imagehash's pHash with a 16x16 DCT (256 bits), packed big-endian into 32 bytes."""
    bits = imagehash.phash(image, hash_size=16).hash.astype(np.uint8).ravel()
    return np.packbits(bits).tobytes()


def phash_dihedral(image: Image.Image) -> list[bytes]:
    """pHash-256 of the 8 rotations/flips of `image`, in `DIHEDRAL` order."""
    return [phash256(image if method is None else image.transpose(method)) for method in DIHEDRAL]


@dataclass(frozen=True, slots=True)
class ImageHashes:
    """What a platform sends for hash-only matching: the PDQ hash (64 hex digits), its quality, the
    pHash-256 (64 hex digits, or None when not computed) and the platform's own id for the image."""

    pdq: str
    quality: int
    phash: str | None = None
    id: str | None = None

    @property
    def low_quality(self) -> bool:
        """True when PDQ considers the hash unreliable (flat or featureless images)."""
        return self.quality < PDQ_MIN_QUALITY


def hash_image(
    source: bytes | str | os.PathLike[str] | Image.Image,
    *,
    id: str | None = None,
    phash: bool = True,
    min_quality: int = MATCH_MIN_QUALITY,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImageHashes:
    """The hashes the server computes for the same image (`POST /match` hashes the upload this way).

    `source`: the file's bytes, a path, or an already decoded Pillow image (prepared here; decode it
    yourself only if you apply the same safety checks). `id` travels with the hashes and comes back with the
    answer. `ImageError` when the image is refused, or too flat to match (PDQ quality under `min_quality`,
    the server's threshold for `/match`).
    """
    if isinstance(source, Image.Image):
        image = prepare_image(source)
    else:
        data = source if isinstance(source, bytes) else _read(source, max_bytes)
        image = load_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    pdq, quality = pdq_hash(image)
    if quality < min_quality:
        raise ImageError(f"the image is too flat to match: PDQ quality {quality}, under {min_quality}")
    return ImageHashes(pdq.hex(), quality, phash256(image).hex() if phash else None, id)


def _read(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read(max_bytes + 1)  # one byte over is enough to refuse
    except OSError as exc:
        raise ImageError(f"cannot read {os.fspath(path)!r}: {exc.strerror or exc}") from None
