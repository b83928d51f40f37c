"""`/ipfs/{cid}`: previews and metadata from the content store, verified, with immutable caching.

Never an original: a CID that is a registered work's media (`assets.media_cid`) or a sealed original
(`sealed_originals`) is refused with 403 before the store is asked, pointing at `GET /works/{id}/original`,
where licence holders download it. (Originals are stored only sealed anyway, so the store would not have the
plaintext; the 403 says why and where to go.)
"""

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.caching import IMMUTABLE, matches, not_modified
from api.deps import SessionDep, StoreDep
from api.params import CidPath
from api.schemas import ErrorBody
from genip.content.cid import parse_cid
from genip.content.errors import InvalidCIDError
from genip.db import models
from genip.storage import ContentNotFoundError, StorageError, StorageUnavailableError

__all__ = ["router", "sniff"]

router = APIRouter(tags=["media"])

_CHUNK = 256 * 1024
_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
]


def sniff(head: bytes) -> str:
    """A content type guessed from the first bytes: common images, JSON, text, else octet-stream."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "application/json"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the end is still text
            return "application/octet-stream"
    return "text/plain; charset=utf-8" if b"\x00" not in head else "application/octet-stream"


@router.get(
    "/ipfs/{cid}",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        304: {"description": "Not modified (content never changes)."},
        400: {"model": ErrorBody, "description": "Not a CID."},
        403: {
            "model": ErrorBody,
            "description": "The CID is a work's original: never served here; licence holders download it "
            "from `GET /works/{id}/original`.",
        },
        404: {"model": ErrorBody, "description": "The store does not hold this CID."},
        503: {"model": ErrorBody, "description": "The IPFS node cannot be reached."},
    },
    summary="Media or metadata by CID",
    description=(
        "The bytes of a preview or metadata from the content store, verified against the CID as they "
        "stream; never a work's original (403). Content type: the asset's `media_type` when the CID is a "
        "registered work's media, "
        "`application/json` for metadata, else sniffed from the first bytes. Cached forever "
        "(`Cache-Control: public, max-age=31536000, immutable`, ETag = the CID)."
    ),
)
def get_content(
    request: Request,
    cid: CidPath,
    session: SessionDep,
    store: StoreDep,
) -> Any:
    """Serve content by CID."""
    try:
        parse_cid(cid)
    except InvalidCIDError as exc:
        raise HTTPException(400, f"{cid[:100]!r} is not a CID: {exc}") from None
    _refuse_originals(session, cid)
    etag = f'"{cid}"'
    if matches(request, etag):
        return not_modified(etag, IMMUTABLE)
    try:
        stream = store.open(cid)
    except ContentNotFoundError:
        raise HTTPException(404, f"the content store holds no object {cid}") from None
    except StorageUnavailableError as exc:
        raise HTTPException(503, f"the content store is unavailable: {exc}") from None
    except StorageError as exc:
        raise HTTPException(404, f"{cid} cannot be read from the content store: {exc}") from None
    A = models.Asset
    media_type = session.execute(
        select(A.media_type).where(A.media_cid == cid, A.media_type.is_not(None)).limit(1)
    ).scalar_one_or_none()
    if (
        media_type is None
        and session.execute(select(A.asset_id).where(A.metadata_cid == cid).limit(1)).first()
    ):
        media_type = "application/json"
    head = stream.read(_CHUNK)
    media_type = media_type or sniff(head[:512])

    def body() -> Iterator[bytes]:
        with stream:
            yield head
            while chunk := stream.read(_CHUNK):
                yield chunk

    return StreamingResponse(
        body(), media_type=media_type, headers={"Cache-Control": IMMUTABLE, "ETag": etag}
    )


def _refuse_originals(session: Session, cid: str) -> None:
    """403 with the reason when `cid` names a work's original (registered media, or any sealed original)."""
    A, S = models.Asset, models.SealedOriginal
    asset_id = session.execute(
        select(A.asset_id).where(A.media_cid == cid).order_by(A.asset_id).limit(1)
    ).scalar_one_or_none()
    if asset_id is None and session.get(S, cid) is None:
        return
    where = (
        f"licence holders and its owner download it from GET /works/{asset_id}/original"
        if asset_id is not None
        else "once registered, licence holders download it from GET /works/{id}/original"
    )
    raise HTTPException(403, f"{cid} is a work's original, which is never served publicly: {where}")
