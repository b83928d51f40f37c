"""An in-memory overlay of the derived rows one batch touches.

Handlers read and write plain dict rows here instead of the database: the batch's rows are loaded in bulk
before the handlers run (`prefetch`, with a per-row fallback on a miss), mutated in memory, and written back
in one flush. The overlay remembers each row's image from before the batch, which is both what the flush
compares against (only changed rows are written) and what the undo log records for reorg rollback.
"""

import copy
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any

from sqlalchemy import inspect

from genip.db import models

__all__ = ["KEYS", "MODELS", "Key", "Loader", "Overlay", "Row", "copy_row"]

Row = dict[str, Any]
Key = tuple[Any, ...]
#: Loads the rows of `table` with the given keys (missing keys are simply absent from the result).
Loader = Callable[[str, list[Key]], dict[Key, Row]]

#: Derived tables the handlers maintain, by table name.
MODELS: dict[str, type[models.Base]] = {
    m.__tablename__: m
    for m in (
        models.ChainParams,
        models.Asset,
        models.PromptCheck,
        models.Terms,
        models.Offer,
        models.License,
        models.DerivativeEdge,
        models.Ancestor,
        models.Payment,
        models.Credit,
        models.Balance,
        models.Held,
        models.Withdrawal,
        models.Dispute,
        models.Taint,
        models.DisputeBond,
        models.BondBalance,
        models.PlatformAuthorization,
        models.Role,
    )
}
#: Primary-key column names of each derived table, in key order.
KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(c.name for c in inspect(model).primary_key) for name, model in MODELS.items()
}


#: Functions reading a row's key tuple.
def _key_of(cols: tuple[str, ...]) -> Callable[[Row], Key]:
    if len(cols) > 1:
        return itemgetter(*cols)
    col = cols[0]
    return lambda row: (row[col],)


_KEY_OF: dict[str, Callable[[Row], Key]] = {name: _key_of(cols) for name, cols in KEYS.items()}

_MISSING = object()
_CONTAINERS = (list, dict)


def copy_row(row: Row) -> Row:
    """An independent copy of a row: shallow (handlers only ever replace a row's top-level values) unless a
    value is itself a container (JSON columns), which is copied deeply."""
    for value in row.values():
        if isinstance(value, _CONTAINERS):
            return copy.deepcopy(row)
    return row.copy()


class Overlay:
    """Rows of one batch: current images in `rows`, pre-batch images in `before` (None = did not exist)."""

    def __init__(self, chain_id: int, loader: Loader) -> None:
        self.chain_id = chain_id
        self._loader = loader
        self.rows: dict[str, dict[Key, Row | None]] = {name: {} for name in MODELS}
        self.before: dict[str, dict[Key, Row | None]] = {name: {} for name in MODELS}
        # Rows of ledger tables, keyed by the log that made them: written once, never read back by a handler.
        self.inserted: dict[str, list[Row]] = {name: [] for name in MODELS}

    def key(self, table: str, row: Row) -> Key:
        return _KEY_OF[table](row)

    def prefetch(self, table: str, keys: Iterable[Key]) -> None:
        """Loads every key not yet in the overlay with one query."""
        wanted = [k for k in set(keys) if k not in self.rows[table]]
        if not wanted:
            return
        found = self._loader(table, wanted)
        for k in wanted:
            row = found.get(k)
            self.rows[table][k] = row
            self.before[table][k] = None if row is None else copy_row(row)

    def get(self, table: str, *key: Any) -> Row | None:
        """The current row with primary key `(chain_id, *key)`, or None."""
        full = (self.chain_id, *key)
        row = self.rows[table].get(full, _MISSING)
        if row is _MISSING:
            self.prefetch(table, [full])
            row = self.rows[table][full]
        return row  # type: ignore[return-value]

    def require(self, table: str, *key: Any) -> Row:
        """Like `get`, for rows the chain guarantees exist (an event about them was emitted)."""
        row = self.get(table, *key)
        if row is None:
            raise LookupError(f"{table} row {key} is missing: events out of order or a gap in indexing")
        return row

    def put(self, table: str, row: Row) -> Row:
        """Inserts or replaces a row (its `chain_id` is filled in)."""
        row["chain_id"] = self.chain_id
        k = self.key(table, row)
        if k not in self.before[table]:
            self.prefetch(table, [k])
        self.rows[table][k] = row
        return row

    def insert_new(self, table: str, row: Row) -> None:
        """Inserts a row keyed by a log not seen before (ledger tables): no lookup, no comparison at the
        flush. Such rows are not visible to `get` (no handler reads a ledger row back)."""
        row["chain_id"] = self.chain_id
        self.inserted[table].append(row)

    def delete(self, table: str, *key: Any) -> None:
        full = (self.chain_id, *key)
        if full not in self.before[table]:
            self.prefetch(table, [full])
        self.rows[table][full] = None

    def changes(self, *, inserted: bool = True) -> dict[str, list[tuple[Key, Row | None, Row | None]]]:
        """Per table (in `MODELS` order), the (key, before, after) of every row whose image changed, and of
        the inserted rows unless `inserted` is false."""
        out: dict[str, list[tuple[Key, Row | None, Row | None]]] = {}
        for table, rows in self.rows.items():
            before = self.before[table]
            changed = [(k, b, row) for k, row in rows.items() if row != (b := before.get(k))]
            if inserted and self.inserted[table]:
                key = _KEY_OF[table]
                changed += [(key(row), None, row) for row in self.inserted[table]]
            if changed:
                out[table] = changed
        return out
