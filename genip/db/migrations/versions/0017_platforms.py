"""platform accounts and their API keys (issue #20 part 1)

`platforms`: one row per platform (a name, the wallet its referral fees go to); `platform_keys`: its API keys,
stored as SHA-256 digests (a key is 256 random bits, so a fast digest is enough: nothing to brute-force),
each with the public id that starts the key, an optional end (a rotated key keeps working for a grace
period) and a revocation time. `webhook_subscriptions.platform_id`: the platform that made a subscription
over the API (null: the operator's, made with `genip webhooks add`).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platforms",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("wallet", sa.String(42), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("removed_at", _WHEN, nullable=True),
        sa.UniqueConstraint("chain_id", "name", name="uq_platforms_chain_name"),
    )
    op.create_table(
        "platform_keys",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("platform_id", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=True),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.UniqueConstraint("key_id", name="uq_platform_keys_key_id"),
    )
    op.create_index("ix_platform_keys_platform", "platform_keys", ["platform_id"])
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.add_column(sa.Column("platform_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_column("platform_id")
    op.drop_index("ix_platform_keys_platform", table_name="platform_keys")
    op.drop_table("platform_keys")
    op.drop_table("platforms")
