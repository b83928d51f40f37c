"""match hashes: perceptual hashes computed from image media, and each asset's media status

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_hashes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_match_hashes_asset", "match_hashes", ["chain_id", "asset_id"])
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("media_status", sa.String(16), nullable=False, server_default="pending"))


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("media_status")
    op.drop_index("ix_match_hashes_asset", table_name="match_hashes")
    op.drop_table("match_hashes")
