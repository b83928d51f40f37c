"""A work file made ready to store: checked, canonicalised, hashed and fingerprinted in one call.

`hash_work_file` does for one file what `POST /uploads` needs before storing it: the image pixel cap (from
the header, before anything is decoded), `prepare_work` (format check, canonical bytes), the content digest
(sha256 and CID) and the perceptual fingerprint, and writes the bytes to store to a file next to the upload
(the canonical form of texts and workflows; the file itself otherwise). Its arguments and its result are
small and picklable, so the API runs it in a worker process (`api.cpu.run_isolated`): for a 50 MB text its
whole-text steps (decoding, normalising, counting lines) are C calls that hold the GIL for 50-150 ms each,
which in a thread of the API process would hold the event loop as long.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genip.chain.types import WorkKind
from genip.content.digest import ContentDigest, digest_stream
from genip.content.fingerprint import MAX_IMAGE_PIXELS, check_image_pixels, fingerprint_work
from genip.content.formats import prepare_work
from genip.content.metadata import PerceptualHash

__all__ = ["HashedWork", "hash_work_file"]


@dataclass(frozen=True, slots=True)
class HashedWork:
    """What `hash_work_file` found: the work's kind, media type, format details, digest and fingerprint, and
    `stored`, the file holding exactly the bytes hashed (the ones to store)."""

    kind: WorkKind
    media_type: str
    details: dict[str, Any]
    digest: ContentDigest
    perceptual_hash: PerceptualHash | None
    stored: Path


def hash_work_file(path: Path, kind: WorkKind, *, max_pixels: int = MAX_IMAGE_PIXELS) -> HashedWork:
    """Check, canonicalise, hash and fingerprint the work file at `path` (see the module docstring).

    Raises `TooManyPixelsError` for an image over `max_pixels`, another `ContentError` when the file does not
    fit its kind, `OSError` when it cannot be read or the canonical copy written.
    """
    if kind is WorkKind.IMAGE:
        check_image_pixels(path, max_pixels)  # before `prepare_work`: a bomb is refused as too large
    prepared = prepare_work(path, kind)
    with prepared.open() as stream:
        digest = digest_stream(stream)
    phash = fingerprint_work(prepared, max_pixels=max_pixels)
    stored = path
    if prepared.canonical is not None:
        stored = path.with_name(path.name + ".canonical")
        stored.write_bytes(prepared.canonical)
    return HashedWork(prepared.kind, prepared.media_type, prepared.details, digest, phash, stored)
