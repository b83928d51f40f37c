"""`/prompts`: private prompt submissions for the check, the creator's read-back, and public verification.

- `POST /prompts/{asset_id}`: the creator submits the prompt's parts and salt, signed with their wallet
  (EIP-712 `PromptSubmission` over the asset's indexed commitment and keccak256 of the exact payload). The
  parts must reproduce the commitment; they are stored sealed (AES-GCM, `GENIP_CHECKER_KEY`), never in clear.
- `GET /prompts/{asset_id}`: the plaintext back, only for the asset's creator (EIP-712 `PromptAccess`).
- `GET /prompts/{asset_id}/check`: public — "prompt checked: passed, by <checker>, at block N" and where the
  submission is in the queue; never any text.
- `POST /prompts/{asset_id}/verify-part`: public — whether a revealed part opens the commitment, computed
  exactly as the contract's `verifyPromptPart`.

The API holds the sealing key only; the checker's signing key lives in the checker process alone. Without
`GENIP_CHECKER_KEY` the submission and read-back endpoints answer 503.
"""

from typing import Annotated, Literal

from eth_hash.auto import keccak
from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from api.addresses import parse_address
from api.body_limits import BODY_ERRORS
from api.deps import ChainDep, SessionDep, SettingsDep
from api.params import ADDRESS_FORMAT, ADDRESS_PATTERN, JsonInt, address_schema, optional_value
from api.schemas import MAX_ASSET_ID, ErrorBody, UnprocessableBody
from genip.checker.auth import AuthError, access_typed_data, recover, submission_typed_data
from genip.checker.sealing import Sealer, SealError
from genip.checker.submissions import PromptPayload, SubmissionError, SubmissionStore
from genip.db import models
from genip.errors import ConfigError
from genip.prompts import PromptError, part_leaf, verify_proof
from genip.rules import PromptCheckStatus

__all__ = ["router"]

router = APIRouter(prefix="/prompts", tags=["prompts"])

AssetId = Annotated[int, Path(ge=0, le=MAX_ASSET_ID, description="Asset (certificate token) id.")]
PartName = Literal["prompt", "negative_prompt", "seed", "model", "workflow"]
_HEX32 = r"^(0x)?[0-9a-fA-F]{64}$"
_SIGNATURE = r"^(0x)?[0-9a-fA-F]{130}$"
_MAX_PART = 64 * 1024

_400 = {"model": ErrorBody, "description": "Malformed or wrongly checksummed account address."}
_400_BODY = {
    "model": ErrorBody,
    "description": "The body is not UTF-8 (or not JSON), or nests deeper than GENIP_API_MAX_JSON_DEPTH.",
}
_413 = BODY_ERRORS[413]
_401 = {"model": ErrorBody, "description": "Missing, malformed or expired wallet signature."}
_403 = {"model": ErrorBody, "description": "Signed by another wallet than the asset's creator."}
_404 = {"model": ErrorBody, "description": "No such asset on the served chain (or no submission)."}
_409 = {"model": ErrorBody, "description": "The asset already has a prompt submission."}
_422 = {
    "model": UnprocessableBody,
    "description": "The parts do not match the asset's prompt commitment, or the body is malformed.",
}
_503 = {"model": ErrorBody, "description": "The API has no GENIP_CHECKER_KEY (or the database is down)."}


class PromptSubmissionIn(BaseModel):
    """A creator's private submission: the parts, the (master) salt, and their wallet signature."""

    parts: dict[PartName, Annotated[str, Field(max_length=_MAX_PART)]] = Field(
        description="Part name → text (the workflow as canonical JSON text). Only `prompt` for a single "
        "prompt commitment."
    )
    salt: str = Field(pattern=_HEX32, description="The master salt (parts) or the salt (single), hex.")
    deadline: JsonInt = Field(
        ge=0, lt=2**63, description="Unix time the signature expires (at most 1 h ahead)."
    )
    signature: str = Field(
        pattern=_SIGNATURE,
        description="EIP-712 PromptSubmission(assetId, commitment, payloadHash, deadline) by the creator; "
        "payloadHash = keccak256 of the canonical payload JSON (`PromptPayload.to_bytes`).",
    )


class SubmissionAccepted(BaseModel):
    """A stored (sealed) submission, waiting for the checker."""

    asset_id: int
    submission_id: int
    scheme: str = Field(description="parts (Merkle root) or single (salted hash).")
    commitment: str
    status: str


class PromptPrivate(BaseModel):
    """The creator's own submission, in clear (served only to them, never cached)."""

    asset_id: int
    creator: str
    scheme: str
    parts: dict[str, str]
    salt: str
    status: str
    outcome: str | None


class SubmissionState(BaseModel):
    """Where the private submission is (no text)."""

    status: str = Field(description="pending, needs_review or attested.")
    outcome: str | None = Field(description="pass, fail or needs_review once checked.")
    attest_tx: str | None


class PromptCheckState(BaseModel):
    """The public state of an asset's prompt check: who attested what, and when; never the prompt."""

    asset_id: int
    status: str = Field(description="unchecked, passed or failed (the latest on-chain attestation).")
    checker: str | None
    block_number: int | None
    report_hash: str | None
    submission: SubmissionState | None = Field(description="The private submission's progress, if any.")
    summary: str = Field(description='e.g. "prompt checked: passed, by 0x…, at block 42".')
    as_of_block: int


class VerifyPartIn(BaseModel):
    """A revealed part: its name, value (UTF-8 text, as the creator's vault keeps it), salt and proof."""

    part: PartName
    value: str = Field(max_length=_MAX_PART)
    salt: str = Field(pattern=_HEX32)
    proof: list[Annotated[str, Field(pattern=_HEX32)]] = Field(default_factory=list, max_length=32)


class VerifyPartOut(BaseModel):
    """Whether the part opens the asset's commitment (as `verifyPromptPart` answers on-chain)."""

    asset_id: int
    part: str
    verified: bool
    commitment: str
    as_of_block: int


def _sealer(request: Request, settings: SettingsDep) -> Sealer:
    cached: Sealer | None = getattr(request.app.state, "prompt_sealer", None)
    if cached is not None:
        return cached
    if settings.checker_key is None:
        raise HTTPException(
            503, "prompt submissions are disabled: the API has no GENIP_CHECKER_KEY (the sealing key)"
        )
    try:
        sealer = Sealer.from_setting(settings.checker_key.get_secret_value())
    except ConfigError as exc:
        raise HTTPException(503, f"prompt submissions are disabled: {exc}") from None
    request.app.state.prompt_sealer = sealer
    return sealer


def _store(request: Request, sealer: Sealer) -> SubmissionStore:
    engine: Engine = request.app.state.engine
    return SubmissionStore(engine, sealer)


def _asset(session: SessionDep, chain_id: int, asset_id: int) -> models.Asset:
    asset = session.get(models.Asset, (chain_id, asset_id))
    if asset is None:
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {chain_id}")
    return asset


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _auth(typed: dict[str, object], signature: str, creator: str) -> None:
    try:
        recover(typed, signature, expected=creator)
    except AuthError as exc:
        raise HTTPException(403 if str(exc).startswith("signed by") else 401, str(exc)) from None


@router.post(
    "/{asset_id}",
    status_code=201,
    response_model=SubmissionAccepted,
    responses={400: _400_BODY, 401: _401, 403: _403, 404: _404, 409: _409, 413: _413, 422: _422, 503: _503},
    summary="Submit the prompt privately for the check",
)
def submit_prompt(
    asset_id: AssetId,
    body: PromptSubmissionIn,
    request: Request,
    session: SessionDep,
    state: ChainDep,
    settings: SettingsDep,
) -> SubmissionAccepted:
    """Accepts the creator's signed prompt parts when they reproduce the asset's commitment; stores them
    sealed for the checker process."""
    sealer = _sealer(request, settings)
    asset = _asset(session, state.chain_id, asset_id)
    commitment = _hex(asset.prompt_commitment)
    payload = PromptPayload({str(k): v for k, v in body.parts.items()}, _hex(body.salt))
    payload_hash = bytes(keccak(payload.to_bytes()))
    typed = submission_typed_data(state.chain_id, asset_id, commitment, payload_hash, body.deadline)
    _auth(typed, body.signature, asset.creator)
    store = _store(request, sealer)
    if store.get(state.chain_id, asset_id) is not None:
        raise HTTPException(409, f"asset {asset_id} already has a prompt submission")
    try:
        scheme = payload.scheme_for(commitment, creator=asset.creator)
    except (SubmissionError, PromptError) as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        submission_id = store.submit(
            chain_id=state.chain_id,
            asset_id=asset_id,
            creator=asset.creator,
            commitment=asset.prompt_commitment,
            payload=payload,
        )
    except SubmissionError as exc:  # lost a race with a concurrent submission
        raise HTTPException(409, str(exc)) from None
    return SubmissionAccepted(
        asset_id=asset_id,
        submission_id=submission_id,
        scheme=scheme,
        commitment=asset.prompt_commitment,
        status="pending",
    )


@router.get(
    "/{asset_id}",
    response_model=PromptPrivate,
    responses={400: _400, 401: _401, 403: _403, 404: _404, 503: _503},
    summary="The creator's own submitted prompt",
    description=(
        "Only for the asset's creator: an EIP-712 `PromptAccess(assetId, account, deadline)` signature, as "
        "query parameters or `X-Genip-Account`, `X-Genip-Deadline`, `X-Genip-Signature` headers."
    ),
)
def read_prompt(
    asset_id: AssetId,
    request: Request,
    response: Response,
    session: SessionDep,
    state: ChainDep,
    settings: SettingsDep,
    account: Annotated[str | None, Query(**address_schema())] = None,
    deadline: Annotated[int | None, Query(ge=0, lt=2**63)] = None,
    signature: Annotated[str | None, Query(pattern=_SIGNATURE)] = None,
    x_genip_account: Annotated[
        str | None,
        optional_value({"type": "string", "pattern": ADDRESS_PATTERN, "format": ADDRESS_FORMAT}),
        Header(**address_schema()),
    ] = None,
    x_genip_deadline: Annotated[
        int | None,
        optional_value({"type": "integer", "minimum": 0, "maximum": 2**63 - 1}),
        Header(ge=0, lt=2**63),
    ] = None,
    x_genip_signature: Annotated[
        str | None, optional_value({"type": "string", "pattern": _SIGNATURE}), Header(pattern=_SIGNATURE)
    ] = None,
) -> PromptPrivate:
    """The plaintext parts, for the creator who signed the request."""
    sealer = _sealer(request, settings)
    account = account or x_genip_account
    deadline = deadline if deadline is not None else x_genip_deadline
    signature = signature or x_genip_signature
    if account is None or deadline is None or signature is None:
        raise HTTPException(401, "sign in: account, deadline and signature (EIP-712 PromptAccess) needed")
    who = parse_address(account, field="account")
    asset = _asset(session, state.chain_id, asset_id)
    _auth(access_typed_data(state.chain_id, asset_id, who, deadline), signature, asset.creator)
    if who.lower() != asset.creator.lower():
        raise HTTPException(403, "only the asset's creator can read its prompt")
    store = _store(request, sealer)
    row = store.get(state.chain_id, asset_id)
    if row is None:
        raise HTTPException(404, f"asset {asset_id} has no prompt submission")
    try:
        payload = store.open(row)
    except SealError as exc:
        raise HTTPException(503, f"the submission cannot be opened with this API's key: {exc}") from None
    response.headers["Cache-Control"] = "no-store, private"
    return PromptPrivate(
        asset_id=asset_id,
        creator=asset.creator,
        scheme=row.scheme,
        parts=dict(payload.parts),
        salt="0x" + payload.salt.hex(),
        status=row.status,
        outcome=row.outcome,
    )


@router.get(
    "/{asset_id}/check",
    response_model=PromptCheckState,
    responses={404: _404},
    summary="Public prompt-check state",
)
def prompt_check(asset_id: AssetId, session: SessionDep, state: ChainDep) -> PromptCheckState:
    """ "prompt checked: passed, by <checker>, at block N" from the indexed attestation, and the private
    submission's progress; never any prompt text."""
    asset = _asset(session, state.chain_id, asset_id)
    row = (
        session.query(models.PromptSubmission)
        .filter_by(chain_id=state.chain_id, asset_id=asset_id)
        .one_or_none()
    )
    submission = (
        None
        if row is None
        else SubmissionState(status=row.status, outcome=row.outcome, attest_tx=row.attest_tx)
    )
    if asset.prompt_check != PromptCheckStatus.UNCHECKED and asset.prompt_checker is not None:
        summary = (
            f"prompt checked: {asset.prompt_check}, by {asset.prompt_checker}, "
            f"at block {asset.prompt_check_block}"
        )
    elif submission is not None and submission.status == "needs_review":
        summary = "prompt submitted: waiting for a reviewer"
    elif submission is not None:
        summary = "prompt submitted: waiting for the checker"
    else:
        summary = "prompt not checked"
    return PromptCheckState(
        asset_id=asset_id,
        status=asset.prompt_check,
        checker=asset.prompt_checker,
        block_number=asset.prompt_check_block,
        report_hash=asset.prompt_report_hash,
        submission=submission,
        summary=summary,
        as_of_block=state.block_number,
    )


@router.post(
    "/{asset_id}/verify-part",
    response_model=VerifyPartOut,
    responses={400: _400_BODY, 404: _404, 413: _413, 422: _422},
    summary="Verify one revealed prompt part",
    description=(
        "Computes what `GenIPRegistry.verifyPromptPart(assetId, creator, part, value, salt, proof)` answers "
        "for the asset's creator: the leaf `keccak256(keccak256(abi.encode(creator, part, salt, value)))` "
        "(value as UTF-8 bytes) linked by the sorted-pair Merkle proof to the asset's indexed prompt "
        "commitment. Commitments bind their creator, so a root copied onto another creator's work never "
        "opens."
    ),
)
def verify_part(asset_id: AssetId, body: VerifyPartIn, session: SessionDep, state: ChainDep) -> VerifyPartOut:
    """Whether a revealed part opens the asset's prompt commitment."""
    asset = _asset(session, state.chain_id, asset_id)
    commitment = _hex(asset.prompt_commitment)
    leaf = part_leaf(body.part, body.value.encode("utf-8"), _hex(body.salt), creator=asset.creator)
    ok = commitment != bytes(32) and verify_proof(leaf, [_hex(p) for p in body.proof], commitment)
    return VerifyPartOut(
        asset_id=asset_id,
        part=body.part,
        verified=ok,
        commitment=asset.prompt_commitment,
        as_of_block=state.block_number,
    )
