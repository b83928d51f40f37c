"""Possible copies as the indexer recorded them (`indexer.provenance`), for the lists and filters of the API.

`genip.matching.provenance.read_provenance` reads an asset's possible original for the verdict and the asset
detail; the lists here need the same facts the other way round (the copies of a work, of an account's works)
or inside a query (search hides copies), so they restate its join in SQL, and only its join: a provenance row
counts when it is the asset's row for its registered content (`content_hash`), names an original
(`original_id`), and that original is still registered. (`read_provenance` also wants `method` set; the
provenance step writes it with every original, so the two never differ, and leaving the redundant condition
out keeps Postgres's row estimate right: with it, Postgres guessed 166 copies for 2 500 and sorted a whole
text match before filtering it.) `tests/api/test_copies.py` checks these twins against `read_provenance` on
every asset of a world of real copies, on both backends.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Exists, FromClause, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from genip import rules
from genip.db import models
from genip.matching.provenance import read_provenance

__all__ = ["RecordedCopy", "copies", "copy_of", "recorded_copies_sql", "recorded_copy_sql"]

A = models.Asset.__table__
P = models.Provenance.__table__
D = models.Dispute.__table__


def _row_of(assets: FromClause) -> ColumnElement[bool]:
    """`P`'s row is the assets row's, for its registered content, and names an original."""
    return and_(
        P.c.chain_id == assets.c.chain_id,
        P.c.asset_id == assets.c.asset_id,
        P.c.content_hash == assets.c.content_hash,
        P.c.original_id.is_not(None),
    )


def _names(original: FromClause) -> ColumnElement[bool]:
    """`P`'s row names the assets row `original` (still registered, then)."""
    return and_(original.c.chain_id == P.c.chain_id, original.c.asset_id == P.c.original_id)


def recorded_copy_sql(assets: FromClause = A) -> Exists:
    """Whether the assets row is a possible copy (`read_provenance` gives it a `copy_of`): an EXISTS
    correlated with `assets`."""
    original = A.alias("copied_original")
    return exists().where(_row_of(assets), _names(original))


def recorded_copies_sql(chain_id: int) -> Select[int]:
    """The ids of the possible copies of chain `chain_id` (the same join as `recorded_copy_sql`, uncorrelated:
    read once where a query tests every asset of a large set, `asset_id NOT IN (...)`)."""
    copy, original = A.alias("recorded_copy"), A.alias("copied_original")
    return (
        select(P.c.asset_id)
        .select_from(P.join(original, _names(original)).join(copy, _row_of(copy)))
        .where(P.c.chain_id == chain_id)
    )


def copy_of(session: Session, chain_id: int, asset_ids: list[int]) -> dict[int, int]:
    """Asset id → its possible original, for those of `asset_ids` that are possible copies."""
    if not asset_ids:
        return {}
    found = read_provenance(session.connection(), chain_id, asset_ids)
    return {i: lineage.copy_of for i, lineage in found.items() if lineage.copy_of is not None}


@dataclass(frozen=True, slots=True)
class RecordedCopy:
    """A possible copy, its original and how they match, with the copy's standing and open claim."""

    asset_id: int
    title: str | None
    creator: str
    owner: str
    block_number: int
    standing: str
    expires_at: int
    original_id: int
    original_title: str | None
    method: str
    distance: int | None
    correlation: float | None
    inliers: int | None
    blocks_later: int
    open_claim_id: int | None


def _copies_query(chain_id: int, of_original: ColumnElement[bool], original: FromClause) -> Select[Any]:
    copy = A.alias("copy")
    open_claim = (
        select(func.max(D.c.dispute_id))
        .where(
            D.c.chain_id == copy.c.chain_id,
            D.c.asset_id == copy.c.asset_id,
            D.c.status == rules.DisputeState.OPEN.value,
        )
        .correlate(copy)
        .scalar_subquery()
    )
    return (
        select(
            copy.c.asset_id,
            copy.c.title,
            copy.c.creator,
            copy.c.owner,
            copy.c.block_number,
            copy.c.standing,
            copy.c.expires_at,
            original.c.asset_id.label("original_id"),
            original.c.title.label("original_title"),
            P.c.method,
            P.c.distance,
            P.c.correlation,
            P.c.inliers,
            (P.c.block_number - func.coalesce(P.c.original_block, 0)).label("blocks_later"),
            open_claim.label("open_claim_id"),
        )
        .select_from(P.join(original, _names(original)).join(copy, _row_of(copy)))
        .where(P.c.chain_id == chain_id, of_original)
    )


def copies(
    session: Session, *, chain_id: int, original_id: int | None = None, owner: str | None = None, limit: int
) -> tuple[list[RecordedCopy], int]:
    """The possible copies of work `original_id`, or of the works `owner` holds (newest copy first, at most
    `limit`), and how many there are in all."""
    original = A.alias("original")
    conds: list[ColumnElement[bool]] = [original.c.chain_id == chain_id]
    if original_id is not None:
        conds.append(original.c.asset_id == original_id)
    if owner is not None:
        conds.append(original.c.owner == owner)
    query = _copies_query(chain_id, and_(*conds), original)
    newest = query.order_by(P.c.block_number.desc(), P.c.asset_id.desc()).limit(limit)
    rows = session.execute(newest).mappings()
    found = [
        RecordedCopy(
            **{k: v for k, v in row.items() if k not in ("blocks_later", "open_claim_id")},
            blocks_later=int(row["blocks_later"]),
            open_claim_id=None if row["open_claim_id"] is None else int(row["open_claim_id"]),
        )
        for row in rows
    ]
    if len(found) < limit:
        return found, len(found)
    count = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    return found, int(count)
