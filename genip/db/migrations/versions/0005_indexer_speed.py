"""indexer speed: raw_events hashes, topics and data as bytes; BRIN index on raw_events.block_number

Bytes are half the size of hex text and compare with memcmp (the primary key's block hash no longer goes
through a text collation), and a BRIN index on the block number (rows arrive in block order; only rollbacks
query it, by block range) costs almost nothing to maintain during a backfill. Existing rows are converted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HEX = ("block_hash", "tx_hash", "data")


def _words_to_bytes(topics: str) -> bytes:
    return bytes.fromhex("".join(word[2:] for word in topics.split(",") if word))


def _bytes_to_words(raw: bytes) -> str:
    return ",".join("0x" + raw[i : i + 32].hex() for i in range(0, len(raw), 32))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_raw_events_block", table_name="raw_events")
        op.execute(
            "ALTER TABLE raw_events "
            + ", ".join(f"ALTER COLUMN {c} TYPE bytea USING decode(substr({c}, 3), 'hex')" for c in _HEX)
            + ", ALTER COLUMN topics TYPE bytea"
            " USING decode(replace(replace(topics, '0x', ''), ',', ''), 'hex')"
        )
        op.create_index(
            "ix_raw_events_block", "raw_events", ["chain_id", "block_number"], postgresql_using="brin"
        )
        return
    # SQLite: convert the stored values row by row first (a column holds any type), then the declared types.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT chain_id, block_hash, log_index, tx_hash, topics, data FROM raw_events")
    ).all()
    for chain_id, block_hash, log_index, tx_hash, topics, data in rows:
        bind.execute(
            sa.text(
                "UPDATE raw_events SET block_hash = :bh, tx_hash = :tx, topics = :topics, data = :data "
                "WHERE chain_id = :chain AND block_hash = :old AND log_index = :idx"
            ),
            {
                "bh": bytes.fromhex(block_hash[2:]),
                "tx": bytes.fromhex(tx_hash[2:]),
                "topics": _words_to_bytes(topics),
                "data": bytes.fromhex(data[2:]),
                "chain": chain_id,
                "old": block_hash,
                "idx": log_index,
            },
        )
    with op.batch_alter_table("raw_events") as batch:
        for column in (*_HEX, "topics"):
            batch.alter_column(column, type_=sa.LargeBinary(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_raw_events_block", table_name="raw_events")
        op.execute(
            "ALTER TABLE raw_events "
            + ", ".join(
                f"ALTER COLUMN {c} TYPE {'varchar(66)' if c != 'data' else 'text'} "
                f"USING '0x' || encode({c}, 'hex')"
                for c in _HEX
            )
            + ", ALTER COLUMN topics TYPE text USING "
            "regexp_replace(encode(topics, 'hex'), '(.{64})(?!$)', '\\1,0x', 'g')"
        )
        op.execute("UPDATE raw_events SET topics = '0x' || topics WHERE topics <> ''")
        op.create_index("ix_raw_events_block", "raw_events", ["chain_id", "block_number"])
        return
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT chain_id, block_hash, log_index, tx_hash, topics, data FROM raw_events")
    ).all()
    for chain_id, block_hash, log_index, tx_hash, topics, data in rows:
        bind.execute(
            sa.text(
                "UPDATE raw_events SET block_hash = :bh, tx_hash = :tx, topics = :topics, data = :data "
                "WHERE chain_id = :chain AND block_hash = :old AND log_index = :idx"
            ),
            {
                "bh": "0x" + bytes(block_hash).hex(),
                "tx": "0x" + bytes(tx_hash).hex(),
                "topics": _bytes_to_words(bytes(topics)),
                "data": "0x" + bytes(data).hex(),
                "chain": chain_id,
                "old": block_hash,
                "idx": log_index,
            },
        )
    with op.batch_alter_table("raw_events") as batch:
        batch.alter_column("block_hash", type_=sa.String(66), existing_nullable=False)
        batch.alter_column("tx_hash", type_=sa.String(66), existing_nullable=False)
        batch.alter_column("topics", type_=sa.Text(), existing_nullable=False)
        batch.alter_column("data", type_=sa.Text(), existing_nullable=False)
