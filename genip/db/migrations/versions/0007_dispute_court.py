"""dispute court: standing and expiry on assets, court disputes, held funds per dispute, referrers, renounced
licences, platform authorisations, bonds and taints

Contracts v2 moved disputes out of the hub into a DisputeCourt with its own ids, and the hub now keeps an
asset's *standing* (clear, disputed, upheld, tainted) and a derivative's expiry. So:

* `assets`: `standing`, `standing_dispute_id`, `expires_at` replace `dispute_status`, `dispute_round` and
  `dispute_recipient`. Existing rows map open → disputed, upheld → upheld, anything else → clear. On SQLite
  the table is rebuilt (`batch_alter_table`), which drops the FTS triggers of 0002 and can renumber rowids:
  the triggers are created again and `assets_fts` is rebuilt from the new rows.
* `disputes`: one row per court dispute id instead of one per (asset, round). Old rounds are carried over
  with ids numbered per chain in the order they were raised (raised block, asset, round); they had no bond,
  no answer window and no claimant of their own, so the bond is 0 in the zero currency, the deadline 0 and the
  claimant the recipient the arbiter named (else the arbiter). The asset's latest round becomes its
  `standing_dispute_id` while it is not clear.
* `held`: keyed by (asset, dispute, currency), with what was released and to whom; old rows are put under
  the asset's latest round.
* `licenses`: `referrer`, `renounced`, `renounced_block`. `chain_params`: `court`, `referral_fee_bps`, the
  court's windows. New tables: `taints`, `dispute_bonds`, `bond_balances`, `platform_authorizations`.

Downgrade goes back to 0006's shape (standing → dispute status; disputes regrouped into rounds per asset).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from genip.db.types import Uint256

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ZERO = "0x" + "00" * 20
_STANDING = {"open": "disputed", "upheld": "upheld"}
_DISPUTE_STATUS = {"disputed": "open", "upheld": "upheld", "tainted": "upheld"}

#: 0002's FTS upkeep on SQLite (a rebuild of `assets` drops triggers), and the rebuild of the index itself.
_SQLITE_FTS = [
    "DROP TRIGGER IF EXISTS assets_fts_insert",
    "DROP TRIGGER IF EXISTS assets_fts_delete",
    "DROP TRIGGER IF EXISTS assets_fts_update",
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
    "DELETE FROM assets_fts",
    """INSERT INTO assets_fts(rowid, title, description, tags, creator)
        SELECT rowid, coalesce(title, ''), coalesce(description, ''), coalesce(tags, ''), creator
          FROM assets""",
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _rows(sql: str) -> list[Any]:
    return list(op.get_bind().execute(sa.text(sql)).mappings())


def _new_disputes_table() -> None:
    op.create_table(
        "disputes",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("claimant", sa.String(length=42), nullable=False),
        sa.Column("claimant_asset_id", sa.BigInteger(), nullable=False),
        sa.Column("evidence_hash", sa.String(length=66), nullable=False),
        sa.Column("bond_currency", sa.String(length=42), nullable=False),
        sa.Column("bond", Uint256(), nullable=False),
        sa.Column("answer_deadline", sa.BigInteger(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("answer_hash", sa.String(length=66), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reversed", sa.Boolean(), nullable=False),
        sa.Column("reversal_hash", sa.String(length=66), nullable=True),
        sa.Column("reversed_by", sa.String(length=42), nullable=True),
        sa.Column("arbiter", sa.String(length=42), nullable=True),
        sa.Column("resolution_hash", sa.String(length=66), nullable=True),
        sa.Column("final_at", sa.BigInteger(), nullable=True),
        sa.Column("bond_awarded_to", sa.String(length=42), nullable=True),
        sa.Column("raised_at", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("raised_block", sa.BigInteger(), nullable=False),
        sa.Column("answered_block", sa.BigInteger(), nullable=True),
        sa.Column("resolved_block", sa.BigInteger(), nullable=True),
        sa.Column("reversed_block", sa.BigInteger(), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "dispute_id"),
    )
    op.create_index("ix_disputes_asset", "disputes", ["chain_id", "asset_id"])


def _new_held_table() -> None:
    op.create_table(
        "held",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=42), nullable=False),
        sa.Column("amount", Uint256(), nullable=False),
        sa.Column("released", Uint256(), nullable=False),
        sa.Column("released_to", sa.String(length=42), nullable=True),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", "dispute_id", "currency"),
    )


def _old_disputes_table() -> None:
    op.create_table(
        "disputes",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("arbiter", sa.String(length=42), nullable=False),
        sa.Column("evidence_hash", sa.String(length=66), nullable=False),
        sa.Column("raised_block", sa.BigInteger(), nullable=False),
        sa.Column("resolved_by", sa.String(length=42), nullable=True),
        sa.Column("recipient", sa.String(length=42), nullable=True),
        sa.Column("resolution_hash", sa.String(length=66), nullable=True),
        sa.Column("resolved_block", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", "round"),
    )


def _old_held_table() -> None:
    op.create_table(
        "held",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=42), nullable=False),
        sa.Column("amount", Uint256(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", "currency"),
    )


def _insert(table: str, columns: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        op.bulk_insert(sa.table(table, *(sa.column(n, t) for n, t in columns.items())), rows)


def upgrade() -> None:
    # ── read what the old shapes hold ──
    rounds = _rows(
        "SELECT chain_id, asset_id, round, status, arbiter, evidence_hash, raised_block, resolved_by, "
        "recipient, resolution_hash, resolved_block FROM disputes "
        "ORDER BY chain_id, raised_block, asset_id, round"
    )
    held = _rows("SELECT chain_id, asset_id, currency, amount FROM held")
    timestamps = {
        (r["chain_id"], r["asset_id"]): r["registered_at"]
        for r in _rows("SELECT chain_id, asset_id, registered_at FROM assets")
    }
    ids: dict[tuple[int, int, int], int] = {}
    latest: dict[tuple[int, int], int] = {}
    counter: dict[int, int] = {}
    for r in rounds:
        counter[r["chain_id"]] = counter.get(r["chain_id"], 0) + 1
        ids[(r["chain_id"], r["asset_id"], r["round"])] = counter[r["chain_id"]]
        latest[(r["chain_id"], r["asset_id"])] = counter[r["chain_id"]]

    # ── disputes and held funds: new shapes ──
    op.drop_table("disputes")
    op.drop_table("held")
    _new_disputes_table()
    _new_held_table()
    _insert(
        "disputes",
        {
            name: t
            for name, t in [
                ("chain_id", sa.BigInteger()),
                ("dispute_id", sa.BigInteger()),
                ("asset_id", sa.BigInteger()),
                ("claimant", sa.String()),
                ("claimant_asset_id", sa.BigInteger()),
                ("evidence_hash", sa.String()),
                ("bond_currency", sa.String()),
                ("bond", Uint256()),
                ("answer_deadline", sa.BigInteger()),
                ("answered", sa.Boolean()),
                ("status", sa.String()),
                ("reversed", sa.Boolean()),
                ("arbiter", sa.String()),
                ("resolution_hash", sa.String()),
                ("final_at", sa.BigInteger()),
                ("raised_at", sa.BigInteger()),
                ("raised_block", sa.BigInteger()),
                ("resolved_block", sa.BigInteger()),
                ("tx_hash", sa.String()),
            ]
        },
        [
            {
                "chain_id": r["chain_id"],
                "dispute_id": ids[(r["chain_id"], r["asset_id"], r["round"])],
                "asset_id": r["asset_id"],
                "claimant": r["recipient"] or r["arbiter"],
                "claimant_asset_id": 0,
                "evidence_hash": r["evidence_hash"],
                "bond_currency": _ZERO,
                "bond": 0,
                "answer_deadline": 0,
                "answered": False,
                "status": r["status"],
                "reversed": False,
                "arbiter": r["resolved_by"],
                "resolution_hash": r["resolution_hash"],
                "final_at": None if r["status"] == "open" else 0,
                "raised_at": timestamps.get((r["chain_id"], r["asset_id"]), 0),
                "raised_block": r["raised_block"],
                "resolved_block": r["resolved_block"],
                "tx_hash": "0x" + "00" * 32,
            }
            for r in rounds
        ],
    )
    _insert(
        "held",
        {
            "chain_id": sa.BigInteger(),
            "asset_id": sa.BigInteger(),
            "dispute_id": sa.BigInteger(),
            "currency": sa.String(),
            "amount": Uint256(),
            "released": Uint256(),
        },
        [
            {
                "chain_id": h["chain_id"],
                "asset_id": h["asset_id"],
                "dispute_id": latest.get((h["chain_id"], h["asset_id"]), 0),
                "currency": h["currency"],
                "amount": int(h["amount"]),
                "released": 0,
            }
            for h in held
        ],
    )

    # ── assets: standing and expiry instead of the hub's dispute state ──
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("standing", sa.String(16), nullable=False, server_default="clear"))
        batch.add_column(
            sa.Column("standing_dispute_id", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("expires_at", sa.BigInteger(), nullable=False, server_default="0"))
    bind = op.get_bind()
    for old, new in _STANDING.items():
        bind.execute(
            sa.text("UPDATE assets SET standing = :new WHERE dispute_status = :old"), {"new": new, "old": old}
        )
    for (chain_id, asset_id), dispute_id in latest.items():
        bind.execute(
            sa.text(
                "UPDATE assets SET standing_dispute_id = :d "
                "WHERE chain_id = :c AND asset_id = :a AND standing <> 'clear'"
            ),
            {"d": dispute_id, "c": chain_id, "a": asset_id},
        )
    with op.batch_alter_table("assets") as batch:
        batch.drop_index("ix_assets_dispute_status")
        batch.drop_column("dispute_status")
        batch.drop_column("dispute_round")
        batch.drop_column("dispute_recipient")
        batch.create_index("ix_assets_standing", ["standing"])
    if _sqlite():
        for statement in _SQLITE_FTS:
            op.execute(statement)

    # ── licences, chain parameters ──
    with op.batch_alter_table("licenses") as batch:
        batch.add_column(sa.Column("referrer", sa.String(42), nullable=True))
        batch.add_column(sa.Column("renounced", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("renounced_block", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("chain_params") as batch:
        batch.add_column(sa.Column("court", sa.String(42), nullable=True))
        batch.add_column(sa.Column("referral_fee_bps", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("response_window", sa.BigInteger(), nullable=False, server_default="259200")
        )
        batch.add_column(sa.Column("appeal_window", sa.BigInteger(), nullable=False, server_default="604800"))

    # ── new tables ──
    op.create_table(
        "taints",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("ancestor_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("propagated_block", sa.BigInteger(), nullable=False),
        sa.Column("cleared_block", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", "dispute_id"),
    )
    op.create_index("ix_taints_dispute", "taints", ["chain_id", "dispute_id"])
    op.create_table(
        "dispute_bonds",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(42), nullable=False),
        sa.Column("amount", Uint256(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "currency"),
    )
    op.create_table(
        "bond_balances",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("currency", sa.String(42), nullable=False),
        sa.Column("credited", Uint256(), nullable=False),
        sa.Column("withdrawn", Uint256(), nullable=False),
        sa.Column("balance", Uint256(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "account", "currency"),
    )
    op.create_table(
        "platform_authorizations",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.String(42), nullable=False),
        sa.Column("platform", sa.String(42), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("max_works", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "creator", "platform"),
    )
    op.create_index("ix_platform_authorizations_platform", "platform_authorizations", ["platform"])


def downgrade() -> None:
    op.drop_index("ix_platform_authorizations_platform", table_name="platform_authorizations")
    op.drop_table("platform_authorizations")
    op.drop_table("bond_balances")
    op.drop_table("dispute_bonds")
    op.drop_index("ix_taints_dispute", table_name="taints")
    op.drop_table("taints")
    with op.batch_alter_table("chain_params") as batch:
        for column in ("appeal_window", "response_window", "referral_fee_bps", "court"):
            batch.drop_column(column)
    with op.batch_alter_table("licenses") as batch:
        for column in ("renounced_block", "renounced", "referrer"):
            batch.drop_column(column)

    disputes = _rows(
        "SELECT chain_id, dispute_id, asset_id, claimant, status, arbiter, evidence_hash, raised_block, "
        "resolution_hash, resolved_block FROM disputes ORDER BY chain_id, dispute_id"
    )
    held = _rows("SELECT chain_id, asset_id, currency, amount FROM held")
    round_of: dict[tuple[int, int], int] = {}
    old_rounds = []
    for d in disputes:
        key = (d["chain_id"], d["asset_id"])
        round_of[key] = round_of.get(key, 0) + 1
        old_rounds.append(
            {
                "chain_id": d["chain_id"],
                "asset_id": d["asset_id"],
                "round": round_of[key],
                "status": d["status"],
                "arbiter": d["arbiter"] or d["claimant"],
                "evidence_hash": d["evidence_hash"],
                "raised_block": d["raised_block"],
                "resolved_by": d["arbiter"],
                "recipient": d["claimant"] if d["status"] == "upheld" else None,
                "resolution_hash": d["resolution_hash"],
                "resolved_block": d["resolved_block"],
            }
        )
    totals: dict[tuple[int, int, str], int] = {}
    for h in held:
        held_key = (h["chain_id"], h["asset_id"], h["currency"])
        totals[held_key] = totals.get(held_key, 0) + int(h["amount"])
    op.drop_index("ix_disputes_asset", table_name="disputes")
    op.drop_table("disputes")
    op.drop_table("held")
    _old_disputes_table()
    _old_held_table()
    _insert(
        "disputes",
        {
            "chain_id": sa.BigInteger(),
            "asset_id": sa.BigInteger(),
            "round": sa.Integer(),
            "status": sa.String(),
            "arbiter": sa.String(),
            "evidence_hash": sa.String(),
            "raised_block": sa.BigInteger(),
            "resolved_by": sa.String(),
            "recipient": sa.String(),
            "resolution_hash": sa.String(),
            "resolved_block": sa.BigInteger(),
        },
        old_rounds,
    )
    _insert(
        "held",
        {
            "chain_id": sa.BigInteger(),
            "asset_id": sa.BigInteger(),
            "currency": sa.String(),
            "amount": Uint256(),
        },
        [{"chain_id": c, "asset_id": a, "currency": cur, "amount": n} for (c, a, cur), n in totals.items()],
    )

    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("dispute_status", sa.String(16), nullable=False, server_default="none"))
        batch.add_column(sa.Column("dispute_round", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("dispute_recipient", sa.String(42), nullable=True))
    bind = op.get_bind()
    for standing, status in _DISPUTE_STATUS.items():
        bind.execute(
            sa.text("UPDATE assets SET dispute_status = :s WHERE standing = :t"), {"s": status, "t": standing}
        )
    for (chain_id, asset_id), count in round_of.items():
        bind.execute(
            sa.text("UPDATE assets SET dispute_round = :n WHERE chain_id = :c AND asset_id = :a"),
            {"n": count, "c": chain_id, "a": asset_id},
        )
    with op.batch_alter_table("assets") as batch:
        batch.drop_index("ix_assets_standing")
        batch.drop_column("expires_at")
        batch.drop_column("standing_dispute_id")
        batch.drop_column("standing")
        batch.create_index("ix_assets_dispute_status", ["dispute_status"])
    if _sqlite():
        for statement in _SQLITE_FTS:
            op.execute(statement)
