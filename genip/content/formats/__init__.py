"""Kinds know their formats: which bytes of a work are hashed, stored and described.

The bytes hashed (sha256 = the on-chain `contentHash`, and the CID) are exactly the bytes stored, so anyone
holding the stored object can recompute both. Per kind:

| kind       | bytes hashed and stored                                  | details described                 |
|------------|----------------------------------------------------------|-----------------------------------|
| `IMAGE`    | the file as it is (no re-encoding, metadata kept)        | format, width, height             |
| `TEXT`     | canonical text: strict UTF-8, BOM dropped, `\\n` line    | characters, lines                 |
|            | endings, Unicode NFC (`canonical.text_bytes`)            |                                   |
| `PROMPT`   | canonical text, as `TEXT`                                | characters, lines                 |
| `WORKFLOW` | canonical JSON: sorted keys, no whitespace, UTF-8        | ComfyUI format, nodes, models     |
|            | (`canonical.canonical_json`)                             |                                   |
| `MODEL`    | the file as it is                                        | `.safetensors`: header metadata   |
|            |                                                          | (base model, trigger words, ...)  |
| `OTHER`    | the file as it is                                        | size only                         |

Text and workflows are canonicalised in memory and so are limited to `MAX_CANONICAL_BYTES` (64 MiB); the
other kinds are streamed from disk at any size.
"""

import mimetypes
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, Final

from PIL import Image, UnidentifiedImageError

from genip.chain.types import WorkKind
from genip.content.canonical import parse_json, text_bytes
from genip.content.errors import FormatError
from genip.content.formats.safetensors import SafetensorsInfo, read_safetensors_info
from genip.content.formats.workflow import canonical_workflow, describe_workflow, workflow_format

__all__ = [
    "IMAGE_DECODE_ERRORS",
    "MAX_CANONICAL_BYTES",
    "PreparedWork",
    "SafetensorsInfo",
    "canonical_workflow",
    "describe_workflow",
    "detect_kind",
    "prepare_work",
    "read_safetensors_info",
]

#: Largest text or workflow file canonicalised (they are read whole into memory).
MAX_CANONICAL_BYTES: Final = 64 * 1024 * 1024

IMAGE_SUFFIXES: Final = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
MODEL_SUFFIXES: Final = frozenset({".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".onnx"})
TEXT_SUFFIXES: Final = frozenset({".txt", ".text", ".md", ".markdown", ".rst"})
#: What Pillow raises for a corrupt or truncated image besides `UnidentifiedImageError`: its format plugins
#: raise `OSError`, `SyntaxError` or `ValueError` from `Image.open` as well as from decoding
#: (`scripts/fuzz_image.py`). Readers catch them on a file they opened themselves, so that an `OSError`
#: they let through means the file could not be read.
IMAGE_DECODE_ERRORS: Final = (OSError, SyntaxError, ValueError)

_MEDIA_TYPES: Final = {
    ".md": "text/markdown; charset=utf-8",
    ".markdown": "text/markdown; charset=utf-8",
    ".safetensors": "application/vnd.safetensors",
}


@dataclass(frozen=True, slots=True)
class PreparedWork:
    """A work ready to hash and store: its kind, media type, format details and canonical bytes.

    `canonical` is `None` when the work's bytes are the file's own bytes (images, models, other);
    `open()` gives the bytes to hash and store in either case.
    """

    kind: WorkKind
    path: Path
    media_type: str
    details: dict[str, Any]
    canonical: bytes | None = field(default=None, repr=False)

    def open(self) -> BinaryIO:
        """A binary stream of exactly the bytes that are hashed and stored."""
        if self.canonical is not None:
            return BytesIO(self.canonical)
        return self.path.open("rb")


def detect_kind(path: Path) -> WorkKind:
    """Guess a file's kind from its suffix (and, for `.json`, whether it is a ComfyUI graph)."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return WorkKind.IMAGE
    if suffix in MODEL_SUFFIXES:
        return WorkKind.MODEL
    if suffix in TEXT_SUFFIXES:
        return WorkKind.TEXT
    if suffix == ".json" and path.stat().st_size <= MAX_CANONICAL_BYTES:
        try:
            document = parse_json(path.read_bytes())
        except FormatError:
            return WorkKind.OTHER
        return WorkKind.WORKFLOW if workflow_format(document) != "json" else WorkKind.OTHER
    return WorkKind.OTHER


def prepare_work(path: Path, kind: WorkKind | None = None) -> PreparedWork:
    """Check `path` against its kind (detected when `None`) and compute its canonical form and details.

    Raises `FormatError` when the file does not fit the kind, `OSError` when it cannot be read.
    """
    kind = detect_kind(path) if kind is None else kind
    media_type = _MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    if kind in (WorkKind.TEXT, WorkKind.PROMPT):
        canonical = text_bytes(_read_limited(path))
        text = canonical.decode("utf-8")
        details: dict[str, Any] = {"characters": len(text), "lines": len(text.splitlines())}
        media = media_type if media_type and media_type.startswith("text/") else "text/plain"
        if "charset" not in media:
            media += "; charset=utf-8"
        return PreparedWork(kind, path, media, details, canonical)
    if kind is WorkKind.WORKFLOW:
        canonical = canonical_workflow(_read_limited(path))
        return PreparedWork(
            kind, path, "application/json", describe_workflow(parse_json(canonical)), canonical
        )
    if kind is WorkKind.IMAGE:
        details = _describe_image(path)
        media = Image.MIME.get(str(details["format"])) or media_type or "application/octet-stream"
        return PreparedWork(kind, path, media, details)
    if kind is WorkKind.MODEL and path.suffix.lower() == ".safetensors":
        info = read_safetensors_info(path)
        return PreparedWork(kind, path, _MEDIA_TYPES[".safetensors"], info.summary())
    details = {"format": path.suffix.lower().lstrip(".") or None}
    return PreparedWork(kind, path, media_type or "application/octet-stream", details)


def _read_limited(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_CANONICAL_BYTES:
        raise FormatError(
            f"{path.name} is {size} bytes; text and workflows are limited to {MAX_CANONICAL_BYTES}"
        )
    return path.read_bytes()


def _describe_image(path: Path) -> dict[str, Any]:
    """Format and size from the image header (pixels are not decoded here)."""
    with path.open("rb") as stream:  # an OSError here: the file cannot be read
        try:
            with Image.open(stream) as image:
                return {"format": image.format, "width": image.width, "height": image.height}
        except (UnidentifiedImageError, Image.DecompressionBombError, *IMAGE_DECODE_ERRORS) as exc:
            raise FormatError(f"{path.name} is not an image this tool can read: {exc}") from None
