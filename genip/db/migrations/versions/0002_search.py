"""search: full-text search over assets, and indexes the API's queries use

Postgres: a generated `search_vector` tsvector column on `assets` (title weighted A, description and tags B,
creator C) with a GIN index; the column is computed by the database, so the indexer's inserts, updates and
rollbacks (delete + insert) keep it current without knowing it exists.

SQLite: an FTS5 table `assets_fts` whose rowid is the asset row's rowid, kept in sync by triggers on insert,
update and delete of `assets` (the same indexer writes fire them).

Both: indexes for the API's sorts and the licence-status lookups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_VECTOR = """
ALTER TABLE assets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    || setweight(to_tsvector('english', coalesce(tags::text, '')), 'B')
    || setweight(to_tsvector('simple', lower(creator)), 'C')
) STORED
"""

_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE assets_fts USING fts5("
    "title, description, tags, creator, tokenize='porter unicode61')",
    """CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
        INSERT INTO assets_fts(rowid, title, description, tags, creator)
        VALUES (new.rowid, coalesce(new.title, ''), coalesce(new.description, ''), coalesce(new.tags, ''),
                new.creator);
    END""",
    """CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
        DELETE FROM assets_fts WHERE rowid = old.rowid;
    END""",
    """CREATE TRIGGER assets_fts_update AFTER UPDATE ON assets BEGIN
        DELETE FROM assets_fts WHERE rowid = old.rowid;
        INSERT INTO assets_fts(rowid, title, description, tags, creator)
        VALUES (new.rowid, coalesce(new.title, ''), coalesce(new.description, ''), coalesce(new.tags, ''),
                new.creator);
    END""",
    """INSERT INTO assets_fts(rowid, title, description, tags, creator)
        SELECT rowid, coalesce(title, ''), coalesce(description, ''), coalesce(tags, ''), creator
          FROM assets""",
]

_INDEXES = [
    ("ix_assets_most_licensed", "assets", ["chain_id", "licenses_sold"]),
    ("ix_offers_chain_asset", "offers", ["chain_id", "asset_id"]),
    ("ix_assets_chain_creator", "assets", ["chain_id", "creator"]),
    ("ix_assets_media_cid", "assets", ["media_cid"]),
    ("ix_assets_metadata_cid", "assets", ["metadata_cid"]),
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_VECTOR)
        op.execute("CREATE INDEX ix_assets_search_vector ON assets USING gin (search_vector)")
    elif dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_assets_search_vector")
        op.execute("ALTER TABLE assets DROP COLUMN IF EXISTS search_vector")
    elif dialect == "sqlite":
        for trigger in ("assets_fts_insert", "assets_fts_delete", "assets_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS assets_fts")
