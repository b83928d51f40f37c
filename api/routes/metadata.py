"""`POST /metadata`: the ERC-721 metadata JSON (`WorkMetadata`) of an uploaded work, built from the numbers
`POST /uploads` computed and the client-computed prompt commitment (the prompt itself never leaves the
browser), stored by CID. Its `image` names the work's public face (`POST /uploads` derived it: an image's
watermarked preview; a text's excerpt and the other kinds' card go into `genip.preview`), never the original.
What the uploaded file said about how it was made (`POST /uploads` read it) goes into `genip.madeWith`, and
the creator's declarations that the work is not derived from works its file names as resources
(`not_derived_from`, issue #21) into `genip.declaredNotDerivedFrom`, shown on the work's page.
"""

import json

from fastapi import APIRouter, HTTPException, Request

from api.body_limits import BODY_ERRORS
from api.deps import content_store, uploads_dir
from api.routes.examples import example_record
from api.schemas import ErrorBody, MetadataRequest, MetadataStored
from genip.chain.types import WorkKind
from genip.content.cid import parse_cid
from genip.content.digest import ContentDigest
from genip.content.errors import ContentError, InvalidCIDError
from genip.content.metadata import NotDerivedFrom, PerceptualHash, WorkMetadata
from genip.storage import StorageError

__all__ = ["router"]

router = APIRouter(tags=["web"])


@router.post(
    "/metadata",
    response_model=MetadataStored,
    summary="Store a work's metadata JSON",
    responses={
        400: {
            "model": ErrorBody,
            "description": "Not a CID, metadata the work cannot have (examples for a work not of kind "
            "prompt, an example preview this server did not make), a work declared not derived from twice or "
            "with a blank reason, or a JSON body nested too deep.",
        },
        404: {"model": ErrorBody, "description": "No upload with that CID."},
        413: BODY_ERRORS[413],
    },
)
def store_metadata(request: Request, body: MetadataRequest) -> MetadataStored:
    """Build the ERC-721 metadata of an uploaded work from the server's own numbers, store it by CID."""
    try:
        parse_cid(body.content_cid)
    except InvalidCIDError as exc:
        raise HTTPException(400, f"{body.content_cid[:100]!r} is not a CID: {exc}") from None
    record_path = uploads_dir(request) / f"{body.content_cid}.json"
    if not record_path.is_file():
        raise HTTPException(404, f"no upload {body.content_cid}: send the file to POST /uploads first")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    for example in body.examples:  # only previews `POST /uploads/examples` made, never a CID a client picked
        if not example_record(request, example).is_file():
            raise HTTPException(
                400, f"example {example} is not a preview made here: send it to POST /uploads/examples first"
            )
    ph = record["perceptual_hash"]
    try:
        metadata = WorkMetadata(
            name=body.name,
            description=body.description,
            kind=WorkKind[record["kind"].upper()],
            content=ContentDigest(bytes.fromhex(record["sha256"][2:]), record["cid"], int(record["size"])),
            media_type=record["media_type"],
            prompt_commitment=bytes.fromhex(body.prompt_commitment[2:]),
            perceptual_hash=None
            if ph is None
            else PerceptualHash(ph["algorithm"], bytes.fromhex(ph["value"][2:]), ph["quality"]),
            model=body.model or None,
            tool=body.tool or None,
            tags=tuple(body.tags),
            creator=body.creator or None,
            details=record["details"],
            preview_cid=record.get("preview_cid"),
            excerpt=record.get("excerpt"),
            card=record.get("card"),
            examples=tuple(dict.fromkeys(body.examples)),
            made_with=made if isinstance(made := record.get("made_with"), dict) else None,
            not_derived_from=tuple(NotDerivedFrom(d.asset_id, d.reason) for d in body.not_derived_from),
        )
        data = metadata.to_bytes()
    except ContentError as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        cid = content_store(request).put(data)
    except StorageError as exc:
        raise HTTPException(503, f"the content store cannot take the metadata: {exc}") from None
    return MetadataStored(metadata_cid=cid, metadata=metadata.to_json())
