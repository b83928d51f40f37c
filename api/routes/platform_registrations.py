"""`/platform/registrations`: a platform certifies its creators' works in bulk (issue #20 part 3).

`POST` (platform key) takes up to `MAX_ITEMS` works. Each item names:

* `reference_id`: the platform's own id of the work (its post id…); the key of idempotency: sending the same
  reference again answers the registration it made (200) and adds nothing;
* `creator`: the wallet the certificate is for; they authorised the platform's wallet on-chain
  (`authorizePlatform`) or signed this very work (`signature`: `registerFor`'s nonce, deadline and
  EIP-712 signature, which covers the metadata CID);
* `metadata_cid`: the work's metadata, stored by `POST /metadata` after the file went to `POST /uploads`
  (uploaded by this platform's key or signed by the creator's wallet, and not swept).
  Everything on-chain comes from it: kind, content hash, perceptual hash and the prompt commitment the
  creator's client computed (the prompt itself never reaches the API in the clear);
* `prompt` (issue #18: every registration submits its prompt for the check): `{sealed, key_id}`, the prompt
  and salt that open the commitment sealed to the checker's public key (`GET /prompts/checker-key`; the SDK's
  `genip_sdk.prompts.seal_prompt`). **Required whenever this API takes prompts** (it has a
  `GENIP_CHECKER_PUBLIC_KEY`): an item without one is refused (422, saying what to send) and nothing of it is
  stored or relayed. An API without a checker key takes no prompts: it cannot check, so it must not refuse a
  registration for lacking one; it accepts items without a prompt (registered unchecked) and refuses items
  with one (422). A key that is set but malformed still counts as set: items are refused until the operator
  fixes it, never waved through unchecked. Checked here for form and key (422 when sealed to another key; 400
  when not base64 or out of bounds; at most `MAX_SEALED_TEXT` base64 characters), kept sealed with the
  registration and submitted for the check by the relayer once the asset is indexed (`genip.relay`); the
  creator then sees the check's report at `GET /prompts/{asset}`, everyone its result at
  `GET /prompts/{asset}/check`.

Each item is checked on its own and answered with its index and an HTTP status: 202 accepted, 200 already
accepted under that reference, 400 a malformed creator, CID or signature, 404 metadata or upload not found
here, 409 a reference already naming another work, content already registered or already in flight,
422 metadata that is not Gen-IP's or does not fit the item (another creator, no prompt commitment, an
expired signature), or a prompt missing (`PROMPT_REQUIRED`), sealed to another key or sent to an API without
a checker key. A bad item never blocks the others. Whether the creator's authorisation holds is the chain's
to say at registration time: the relayer reports it as the item's error.

`GET /platform/registrations/{id}` and `GET /platform/registrations?state=&since=` answer the platform's own
registrations (another platform's are 404); `registration.updated` webhooks announce every state change.
"""

import time
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from eth_utils.address import is_address, to_checksum_address
from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import Engine, or_, select

from api.body_limits import BODY_ERRORS
from api.deps import content_store
from api.platform_auth import BEARER_ERRORS, PlatformDep
from api.routes.prompts import current_checker_key  # the key `GET /prompts/checker-key` publishes
from api.schemas import ErrorBody
from genip.chain.types import Work
from genip.checker.submissions import SubmissionError, decode_sealed
from genip.content.cid import parse_cid
from genip.content.errors import ContentError
from genip.content.metadata import WorkMetadata
from genip.db import models
from genip.platforms import PlatformView
from genip.relay import MAX_ITEMS, CreatorSignature, RegistrationItem, SealedPrompt, accept
from genip.storage import ContentNotFoundError, StorageError

__all__ = ["router"]

router = APIRouter(tags=["platforms"])

_TEXT: Final = r"^[^\x00-\x1f\x7f]+$"
_LIST_LIMIT: Final = 500
#: An RFC 3339 moment with its zone (`since`).
_MOMENT: Final = (
    r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)

StateName = Literal["accepted", "committed", "registered", "indexed", "failed"]


def _whole(value: Any) -> Any:
    """JSON's integers: `4333.0` is one (as JSON Schema says), `false` is not."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class CreatorSignatureIn(BaseModel):
    """The creator's `registerFor` signature over this work (EIP-712, `GenIPRegistry.registerFor`)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    nonce: str = Field(max_length=80, description="The signature's unordered nonce, in decimal.")
    deadline: Annotated[int, BeforeValidator(_whole)] = Field(
        ge=0, le=10**12, description="Unix time after which the signature is void."
    )
    signature: str = Field(max_length=200, description="The 65-byte signature, 0x hex.")


#: Longest `prompt.sealed` (base64 characters) per item: 16 KiB, about 12 KiB of prompt parts, so 100 items
#: stay under the API's JSON body limit (2 MiB by default). A larger one (a big workflow) the creator submits
#: at `POST /prompts/{asset}` (512 KiB).
MAX_SEALED_TEXT: Final = 16_384


class SealedPromptIn(BaseModel):
    """The work's prompt and salt sealed to the checker's public key (as `POST /prompts/{asset}` takes it)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    sealed: str = Field(
        max_length=MAX_SEALED_TEXT,
        pattern=r"^[A-Za-z0-9+/]*={0,2}$",
        description="Base64 of libsodium's sealed box of the UTF-8 JSON "
        '`{"parts": {name: text}, "salt": hex}`.',
    )
    key_id: str = Field(
        max_length=32, description="The checker key it is sealed to (`GET /prompts/checker-key`)."
    )


class RegistrationIn(BaseModel):
    """One work to certify."""

    model_config = ConfigDict(strict=True, extra="forbid")

    reference_id: str = Field(
        min_length=1, max_length=128, pattern=_TEXT, description="The platform's own id of the work."
    )
    creator: str = Field(max_length=64, description="The creator's wallet (0x address).")
    metadata_cid: str = Field(max_length=128, description="The work's metadata CID (from `POST /metadata`).")
    signature: CreatorSignatureIn | None = Field(
        default=None, description="For a creator who did not authorise the platform: their signature."
    )
    prompt: SealedPromptIn | None = Field(
        default=None,
        description="The prompt and salt opening the work's prompt commitment, sealed to the checker: "
        "submitted for the check once the work is registered and indexed. Required whenever the API has a "
        "checker key (`GET /prompts/checker-key` answers it): an item without it is refused (status 422). An "
        "API without one (`GET /prompts/checker-key` answers 503) cannot check: it accepts items without a "
        "prompt and refuses items with one.",
    )


class RegistrationsIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    items: list[RegistrationIn] = Field(min_length=1, max_length=MAX_ITEMS)


class RegistrationPublic(BaseModel):
    """A platform registration and where it stands."""

    id: int
    reference_id: str
    creator: str
    state: StateName
    error: str | None = Field(description="Why it failed (state `failed`).")
    content_hash: str
    metadata_cid: str
    asset_id: int | None
    commit_tx: str | None
    register_tx: str | None
    created_at: datetime
    updated_at: datetime


class ItemResult(BaseModel):
    """What became of one item: `status` 202 accepted, 200 already accepted, else the item's error."""

    index: int
    reference_id: str
    status: int
    error: str | None = None
    registration: RegistrationPublic | None = None


class RegistrationsAccepted(BaseModel):
    accepted: int = Field(description="Items newly accepted (status 202).")
    items: list[ItemResult]


class RegistrationsPage(BaseModel):
    items: list[RegistrationPublic]
    next_since: datetime | None = Field(
        description="Pass as `since` to poll on (inclusive: a row at that moment may come again)."
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite keeps no zone


def _public(row: Any) -> RegistrationPublic:
    return RegistrationPublic(
        id=row.id,
        reference_id=row.reference_id,
        creator=row.creator,
        state=row.state,
        error=row.error,
        content_hash=row.content_hash,
        metadata_cid=str((row.work or {}).get("metadata_cid", "")),
        asset_id=row.asset_id,
        commit_tx=row.commit_tx,
        register_tx=row.register_tx,
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


class _ItemError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _signature(given: CreatorSignatureIn | None) -> CreatorSignature | None:
    if given is None:
        return None
    if not given.nonce.isdigit() or int(given.nonce) >= 2**256:
        raise _ItemError(400, "signature.nonce must be a decimal number below 2**256")
    text = given.signature.removeprefix("0x")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise _ItemError(400, "signature.signature must be 0x hex") from None
    if len(raw) != 65:
        raise _ItemError(400, f"signature.signature must be 65 bytes, not {len(raw)}")
    if given.deadline <= int(time.time()):
        raise _ItemError(422, "signature.deadline has passed: the creator must sign again")
    return CreatorSignature(int(given.nonce), given.deadline, raw)


#: An item without a prompt when this API takes prompts: what to send.
PROMPT_REQUIRED: Final = (
    "prompt is required: this API checks every registration's prompt; send prompt {sealed, key_id}, the "
    "prompt and salt sealed to the checker's key (GET /prompts/checker-key; genip_sdk.prompts.seal_prompt)"
)


def _takes_prompts(request: Request) -> bool:
    """Whether this API takes prompts: it has a `GENIP_CHECKER_PUBLIC_KEY` (set, even if malformed: a typo
    must not switch the check off), as `current_checker_key` decides."""
    return bool(request.app.state.settings.checker_public_key)


def _prompt(request: Request, given: SealedPromptIn | None) -> SealedPrompt | None:
    """The sealed prompt, checked for form and key (its content only the checker can open); required when this
    API takes prompts, None (the work goes unchecked) only when it cannot check."""
    if given is None:
        if _takes_prompts(request):
            raise _ItemError(422, PROMPT_REQUIRED)
        return None
    try:
        key = current_checker_key(request, request.app.state.settings)
    except HTTPException as exc:
        raise _ItemError(422, f"prompt: {exc.detail}") from None
    try:
        sealed = decode_sealed(given.sealed)
    except SubmissionError as exc:
        raise _ItemError(400, f"prompt.{exc}") from None
    if given.key_id != key.key_id:
        raise _ItemError(
            422,
            f"prompt: sealed to checker key {given.key_id[:16]!r}; the checker's key is {key.key_id} "
            "(GET /prompts/checker-key)",
        )
    return SealedPrompt(sealed, key.key_id)


def _item(
    request: Request, engine: Engine, platform: PlatformView, given: RegistrationIn
) -> RegistrationItem:
    """The checked item, or `_ItemError`."""
    if not is_address(given.creator) or not given.creator.startswith("0x"):
        raise _ItemError(400, f"creator {given.creator[:64]!r} is not an address")
    creator = to_checksum_address(given.creator)
    try:
        parse_cid(given.metadata_cid)
    except ContentError as exc:
        raise _ItemError(400, f"metadata_cid {given.metadata_cid[:80]!r} is not a CID: {exc}") from None
    try:
        data = content_store(request).get(given.metadata_cid)
    except ContentNotFoundError:
        raise _ItemError(
            404, f"no metadata {given.metadata_cid}: store it with POST /metadata first"
        ) from None
    except StorageError as exc:
        raise _ItemError(503, f"the content store cannot answer: {type(exc).__name__}") from None
    try:
        metadata = WorkMetadata.from_bytes(data)
    except (ContentError, ValueError, KeyError, TypeError):
        raise _ItemError(422, f"{given.metadata_cid} is not Gen-IP work metadata") from None
    u = models.Upload
    with engine.connect() as c:
        uploaded = c.execute(
            select(u.id)
            .where(
                u.cid == metadata.content.cid,
                u.swept_at.is_(None),
                or_(u.platform_id == platform.id, u.wallet == creator),
            )
            .limit(1)
        ).first()
    if uploaded is None:
        raise _ItemError(
            404, f"the work's file {metadata.content.cid} was not uploaded by this platform or the creator"
        )
    if metadata.creator and to_checksum_address(metadata.creator) != creator:
        raise _ItemError(422, f"the metadata names creator {metadata.creator}, not {creator}")
    if not any(metadata.prompt_commitment):
        raise _ItemError(422, "the metadata has no prompt commitment")
    signature = _signature(given.signature)
    prompt = _prompt(request, given.prompt)
    content_hash = "0x" + metadata.content.sha256.hex()
    a = models.Asset
    with engine.connect() as c:
        existing = c.execute(
            select(a.asset_id).where(a.chain_id == platform.chain_id, a.content_hash == content_hash).limit(1)
        ).scalar()
    if existing is not None:
        raise _ItemError(409, f"this content is already registered as asset {existing}")
    perceptual = metadata.perceptual_hash
    work = Work(
        kind=metadata.kind,
        content_hash=metadata.content.sha256,
        perceptual_hash=perceptual.value if perceptual else bytes(32),
        prompt_commitment=metadata.prompt_commitment,
        metadata_cid=given.metadata_cid,
    )
    return RegistrationItem(given.reference_id, creator, work, signature, prompt)


_POST_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    **BEARER_ERRORS,
    400: {"model": ErrorBody, "description": "A body that is not JSON, or nested too deep."},
    413: BODY_ERRORS[413],
}


@router.post(
    "/platform/registrations",
    status_code=202,
    response_model=RegistrationsAccepted,
    summary="Certify up to 100 works for the platform's creators",
    responses=_POST_ERRORS,
)
def post_registrations(
    request: Request, platform: PlatformDep, body: RegistrationsIn
) -> RegistrationsAccepted:
    """Accept each well-formed item for the relayer; answer every item with its index and status (a bad
    item does not block the others). Idempotent on `reference_id`."""
    engine: Engine = request.app.state.engine
    results: list[ItemResult | None] = [None] * len(body.items)
    good: list[tuple[int, RegistrationItem]] = []
    for index, given in enumerate(body.items):
        try:
            good.append((index, _item(request, engine, platform, given)))
        except _ItemError as exc:
            results[index] = ItemResult(
                index=index, reference_id=given.reference_id, status=exc.status, error=str(exc)
            )
    outcomes = accept(engine, platform, [item for _index, item in good]) if good else []
    for (index, item), outcome in zip(good, outcomes, strict=True):
        status = {"created": 202, "existing": 200}.get(outcome.outcome, 409)
        results[index] = ItemResult(
            index=index,
            reference_id=item.reference_id,
            status=status,
            error=outcome.error,
            registration=None if outcome.row is None else _public(outcome.row),
        )
    done = [r for r in results if r is not None]
    return RegistrationsAccepted(accepted=sum(r.status == 202 for r in done), items=done)


def _own(engine: Engine, platform: PlatformView, registration_id: int) -> Any:
    r = models.PlatformRegistration
    with engine.connect() as c:
        row = c.execute(select(r).where(r.id == registration_id, r.platform_id == platform.id)).first()
    if row is None:
        raise HTTPException(404, f"no registration {registration_id} of this platform")
    return row


@router.get(
    "/platform/registrations/{registration_id}",
    response_model=RegistrationPublic,
    summary="One of the platform's registrations",
    responses={**BEARER_ERRORS, 404: {"model": ErrorBody, "description": "No such registration of yours."}},
)
def get_registration(
    request: Request,
    platform: PlatformDep,
    registration_id: Annotated[int, Path(ge=1, le=2**53 - 1)],
) -> RegistrationPublic:
    """Where one registration stands."""
    return _public(_own(request.app.state.engine, platform, registration_id))


@router.get(
    "/platform/registrations",
    response_model=RegistrationsPage,
    summary="The platform's registrations, by last change",
    responses={**BEARER_ERRORS, 400: {"model": ErrorBody, "description": "`since` is not a real moment."}},
)
def list_registrations(
    request: Request,
    platform: PlatformDep,
    state: Annotated[StateName | None, Query(description="Only registrations in this state.")] = None,
    since: Annotated[
        str | None,
        Query(
            pattern=_MOMENT,
            json_schema_extra={"format": "date-time"},
            description="Only registrations changed at or after this moment (RFC 3339, with its zone).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=_LIST_LIMIT)] = 100,
) -> RegistrationsPage:
    """The platform's registrations, oldest change first (poll with `since` = the last `next_since`)."""
    r = models.PlatformRegistration
    query = select(r).where(r.platform_id == platform.id)
    if state is not None:
        query = query.where(r.state == state)
    if since is not None:
        try:
            moment = datetime.fromisoformat(since)
        except (ValueError, OverflowError):
            raise HTTPException(400, f"since {since!r} is not a moment (like 2026-12-06T15:00:00Z)") from None
        query = query.where(r.updated_at >= moment.astimezone(UTC))
    engine: Engine = request.app.state.engine
    with engine.connect() as c:
        rows = c.execute(query.order_by(r.updated_at, r.id).limit(limit)).all()
    items = [_public(row) for row in rows]
    return RegistrationsPage(items=items, next_since=items[-1].updated_at if items else None)
