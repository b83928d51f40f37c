"""Asset search: full text (Postgres tsvector + GIN, SQLite FTS5), filters, sorts, pages and facets.

Text: Postgres matches `websearch_to_tsquery` (english, or the raw words for addresses) against the generated
`assets.search_vector` (title A, description and tags B, creator C) and ranks with `ts_rank_cd`; SQLite
matches every word of the query (each quoted, so user text is never FTS syntax) in `assets_fts` and ranks
with `bm25` (title 10, description 4, tags 4, creator 1). Both come from migration 0002.

Offer filters (`tier`, `currency`, `max_price`) must hold for one and the same *available* offer (not paused,
not sold out, still the seller's: an offer lapses when the certificate changes hands); `min_price` and the
price sort use the cheapest such offer. Prices are compared as raw amounts, so sort by price together with a
`currency` filter. `purchasable` adds the asset's side of the hub's `buyLicense` checks (clear standing, not
delisted by a failed prompt check while the hub's policy is on, not expired by the cursor block's time).

Prompt checks: each result carries its `prompt_check` state (unchecked, pending, under_review, passed, failed:
`rules.check_state`), and `prompt_check` filters by it. Works delisted by a failed check (`rules.is_delisted`:
failed while the hub's failed-check policy is on) are left out unless asked for (`prompt_check=failed`, or
`include_delisted`). Every one of these rules is `genip.rules` (here its SQL twins), so
search, the asset page and the web page agree.

Possible copies (a later near-duplicate of another creator's earlier work, as the indexer's provenance step
recorded it) are left out unless `include_copies`, of the page, the count and the facets alike, by the SQL
twins of `read_provenance` (`api.queries.copies`): the page, and the count and facets of a text search, test
each row (NOT EXISTS its provenance row, an index probe); the count and facets of the whole catalogue read the
copies' ids once (NOT IN: over 100 000 assets with 2 500 copies, 2-3x cheaper than a probe per row on both
backends). Each listed result names its possible original (`copy_of`, read with `read_provenance` for the
page's ids only).
"""

import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    desc,
    exists,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from api.params import CURSOR_PATTERN
from api.queries.chain import ChainState
from api.queries.copies import copy_of, recorded_copies_sql, recorded_copy_sql
from api.schemas import AssetsPublic, AssetSummary, Facets
from genip import rules
from genip.db import models

__all__ = [
    "CursorError",
    "SearchParams",
    "Sort",
    "check_policy",
    "decode_cursor",
    "encode_cursor",
    "purchasable_offer",
    "search",
    "summary",
]

Sort = Literal["relevance", "newest", "price", "most_licensed"]

ASSETS = models.Asset.__table__
OFFERS = models.Offer.__table__
PARAMS = models.ChainParams.__table__
SUBMISSIONS = models.PromptSubmission.__table__
#: The asset row's prompt-check state (`rules.check_state`), its submission read by a subquery.
CHECK_STATE = rules.check_state_sql(ASSETS, SUBMISSIONS)

#: What a listed asset shows; every entry is a column of assets but `check_state` (a labelled expression).
SUMMARY_COLUMNS: list[Any] = [
    ASSETS.c.asset_id,
    ASSETS.c.chain_id,
    ASSETS.c.kind,
    ASSETS.c.title,
    ASSETS.c.description,
    ASSETS.c.tags,
    ASSETS.c.creator,
    ASSETS.c.owner,
    ASSETS.c.registered_at,
    ASSETS.c.block_number,
    ASSETS.c.metadata_cid,
    ASSETS.c.media_cid,
    ASSETS.c.media_type,
    ASSETS.c.is_derivative,
    ASSETS.c.children_count,
    ASSETS.c.licenses_sold,
    ASSETS.c.standing,
    ASSETS.c.expires_at,
    CHECK_STATE.label("check_state"),
]

_WORD = re.compile(r"\w+", re.UNICODE)


class CursorError(ValueError):
    """ASSETS pagination cursor this API did not issue."""


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Validated search input (addresses already checksummed)."""

    q: str | None = None
    kind: str | None = None
    creator: str | None = None
    tier: str | None = None
    max_price: int | None = None
    currency: str | None = None
    has_derivatives: bool | None = None
    disputed: bool | None = None
    standing: str | None = None
    purchasable: bool | None = None
    prompt_check: str | None = None
    include_delisted: bool = False
    include_copies: bool = False
    sort: Sort = "relevance"
    limit: int = 20
    offset: int = 0
    facets: bool = True


_CURSOR = re.compile(CURSOR_PATTERN)


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the page starting at `offset` (published as `api.params.CURSOR_PATTERN`)."""
    return f"o{offset}"


def decode_cursor(cursor: str) -> int:
    """The offset inside a cursor from `encode_cursor`, or `CursorError`."""
    if not _CURSOR.match(cursor):
        raise CursorError(f"cursor {cursor[:64]!r} is not a cursor this API issued")
    return int(cursor[1:])


def _available(o: Any, assets: Any = ASSETS) -> list[ColumnElement[bool]]:
    """Offer `o` is one of the asset row's offers and live: not paused, not sold out, and its seller still
    owns the certificate (else `buyLicense` reverts OfferLapsed)."""
    return [rules.offer_of_sql(o, assets), rules.offer_live_sql(o, assets)]


def purchasable_offer(timestamp: int, assets: Any = ASSETS) -> ColumnElement[bool]:
    """Whether the asset row has an offer `buyLicense` would accept at `timestamp` (`rules.asset_purchasable`:
    an EXISTS over its offers)."""
    return rules.asset_purchasable_sql(OFFERS.alias("purchasable_offer"), assets, timestamp, params=PARAMS)


def check_policy(session: Session, chain_id: int) -> bool:
    """The hub's failed-check policy as indexed (on until the chain says otherwise, as deployed)."""
    policy = session.execute(
        select(PARAMS.c.failed_check_policy).where(PARAMS.c.chain_id == chain_id)
    ).scalar_one_or_none()
    return True if policy is None else bool(policy)


def summary(row: Any, state: ChainState, **extra: Any) -> AssetSummary:
    """An `AssetSummary` from a row of `SUMMARY_COLUMNS` plus `purchasable` (mapping), with its status."""
    fields = {c.name: row[c.name] for c in SUMMARY_COLUMNS}
    return AssetSummary(
        **fields,
        asset_status=rules.asset_status(fields["standing"], fields["expires_at"], state.timestamp).value,
        purchasable=bool(row["purchasable"]),
        **extra,
    )


def _offer_conditions(p: SearchParams, tier: str | None, o: Any = OFFERS) -> list[ColumnElement[bool]]:
    """An available offer `o` of the asset, matching the offer filters (`tier` when given)."""
    conds = _available(o)
    if tier is not None:
        conds.append(o.c.tier == tier)
    if p.currency is not None:
        conds.append(o.c.currency == p.currency)
    if p.max_price is not None:
        conds.append(o.c.price <= p.max_price)
    return conds


def _text_match(session: Session, q: str) -> tuple[ColumnElement[bool], ColumnElement[Any], Any] | None:
    """(condition, relevance — higher is better, FTS table to join for it) for `q`; None without words."""
    words = _WORD.findall(q)
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        vector: ColumnElement[Any] = literal_column("assets.search_vector")
        query = func.websearch_to_tsquery(literal_column("'english'::regconfig"), q).op("||")(
            func.websearch_to_tsquery(literal_column("'simple'::regconfig"), " ".join(words).lower())
        )
        return vector.op("@@")(query), func.ts_rank_cd(vector, query), None
    match = " ".join('"' + w.replace('"', "") + '"' for w in words)
    fts = (
        select(
            literal_column("rowid").label("rid"),
            literal_column("bm25(assets_fts, 10.0, 4.0, 4.0, 1.0)").label("score"),
        )
        .select_from(text("assets_fts"))
        .where(text("assets_fts MATCH :fts_query").bindparams(fts_query=match))
        .subquery("fts")
    )
    rowid: ColumnElement[Any] = literal_column("assets.rowid")
    return rowid.in_(select(fts.c.rid)), -fts.c.score, ASSETS.join(fts, fts.c.rid == rowid)


def search(session: Session, *, state: ChainState, params: SearchParams) -> AssetsPublic:
    """One page of assets matching `params`, with the total count and facet counts."""
    p = params
    conds: list[ColumnElement[bool]] = [ASSETS.c.chain_id == state.chain_id]
    rank: ColumnElement[Any] | None = None
    source: Any = ASSETS
    if p.q:
        matched = _text_match(session, p.q)
        if matched is not None:
            conds.append(matched[0])
            rank = matched[1]
            if matched[2] is not None:
                source = matched[2]
    if p.kind is not None:
        conds.append(ASSETS.c.kind == p.kind)
    if p.creator is not None:
        conds.append(ASSETS.c.creator == p.creator)
    if p.has_derivatives is not None:
        conds.append(ASSETS.c.children_count > 0 if p.has_derivatives else ASSETS.c.children_count == 0)
    if p.disputed is not None:
        disputed = rules.is_disputed_sql(ASSETS)
        conds.append(disputed if p.disputed else ~disputed)
    if p.standing is not None:
        conds.append(ASSETS.c.standing == p.standing)
    if p.purchasable is not None:
        buyable = purchasable_offer(state.timestamp)
        conds.append(buyable if p.purchasable else ~buyable)
    if p.prompt_check is not None:
        conds.append(CHECK_STATE == p.prompt_check)  # noqa: SIM300 (a column, not a constant)
    if not p.include_delisted and p.prompt_check != rules.CheckState.FAILED:
        conds.append(~rules.is_delisted_sql(ASSETS, PARAMS))
    offer_filtered = p.tier is not None or p.currency is not None or p.max_price is not None
    if offer_filtered:
        inner = OFFERS.alias("matching_offer")
        conds.append(exists().where(and_(*_offer_conditions(p, p.tier, inner))).correlate(ASSETS))
    where = and_(*conds)
    counted = where
    if not p.include_copies:
        where = and_(where, ~recorded_copy_sql(ASSETS))
        if rank is None:  # the whole catalogue: the copies' ids read once
            counted = and_(counted, ASSETS.c.asset_id.not_in(recorded_copies_sql(state.chain_id)))
        else:
            counted = where

    cheapest = OFFERS.alias("cheapest_offer")
    min_price = (
        select(func.min(cheapest.c.price))
        .where(and_(*_offer_conditions(p, p.tier, cheapest)))
        .correlate(ASSETS)
        .scalar_subquery()
    )
    columns: list[Any] = [
        *SUMMARY_COLUMNS,
        purchasable_offer(state.timestamp).label("purchasable"),
        min_price.label("min_price"),
    ]
    columns.append((rank if rank is not None else literal_column("NULL")).label("rank"))
    order: list[Any]
    sort = p.sort
    if sort == "relevance" and rank is None:
        sort = "newest"
    if sort == "relevance":
        order = [desc(literal_column("rank")), ASSETS.c.asset_id.desc()]
    elif sort == "price":
        order = [literal_column("min_price").asc().nulls_last(), ASSETS.c.asset_id.desc()]
    elif sort == "most_licensed":
        order = [ASSETS.c.licenses_sold.desc(), ASSETS.c.asset_id.desc()]
    else:
        order = [ASSETS.c.asset_id.desc()]
    page = session.execute(
        select(*columns).select_from(source).where(where).order_by(*order).limit(p.limit).offset(p.offset)
    ).all()
    copies = copy_of(session, state.chain_id, [row.asset_id for row in page]) if p.include_copies else {}
    data = [
        summary(
            row._mapping,
            state,
            min_price=None if row.min_price is None else str(row.min_price),
            rank=None if row.rank is None else float(row.rank),
            copy_of=copies.get(row.asset_id),
        )
        for row in page
    ]
    facets: Facets | None = None
    if p.facets:
        count, facets = _facets(session, counted, p)
    else:
        count = int(session.execute(select(func.count()).select_from(ASSETS).where(counted)).scalar_one())
    nxt = p.offset + p.limit
    return AssetsPublic(
        data=data,
        count=count,
        limit=p.limit,
        offset=p.offset,
        next_cursor=encode_cursor(nxt) if nxt < count else None,
        facets=facets,
        as_of_block=state.block_number,
    )


def _facets(session: Session, where: ColumnElement[bool], p: SearchParams) -> tuple[int, Facets]:
    """The total count and the facet counts, in one query over the matching set (a CTE)."""
    m = (
        select(
            ASSETS.c.chain_id,
            ASSETS.c.asset_id,
            ASSETS.c.kind,
            ASSETS.c.standing,
            ASSETS.c.owner,
            ASSETS.c.children_count,
        )
        .where(where)
        .cte("matched")
    )
    derivatives = case((m.c.children_count > 0, "true"), else_="false")
    o = OFFERS.alias("facet_offer")
    tiers = (
        select(literal("tier"), o.c.tier, func.count(func.distinct(m.c.asset_id)))
        .select_from(m.join(o, and_(*_available(o, m))))
        .group_by(o.c.tier)
    )
    if p.currency is not None:
        tiers = tiers.where(o.c.currency == p.currency)
    if p.max_price is not None:
        tiers = tiers.where(o.c.price <= p.max_price)
    query = union_all(
        select(literal("count"), literal(""), func.count()).select_from(m),
        select(literal("kind"), m.c.kind, func.count()).group_by(m.c.kind),
        select(literal("standing"), m.c.standing, func.count()).group_by(m.c.standing),
        select(literal("has_derivatives"), derivatives, func.count()).group_by(derivatives),
        tiers,
    )
    out: dict[str, dict[str, int]] = {"kind": {}, "tier": {}, "standing": {}, "has_derivatives": {}}
    count = 0
    for facet, value, n in session.execute(query):
        if facet == "count":
            count = int(n)
        else:
            out[str(facet)][str(value)] = int(n)
    return count, Facets(**out)
