"""hash-only matching and the HMA export (issue #20 part 4): the `hash_signals` log

`hash_signals`: one row each time a registered image's hash becomes exportable (`op` "add") or stops being
so (`op` "remove"), in the order they happened (`id`), for `GET /hashes?since=…` (api.queries.hashes). The
rows are written by triggers in the same transaction as the change, so the log is exactly the history of
the tables, whoever writes them (the indexer's batches, its reorg rollbacks, the media step):

* `assets`: an image asset inserted adds its PDQ (`perceptual_hash`, unless all zero) and the pHash-256 rows
  of `match_hashes` for its content; deleted (a reorg rollback), removes them; its `kind`, content or PDQ
  changed, removes the old and adds the new.
* `match_hashes`: a `phash` row inserted (the media step) adds it, deleted removes it, when it joins its
  asset (same chain, id and content hash, an image).

Existing rows are logged as "add" when the migration runs. `logged_at` (seconds since the epoch, the
database's clock) lets the reader tell an id gap left by a transaction still running (wait) from one left by
a rolled-back transaction (skip once old).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ZERO = "0x" + "0" * 64

# ── SQLite: triggers with the logic inline ──
_SQLITE_NOW = "((julianday('now') - 2440587.5) * 86400.0)"
_SQLITE_COLS = "(chain_id, asset_id, content_hash, block_number, signal_type, signal_value, op, logged_at)"


def _sqlite_pdq(row: str, op_name: str) -> str:
    return (
        f"INSERT INTO hash_signals {_SQLITE_COLS} SELECT {row}.chain_id, {row}.asset_id, {row}.content_hash, "
        f"{row}.block_number, 'pdq', lower(substr({row}.perceptual_hash, 3)), '{op_name}', {_SQLITE_NOW} "
        f"WHERE {row}.kind = 'image' AND length({row}.perceptual_hash) = 66 AND {row}.perceptual_hash != "
        f"'{_ZERO}';"
    )


def _sqlite_phash_of_asset(row: str, op_name: str) -> str:
    return (
        f"INSERT INTO hash_signals {_SQLITE_COLS} SELECT m.chain_id, m.asset_id, m.content_hash, "
        f"{row}.block_number, 'phash256', lower(hex(m.code)), '{op_name}', {_SQLITE_NOW} FROM match_hashes m "
        f"WHERE {row}.kind = 'image' AND m.chain_id = {row}.chain_id AND m.asset_id = {row}.asset_id "
        f"AND m.content_hash = {row}.content_hash AND m.kind = 'phash' AND length(m.code) = 32 ORDER BY m.id;"
    )


def _sqlite_phash_row(row: str, op_name: str) -> str:
    return (
        f"INSERT INTO hash_signals {_SQLITE_COLS} SELECT {row}.chain_id, {row}.asset_id, {row}.content_hash, "
        f"a.block_number, 'phash256', lower(hex({row}.code)), '{op_name}', {_SQLITE_NOW} FROM assets a "
        f"WHERE a.chain_id = {row}.chain_id AND a.asset_id = {row}.asset_id AND a.content_hash = "
        f"{row}.content_hash AND a.kind = 'image' AND {row}.kind = 'phash' AND length({row}.code) = 32;"
    )


_SQLITE_TRIGGERS = {
    "hash_signals_asset_insert": "AFTER INSERT ON assets BEGIN "
    + _sqlite_pdq("NEW", "add")
    + _sqlite_phash_of_asset("NEW", "add")
    + " END",
    "hash_signals_asset_delete": "AFTER DELETE ON assets BEGIN "
    + _sqlite_pdq("OLD", "remove")
    + _sqlite_phash_of_asset("OLD", "remove")
    + " END",
    "hash_signals_asset_update": "AFTER UPDATE OF kind, content_hash, perceptual_hash ON assets "
    "WHEN OLD.kind IS NOT NEW.kind OR OLD.content_hash IS NOT NEW.content_hash "
    "OR OLD.perceptual_hash IS NOT NEW.perceptual_hash BEGIN "
    + _sqlite_pdq("OLD", "remove")
    + _sqlite_phash_of_asset("OLD", "remove")
    + _sqlite_pdq("NEW", "add")
    + _sqlite_phash_of_asset("NEW", "add")
    + " END",
    "hash_signals_match_insert": "AFTER INSERT ON match_hashes BEGIN "
    + _sqlite_phash_row("NEW", "add")
    + " END",
    "hash_signals_match_delete": "AFTER DELETE ON match_hashes BEGIN "
    + _sqlite_phash_row("OLD", "remove")
    + " END",
}

# ── Postgres: two plpgsql functions ──
_PG_NOW = "extract(epoch FROM clock_timestamp())"
_PG_COLS = _SQLITE_COLS

_PG_ASSETS = f"""
CREATE FUNCTION genip_hash_signals_assets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.kind IS NOT DISTINCT FROM NEW.kind
     AND OLD.content_hash IS NOT DISTINCT FROM NEW.content_hash
     AND OLD.perceptual_hash IS NOT DISTINCT FROM NEW.perceptual_hash THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.kind = 'image' THEN
    IF length(OLD.perceptual_hash) = 66 AND OLD.perceptual_hash <> '{_ZERO}' THEN
      INSERT INTO hash_signals {_PG_COLS} VALUES (OLD.chain_id, OLD.asset_id, OLD.content_hash,
        OLD.block_number, 'pdq', lower(substr(OLD.perceptual_hash, 3)), 'remove', {_PG_NOW});
    END IF;
    INSERT INTO hash_signals {_PG_COLS} SELECT m.chain_id, m.asset_id, m.content_hash, OLD.block_number,
      'phash256', encode(m.code, 'hex'), 'remove', {_PG_NOW} FROM match_hashes m
      WHERE m.chain_id = OLD.chain_id AND m.asset_id = OLD.asset_id AND m.content_hash = OLD.content_hash
        AND m.kind = 'phash' AND length(m.code) = 32 ORDER BY m.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'image' THEN
    IF length(NEW.perceptual_hash) = 66 AND NEW.perceptual_hash <> '{_ZERO}' THEN
      INSERT INTO hash_signals {_PG_COLS} VALUES (NEW.chain_id, NEW.asset_id, NEW.content_hash,
        NEW.block_number, 'pdq', lower(substr(NEW.perceptual_hash, 3)), 'add', {_PG_NOW});
    END IF;
    INSERT INTO hash_signals {_PG_COLS} SELECT m.chain_id, m.asset_id, m.content_hash, NEW.block_number,
      'phash256', encode(m.code, 'hex'), 'add', {_PG_NOW} FROM match_hashes m
      WHERE m.chain_id = NEW.chain_id AND m.asset_id = NEW.asset_id AND m.content_hash = NEW.content_hash
        AND m.kind = 'phash' AND length(m.code) = 32 ORDER BY m.id;
  END IF;
  RETURN NULL;
END $$
"""

_PG_MATCH = f"""
CREATE FUNCTION genip_hash_signals_match() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r match_hashes%ROWTYPE;
  verb text;
BEGIN
  IF TG_OP = 'INSERT' THEN r := NEW; verb := 'add'; ELSE r := OLD; verb := 'remove'; END IF;
  IF r.kind = 'phash' AND length(r.code) = 32 THEN
    INSERT INTO hash_signals {_PG_COLS} SELECT r.chain_id, r.asset_id, r.content_hash, a.block_number,
      'phash256', encode(r.code, 'hex'), verb, {_PG_NOW} FROM assets a
      WHERE a.chain_id = r.chain_id AND a.asset_id = r.asset_id AND a.content_hash = r.content_hash
        AND a.kind = 'image';
  END IF;
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "hash_signals",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("signal_type", sa.String(16), nullable=False),
        sa.Column("signal_value", sa.String(64), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("logged_at", sa.Float(), nullable=False),
        sqlite_autoincrement=True,  # ids never reused: a cursor never skips a later row
    )
    op.create_index("ix_hash_signals_asset", "hash_signals", ["chain_id", "asset_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        now, phash_hex = _PG_NOW, "encode(m.code, 'hex')"
    else:
        now, phash_hex = _SQLITE_NOW, "lower(hex(m.code))"
    op.execute(
        f"INSERT INTO hash_signals {_SQLITE_COLS} SELECT chain_id, asset_id, content_hash, block_number, "
        f"'pdq', lower(substr(perceptual_hash, 3)), 'add', {now} FROM assets WHERE kind = 'image' "
        f"AND length(perceptual_hash) = 66 AND perceptual_hash <> '{_ZERO}' "
        "ORDER BY block_number, chain_id, asset_id"
    )
    op.execute(
        f"INSERT INTO hash_signals {_SQLITE_COLS} SELECT m.chain_id, m.asset_id, m.content_hash, "
        f"a.block_number, 'phash256', {phash_hex}, 'add', {now} FROM match_hashes m JOIN assets a "
        "ON a.chain_id = m.chain_id "
        "AND a.asset_id = m.asset_id AND a.content_hash = m.content_hash AND a.kind = 'image' "
        "WHERE m.kind = 'phash' AND length(m.code) = 32 ORDER BY m.id"
    )
    if bind.dialect.name == "postgresql":
        op.execute(_PG_ASSETS)
        op.execute(_PG_MATCH)
        op.execute(
            "CREATE TRIGGER hash_signals_assets AFTER INSERT OR DELETE OR UPDATE OF kind, content_hash, "
            "perceptual_hash ON assets FOR EACH ROW EXECUTE FUNCTION genip_hash_signals_assets()"
        )
        op.execute(
            "CREATE TRIGGER hash_signals_match AFTER INSERT OR DELETE ON match_hashes "
            "FOR EACH ROW EXECUTE FUNCTION genip_hash_signals_match()"
        )
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS hash_signals_assets ON assets")
        op.execute("DROP TRIGGER IF EXISTS hash_signals_match ON match_hashes")
        op.execute("DROP FUNCTION IF EXISTS genip_hash_signals_assets()")
        op.execute("DROP FUNCTION IF EXISTS genip_hash_signals_match()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_hash_signals_asset", table_name="hash_signals")
    op.drop_table("hash_signals")
