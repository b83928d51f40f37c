"""failed-check policy: the hub's switch that makes a failed prompt check stop new licence sales

`chain_params.failed_check_policy` mirrors the hub's `FailedCheckPolicySet` (on from deployment, so the column
defaults to true): while on, a work whose latest check failed is left out of search by default and its offers
are not purchasable.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chain_params") as batch:
        batch.add_column(
            sa.Column("failed_check_policy", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("chain_params") as batch:
        batch.drop_column("failed_check_policy")
