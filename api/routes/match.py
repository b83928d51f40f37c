"""`POST /match`: which registered work is this image, and may this account use it?

The upload is hashed (PDQ, 8 rotations/flips) by the process's shared `MatchEngine` (`api.matcher`), which
is refreshed with newly indexed assets before each lookup; the best candidate's licence status comes from the
same query `/licenses/status` runs (`api.queries.status.status_with_state`), so both endpoints always agree.
"""

from dataclasses import replace
from typing import Annotated, Final, Literal

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel, Field

from api.addresses import parse_address
from api.cpu import run_cpu
from api.matcher import DescribedCandidate, describe, lookup, match_config, matcher
from api.params import FORM_ADDRESS_PATTERN, FORM_ADDRESS_SCHEMA, optional_value
from api.queries.status import status_with_state
from api.schemas import ErrorBody, LicenseStatus, UnprocessableBody, Use
from genip import rules
from genip.matching.errors import (
    DecompressionBombError,
    ImageTooLargeError,
    LowQualityImageError,
    MatchingError,
    NotAnImageError,
)
from genip.matching.verdict import LicenceStatus, decide

__all__ = ["MatchCandidate", "MatchResult", "router"]

router = APIRouter(tags=["match"])

_CHUNK: Final = 1024 * 1024
_NO_ACCOUNT_NOTE: Final = (
    "no account given: the image is a registered work and nobody is assumed licensed, so the verdict is "
    "unlicensed; send `account` to check a licence"
)

RULES = """
Platforms upload an image they are about to show and get the registered work it is (even re-encoded,
resized, recoloured, rotated or mirrored), whether `account` may use it for `use`, and a verdict.

**Matching.** The image is decoded safely (size, format and pixel caps), turned upright, flattened onto white,
shrunk to 1 024 px and hashed with PDQ and pHash-256 in its 8 rotations/flips. Candidates are the registered
images whose on-chain PDQ hash is within `GENIP_MATCH_DISTANCE` bits (default 48: no false positive over
102 064 pairs of distinct images in the robustness benchmark), or whose media's pHash (computed by the
indexer from the registered bytes) is within `GENIP_MATCH_PHASH_DISTANCE` bits (default 44), once per asset,
best first (smallest distance, then the oldest asset), with `confidence = 1 - distance/128` and `method`
naming the hash. When no hash matched, the upload's 16x16 grey thumbnails are correlated with those the
indexer stored from each image's media (a change of light that clips highlights can flip a third of both
hashes): a work at `GENIP_MATCH_THUMBNAIL_CORRELATION` (0.98) or more is a candidate (`method` `thumb`,
`distance` null, `correlation`). Crops defeat both hashes, so when nothing matched yet the upload's ORB
keypoints are compared with those the indexer extracted from each image's media: a work whose keypoints line
up with at least 20 of the upload's under one shift/scale/rotation is a candidate (`method` `orb`, `distance`
null, `inliers`; `GENIP_MATCH_CROPS=false` turns this stage off). Newly indexed works match on the next
request (the engine appends them before every lookup; no restart).

**Verdict** (about the best candidate):

* `unregistered`: no registered image within the distance.
* `disputed`: the best candidate's standing is not clear — an open claim, an upheld claim, or tainted by an
  upheld claim against an ancestor (treated like upheld) — whatever the account holds.
* `licensed`: `account` owns it or holds a valid licence for `use` (the rules of `/licenses/status`; its
  answer is in `status`).
* `unlicensed`: `account` holds no such licence — **or no `account` was sent**: nobody is assumed licensed, so
  a registered work without an account is `unlicensed`, `status` is null and `note` says why.

**Refusals** (JSON `detail`, never a 5xx): 413 over `GENIP_MATCH_MAX_BYTES` (25 MiB); 415 not a JPEG, PNG,
WebP, GIF, BMP or TIFF image (or a corrupt one); 422 a decompression bomb (more than `GENIP_MATCH_MAX_PIXELS`,
64 M, announced), an image too flat to match (PDQ quality below `GENIP_MATCH_MIN_QUALITY`, 70), or an unknown
`use`; 400 a malformed account address.
"""


class MatchCandidate(BaseModel):
    """A registered image within the match distance of the upload."""

    asset_id: int
    chain_id: int
    distance: int | None = Field(
        description="Bits that differ (0: identical), best rotation/flip, of `method`'s hash; null for "
        "`thumb` and `orb`."
    )
    method: Literal["pdq", "phash", "thumb", "orb"] = Field(
        default="pdq",
        description="What matched: the on-chain PDQ, the media's pHash-256, the 16x16 grey thumbnail (light "
        "or colours changed), or keypoints (a crop or edit).",
    )
    inliers: int | None = Field(default=None, description="For `orb`: keypoints that line up with the work.")
    correlation: float | None = Field(
        default=None, description="For `thumb`: correlation of the upload's thumbnail with the work's."
    )
    confidence: float = Field(
        description="1 - distance/128 (thumb: the correlation; orb: inliers/80), clipped to [0, 1]; orders, "
        "not a probability."
    )
    title: str | None = Field(default=None, description="From the work's metadata, when indexed.")
    creator: str
    media_cid: str | None = None
    asset_status: rules.StandingStatus = Field(
        description="The asset's standing now: active (clear), disputed (an open claim), upheld, or tainted "
        "(a claim against an ancestor was upheld)."
    )


class MatchResult(BaseModel):
    """Candidates (best first), the verdict about the best one and, with `account`, its licence status."""

    candidates: list[MatchCandidate]
    verdict: Literal["licensed", "unlicensed", "unregistered", "disputed"]
    status: LicenseStatus | None = Field(
        description="The `/licenses/status` answer for the best candidate, `account` and `use`; null without "
        "an account or a candidate."
    )
    note: str | None = Field(default=None, description="Why the verdict is what it is, when not obvious.")


_METHODS: Final[dict[str, Literal["pdq", "phash", "thumb", "orb"]]] = {
    "phash": "phash",
    "thumb": "thumb",
    "orb": "orb",
}


def _candidate(found: DescribedCandidate) -> MatchCandidate:
    c = found.candidate
    return MatchCandidate(
        asset_id=c.asset_id,
        chain_id=c.chain_id,
        distance=c.distance,
        method=_METHODS.get(c.method, "pdq"),
        inliers=c.inliers,
        correlation=None if c.correlation is None else round(c.correlation, 4),
        confidence=round(c.confidence, 4),
        title=found.title,
        creator=c.creator,
        media_cid=found.media_cid,
        asset_status=rules.standing_status(found.standing),
    )


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes; 413 as soon as more than `limit` arrive (the rest is never held in memory)."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"image file is over {limit:,} bytes, the limit")
        parts.append(chunk)
    return b"".join(parts)


def _refusal(exc: MatchingError) -> HTTPException:
    """The status code of a refused image (see RULES)."""
    if isinstance(exc, ImageTooLargeError):
        return HTTPException(413, str(exc))
    if isinstance(exc, NotAnImageError):
        return HTTPException(415, str(exc))
    if isinstance(exc, (DecompressionBombError, LowQualityImageError)):
        return HTTPException(422, str(exc))
    return HTTPException(422, f"the image cannot be matched: {exc}")


@router.post(
    "/match",
    response_model=MatchResult,
    summary="Is this image a registered work, and is this account licensed to use it?",
    description=RULES,
    responses={
        400: {"model": ErrorBody, "description": "Malformed or wrongly checksummed account address."},
        413: {"model": ErrorBody, "description": "The image file is too large."},
        415: {"model": ErrorBody, "description": "Not an image in a supported format, or corrupt."},
        422: {
            "model": UnprocessableBody,
            "description": "Decompression bomb, too flat an image, bad `use`, or a missing `image` part.",
        },
    },
)
async def post_match(
    request: Request,
    image: Annotated[UploadFile, File(description="The image to look up (JPEG, PNG, WebP, GIF, BMP, TIFF).")],
    account: Annotated[
        str | None,
        optional_value(FORM_ADDRESS_SCHEMA),
        Form(
            pattern=FORM_ADDRESS_PATTERN,
            description="0x address whose licence to check: checksummed or all lowercase (empty: none).",
        ),
    ] = None,
    use: Annotated[Use, Form(description="What the account wants to do with the image.")] = "display",
) -> MatchResult:
    """Match one image against every registered image and decide (see the description for the rules)."""
    holder = parse_address(account.strip(), field="account") if account and account.strip() else None
    config = match_config(request.app)
    data = await _read_limited(image, config.max_bytes)

    def answer() -> MatchResult:
        engine = matcher(request.app)
        try:
            query = engine.hash(data)
        except MatchingError as exc:
            raise _refusal(exc) from None
        found = describe(request.app.state.engine, lookup(request.app, query))
        if not found:
            return MatchResult(candidates=[], verdict="unregistered", status=None)
        best = found[0]
        status: LicenseStatus | None = None
        if holder is not None:
            with request.app.state.autocommit_engine.connect() as connection:
                _, status = status_with_state(
                    connection,
                    chain_id=best.candidate.chain_id,
                    asset=best.candidate.asset_id,
                    account=holder,
                    use=use,
                )
        licence = (
            None
            if status is None
            else LicenceStatus(
                licensed=status.licensed,
                standing=best.standing,
                details=status.model_dump(),
            )
        )
        # The row's standing, not the engine's copy from load time.
        verdict = decide(replace(best.candidate, standing=best.standing), licence)
        note = _NO_ACCOUNT_NOTE if holder is None and verdict.value == "unlicensed" else None
        return MatchResult(
            candidates=[_candidate(f) for f in found],
            verdict=verdict.value,
            status=status,
            note=note,
        )

    return await run_cpu(answer)  # decoding and hashing the image: the bounded CPU pool
