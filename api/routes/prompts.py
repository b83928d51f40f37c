"""`/prompts`: private prompt submissions for the check, the creator's view of them, public verification.

- `GET /prompts/checker-key`: the checker's X25519 public key (`GENIP_CHECKER_PUBLIC_KEY`) and its id:
  creators seal the payload to it (libsodium `crypto_box_seal`).
- `POST /prompts/{asset_id}`: the creator submits the sealed payload (the prompt's parts and salt), signed
  with their wallet (EIP-712 `PromptSubmission` over the asset's indexed commitment and keccak256 of the exact
  sealed bytes). The API stores the ciphertext and cannot open it; the checker process opens it, checks it
  against the commitment (`rejected` if it does not match: the creator may submit again) and the policy.
- `GET /prompts/{asset_id}`: the creator's own submission (EIP-712 `PromptAccess`): its progress and the
  checker's report (the rules that fired, or why it was rejected); never the text, which the API cannot read.
- `GET /prompts/{asset_id}/check`: public — "prompt checked: passed, by <checker>, at block N" and where the
  submission is in the queue; never any text.
- `POST /prompts/{asset_id}/verify-part`: public — whether a revealed part opens the commitment, computed
  exactly as the contract's `verifyPromptPart`.

The API holds no key of the checker's: neither the private key prompts are sealed to nor its signing key.
Without `GENIP_CHECKER_PUBLIC_KEY` the submission endpoints answer 503.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from api.addresses import parse_address
from api.body_limits import BODY_ERRORS
from api.deps import ChainDep, SessionDep, SettingsDep
from api.params import ADDRESS_FORMAT, ADDRESS_PATTERN, JsonInt, address_schema, optional_value
from api.schemas import MAX_ASSET_ID, ErrorBody, UnprocessableBody
from genip.checker.auth import AuthError, access_typed_data, recover
from genip.checker.sealing import CheckerPublicKey
from genip.checker.submissions import (
    MAX_SEALED,
    SealedSubmission,
    SubmissionError,
    SubmissionExists,
    SubmissionStore,
)
from genip.db import models
from genip.errors import ConfigError
from genip.prompts import part_leaf, verify_proof
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
_409 = {"model": ErrorBody, "description": "The asset already has a prompt submission (not rejected)."}
_422 = {
    "model": UnprocessableBody,
    "description": "The sealed payload is malformed or sealed to another key than the checker's, or the body "
    "is malformed.",
}
_422_PART = {"model": UnprocessableBody, "description": "The body is malformed (part name, salt or proof)."}
_503 = {
    "model": ErrorBody,
    "description": "The API has no GENIP_CHECKER_PUBLIC_KEY (or the database is down).",
}


class CheckerKeyOut(BaseModel):
    """The key creators seal their prompt submissions to."""

    public_key: str = Field(description="X25519 public key, 0x-hex (32 bytes).")
    key_id: str = Field(description="Its id, sent back with each submission (sha256 prefix).")
    algorithm: str = Field(description="How to seal: libsodium's sealed box.")
    payload: str = Field(description="What to seal.")


class PromptSubmissionIn(BaseModel):
    """A creator's private submission: the payload sealed to the checker's key, and their wallet signature."""

    sealed: str = Field(
        min_length=4,
        max_length=(MAX_SEALED + 2) // 3 * 4,
        description="base64 of `crypto_box_seal(payload, checker public key)`; payload = the UTF-8 JSON "
        '`{"parts": {name: text}, "salt": hex}` (parts: prompt, negative_prompt, seed, model, workflow — '
        "only `prompt` for a single prompt commitment; the salt is the master salt or the salt, 32 bytes).",
    )
    key_id: str = Field(min_length=1, max_length=64, description="`key_id` of the key it is sealed to.")
    deadline: JsonInt = Field(
        ge=0, lt=2**63, description="Unix time the signature expires (at most 1 h ahead)."
    )
    signature: str = Field(
        pattern=_SIGNATURE,
        description="EIP-712 PromptSubmission(assetId, commitment, payloadHash, deadline) by the creator; "
        "payloadHash = keccak256 of the sealed bytes.",
    )


class SubmissionAccepted(BaseModel):
    """A stored (sealed) submission, waiting for the checker."""

    asset_id: int
    submission_id: int
    commitment: str
    key_id: str
    status: str


class PromptPrivate(BaseModel):
    """The creator's own submission: its progress and the checker's report; never the text (the API cannot
    open it). Served only to them, never cached."""

    asset_id: int
    creator: str
    scheme: str | None = Field(description="parts or single, once the checker opened it.")
    key_id: str
    status: str = Field(description="pending, needs_review, attested or rejected.")
    outcome: str | None
    report: dict[str, Any] | None = Field(
        description="The rules that fired (ids and protected names), or why the submission was rejected."
    )


class SubmissionState(BaseModel):
    """Where the private submission is (no text)."""

    status: str = Field(description="pending, needs_review, attested or rejected.")
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


def current_checker_key(request: Request, settings: SettingsDep) -> CheckerPublicKey:
    cached: CheckerPublicKey | None = getattr(request.app.state, "checker_public_key", None)
    if cached is not None:
        return cached
    if not settings.checker_public_key:
        raise HTTPException(503, "prompt submissions are disabled: the API has no GENIP_CHECKER_PUBLIC_KEY")
    try:
        key = CheckerPublicKey.from_text(settings.checker_public_key, "GENIP_CHECKER_PUBLIC_KEY")
    except ConfigError as exc:
        raise HTTPException(503, f"prompt submissions are disabled: {exc}") from None
    request.app.state.checker_public_key = key
    return key


def _store(request: Request) -> SubmissionStore:
    engine: Engine = request.app.state.engine
    return SubmissionStore(engine)


def _asset(session: SessionDep, chain_id: int, asset_id: int) -> models.Asset:
    asset = session.get(models.Asset, (chain_id, asset_id))
    if asset is None:
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {chain_id}")
    return asset


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _auth_error(exc: AuthError) -> HTTPException:
    return HTTPException(403 if str(exc).startswith("signed by") else 401, str(exc))


def _auth(typed: dict[str, object], signature: str, creator: str) -> None:
    try:
        recover(typed, signature, expected=creator)
    except AuthError as exc:
        raise _auth_error(exc) from None


@router.get(
    "/checker-key",
    response_model=CheckerKeyOut,
    responses={503: _503},
    summary="The checker's public key, to seal prompt submissions to",
)
def checker_key(request: Request, settings: SettingsDep) -> CheckerKeyOut:
    """The X25519 public key only the checker process holds the private half of."""
    key = current_checker_key(request, settings)
    return CheckerKeyOut(
        public_key=key.hex,
        key_id=key.key_id,
        algorithm="libsodium sealed box (crypto_box_seal: X25519, XSalsa20-Poly1305)",
        payload='UTF-8 JSON {"parts": {name: text}, "salt": hex}',
    )


@router.post(
    "/{asset_id:int}",
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
    """Stores the creator's signed, sealed payload for the checker process, which alone can open it and
    checks it against the asset's commitment."""
    key = current_checker_key(request, settings)
    asset = _asset(session, state.chain_id, asset_id)
    try:
        submission_id = _store(request).accept(
            SealedSubmission(body.sealed, body.key_id, body.deadline, body.signature),
            key,
            chain_id=state.chain_id,
            asset_id=asset_id,
            creator=asset.creator,
            commitment=asset.prompt_commitment,
        )
    except AuthError as exc:
        raise _auth_error(exc) from None
    except SubmissionExists as exc:
        raise HTTPException(409, str(exc)) from None
    except SubmissionError as exc:
        raise HTTPException(422, str(exc)) from None
    return SubmissionAccepted(
        asset_id=asset_id,
        submission_id=submission_id,
        commitment=asset.prompt_commitment,
        key_id=key.key_id,
        status="pending",
    )


@router.get(
    "/{asset_id:int}",
    response_model=PromptPrivate,
    responses={400: _400, 401: _401, 403: _403, 404: _404},
    summary="The creator's own submission and its report",
    description=(
        "Only for the asset's creator: an EIP-712 `PromptAccess(assetId, account, deadline)` signature, as "
        "query parameters or `X-Genip-Account`, `X-Genip-Deadline`, `X-Genip-Signature` headers. Never the "
        "prompt: the API cannot open it."
    ),
)
def read_prompt(
    asset_id: AssetId,
    response: Response,
    session: SessionDep,
    state: ChainDep,
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
    """The submission's progress and report, for the creator who signed the request."""
    account = account or x_genip_account
    deadline = deadline if deadline is not None else x_genip_deadline
    signature = signature or x_genip_signature
    if account is None or deadline is None or signature is None:
        raise HTTPException(401, "sign in: account, deadline and signature (EIP-712 PromptAccess) needed")
    who = parse_address(account, field="account")
    asset = _asset(session, state.chain_id, asset_id)
    _auth(access_typed_data(state.chain_id, asset_id, who, deadline), signature, asset.creator)
    if who.lower() != asset.creator.lower():
        raise HTTPException(403, "only the asset's creator can read its submission")
    row = (
        session.query(models.PromptSubmission)
        .filter_by(chain_id=state.chain_id, asset_id=asset_id)
        .one_or_none()
    )
    if row is None:
        raise HTTPException(404, f"asset {asset_id} has no prompt submission")
    response.headers["Cache-Control"] = "no-store, private"
    return PromptPrivate(
        asset_id=asset_id,
        creator=asset.creator,
        scheme=row.scheme,
        key_id=row.key_id,
        status=row.status,
        outcome=row.outcome,
        report=row.report,
    )


@router.get(
    "/{asset_id:int}/check",
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
    elif submission is not None and submission.status == "rejected":
        summary = "prompt submission rejected: it did not open the commitment; the creator may submit again"
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
    "/{asset_id:int}/verify-part",
    response_model=VerifyPartOut,
    responses={400: _400_BODY, 404: _404, 413: _413, 422: _422_PART},
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
