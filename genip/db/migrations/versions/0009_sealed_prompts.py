"""sealed prompts: submissions sealed by the creator to the checker's public key

The API no longer opens submissions, so it cannot know their scheme (the checker records it) and a sealed box
needs no stored nonce: both columns become nullable. Rows sealed before (AES-GCM under a key the API held)
cannot be opened by the checker's new key pair: those still pending are marked `rejected`, which lets their
creators submit again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prompt_submissions") as batch:
        batch.alter_column("scheme", existing_type=sa.String(16), nullable=True)
        batch.alter_column("nonce", existing_type=sa.String(32), nullable=True)
    op.execute(
        "UPDATE prompt_submissions SET status = 'rejected' WHERE status = 'pending' AND nonce IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DELETE FROM prompt_submissions WHERE nonce IS NULL OR scheme IS NULL")
    with op.batch_alter_table("prompt_submissions") as batch:
        batch.alter_column("nonce", existing_type=sa.String(32), nullable=False)
        batch.alter_column("scheme", existing_type=sa.String(16), nullable=False)
