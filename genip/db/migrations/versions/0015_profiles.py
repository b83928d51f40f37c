"""profiles: creators' wallet-signed public profiles (name, bio, avatar URL, links)

One row per address, written by `PUT /profiles/{address}` only with the address's EIP-712 signature over the
exact fields (`api.routes.profiles`); the signature, its nonce and expiry are kept so anyone can re-check that
the wallet said it. Not chain data: the indexer never touches it and a chain reset keeps it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("account", sa.String(42), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.String(66), nullable=False),
        sa.Column("expiry", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.String(132), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("profiles")
