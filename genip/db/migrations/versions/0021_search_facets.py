"""search facets kept current: live offers on the asset row, facet counts of the whole catalogue

Live offers. `assets.live_offers` holds the asset's live offers (open: not paused, not sold out; and still the
seller's: `offers.creator = assets.owner`, else `buyLicense` reverts OfferLapsed) as their distinct
`tier:currency` pairs, `,standard:0x…,extended:0x…,` (each pair between commas; NULL without a live offer).
Liveness does not depend on time, so triggers keep it exact: on every write to `offers` (the asset's pairs are
read again) and on an asset's insert or change of `owner`. Search filters on it and counts the tier and
currency facets from it, without a join to the offers.

Facet counts. `search_facets` counts the assets of each chain per combination of every facet the search
counts from the asset row (kind, standing, has derivatives, orientation, size class, colour, base model, live
offers, and whether the prompt check failed, for the delisted rule), NULL stored as '' so the combination is a
key. Triggers on `assets` keep it (Postgres: per statement, from the transition tables, so a bulk write is one
upsert; SQLite: per row). A search of the whole catalogue (no text, no filter the table cannot answer) sums a
few hundred rows instead of grouping 100 000 assets; possible copies, which hide by a join to `provenance`,
are subtracted by the API from a GROUP BY over the copies alone.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The columns of `search_facets` but `n`: the facet key of an assets row.
_DIMS: tuple[str, ...] = ("chain_id", "kind", "standing", "derived", "orientation", "size_class", "colour")
_DIMS += ("base_model", "live_offers", "failed")


def _keys(r: str) -> list[str]:
    """The facet key of the assets row `r`, one SQL expression per column of `_DIMS`."""
    return [
        f"{r}.chain_id",
        f"{r}.kind",
        f"{r}.standing",
        f"CASE WHEN {r}.children_count > 0 THEN 1 ELSE 0 END",
        *(
            f"coalesce({r}.{c}, '')"
            for c in ("orientation", "size_class", "colour", "base_model", "live_offers")
        ),
        f"CASE WHEN {r}.prompt_check = 'failed' THEN 1 ELSE 0 END",
    ]


def _key(r: str) -> str:
    return ", ".join(_keys(r))


_COLUMNS = ", ".join(_DIMS)

# ─────────────────────────────── Postgres ───────────────────────────────

_PG_LIVE = """
CREATE FUNCTION genip_live_offers(c bigint, a bigint, own text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT ',' || string_agg(DISTINCT o.tier || ':' || o.currency, ',' ORDER BY o.tier || ':' || o.currency)
           || ','
      FROM offers o
     WHERE o.chain_id = c AND o.asset_id = a AND NOT o.paused
       AND (o.supply_cap = 0 OR o.sold < o.supply_cap) AND o.creator = own
$$
"""
_PG_ASSET_LIVE = """
CREATE FUNCTION genip_asset_live_offers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.live_offers := genip_live_offers(NEW.chain_id, NEW.asset_id, NEW.owner);
    RETURN NEW;
END $$
"""


def _pg_offers_function(name: str, tables: list[str]) -> str:
    written = " UNION ".join(f"SELECT chain_id, asset_id FROM {t}" for t in tables)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assets a SET live_offers = genip_live_offers(a.chain_id, a.asset_id, a.owner)
      FROM ({written}) w
     WHERE a.chain_id = w.chain_id AND a.asset_id = w.asset_id
       AND a.live_offers IS DISTINCT FROM genip_live_offers(a.chain_id, a.asset_id, a.owner);
    RETURN NULL;
END $$
"""


def _pg_facets_function(name: str, signed: list[tuple[str, int]]) -> str:
    rows = " UNION ALL ".join(f"SELECT {_key(t)}, {sign} FROM {t}" for t, sign in signed)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_facets AS f ({_COLUMNS}, n)
    SELECT {_COLUMNS}, sum(d) FROM ({rows}) AS delta ({_COLUMNS}, d)
     GROUP BY {_COLUMNS} HAVING sum(d) <> 0
    ON CONFLICT ({_COLUMNS}) DO UPDATE SET n = f.n + EXCLUDED.n;
    RETURN NULL;
END $$
"""


_PG_FUNCTIONS = [
    _PG_LIVE,
    _PG_ASSET_LIVE,
    _pg_offers_function("genip_offers_live_insert", ["new_rows"]),
    _pg_offers_function("genip_offers_live_update", ["old_rows", "new_rows"]),
    _pg_offers_function("genip_offers_live_delete", ["old_rows"]),
    _pg_facets_function("genip_search_facets_insert", [("new_rows", 1)]),
    _pg_facets_function("genip_search_facets_update", [("old_rows", -1), ("new_rows", 1)]),
    _pg_facets_function("genip_search_facets_delete", [("old_rows", -1)]),
]
_PG_TRIGGERS = [
    ("assets", "assets_live_offers", "BEFORE INSERT OR UPDATE OF owner ON assets FOR EACH ROW "
     "EXECUTE FUNCTION genip_asset_live_offers()"),
    ("offers", "offers_live_insert", "AFTER INSERT ON offers REFERENCING NEW TABLE AS new_rows "
     "FOR EACH STATEMENT EXECUTE FUNCTION genip_offers_live_insert()"),
    ("offers", "offers_live_update", "AFTER UPDATE ON offers REFERENCING OLD TABLE AS old_rows NEW TABLE AS "
     "new_rows FOR EACH STATEMENT EXECUTE FUNCTION genip_offers_live_update()"),
    ("offers", "offers_live_delete", "AFTER DELETE ON offers REFERENCING OLD TABLE AS old_rows "
     "FOR EACH STATEMENT EXECUTE FUNCTION genip_offers_live_delete()"),
    ("assets", "assets_facets_insert", "AFTER INSERT ON assets REFERENCING NEW TABLE AS new_rows "
     "FOR EACH STATEMENT EXECUTE FUNCTION genip_search_facets_insert()"),
    ("assets", "assets_facets_update", "AFTER UPDATE ON assets REFERENCING OLD TABLE AS old_rows "
     "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION genip_search_facets_update()"),
    ("assets", "assets_facets_delete", "AFTER DELETE ON assets REFERENCING OLD TABLE AS old_rows "
     "FOR EACH STATEMENT EXECUTE FUNCTION genip_search_facets_delete()"),
]  # fmt: skip
_PG_FUNCTION_NAMES = [
    "genip_search_facets_delete",
    "genip_search_facets_update",
    "genip_search_facets_insert",
    "genip_offers_live_delete",
    "genip_offers_live_update",
    "genip_offers_live_insert",
    "genip_asset_live_offers",
    "genip_live_offers",
]

# ─────────────────────────────── SQLite ───────────────────────────────

_SQLITE_LIVE = (
    "(SELECT ',' || group_concat(pair, ',') || ',' FROM (SELECT DISTINCT o.tier || ':' || o.currency AS pair "
    "FROM offers o WHERE o.chain_id = {c} AND o.asset_id = {a} AND NOT o.paused "
    "AND (o.supply_cap = 0 OR o.sold < o.supply_cap) AND o.creator = {own} ORDER BY pair))"
)


def _sqlite_refresh(c: str, a: str) -> str:
    live = _SQLITE_LIVE.format(c="assets.chain_id", a="assets.asset_id", own="assets.owner")
    return (
        f"UPDATE assets SET live_offers = {live} WHERE chain_id = {c} AND asset_id = {a} "
        f"AND live_offers IS NOT {live};"
    )


def _sqlite_count(r: str, sign: int) -> str:
    """Adds `sign` to the count of the key of row `r` (its row, else a new one)."""
    match = " AND ".join(f"{d} = {k}" for d, k in zip(_DIMS, _keys(r), strict=True))
    return (
        f"UPDATE search_facets SET n = n + {sign} WHERE {match}; "
        f"INSERT INTO search_facets ({_COLUMNS}, n) SELECT {_key(r)}, {sign} "
        f"WHERE NOT EXISTS (SELECT 1 FROM search_facets WHERE {match});"
    )


def _sqlite_key_differs() -> str:
    pairs = zip(_keys("OLD"), _keys("NEW"), strict=True)
    return " OR ".join(f"({o}) IS NOT ({n})" for o, n in pairs)


_SQLITE_TRIGGERS = [
    (
        "offers_live_insert",
        f"CREATE TRIGGER offers_live_insert AFTER INSERT ON offers BEGIN "
        f"{_sqlite_refresh('NEW.chain_id', 'NEW.asset_id')} END",
    ),
    (
        "offers_live_update",
        f"CREATE TRIGGER offers_live_update AFTER UPDATE ON offers BEGIN "
        f"{_sqlite_refresh('OLD.chain_id', 'OLD.asset_id')} "
        f"{_sqlite_refresh('NEW.chain_id', 'NEW.asset_id')} END",
    ),
    (
        "offers_live_delete",
        f"CREATE TRIGGER offers_live_delete AFTER DELETE ON offers BEGIN "
        f"{_sqlite_refresh('OLD.chain_id', 'OLD.asset_id')} END",
    ),
    (
        "assets_live_offers_insert",
        f"CREATE TRIGGER assets_live_offers_insert AFTER INSERT ON assets BEGIN "
        f"{_sqlite_refresh('NEW.chain_id', 'NEW.asset_id')} END",
    ),
    (
        "assets_live_offers_owner",
        f"CREATE TRIGGER assets_live_offers_owner AFTER UPDATE OF owner ON assets BEGIN "
        f"{_sqlite_refresh('NEW.chain_id', 'NEW.asset_id')} END",
    ),
    (
        "assets_facets_insert",
        f"CREATE TRIGGER assets_facets_insert AFTER INSERT ON assets BEGIN {_sqlite_count('NEW', 1)} END",
    ),
    (
        "assets_facets_update",
        f"CREATE TRIGGER assets_facets_update AFTER UPDATE ON assets WHEN {_sqlite_key_differs()} BEGIN "
        f"{_sqlite_count('OLD', -1)} {_sqlite_count('NEW', 1)} END",
    ),
    (
        "assets_facets_delete",
        f"CREATE TRIGGER assets_facets_delete AFTER DELETE ON assets BEGIN {_sqlite_count('OLD', -1)} END",
    ),
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("assets", sa.Column("live_offers", sa.Text(), nullable=True))
    text = sa.Text()
    op.create_table(
        "search_facets",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("standing", sa.String(16), nullable=False),
        sa.Column("derived", sa.SmallInteger(), nullable=False),
        *(sa.Column(c, text, nullable=False) for c in ("orientation", "size_class", "colour", "base_model")),
        sa.Column("live_offers", text, nullable=False),
        sa.Column("failed", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    op.create_index("ux_search_facets_key", "search_facets", list(_DIMS), unique=True)
    if postgres:
        for function in _PG_FUNCTIONS:
            op.execute(function)
        op.execute("UPDATE assets SET live_offers = genip_live_offers(chain_id, asset_id, owner)")
    else:
        live = _SQLITE_LIVE.format(c="assets.chain_id", a="assets.asset_id", own="assets.owner")
        op.execute(f"UPDATE assets SET live_offers = {live}")
    op.execute(
        f"INSERT INTO search_facets ({_COLUMNS}, n) SELECT {_key('assets')}, count(*) FROM assets "
        f"GROUP BY {_key('assets')}"
    )
    if postgres:
        for _, trigger, body in _PG_TRIGGERS:
            op.execute(f"CREATE TRIGGER {trigger} {body}")
    else:
        for _, statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, trigger, _ in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in _PG_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    else:
        for trigger, _ in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_index("ux_search_facets_key", "search_facets")
    op.drop_table("search_facets")
    # Not a batch rebuild: SQLite cannot copy the generated columns; both drop a plain column in place.
    op.execute("ALTER TABLE assets DROP COLUMN live_offers")
