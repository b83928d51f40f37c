"""Column types shared by every table.

Chain values keep their full precision on both databases: uint256 amounts are `NUMERIC(78, 0)` on Postgres
and zero-padded 78-digit text on SQLite (whose numbers are 64-bit), so comparisons and ORDER BY stay exact
and numeric on both. Addresses are checksummed `0x…` strings; hashes lowercase `0x…` hex.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator

__all__ = ["UINT256_DIGITS", "Address", "Hash32", "Uint256"]

UINT256_DIGITS = 78  # len(str(2**256 - 1))


class Uint256(TypeDecorator[int]):
    """An unsigned 256-bit integer, exact on Postgres and SQLite, read back as a Python `int`."""

    impl = String(UINT256_DIGITS)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(UINT256_DIGITS, 0))
        return dialect.type_descriptor(String(UINT256_DIGITS))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value < 0:
            raise ValueError(f"uint256 column got a negative value: {value}")
        return Decimal(value) if dialect.name == "postgresql" else str(value).zfill(UINT256_DIGITS)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


def Address() -> String:
    """A checksummed account or contract address."""
    return String(42)


def Hash32() -> String:
    """A 32-byte hash or id as lowercase `0x`-prefixed hex."""
    return String(66)
