"""The chain the API serves and the block its answers are true as of."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

__all__ = ["ANY_CHAIN_SQL", "ONE_CHAIN_SQL", "ChainState", "chain_state", "state_from_row"]

_SELECT = """
    SELECT c.chain_id, c.block_number, c.block_hash,
           (SELECT b.timestamp FROM blocks b
             WHERE b.chain_id = c.chain_id AND b.number <= c.block_number
             ORDER BY b.number DESC LIMIT 1) AS timestamp
      FROM cursors c
"""
#: Picks the cursor row: the served chain, else the lowest indexed chain id (SQL shared with other queries).
ANY_CHAIN_SQL = _SELECT + " ORDER BY c.chain_id LIMIT 1"
ONE_CHAIN_SQL = _SELECT + " WHERE c.chain_id = :chain_id"
_ANY_CHAIN = text(ANY_CHAIN_SQL)
_ONE_CHAIN = text(ONE_CHAIN_SQL)


@dataclass(frozen=True, slots=True)
class ChainState:
    """The indexer cursor: chain id, block number and hash, and that block's timestamp (the chain clock).

    `timestamp` comes from the `blocks` row of the cursor block (or the newest stored block below it), so
    expiry is judged by chain time: answers are "true as of block N" even when a test chain warps time.
    Before anything is indexed every field is 0 and nothing is registered.
    """

    chain_id: int
    block_number: int
    block_hash: str
    timestamp: int

    @property
    def etag(self) -> str:
        """A validator that changes whenever the indexer moves (or a reorg replaces the cursor block)."""
        return f'W/"{self.chain_id}-{self.block_number}-{self.block_hash[2:18]}"'


def state_from_row(row: Any, chain_id: int | None) -> ChainState:
    """The state from a (chain_id, block_number, block_hash, timestamp) row, zeros when there is none."""
    if row is None or row[0] is None:
        return ChainState(chain_id or 0, 0, "0x" + "0" * 64, 0)
    return ChainState(int(row[0]), int(row[1]), str(row[2]), int(row[3] or 0))


def chain_state(session: Session | Connection, chain_id: int | None) -> ChainState:
    """The cursor of `chain_id` (default: the lowest indexed chain id); zeros when nothing is indexed."""
    if chain_id is None:
        row = session.execute(_ANY_CHAIN).first()
    else:
        row = session.execute(_ONE_CHAIN, {"chain_id": chain_id}).first()
    return state_from_row(row, chain_id)
