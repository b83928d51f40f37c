"""Account addresses as the API accepts them.

Accepted: `0x` followed by 40 hex digits, either all lowercase (or all uppercase), or mixed case that is a
valid EIP-55 checksum. Mixed case with a wrong checksum is rejected, since it usually means a typo. Stored
rows hold checksummed addresses, so every accepted address is converted to its checksum form.
"""

import re
from functools import lru_cache

from eth_utils.address import to_checksum_address

__all__ = ["AddressError", "parse_address"]

_HEX40 = re.compile(r"^0x[0-9a-fA-F]{40}$")


class AddressError(ValueError):
    """The text is not an address, or is mixed case with a wrong EIP-55 checksum."""


def parse_address(text: str, *, field: str = "address") -> str:
    """The checksummed form of `text`, or `AddressError` saying what is wrong with it."""
    if not _HEX40.match(text):
        raise AddressError(f"{field} must be 0x followed by 40 hex digits, got {text[:64]!r}")
    body = text[2:]
    checksummed = _checksum(text)
    if body not in (body.lower(), body.upper()) and checksummed != text:
        raise AddressError(
            f"{field} {text} has mixed case but a wrong EIP-55 checksum (expected {checksummed}); "
            "send the checksummed or the all-lowercase form"
        )
    return checksummed


@lru_cache(maxsize=65_536)
def _checksum(text: str) -> str:
    """The EIP-55 form of a well-formed address, memoised: its keccak is the costliest step of parsing
    (≈ 20 µs; a batch status of 1 000 items spent 20 ms on it), and the same accounts come back."""
    return to_checksum_address(text)
