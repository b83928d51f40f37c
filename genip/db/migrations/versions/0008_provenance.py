"""provenance: each image asset's possible original (a possible copy of an earlier registration)

The indexer's provenance step fills the table for every image asset whose media step has finished,
existing ones included (it selects the assets without a row for their content), so no data migration is
needed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provenance",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("asset_id", sa.BigInteger(), primary_key=True),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("original_id", sa.BigInteger(), nullable=True),
        sa.Column("original_block", sa.BigInteger(), nullable=True),
        sa.Column("method", sa.String(16), nullable=True),
        sa.Column("distance", sa.Integer(), nullable=True),
        sa.Column("correlation", sa.Float(), nullable=True),
        sa.Column("inliers", sa.Integer(), nullable=True),
    )
    op.create_index("ix_provenance_original", "provenance", ["chain_id", "original_id"])


def downgrade() -> None:
    op.drop_index("ix_provenance_original", table_name="provenance")
    op.drop_table("provenance")
