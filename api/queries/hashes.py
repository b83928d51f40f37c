"""Pages of the registered hashes' history (`GET /hashes`), read from the `hash_signals` log.

The log (migration 0019, `genip.db.models.HashSignal`) is written by database triggers in the transaction
that changed `assets` or `match_hashes`, so it is exactly their history: an image registered (or its media's
pHash computed) is an "add", an asset a reorg rollback deleted is a "remove" of each of its hashes.

**Cursor.** The log's `id` only grows (SQLite AUTOINCREMENT, a Postgres identity), but on Postgres two
transactions may take ids in one order and commit in the other: a reader that saw id 11 could page past
an id 10 that commits a moment later. So a page stops before the first gap in the ids whose next row was
logged less than `GAP_WAIT` seconds ago (the transaction holding the missing id may still commit); an
older gap is an id a rolled-back transaction took, and is passed. The cursor is `s` and the last id
returned: stable under concurrent indexing, and every row is returned exactly once to a client that follows
`next` (a transaction open longer than `GAP_WAIT` is the one case it could miss; the indexer's batches
take seconds).

**Metadata** of an "add" is read at page time from the asset row (owner, creator, title, media CID) and the
indexer's provenance (`possible_copy_of`); null fields when the asset has since changed or gone (a later
"remove" in the log says so).
"""

import re
import time
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, select

from genip.db.models import Asset, HashSignal
from genip.matching.provenance import read_provenance

__all__ = ["CURSOR_PATTERN", "GAP_WAIT", "SignalPage", "decode_cursor", "encode_cursor", "signal_page"]

#: `s` and a log id (what `next` answered).
CURSOR_PATTERN: Final = r"^s(0|[1-9][0-9]{0,17})$"
#: Seconds a gap in the log's ids is waited for before it counts as a rolled-back transaction's.
GAP_WAIT: Final = 60.0

_CURSOR = re.compile(CURSOR_PATTERN)


def encode_cursor(last_id: int) -> str:
    return f"s{last_id}"


def decode_cursor(cursor: str | None) -> int:
    """The last id of a cursor (0 for none); `ValueError` for one this API did not issue."""
    if not cursor:
        return 0
    if not _CURSOR.match(cursor):
        raise ValueError(f"cursor {cursor[:64]!r} is not a cursor this API issued")
    return int(cursor[1:])


@dataclass(frozen=True, slots=True)
class SignalPage:
    """Entries (dicts in the `HashSignalEntry` shape), the cursor after them, and whether more are there."""

    entries: list[dict[str, Any]]
    last_id: int
    has_more: bool


def _readable(rows: list[Any], since: int, now: float) -> list[Any]:
    """The rows up to the first young gap in the ids (see the module docstring)."""
    out = []
    expected = since + 1
    for row in rows:
        if row.id != expected and now - float(row.logged_at) < GAP_WAIT:
            break
        out.append(row)
        expected = row.id + 1
    return out


def signal_page(
    connection: Connection, *, since: int, limit: int, chain_id: int | None, now: float | None = None
) -> SignalPage:
    """Up to `limit` log entries after id `since` (of `chain_id`, or every chain), oldest first."""
    query = select(HashSignal).where(HashSignal.id > since).order_by(HashSignal.id).limit(limit + 1)
    rows = list(connection.execute(query).all())
    more = len(rows) > limit
    readable = _readable(rows[:limit], since, time.time() if now is None else now)
    more = more or len(readable) < len(rows[:limit])
    last_id = readable[-1].id if readable else since
    mine = [r for r in readable if chain_id is None or r.chain_id == chain_id]
    return SignalPage(_entries(connection, mine), last_id, more)


def _entries(connection: Connection, rows: list[Any]) -> list[dict[str, Any]]:
    keys = {(int(r.chain_id), int(r.asset_id)) for r in rows if r.op == "add"}
    assets: dict[tuple[int, int], Any] = {}
    copies: dict[tuple[int, int], int | None] = {}
    for chain in {c for c, _ in keys}:
        ids = sorted(a for c, a in keys if c == chain)
        registered = connection.execute(
            select(
                Asset.asset_id, Asset.content_hash, Asset.owner, Asset.creator, Asset.title, Asset.media_cid
            ).where(Asset.chain_id == chain, Asset.asset_id.in_(ids))
        ).all()
        assets |= {(chain, int(a.asset_id)): a for a in registered}
        copies |= {
            (chain, i): lineage.copy_of for i, lineage in read_provenance(connection, chain, ids).items()
        }
    out = []
    for r in rows:
        key = (int(r.chain_id), int(r.asset_id))
        row = assets.get(key) if r.op == "add" else None
        asset = row if row is not None and row.content_hash == r.content_hash else None
        out.append(
            {
                "key": f"{r.chain_id}:{r.asset_id}:{r.signal_type}:{r.signal_value}",
                "op": r.op,
                "signal_type": r.signal_type,
                "signal_value": r.signal_value,
                "metadata": {
                    "chain_id": int(r.chain_id),
                    "asset_id": int(r.asset_id),
                    "content_hash": r.content_hash,
                    "registered_block": int(r.block_number),
                    "owner": asset.owner if asset is not None else None,
                    "creator": asset.creator if asset is not None else None,
                    "title": asset.title if asset is not None else None,
                    "cid": asset.media_cid if asset is not None else None,
                    "possible_copy_of": copies.get(key) if asset is not None else None,
                },
            }
        )
    return out
