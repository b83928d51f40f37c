"""uploads with an owner, swept when never registered (issue #20 part 2)

`uploads`: one row per file `POST /uploads` or `POST /uploads/examples` stored, with its owner (the platform
whose API key sent it, or the wallet that signed it), its CID, sha256, size and kind, and what became of it:
`registered_at` and the asset once an indexed asset commits to the CID, or `swept_at` once
`genip uploads sweep` removed the bytes of an upload nobody registered within the TTL. Per-owner quotas
count the rows of the last day (indexes on owner and time).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("cid", sa.String(128), nullable=False),
        sa.Column("preview_cid", sa.String(128), nullable=True),
        sa.Column("sha256", sa.String(66), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("platform_id", sa.BigInteger(), nullable=True),
        sa.Column("wallet", sa.String(42), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("registered_at", _WHEN, nullable=True),
        sa.Column("asset_chain_id", sa.BigInteger(), nullable=True),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("swept_at", _WHEN, nullable=True),
    )
    op.create_index("ix_uploads_cid", "uploads", ["cid"])
    op.create_index("ix_uploads_preview_cid", "uploads", ["preview_cid"])
    op.create_index("ix_uploads_created_at", "uploads", ["created_at"])
    op.create_index("ix_uploads_wallet", "uploads", ["wallet", "created_at"])
    op.create_index("ix_uploads_platform", "uploads", ["platform_id", "created_at"])


def downgrade() -> None:
    for name in ("ix_uploads_platform", "ix_uploads_wallet", "ix_uploads_created_at"):
        op.drop_index(name, table_name="uploads")
    op.drop_index("ix_uploads_preview_cid", table_name="uploads")
    op.drop_index("ix_uploads_cid", table_name="uploads")
    op.drop_table("uploads")
