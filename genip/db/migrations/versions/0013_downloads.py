"""downloads: single-use nonces of wallet-signed requests, and the log of original downloads

`used_nonces` holds each (chain, account, nonce) a wallet-signed request spent (`api.wallet_auth`), until its
signature has expired. `downloads` records every original delivered (`GET /works/{id}/original`): who, which
work, under the ownership or which licence, as of which block. Append-only — triggers refuse UPDATE and
DELETE on both backends, so the record of who received an original cannot be rewritten.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "downloads is append-only"


def upgrade() -> None:
    op.create_table(
        "used_nonces",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("account", sa.String(42), primary_key=True),
        sa.Column("nonce", sa.String(66), primary_key=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_used_nonces_expires_at", "used_nonces", ["expires_at"])
    op.create_table(
        "downloads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("grant", sa.String(16), nullable=False),
        sa.Column("license_id", sa.BigInteger(), nullable=True),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_downloads_asset", "downloads", ["chain_id", "asset_id"])
    op.create_index("ix_downloads_account", "downloads", ["chain_id", "account"])
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER downloads_no_{event.lower()} BEFORE {event} ON downloads "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION downloads_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER downloads_append_only BEFORE UPDATE OR DELETE ON downloads "
            "FOR EACH ROW EXECUTE FUNCTION downloads_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS downloads_no_update")
        op.execute("DROP TRIGGER IF EXISTS downloads_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS downloads_append_only ON downloads")
    op.drop_index("ix_downloads_account", table_name="downloads")
    op.drop_index("ix_downloads_asset", table_name="downloads")
    op.drop_table("downloads")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS downloads_append_only()")
    op.drop_index("ix_used_nonces_expires_at", table_name="used_nonces")
    op.drop_table("used_nonces")
