"""`/licenses/status`: the question platforms ask before every display; `/licenses/{id}` and its PDF
document, `/licenses/{id}/document`."""

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from sqlalchemy.orm import Session

from api.addresses import parse_address
from api.body_limits import BODY_ERRORS
from api.caching import matches, not_modified
from api.currencies import known_currencies
from api.deps import ChainDep, SessionDep, SettingsDep, core_settings
from api.params import AccountQuery
from api.queries.chain import ChainState
from api.queries.licences import licence_facts, licence_public
from api.queries.status import status_batch
from api.schemas import (
    MAX_ASSET_ID,
    ErrorBody,
    LicensePublic,
    LicenseStatus,
    LicenseStatusBatch,
    StatusRequest,
    Use,
)
from api.status_endpoint import StatusService
from genip.licence_document import LicenceFacts, licence_filename, licence_pdf

__all__ = ["STATUS_ROUTE", "router"]

router = APIRouter(prefix="/licenses", tags=["licences"])

RULES = """
**Rules.** The answer is true as of block `as_of_block` (the indexer's cursor), and is what the hub's
`licenseStatus` answers at that block:

* `asset_status` is `active` (standing clear), `expired` (clear, but a derivative whose rights ended: its
  `expires_at`, the shortest parent licence, has passed), `disputed` (an open claim in the dispute court),
  `upheld` (a claim against it was upheld), `tainted` (a claim against an ancestor was upheld) or
  `unregistered` (no such asset: answered with 200 and `licensed=false`, not 404).
* Disputed, upheld and tainted assets license nobody, not even their owner; fitting licence ids are still
  listed.
* Otherwise the asset's current owner is licensed for every use; `license_ids` is then empty.
* An expired derivative licenses nobody else for `use=derivative`; its licences were sold capped at its
  expiry, so they have lapsed for every use.
* A licence counts while it is held (a renounced licence is burned and counts for nobody) and valid:
  `expires_at` 0 (perpetual) or later than the timestamp of the cursor block — chain time, not the server's
  clock.
* `use=display` accepts any valid licence; `use=commercial` needs commercial use; `use=derivative` needs a
  licence that allows derivatives and has not already been used to register one.
* `expires_at`: 0 for a perpetual right, the latest expiry of the fitting licences otherwise, null when not
  licensed.

**Addresses** are accepted checksummed (EIP-55) or all lowercase; mixed case with a wrong checksum is a 400.

**Caching.** Responses carry an `ETag` that changes when the indexer's cursor moves and
`Cache-Control: public, max-age=N` (`GENIP_API_STATUS_MAX_AGE`, default 5 s); send `If-None-Match` to get
a 304 while nothing was indexed.
"""

_ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified since the ETag in If-None-Match."},
    400: {
        "model": ErrorBody,
        "description": "Malformed or wrongly checksummed address (POST: also a JSON body nested too deep).",
    },
}


def _cache_control(max_age: int) -> str:
    return f"public, max-age={max_age}"


@router.get(
    "/status",
    response_model=LicenseStatus,
    responses=_ERRORS,
    summary="Is this account licensed to use this asset?",
    description=RULES,
)
async def get_status(
    request: Request,
    asset: Annotated[int, Query(ge=0, le=MAX_ASSET_ID, description="Asset (certificate token) id.")],
    account: AccountQuery,
    use: Annotated[Use, Query(description="What the account wants to do with the asset.")] = "display",
) -> Any:
    """One licence-status question. Well-formed requests are answered before routing by
    `api.status_endpoint.StatusFastPath`; this route answers the rest (and gives their 4xx errors) through
    the same `StatusService`: one prepared statement, the JSON written directly."""
    holder = parse_address(account, field="account")
    service: StatusService = request.app.state.status_service
    status, headers, body = await service.answer(asset, holder, use, request.headers.get("if-none-match"))
    return Response(body, status_code=status, headers={k.decode(): v.decode() for k, v in headers})


#: The route above, named in metrics for the requests the fast path answers.
STATUS_ROUTE = router.routes[-1]


@router.post(
    "/status",
    response_model=LicenseStatusBatch,
    responses=_ERRORS | {413: BODY_ERRORS[413]},
    summary="Licence status of up to 1 000 (asset, account, use) items",
    description=RULES + "\n\nAnswers come back in the order of `items`; more than 1 000 items is a 422.",
)
def post_status(
    request: Request,
    body: StatusRequest,
    session: SessionDep,
    settings: SettingsDep,
    state: ChainDep,
) -> Any:
    """A batch of licence-status questions."""
    items = [
        (item.asset, parse_address(item.account, field=f"items[{i}].account"), item.use)
        for i, item in enumerate(body.items)
    ]
    digest = hashlib.sha256(repr(items).encode()).hexdigest()[:16]
    etag = state.etag[:-1] + f'-{digest}"'
    cache = _cache_control(settings.api_status_max_age)
    if matches(request, etag):
        return not_modified(etag, cache)
    answers = status_batch(session, state=state, items=items)
    # The answers are `LicenseStatus` dicts (`decide`, as the single question's): written directly, not
    # validated again as models (1 000 of them cost more than the query).
    payload = orjson.dumps({"as_of_block": state.block_number, "data": answers})
    return Response(payload, media_type="application/json", headers={"ETag": etag, "Cache-Control": cache})


# ─────────────────────────────── one licence and its document ───────────────────────────────

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such licence on the indexed chain (or not indexed yet)."}
}
LicenceIdPath = Annotated[int, Path(ge=0, le=MAX_ASSET_ID, description="Licence (token) id.")]


def _facts(request: Request, session: Session, state: ChainState, license_id: int) -> LicenceFacts:
    facts = licence_facts(
        session,
        state=state,
        license_id=license_id,
        currencies=known_currencies(core_settings(request)),
        base_url=str(request.base_url),
    )
    if facts is None:
        raise HTTPException(404, f"licence {license_id} is not indexed on chain {state.chain_id}")
    return facts


@router.get(
    "/{license_id}",
    response_model=LicensePublic,
    responses=_NOT_FOUND,
    summary="One licence: parties, work, terms, sale, and whether it is valid now",
)
def get_licence(license_id: LicenceIdPath, request: Request, session: SessionDep, state: ChainDep) -> Any:
    """The facts a licence document states, as JSON; `valid` as of the indexed block (the verification link
    the document prints)."""
    facts = _facts(request, session, state, license_id)
    document = str(request.url_for("get_licence_document", license_id=license_id))
    return licence_public(facts, state=state, document_url=document)


@router.get(
    "/{license_id}/document",
    response_class=Response,
    responses=_NOT_FOUND
    | {200: {"content": {"application/pdf": {}}, "description": "The licence as a PDF."}},
    summary="The licence document (PDF)",
)
def get_licence_document(
    license_id: LicenceIdPath, request: Request, session: SessionDep, state: ChainDep
) -> Response:
    """The licence as a PDF: the parties (licensor: the certificate's owner at the purchase; licensee: the
    token's holder), the work (id, title, kind, sha256, media CID), the terms (the Terms Record's switches and
    the shipped plain-language text its document hash names), the exact price, transaction, block, expiry and
    where to verify it. Text outside Latin-1 is folded (`genip.licence_document`)."""
    facts = _facts(request, session, state, license_id)
    name = licence_filename(facts.license_id, facts.chain_id)
    return Response(
        licence_pdf(facts),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
