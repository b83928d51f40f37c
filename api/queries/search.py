"""Asset search: full text (Postgres tsvector + GIN, SQLite FTS5), filters, sorts, pages and facets.

Text: Postgres matches `websearch_to_tsquery` (english, or the raw words for addresses) against the generated
`assets.search_vector` (title A, description and tags B, creator C) and ranks with `ts_rank_cd`; SQLite
matches every word of the query (each quoted, so user text is never FTS syntax) in `assets_fts` and ranks
with `bm25` (title 10, description 4, tags 4, creator 1). Both come from migration 0002.

Offer filters (`tier`, `currency`, `max_price`) must hold for one and the same *available* offer (not paused,
not sold out, still the seller's: an offer lapses when the certificate changes hands); `max_price` is a raw
amount and needs `currency` (the route refuses it alone: amounts in different currencies do not compare).
Each result carries its *price*: the first of its matching available offers in `rules.price_order_key` order
(currency — the native coin first, then by address —, then amount): `min_price`, `min_price_currency`, and
`min_price_display` (`genip.money.format_amount` with the currency's symbol, exact: `0.2364375 ETH`) when the
currency is one the server knows. `sort=price` orders by that same key, so currencies are grouped, never
mixed. `purchasable` adds the asset's side of the hub's `buyLicense` checks (clear standing, not
delisted by a failed prompt check while the hub's policy is on, not expired by the cursor block's time).

Text is typo-tolerant: each query word (3+ letters, not a number) that matches no indexed document is replaced
by the closest word of the vocabulary (Postgres: `search_terms` by `pg_trgm` similarity when installed, else
— or when trigrams find none, as for swapped letters — rapidfuzz over `search_terms`; SQLite: rapidfuzz over
the `fts5vocab` table `assets_fts_terms`; then the fewest edits (rapidfuzz Levenshtein), the most
documents, the shortest); `corrected_q` says what was searched. Model, tool, LoRA base model and trigger
words are indexed with the description (migration 0014).

Image filters: `orientation`, `size` (`size_class`) and `colour` (the indexer's media step), and `base_model`
for models; each has its facet, as has `currency` (assets with an available offer in it).

Answers are cached per process in front of the app (`api.search_fast`, the only answer cache), keyed on the
cursor block and `search_state.version` (bumped by triggers on every write to assets or provenance), so a
cached page is never older than the database (by at most `GENIP_API_SEARCH_STATE_TTL`).

Facets (migration 0021): a search without text whose filters the facet table holds (kind, standing,
derivatives, look, base model, tier and currency, the delisted rule, copies) sums the trigger-kept
`search_facets` rows in Python and subtracts the possible copies; any other search (text, creator,
purchasable, prompt check) reads the matching rows once, grouping their facet keys and picking the page's ids
in the same statement (`sort=price` and `max_price` keep the page query and, for `max_price`, an offer join).
The tier and currency facets and filters read `assets.live_offers` (the live `tier:currency` pairs, kept by
triggers), not the offers. Facets never count an empty base model.

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

import functools
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from eth_utils.address import to_checksum_address
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    desc,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from api.params import CURSOR_PATTERN
from api.queries.chain import ChainState
from api.queries.copies import copy_of, recorded_copies_sql, recorded_copy_sql
from api.schemas import AssetsPublic, AssetSummary, Facets
from genip import rules
from genip.db import models
from genip.money import Currency, format_amount

__all__ = [
    "CursorError",
    "SearchParams",
    "Sort",
    "check_policy",
    "decode_cursor",
    "encode_cursor",
    "purchasable_offer",
    "search",
    "search_json",
    "search_version",
    "summary",
]

Sort = Literal["relevance", "newest", "price", "most_licensed"]

ASSETS = models.Asset.__table__
OFFERS = models.Offer.__table__
PARAMS = models.ChainParams.__table__
SUBMISSIONS = models.PromptSubmission.__table__
STATE = models.SearchState.__table__
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
    ASSETS.c.preview_cid,
    ASSETS.c.excerpt,
    ASSETS.c.card,
    ASSETS.c.is_derivative,
    ASSETS.c.children_count,
    ASSETS.c.licenses_sold,
    ASSETS.c.standing,
    ASSETS.c.expires_at,
    CHECK_STATE.label("check_state"),
]
#: The generated `assets.base_model` (migration 0014; not mapped: the indexer's row writes must never set it).
BASE_MODEL: ColumnElement[Any] = literal_column("assets.base_model")
#: The asset's live offers as `,tier:currency,` pairs (migration 0021, kept by triggers; not mapped either).
LIVE_OFFERS: ColumnElement[Any] = literal_column("assets.live_offers")
FACETS = models.SearchFacet.__table__
#: The look and model columns a listed asset shows (and filters and facets read).
LOOK_COLUMNS: list[Any] = [
    ASSETS.c.orientation,
    ASSETS.c.size_class,
    ASSETS.c.colour,
    ASSETS.c.image_width,
    ASSETS.c.image_height,
    BASE_MODEL.label("base_model"),
]

#: A possible copy (an EXISTS correlated with the assets row), built once: an alias of the wide assets table
#: costs milliseconds of Python to build.
_RECORDED_COPY = recorded_copy_sql(ASSETS)


@functools.cache
def _recorded_copies(chain_id: int) -> Any:
    """`recorded_copies_sql(chain_id)`, built once per chain."""
    return recorded_copies_sql(chain_id)


_WORD = re.compile(r"\w+", re.UNICODE)
#: Query words shorter than this, or with a digit, are never corrected.
MIN_CORRECTED = 3
#: rapidfuzz ratio (0-100) a vocabulary word needs to be a correction at all.
MIN_RATIO = 70.0


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
    orientation: str | None = None
    size: str | None = None
    colour: str | None = None
    base_model: str | None = None
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


def search_version(session: Session) -> int:
    """`search_state.version`: moves with every write to assets or provenance (0 before any)."""
    version = session.execute(select(STATE.c.version).where(STATE.c.id == 1)).scalar_one_or_none()
    return int(version or 0)


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


# ─────────────────────────────── typo tolerance ───────────────────────────────


@dataclass
class _Vocabulary:
    """Indexed words with their document counts, read once per `search_state.version`."""

    version: int = -1
    terms: list[str] = field(default_factory=list)
    docs: dict[str, int] = field(default_factory=dict)


_VOCABULARY: dict[str, _Vocabulary] = {}
_VOCABULARY_LOCK = threading.Lock()


def _vocabulary(session: Session, version: int) -> _Vocabulary:
    """The vocabulary of the session's database at `version` (SQLite: `assets_fts_terms`; Postgres without
    pg_trgm: `search_terms`)."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _VOCABULARY_LOCK:
        known = _VOCABULARY.get(key)
        if known is not None and known.version == version:
            return known
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT term, 1 FROM search_terms")).all()
    else:
        rows = session.execute(
            text("SELECT term, doc FROM assets_fts_terms WHERE length(term) >= :n"), {"n": MIN_CORRECTED}
        ).all()
    vocabulary = _Vocabulary(version, [str(r[0]) for r in rows], {str(r[0]): int(r[1]) for r in rows})
    with _VOCABULARY_LOCK:
        _VOCABULARY[key] = vocabulary
    return vocabulary


def _best(word: str, candidates: dict[str, int]) -> str | None:
    """The candidate with the fewest edits from `word`, then the most documents, then the shortest."""
    if not candidates:
        return None
    return min(candidates, key=lambda t: (Levenshtein.distance(word, t), -candidates[t], len(t), t))


_TRGM: dict[str, bool] = {}


def _has_trgm(session: Session) -> bool:
    """Whether the Postgres database has pg_trgm (asked once per database per process)."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    if key not in _TRGM:
        found = session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
        _TRGM[key] = bool(found)
    return _TRGM[key]


def _unknown_words(session: Session, words: list[str]) -> list[str]:
    """The query words (3+ letters, no digit) no indexed document contains."""
    out = []
    postgres = session.get_bind().dialect.name == "postgresql"
    for word in dict.fromkeys(w.lower() for w in words):
        if len(word) < MIN_CORRECTED or any(ch.isdigit() for ch in word):
            continue
        if postgres:
            # A stop word ("the") has no lexeme: it is ignored by the search, so it is never corrected.
            found = session.execute(
                text(
                    "SELECT cardinality(tsvector_to_array(to_tsvector('english', :w))) = 0 "
                    "OR EXISTS (SELECT 1 FROM search_terms WHERE term = ANY("
                    "tsvector_to_array(to_tsvector('english', :w)) || CAST(:w AS text)))"
                ),
                {"w": word},
            ).scalar()
        else:
            found = session.execute(
                text("SELECT 1 FROM assets_fts WHERE assets_fts MATCH :m LIMIT 1"), {"m": f'"{word}"'}
            ).scalar()
        if not found:
            out.append(word)
    return out


def _correct(session: Session, q: str, version: int | None) -> str | None:
    """`q` with each unknown word replaced by its closest indexed word; None when nothing changed."""
    words = _WORD.findall(q)
    unknown = _unknown_words(session, words)
    if not unknown:
        return None
    fixes: dict[str, str] = {}
    use_trgm = session.get_bind().dialect.name == "postgresql" and _has_trgm(session)
    for word in unknown:
        candidates: dict[str, int] = {}
        if use_trgm:
            rows = session.execute(
                text(
                    "SELECT term FROM search_terms WHERE term % :w "
                    "ORDER BY similarity(term, :w) DESC, term LIMIT 10"
                ),
                {"w": word},
            ).all()
            candidates = {str(r[0]): 1 for r in rows if fuzz.ratio(word, str(r[0])) >= MIN_RATIO}
        if not use_trgm or not candidates:  # trigrams miss swapped letters ("lihgts"): the whole vocabulary
            vocabulary = _vocabulary(session, search_version(session) if version is None else version)
            found = process.extract(
                word, vocabulary.terms, scorer=fuzz.ratio, score_cutoff=MIN_RATIO, limit=10
            )
            candidates = {str(t): vocabulary.docs.get(str(t), 0) for t, _, _ in found}
        best = _best(word, candidates)
        if best is not None:
            fixes[word] = best
    if not fixes:
        return None
    return _WORD.sub(lambda m: fixes.get(m.group(0).lower(), m.group(0)), q)


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
            literal_column("bm25(assets_fts, 10.0, 4.0, 4.0, 1.0, 4.0)").label("score"),
        )
        .select_from(text("assets_fts"))
        .where(text("assets_fts MATCH :fts_query").bindparams(fts_query=match))
        .subquery("fts")
    )
    rowid: ColumnElement[Any] = literal_column("assets.rowid")
    return rowid.in_(select(fts.c.rid)), -fts.c.score, ASSETS.join(fts, fts.c.rid == rowid)


# ─────────────────────────────── search ───────────────────────────────


def search(
    session: Session,
    *,
    state: ChainState,
    params: SearchParams,
    currencies: dict[str, Currency] | None = None,
    facet_table: bool = True,
) -> AssetsPublic:
    """One page of assets matching `params`, with the total count and facet counts; prices shown in the
    `currencies` the server knows (by checksummed address). Without `facet_table`, the facets are counted
    by scanning the matching assets and their offers (as before migration 0021: a benchmark's baseline)."""
    return _search(session, state, params, currencies or {}, search_version(session), facet_table)


def search_json(
    session: Session,
    *,
    state: ChainState,
    params: SearchParams,
    currencies: dict[str, Currency],
    facet_table: bool = True,
) -> bytes:
    """`search` as the JSON the route answers with (serialised once; `api.search_fast` keeps the bytes)."""
    return _search(session, state, params, currencies, None, facet_table).model_dump_json().encode()


def _search(
    session: Session,
    state: ChainState,
    p: SearchParams,
    currencies: dict[str, Currency],
    version: int | None,
    facet_table: bool = True,
) -> AssetsPublic:
    conds: list[ColumnElement[bool]] = [ASSETS.c.chain_id == state.chain_id]
    rank: ColumnElement[Any] | None = None
    source: Any = ASSETS
    corrected: str | None = None
    if p.q:
        corrected = _correct(session, p.q, version)  # the version read only when a word is unknown
        matched = _text_match(session, corrected or p.q)
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
    if p.orientation is not None:
        conds.append(ASSETS.c.orientation == p.orientation)
    if p.size is not None:
        conds.append(ASSETS.c.size_class == p.size)
    if p.colour is not None:
        conds.append(ASSETS.c.colour == p.colour)
    if p.base_model is not None:
        conds.append(BASE_MODEL == p.base_model)  # noqa: SIM300 (a column, not a constant)
    offer_filtered = p.tier is not None or p.currency is not None or p.max_price is not None
    if offer_filtered and (p.max_price is not None or not facet_table):  # a price: the offers themselves
        inner = OFFERS.alias("matching_offer")
        conds.append(exists().where(and_(*_offer_conditions(p, p.tier, inner))).correlate(ASSETS))
    elif p.tier is not None or p.currency is not None:  # one live offer of this tier and currency
        conds.append(LIVE_OFFERS.like(_pair_pattern(p.tier, p.currency)))
    where = and_(*conds)
    uncopied = where  # before copies are left out (the facet table's path subtracts them itself)
    counted = where
    if not p.include_copies:
        where = and_(where, ~_RECORDED_COPY)
        if rank is None:  # the whole catalogue: the copies' ids read once
            counted = and_(counted, ASSETS.c.asset_id.not_in(_recorded_copies(state.chain_id)))
        else:
            counted = where

    # The price a result shows and sorts by (`rules.price_order_key`): the first currency of its matching
    # available offers (lowercase address order: the native coin first), then the lowest amount in it.
    first = OFFERS.alias("first_currency")
    price_currency = (
        select(func.min(func.lower(first.c.currency)))
        .where(and_(*_offer_conditions(p, p.tier, first)))
        .correlate(ASSETS)
        .scalar_subquery()
    )
    cheapest = OFFERS.alias("cheapest_offer")
    min_price = (
        select(func.min(cheapest.c.price))
        .where(
            and_(*_offer_conditions(p, p.tier, cheapest)), func.lower(cheapest.c.currency) == price_currency
        )
        .correlate(ASSETS)
        .scalar_subquery()
    )
    columns: list[Any] = [
        *SUMMARY_COLUMNS,
        *LOOK_COLUMNS,
        purchasable_offer(state.timestamp).label("purchasable"),
        price_currency.label("price_currency"),
        min_price.label("min_price"),
    ]
    order: list[Any]
    sort = p.sort
    if sort == "relevance" and rank is None:
        sort = "newest"
    if sort == "relevance":
        order = [desc(literal_column("rank")), ASSETS.c.asset_id.desc()]
    elif sort == "price":
        order = [
            literal_column("price_currency").asc().nulls_last(),
            literal_column("min_price").asc().nulls_last(),
            ASSETS.c.asset_id.desc(),
        ]
    elif sort == "most_licensed":
        order = [ASSETS.c.licenses_sold.desc(), ASSETS.c.asset_id.desc()]
    else:
        order = [ASSETS.c.asset_id.desc()]
    facets: Facets | None = None
    from_table = facet_table and _from_table(p, rank is not None)
    one_scan = facet_table and not from_table and sort != "price" and p.max_price is None
    counted_first = one_scan or from_table
    if one_scan:  # the matching rows read once, for the facets and the page's ids, then the page by id
        count, facets, ranks = _scan(session, source, where, rank, sort, p)
    elif from_table:  # the count first: no page query when nothing matches (it would walk every row)
        count, facets = _facets_from_table(session, state.chain_id, uncopied, p)
    if one_scan:
        found = session.execute(
            select(*columns).where(ASSETS.c.chain_id == state.chain_id, ASSETS.c.asset_id.in_(ranks))
        ).all()
        by_id = {row.asset_id: row for row in found}
        page = [by_id[i] for i in ranks if i in by_id]
    elif counted_first and p.offset >= count:
        page, ranks = [], {}
    else:
        columns.append((rank if rank is not None else literal_column("NULL")).label("rank"))
        page = list(
            session.execute(
                select(*columns)
                .select_from(source)
                .where(where)
                .order_by(*order)
                .limit(p.limit)
                .offset(p.offset)
            )
        )
        ranks = {row.asset_id: row.rank for row in page}
    copies = copy_of(session, state.chain_id, [row.asset_id for row in page]) if p.include_copies else {}
    data = [
        summary(
            row._mapping,
            state,
            **_price_fields(row.price_currency, row.min_price, currencies),
            **{c.key: row._mapping[c.key] for c in LOOK_COLUMNS},
            rank=None if ranks[row.asset_id] is None else float(ranks[row.asset_id]),
            copy_of=copies.get(row.asset_id),
        )
        for row in page
    ]
    if counted_first:
        pass  # counted above
    elif p.facets:
        count, facets = _facets(session, counted, p, live_offers=facet_table)
    else:
        count = int(session.execute(select(func.count()).select_from(ASSETS).where(counted)).scalar_one())
    if not p.facets:
        facets = None
    nxt = p.offset + p.limit
    return AssetsPublic(
        data=data,
        count=count,
        limit=p.limit,
        offset=p.offset,
        next_cursor=encode_cursor(nxt) if nxt < count else None,
        facets=facets,
        as_of_block=state.block_number,
        corrected_q=corrected,
    )


def _scan(
    session: Session,
    source: Any,
    where: ColumnElement[bool],
    rank: ColumnElement[Any] | None,
    sort: str,
    p: SearchParams,
) -> tuple[int, Facets, dict[int, Any]]:
    """The count, the facets and the page (asset id → relevance, in page order) of a search the facet table
    cannot answer, in one statement reading the matching rows once: their facet keys grouped, and the page's
    ids by `sort` (relevance, newest or most licensed)."""
    key = _key_columns()
    matched = (
        select(
            ASSETS.c.asset_id.label("aid"),
            (rank if rank is not None else literal(0.0)).label("rank"),
            ASSETS.c.licenses_sold.label("sold"),
            *(column.label(f"k{i}") for i, column in enumerate(key)),
        )
        .select_from(source)
        .where(where)
        .cte("matched")
    )
    keys = [matched.c[f"k{i}"] for i in range(len(key))]
    if sort == "relevance":
        order = [matched.c.rank.desc(), matched.c.aid.desc()]
    elif sort == "most_licensed":
        order = [matched.c.sold.desc(), matched.c.aid.desc()]
    else:
        order = [matched.c.aid.desc()]
    page = (
        select(matched.c.aid, matched.c.rank, matched.c.sold).order_by(*order).limit(p.limit).offset(p.offset)
    ).subquery("page")
    nothing = [
        cast(null(), type_) for type_ in (String, String, Integer, String, String, String, String, Text)
    ]
    groups = select(
        *keys,
        func.count().label("n"),
        cast(null(), BigInteger),
        cast(null(), Float),
        cast(null(), BigInteger),
    )
    groups = groups.group_by(*keys)
    ids = select(*nothing, cast(null(), BigInteger), page.c.aid, page.c.rank, page.c.sold)
    rows = session.execute(union_all(groups, ids)).all()
    count, facets = _tally([(tuple(r[:8]), int(r[8])) for r in rows if r[9] is None], p)
    listed = [r for r in rows if r[9] is not None]
    if sort == "relevance":
        listed.sort(key=lambda r: (-float(r[10]), -int(r[9])))
    elif sort == "most_licensed":
        listed.sort(key=lambda r: (-int(r[11]), -int(r[9])))
    else:
        listed.sort(key=lambda r: -int(r[9]))
    return count, facets, {int(r[9]): (r[10] if rank is not None else None) for r in listed}


@functools.lru_cache(maxsize=1024)
def _checksummed(address: str) -> str:
    """`to_checksum_address`, remembered (a page shows a few currencies, each costs a keccak)."""
    return to_checksum_address(address)


def _price_fields(currency: str | None, price: Any, currencies: dict[str, Currency]) -> dict[str, Any]:
    """`min_price` (raw), `min_price_currency` (checksummed) and `min_price_display` (exact, with the
    symbol, for a currency the server knows) of a result."""
    if currency is None or price is None:
        return {"min_price": None, "min_price_currency": None, "min_price_display": None}
    address = _checksummed(currency)
    known = currencies.get(address)
    shown = None if known is None else f"{format_amount(int(price), known.decimals)} {known.symbol}"
    return {"min_price": str(price), "min_price_currency": address, "min_price_display": shown}


def _pair_pattern(tier: str | None, currency: str | None) -> str:
    """The LIKE pattern of `assets.live_offers` holding a pair of `tier` and `currency` (either may be any).
    Tiers are words and currencies hex addresses: neither holds a LIKE wildcard."""
    return f"%,{tier or '%'}:{currency or '%'},%" if tier or currency else "%"


def _pairs(live_offers: str) -> list[tuple[str, str]]:
    """The (tier, currency) pairs of an `assets.live_offers` value ('' or NULL: none)."""
    out = []
    for pair in (live_offers or "").split(","):
        tier, _, currency = pair.partition(":")
        if currency:
            out.append((tier, currency))
    return out


#: A facet-table row, or a group of matching assets: the facet key then how many assets have it.
_KEY_NAMES = ("kind", "standing", "derived", "orientation", "size", "colour", "base_model", "live_offers")


def _key_columns(assets: Any = ASSETS, *, live_offers: bool = True) -> list[Any]:
    """The facet key of an assets row as `search_facets` stores it (migration 0021: NULL as ''); without
    `live_offers`, '' in its place."""
    return [
        assets.c.kind,
        assets.c.standing,
        case((assets.c.children_count > 0, 1), else_=0),
        func.coalesce(assets.c.orientation, ""),
        func.coalesce(assets.c.size_class, ""),
        func.coalesce(assets.c.colour, ""),
        func.coalesce(BASE_MODEL, ""),
        func.coalesce(LIVE_OFFERS, "") if live_offers else literal(""),
    ]


def _from_table(p: SearchParams, text: bool) -> bool:
    """Whether the facet table answers the count and facets: no text, and only filters it holds (kind,
    standing, derivatives, look, base model, tier and currency, the delisted rule, copies)."""
    return not text and (
        p.creator is None
        and p.purchasable is None
        and p.prompt_check is None
        and p.max_price is None
        and p.base_model != ""
    )


def _keeps(p: SearchParams, key: tuple[Any, ...]) -> bool:
    """Whether assets of facet key `key` match the filters `_from_table` allows (but the delisted rule), as
    the search's SQL conditions say."""
    kind, standing, derived, orientation, size, colour, base_model, live = key
    return not (
        (p.kind is not None and kind != p.kind)
        or (p.standing is not None and standing != p.standing)
        or (p.disputed is not None and (standing != rules.Standing.CLEAR.value) != p.disputed)
        or (p.has_derivatives is not None and bool(derived) != p.has_derivatives)
        or (p.orientation is not None and orientation != p.orientation)
        or (p.size is not None and size != p.size)
        or (p.colour is not None and colour != p.colour)
        or (p.base_model is not None and base_model != p.base_model)
        or ((p.tier or p.currency) and not any(_pair_matches(pair, p) for pair in _pairs(live)))
    )


def _pair_matches(pair: tuple[str, str], p: SearchParams) -> bool:
    return (p.tier is None or pair[0] == p.tier) and (p.currency is None or pair[1] == p.currency)


def _facets_from_table(
    session: Session, chain_id: int, uncopied: ColumnElement[bool], p: SearchParams
) -> tuple[int, Facets]:
    """The count and facets of a search without text from `search_facets` (a few hundred rows, summed here
    by the filters; delisted works left out in SQL by the chain's policy), less the possible copies (unless
    `include_copies`: a GROUP BY over the copies alone, filtered by the search's own conditions, negated) —
    one statement."""
    table = [c for c in FACETS.c if c.name not in ("chain_id", "failed", "n")]
    conds: list[ColumnElement[bool]] = [FACETS.c.chain_id == chain_id]
    if not p.include_delisted:
        policy = select(PARAMS.c.failed_check_policy).where(PARAMS.c.chain_id == chain_id).scalar_subquery()
        conds.append(~((FACETS.c.failed == 1) & func.coalesce(policy, true())))
    total = func.sum(FACETS.c.n)
    statement: Any = select(*table, total).where(*conds).group_by(*table).having(total != 0)
    if not p.include_copies:
        columns = _key_columns()
        copies = ASSETS.c.asset_id.in_(_recorded_copies(chain_id))
        statement = union_all(
            statement, select(*columns, -func.count()).where(uncopied, copies).group_by(*columns)
        )
    groups = [(tuple(row[:-1]), int(row[-1])) for row in session.execute(statement)]
    return _tally([(key, n) for key, n in groups if _keeps(p, key)], p)


def _tally(groups: list[tuple[tuple[Any, ...], int]], p: SearchParams) -> tuple[int, Facets]:
    """The count and facets of groups of matching assets (facet key without `failed`, how many), the offer
    facets from their live offers: tiers among the pairs in the filtered currency, currencies among the
    pairs matching both offer filters."""
    names = ("kind", "tier", "standing", "has_derivatives", "currency", "orientation", "size", "colour")
    out: dict[str, dict[str, int]] = {name: {} for name in (*names, "base_model")}
    count = 0

    def add(name: str, value: str, n: int) -> None:
        out[name][value] = out[name].get(value, 0) + n

    for key, n in groups:
        kind, standing, derived, orientation, size, colour, base_model, live = key
        count += n
        add("kind", str(kind), n)
        add("standing", str(standing), n)
        add("has_derivatives", "true" if derived else "false", n)
        for name, value in (("orientation", orientation), ("size", size), ("colour", colour)):
            if value:
                add(name, str(value), n)
        if base_model:
            add("base_model", str(base_model), n)
        pairs = _pairs(live)
        for tier in {t for t, c in pairs if p.currency is None or c == p.currency}:
            add("tier", tier, n)
        for currency in {c for t, c in pairs if _pair_matches((t, c), p)}:
            add("currency", currency, n)
    return count, Facets(**{name: {v: n for v, n in values.items() if n} for name, values in out.items()})


def _facets(
    session: Session, where: ColumnElement[bool], p: SearchParams, *, live_offers: bool = True
) -> tuple[int, Facets]:
    """The total count and the facet counts of a search the facet table cannot answer (text, creator,
    purchasable, prompt check, max price): one GROUP BY over the matching assets by the facet key, summed
    here (one pass over the rows instead of one per facet); the offer facets from the live offers on the
    asset row, or with `max_price` (the offers' prices) or without `live_offers`, over the matching assets'
    available offers."""
    columns = _key_columns(live_offers=live_offers)
    groups = [(tuple(row[:-1]), int(row[-1])) for row in session.execute(
        select(*columns, func.count()).where(where).group_by(*columns)
    )]  # fmt: skip
    count, facets = _tally(groups, p)
    if count == 0 or (p.max_price is None and live_offers):
        return count, facets
    # The matching assets' available offers (matching the offer filters), read once for both offer facets.
    o = OFFERS.alias("facet_offer")
    offer_conds = [] if p.max_price is None else [o.c.price <= p.max_price]
    if p.currency is not None:
        offer_conds.append(o.c.currency == p.currency)
    mo = (
        select(ASSETS.c.asset_id, o.c.tier, o.c.currency)
        .select_from(ASSETS.join(o, and_(*_available(o))))
        .where(where, *offer_conds)
        .cte("matched_offers")
    )
    tiers = select(literal("tier"), mo.c.tier, func.count(func.distinct(mo.c.asset_id))).group_by(mo.c.tier)
    currencies = select(literal("currency"), mo.c.currency, func.count(func.distinct(mo.c.asset_id)))
    if p.tier is not None:
        currencies = currencies.where(mo.c.tier == p.tier)
    currencies = currencies.group_by(mo.c.currency)
    facets.tier, facets.currency = {}, {}
    for facet, value, n in session.execute(union_all(tiers, currencies)):
        getattr(facets, str(facet))[str(value)] = int(n)
    return count, facets
