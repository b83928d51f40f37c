"""The image-matching engine the API shares per process: `POST /match` and the upload pre-check use it.

**One engine per process, kept fresh.** `matcher(app)` builds a `genip.matching.MatchEngine` on the app's
database engine (`app.state.engine`) the first time an image is matched, and keeps it on
`app.state.matcher`. Before every lookup `lookup(...)` calls `refresh()`, which appends only the image
assets indexed since the last call (one index-range query), so a work registered and indexed while the
service runs matches on the next request: no restart, no rebuild. The engine is a cache of the `assets`
table, rebuilt from the database by any process, so the API stays stateless (each process of a load-balanced
set holds its own copy).

**Thresholds** come from the core settings (`app.state.genip_settings`, i.e. the `GENIP_MATCH_*`
environment): `match_distance` 48 bits (the largest distance with no false positive over 102 064 pairs of
distinct images in `scripts/bench_match_robustness.py`; the first appears at 52), `match_min_quality` 70,
`match_max_bytes` 25 MiB, `match_max_pixels` 64 M (see README "Image matching").

**Rows, not the cache, have the last word.** `describe(...)` reads the candidates' rows (title, media CID,
current dispute state) at query time: candidates whose row is gone (a reorg rolled it back) are dropped, and
dispute states are the current ones, not those cached when the engine loaded them.

**Possible originals** (`possible_original_of`, shown on `GET /assets/{id}`): the work's stored hashes
(`genip.matching.originals.stored_query`) are looked up in the same engine, the candidates' rows read, and
`genip.matching.originals.possible_original` (the one rule: earlier, another creator, not an ancestor)
picks the first. Answers are cached per process by (chain, asset, content hash, indexer cursor block and
hash), at most `ORIGINALS_CACHE_SIZE` of them: a repeated view of a work costs a dict lookup until the indexer
moves; non-images never touch the engine.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from fastapi import FastAPI
from sqlalchemy import Connection, Engine, select

from api.queries.chain import ChainState
from genip.db.models import Ancestor, Asset, MatchHash
from genip.matching.engine import Candidate, MatchConfig, MatchEngine
from genip.matching.originals import Registration, StoredHashes, possible_original, stored_query
from genip.matching.perceptual import QueryHash
from genip.settings import Settings

__all__ = [
    "ORIGINALS_CACHE_SIZE",
    "DescribedCandidate",
    "FoundOriginal",
    "ancestors_of",
    "describe",
    "lookup",
    "match_config",
    "matcher",
    "possible_original_of",
    "registration_of",
    "stored_hashes",
]

_BUILD_LOCK: Final = threading.Lock()
_ORIGINALS_LOCK: Final = threading.Lock()
#: Possible-original answers a process keeps (one small tuple each).
ORIGINALS_CACHE_SIZE: Final = 10_000
#: Engine candidates read per lookup before the rule filters them (same creator, later, ancestors).
_ORIGINAL_CANDIDATES: Final = 50


@dataclass(frozen=True, slots=True)
class DescribedCandidate:
    """A candidate with what its asset row says now."""

    candidate: Candidate
    title: str | None
    media_cid: str | None
    standing: str


def match_config(app: FastAPI) -> MatchConfig:
    """Thresholds and limits from the app's core settings (the `GENIP_MATCH_*` environment)."""
    settings = getattr(app.state, "genip_settings", None)
    return MatchConfig.from_settings(settings if isinstance(settings, Settings) else Settings())


def matcher(app: FastAPI) -> MatchEngine:
    """The process's shared engine, built on first use from `app.state.engine` (loads every image hash)."""
    engine: MatchEngine | None = getattr(app.state, "matcher", None)
    if engine is not None:
        return engine
    with _BUILD_LOCK:
        engine = getattr(app.state, "matcher", None)
        if engine is None:
            api_settings = getattr(app.state, "settings", None)
            engine = MatchEngine(
                app.state.engine,
                chain_id=getattr(api_settings, "api_chain_id", None),
                config=match_config(app),
            )
            app.state.matcher_lock = threading.Lock()  # before `matcher`: readers of one need the other
            app.state.matcher = engine
    return engine


def lookup(
    app: FastAPI, query: QueryHash, *, exclude_creator: str | None = None, limit: int = 10
) -> list[Candidate]:
    """Registered images within the match distance of `query`, best first, after appending new assets.

    Refreshing and searching hold the engine's lock, so the index is never searched while rows are being
    appended to it; hashing the upload (the slow part) happens before, outside the lock.
    """
    engine = matcher(app)
    lock: threading.Lock = app.state.matcher_lock
    with lock:
        engine.refresh()
        found = engine.match_hash(query, limit=limit + 50 if exclude_creator else limit)
    if exclude_creator:
        excluded = exclude_creator.lower()
        found = [c for c in found if c.creator.lower() != excluded]
    return found[:limit]


def describe(engine: Engine, candidates: list[Candidate]) -> list[DescribedCandidate]:
    """`candidates` with their rows' title, media CID and current standing; vanished rows dropped."""
    if not candidates:
        return []
    keys = {(c.chain_id, c.asset_id) for c in candidates}
    chains = {chain for chain, _ in keys}
    query = select(Asset.chain_id, Asset.asset_id, Asset.title, Asset.media_cid, Asset.standing).where(
        Asset.chain_id.in_(chains), Asset.asset_id.in_([asset for _, asset in keys])
    )
    with engine.connect() as connection:
        rows = {(r[0], r[1]): r for r in connection.execute(query)}
    return [
        DescribedCandidate(c, row[2], row[3], str(row[4]))
        for c in candidates
        if (row := rows.get((c.chain_id, c.asset_id))) is not None
    ]


def registration_of(asset: Asset) -> Registration:
    """The rule's view of an asset row."""
    return Registration(asset.chain_id, asset.asset_id, asset.creator, asset.block_number)


def stored_hashes(connection: Connection, asset: Asset) -> StoredHashes:
    """The asset's on-chain PDQ and the media hashes the indexer stored for its registered content."""
    rows = connection.execute(
        select(MatchHash.kind, MatchHash.code).where(
            MatchHash.chain_id == asset.chain_id,
            MatchHash.asset_id == asset.asset_id,
            MatchHash.content_hash == asset.content_hash,
        )
    ).all()
    return StoredHashes.from_rows(asset.perceptual_hash, {str(k): bytes(c) for k, c in rows})


def ancestors_of(connection: Connection, asset: Asset) -> set[int]:
    """Ids of the asset's ancestors (it was built under licences on them)."""
    query = select(Ancestor.ancestor_id).where(
        Ancestor.chain_id == asset.chain_id, Ancestor.asset_id == asset.asset_id
    )
    return {int(a) for (a,) in connection.execute(query)}


@dataclass(frozen=True, slots=True)
class FoundOriginal:
    """An earlier registration by another creator that matches the asset."""

    candidate: Candidate
    registration: Registration
    owner: str
    title: str | None


def _stages(app: FastAPI, query: QueryHash) -> Iterator[list[Candidate]]:
    """The engine's stages one at a time for a registered work's own hashes: its hash matches (which
    include the work itself, so unlike an upload's lookup the thumbnail and keypoint stages must not wait
    for "no hash matched"), then thumbnail matches, then keypoint matches."""
    engine = matcher(app)
    lock: threading.Lock = app.state.matcher_lock
    with lock:
        engine.refresh()
        found = engine.match_hash(query, limit=_ORIGINAL_CANDIDATES)
    yield found
    if engine.config.thumbnails and query.thumbnails:
        with lock:
            found = engine.thumbnail_matches(query.thumbnails)[:_ORIGINAL_CANDIDATES]
        yield found
    if engine.config.crops and query.features is not None:
        with lock:
            found = engine.crop_matches(query.features)
        yield found


def _find_original(app: FastAPI, asset: Asset) -> FoundOriginal | None:
    engine: Engine = app.state.engine
    with engine.connect() as connection:
        hashes = stored_hashes(connection, asset)
        if not hashes.usable:
            return None
        ancestors = ancestors_of(connection, asset)
    copy = registration_of(asset)
    for stage in _stages(app, stored_query(hashes)):
        found = [c for c in stage if c.chain_id == asset.chain_id and c.asset_id != asset.asset_id]
        if not found:
            continue
        query = select(Asset.asset_id, Asset.creator, Asset.block_number, Asset.owner, Asset.title).where(
            Asset.chain_id == asset.chain_id, Asset.asset_id.in_([c.asset_id for c in found])
        )
        with engine.connect() as connection:
            rows = {int(r[0]): r for r in connection.execute(query)}
        matches = [
            (c, Registration(c.chain_id, c.asset_id, str(row[1]), int(row[2])))
            for c in found
            if (row := rows.get(c.asset_id)) is not None
        ]
        picked = possible_original(copy, matches, copy_ancestors=ancestors)
        if picked is not None:
            candidate, registration = picked
            row = rows[candidate.asset_id]
            return FoundOriginal(candidate, registration, str(row[3]), row[4])
    return None


def possible_original_of(app: FastAPI, asset: Asset, state: ChainState) -> FoundOriginal | None:
    """The asset's possible original (see module doc), cached per process until the indexer moves."""
    if asset.kind != "image":
        return None
    key = (asset.chain_id, asset.asset_id, asset.content_hash, state.block_number, state.block_hash)
    with _ORIGINALS_LOCK:
        cache: OrderedDict[tuple[object, ...], FoundOriginal | None] | None = getattr(
            app.state, "originals_cache", None
        )
        if cache is None:
            cache = app.state.originals_cache = OrderedDict()
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    answer = _find_original(app, asset)  # outside the lock: it may build the engine
    with _ORIGINALS_LOCK:
        cache[key] = answer
        while len(cache) > ORIGINALS_CACHE_SIZE:
            cache.popitem(last=False)
    return answer
