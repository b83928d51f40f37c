"""Finding a registered image's possible original with the matching engine, and reading what was found.

**Finding** (`find_original`, run by the indexer's provenance step once per image asset and content): the
work's stored hashes (`genip.matching.originals.stored_query`) are looked up in a `MatchEngine` stage by stage
— hash matches (which include the work itself, so unlike an upload's lookup the thumbnail and keypoint stages
do not wait for "no hash matched"), then thumbnail matches, then keypoint matches — the candidates' rows read,
and `genip.matching.originals.possible_original` (the one rule: the earliest earlier registration by another
creator that is not an ancestor) picks the original from the first stage that has one. For a derivative, the
recorded possible copies of its ancestors count as ancestors too: it is expected to look like them as well.

**Reading** (`read_provenance`): what the indexer recorded about a set of assets, for the verdict and every
page that marks copies: each asset's possible original (when it has one) and whether it is a registered
derivative. Rows join their asset on the registered content hash (a reorg that re-registers an id with other
content hides the old row) and their original must still be registered.
"""

import contextlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import Connection, and_, select
from sqlalchemy.orm import aliased

from genip.db.models import Ancestor, Asset, MatchHash, Provenance
from genip.matching.engine import Candidate, MatchEngine
from genip.matching.originals import Measure, Registration, StoredHashes, possible_original, stored_query
from genip.matching.perceptual import QueryHash

__all__ = [
    "ClusterFacts",
    "FoundOriginal",
    "Lineage",
    "ancestors_of",
    "assemble_cluster",
    "cluster",
    "cluster_facts",
    "find_original",
    "matching_works",
    "read_provenance",
    "registration_of",
    "stored_hashes",
]

#: Engine candidates read per stage before the rule filters them (same creator, later, ancestors).
ORIGINAL_CANDIDATES: Final = 50


@dataclass(frozen=True, slots=True)
class FoundOriginal:
    """An earlier registration by another creator that matches the asset, and how."""

    candidate: Candidate
    registration: Registration
    owner: str
    title: str | None

    @property
    def measure(self) -> Measure:
        c = self.candidate
        return Measure(c.method, distance=c.distance, correlation=c.correlation, inliers=c.inliers)


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


def ancestors_of(connection: Connection, chain_id: int, asset_id: int) -> set[int]:
    """Ids of the asset's ancestors (it was built under licences on them)."""
    query = select(Ancestor.ancestor_id).where(Ancestor.chain_id == chain_id, Ancestor.asset_id == asset_id)
    return {int(a) for (a,) in connection.execute(query)}


def matching_works(
    engine: MatchEngine, query: QueryHash, lock: ContextManager[object] | None = None
) -> Iterator[list[Candidate]]:
    """The engine's candidates for a registered work's own hashes, one stage at a time (see module doc).
    `lock` guards the engine when threads share it."""
    lock = lock or contextlib.nullcontext()
    with lock:
        engine.refresh()
        found = engine.match_hash(query, limit=ORIGINAL_CANDIDATES)
    yield found
    if engine.config.thumbnails and query.thumbnails:
        with lock:
            found = engine.thumbnail_matches(query.thumbnails)[:ORIGINAL_CANDIDATES]
        yield found
    if engine.config.crops and query.features is not None:
        with lock:
            found = engine.crop_matches(query.features)
        yield found


def find_original(
    engine: MatchEngine,
    connection: Connection,
    asset: Asset,
    *,
    lock: ContextManager[object] | None = None,
) -> FoundOriginal | None:
    """The asset's possible original (see module doc); None when it has none or nothing to match with.
    `lock` guards the engine when threads share it."""
    hashes = stored_hashes(connection, asset)
    if not hashes.usable:
        return None
    ancestors = ancestors_of(connection, asset.chain_id, asset.asset_id)
    copy = registration_of(asset)
    for stage in matching_works(engine, stored_query(hashes), lock):
        found = [c for c in stage if c.chain_id == asset.chain_id and c.asset_id != asset.asset_id]
        if not found:
            continue
        query = select(Asset.asset_id, Asset.creator, Asset.block_number, Asset.owner, Asset.title).where(
            Asset.chain_id == asset.chain_id, Asset.asset_id.in_([c.asset_id for c in found])
        )
        rows = {int(r[0]): r for r in connection.execute(query)}
        matches = [
            (c, Registration(c.chain_id, c.asset_id, str(row[1]), int(row[2])))
            for c in found
            if (row := rows.get(c.asset_id)) is not None
        ]
        excluded = ancestors
        if ancestors:  # a derivative looks like its ancestors, and so like their copies: neither is copied
            recorded = read_provenance(connection, asset.chain_id, [c.asset_id for c in found])
            excluded = ancestors | {
                i for i, found_lineage in recorded.items() if found_lineage.copy_of in ancestors
            }
        picked = possible_original(copy, matches, copy_ancestors=excluded)
        if picked is not None:
            candidate, registration = picked
            row = rows[candidate.asset_id]
            return FoundOriginal(candidate, registration, str(row[3]), row[4])
    return None


@dataclass(frozen=True, slots=True)
class Lineage:
    """What the indexer recorded about one asset: its possible original, and whether it is a derivative."""

    asset_id: int
    copy_of: int | None = None
    #: How the asset matches `copy_of` (method, distance, correlation, inliers); None when not a copy.
    measure: Measure | None = None
    #: Blocks between the original's registration and the copy's.
    blocks_later: int | None = None
    is_derivative: bool = False
    #: For a derivative: the ids of its ancestors.
    ancestors: frozenset[int] = frozenset()


def read_provenance(connection: Connection, chain_id: int, asset_ids: Iterable[int]) -> dict[int, Lineage]:
    """`Lineage` of each of `asset_ids` that is registered (assets without a provenance row yet count as not
    copies)."""
    ids: Collection[int] = sorted(set(asset_ids))
    if not ids:
        return {}
    original = aliased(Asset)
    query = (
        select(
            Asset.asset_id,
            Asset.is_derivative,
            Provenance.original_id,
            Provenance.method,
            Provenance.distance,
            Provenance.correlation,
            Provenance.inliers,
            Provenance.block_number,
            Provenance.original_block,
        )
        .select_from(Asset)
        .outerjoin(
            Provenance,
            and_(
                Provenance.chain_id == Asset.chain_id,
                Provenance.asset_id == Asset.asset_id,
                Provenance.content_hash == Asset.content_hash,
            ),
        )
        .outerjoin(
            original,
            and_(original.chain_id == Provenance.chain_id, original.asset_id == Provenance.original_id),
        )
        .where(Asset.chain_id == chain_id, Asset.asset_id.in_(ids))
        .add_columns(original.asset_id)
    )
    rows = connection.execute(query).all()
    derivatives = [int(r[0]) for r in rows if r[1]]
    ancestors: dict[int, set[int]] = {}
    if derivatives:
        lines = select(Ancestor.asset_id, Ancestor.ancestor_id).where(
            Ancestor.chain_id == chain_id, Ancestor.asset_id.in_(derivatives)
        )
        for asset_id, ancestor_id in connection.execute(lines):
            ancestors.setdefault(int(asset_id), set()).add(int(ancestor_id))
    found: dict[int, Lineage] = {}
    for row in rows:
        asset_id, derivative, original_id, method, distance, correlation, inliers = row[:7]
        block, original_block = row[7:9]
        still_there = row[9] is not None
        lineage = Lineage(
            int(asset_id),
            is_derivative=bool(derivative),
            ancestors=frozenset(ancestors.get(int(asset_id), ())),
        )
        if original_id is not None and still_there and method is not None:
            lineage = replace(
                lineage,
                copy_of=int(original_id),
                measure=Measure(method, distance=distance, correlation=correlation, inliers=inliers),
                blocks_later=int(block) - int(original_block or 0),
            )
        found[int(asset_id)] = lineage
    return found


#: How far `cluster` follows copies of copies to their original.
_CLUSTER_DEPTH: Final = 4


Key = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """What the database says about a set of candidates' clusters (`cluster_facts`): the `Lineage` of each
    candidate and of each original reached through copies, and each such original's (creator, standing)."""

    lineage: dict[Key, Lineage]
    rows: dict[Key, tuple[str, str]]


def cluster_facts(connection: Connection, candidates: Sequence[Candidate]) -> ClusterFacts:
    """The reads `cluster` needs, for any number of candidates at once (one statement per chain and step
    of copies of copies, whatever the count): a batch of matches (`/match/hashes`) reads them once and
    `assemble_cluster`s each item from them."""
    lineage: dict[Key, Lineage] = {}
    rows: dict[Key, tuple[str, str]] = {}
    wanted: dict[int, set[int]] = {}
    for c in candidates:
        wanted.setdefault(c.chain_id, set()).add(c.asset_id)
    for _ in range(_CLUSTER_DEPTH):
        targets: dict[int, set[int]] = {}
        for chain_id, ids in wanted.items():
            for asset_id, found in read_provenance(connection, chain_id, ids).items():
                lineage[(chain_id, asset_id)] = found
                if found.copy_of is not None and (chain_id, found.copy_of) not in rows:
                    targets.setdefault(chain_id, set()).add(found.copy_of)
        if not targets:
            break
        wanted = {}
        for chain_id, ids in targets.items():
            query = select(Asset.asset_id, Asset.creator, Asset.standing).where(
                Asset.chain_id == chain_id, Asset.asset_id.in_(sorted(ids))
            )
            for asset_id, creator, standing in connection.execute(query):
                rows[(chain_id, int(asset_id))] = (str(creator), str(standing))
                if (chain_id, int(asset_id)) not in lineage:
                    wanted.setdefault(chain_id, set()).add(int(asset_id))
    return ClusterFacts(lineage, rows)


def assemble_cluster(
    candidates: Sequence[Candidate], facts: ClusterFacts
) -> tuple[dict[Key, Lineage], dict[Key, Candidate]]:
    """`cluster`'s answer for `candidates` from `facts` read for them (or for a superset): no database."""
    lineage: dict[Key, Lineage] = {}
    originals: dict[Key, Candidate] = {}
    known = {(c.chain_id, c.asset_id): c for c in candidates}
    wanted = list(known)
    for _ in range(_CLUSTER_DEPTH):
        missing: dict[Key, Candidate] = {}
        for key in wanted:
            found = facts.lineage.get(key)
            if found is None:
                continue
            lineage[key] = found
            if found.copy_of is not None and (key[0], found.copy_of) not in known:
                missing.setdefault((key[0], found.copy_of), known[key])  # the best copy brings it in
        if not missing:
            break
        wanted = []
        for key in sorted(missing):
            row = facts.rows.get(key)
            if row is None:
                continue
            original = replace(missing[key], asset_id=key[1], distance=None, creator=row[0], standing=row[1])
            known[key] = originals[key] = original
            wanted.append(key)
    return lineage, originals


def cluster(
    connection: Connection, candidates: Sequence[Candidate]
) -> tuple[dict[Key, Lineage], dict[Key, Candidate]]:
    """What the verdict (`genip.matching.verdict.weigh`) needs beyond the candidates: the `Lineage` of each
    candidate and of each original it brings in, and those originals as candidates (they may not match the
    upload themselves: `distance` None, the copy's method and confidence, the row's creator and current
    standing), following copies of copies up to `_CLUSTER_DEPTH` steps. Keys: (chain id, asset id)."""
    return assemble_cluster(candidates, cluster_facts(connection, candidates))
