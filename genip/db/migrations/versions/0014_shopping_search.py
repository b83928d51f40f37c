"""shopping search: typo-tolerant text over model, tool and trigger words; image look; base model; a version

Text. Postgres: `assets.search_vector` is generated again, now also from the Gen-IP metadata's model, tool,
LoRA base model and trigger words (weight B, read only from metadata the indexer accepted: status `ok`),
with its GIN index. SQLite: `assets_fts` gains the same `extra` column (its triggers fire only when a
searched column changes).

Typos. A vocabulary of the indexed words that search corrects unknown query words against: Postgres, the
table `search_terms` (every lexeme of `search_vector`, kept by statement triggers on `assets`; a trigram
GIN index when the server has `pg_trgm`, which this migration installs when it is available); SQLite, the
`fts5vocab` table `assets_fts_terms` over `assets_fts` (kept by FTS5 itself).

Look. `assets.image_width`, `image_height`, `orientation` (landscape, portrait, square), `size_class`
(small, medium, large) and `colour` (a dominant colour name), written by the indexer's media step
(`genip.rules.orientation`, `genip.rules.size_class`, `genip.content.look`), indexed for the filters.
`assets.base_model` is generated from the metadata (`genip.details.baseModel` of a LoRA or checkpoint).

Version. `search_state.version` counts every write to `assets` or `provenance` (triggers), so the API's
answer cache (keyed on the cursor and this version) never serves a page the database has moved past, even
when only content fields (titles, media look, possible copies) changed without the cursor moving.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 12:30:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOOK_COLUMNS: list[tuple[str, Any]] = [
    ("image_width", sa.Integer()),
    ("image_height", sa.Integer()),
    ("orientation", sa.String(16)),
    ("size_class", sa.String(16)),
    ("colour", sa.String(16)),
]
_INDEXES = [
    ("ix_assets_orientation", ["chain_id", "orientation"]),
    ("ix_assets_size_class", ["chain_id", "size_class"]),
    ("ix_assets_colour", ["chain_id", "colour"]),
    ("ix_assets_base_model", ["chain_id", "base_model"]),
]

# ─────────────────────────────── Postgres ───────────────────────────────

#: Metadata the generated columns may read: verified, and without an escaped NUL, which Postgres's JSON
#: operators refuse to turn into text (an indexed row must never fail on hostile metadata).
_PG_OK = "metadata_status = 'ok' AND strpos(metadata_json::text, '\\u0000') = 0"
_PG_EXTRA = (  # `||` of coalesced texts: concat_ws is not immutable
    f"CASE WHEN {_PG_OK} THEN coalesce(metadata_json -> 'genip' ->> 'model', '') || ' ' || "
    "coalesce(metadata_json -> 'genip' ->> 'tool', '') || ' ' || "
    "coalesce(metadata_json -> 'genip' -> 'details' ->> 'baseModel', '') || ' ' || "
    "coalesce((metadata_json -> 'genip' -> 'details' -> 'triggerWords')::text, '') END"
)
_PG_VECTOR = f"""
ALTER TABLE assets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    || setweight(to_tsvector('english', coalesce(tags::text, '')), 'B')
    || setweight(to_tsvector('english', coalesce({_PG_EXTRA}, '')), 'B')
    || setweight(to_tsvector('simple', lower(creator)), 'C')
) STORED
"""
_PG_OLD_VECTOR = """
ALTER TABLE assets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    || setweight(to_tsvector('english', coalesce(tags::text, '')), 'B')
    || setweight(to_tsvector('simple', lower(creator)), 'C')
) STORED
"""
_PG_BASE_MODEL = (
    "ALTER TABLE assets ADD COLUMN base_model varchar(64) GENERATED ALWAYS AS ("
    f"CASE WHEN NOT ({_PG_OK}) THEN NULL "  # CASE evaluates in order: the guard before the operators
    "WHEN json_typeof(metadata_json -> 'genip' -> 'details' -> 'baseModel') = 'string' "
    "THEN left(metadata_json -> 'genip' -> 'details' ->> 'baseModel', 64) END) STORED"
)
#: The words of the rows a statement wrote (no addresses, nothing shorter than 3 or longer than 64).
_PG_TERMS_FUNCTION = """
CREATE FUNCTION genip_search_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_terms (term)
    SELECT DISTINCT t FROM written, unnest(tsvector_to_array(written.search_vector)) AS t
     WHERE length(t) BETWEEN 3 AND 64 AND t NOT LIKE '0x%'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
"""
_PG_VERSION_FUNCTION = """
CREATE FUNCTION genip_search_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$
"""
_PG_TRIGGERS = [
    "CREATE TRIGGER assets_search_terms_insert AFTER INSERT ON assets REFERENCING NEW TABLE AS written "
    "FOR EACH STATEMENT EXECUTE FUNCTION genip_search_terms()",
    "CREATE TRIGGER assets_search_terms_update AFTER UPDATE ON assets REFERENCING NEW TABLE AS written "
    "FOR EACH STATEMENT EXECUTE FUNCTION genip_search_terms()",
    "CREATE TRIGGER assets_search_version AFTER INSERT OR UPDATE OR DELETE ON assets "
    "FOR EACH STATEMENT EXECUTE FUNCTION genip_search_version()",
    "CREATE TRIGGER provenance_search_version AFTER INSERT OR UPDATE OR DELETE ON provenance "
    "FOR EACH STATEMENT EXECUTE FUNCTION genip_search_version()",
]


def _pg_upgrade() -> None:
    bind = op.get_bind()
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).scalar_one_or_none()
    if available:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError:  # not allowed to install it: typos are corrected without the index
            pass
    op.execute("DROP INDEX IF EXISTS ix_assets_search_vector")
    op.execute("ALTER TABLE assets DROP COLUMN search_vector")
    op.execute(_PG_VECTOR)
    op.execute("CREATE INDEX ix_assets_search_vector ON assets USING gin (search_vector)")
    op.execute(_PG_BASE_MODEL)
    op.create_table("search_terms", sa.Column("term", sa.Text(), primary_key=True))
    installed = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
    if installed:
        op.execute("CREATE INDEX ix_search_terms_trgm ON search_terms USING gin (term gin_trgm_ops)")
    op.execute(
        "INSERT INTO search_terms (term) SELECT DISTINCT t FROM assets, "
        "unnest(tsvector_to_array(search_vector)) AS t WHERE length(t) BETWEEN 3 AND 64 AND t NOT LIKE '0x%'"
    )
    op.execute(_PG_TERMS_FUNCTION)
    op.execute(_PG_VERSION_FUNCTION)
    for statement in _PG_TRIGGERS:
        op.execute(statement)


def _pg_downgrade() -> None:
    for trigger, table in (
        ("provenance_search_version", "provenance"),
        ("assets_search_version", "assets"),
        ("assets_search_terms_update", "assets"),
        ("assets_search_terms_insert", "assets"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS genip_search_version()")
    op.execute("DROP FUNCTION IF EXISTS genip_search_terms()")
    op.drop_table("search_terms")
    op.execute("ALTER TABLE assets DROP COLUMN base_model")
    op.execute("DROP INDEX IF EXISTS ix_assets_search_vector")
    op.execute("ALTER TABLE assets DROP COLUMN search_vector")
    op.execute(_PG_OLD_VECTOR)
    op.execute("CREATE INDEX ix_assets_search_vector ON assets USING gin (search_vector)")


# ─────────────────────────────── SQLite ───────────────────────────────


def _sqlite_extra(row: str) -> str:
    path = f"json_extract({row}.metadata_json, '$.genip"
    return (
        f"CASE WHEN {row}.metadata_status = 'ok' AND json_valid({row}.metadata_json) THEN trim("
        f"coalesce({path}.model'), '') || ' ' || coalesce({path}.tool'), '') || ' ' || "
        f"coalesce({path}.details.baseModel'), '') || ' ' || coalesce({path}.details.triggerWords'), '')) "
        "ELSE '' END"
    )


def _sqlite_insert(row: str) -> str:
    return (
        "INSERT INTO assets_fts(rowid, title, description, tags, creator, extra) "
        f"VALUES ({row}.rowid, coalesce({row}.title, ''), coalesce({row}.description, ''), "
        f"coalesce({row}.tags, ''), {row}.creator, {_sqlite_extra(row)});"
    )


_SQLITE_SEARCHED = "title, description, tags, creator, metadata_json, metadata_status"
_SQLITE_OLD_TRIGGERS = ("assets_fts_insert", "assets_fts_delete", "assets_fts_update")
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE assets_fts USING fts5("
    "title, description, tags, creator, extra, tokenize='porter unicode61')",
    f"CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN {_sqlite_insert('new')} END",
    """CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
        DELETE FROM assets_fts WHERE rowid = old.rowid;
    END""",
    f"""CREATE TRIGGER assets_fts_update AFTER UPDATE OF {_SQLITE_SEARCHED} ON assets BEGIN
        DELETE FROM assets_fts WHERE rowid = old.rowid;
        {_sqlite_insert("new")}
    END""",
    "INSERT INTO assets_fts(rowid, title, description, tags, creator, extra) "
    "SELECT rowid, coalesce(title, ''), coalesce(description, ''), coalesce(tags, ''), creator, "
    f"{_sqlite_extra('assets')} FROM assets",
    "CREATE VIRTUAL TABLE assets_fts_terms USING fts5vocab(assets_fts, 'row')",
]
_SQLITE_OLD_FTS = [
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
_SQLITE_BASE_MODEL = (
    "ALTER TABLE assets ADD COLUMN base_model VARCHAR(64) GENERATED ALWAYS AS ("
    "CASE WHEN metadata_status = 'ok' AND json_valid(metadata_json) "
    "AND json_type(metadata_json, '$.genip.details.baseModel') = 'text' "
    "THEN substr(json_extract(metadata_json, '$.genip.details.baseModel'), 1, 64) END) VIRTUAL"
)
_SQLITE_VERSION_TRIGGERS = [
    f"CREATE TRIGGER {table}_search_version_{event.lower()} AFTER {event} ON {table} BEGIN "
    "UPDATE search_state SET version = version + 1 WHERE id = 1; END"
    for table in ("assets", "provenance")
    for event in ("INSERT", "UPDATE", "DELETE")
]


def _sqlite_upgrade() -> None:
    for trigger in _SQLITE_OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS assets_fts")
    for statement in _SQLITE_FTS:
        op.execute(statement)
    op.execute(_SQLITE_BASE_MODEL)
    for statement in _SQLITE_VERSION_TRIGGERS:
        op.execute(statement)


def _sqlite_downgrade() -> None:
    for table in ("assets", "provenance"):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_version_{event}")
    op.execute("DROP TABLE IF EXISTS assets_fts_terms")
    for trigger in _SQLITE_OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS assets_fts")
    op.execute("ALTER TABLE assets DROP COLUMN base_model")
    for statement in _SQLITE_OLD_FTS:
        op.execute(statement)


# ─────────────────────────────── both ───────────────────────────────


def upgrade() -> None:
    for name, type_ in _LOOK_COLUMNS:
        op.add_column("assets", sa.Column(name, type_, nullable=True))
    op.create_table(
        "search_state",
        sa.Column("id", sa.SmallInteger(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO search_state (id, version) VALUES (1, 0)")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _pg_upgrade()
    elif dialect == "sqlite":
        _sqlite_upgrade()
    for name, columns in _INDEXES:
        op.create_index(name, "assets", columns)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, _ in reversed(_INDEXES):
        op.drop_index(name, table_name="assets")
    if dialect == "postgresql":
        _pg_downgrade()
    elif dialect == "sqlite":
        _sqlite_downgrade()
    op.drop_table("search_state")
    for name, _ in reversed(_LOOK_COLUMNS):
        op.execute(f"ALTER TABLE assets DROP COLUMN {name}")
