"""The public face of a work, derived at registration: what anyone may see without a licence.

Per kind (the original itself is sealed, `genip.storage.originals`, and served only to licence holders):

| kind       | public face                                                                        |
|------------|------------------------------------------------------------------------------------|
| `IMAGE`    | a JPEG at most `PREVIEW_SIDE` (1 024) px on its longer side, watermarked with a     |
|            | tiled, semi-transparent "Gen-IP preview"; stored in the content store by its CID    |
| `TEXT`     | an excerpt: the first ~`EXCERPT_CHARS` (500) characters, cut at a sentence end, else |
|            | a word boundary, with "…" when cut                                                  |
| `MODEL`    | the card: format, base model, trigger words, model name, parameter count (no file)  |
| `WORKFLOW` | the card: format, node count, node types, model files named (no file)               |
| `PROMPT`   | the card: characters and lines only; title and description come from the metadata.  |
|            | Never the prompt, never an excerpt of it. Example outputs the creator gives (at most |
|            | `MAX_EXAMPLES`) get image previews too (`example_previews`); the examples themselves |
|            | are not originals of the work and are never stored                                   |
| `OTHER`    | the card: format and size                                                           |

Everything here is deterministic (same work, same preview bytes, same CID), pure and picklable, so the API
runs `derive_preview` in a worker process like hashing. The watermark is drawn into the pixels before
encoding: the preview is not a crop-away overlay, and its bytes can never equal the original's (a test walks
the store to hold that).
"""

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from genip.chain.types import WorkKind

__all__ = [
    "EXCERPT_CHARS",
    "MAX_EXAMPLES",
    "PREVIEW_SIDE",
    "WATERMARK_TEXT",
    "Preview",
    "card_of",
    "derive_preview",
    "example_previews",
    "excerpt_of",
    "image_preview",
]

#: Longest side of an image preview, in pixels.
PREVIEW_SIDE: Final = 1024
#: Target length of a text excerpt, in characters (cut back to a sentence or word boundary).
EXCERPT_CHARS: Final = 500
#: Most example outputs a prompt-kind work shows (each a watermarked image preview).
MAX_EXAMPLES: Final = 4
#: The watermark's words, tiled across image previews.
WATERMARK_TEXT: Final = "Gen-IP preview"
#: JPEG quality of image previews (a comp, not a deliverable).
JPEG_QUALITY: Final = 82
#: Card fields per kind, in the order shown: the public facts `genip.content.formats` puts in `details`.
_CARD_FIELDS: Final[dict[WorkKind, tuple[str, ...]]] = {
    WorkKind.MODEL: ("format", "baseModel", "triggerWords", "modelName", "title", "parameterCount", "dtypes"),
    WorkKind.WORKFLOW: ("format", "nodeCount", "nodeTypes", "models"),
    WorkKind.PROMPT: ("characters", "lines"),
    WorkKind.OTHER: ("format",),
}
_SENTENCE_END: Final = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*(?=\s)")  # closing quotes, brackets


@dataclass(frozen=True, slots=True)
class Preview:
    """A work's public face: `image` (JPEG bytes of an image preview, to store), `excerpt` (text works) and
    `card` (models, workflows, prompts, other). At most one of them is set. `examples`: the watermarked
    previews (JPEG bytes, to store) of a prompt-kind work's example outputs."""

    image: bytes | None = field(default=None, repr=False)
    excerpt: str | None = None
    card: dict[str, Any] | None = None
    examples: tuple[bytes, ...] = field(default=(), repr=False)


def derive_preview(
    kind: WorkKind,
    source: Path | bytes,
    details: Mapping[str, Any],
    *,
    size: int | None = None,
    model: str | None = None,
) -> Preview:
    """The public face of a work of `kind` whose stored bytes are `source` (canonical text for texts), with
    the format `details` `prepare_work` found. `size` (bytes) and `model` (the creator's word) fill cards.

    Raises what Pillow raises for an image it cannot decode (the work was already checked by `prepare_work`,
    so that means the file changed since).
    """
    if kind is WorkKind.IMAGE:
        data = source.read_bytes() if isinstance(source, Path) else source
        return Preview(image=image_preview(data))
    if kind is WorkKind.TEXT:
        data = source.read_bytes() if isinstance(source, Path) else source
        return Preview(excerpt=excerpt_of(data.decode("utf-8", errors="replace")))
    return Preview(card=card_of(kind, details, size=size, model=model))


def example_previews(images: Sequence[bytes]) -> tuple[bytes, ...]:
    """The watermarked previews of a prompt-kind work's example outputs `images`, in order.

    Raises `ValueError` for more than `MAX_EXAMPLES`, and what Pillow raises for bytes it cannot decode
    (`PIL.UnidentifiedImageError`, an `OSError`): callers word that for their users.
    """
    if len(images) > MAX_EXAMPLES:
        raise ValueError(f"at most {MAX_EXAMPLES} example outputs, not {len(images)}")
    return tuple(image_preview(data) for data in images)


def excerpt_of(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ~`limit` characters of `text`, cut after the last sentence end in the window (if it keeps
    at least half of it), else at the last word boundary, with "…" appended when anything was cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= limit // 2:
        return window[: ends[-1]].rstrip() + " …"
    space = window.rfind(" ", 0, limit)
    cut = window[:space] if space >= limit // 2 else window[:limit]
    return cut.rstrip(" ,;:—-") + "…"


def card_of(
    kind: WorkKind, details: Mapping[str, Any], *, size: int | None = None, model: str | None = None
) -> dict[str, Any]:
    """The card of a non-image, non-text work: the public `details` fields of its kind, with empty values
    left out; a model's base model falls back to the creator's `model`, `size` is added when known."""
    card: dict[str, Any] = {}
    for name in _CARD_FIELDS.get(kind, ("format",)):
        value = details.get(name)
        if value not in (None, "", [], {}):
            card[name] = value
    if kind is WorkKind.MODEL and "baseModel" not in card and model:
        card["baseModel"] = model
    if size is not None and kind in (WorkKind.MODEL, WorkKind.OTHER, WorkKind.WORKFLOW):
        card["size"] = size
    return card


def image_preview(data: bytes, *, side: int = PREVIEW_SIDE) -> bytes:
    """A watermarked JPEG of the image `data`, at most `side` px on its longer side (never enlarged)."""
    from PIL import Image, ImageOps  # the image stack loads only for image works

    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)  # the first frame of an animation
        image = ImageOps.exif_transpose(opened)
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(background, rgba)
    marked = Image.alpha_composite(flat, _watermark(flat.size)).convert("RGB")
    out = io.BytesIO()
    marked.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _watermark(size: tuple[int, int]) -> "Any":
    """A transparent layer of `size` with `WATERMARK_TEXT` tiled diagonally, white with a dark outline at
    about 35 % opacity, so it shows on light and dark pictures alike."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    font_size = max(12, min(width, height) // 14)
    try:
        font: Any = ImageFont.load_default(size=font_size)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        font = ImageFont.load_default()
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), WATERMARK_TEXT, font=font)
    tile_w, tile_h = int(right - left) + font_size * 2, int(bottom - top) * 4
    diagonal = int((width**2 + height**2) ** 0.5) + tile_w
    layer = Image.new("RGBA", (diagonal, diagonal), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    stroke = max(1, font_size // 12)
    for row, y in enumerate(range(0, diagonal, tile_h)):
        shift = (row % 2) * tile_w // 2
        for x in range(-shift, diagonal, tile_w):
            draw.text(
                (x, y),
                WATERMARK_TEXT,
                font=font,
                fill=(255, 255, 255, 96),
                stroke_width=stroke,
                stroke_fill=(0, 0, 0, 72),
            )
    rotated = layer.rotate(30, resample=Image.Resampling.BICUBIC)
    x0, y0 = (diagonal - width) // 2, (diagonal - height) // 2
    return rotated.crop((x0, y0, x0 + width, y0 + height))
