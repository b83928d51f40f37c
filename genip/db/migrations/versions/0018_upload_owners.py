"""uploads with an owner, swept when never registered (issue #20 part 2)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
