"""`POST /match/hashes`: up to 1 000 images a platform hashed itself, each matched and judged like `/match`.

A platform that hashes its posts' images on its own side (the SDK, with our preparation: `genip.matching.
normalize.load_image`, then PDQ from `genip.content.fingerprint` and pHash-256 from `genip.matching.
perceptual`) sends the hashes instead of the files. Every hash is matched against the registry in one scan
for the whole batch (`api.matcher.lookup_many`, `genip.matching.batch`: the figures and the choice of index
are in its docstring), and the batch's candidates go through THE verdict path of `/match`
(`api.routes.match.judge_many`: `genip.matching.verdict.weigh` over the indexer's provenance, with the
`/licenses/status` rules as the lookup, the database read once for the whole batch), so a hash-only answer
equals `/match`'s for an upright image whose candidates both hashes find.
"""

from typing import Any, Final

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.addresses import parse_address
from api.body_limits import BODY_ERRORS
from api.cpu import run_cpu
from api.matcher import lookup_many
from api.params import ADDRESS_DESCRIPTION, ADDRESS_FORMAT, ADDRESS_PATTERN
from api.routes.match import MatchResult, judge_many
from api.schemas import MAX_BATCH, ErrorBody, UnprocessableBody, Use
from genip.matching.perceptual import QueryHash

__all__ = ["HashItem", "HashMatch", "HashMatchBatch", "HashMatchRequest", "router"]

router = APIRouter(tags=["match"])

#: 256 bits as hex, an optional `0x` in front (PDQ as `register` commits it, pHash-256 as the indexer stores
#: it).
HASH_PATTERN: Final = r"^(0x)?[0-9a-fA-F]{64}$"

RULES = """
Matches up to 1 000 images by their hashes, computed on the platform's side with Gen-IP's preparation (the
SDK: decode, turn upright, flatten onto white, shrink to 1 024 px, then PDQ and, optionally, pHash-256), and
judges each for an account, exactly as `POST /match` does for an uploaded file.

**Per hash**: the candidates (registered images within `GENIP_MATCH_DISTANCE` PDQ bits, default 48, or
within `GENIP_MATCH_PHASH_DISTANCE` pHash bits when `phash` is sent; once per asset, best first; the
originals of matched possible copies), the verdict (`licensed`, `unlicensed`, `unregistered`, `disputed`),
what it rests on, the `/licenses/status` answer and a note: the fields and rules of `/match`, item by item.
Each item is judged for its own `account` (and `use`) if it names one, else for the request's.

**Differences from `/match`**: a hash is the image as the platform hashed it; `/match` also tries the 7 other
rotations/flips of an upload, the thumbnail stage (light or colour changed) and keypoints (crops), which
need the pixels. Send the hash of a rotated or mirrored image as an item of its own to match it that way.

**Refusals** (JSON `detail`, nothing matched): 422 more than 1 000 items, a hash that is not 64 hex digits
(the location names the item: `["body", "items", 7, "pdq"]`) or an unknown `use`; 400 a malformed account
address (the detail names the item, `items[7].account`), or a body nested too deep; 413 a body over the
JSON size limit.
"""


class HashItem(BaseModel):
    """One image, as its hashes."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        default=None, max_length=200, description="The caller's id for this image (a post id), echoed back."
    )
    pdq: str = Field(pattern=HASH_PATTERN, description="PDQ hash of the image: 64 hex digits (256 bits).")
    phash: str | None = Field(
        default=None,
        pattern=HASH_PATTERN,
        description="Optional pHash-256 of the same prepared image (64 hex digits): a second opinion, as in "
        "`/match`.",
    )
    account: str | None = Field(
        default=None,
        pattern=ADDRESS_PATTERN,
        description="Judge this item for this account (else the request's). " + ADDRESS_DESCRIPTION,
        json_schema_extra={"format": ADDRESS_FORMAT},
    )
    use: Use | None = Field(default=None, description="This item's use (else the request's).")


class HashMatchRequest(BaseModel):
    """Up to 1 000 hashes and whom to judge them for."""

    model_config = ConfigDict(extra="forbid")

    items: list[HashItem] = Field(max_length=MAX_BATCH)
    account: str | None = Field(
        default=None,
        pattern=ADDRESS_PATTERN,
        description="The account every item is judged for unless it names its own (none: nobody is "
        "assumed licensed). " + ADDRESS_DESCRIPTION,
        json_schema_extra={"format": ADDRESS_FORMAT},
    )
    use: Use = Field(default="display", description="What the account wants to do with the images.")


class HashMatch(MatchResult):
    """One item's answer: `/match`'s for its hashes, with the item's position and id."""

    index: int = Field(description="The item's position in `items`.")
    id: str | None = Field(default=None, description="The item's `id`, as sent.")


class HashMatchBatch(BaseModel):
    """The answers in the order of the items."""

    data: list[HashMatch]


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "A malformed or wrongly checksummed account (the detail names the item), or a JSON "
        "body nested too deep.",
    },
    413: BODY_ERRORS[413],
    422: {
        "model": UnprocessableBody,
        "description": "More than 1 000 items, a hash that is not 64 hex digits (the location names the "
        "item), an unknown `use` or field.",
    },
}


def _code(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


@router.post(
    "/match/hashes",
    response_model=HashMatchBatch,
    summary="Match up to 1 000 images by their PDQ (and pHash) hashes and judge each for an account",
    description=RULES,
    responses=_ERRORS,
)
async def post_match_hashes(request: Request, body: HashMatchRequest) -> Any:
    """Many hash-only `/match` questions in one call (see the description)."""
    default = parse_address(body.account, field="account") if body.account else None
    accounts = [
        parse_address(item.account, field=f"items[{i}].account") if item.account else default
        for i, item in enumerate(body.items)
    ]
    queries = [
        QueryHash(
            variants=(_code(item.pdq),),
            quality=100,  # not sent: the platform's SDK refuses flat images before hashing, as `/match` does
            phash_variants=(_code(item.phash),) if item.phash else (),
        )
        for item in body.items
    ]

    def answer() -> bytes:
        found = lookup_many(request.app, queries)
        asked = [
            (candidates, accounts[i], item.use or body.use)
            for i, (item, candidates) in enumerate(zip(body.items, found, strict=True))
        ]
        with request.app.state.autocommit_engine.connect() as connection:
            results = judge_many(request.app, connection, asked)
        # `HashMatch` dicts written directly: validating 1 000 answers again as models costs more than
        # judging them (the schema is `response_model`'s, which the tests check answers against).
        data = [
            {**result.model_dump(), "index": i, "id": item.id}
            for i, (item, result) in enumerate(zip(body.items, results, strict=True))
        ]
        return orjson.dumps({"data": data})

    return Response(await run_cpu(answer), media_type="application/json")
