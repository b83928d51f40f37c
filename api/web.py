"""The marketplace web page and the endpoints only the page needs.

- `mount_web(app, directory)` serves the built page (`web/dist`): `/` is `index.html` (never cached, so a new
  build is picked up at once) and `/static/...` the bundled files, cached for a year when their names carry a
  content hash (Vite names them `name-<hash>.js`).
- `web_router`:
  - `GET /config`: chain id and contract addresses from the deployment file, for the page's wallet calls.
  - `POST /uploads` (multipart `file` + `kind`): checks size and type, canonicalises, hashes, fingerprints and
    stores the work; answers its sha256, CID, media type and perceptual hash. What was computed is kept in
    `<data dir>/uploads/<cid>.json` so that `POST /metadata` builds metadata from the server's own numbers,
    not from whatever a client sends back.
  - `POST /metadata`: builds the ERC-721 metadata JSON (`WorkMetadata`) of an uploaded work with the
    client-computed prompt commitment (the prompt itself never leaves the browser), stores it and answers
    its CID.

Near-duplicate warnings on upload come from the matching engine (`api.matching`, shared with `POST /match`):
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

from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.addresses import parse_address
from api.matching import describe, lookup, matcher
from api.schemas import ErrorBody
from genip.chain.deployment import read_deployment
from genip.chain.types import WorkKind
from genip.content.cid import parse_cid
from genip.content.errors import ContentError, InvalidCIDError
from genip.content.fingerprint import fingerprint_work
from genip.content.formats import IMAGE_SUFFIXES, MODEL_SUFFIXES, TEXT_SUFFIXES, prepare_work
from genip.content.hashing import ContentDigest, digest_stream
from genip.content.metadata import PerceptualHash, WorkMetadata
from genip.errors import GenIPError
from genip.matching.errors import MatchingError
from genip.matching.hashing import QueryHash
from genip.settings import Settings
from genip.storage import ContentStore, StorageError, open_store
from genip.terms import Tier, terms_for

__all__ = [
    "ALLOWED_SUFFIXES",
    "MAX_UPLOAD_BYTES",
    "ChainConfig",
    "MetadataRequest",
    "MetadataStored",
    "UploadResult",
    "mount_web",
    "near_duplicates",
    "web_router",
]

#: Largest file `POST /uploads` accepts.
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
_HASHED_NAME = re.compile(r"-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
_NO_CACHE: Final = "no-cache"
_IMMUTABLE: Final = "public, max-age=31536000, immutable"
_ZERO: Final = "0x" + "00" * 20


# ─────────────────────────────── the page ───────────────────────────────


class _Static(StaticFiles):
    """Bundled files: a year of caching for content-hashed names, revalidation for the rest."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            hashed = _HASHED_NAME.search(path) is not None
            response.headers["Cache-Control"] = _IMMUTABLE if hashed else _NO_CACHE
        return response


def mount_web(app: FastAPI, directory: Path) -> None:
    """Serve the built page in `directory` (`index.html` at `/`, bundled files under `/static/`).

    A missing build is not fatal: `/` then answers 503 saying how to build it, and the API works as before.
    """
    index = directory / "index.html"
    static = directory / "static"

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        if not index.is_file():
            return Response(
                f"the web page is not built: run `make setup` (npm run build in web/); looked in {directory}",
                status_code=503,
                media_type="text/plain; charset=utf-8",
            )
        return FileResponse(
            index, media_type="text/html; charset=utf-8", headers={"Cache-Control": _NO_CACHE}
        )

    app.mount("/static", _Static(directory=static, check_dir=False), name="static")


# ─────────────────────────────── config ───────────────────────────────


class Currency(BaseModel):
    """A currency offers can be priced in."""

    address: str = Field(description="ERC-20 address; the zero address is the chain's native coin.")
    symbol: str
    decimals: int


class TermsTemplate(BaseModel):
    """A shipped plain-language terms document new offers can point at."""

    document_hash: str
    document_uri: str
    rev_share_bps: int


class ChainConfig(BaseModel):
    """What the page needs to talk to the chain through the user's wallet."""

    chain_id: int
    chain_id_hex: str
    registry: str
    hub: str
    license_token: str
    court: str = Field(description="The DisputeCourt: claims are raised, answered and ruled there.")
    demo_token: str | None
    deploy_block: int
    fee_bps: int
    currencies: list[Currency]
    terms: dict[str, TermsTemplate] = Field(description="Terms presets by tier, for new offers.")
    max_upload_bytes: int


def _settings(request: Request) -> Settings:
    """Core settings: the app's own (`app.state.genip_settings`) when set, else from the environment."""
    settings = getattr(request.app.state, "genip_settings", None)
    return settings if isinstance(settings, Settings) else Settings()


def _store(request: Request) -> ContentStore:
    store = getattr(request.app.state, "store", None)
    if store is not None:
        return store  # type: ignore[no-any-return]
    settings = _settings(request)
    return open_store(settings.data_dir, settings.ipfs_api)


def _uploads_dir(request: Request) -> Path:
    api_settings = getattr(request.app.state, "settings", None)
    data_dir: Path = getattr(api_settings, "data_dir", None) or _settings(request).data_dir
    return data_dir / "uploads"


def _template(tier: Tier) -> TermsTemplate:
    terms = terms_for(tier)
    return TermsTemplate(
        document_hash="0x" + terms.document_hash.hex(),
        document_uri=terms.document_uri,
        rev_share_bps=terms.rev_share_bps,
    )


web_router = APIRouter(tags=["web"])


@web_router.get(
    "/config",
    response_model=ChainConfig,
    summary="Chain and contracts for the web page",
    responses={
        503: {"description": "No deployment file: the API was started before the contracts were deployed."}
    },
)
def get_config(request: Request) -> ChainConfig:
    """Chain id and contract addresses of the deployment the API serves (from the deployment file)."""
    settings = _settings(request)
    try:
        deployment = read_deployment(settings.deployment_path())
    except (GenIPError, OSError, ValueError) as exc:
        raise HTTPException(503, f"no deployment to point the page at: {exc}") from None
    currencies = [Currency(address=_ZERO, symbol="ETH", decimals=18)]
    if deployment.demo_token:
        currencies.append(Currency(address=deployment.demo_token, symbol="gUSD", decimals=6))
    return ChainConfig(
        chain_id=deployment.chain_id,
        chain_id_hex=hex(deployment.chain_id),
        registry=deployment.registry,
        hub=deployment.hub,
        license_token=deployment.license_token,
        court=deployment.court,
        demo_token=deployment.demo_token,
        deploy_block=deployment.deploy_block,
        fee_bps=deployment.fee_bps,
        currencies=currencies,
        terms={tier.name.lower(): _template(tier) for tier in Tier},
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )


# ─────────────────────────────── uploads ───────────────────────────────


class PerceptualHashOut(BaseModel):
    """The perceptual fingerprint that will be committed on-chain."""

    algorithm: str
    value: str
    quality: int | None


class NearDuplicate(BaseModel):
    """A registered work by another creator that looks like the upload (registering it needs a licence)."""

    asset_id: int
    distance: int | None = Field(
        description="Bits that differ from the upload (best rotation/flip); null for a crop match."
    )
    title: str | None = None
    creator: str | None = None
    message: str = Field(default="", description="The warning to show, naming the certificate.")


class UploadResult(BaseModel):
    """A stored work and the numbers its registration commits to."""

    kind: str
    cid: str
    sha256: str
    size: int
    media_type: str
    perceptual_hash: PerceptualHashOut | None
    details: dict[str, Any]
    near_duplicates: list[NearDuplicate] = Field(
        description="Registered images of other creators within the match distance, best first: a warning "
        "(register as a derivative under a licence instead). Empty for other kinds, or when the database "
        "cannot be read (the check is skipped, never an error)."
    )


def near_duplicates(
    request: Request,
    kind: WorkKind,
    perceptual_hash: PerceptualHash | None,
    *,
    image: bytes | None = None,
    creator: str | None = None,
) -> list[NearDuplicate]:
    """Registered images of creators other than `creator` close to an uploaded image (the registration
    pre-check), from the process's shared matching engine (`api.matching`).

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
            message=f"looks like asset {f.candidate.asset_id}"
            + (f" ({f.title!r})" if f.title else "")
            + f" by {f.candidate.creator} ({f.candidate.likeness}): register it as a derivative "
            "under a licence on that work, not as an original",
        )
        for f in found
    ]


def _kind(text: str) -> WorkKind:
    try:
        return WorkKind[text.strip().upper()]
    except KeyError:
        names = ", ".join(k.name.lower() for k in WorkKind)
        raise HTTPException(400, f"kind {text[:40]!r} is not one of {names}") from None


async def _save_limited(upload: UploadFile, target: Path) -> int:
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise HTTPException(413, f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB")
            out.write(chunk)
    if size == 0:
        raise HTTPException(400, "the file is empty")
    return size


@web_router.post(
    "/uploads",
    response_model=UploadResult,
    summary="Store a work before registering it",
    responses={
        400: {"model": ErrorBody, "description": "Unknown kind, an empty file, or a malformed creator."},
        413: {"model": ErrorBody, "description": "Too large."},
        415: {"model": ErrorBody, "description": "Type not accepted for the kind."},
    },
)
async def upload_work(
    request: Request,
    file: Annotated[UploadFile, File(description="The work's file.")],
    kind: Annotated[str, Form(description="image, text, model, workflow, prompt or other.")] = "image",
    creator: Annotated[
        str | None,
        Form(description="The registering wallet: its own works are not reported as near-duplicates."),
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
    temp_dir = Path(tempfile.mkdtemp(prefix="genip-upload-"))
    try:
        path = temp_dir / f"work{suffix}"
        await _save_limited(file, path)
        try:
            prepared = prepare_work(path, work_kind)
            with prepared.open() as stream:
                digest = digest_stream(stream)
            phash = fingerprint_work(prepared)
            image = path.read_bytes() if work_kind is WorkKind.IMAGE else None
        except (ContentError, OSError, ValueError) as exc:
            raise HTTPException(415, f"the file is not a readable {work_kind.name.lower()}: {exc}") from None
        try:
            cid = _store(request).put(prepared.canonical if prepared.canonical is not None else path)
        except StorageError as exc:
            raise HTTPException(503, f"the content store cannot take the file: {exc}") from None
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    if cid != digest.cid:
        raise HTTPException(500, f"the store answered CID {cid}, the hash gave {digest.cid}")
    record: dict[str, Any] = {
        "kind": work_kind.name.lower(),
        "cid": digest.cid,
        "sha256": digest.sha256_hex,
        "size": digest.size,
        "media_type": prepared.media_type,
        "perceptual_hash": None
        if phash is None
        else {"algorithm": phash.algorithm, "value": "0x" + phash.value.hex(), "quality": phash.quality},
        "details": prepared.details,
    }
    uploads = _uploads_dir(request)
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / f"{digest.cid}.json").write_text(json.dumps(record, default=str), encoding="utf-8")
    return UploadResult.model_validate(
        {
            **record,
            "near_duplicates": await run_in_threadpool(
                near_duplicates, request, work_kind, phash, image=image, creator=owner
            ),
        }
    )


# ─────────────────────────────── metadata ───────────────────────────────


class MetadataRequest(BaseModel):
    """The description of an uploaded work; the prompt is only present as its salted commitment."""

    content_cid: str = Field(max_length=200, description="CID answered by `POST /uploads`.")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5_000)
    tags: list[str] = Field(default_factory=list, max_length=32)
    prompt_commitment: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="keccak256(salt ‖ prompt).")
    creator: str | None = Field(default=None, description="The registering wallet's address.")
    model: str | None = Field(default=None, max_length=200)
    tool: str | None = Field(default=None, max_length=200)


class MetadataStored(BaseModel):
    """Where the metadata is stored and what it says."""

    metadata_cid: str
    metadata: dict[str, Any]


@web_router.post(
    "/metadata",
    response_model=MetadataStored,
    summary="Store a work's metadata JSON",
    responses={
        400: {"model": ErrorBody, "description": "Not a CID, or metadata the work cannot have."},
        404: {"model": ErrorBody, "description": "No upload with that CID."},
    },
)
def store_metadata(request: Request, body: MetadataRequest) -> MetadataStored:
    """Build the ERC-721 metadata of an uploaded work from the server's own numbers, store it by CID."""
    try:
        parse_cid(body.content_cid)
    except InvalidCIDError as exc:
        raise HTTPException(400, f"{body.content_cid[:100]!r} is not a CID: {exc}") from None
    record_path = _uploads_dir(request) / f"{body.content_cid}.json"
    if not record_path.is_file():
        raise HTTPException(404, f"no upload {body.content_cid}: send the file to POST /uploads first")
    record = json.loads(record_path.read_text(encoding="utf-8"))
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
        )
        data = metadata.to_bytes()
    except ContentError as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        cid = _store(request).put(data)
    except StorageError as exc:
        raise HTTPException(503, f"the content store cannot take the metadata: {exc}") from None
    return MetadataStored(metadata_cid=cid, metadata=metadata.to_json())
