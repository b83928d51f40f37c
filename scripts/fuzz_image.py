"""Fuzz the reading of uploaded images: the safe loader (`genip.matching.normalize.load_image`, used by
`/match`, the upload's near-duplicate check and the indexer's media step) and the upload's own steps
(`genip.content.hashed.hash_work_file`: pixel cap from the header, format details, digest, PDQ).

    .venv/bin/python scripts/fuzz_image.py [--seconds 180] [--runs N] [--save-corpus] [--write-seeds]

Both run with the project's caps (`genip.settings.DEFAULT_MAX_BYTES` and `DEFAULT_MAX_PIXELS`). The loader
may only raise `MatchingError` (its refusals), the upload only `ContentError` (`TooManyPixelsError` and the
format errors); an image either accepts must be within the pixel cap. Pillow's Python plugins are
instrumented too, since that is where headers are parsed. Images whose PNG text chunks carry A1111
`parameters` or ComfyUI `prompt`/`workflow` JSON are among the seeds: Gen-IP does not parse that generation
metadata (yet), so here it is only header bytes the decoder must get through.
"""

import io
import json
import struct
import zlib

from fuzzing import run, scratch_file
from PIL import Image, PngImagePlugin

from genip.chain.types import WorkKind
from genip.content.errors import ContentError
from genip.content.fingerprint import MAX_PDQ_SIDE
from genip.content.hashed import hash_work_file
from genip.matching.errors import MatchingError
from genip.matching.normalize import load_image
from genip.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS

NAME = "image"


def test_one_input(data: bytes) -> None:
    """Load `data` as `/match` does and hash it as `POST /uploads` does; see the module docstring."""
    try:
        image = load_image(data, max_bytes=DEFAULT_MAX_BYTES, max_pixels=DEFAULT_MAX_PIXELS)
    except MatchingError:
        pass
    else:
        if image.mode != "RGB" or max(image.size) > MAX_PDQ_SIDE:
            raise AssertionError(f"load_image gave a {image.mode} image of {image.size}")
    path = scratch_file("work.png")
    path.write_bytes(data)
    try:
        done = hash_work_file(path, WorkKind.IMAGE, max_pixels=DEFAULT_MAX_PIXELS)
    except ContentError:
        return
    width, height = done.details["width"], done.details["height"]
    if width * height > DEFAULT_MAX_PIXELS or done.perceptual_hash is None:
        raise AssertionError(f"accepted a {width}x{height} image, hash {done.perceptual_hash}")


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def seed_inputs() -> dict[str, bytes]:
    """Tiny images in every accepted format and mode, and the edge cases (bomb header, truncation)."""
    rgb = Image.new("RGB", (8, 8))
    rgb.putdata([(x * 32, y * 32, (x + y) * 16) for y in range(8) for x in range(8)])
    rgba = rgb.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((8, 8)))
    palette = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    a1111 = PngImagePlugin.PngInfo()
    a1111.add_text(
        "parameters",
        "a cat\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 8x8",
    )
    comfy = PngImagePlugin.PngInfo()
    comfy.add_text("prompt", json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 1}}}))
    comfy.add_itxt("workflow", json.dumps({"nodes": [], "links": []}), zip=True)
    png = _save(rgb, "PNG")
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = png[:8] + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"")) + png[-12:]
    return {
        "rgb.png": png,
        "rgba.png": _save(rgba, "PNG"),
        "palette-transparent.png": _save(palette, "PNG", transparency=0),
        "grey16.png": _save(rgb.convert("I;16"), "PNG"),
        "a1111-parameters.png": _save(rgb, "PNG", pnginfo=a1111),
        "comfyui-prompt.png": _save(rgb, "PNG", pnginfo=comfy),
        "exif-rotated.jpg": _save(rgb, "JPEG", quality=50, exif=exif),
        "progressive.jpg": _save(rgb.convert("L"), "JPEG", progressive=True),
        "lossless.webp": _save(rgba, "WEBP", lossless=True),
        "two-frames.gif": _save(palette, "GIF", save_all=True, append_images=[palette.rotate(90)]),
        "rgb.bmp": _save(rgb.resize((4, 4)), "BMP"),
        "rgb.tif": _save(rgb.resize((4, 4)), "TIFF", compression="tiff_lzw"),
        "bomb-header.png": bomb,
        "truncated.png": png[: len(png) // 2],
    }


if __name__ == "__main__":
    Image.init()  # every format plugin imported now, so that all of them are instrumented
    run(NAME, test_one_input, seed_inputs, instrument=("genip", "PIL"), description=__doc__)
