"""`POST /uploads/examples`: the watermarked preview of a prompt-kind work's example output.

A prompt-kind work's public face is its title, description and example outputs, never the prompt (issue 19).
An example output is not an original of the work: only its watermarked preview (`genip.content.preview`,
at most 1 024 px) is stored, in the clear; the example's own bytes are dropped. The preview's CID is kept as
`<data dir>/uploads/examples/<cid>.json`, so that `POST /metadata` (`api.routes.metadata`) lists only
previews this server made, never a CID a client picked (someone's original, say).

Like `POST /uploads` (`api.routes.uploads.receive`, shared): a platform key or the wallet's `Upload` signature
(`action` = `"upload example"`, over the example's sha256), the same daily quotas, and the preview is recorded
as an upload of kind `example` that the sweeper removes if no registered work lists it within a day.

Images only, under the same caps as image uploads (`GENIP_MATCH_MAX_BYTES`, `GENIP_MATCH_MAX_PIXELS`, read
from the header before anything is decoded); the preview is derived in a worker process of the CPU pool.
"""

import io
import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from api.cpu import WorkerCrashedError, run_isolated
from api.deps import content_store, uploads_dir
from api.matcher import match_config
from api.routes.uploads import (
    ALLOWED_SUFFIXES,
    EXAMPLE_ACTION,
    MAX_UPLOAD_BYTES,
    OWNER_ERRORS,
    UploadAuthDep,
    receive,
    record,
)
from api.schemas import ErrorBody, ExampleUploaded
from genip.chain.types import WorkKind
from genip.content.digest import digest_bytes
from genip.content.preview import example_previews
from genip.storage import StorageError
from genip.uploads import EXAMPLE_KIND, EXAMPLES_FOLDER

__all__ = ["example_preview", "example_record", "router"]

router = APIRouter(tags=["web"])


class _TooManyPixels(ValueError):
    """The image's header names more pixels than the cap."""


def example_preview(path: Path, max_pixels: int) -> bytes:
    """The watermarked preview of the example image at `path` (run in a worker process); `_TooManyPixels`
    above `max_pixels`, what Pillow raises for bytes that are not an image."""
    from PIL import Image

    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:  # the header only: nothing decoded yet
        if image.width * image.height > max_pixels:
            raise _TooManyPixels(f"{image.width} x {image.height} pixels is more than {max_pixels:,}")
    return example_previews([data])[0]


def example_record(request: Request, preview_cid: str) -> Path:
    """Where the record of an example preview `POST /uploads/examples` made is (exists only if it did)."""
    return uploads_dir(request) / EXAMPLES_FOLDER / f"{preview_cid}.json"


@router.post(
    "/uploads/examples",
    response_model=ExampleUploaded,
    summary="Store the watermarked preview of a prompt work's example output",
    responses={
        400: {"model": ErrorBody, "description": "An empty file."},
        **OWNER_ERRORS,
        413: {
            "model": ErrorBody,
            "description": "Larger than GENIP_MATCH_MAX_BYTES (25 MiB) or of more than "
            "GENIP_MATCH_MAX_PIXELS pixels (64 M).",
        },
        415: {"model": ErrorBody, "description": "Not an image (PNG, JPEG, WebP or GIF)."},
        503: {"model": ErrorBody, "description": "The content store cannot take the preview."},
    },
)
async def upload_example(
    request: Request,
    auth: UploadAuthDep,
    file: Annotated[UploadFile, File(description="An example output of the prompt (an image).")],
) -> ExampleUploaded:
    """Derive and store the watermarked preview of one example output; the example itself is not kept."""
    suffix = Path(file.filename or "").suffix.lower()
    allowed = ALLOWED_SUFFIXES[WorkKind.IMAGE]
    if suffix not in allowed:
        raise HTTPException(
            415, f"an example output must be an image ({', '.join(sorted(allowed))}), not {suffix or '?'!r}"
        )
    limits = match_config(request.app)
    limit = min(MAX_UPLOAD_BYTES, limits.max_bytes)
    async with receive(
        request, file, auth, action=EXAMPLE_ACTION, suffix=suffix, limit=limit, name="example"
    ) as received:
        try:
            preview = await run_isolated(example_preview, received.path, limits.max_pixels)
        except _TooManyPixels as exc:
            raise HTTPException(413, f"the example is too large: {exc}") from None
        except (OSError, ValueError, SyntaxError, WorkerCrashedError):  # PIL.UnidentifiedImageError: OSError
            raise HTTPException(415, "the example output is not a readable image") from None
    digest = digest_bytes(preview)
    async with record(
        request, received.owner, kind=EXAMPLE_KIND, cid=digest.cid, sha256=digest.sha256_hex, size=digest.size
    ):
        try:
            preview_cid = await run_in_threadpool(content_store(request).put, preview)
        except StorageError as exc:
            raise HTTPException(503, f"the content store cannot take the preview: {exc}") from None
    saved = example_record(request, preview_cid)
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps({"preview_cid": preview_cid, "size": len(preview)}), encoding="utf-8")
    return ExampleUploaded(preview_cid=preview_cid)
