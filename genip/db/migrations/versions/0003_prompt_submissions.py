"""prompt submissions: private prompts awaiting or past their check (ciphertext only)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prompt_submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.String(42), nullable=False),
        sa.Column("commitment", sa.String(66), nullable=False),
        sa.Column("scheme", sa.String(16), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("report_hash", sa.String(66), nullable=True),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("attest_tx", sa.String(66), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attested_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("chain_id", "asset_id", name="uq_prompt_submissions_asset"),
    )
    op.create_index("ix_prompt_submissions_status", "prompt_submissions", ["status"])


def downgrade() -> None:
    op.drop_index("ix_prompt_submissions_status", table_name="prompt_submissions")
    op.drop_table("prompt_submissions")
