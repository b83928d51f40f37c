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

**Every upload has an owner** (`genip.uploads`): a platform's API key (`Authorization: Bearer gip_…`) or the
uploading wallet's EIP-712 signature (`api.wallet_auth`: primary type `Upload(string action, address account,
bytes32 sha256, bytes32 nonce, uint256 expiry)` over the sha256 of the file's bytes as sent, in the
`X-Genip-*` headers, so a signature opens one upload of one file, once). Without either: 401. Each owner has a
daily quota of uploads and bytes (`GENIP_UPLOAD_WALLET_DAILY_*`, `GENIP_UPLOAD_PLATFORM_DAILY_*`): over it,
429 with `Retry-After`. The upload is recorded (table `uploads`) before its bytes are stored; one nobody
registers within a day is removed by `genip uploads sweep`. `receive` does these steps (and the size limit,
the temporary file and the hash) for both upload routes, this one and `POST /uploads/examples`.

**Resources used** (issue #21): an image's generation metadata and content credentials are read
(`genip.content.made_with`, kept in the upload record so `POST /metadata` writes them as `genip.madeWith`),
and the registered works it names as resources (`genip.resources`: a model or LoRA by its file hash, a
workflow by its canonical hash, a prompt-kind work by its text) are answered in `resources_used` with their
offers that license derivatives, and what is unknown or ambiguous in `resource_notes`. The embedded prompt is
compared as a sha256 in memory, never kept or logged (the file is stored sealed). Evidence only: nothing here
refuses an upload.

Near-duplicate warnings come from the matching engine (`api.matcher`, shared with `POST /match`):
`near_duplicates` lists registered images of other creators (the optional `creator` form field names the
uploader) within the match distance. It warns, it does not refuse: the registration itself is the wallet's.
"""

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Query, Request, UploadFile
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.addresses import parse_address
from api.cpu import WorkerCrashedError, run_cpu, run_isolated
from api.deps import content_store, originals_of, uploads_dir
from api.matcher import describe, lookup, match_config, matcher
from api.params import FORM_ADDRESS_PATTERN, FORM_ADDRESS_SCHEMA, optional_value
from api.platform_auth import OptionalPlatformDep
from api.queries.chain import chain_state
from api.schemas import (
    ErrorBody,
    Kind,
    NearDuplicate,
    PromptHashes,
    ResourceOfferOut,
    ResourceUsed,
    UnprocessableBody,
    UploadResult,
)
from api.settings import ApiSettings
from api.wallet_auth import (
    COMMON_FIELDS,
    HEADER_ACCOUNT,
    HEADER_EXPIRY,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    SignedHeaders,
    WalletAuthError,
    parse_signed,
    verify_signed,
)
from genip.chain.types import WorkKind
from genip.content.digest import digest_bytes
from genip.content.errors import ContentError
from genip.content.fingerprint import TooManyPixelsError
from genip.content.formats import IMAGE_SUFFIXES, MODEL_SUFFIXES, TEXT_SUFFIXES
from genip.content.hashed import hash_work_file
from genip.content.made_with import MadeWith, read_made_with
from genip.content.metadata import PerceptualHash
from genip.content.preview import derive_preview
from genip.matching.errors import MatchingError
from genip.matching.perceptual import QueryHash
from genip.platforms import PlatformView
from genip.resources import (
    MAX_PROMPTS_ANSWERED,
    PROMPT_PREFIX_DIGITS,
    Named,
    UsedResource,
    look_up,
    named_in,
    prompts_with_prefix,
)
from genip.storage import StorageError
from genip.uploads import Owner, Quota, forget_upload, quota_wait, record_upload

__all__ = [
    "ALLOWED_SUFFIXES",
    "EXAMPLE_ACTION",
    "MAX_UPLOAD_BYTES",
    "OWNER_ERRORS",
    "UPLOAD_ACTION",
    "UPLOAD_FIELDS",
    "UPLOAD_TYPE",
    "Received",
    "UploadAuth",
    "UploadAuthDep",
    "near_duplicates",
    "receive",
    "record",
    "resources_used",
    "router",
    "upload_message",
]

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

#: The EIP-712 struct an upload signs, and the `action` of each upload route.
UPLOAD_TYPE: Final = "Upload"
UPLOAD_ACTION: Final = "upload work"
EXAMPLE_ACTION: Final = "upload example"
UPLOAD_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    COMMON_FIELDS[0],  # action
    COMMON_FIELDS[1],  # account
    ("sha256", "bytes32"),
    COMMON_FIELDS[2],  # nonce
    COMMON_FIELDS[3],  # expiry
)

#: What both upload routes answer about their owner (schemathesis checks each 4xx is published).
OWNER_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    401: {
        "model": ErrorBody,
        "description": "No platform API key and no wallet signature, or one that does not work (bad, "
        "expired, replayed, or over other bytes).",
    },
    429: {
        "model": ErrorBody,
        "description": "The owner's daily upload quota is used up; `Retry-After` says when to try again.",
        "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    },
}

router = APIRouter(tags=["web"])


def upload_message(
    account: str, sha256: str, nonce: str, expiry: int, action: str = UPLOAD_ACTION
) -> dict[str, Any]:
    """The `Upload` message `account` signs to upload the file whose bytes hash to `sha256` (0x hex)."""
    return {"action": action, "account": account, "sha256": sha256, "nonce": nonce, "expiry": expiry}


@dataclass(frozen=True, slots=True)
class UploadAuth:
    """Who asks to upload: the platform whose key the request carries, else the wallet signature's parts."""

    platform: PlatformView | None
    signed: SignedHeaders | None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": 'Bearer realm="genip"'})


def upload_auth(
    platform: OptionalPlatformDep,
    x_genip_account: Annotated[
        str | None, Header(alias=HEADER_ACCOUNT, description="The uploading wallet (without a platform key).")
    ] = None,
    x_genip_nonce: Annotated[
        str | None, Header(alias=HEADER_NONCE, description="32 random bytes, 0x-hex, used once.")
    ] = None,
    x_genip_expiry: Annotated[
        str | None, Header(alias=HEADER_EXPIRY, description="Unix seconds (wall clock), at most 600 s ahead.")
    ] = None,
    x_genip_signature: Annotated[
        str | None,
        Header(alias=HEADER_SIGNATURE, description="EIP-712 `Upload` signature (see POST /uploads)."),
    ] = None,
) -> UploadAuth:
    """A platform key, else the shape of a wallet signature (checked against the file once it is read); 401
    with a sentence without either."""
    if platform is not None:
        return UploadAuth(platform, None)
    try:
        signed = parse_signed(x_genip_account, x_genip_nonce, x_genip_expiry, x_genip_signature)
    except WalletAuthError as exc:
        raise _unauthorized(
            f"uploads need a platform API key (Authorization: Bearer gip_…) or the uploading wallet's "
            f"signature; {exc}"
        ) from None
    return UploadAuth(None, signed)


UploadAuthDep = Annotated[UploadAuth, Depends(upload_auth)]


@dataclass(frozen=True, slots=True)
class Received:
    """An upload saved to a temporary file: where, its size and sha256 (0x hex) as sent, and its owner."""

    path: Path
    size: int
    sha256: str
    owner: Owner


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            h.update(block)
    return "0x" + h.hexdigest()


def _owner(request: Request, auth: UploadAuth, action: str, sha256: str, size: int) -> Owner:
    """The owner of an upload once its signature (over `sha256`) is verified and its quota checked (401, 429).
    Blocking: run in a thread."""
    settings: ApiSettings = request.app.state.settings
    if auth.platform is not None:
        owner = Owner(platform_id=auth.platform.id)
        quota = Quota(settings.upload_platform_daily_count, settings.upload_platform_daily_bytes)
    else:
        assert auth.signed is not None
        signed = auth.signed
        factory: sessionmaker[Session] = request.app.state.sessionmaker
        with factory() as session:
            chain_id = chain_state(session, settings.api_chain_id).chain_id
            try:
                account = verify_signed(
                    session,
                    chain_id=chain_id,
                    primary_type=UPLOAD_TYPE,
                    fields=UPLOAD_FIELDS,
                    message=upload_message(signed.account, sha256, signed.nonce, signed.expiry, action),
                    signature=signed.signature,
                )
            except WalletAuthError as exc:
                raise _unauthorized(str(exc)) from None
        owner = Owner(wallet=account)
        quota = Quota(settings.upload_wallet_daily_count, settings.upload_wallet_daily_bytes)
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        wait = quota_wait(conn, owner, quota, size)
    if wait:
        raise HTTPException(
            429,
            f"{owner} has used its upload quota ({quota.count:,} uploads or {_size(quota.bytes)} a day): "
            f"try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return owner


@asynccontextmanager
async def receive(
    request: Request, file: UploadFile, auth: UploadAuth, *, action: str, suffix: str, limit: int, name: str
) -> AsyncIterator[Received]:
    """The shared first steps of both upload routes: save `file` to a temporary file (413 over `limit`, 400
    when empty), hash it, verify its owner and quota (`_owner`, in a thread); the file is removed on exit."""
    temp_dir = Path(tempfile.mkdtemp(prefix="genip-upload-"))
    try:
        path = temp_dir / f"{name}{suffix}"
        size = await _save_limited(file, path, limit)
        sha256 = await run_in_threadpool(_sha256, path)
        owner = await run_in_threadpool(_owner, request, auth, action, sha256, size)
        yield Received(path, size, sha256, owner)
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


def _record(
    request: Request, owner: Owner, kind: str, cid: str, sha256: str, size: int, preview: str | None
) -> int:
    engine: Engine = request.app.state.engine
    with engine.begin() as conn:
        return record_upload(conn, owner, kind=kind, cid=cid, sha256=sha256, size=size, preview_cid=preview)


def _forget(request: Request, upload_id: int) -> None:
    engine: Engine = request.app.state.engine
    with engine.begin() as conn:
        forget_upload(conn, upload_id)


@asynccontextmanager
async def record(
    request: Request,
    owner: Owner,
    *,
    kind: str,
    cid: str,
    sha256: str,
    size: int,
    preview_cid: str | None = None,
) -> AsyncIterator[int]:
    """Record the upload of `owner` before its bytes are stored (so the sweeper sees them); the record is
    dropped again if storing them fails."""
    upload_id = await run_in_threadpool(_record, request, owner, kind, cid, sha256, size, preview_cid)
    try:
        yield upload_id
    except BaseException:
        await run_in_threadpool(_forget, request, upload_id)
        raise


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


def _resource_out(u: UsedResource) -> ResourceUsed:
    """A resource found by `genip.resources.look_up`, as the API answers it."""
    return ResourceUsed(
        asset_id=u.asset_id,
        kind=u.kind,  # type: ignore[arg-type]  # the indexer writes WorkKind names
        title=u.title,
        creator=u.creator,
        owner=u.owner,
        named_as=u.named_as,
        matched_by=u.matched_by,
        hash=u.hash,
        offers=[
            ResourceOfferOut(
                offer_id=x.offer_id,
                tier=x.tier,  # type: ignore[arg-type]  # DERIVATIVE_TIERS only
                price=str(x.price),
                currency=x.currency,
                duration=x.duration,
                rev_share_bps=x.rev_share_bps,
            )
            for x in u.offers
        ],
    )


def resources_used(request: Request, image: bytes) -> tuple[MadeWith, list[ResourceUsed], list[str]]:
    """What an uploaded image says about how it was made, the registered works it names as resources (with
    their offers that license derivatives, purchasable as of the indexed block) and notes on the rest
    (`genip.resources`). A database that cannot be read gives no resources: the lookup never blocks an
    upload. Blocking: run in a thread."""
    facts = read_made_with(image)
    named = named_in(image, facts)
    if not named:
        return facts, [], []
    settings: ApiSettings = request.app.state.settings
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    try:
        with factory() as session:
            state = chain_state(session, settings.api_chain_id)
            found = look_up(
                session, state.chain_id or None, named, timestamp=state.timestamp, notes=facts.notes
            )
    except SQLAlchemyError:
        return facts, [], []
    return facts, [_resource_out(u) for u in found.used], list(found.notes)


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
    description=f"""
Canonicalise, hash, fingerprint and store one work (the bytes hashed are the bytes stored); answers its
sha256, CID, media type, perceptual hash, public face and near-duplicates.

**Owner.** Send a platform API key (`Authorization: Bearer gip_…`) or sign with the uploading wallet:
`{HEADER_ACCOUNT}`, `{HEADER_NONCE}` (32 random bytes, 0x hex, used once), `{HEADER_EXPIRY}` (unix seconds,
at most 600 s ahead) and `{HEADER_SIGNATURE}`: `eth_signTypedData_v4` in the domain
`{{name: "Gen-IP", version: "1", chainId}}` (the served chain, `GET /config`) of primary type
`{UPLOAD_TYPE}(string action, address account, bytes32 sha256, bytes32 nonce, uint256 expiry)` with `action` =
`"{UPLOAD_ACTION}"` and `sha256` the SHA-256 of the file's bytes as sent. Daily quotas per wallet and per
platform (429 with `Retry-After`). An upload no registered work commits to within a day is deleted.
""",
    responses={
        400: {"model": ErrorBody, "description": "Unknown kind, an empty file, or a malformed creator."},
        **OWNER_ERRORS,
        413: {
            "model": ErrorBody,
            "description": "Larger than 50 MiB; for an image, larger than GENIP_MATCH_MAX_BYTES (25 MiB) or "
            "of more than GENIP_MATCH_MAX_PIXELS pixels (64 M).",
        },
        415: {"model": ErrorBody, "description": "Type not accepted for the kind."},
        503: {"model": ErrorBody, "description": "The content store cannot take the file now."},
    },
)
async def upload_work(
    request: Request,
    auth: UploadAuthDep,
    file: Annotated[UploadFile, File(description="The work's file.")],
    kind: Annotated[Kind, Form(description="The kind of work.")] = "image",
    creator: Annotated[
        str | None,
        optional_value(FORM_ADDRESS_SCHEMA),
        Form(
            pattern=FORM_ADDRESS_PATTERN,
            description="The registering wallet (default: the signing wallet): its own works are not "
            "reported as near-duplicates.",
        ),
    ] = None,
) -> UploadResult:
    """Canonicalise, hash, fingerprint and store one work of a platform or a signing wallet."""
    work_kind = _kind(kind)
    creator_address = parse_address(creator.strip(), field="creator") if creator and creator.strip() else None
    suffix = Path(file.filename or "").suffix.lower()
    allowed = ALLOWED_SUFFIXES[work_kind]
    if suffix not in allowed:
        raise HTTPException(
            415,
            f"a {work_kind.name.lower()} must be one of {', '.join(sorted(allowed))}, not {suffix or '?'!r}",
        )
    limits = match_config(request.app)
    limit = min(MAX_UPLOAD_BYTES, limits.max_bytes) if work_kind is WorkKind.IMAGE else MAX_UPLOAD_BYTES
    async with receive(
        request, file, auth, action=UPLOAD_ACTION, suffix=suffix, limit=limit, name="work"
    ) as received:
        path, owner = received.path, received.owner
        creator_address = creator_address or owner.wallet
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
        preview_cid = digest_bytes(preview.image).cid if preview.image is not None else None
        async with record(
            request,
            owner,
            kind=work_kind.name.lower(),
            cid=digest.cid,
            sha256=digest.sha256_hex,
            size=digest.size,
            preview_cid=preview_cid,
        ):
            try:
                store = content_store(request)
                cid = (await run_in_threadpool(originals_of(request).seal, done.stored)).original_cid
                if preview.image is not None:
                    await run_in_threadpool(store.put, preview.image)
            except StorageError as exc:
                reason = _public(exc, path, file.filename)
                raise HTTPException(503, f"the content store cannot take the file: {reason}") from None
    if cid != digest.cid:
        raise HTTPException(500, f"the store answered CID {cid}, the hash gave {digest.cid}")
    result: dict[str, Any] = {
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
    used: list[ResourceUsed] = []
    notes: list[str] = []
    if image is not None:
        facts, used, notes = await run_cpu(resources_used, request, image)
        if not facts.empty:  # written into the metadata by `POST /metadata` (`genip.madeWith`)
            result["made_with"] = facts.to_json()
    uploads = uploads_dir(request)
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / f"{digest.cid}.json").write_text(json.dumps(result, default=str), encoding="utf-8")
    result.pop("made_with", None)
    found = (
        await run_cpu(near_duplicates, request, work_kind, phash, image=image, creator=creator_address)
        if work_kind is WorkKind.IMAGE
        else []
    )
    return UploadResult.model_validate(
        {**result, "near_duplicates": found, "resources_used": used, "resource_notes": notes}
    )


@router.get(
    "/resources/prompts",
    response_model=PromptHashes,
    summary="Registered prompts by hash prefix (k-anonymity)",
    description=f"""
Which registered prompt-kind works a prompt is, without sending the prompt: the client computes the sha256 of
its prompt text (canonicalised as a prompt-kind work is: UTF-8, `\\n` line endings, Unicode NFC), sends only
its first {PROMPT_PREFIX_DIGITS} hex digits, and compares the answered content hashes locally
(`genip.resources.prompt_matches`). The server learns 16 bits of the hash, shared by every prompt with that
prefix; the hashes answered are public on-chain anyway. At most {MAX_PROMPTS_ANSWERED} works are answered
(the first by content hash): each is looked up with its offers, so the answer's cost is bounded.
""",
    responses={422: {"model": UnprocessableBody, "description": "Not exactly 4 hex digits."}},
)
def prompt_hashes_by_prefix(
    request: Request,
    prefix: Annotated[
        str,
        Query(
            pattern=f"^[0-9a-fA-F]{{{PROMPT_PREFIX_DIGITS}}}$",
            description="The first 4 hex digits of the prompt's sha256.",
        ),
    ],
) -> PromptHashes:
    """Content hashes of prompt-kind works starting with `prefix` (at most `MAX_PROMPTS_ANSWERED`), as of
    the indexed block."""
    settings: ApiSettings = request.app.state.settings
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        state = chain_state(session, settings.api_chain_id)
        hashes = prompts_with_prefix(session, state.chain_id or None, prefix, limit=MAX_PROMPTS_ANSWERED)
        named = [Named("prompt", None, h.removeprefix("0x"), "prompt") for h in hashes]
        found = look_up(session, state.chain_id or None, named, timestamp=state.timestamp)
    return PromptHashes(
        prefix=prefix.lower(),
        content_hashes=hashes,
        works=[_resource_out(u) for u in found.used],
        as_of_block=state.block_number,
    )
