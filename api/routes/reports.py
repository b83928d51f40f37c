"""Reports and takedowns (`genip.reports`): a platform reports a post, the reported work's owner resolves it.

* `POST /reports` (platform key): a post's id, the image or its hashes, the uploader's account → matched and
  judged like `/match` (`api.routes.match.judge`), stored, answered 201 with the report (200: the same post
  and upload reported before by the same platform: that report).
* `GET /reports/{id}`: the reporting platform (its key) or the reported work's current owner (wallet-signed).
* `GET /accounts/{address}/reports`: the owner's reports, newest first (wallet-signed by that address).
* `POST /reports/{id}/resolution` (the owner, wallet-signed): keep, flag or take_down → the `report.resolved`
  webhook to the reporting platform's subscriptions, written with the resolution.

**Privacy.** A report names a platform's user (the uploader's account) and post, so nothing about reports is
open: reading needs the platform's key (its own reports only; another platform's report is a 404) or the
owner's EIP-712 signature, `ReportsRead(string action, address account, bytes32 nonce, uint256 expiry)` with
`action` "read reports" in the `X-Genip-*` headers (`api.wallet_auth`: single-use nonce, short expiry).
Resolving is `ReportResolution(string action, address account, uint256 reportId, string resolution, bytes32
nonce, uint256 expiry)` with `action` "resolve report", in the body.
"""

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Body, File, Form, Header, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.addresses import parse_address
from api.body_limits import BODY_ERRORS
from api.cpu import run_cpu
from api.deps import ChainDep, SessionDep
from api.matcher import lookup, match_config, matcher
from api.params import FORM_ADDRESS_PATTERN, FORM_ADDRESS_SCHEMA, AddressPath, JsonInt, optional_value
from api.platform_auth import BEARER_ERRORS, OptionalPlatformDep, PlatformDep
from api.routes.match import MatchCandidate, judge, read_limited, refusal
from api.routes.match_hashes import HASH_PATTERN
from api.schemas import MAX_ASSET_ID, ErrorBody, UnprocessableBody
from api.wallet_auth import (
    COMMON_FIELDS,
    HEADER_ACCOUNT,
    HEADER_EXPIRY,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    WalletAuthError,
    parse_signed,
    verify_signed,
)
from genip import reports
from genip.db import models
from genip.errors import NotFoundError
from genip.matching.errors import MatchingError
from genip.matching.perceptual import QueryHash

__all__ = [
    "READ_ACTION",
    "READ_FIELDS",
    "READ_TYPE",
    "RESOLVE_ACTION",
    "RESOLVE_FIELDS",
    "RESOLVE_TYPE",
    "ReportPublic",
    "Resolution",
    "read_message",
    "resolve_message",
    "router",
]

router = APIRouter(tags=["reports"])

READ_TYPE: Final = "ReportsRead"
READ_ACTION: Final = "read reports"
READ_FIELDS: Final = COMMON_FIELDS
RESOLVE_TYPE: Final = "ReportResolution"
RESOLVE_ACTION: Final = "resolve report"
RESOLVE_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    COMMON_FIELDS[0],  # action
    COMMON_FIELDS[1],  # account
    ("reportId", "uint256"),
    ("resolution", "string"),
    COMMON_FIELDS[2],  # nonce
    COMMON_FIELDS[3],  # expiry
)
#: A post id: 1-200 characters, no control characters (nor NUL: it never reaches the database).
POST_ID_PATTERN: Final = r"^[^\x00-\x1f\x7f]{1,200}$"

DESCRIPTION = """
A platform reports a post: its id on the platform (`post_id`), the uploaded image (`image`) or its PDQ
hash (`pdq`, optionally `phash`, computed with Gen-IP's preparation as for `POST /match/hashes`), and the
uploader's Gen-IP account (`account`, optional: without one nobody is assumed licensed). The upload is matched
and judged exactly as `POST /match` (an image: its 8 rotations/flips, thumbnails and keypoints) or
`POST /match/hashes` (hashes) do, for `use` `display`, and stored as a report with its verdict and candidates.

* `verdict` `unregistered`: nothing registered matched. The report is stored (`state` `closed`): only the
  platform sees it, nobody resolves it.
* Otherwise the report is about the work the verdict rests on (`asset_id`): its owner sees it on the dashboard
  (`GET /accounts/{address}/reports`, signed) and answers once with `keep`, `flag` or `take_down`
  (`POST /reports/{id}/resolution`); the platform then receives the `report.resolved` webhook with the action.
* `claim`: when the uploader's own registration was found as a possible copy of that work, the owner can bring
  a claim in the dispute court against it (`claim.asset_id`, naming the reported work as theirs), with the
  report's evidence hash (keccak256 of `claim.evidence`, canonical JSON). Without one the post is not a
  registered work, and the owner's remedy is the takedown decision.

The same post with the same upload reported again by the same platform answers 200 with the stored report
(a retry creates nothing). Refusals: 401 no or a bad platform key; 400 a malformed account; 413 an image too
large; 415 not an image; 422 neither or both of `image` and `pdq`, a bad hash, post id or use, or an image
that cannot be matched (too flat, a decompression bomb).
"""


class ReportClaim(BaseModel):
    """The claim the owner can bring from this report (the dispute court's `raise`)."""

    asset_id: int = Field(description="The uploader's registration the claim is against (a possible copy).")
    claimant_asset_id: int = Field(description="The reported work, named as the claimant's earlier original.")
    evidence_hash: str = Field(description="keccak256 of `evidence` as canonical JSON: the claim's evidence.")
    evidence: dict[str, Any] = Field(description="The report's evidence document (show it to the arbiter).")


class ReportPublic(BaseModel):
    """A stored report, for the platform that made it and the reported work's owner."""

    id: int
    chain_id: int
    platform: str = Field(description="The reporting platform's name.")
    post_id: str
    uploader: str | None = Field(description="The uploader's account, as the platform gave it.")
    source: Literal["image", "hashes"] = Field(
        description="Whether the platform sent the image or its hashes."
    )
    pdq: str = Field(description="The upload's PDQ hash (hex), as matched.")
    verdict: Literal["licensed", "unlicensed", "unregistered", "disputed"]
    asset_id: int | None = Field(description="The work the verdict rests on (null: unregistered).")
    title: str | None = Field(default=None, description="That work's title, when indexed.")
    owner: str | None = Field(default=None, description="That work's owner now: who resolves the report.")
    candidates: list[MatchCandidate]
    note: str | None = None
    state: Literal["open", "resolved", "closed"] = Field(
        description="open (awaiting the owner), resolved, or closed (unregistered: nothing to resolve)."
    )
    resolution: Literal["keep", "flag", "take_down"] | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    created_at: datetime
    claim: ReportClaim | None = Field(default=None, description="The claim the owner can bring, if any.")


class Resolution(BaseModel):
    """The owner's decision on a report, signed (`ReportResolution`, see the description)."""

    model_config = ConfigDict(extra="forbid")

    account: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$", description="The signing owner.")
    action: Literal["keep", "flag", "take_down"]
    nonce: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="32 random bytes, 0x-hex, used once.")
    expiry: JsonInt = Field(ge=0, le=10**11, description="Unix seconds (wall clock) the signature lapses at.")
    signature: str = Field(
        pattern=r"^(0x)?[0-9a-fA-F]{130}$",
        description="eth_signTypedData_v4 of the ReportResolution message.",
    )


def read_message(account: str, nonce: str, expiry: int) -> dict[str, Any]:
    """The `ReportsRead` message an owner signs to read their reports."""
    return {"action": READ_ACTION, "account": account, "nonce": nonce, "expiry": expiry}


def resolve_message(account: str, report_id: int, action: str, nonce: str, expiry: int) -> dict[str, Any]:
    """The `ReportResolution` message an owner signs to resolve report `report_id` with `action`."""
    return {
        "action": RESOLVE_ACTION,
        "account": account,
        "reportId": report_id,
        "resolution": action,
        "nonce": nonce,
        "expiry": expiry,
    }


def _public(view: reports.ReportView) -> ReportPublic:
    claim = None
    if view.claim_asset_id is not None and view.asset_id is not None and view.evidence and view.evidence_hash:
        claim = ReportClaim(
            asset_id=view.claim_asset_id,
            claimant_asset_id=view.asset_id,
            evidence_hash=view.evidence_hash,
            evidence=view.evidence,
        )
    return ReportPublic(
        id=view.id,
        chain_id=view.chain_id,
        platform=view.platform,
        post_id=view.post_id,
        uploader=view.uploader,
        source=view.source,  # type: ignore[arg-type]
        pdq=view.pdq,
        verdict=view.verdict,  # type: ignore[arg-type]
        asset_id=view.asset_id,
        title=view.title,
        owner=view.owner,
        candidates=[MatchCandidate.model_validate(c) for c in view.candidates],
        note=view.note,
        state=view.state,  # type: ignore[arg-type]
        resolution=view.resolution,  # type: ignore[arg-type]
        resolved_by=view.resolved_by,
        resolved_at=view.resolved_at,
        created_at=view.created_at,
        claim=claim,
    )


_Account = Annotated[str | None, Header(alias=HEADER_ACCOUNT, description="The signing owner.")]
_Nonce = Annotated[str | None, Header(alias=HEADER_NONCE, description="32 random bytes, 0x-hex.")]
_Expiry = Annotated[str | None, Header(alias=HEADER_EXPIRY, description="Unix seconds, wall clock.")]
_Signature = Annotated[
    str | None, Header(alias=HEADER_SIGNATURE, description="EIP-712 ReportsRead signature.")
]
ReportId = Annotated[int, Path(ge=1, le=MAX_ASSET_ID, description="The report's id.")]

_401_SIGNED = {
    "model": ErrorBody,
    "description": "No valid platform key, nor a valid, fresh, unused signature.",
}


def _signer(
    session: Session,
    chain_id: int,
    account: str | None,
    nonce: str | None,
    expiry: str | None,
    sig: str | None,
) -> str:
    """The owner who signed `ReportsRead` in the headers; 401 otherwise."""
    try:
        signed = parse_signed(account, nonce, expiry, sig)
        return verify_signed(
            session,
            chain_id=chain_id,
            primary_type=READ_TYPE,
            fields=READ_FIELDS,
            message=read_message(signed.account, signed.nonce, signed.expiry),
            signature=signed.signature,
        )
    except WalletAuthError as exc:
        raise HTTPException(401, str(exc), headers={"Cache-Control": "no-store, private"}) from None


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportPublic,
    summary="Report a post: match its image (or hashes) and store the verdict for the work's owner",
    description=DESCRIPTION,
    responses={
        200: {
            "model": ReportPublic,
            "description": "This post and upload were reported before: that report.",
        },
        400: {"model": ErrorBody, "description": "Malformed or wrongly checksummed account address."},
        **BEARER_ERRORS,
        413: {"model": ErrorBody, "description": "The image file is too large."},
        415: {"model": ErrorBody, "description": "Not an image in a supported format, or corrupt."},
        422: {
            "model": UnprocessableBody,
            "description": "Neither or both of `image` and `pdq`, a bad hash, post id or use, or an image "
            "that cannot be matched.",
        },
    },
)
async def post_report(
    request: Request,
    platform: PlatformDep,
    state: ChainDep,
    post_id: Annotated[
        str, Form(pattern=POST_ID_PATTERN, description="The post's id on the platform (1-200 characters).")
    ],
    account: Annotated[
        str | None,
        optional_value(FORM_ADDRESS_SCHEMA),
        Form(pattern=FORM_ADDRESS_PATTERN, description="The uploader's 0x address (empty: none)."),
    ] = None,
    image: Annotated[UploadFile | None, File(description="The uploaded image (or send `pdq`).")] = None,
    pdq: Annotated[
        str | None, Form(pattern=HASH_PATTERN, description="The upload's PDQ hash, 64 hex digits.")
    ] = None,
    phash: Annotated[
        str | None, Form(pattern=HASH_PATTERN, description="Optional pHash-256 with `pdq`, 64 hex digits.")
    ] = None,
) -> Any:
    """Match, judge and store a reported post (see the description)."""
    uploader = parse_address(account.strip(), field="account") if account and account.strip() else None
    if (image is None) == (pdq is None):
        raise HTTPException(422, "send the post's image or its `pdq` hash (one of the two)")
    if phash is not None and pdq is None:
        raise HTTPException(422, "`phash` goes with `pdq`")
    data = await read_limited(image, match_config(request.app).max_bytes) if image is not None else None
    chain_id = state.chain_id or platform.chain_id

    def answer() -> tuple[reports.ReportView, bool]:
        if data is not None:
            try:
                query = matcher(request.app).hash(data)
            except MatchingError as exc:
                raise refusal(exc) from None
        else:
            assert pdq is not None
            query = QueryHash(
                variants=(bytes.fromhex(pdq.removeprefix("0x")),),
                quality=100,
                phash_variants=(bytes.fromhex(phash.removeprefix("0x")),) if phash else (),
            )
        found = lookup(request.app, query)
        with request.app.state.autocommit_engine.connect() as connection:
            result = judge(request.app, connection, found, account=uploader, use="display")
            candidates = [c.model_dump(mode="json") for c in result.candidates]
            copies = [c.asset_id for c in result.candidates if c.role == "possible_copy"]
            a = models.Asset
            owners = {
                int(r.asset_id): str(r.owner)
                for r in connection.execute(
                    select(a.asset_id, a.owner).where(a.chain_id == chain_id, a.asset_id.in_(copies))
                )
            }
        new = reports.NewReport(
            chain_id=chain_id,
            platform_id=platform.id,
            post_id=post_id,
            uploader=uploader,
            source="image" if data is not None else "hashes",
            pdq=query.hash.hex(),
            phash=query.phash_variants[0].hex() if query.phash_variants else None,
            verdict=result.verdict,
            asset_id=result.rests_on,
            claim_asset_id=reports.claim_target(candidates, result.rests_on, uploader, owners),
            candidates=candidates,
            note=result.note,
        )
        return reports.store_report(request.app.state.engine, new)

    view, created = await run_cpu(answer)
    body = _public(view)
    if created:
        return body
    return JSONResponse(body.model_dump(mode="json"), status_code=200)


@router.get(
    "/reports/{report_id}",
    response_model=ReportPublic,
    summary="One report, for the platform that made it or the reported work's owner",
    responses={
        401: _401_SIGNED,
        403: {"model": ErrorBody, "description": "The signer does not own the reported work."},
        404: {"model": ErrorBody, "description": "No such report (or not this platform's)."},
    },
)
def get_report(
    request: Request,
    report_id: ReportId,
    platform: OptionalPlatformDep,
    session: SessionDep,
    state: ChainDep,
    x_genip_account: _Account = None,
    x_genip_nonce: _Nonce = None,
    x_genip_expiry: _Expiry = None,
    x_genip_signature: _Signature = None,
) -> ReportPublic:
    """The platform's key, or the owner's `ReportsRead` signature in the `X-Genip-*` headers."""
    engine = request.app.state.engine
    if platform is not None:
        view = reports.get_report(engine, state.chain_id or platform.chain_id, report_id)
        if view is None or view.platform_id != platform.id:
            raise HTTPException(404, f"your platform made no report {report_id}")
        return _public(view)
    signer = _signer(
        session, state.chain_id, x_genip_account, x_genip_nonce, x_genip_expiry, x_genip_signature
    )
    view = reports.get_report(engine, state.chain_id, report_id)
    if view is None:
        raise HTTPException(404, f"no report {report_id} on chain {state.chain_id}")
    if view.owner is None or view.owner.lower() != signer.lower():
        raise HTTPException(403, f"{signer} does not own the work report {report_id} is about")
    return _public(view)


@router.get(
    "/accounts/{address}/reports",
    response_model=list[ReportPublic],
    summary="Reports about the works an account owns (signed by that account)",
    responses={
        400: {"model": ErrorBody, "description": "A malformed address."},
        401: {"model": ErrorBody, "description": "No valid, fresh, unused ReportsRead signature."},
        403: {"model": ErrorBody, "description": "Signed by another account than `address`."},
    },
)
def get_account_reports(
    request: Request,
    address: AddressPath,
    session: SessionDep,
    state: ChainDep,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many, newest first.")] = 50,
    before: Annotated[
        int | None,
        Query(ge=1, le=MAX_ASSET_ID, description="Only reports with a smaller id (the next page)."),
    ] = None,
    x_genip_account: _Account = None,
    x_genip_nonce: _Nonce = None,
    x_genip_expiry: _Expiry = None,
    x_genip_signature: _Signature = None,
) -> list[ReportPublic]:
    """The owner's reports: every report resting on a work the address owns now, newest first."""
    owner = parse_address(address.strip())
    signer = _signer(
        session, state.chain_id, x_genip_account, x_genip_nonce, x_genip_expiry, x_genip_signature
    )
    if signer.lower() != owner.lower():
        raise HTTPException(403, f"reports of {owner} are for {owner}'s wallet only (signed by {signer})")
    engine = request.app.state.engine
    found = reports.reports_of_owner(engine, state.chain_id, owner, limit=limit, before=before)
    return [_public(v) for v in found]


@router.post(
    "/reports/{report_id}/resolution",
    response_model=ReportPublic,
    summary="Resolve a report (the reported work's owner): keep, flag or take down",
    responses={
        **BODY_ERRORS,
        400: {"model": ErrorBody, "description": "A malformed account or JSON body, or one nested too deep."},
        401: {"model": ErrorBody, "description": "No valid, fresh, unused ReportResolution signature."},
        403: {"model": ErrorBody, "description": "The signer does not own the reported work."},
        404: {"model": ErrorBody, "description": "No such report."},
        409: {"model": ErrorBody, "description": "Resolved already, or unregistered (nothing to resolve)."},
        422: {"model": UnprocessableBody, "description": "A bad action, nonce, expiry or signature field."},
    },
)
def post_resolution(
    request: Request,
    report_id: ReportId,
    resolution: Annotated[Resolution, Body()],
    session: SessionDep,
    state: ChainDep,
) -> ReportPublic:
    """Checks the owner's `ReportResolution` signature, records the action and queues `report.resolved`."""
    try:
        signed = parse_signed(
            resolution.account, resolution.nonce, str(resolution.expiry), resolution.signature
        )
        signer = verify_signed(
            session,
            chain_id=state.chain_id,
            primary_type=RESOLVE_TYPE,
            fields=RESOLVE_FIELDS,
            message=resolve_message(
                signed.account, report_id, resolution.action, signed.nonce, signed.expiry
            ),
            signature=signed.signature,
        )
    except WalletAuthError as exc:
        raise HTTPException(401, str(exc)) from None
    try:
        view = reports.resolve_report(
            request.app.state.engine,
            state.chain_id,
            report_id,
            action=resolution.action,
            by=signer,
        )
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except reports.NotOwnerError as exc:
        raise HTTPException(403, str(exc)) from None
    except reports.ReportConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    return _public(view)
