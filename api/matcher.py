"""The image-matching engine the API shares per process: `POST /match` and the upload pre-check use it.

**One engine per process, kept fresh.** `matcher(app)` builds a `genip.matching.MatchEngine` on the app's
database engine (`app.state.engine`) the first time an image is matched, and keeps it on
`app.state.matcher`. Before every lookup `lookup(...)` calls `refresh()`, which appends only the image
assets indexed since the last call (one index-range query), so a work registered and indexed while the
service runs matches on the next request: no restart, no rebuild. The engine is a cache of the `assets`
table, rebuilt from the database by any process, so the API stays stateless (each process of a load-balanced
set holds its own copy).

**Many hashes at once** (`lookup_many`, `POST /match/hashes`): the engine's indexes keep their codes
(`genip.matching.batch.KeptCodes`), so one scan answers a whole batch (`genip.matching.batch`).

**Thresholds** come from the core settings (`app.state.genip_settings`, i.e. the `GENIP_MATCH_*`
environment): `match_distance` 48 bits (the largest distance with no false positive over 102 064 pairs of
distinct images in `scripts/bench_match_robustness.py`; the first appears at 52), `match_min_quality` 70,
`match_max_bytes` 25 MiB, `match_max_pixels` 64 M (see README "Image matching").

**Rows, not the cache, have the last word.** `describe(...)` reads the candidates' rows (title, media CID,
current dispute state) at query time: candidates whose row is gone (a reorg rolled it back) are dropped, and
dispute states are the current ones, not those cached when the engine loaded them.

**Possible originals** (`possible_original_of`, shown on `GET /assets/{id}`): what the indexer's provenance
step recorded (`indexer.provenance`, the rule in `genip.matching.originals.possible_original`), read with the
original's row; the API never computes it (every process and page agrees with the indexer).
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from fastapi import FastAPI
from sqlalchemy import Engine, select

from genip.db.models import Asset
from genip.matching.batch import KeptCodes, match_many
from genip.matching.engine import Candidate, MatchConfig, MatchEngine
from genip.matching.index import default_index
from genip.matching.originals import Registration
from genip.matching.perceptual import QueryHash
from genip.matching.provenance import FoundOriginal, read_provenance
from genip.rules import Standing
from genip.settings import Settings

__all__ = [
    "AssetRow",
    "DescribedCandidate",
    "FoundOriginal",
    "asset_rows",
    "describe",
    "described",
    "lookup",
    "lookup_many",
    "lookup_radius",
    "match_config",
    "matcher",
    "possible_original_of",
]

_BUILD_LOCK: Final = threading.Lock()


@dataclass(frozen=True, slots=True)
class DescribedCandidate:
    """A candidate with what its asset row says now."""

    candidate: Candidate
    title: str | None
    media_cid: str | None
    standing: str
    preview_cid: str | None = None


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
                # Codes kept by id: `/match/hashes` attributes one scan's hits to its many hashes.
                index=KeptCodes(default_index()),
                phash_index=KeptCodes(default_index()),
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


def lookup_many(app: FastAPI, queries: list[QueryHash], *, limit: int = 10) -> list[list[Candidate]]:
    """`lookup` for many hash-only queries at once (`genip.matching.batch.match_many`: one scan per index),
    each query's candidates as `lookup` would give them."""
    engine = matcher(app)
    lock: threading.Lock = app.state.matcher_lock
    with lock:
        engine.refresh()
        return match_many(engine, queries, limit=limit)


def lookup_radius(app: FastAPI, query: QueryHash, *, distance: int, limit: int) -> list[Candidate]:
    """Registered images within `distance` PDQ bits of `query` (any creator), best first, after appending new
    assets (similar works: a wider radius than the copy threshold)."""
    engine = matcher(app)
    lock: threading.Lock = app.state.matcher_lock
    with lock:
        engine.refresh()
        return engine.match_hash(query, limit=limit, distance=distance)


#: An asset row as `describe` reads it: (title, media CID, standing, preview CID).
AssetRow = tuple[str | None, str | None, str, str | None]


def asset_rows(engine: Engine, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], AssetRow]:
    """The rows of the (chain id, asset id) `keys` that are still registered, in one statement."""
    keys = set(keys)
    if not keys:
        return {}
    chains = {chain for chain, _ in keys}
    query = select(
        Asset.chain_id, Asset.asset_id, Asset.title, Asset.media_cid, Asset.standing, Asset.preview_cid
    ).where(Asset.chain_id.in_(chains), Asset.asset_id.in_({asset for _, asset in keys}))
    with engine.connect() as connection:
        return {(r[0], r[1]): (r[2], r[3], str(r[4]), r[5]) for r in connection.execute(query)}


def described(
    candidates: Iterable[Candidate], rows: dict[tuple[int, int], AssetRow]
) -> list[DescribedCandidate]:
    """`candidates` with their `rows` (see `asset_rows`); vanished rows dropped."""
    return [
        DescribedCandidate(c, *row)
        for c in candidates
        if (row := rows.get((c.chain_id, c.asset_id))) is not None
    ]


def describe(engine: Engine, candidates: list[Candidate]) -> list[DescribedCandidate]:
    """`candidates` with their rows' title, media CID and current standing; vanished rows dropped."""
    return described(candidates, asset_rows(engine, ((c.chain_id, c.asset_id) for c in candidates)))


def possible_original_of(app: FastAPI, asset: Asset) -> FoundOriginal | None:
    """The asset's possible original as the indexer recorded it (see module doc); None for none (yet)."""
    if asset.kind != "image":
        return None
    engine: Engine = app.state.engine
    with engine.connect() as connection:
        lineage = read_provenance(connection, asset.chain_id, [asset.asset_id]).get(asset.asset_id)
        if lineage is None or lineage.copy_of is None or lineage.measure is None:
            return None
        row = connection.execute(
            select(Asset.creator, Asset.block_number, Asset.owner, Asset.title).where(
                Asset.chain_id == asset.chain_id, Asset.asset_id == lineage.copy_of
            )
        ).first()
    if row is None:
        return None
    m = lineage.measure
    candidate = Candidate(
        asset.chain_id,
        lineage.copy_of,
        m.distance,
        m.confidence,
        str(row[0]),
        Standing.CLEAR,
        method=m.method,
        inliers=m.inliers,
        correlation=m.correlation,
    )
    registration = Registration(asset.chain_id, lineage.copy_of, str(row[0]), int(row[1]))
    return FoundOriginal(candidate, registration, str(row[2]), row[3])
