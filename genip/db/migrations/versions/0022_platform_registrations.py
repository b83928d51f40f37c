"""platform registrations in bulk, relayed (issue #20 part 3)

`platform_registrations`: one row per work a platform asked to certify (`POST /platform/registrations`),
unique per (platform, the platform's own `reference_id`) so a retried request adds nothing. The row keeps what
goes on-chain (`creator`, the `work` struct as JSON, an optional creator signature for `registerFor`), the
state the relayer (`genip platform relay`) moved it to (accepted, committed, registered, indexed, failed) with
the error, and what the relayer needs to resume after a crash: the registration `salt`, the batch's Merkle
`batch_root`, the item's `proof` in it, the commit's transaction and block, the registering transaction and
the asset id. Not chain data.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platform_registrations",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("platform_id", sa.BigInteger(), nullable=False),
        sa.Column("reference_id", sa.String(128), nullable=False),
        sa.Column("creator", sa.String(42), nullable=False),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("work", sa.JSON(), nullable=False),
        sa.Column("signature", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("salt", sa.String(66), nullable=True),
        sa.Column("batch_root", sa.String(66), nullable=True),
        sa.Column("proof", sa.JSON(), nullable=True),
        sa.Column("commit_tx", sa.String(66), nullable=True),
        sa.Column("commit_block", sa.BigInteger(), nullable=True),
        sa.Column("register_tx", sa.String(66), nullable=True),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("platform_id", "reference_id", name="uq_platform_registrations_reference"),
    )
    op.create_index(
        "ix_platform_registrations_state", "platform_registrations", ["platform_id", "state", "id"]
    )
    op.create_index(
        "ix_platform_registrations_updated", "platform_registrations", ["platform_id", "updated_at", "id"]
    )
    op.create_index(
        "ix_platform_registrations_content", "platform_registrations", ["chain_id", "content_hash"]
    )


def downgrade() -> None:
    op.drop_index("ix_platform_registrations_content", table_name="platform_registrations")
    op.drop_index("ix_platform_registrations_updated", table_name="platform_registrations")
    op.drop_index("ix_platform_registrations_state", table_name="platform_registrations")
    op.drop_table("platform_registrations")
