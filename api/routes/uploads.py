"""`POST /uploads`: a work's file, checked, canonicalised, hashed, fingerprinted and stored before its
registration.

It checks size and type, canonicalises, hashes, fingerprints and stores the work and answers its sha256, CID,
media type and perceptual hash. The original is stored only sealed (`genip.storage.originals`: encrypted, the
envelope in the database); its public face (`genip.content.preview`: an image's watermarked preview, stored in
the clear, a text's excerpt, a card) is derived here and answered too. What was computed is kept in
`<data dir>/uploads/<cid>.json` so that `POST /metadata` (`api.routes.metadata`) builds metadata from the
server's own numbers, not from whatever a client sends back.

**Nothing heavy runs on the event loop.** Checking, canonicalising, hashing and fingerprinting the saved file
(`genip.content.hashed`) runs in a worker process of the CPU pool (`api.cpu.run_isolated`: its whole-text
steps hold the GIL too long for a thread), the near-duplicate lookup of an image in the pool's threads
(`run_cpu`), storing in the I/O thread pool. A 50 MB text no longer holds `/health` or any other request
(`tests/api/test_hostile_input.py` measures it).

**One cap for images**: an image is refused (413) over `GENIP_MATCH_MAX_BYTES` (25 MiB) or
`GENIP_MATCH_MAX_PIXELS` (64 M pixels, read from the header before anything is decoded), the limits `/match`
and the indexer apply, so every image that is stored can also be matched; other kinds up to
`MAX_UPLOAD_BYTES`.

Near-duplicate warnings come from the matching engine (`api.matcher`, shared with `POST /match`):
`near_duplicates` lists registered images of other creators (the optional `creator` form field names the
uploader) within the match distance. It warns, it does not refuse: the registration itself is the wallet's.
"""

import json
import re
import shutil
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.addresses import parse_address
from api.cpu import WorkerCrashedError, run_cpu, run_isolated
from api.deps import content_store, originals_of, uploads_dir
from api.matcher import describe, lookup, match_config, matcher
from api.params import FORM_ADDRESS_PATTERN, FORM_ADDRESS_SCHEMA, optional_value
from api.schemas import ErrorBody, Kind, NearDuplicate, UploadResult
from genip.chain.types import WorkKind
from genip.content.errors import ContentError
from genip.content.fingerprint import TooManyPixelsError
from genip.content.formats import IMAGE_SUFFIXES, MODEL_SUFFIXES, TEXT_SUFFIXES
from genip.content.hashed import hash_work_file
from genip.content.metadata import PerceptualHash
from genip.content.preview import derive_preview
from genip.matching.errors import MatchingError
from genip.matching.perceptual import QueryHash
from genip.storage import StorageError

__all__ = ["ALLOWED_SUFFIXES", "MAX_UPLOAD_BYTES", "near_duplicates", "router"]

#: Largest file `POST /uploads` accepts (images: `GENIP_MATCH_MAX_BYTES`, if smaller).
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024
#: File name endings accepted per kind (the kind's format is then checked by `prepare_work`).
ALLOWED_SUFFIXES: Final[dict[WorkKind, frozenset[str]]] = {
    WorkKind.IMAGE: frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"}) & IMAGE_SUFFIXES,
    WorkKind.TEXT: TEXT_SUFFIXES,
    WorkKind.PROMPT: TEXT_SUFFIXES,
    WorkKind.WORKFLOW: frozenset({".json"}),
    WorkKind.MODEL: MODEL_SUFFIXES,
    WorkKind.OTHER: frozenset({".zip", ".pdf", ".json", ".bin"}),
}
_CHUNK: Final = 1024 * 1024

router = APIRouter(tags=["web"])


def near_duplicates(
    request: Request,
    kind: WorkKind,
    perceptual_hash: PerceptualHash | None,
    *,
    image: bytes | None = None,
    creator: str | None = None,
) -> list[NearDuplicate]:
    """Registered images of creators other than `creator` close to an uploaded image (the registration
    pre-check), from the process's shared matching engine (`api.matcher`).

    The upload's own bytes are hashed in their 8 rotations/flips when given and matchable; otherwise (too
    large or too flat for the matcher) the committed PDQ hash alone is looked up. Non-images, a missing hash
    and a database that cannot be read give no warning: the pre-check never blocks an upload.
    """
    if kind is not WorkKind.IMAGE or perceptual_hash is None or perceptual_hash.algorithm != "pdq":
        return []
    try:
        engine = matcher(request.app)
        query = QueryHash((perceptual_hash.value,), perceptual_hash.quality or 0)
        if image is not None:
            with suppress(MatchingError):
                query = engine.hash(image)
        found = describe(request.app.state.engine, lookup(request.app, query, exclude_creator=creator))
    except SQLAlchemyError:
        return []
    return [
        NearDuplicate(
            asset_id=f.candidate.asset_id,
            distance=f.candidate.distance,
            title=f.title,
            creator=f.candidate.creator,
            media_cid=f.media_cid,
            preview_cid=f.preview_cid,
            message=f"looks like asset {f.candidate.asset_id}"
            + (f" ({f.title!r})" if f.title else "")
            + f" by {f.candidate.creator} ({f.candidate.likeness}): register it as a derivative "
            f"under a licence on that work; registered as an original it is marked as a possible copy of "
            f"asset {f.candidate.asset_id}",
        )
        for f in found
    ]


def _kind(text: str) -> WorkKind:
    try:
        return WorkKind[text.strip().upper()]
    except KeyError:
        names = ", ".join(k.name.lower() for k in WorkKind)
        raise HTTPException(400, f"kind {text[:40]!r} is not one of {names}") from None


#: An absolute path of two or more parts ("/tmp/genip-upload-x/work.png"), not a media type ("image/png").
_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][\w.+@~-]+){2,}[/\\]?")


def _public(exc: BaseException, saved: Path, filename: str | None) -> str:
    """`exc`'s message fit for the client: the server's copy of the upload is named by the client's own file
    name and any other server path by its last part (no temp directory or data directory leaks)."""
    text = str(exc) or type(exc).__name__
    name = Path(filename or "").name or "the file"
    for server_path in (str(saved), str(saved.parent), saved.name):
        text = text.replace(server_path, name)
    return _PATH.sub(lambda m: Path(m.group(0).rstrip("/\\")).name or "…", text)


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit // mib} MiB" if limit % mib == 0 else f"{limit:,} bytes"


async def _save_limited(upload: UploadFile, target: Path, limit: int) -> int:
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"the file is larger than {_size(limit)}")
            out.write(chunk)
    if size == 0:
        raise HTTPException(400, "the file is empty")
    return size


@router.post(
    "/uploads",
    response_model=UploadResult,
    summary="Store a work before registering it",
    responses={
        400: {"model": ErrorBody, "description": "Unknown kind, an empty file, or a malformed creator."},
        413: {
            "model": ErrorBody,
            "description": "Larger than 50 MiB; for an image, larger than GENIP_MATCH_MAX_BYTES (25 MiB) or "
            "of more than GENIP_MATCH_MAX_PIXELS pixels (64 M).",
        },
        415: {"model": ErrorBody, "description": "Type not accepted for the kind."},
    },
)
async def upload_work(
    request: Request,
    file: Annotated[UploadFile, File(description="The work's file.")],
    kind: Annotated[Kind, Form(description="The kind of work.")] = "image",
    creator: Annotated[
        str | None,
        optional_value(FORM_ADDRESS_SCHEMA),
        Form(
            pattern=FORM_ADDRESS_PATTERN,
            description="The registering wallet: its own works are not reported as near-duplicates.",
        ),
    ] = None,
) -> UploadResult:
    """Canonicalise, hash, fingerprint and store one work (the bytes hashed are the bytes stored)."""
    work_kind = _kind(kind)
    owner = parse_address(creator.strip(), field="creator") if creator and creator.strip() else None
    suffix = Path(file.filename or "").suffix.lower()
    allowed = ALLOWED_SUFFIXES[work_kind]
    if suffix not in allowed:
        raise HTTPException(
            415,
            f"a {work_kind.name.lower()} must be one of {', '.join(sorted(allowed))}, not {suffix or '?'!r}",
        )
    limits = match_config(request.app)
    limit = min(MAX_UPLOAD_BYTES, limits.max_bytes) if work_kind is WorkKind.IMAGE else MAX_UPLOAD_BYTES
    temp_dir = Path(tempfile.mkdtemp(prefix="genip-upload-"))
    try:
        path = temp_dir / f"work{suffix}"
        await _save_limited(file, path, limit)
        try:
            done = await run_isolated(hash_work_file, path, work_kind, max_pixels=limits.max_pixels)
        except TooManyPixelsError as exc:
            raise HTTPException(413, _public(exc, path, file.filename)) from None
        except (ContentError, OSError, ValueError, WorkerCrashedError) as exc:
            reason = _public(exc, path, file.filename)
            readable = f"the file is not a readable {work_kind.name.lower()}"
            raise HTTPException(415, f"{readable}: {reason}") from None
        digest, phash = done.digest, done.perceptual_hash
        image = await run_in_threadpool(path.read_bytes) if work_kind is WorkKind.IMAGE else None
        try:  # the public face, derived like the hashes in a worker process; the original only sealed
            preview = await run_isolated(
                derive_preview, work_kind, done.stored, done.details, size=digest.size
            )
        except (ContentError, OSError, ValueError, WorkerCrashedError) as exc:
            reason = _public(exc, path, file.filename)
            raise HTTPException(415, f"no preview can be made of the file: {reason}") from None
        try:
            store = content_store(request)
            cid = (await run_in_threadpool(originals_of(request).seal, done.stored)).original_cid
            preview_cid = (
                await run_in_threadpool(store.put, preview.image) if preview.image is not None else None
            )
        except StorageError as exc:
            reason = _public(exc, path, file.filename)
            raise HTTPException(503, f"the content store cannot take the file: {reason}") from None
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    if cid != digest.cid:
        raise HTTPException(500, f"the store answered CID {cid}, the hash gave {digest.cid}")
    record: dict[str, Any] = {
        "kind": work_kind.name.lower(),
        "cid": digest.cid,
        "sha256": digest.sha256_hex,
        "size": digest.size,
        "media_type": done.media_type,
        "perceptual_hash": None
        if phash is None
        else {"algorithm": phash.algorithm, "value": "0x" + phash.value.hex(), "quality": phash.quality},
        "details": done.details,
        "preview_cid": preview_cid,
        "excerpt": preview.excerpt,
        "card": preview.card,
    }
    uploads = uploads_dir(request)
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / f"{digest.cid}.json").write_text(json.dumps(record, default=str), encoding="utf-8")
    found = (
        await run_cpu(near_duplicates, request, work_kind, phash, image=image, creator=owner)
        if work_kind is WorkKind.IMAGE
        else []
    )
    return UploadResult.model_validate({**record, "near_duplicates": found})
