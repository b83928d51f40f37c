"""reports and takedowns from platforms (issue #20 part 6)

`reports`: one row per post a platform reported (`POST /reports`): the post's id, the uploader's account,
the upload's hashes, the verdict and the work it rests on (`asset_id`; its owner at any time is the one who
sees and resolves the report), the candidates as answered, the uploader's own registered work a claim could be
brought against (`claim_asset_id`) with the report's evidence document and its keccak256 hash, and the
resolution (keep, flag, take_down) with who made it and when. Not chain data: written by the API.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("platform_id", sa.BigInteger(), nullable=False),
        sa.Column("post_id", sa.String(200), nullable=False),
        sa.Column("uploader", sa.String(42), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("pdq", sa.String(64), nullable=False),
        sa.Column("phash", sa.String(64), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("claim_asset_id", sa.BigInteger(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("evidence_hash", sa.String(66), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("resolution", sa.String(16), nullable=True),
        sa.Column("resolved_by", sa.String(42), nullable=True),
        sa.Column("resolved_at", _WHEN, nullable=True),
        sa.UniqueConstraint("platform_id", "post_id", "pdq", name="uq_reports_platform_post_pdq"),
    )
    op.create_index("ix_reports_asset", "reports", ["chain_id", "asset_id"])


def downgrade() -> None:
    op.drop_index("ix_reports_asset", table_name="reports")
    op.drop_table("reports")
