"""sealed originals and public faces: envelopes of originals encrypted at rest, previews on assets

`sealed_originals` holds one envelope per original (its CID, the CID of its ciphertext in the content store,
its data key wrapped by the service key); `assets` gains the public face read from the metadata: an image
preview's CID, a text's excerpt, a card for models, workflows and prompts (`genip.content.preview`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sealed_originals",
        sa.Column("original_cid", sa.String(128), primary_key=True),
        sa.Column("sealed_cid", sa.String(128), nullable=False),
        sa.Column("wrapped_key", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("preview_cid", sa.String(128), nullable=True))
        batch.add_column(sa.Column("excerpt", sa.Text(), nullable=True))
        batch.add_column(sa.Column("card", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("card")
        batch.drop_column("excerpt")
        batch.drop_column("preview_cid")
    op.drop_table("sealed_originals")
