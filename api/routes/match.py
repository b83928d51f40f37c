"""`POST /match`: which registered work is this image, and may this account use it?

The upload is hashed (PDQ, 8 rotations/flips) by the process's shared `MatchEngine` (`api.matcher`), which
is refreshed with newly indexed assets before each lookup. Every candidate is weighed by the one verdict rule
(`genip.matching.verdict`): its role (original, possible copy, derivative) from what the indexer recorded
(`genip.matching.provenance.cluster`) and the account's status on it from the same query `/licenses/status`
runs (`api.queries.status.status_with_state`), so both endpoints always agree.
"""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Annotated, Final, Literal, cast

from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from api.addresses import parse_address
from api.cpu import run_cpu
from api.made_with import made_with_public
from api.matcher import DescribedCandidate, asset_rows, described, lookup, match_config, matcher
from api.params import FORM_ADDRESS_PATTERN, FORM_ADDRESS_SCHEMA, optional_value
from api.queries.chain import chain_state
from api.queries.status import status_batch
from api.schemas import ErrorBody, LicenseStatus, MadeWithPublic, UnprocessableBody, Use
from genip import rules
from genip.content.made_with import read_made_with
from genip.matching.engine import Candidate
from genip.matching.errors import (
    DecompressionBombError,
    ImageTooLargeError,
    LowQualityImageError,
    MatchingError,
    NotAnImageError,
)
from genip.matching.provenance import assemble_cluster, cluster_facts
from genip.matching.verdict import Decision, LicenceStatus, LicenceStatusLookup, Weighed, weigh

__all__ = ["MatchCandidate", "MatchResult", "judge", "judge_many", "read_limited", "refusal", "router"]

router = APIRouter(tags=["match"])

_CHUNK: Final = 1024 * 1024

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

**Roles.** Each candidate is the `original` of its cluster, a `possible_copy` (a later near-duplicate of an
earlier registration by another creator, not a registered derivative of it, as the indexer recorded; `copy_of`
names the original) or a registered `derivative`. The original of a matched copy is listed too, even when the
upload does not match it itself (`via` names the copy that brought it in; `distance` null).

**Verdict** (over every candidate; `rests_on` names the one it rests on):

* `unregistered`: no registered image within the distance.
* `licensed`: `account` owns, or holds a valid licence for `use` on, an original or a derivative among the
  candidates (the rules of `/licenses/status`; each candidate's answer is in its `license`). A possible copy
  never turns a licensed account into an unlicensed one.
* `disputed`: the work the verdict rests on is disputed — an open claim, an upheld claim, or tainted by an
  upheld claim against an ancestor (treated like upheld) — whatever the account holds.
* `unlicensed`: otherwise, resting on the original of the closest candidate's cluster. A licence on (or
  ownership of) a possible copy licenses nothing, since its seller may not own the work: `note` says so and
  names both. **No `account`**: nobody is assumed licensed, so a registered work is `unlicensed`, `status` is
  null and `note` says why.

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
    media_cid: str | None = Field(default=None, description="The work's original's CID (sealed, not served).")
    preview_cid: str | None = Field(default=None, description="The work's watermarked preview (/ipfs/{cid}).")
    asset_status: rules.StandingStatus = Field(
        description="The asset's standing now: active (clear), disputed (an open claim), upheld, or tainted "
        "(a claim against an ancestor was upheld)."
    )
    role: Literal["original", "possible_copy", "derivative"] = Field(
        default="original",
        description="What it is in its cluster: the original, a possible copy of `copy_of` (later, by "
        "another creator, not a derivative of it), or a registered derivative.",
    )
    copy_of: int | None = Field(default=None, description="For a possible copy: the work it may copy.")
    via: int | None = Field(
        default=None,
        description="Not matched itself: listed as the original of this matched possible copy.",
    )
    license: LicenseStatus | None = Field(
        default=None,
        description="The `/licenses/status` answer for this work, `account` and `use`; null without an "
        "account.",
    )


class MatchResult(BaseModel):
    """Every candidate weighed (best first, then the originals of matched copies), the verdict and what it
    rests on."""

    candidates: list[MatchCandidate]
    verdict: Literal["licensed", "unlicensed", "unregistered", "disputed"]
    rests_on: int | None = Field(
        default=None, description="The candidate (asset id) the verdict rests on; null when unregistered."
    )
    status: LicenseStatus | None = Field(
        description="The `/licenses/status` answer for the work the verdict rests on, `account` and `use`; "
        "null without an account or a candidate."
    )
    note: str | None = Field(default=None, description="Why the verdict is what it is, when not obvious.")
    made_with: MadeWithPublic | None = Field(
        default=None,
        description="What the uploaded file itself says about how it was made (C2PA content credentials, "
        "A1111/ComfyUI metadata; never its prompt), read from its bytes; null when it says nothing.",
    )


_METHODS: Final[dict[str, Literal["pdq", "phash", "thumb", "orb"]]] = {
    "phash": "phash",
    "thumb": "thumb",
    "orb": "orb",
}


def _candidate(
    weighed: Weighed, found: DescribedCandidate | None, statuses: dict[tuple[int, int], LicenseStatus]
) -> MatchCandidate:
    c = weighed.candidate
    return MatchCandidate(
        asset_id=c.asset_id,
        chain_id=c.chain_id,
        distance=c.distance,
        method=_METHODS.get(c.method, "pdq"),
        inliers=c.inliers,
        correlation=None if c.correlation is None else round(c.correlation, 4),
        confidence=round(c.confidence, 4),
        title=None if found is None else found.title,
        creator=c.creator,
        media_cid=None if found is None else found.media_cid,
        preview_cid=None if found is None else found.preview_cid,
        asset_status=rules.standing_status(c.standing),
        role=weighed.role.value,  # type: ignore[arg-type]
        copy_of=weighed.copy_of,
        via=weighed.via,
        license=statuses.get((c.chain_id, c.asset_id)),
    )


#: A licence-status question: (chain id, asset id, checksummed account, use).
Question = tuple[int, int, str, Use]


def _answers(connection: Connection, questions: Iterable[Question]) -> dict[Question, LicenseStatus]:
    """The `/licenses/status` answers to `questions`: one set-based statement per chain
    (`api.queries.status.status_batch`, which answers exactly as the single question does)."""
    by_chain: dict[int, list[Question]] = {}
    for question in dict.fromkeys(questions):
        by_chain.setdefault(question[0], []).append(question)
    answers: dict[Question, LicenseStatus] = {}
    for chain_id, asked in by_chain.items():
        state = chain_state(connection, chain_id)
        found = status_batch(
            connection, state=state, items=[(a, account, use) for _, a, account, use in asked]
        )
        answers.update(zip(asked, (LicenseStatus(**answer) for answer in found), strict=True))
    return answers


def _status_lookup(
    answers: dict[Question, LicenseStatus],
    candidates: dict[tuple[int, int], Candidate],
    statuses: dict[tuple[int, int], LicenseStatus],
) -> LicenceStatusLookup:
    """The `/licenses/status` answers read beforehand as the verdict's lookup; those it gives are kept in
    `statuses` for the response."""

    def status(*, chain_id: int, asset_id: int, account: str, use: str | None) -> LicenceStatus:
        answer = answers[(chain_id, asset_id, account, cast(Use, use or "display"))]
        statuses[(chain_id, asset_id)] = answer
        standing = candidates[(chain_id, asset_id)].standing  # the row's, read with the candidates
        return LicenceStatus(licensed=answer.licensed, standing=standing, details=answer.model_dump())

    return status


def _result(
    decision: Decision,
    described: dict[tuple[int, int], DescribedCandidate],
    statuses: dict[tuple[int, int], LicenseStatus],
) -> MatchResult:
    rest = decision.rests_on
    key = None if rest is None else (rest.candidate.chain_id, rest.asset_id)
    return MatchResult(
        candidates=[
            _candidate(w, described.get((w.candidate.chain_id, w.asset_id)), statuses)
            for w in decision.weighed
        ],
        verdict=decision.verdict.value,
        rests_on=None if rest is None else rest.asset_id,
        status=None if key is None else statuses.get(key),
        note=decision.note,
    )


def judge(
    app: FastAPI, connection: Connection, found: list[Candidate], *, account: str | None, use: Use
) -> MatchResult:
    """THE verdict path of `/match` and `/match/hashes`: the engine's candidates (best first) with their rows
    read now, weighed by `genip.matching.verdict.weigh` with the `/licenses/status` query as the lookup, as
    a `MatchResult`. `account` is checksummed (None: no account)."""
    return judge_many(app, connection, [(found, account, use)])[0]


def judge_many(
    app: FastAPI, connection: Connection, items: Sequence[tuple[list[Candidate], str | None, Use]]
) -> list[MatchResult]:
    """`judge` for each (candidates, account, use) item, answer for answer the same, with the reads done for
    all items at once: the candidates' rows, their clusters (`cluster_facts`) and every status question are
    a few set-based statements whatever the count, where item by item they were ~5 statements per matched
    item (3-6 ms each: the cost of `/match/hashes` at 1 000 hashes; `scripts/bench_match_hashes.py`)."""
    db = app.state.engine
    rows = asset_rows(db, ((c.chain_id, c.asset_id) for found, _, _ in items for c in found))
    # The rows' standings, not the engine's copies from load time.
    listed = [
        [replace(f.candidate, standing=f.standing) for f in described(found, rows)] for found, _, _ in items
    ]
    facts = cluster_facts(connection, [c for candidates in listed for c in candidates])
    clusters = [assemble_cluster(candidates, facts) for candidates in listed]
    originals_rows = asset_rows(
        db, (key for _, originals in clusters for key in originals if key not in rows)
    )
    rows |= originals_rows
    questions = [
        (key[0], key[1], account, use)
        for candidates, (_, originals), (_, account, use) in zip(listed, clusters, items, strict=True)
        if account is not None
        for key in [*((c.chain_id, c.asset_id) for c in candidates), *originals]
    ]
    answers = _answers(connection, questions)
    results: list[MatchResult] = []
    for candidates, (lineage, originals), (_, account, use) in zip(listed, clusters, items, strict=True):
        if not candidates:
            results.append(MatchResult(candidates=[], verdict="unregistered", status=None))
            continue
        statuses: dict[tuple[int, int], LicenseStatus] = {}
        known = {(c.chain_id, c.asset_id): c for c in [*candidates, *originals.values()]}
        decision = weigh(
            candidates,
            lineage=lineage,
            originals=originals,
            account=account,
            lookup=_status_lookup(answers, known, statuses),
            use=use,
        )
        shown = {(d.candidate.chain_id, d.candidate.asset_id): d for d in described(known.values(), rows)}
        results.append(_result(decision, shown, statuses))
    return results


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes; 413 as soon as more than `limit` arrive (the rest is never held in memory)."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"image file is over {limit:,} bytes, the limit")
        parts.append(chunk)
    return b"".join(parts)


def refusal(exc: MatchingError) -> HTTPException:
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
    data = await read_limited(image, config.max_bytes)

    def answer() -> MatchResult:
        engine = matcher(request.app)
        try:
            query = engine.hash(data)
        except MatchingError as exc:
            raise refusal(exc) from None
        found = lookup(request.app, query)
        with request.app.state.autocommit_engine.connect() as connection:
            result = judge(request.app, connection, found, account=holder, use=use)
            # issue #21: what the upload itself says about how it was made (C2PA, A1111/ComfyUI metadata)
            facts = read_made_with(data)
            if not facts.empty:
                chain_id = request.app.state.settings.api_chain_id
                result.made_with = made_with_public(connection, chain_id, facts)
            return result

    return await run_cpu(answer)  # decoding and hashing the image: the bounded CPU pool
