"""Raw events as rows of Postgres COPY's binary format.

A raw event is mostly hex on the wire (hashes, topics, data). In COPY's text format Postgres parsed that hex
itself, about a third of its work on raw events; in the binary format every field is a big-endian length and
its value (integers as big-endian words, hashes, topics and data as their bytes, text as UTF-8).

`raw_rows` builds the rows of a backfill range straight from the eth_getLogs entries. It is compiled
(`indexer/_rawrows.c`, built by `make setup` like the matching scan): in Python the formatting was about 40 %
of the fetch process's decoding pass. `raw_rows_python` is the same in Python, the reference the tests hold
the compiled one to, and the fallback where it was not built. `raw_copy_data` formats already decoded logs
(the indexer's thread path, a few blocks at a time).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

__all__ = [
    "BINARY_HEADER",
    "BINARY_TRAILER",
    "COMPILED",
    "RAW_COLUMNS",
    "binary_text_field",
    "raw_copy_data",
    "raw_rows",
    "raw_rows_python",
]

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

_INT4_MAX = 2**31 - 1
_INT8_MAX = 2**63 - 1


@cache
def binary_text_field(value: str | None) -> bytes:
    """A varchar field: its byte length, then its UTF-8 bytes (None: null)."""
    if value is None:
        return b"\xff\xff\xff\xff"
    encoded = value.encode()
    return len(encoded).to_bytes(4, "big") + encoded


def _row(
    chain_id: int,
    block_hash: str,
    log_index: int,
    block_number: int,
    tx_hash: str,
    fields: bytes,
    topics: Sequence[str],
    data: str,
) -> bytes:
    """One row; hashes, topics and data as `0x` hex strings, `fields` the address and event columns."""
    if (
        not 0 <= log_index <= _INT4_MAX
        or not 0 <= block_number <= _INT8_MAX
        or not 0 <= chain_id <= _INT8_MAX
    ):
        raise ValueError(f"log index {log_index}, block {block_number} or chain {chain_id} is out of range")
    for text in (block_hash, tx_hash, data, *topics):
        if text[:2] != "0x":
            raise ValueError(f"log field is not 0x-prefixed hex: {text!r}")
    if any(len(topic) != 66 for topic in topics):
        raise ValueError(f"a topic is not 32 bytes of hex: {topics!r}")
    return b"".join(
        (
            b"\x00\x09\x00\x00\x00\x08",
            chain_id.to_bytes(8, "big"),
            _sized(bytes.fromhex(block_hash[2:])),
            b"\x00\x00\x00\x04",
            log_index.to_bytes(4, "big"),
            b"\x00\x00\x00\x08",
            block_number.to_bytes(8, "big"),
            _sized(bytes.fromhex(tx_hash[2:])),
            fields,
            _sized(bytes.fromhex("".join(topic[2:] for topic in topics))),
            _sized(bytes.fromhex(data[2:])),
        )
    )


def _sized(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def _quantity(text: Any) -> int:
    if not isinstance(text, str) or text[:2] != "0x" or not 3 <= len(text) <= 18:
        raise ValueError(f"log quantity is not 0x hex of at most 16 digits: {text!r}")
    return int(text[2:], 16)


def raw_rows_python(chain_id: int, logs: Sequence[Mapping[str, Any]], fields: Sequence[bytes]) -> bytes:
    """The rows of eth_getLogs entries (`fields`: each log's address and event columns, encoded by
    `binary_text_field`), in Python. Raises ValueError on a field that is not what a node sends."""
    if len(logs) != len(fields):
        raise ValueError(f"{len(logs)} logs but {len(fields)} fields")
    return b"".join(
        _row(
            chain_id,
            log["blockHash"],
            _quantity(log["logIndex"]),
            _quantity(log["blockNumber"]),
            log["transactionHash"],
            field,
            log["topics"],
            log["data"],
        )
        for log, field in zip(logs, fields, strict=True)
    )


raw_rows: Callable[[int, list[dict[str, Any]], list[bytes]], bytes]
try:
    from indexer._rawrows import raw_rows
except ImportError:  # not built (no C compiler at install): the Python reference does the same, slower
    raw_rows = raw_rows_python

#: Whether `raw_rows` is the compiled one.
COMPILED = raw_rows is not raw_rows_python


def raw_copy_data(chain_id: int, logs: Iterable[tuple[Any, ...]]) -> bytes:
    """The rows of decoded logs (DecodedLogs or plain tuples of their fields)."""
    return b"".join(
        _row(
            chain_id,
            block_hash,
            log_index,
            block_number,
            tx_hash,
            binary_text_field(address) + binary_text_field(event),
            topics,
            data,
        )
        for block_number, block_hash, log_index, tx_hash, address, _, topics, data, event, _ in logs
    )
