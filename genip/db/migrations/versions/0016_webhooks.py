"""webhooks: subscriptions, the outbox of events, deliveries and their attempt log

`webhook_events` is the outbox the indexer writes in its batch transaction; `webhook_deliveries` one row per
(event, subscription), claimed by the delivery workers (`genip webhooks run`); `webhook_attempts` the log of
every HTTP attempt. `ix_licenses_expiry` lets each batch find the licences its chain time expired.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("asset_ids", sa.JSON(), nullable=True),
        sa.Column("accounts", sa.JSON(), nullable=True),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("removed_at", _WHEN, nullable=True),
    )
    op.create_index("ix_webhook_subscriptions_chain", "webhook_subscriptions", ["chain_id", "removed_at"])
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(48), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("retracts", sa.String(40), nullable=True),
        sa.Column("retracted_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_webhook_events_block", "webhook_events", ["chain_id", "block_number"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _WHEN, nullable=False),
        sa.Column("leased_by", sa.String(80), nullable=True),
        sa.Column("leased_until", _WHEN, nullable=True),
        sa.Column("follows", sa.BigInteger(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("delivered_at", _WHEN, nullable=True),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_subscription_event"),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["state", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_event", "webhook_deliveries", ["event_id"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(80), nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id"])
    op.create_index("ix_licenses_expiry", "licenses", ["chain_id", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_licenses_expiry", table_name="licenses")
    for table in ("webhook_attempts", "webhook_deliveries", "webhook_events", "webhook_subscriptions"):
        op.drop_table(table)
