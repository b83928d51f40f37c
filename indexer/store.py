"""Database side of the indexer: loading rows, committing batches, rolling back reorgs.

A batch is committed by `commit_batch` in one transaction: its raw events, the derived rows the handlers
changed, the undo log for blocks that may still be reorganised, the block hashes of the reorg window and the
cursor. Either all of it lands or none of it does, so a crash (even SIGKILL) at any point leaves the database
equal to the chain up to the cursor, and a restart resumes from there.

On Postgres the bulk paths avoid per-row statements: raw events go in by COPY in its binary format
(`indexer.rawcopy`: hashes, topics and data as bytes, so Postgres parses no hex), new derived rows by COPY
through a formatter generated per table, changed rows by COPY into a session-local staging table and one
`INSERT … ON CONFLICT DO UPDATE`, and the rows a batch reads are loaded with one join on `unnest` of the key
arrays per table. A batch's derived rows are sorted and formatted by `stage` before its transaction begins
(in a backfill, on the main thread while the writer commits the previous batch). During a Postgres backfill
the raw events' rows arrive already built from the fetch process (`indexer.fetcher`). SQLite takes the plain
SQLAlchemy paths; both store the same values.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Engine,
    Integer,
    SmallInteger,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from genip.db import models
from genip.db.types import Uint256
from indexer.events import DecodedLog
from indexer.overlay import KEYS, MODELS, Key, Overlay, Row
from indexer.rawcopy import BINARY_HEADER, BINARY_TRAILER, RAW_COLUMNS, raw_copy_data

__all__ = ["BlockRef", "Staged", "Store", "StoredCursor", "TableWrites"]

_CHUNK = 500
_BULK = 50  # on Postgres, more rows than this go by COPY

Change = tuple[Key, Row | None, Row | None]  # (key, row before the batch, row after it; None: absent)


@dataclass(frozen=True, slots=True)
class BlockRef:
    number: int
    hash: str
    parent_hash: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class StoredCursor:
    """The indexed tip, and the newest block committed without undo entries (the reorg anchor)."""

    block_number: int
    block_hash: str
    journal_from: int


def _json_safe(row: Row | None) -> Any:
    """Row image for the undo log (ints beyond JSON's safe range are kept as strings and restored by type)."""
    if row is None:
        return None
    return {
        k: (str(v) if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53 else v)
        for k, v in row.items()
    }


@dataclass
class TableWrites:
    """One table's writes in a batch: new rows, replaced rows and deleted keys. On Postgres, many new or
    replaced rows are also formatted as COPY text (`fresh_copy`, `changed_copy`) when the batch is staged."""

    table: str
    fresh: list[Row]
    changed: list[Row]
    deleted: list[Key]
    fresh_copy: str | None = None
    changed_copy: str | None = None


@dataclass
class Staged:
    """A batch's derived-row changes, ready to write: built by `Store.stage` before the commit (in a backfill,
    on the main thread while the previous batch commits), so the transaction itself only streams them."""

    changes: dict[str, list[Change]]  # every change, for the undo log (empty when the batch keeps none)
    writes: list[TableWrites]


class Store:
    """All reads and writes the indexer makes, for one chain."""

    def __init__(self, engine: Engine, chain_id: int) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.postgres = engine.dialect.name == "postgresql"
        self._insert = postgresql.insert if self.postgres else sqlite.insert

    # ─────────────────────────────── reads ───────────────────────────────

    def cursor(self, c: Connection | None = None) -> StoredCursor | None:
        """The stored cursor, read through `c` when given (inside a batch's transaction)."""
        if c is None:
            with self.engine.connect() as own:
                return self.cursor(own)
        cur = models.Cursor
        row = c.execute(
            select(cur.block_number, cur.block_hash, cur.journal_from).where(cur.chain_id == self.chain_id)
        ).first()
        return StoredCursor(row[0], row[1], row[2]) if row else None

    def start(self, c: Connection, anchor: BlockRef, head: int) -> None:
        """The first cursor: just before the deploy block, whose hash anchors reorg detection."""
        self.commit_batch(
            c,
            logs=[],
            overlay=None,
            first_block=anchor.number,
            last=anchor,
            window_blocks=[anchor],
            journal=False,
            head=head,
        )

    def stored_blocks(self, below_or_at: int, limit: int) -> list[tuple[int, str]]:
        """Stored (number, hash) of the window, newest first, starting at `below_or_at`."""
        with self.engine.connect() as c:
            rows = c.execute(
                select(models.Block.number, models.Block.hash)
                .where(models.Block.chain_id == self.chain_id, models.Block.number <= below_or_at)
                .order_by(models.Block.number.desc())
                .limit(limit)
            ).all()
        return [(r[0], r[1]) for r in rows]

    def known_events(self, c: Connection, logs: Sequence[DecodedLog]) -> set[tuple[str, int]]:
        """(block hash, log index) of the given logs already stored (a replayed range)."""
        keys = [(log.block_hash, log.log_index) for log in logs]
        found: set[tuple[str, int]] = set()
        raw = models.RawEvent
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            rows = c.execute(
                select(raw.block_hash, raw.log_index).where(
                    raw.chain_id == self.chain_id, tuple_(raw.block_hash, raw.log_index).in_(chunk)
                )
            ).all()
            found.update((r[0], r[1]) for r in rows)
        return found

    def loader(self, c: Connection) -> Any:
        """A loader for `Overlay` reading through connection `c` (inside the batch's transaction)."""

        def load(table: str, keys: list[Key]) -> dict[Key, Row]:
            model = MODELS[table]
            cols = [model.__table__.c[name] for name in KEYS[table]]
            out: dict[Key, Row] = {}
            if self.postgres:  # one query whatever the number of keys: a join on unnest(arrays of keys)
                for row in c.execute(_unnest_select(table), _unnest_params(table, keys)).mappings():
                    d = dict(row)
                    out[tuple(d[name] for name in KEYS[table])] = d
                return out
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i : i + _CHUNK]
                cond = tuple_(*cols).in_(chunk) if len(cols) > 1 else cols[0].in_([k[0] for k in chunk])
                for row in c.execute(select(model.__table__).where(cond)).mappings():
                    d = dict(row)
                    out[tuple(d[name] for name in KEYS[table])] = d
            return out

        return load

    # ─────────────────────────────── batch commit ───────────────────────────────

    def begin_batch(self, c: Connection) -> None:
        """Per-transaction settings of a batch. On Postgres the commit does not wait for the WAL flush: a
        crash of the database server may lose the newest batches, never part of one, and the indexer then
        re-reads them from the chain (the chain, not this database, is the durable record)."""
        if self.postgres:
            c.exec_driver_sql("SET LOCAL synchronous_commit = off")

    def stage(self, overlay: Overlay | None, *, journal: bool) -> Staged:
        """The overlay's changes sorted into new, replaced and deleted rows per table (in `MODELS` order),
        with the bulk ones formatted for COPY on Postgres; with `journal`, also every change as the undo log
        needs it."""
        if overlay is None:
            return Staged({}, [])
        changes = overlay.changes(inserted=False)
        writes = []
        for table, inserted in overlay.inserted.items():
            rows = changes.get(table, [])
            if not rows and not inserted:
                continue
            write = TableWrites(
                table,
                fresh=[after for _, before, after in rows if after is not None and before is None] + inserted,
                changed=[after for _, before, after in rows if after is not None and before is not None],
                deleted=[key for key, _, after in rows if after is None],
            )
            if self.postgres:
                _, lines = _copy_format(table)
                if len(write.fresh) > _BULK:
                    write.fresh_copy = lines(write.fresh)
                if len(write.changed) > _BULK:
                    write.changed_copy = lines(write.changed)
            writes.append(write)
        return Staged(overlay.changes() if journal else {}, writes)

    def commit_batch(
        self,
        c: Connection,
        *,
        logs: Sequence[DecodedLog],
        overlay: Overlay | None,
        first_block: int,
        last: BlockRef,
        window_blocks: Iterable[BlockRef],
        journal: bool,
        head: int,
        raw_copy: Sequence[bytes] | None = None,
        staged: Staged | None = None,
    ) -> None:
        """Writes one batch inside the caller's transaction `c`: its logs, the overlay's changes (`staged`
        from it already when given) and the cursor. `raw_copy`: the logs' COPY data for raw_events, when
        already formatted, by the backfill's fetch process."""
        self._insert_raw(c, logs, raw_copy)
        if staged is None:
            staged = self.stage(overlay, journal=journal)
        if journal and staged.changes:
            self._journal(c, staged.changes, first_block, last.number)
        for write in staged.writes:
            self._write_rows(c, write)
        blocks = [
            {
                "chain_id": self.chain_id,
                "number": b.number,
                "hash": b.hash,
                "parent_hash": b.parent_hash,
                "timestamp": b.timestamp,
            }
            for b in window_blocks
        ]
        if blocks:
            stmt = self._insert(models.Block).values(blocks)
            c.execute(
                stmt.on_conflict_do_update(
                    index_elements=["chain_id", "number"],
                    set_={
                        "hash": stmt.excluded.hash,
                        "parent_hash": stmt.excluded.parent_hash,
                        "timestamp": stmt.excluded.timestamp,
                    },
                )
            )
        self._set_cursor(c, last.number, last.hash, head, None if journal else last.number)

    def _copy(self, c: Connection, table: str, columns: Sequence[str], text: str) -> None:
        """Postgres COPY of pre-formatted text lines (tab-separated, `\\N` for null)."""
        raw_cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(text)

    def _copy_binary(
        self, c: Connection, table: str, columns: Sequence[str], chunks: Iterable[bytes]
    ) -> None:
        """Postgres COPY of rows in COPY's binary format (`chunks`: the rows, without header and trailer)."""
        raw_cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(BINARY_HEADER)
            for chunk in chunks:
                copy.write(chunk)
            copy.write(BINARY_TRAILER)

    def _insert_raw(
        self, c: Connection, logs: Sequence[DecodedLog], raw_copy: Sequence[bytes] | None = None
    ) -> None:
        if not logs:
            return
        if self.postgres:
            chunks = raw_copy if raw_copy is not None else [raw_copy_data(self.chain_id, logs)]
            self._copy_binary(c, "raw_events", RAW_COLUMNS, chunks)
            return
        c.execute(
            insert(models.RawEvent),
            [
                {
                    "chain_id": self.chain_id,
                    "block_hash": log.block_hash,
                    "log_index": log.log_index,
                    "block_number": log.block_number,
                    "tx_hash": log.tx_hash,
                    "address": log.address,
                    "event": log.event,
                    "topics": ",".join(log.topics),
                    "data": log.data,
                }
                for log in logs
            ],
        )

    def _write_rows(self, c: Connection, write: TableWrites) -> None:
        table = write.table
        model = MODELS[table]
        key_names = KEYS[table]
        columns, _ = _copy_format(table)
        if write.fresh_copy is not None:
            self._copy(c, table, columns, write.fresh_copy)
        elif write.fresh:  # brand-new rows need no conflict clause
            c.execute(insert(model), write.fresh)
        if write.changed_copy is not None:
            self._upsert_copy(c, table, write.changed_copy)
        elif write.changed:  # rows that existed are replaced whole
            stmt = self._insert(model)
            non_key = [col.name for col in model.__table__.columns if col.name not in key_names]
            c.execute(
                stmt.on_conflict_do_update(
                    index_elements=list(key_names), set_={n: stmt.excluded[n] for n in non_key}
                ),
                write.changed,
            )
        if write.deleted:
            cols = [model.__table__.c[n] for n in key_names]
            for i in range(0, len(write.deleted), _CHUNK):
                c.execute(delete(model).where(tuple_(*cols).in_(write.deleted[i : i + _CHUNK])))

    def _upsert_copy(self, c: Connection, table: str, text: str) -> None:
        """Postgres: replaces many existing rows at once (`text`: their COPY text), by COPY into a
        session-local staging table and one INSERT … ON CONFLICT DO UPDATE from it (its rows vanish at
        commit)."""
        key_names = KEYS[table]
        columns, _ = _copy_format(table)
        staging = f"genip_staging_{table}"
        c.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DELETE ROWS")
        self._copy(c, staging, columns, text)
        names = ", ".join(columns)
        updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in columns if n not in key_names)
        c.exec_driver_sql(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "
            f"ON CONFLICT ({', '.join(key_names)}) DO UPDATE SET {updates}"
        )

    def _journal(
        self,
        c: Connection,
        changes: dict[str, list[tuple[Key, Row | None, Row | None]]],
        first: int,
        last: int,
    ) -> None:
        seq = c.execute(
            select(func.coalesce(func.max(models.UndoEntry.seq), 0)).where(
                models.UndoEntry.chain_id == self.chain_id
            )
        ).scalar_one()
        entries = []
        for table, rows in changes.items():
            for key, before, _after in rows:
                seq += 1
                entries.append(
                    {
                        "chain_id": self.chain_id,
                        "seq": seq,
                        "first_block": first,
                        "last_block": last,
                        "table_name": table,
                        "key": orjson.loads(
                            orjson.dumps(dict(zip(KEYS[table], key, strict=True)), default=str)
                        ),
                        "before": orjson.loads(orjson.dumps(_json_safe(before), default=str)),
                    }
                )
        c.execute(insert(models.UndoEntry), entries)

    def _set_cursor(
        self, c: Connection, number: int, block_hash: str, head: int, journal_from: int | None
    ) -> None:
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "block_number": number,
            "block_hash": block_hash,
            "head_block": head,
            "updated_at": now,
        }
        if journal_from is not None:
            values["journal_from"] = journal_from
        stmt = self._insert(models.Cursor).values({"chain_id": self.chain_id, "journal_from": 0, **values})
        c.execute(stmt.on_conflict_do_update(index_elements=["chain_id"], set_=values))

    # ─────────────────────────────── status ───────────────────────────────

    def record_status(self, *, head: int | None = None, error: str | None = None) -> None:
        """Updates the head seen and the last error (for `/health`) without moving the cursor."""
        values: dict[str, Any] = {"updated_at": datetime.now(UTC)}
        if head is not None:
            values["head_block"] = head
        if error is not None:
            values.update(last_error=error[:2000], last_error_at=datetime.now(UTC))
        with self.engine.begin() as c:
            c.execute(update(models.Cursor).where(models.Cursor.chain_id == self.chain_id).values(**values))

    # ─────────────────────────────── reorgs ───────────────────────────────

    def rollback_to(self, c: Connection, ancestor: int) -> int:
        """Undoes every batch that covered blocks after `ancestor`; returns the new cursor block.

        The new cursor is `ancestor`, or earlier when a batch that began at or before the ancestor also
        covered
        later blocks (its undo entries restore the state before its first block).
        """
        undo = models.UndoEntry
        new_cursor = c.execute(
            select(func.min(undo.first_block)).where(
                undo.chain_id == self.chain_id, undo.last_block > ancestor
            )
        ).scalar_one()
        target = ancestor if new_cursor is None else min(ancestor, new_cursor - 1)
        entries = c.execute(
            select(undo.table_name, undo.key, undo.before)
            .where(undo.chain_id == self.chain_id, undo.last_block > target)
            .order_by(undo.seq.desc())
        ).all()
        for table, key, before in entries:
            model = MODELS[table]
            cond = and_(*(model.__table__.c[k] == _typed(model, k, v) for k, v in key.items()))
            c.execute(delete(model).where(cond))
            if before is not None:
                c.execute(insert(model).values({k: _typed(model, k, v) for k, v in before.items()}))
        c.execute(delete(undo).where(undo.chain_id == self.chain_id, undo.last_block > target))
        c.execute(
            delete(models.RawEvent).where(
                models.RawEvent.chain_id == self.chain_id, models.RawEvent.block_number > target
            )
        )
        c.execute(
            delete(models.Block).where(models.Block.chain_id == self.chain_id, models.Block.number > target)
        )
        block_hash = c.execute(
            select(models.Block.hash).where(
                models.Block.chain_id == self.chain_id, models.Block.number == target
            )
        ).scalar_one_or_none()
        if block_hash is None:
            raise LookupError(f"no stored hash for block {target}: cannot roll back there")
        c.execute(
            update(models.Cursor)
            .where(models.Cursor.chain_id == self.chain_id)
            .values(block_number=target, block_hash=block_hash, updated_at=datetime.now(UTC))
        )
        return target

    def prune(self, final_block: int) -> None:
        """Forgets undo entries and block hashes no reorg can reach any more: the newest stored block at or
        below `final_block` becomes the anchor (`journal_from`)."""
        with self.engine.begin() as c:
            anchor = c.execute(
                select(func.max(models.Block.number)).where(
                    models.Block.chain_id == self.chain_id, models.Block.number <= final_block
                )
            ).scalar_one()
            if anchor is None:
                return
            c.execute(
                delete(models.UndoEntry).where(
                    models.UndoEntry.chain_id == self.chain_id, models.UndoEntry.last_block <= anchor
                )
            )
            c.execute(
                delete(models.Block).where(
                    models.Block.chain_id == self.chain_id, models.Block.number < anchor
                )
            )
            c.execute(
                update(models.Cursor)
                .where(models.Cursor.chain_id == self.chain_id, models.Cursor.journal_from < anchor)
                .values(journal_from=anchor)
            )

    def reset(self) -> None:
        """Deletes everything indexed for this chain (for `genip index --reset`)."""
        with self.engine.begin() as c:
            tables: list[type[models.Base]] = [
                *MODELS.values(),
                models.RawEvent,
                models.Block,
                models.UndoEntry,
                models.Cursor,
            ]
            for model in tables:
                c.execute(delete(model).where(model.__table__.c.chain_id == self.chain_id))


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return orjson.dumps(value).decode().translate(_ESCAPES)  # JSON columns


def _copy_shown(col: Any, value: str) -> str:
    """A Python expression formatting `value` (an expression for the column's value, never None) as COPY text,
    specialised by type: integer and hash/address columns (never containing tabs or backslashes) are written
    as they are."""
    if isinstance(col.type, Boolean):
        return f"('t' if {value} else 'f')"
    if isinstance(col.type, models.HexBytes):
        return f"_BX + {value}[2:]"
    if isinstance(col.type, (Uint256, BigInteger, Integer, SmallInteger)) or (
        isinstance(col.type, String) and (col.type.length or 999) <= 66
    ):
        return value
    return f"_value({value})"


def _copy_field(col: Any, i: int) -> str:
    """The f-string field of column `col` (the `i`-th) of row `r`: read with `r.get` and its default `_d{i}`
    when it may be absent, checked for None (`\\N`) when nullable."""
    name = col.name
    if col.nullable:
        return f"{{(_NULL if (v{i} := r.get({name!r}, _d{i})) is None else {_copy_shown(col, f'v{i}')})}}"
    if col.default is not None and col.default.is_scalar:
        return f"{{{_copy_shown(col, f'r.get({name!r}, _d{i})')}}}"
    return f"{{{_copy_shown(col, f'r[{name!r}]')}}}"


@cache
def _copy_format(table: str) -> tuple[list[str], Callable[[Iterable[Row]], str]]:
    """Columns of `table` and a generated function formatting rows as COPY text lines (one comprehension
    over the rows, one f-string per row)."""
    model = MODELS[table]
    cols = list(model.__table__.columns)
    names = [col.name for col in cols]
    scope: dict[str, Any] = {"_value": _copy_value, "_NULL": "\\N", "_BX": "\\\\x"}
    for i, col in enumerate(cols):
        scope[f"_d{i}"] = col.default.arg if col.default is not None and col.default.is_scalar else None
    fields = "\\t".join(_copy_field(col, i) for i, col in enumerate(cols))
    source = f'def lines(rows):\n    return "".join([f"{fields}\\n" for r in rows])\n'
    exec(compile(source, f"<copy lines {table}>", "exec"), scope)  # source built from the model above
    lines: Callable[[Iterable[Row]], str] = scope["lines"]
    return names, lines


@cache
def _unnest_select(table: str) -> Any:
    """Postgres: the rows of `table` whose keys are in parallel arrays `k0, k1, …` (one query, one plan)."""
    model = MODELS[table]
    cols = [model.__table__.c[name] for name in KEYS[table]]
    keys = (
        func.unnest(*[bindparam(f"k{i}", type_=postgresql.ARRAY(col.type)) for i, col in enumerate(cols)])
        .table_valued(*[f"k{i}" for i in range(len(cols))])
        .render_derived()
    )
    return select(model.__table__).join(keys, and_(*[col == keys.c[f"k{i}"] for i, col in enumerate(cols)]))


def _unnest_params(table: str, keys: Sequence[Key]) -> dict[str, list[Any]]:
    return {f"k{i}": [k[i] for k in keys] for i in range(len(KEYS[table]))}


def _typed(model: Any, column: str, value: Any) -> Any:
    """Restores an undo-log JSON value to its column's Python type (big ints were stored as strings)."""
    if isinstance(value, str) and isinstance(model.__table__.c[column].type, Uint256):
        return int(value)
    return value
