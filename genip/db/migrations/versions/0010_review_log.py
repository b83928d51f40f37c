"""review log: every time a reviewer opened a submission's prompt or decided it (never the prompt itself)

Append-only: triggers refuse UPDATE and DELETE on both backends, so a reviewer cannot rewrite who saw what.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "review_log is append-only"


def upgrade() -> None:
    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer", sa.String(42), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_log_submission", "review_log", ["submission_id"])
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER review_log_no_{event.lower()} BEFORE {event} ON review_log "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION review_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER review_log_append_only BEFORE UPDATE OR DELETE ON review_log "
            "FOR EACH ROW EXECUTE FUNCTION review_log_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS review_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS review_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS review_log_append_only ON review_log")
    op.drop_index("ix_review_log_submission", table_name="review_log")
    op.drop_table("review_log")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS review_log_append_only()")
