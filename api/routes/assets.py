"""`/assets`: search, one certificate, its lineage graph and its badge."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.addresses import parse_address
from api.badge import badge_svg
from api.caching import matches, not_modified, set_validators
from api.currencies import known_currencies
from api.deps import ChainDep, SessionDep, SettingsDep, core_settings
from api.made_with import made_with_of_asset, made_with_of_metadata
from api.matcher import possible_original_of
from api.params import CURSOR_PATTERN, address_schema
from api.queries.assets import asset_detail, lineage
from api.queries.disputes import asset_disputes_page
from api.queries.search import CursorError, SearchParams, Sort, decode_cursor, search_json
from api.queries.similar import similar_works
from api.queries.status import status_with_state
from api.routes.disputes import DISPUTE_DESCRIPTION
from api.schemas import (
    MAX_ASSET_ID,
    AssetPublic,
    AssetsPublic,
    CheckState,
    DeclaredNotDerivedFrom,
    DisputesPublic,
    ErrorBody,
    Kind,
    LineagePublic,
    PossibleOriginal,
    SimilarWorks,
    Standing,
    Tier,
    UnprocessableBody,
    Use,
)
from genip.content.metadata import MAX_NOT_DERIVED_FROM, MAX_REASON
from genip.db import models

__all__ = ["router"]

router = APIRouter(prefix="/assets", tags=["assets"])

MAX_LIMIT = 100
MAX_PRICE = 2**256 - 1

Orientation = Literal["landscape", "portrait", "square"]
SizeClass = Literal["small", "medium", "large"]
Colour = Literal[
    "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "grey", "white"
]
AssetId = Annotated[int, Path(ge=0, le=MAX_ASSET_ID, description="Asset (certificate token) id.")]
_400 = {"model": ErrorBody, "description": "Malformed address or cursor."}
_404 = {"model": ErrorBody, "description": "No asset with this id on the served chain."}


@router.get(
    "",
    response_model=AssetsPublic,
    responses={
        400: _400,
        422: {"model": UnprocessableBody, "description": "A bad parameter, or `max_price` alone."},
    },
    summary="Search assets",
    description=(
        "Free text over title, description, tags, model, tool, base model, trigger words and creator "
        "(Postgres full-text search with ranking; SQLite FTS5 with bm25 on the embedded default), typo-"
        "tolerant: a word no work contains is replaced by the closest indexed word (`catt` finds cat) and "
        "`corrected_q` says what was searched. Offer filters (`tier`, `currency`, `max_price`) "
        "must hold for one available offer (not paused, not sold out, its seller still the owner); "
        "`max_price` is a raw amount of `currency` and is refused (422) without it: amounts in different "
        "currencies do not compare. Image filters: `orientation` (landscape, portrait, square), `size` "
        "(small: longer side < 1 024 px, medium, large: ≥ 2 048 px) and `colour` (dominant colour name); "
        "`base_model` for models; each has its facet, as has `currency`. Each result shows its price "
        "(`min_price`, `min_price_currency`, exact `min_price_display` such as `0.2364375 ETH`): the "
        "cheapest matching offer in its first currency (the native coin first, then by address). Each "
        "result has its `standing` (clear, disputed, upheld, tainted), its `asset_status` as the licence "
        "rules see it (active, expired, disputed, upheld, tainted) and `purchasable` (a licence can be "
        "bought "
        "now: clear, not expired, one purchasable offer). `sort=relevance` (default) falls "
        "back to `newest` without `q`; `price` groups by currency (the native coin first, then by address) "
        "and sorts by the shown price within each, assets without an offer last. Page with `limit` (≤ 100) "
        "and `offset`, or with the "
        "opaque `cursor` of the previous page (it wins over `offset`). `facets` counts all matching assets. "
        "Possible copies (later near-duplicates of another creator's earlier work, as the indexer recorded "
        "them) are left out, of the count and the facets too, unless `include_copies=true`; each result then "
        "names its possible original in `copy_of`. Each result has its prompt `check_state` (unchecked, "
        "pending, under_review, passed, failed) and `prompt_check` filters by it; works whose check failed "
        "are left out while the hub's failed-check policy is on (they sell no licences), unless "
        "`prompt_check=failed` or `include_delisted=true`."
    ),
)
def list_assets(
    request: Request,
    session: SessionDep,
    state: ChainDep,
    settings: SettingsDep,
    q: Annotated[str | None, Query(max_length=500, description="Words to search for.")] = None,
    kind: Annotated[Kind | None, Query()] = None,
    creator: Annotated[str | None, Query(**address_schema("Creator address."))] = None,
    tier: Annotated[Tier | None, Query(description="Has an available offer of this tier.")] = None,
    max_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE, description="Raw amount.")] = None,
    currency: Annotated[
        str | None, Query(**address_schema("Offer currency (zero address = native)."))
    ] = None,
    has_derivatives: Annotated[bool | None, Query()] = None,
    disputed: Annotated[
        bool | None, Query(description="Standing other than clear (disputed, upheld or tainted).")
    ] = None,
    standing: Annotated[Standing | None, Query(description="This standing only.")] = None,
    purchasable: Annotated[
        bool | None, Query(description="A licence can (true) or cannot (false) be bought now.")
    ] = None,
    include_copies: Annotated[
        bool, Query(description="List possible copies too (each with `copy_of`); hidden by default.")
    ] = False,
    prompt_check: Annotated[CheckState | None, Query(description="This prompt-check state only.")] = None,
    include_delisted: Annotated[
        bool,
        Query(description="List works delisted by a failed prompt check too; hidden by default."),
    ] = False,
    sort: Annotated[Sort, Query()] = "relevance",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    cursor: Annotated[
        str | None,
        Query(
            pattern=CURSOR_PATTERN,
            description="The `next_cursor` of the previous page.",
        ),
    ] = None,
    facets: Annotated[bool, Query(description="Include facet counts.")] = True,
    orientation: Annotated[Orientation | None, Query(description="Images of this orientation.")] = None,
    size: Annotated[SizeClass | None, Query(description="Images of this size class.")] = None,
    colour: Annotated[Colour | None, Query(description="Images of this dominant colour.")] = None,
    base_model: Annotated[
        str | None, Query(max_length=64, description="Models trained on this base model.")
    ] = None,
) -> Response:
    """Search and filter assets (the page as `AssetsPublic` JSON, serialised once; answers are cached in front
    of the app, `api.search_fast`)."""
    if max_price is not None and currency is None:
        raise HTTPException(
            422,
            "max_price is a raw amount of one currency: give `currency` too (amounts in different "
            "currencies do not compare)",
        )
    if cursor is not None:
        try:
            offset = decode_cursor(cursor)
        except CursorError as exc:
            raise HTTPException(400, str(exc)) from None
    params = SearchParams(
        q=None if q is None else q.replace("\x00", " "),  # Postgres text cannot hold NUL
        kind=kind,
        creator=None if creator is None else parse_address(creator, field="creator"),
        tier=tier,
        max_price=max_price,
        currency=None if currency is None else parse_address(currency, field="currency"),
        has_derivatives=has_derivatives,
        disputed=disputed,
        standing=standing,
        purchasable=purchasable,
        include_copies=include_copies,
        prompt_check=prompt_check,
        include_delisted=include_delisted,
        orientation=orientation,
        size=size,
        colour=colour,
        base_model=None if base_model is None else base_model.replace("\x00", " "),  # as for `q`
        sort=sort,
        limit=limit,
        offset=offset,
        facets=facets,
    )
    body = search_json(
        session,
        state=state,
        params=params,
        currencies=known_currencies(core_settings(request)),
        facet_table=settings.api_search_facet_table,
    )
    return Response(body, media_type="application/json")


@router.get("/{asset_id}", response_model=AssetPublic, responses={404: _404}, summary="One certificate")
def get_asset(request: Request, asset_id: AssetId, session: SessionDep, state: ChainDep) -> AssetPublic:
    """Certificate, metadata, CIDs, fingerprints, offers with terms (and whether each is purchasable),
    licence counts, prompt-check state (never the prompt), standing and disputes, expiry, parents and
    children, and for images a `possible_original` (an earlier registration by another creator that matches,
    as the indexer's provenance step recorded it; `copy_of` names it) and `possible_copies` (later works
    recorded as possible copies of this one)."""
    found = asset_detail(session, state=state, asset_id=asset_id)
    if found is None:
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {state.chain_id}")
    asset = session.get(models.Asset, (state.chain_id, asset_id))
    original = None if asset is None else possible_original_of(request.app, asset)
    if original is not None:
        c = original.candidate
        found.copy_of = c.asset_id
        found.possible_original = PossibleOriginal(
            asset_id=c.asset_id,
            title=original.title,
            creator=original.registration.creator,
            owner=original.owner,
            block_number=original.registration.block_number,
            method=c.method,  # type: ignore[arg-type]
            distance=c.distance,
            correlation=None if c.correlation is None else round(c.correlation, 4),
            inliers=c.inliers,
        )
    # What the file says about how it was made (issue #21): evidence, the indexer's reading of the registered
    # file preferred to the registrant's claims (`api.made_with`).
    claimed = made_with_of_metadata(found.metadata) if found.metadata_status == "ok" else None
    found.made_with = made_with_of_asset(session, state.chain_id, asset_id, found.content_hash, claimed)
    if found.metadata_status == "ok":
        found.declared_not_derived_from = _declared(session, state.chain_id, found.metadata)
    return found


def _declared(session: Session, chain_id: int, metadata: Any) -> list[DeclaredNotDerivedFrom]:
    """The metadata's `genip.declaredNotDerivedFrom` (well-typed entries only: whoever registered the work
    wrote it), each with the named work's title."""
    genip = metadata.get("genip") if isinstance(metadata, dict) else None
    entries = genip.get("declaredNotDerivedFrom") if isinstance(genip, dict) else None
    declared: list[tuple[int, str]] = []
    for entry in entries[:MAX_NOT_DERIVED_FROM] if isinstance(entries, list) else []:
        asset_id, reason = (entry.get("assetId"), entry.get("reason")) if isinstance(entry, dict) else (0, 0)
        if type(asset_id) is int and 0 < asset_id <= MAX_ASSET_ID and isinstance(reason, str) and reason:
            declared.append((asset_id, reason[:MAX_REASON]))
    if not declared:
        return []
    a = models.Asset
    rows = session.execute(
        select(a.asset_id, a.title).where(
            a.chain_id == chain_id, a.asset_id.in_([asset_id for asset_id, _ in declared])
        )
    ).all()
    titles: dict[int, str | None] = {int(row.asset_id): row.title for row in rows}
    return [
        DeclaredNotDerivedFrom(
            asset_id=asset_id,
            title=titles.get(asset_id),
            reason=reason,
            message=f"declared not derived from #{asset_id}"
            + (f" ({titles[asset_id]!r})" if titles.get(asset_id) else "")
            + f": {reason}",
        )
        for asset_id, reason in declared
    ]


@router.get(
    "/{asset_id}/similar",
    response_model=SimilarWorks,
    responses={404: _404},
    summary="Similar works",
    description=(
        "Registered images that look like this one, closest first, by the matching engine (its registered "
        "PDQ hash and the indexer's pHash within a wider radius than the copy check's: a 'looks like' strip, "
        "not a copy verdict). Leaves out the work itself and, unless `include_copies=true`, works recorded "
        "as possible copies. Other kinds have no image to compare: an empty list."
    ),
)
def get_similar(
    request: Request,
    asset_id: AssetId,
    session: SessionDep,
    state: ChainDep,
    limit: Annotated[int, Query(ge=1, le=48)] = 12,
    include_copies: Annotated[bool, Query(description="List possible copies too.")] = False,
) -> SimilarWorks:
    """Works near an asset."""
    asset = session.get(models.Asset, (state.chain_id, asset_id))
    if asset is None:
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {state.chain_id}")
    return similar_works(request.app, session, state, asset, limit=limit, include_copies=include_copies)


@router.get(
    "/{asset_id}/disputes",
    response_model=DisputesPublic,
    responses={404: _404},
    summary="Disputes against an asset",
    description="Every claim brought against this asset, newest first.\n" + DISPUTE_DESCRIPTION,
)
def get_asset_disputes(asset_id: AssetId, session: SessionDep, state: ChainDep) -> DisputesPublic:
    """The disputes of an asset."""
    if session.get(models.Asset, (state.chain_id, asset_id)) is None:
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {state.chain_id}")
    return asset_disputes_page(session, state=state, asset_id=asset_id)


@router.get(
    "/{asset_id}/lineage",
    response_model=LineagePublic,
    responses={404: _404},
    summary="Ancestors and descendants",
    description=(
        "A graph: `nodes` (this asset, its ancestors with `effective_share_bps` — the absolute share of "
        "this asset's revenue each is owed, from the flattened royalty stack — and its descendants, at most "
        "500) and `edges` (child → parent with the share on that edge)."
    ),
)
def get_lineage(asset_id: AssetId, session: SessionDep, state: ChainDep) -> LineagePublic:
    """The lineage graph of an asset."""
    found = lineage(session, state=state, asset_id=asset_id)
    if found is None:
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {state.chain_id}")
    return found


@router.get(
    "/{asset_id}/badge.svg",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "An SVG badge."},
        304: {"description": "Not modified."},
        400: _400,
    },
    summary="Licence-status badge",
    description=(
        "A small SVG to show next to the work. With `account`: `licensed` or `unlicensed` for `use` (same "
        "rules as `/licenses/status`). Without: `registered`, `expired`, `disputed`, `upheld`, `tainted` "
        "(shown like upheld: a claim against an ancestor was upheld) or `unregistered` (an unknown id still "
        "gets a grey badge, so embedded images never break). Cached like the status."
    ),
)
def get_badge(
    request: Request,
    asset_id: AssetId,
    session: SessionDep,
    settings: SettingsDep,
    account: Annotated[str | None, Query(**address_schema("Show this account's licence status."))] = None,
    use: Annotated[Use, Query()] = "display",
) -> Any:
    """The badge of an asset, optionally for one account."""
    holder = None if account is None else parse_address(account, field="account")
    state, answer = status_with_state(
        session, chain_id=settings.api_chain_id, asset=asset_id, account=holder or "", use=use
    )
    etag = state.etag
    cache = f"public, max-age={settings.api_status_max_age}"
    if matches(request, etag):
        return not_modified(etag, cache)
    status = answer.asset_status
    if holder is not None and status != "unregistered":
        label = "licensed" if answer.licensed else "unlicensed"
    else:
        label = {"active": "registered"}.get(status, status)
    response = Response(badge_svg("Gen-IP", label), media_type="image/svg+xml")
    set_validators(response, etag, cache)
    return response
