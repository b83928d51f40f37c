"""Raw events as rows of Postgres COPY's binary format.

A raw event is mostly hex on the wire (hashes, topics, data). Each row is written as one hex string (a
big-endian length before each field, then its value: integers as big-endian words, hashes, topics and data as
their bytes, text as UTF-8) and a whole range is converted by one `bytes.fromhex`, so nothing is converted
value by value in Python, and Postgres parses no hex either: in COPY's text format, hex parsing was about a
third of its work on raw events.
"""

from collections.abc import Iterable
from functools import cache
from typing import Any

__all__ = ["BINARY_HEADER", "BINARY_TRAILER", "RAW_COLUMNS", "binary_text_field", "raw_copy_data", "row_head"]

RAW_COLUMNS = (
    "chain_id",
    "block_hash",
    "log_index",
    "block_number",
    "tx_hash",
    "address",
    "event",
    "topics",
    "data",
)

# A signature, then flags and header-extension length (both 0); a field count of -1 ends the data.
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
BINARY_TRAILER = b"\xff\xff"


@cache
def binary_text_field(value: str | None) -> str:
    """A varchar field, as hex: its byte length, then its UTF-8 bytes (None: null)."""
    if value is None:
        return "ffffffff"
    encoded = value.encode()
    return f"{len(encoded):08x}{encoded.hex()}"


def row_head(chain_id: int, block_hash: str) -> str:
    """The start of a row, as hex: the field count, the chain id and the block hash."""
    return f"0009{8:08x}{chain_id:016x}{32:08x}{block_hash[2:]}"


def raw_copy_data(chain_id: int, logs: Iterable[tuple[Any, ...]]) -> bytes:
    """The rows of raw events (columns `RAW_COLUMNS`), from DecodedLogs or plain tuples of their fields."""
    return bytes.fromhex(
        "".join(
            [
                f"{row_head(chain_id, block_hash)}00000004{log_index:08x}00000008{block_number:016x}"
                f"00000020{tx_hash[2:]}{binary_text_field(address)}{binary_text_field(event)}"
                f"{len(topics) * 32:08x}{''.join(topics).replace('0x', '')}{len(data) // 2 - 1:08x}{data[2:]}"
                for block_number, block_hash, log_index, tx_hash, address, _, topics, data, event, _ in logs
            ]
        )
    )
