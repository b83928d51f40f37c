"""what the registered file itself says: made-with facts and the addnet hash (issue #21)

`file_facts`: one row per image or model asset whose media the indexer's media step read and checked against
the certificate's content hash (`indexer.media`): `made_with` (images: `genip.content.made_with.MadeWith.
to_json()` of the verified original: C2PA signer, validity, binding, A1111/ComfyUI facts; never a prompt's
text) and `addnet_hash` (safetensors models: A1111's "addnet" hash, the sha256 of the file after its 8-byte
length and JSON header, 64 lower-case hex digits). The row repeats the content hash it was computed from, like
`match_hashes` and `provenance`: readers join it to its asset on (chain, asset, content hash), so a reorg that
removes the asset or re-registers the id with other content hides it. `ix_file_facts_addnet` serves the
prefix lookup (`genip.resources`: A1111 writes the first 12 digits). Not chain data; the media step fills it
for assets it reads from now on (existing assets: reset their `media_status` to `pending` to backfill).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_facts",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True),
        sa.Column("asset_id", sa.BigInteger(), primary_key=True),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("made_with", sa.JSON(), nullable=True),
        sa.Column("addnet_hash", sa.String(64), nullable=True),
    )
    op.create_index("ix_file_facts_addnet", "file_facts", ["addnet_hash"])


def downgrade() -> None:
    op.drop_index("ix_file_facts_addnet", table_name="file_facts")
    op.drop_table("file_facts")
