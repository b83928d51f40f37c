"""EIP-55 addresses, without eth-utils: it takes about half a second to import (it loads pydantic's and
toolz's machinery), which the commands that must start at once cannot pay. `tests/chain/test_quick_reads.py`
holds this to eth-utils' `is_address` and `to_checksum_address` on random input."""

from eth_hash.auto import keccak

__all__ = ["checksum_address"]


def checksum_address(address: str) -> str:
    """`address` (20 bytes as hex, `0x` optional) in its EIP-55 checksummed form. `ValueError` when it is not
    an address, or mixes cases with a wrong checksum (a typo): what eth-utils' `is_address` refuses."""
    text = address.strip()
    body = text[2:] if text[:2] in ("0x", "0X") else text
    if len(body) != 40 or any(c not in "0123456789abcdefABCDEF" for c in body):
        raise ValueError(f"{address[:60]!r} is not an address")
    lower = body.lower()
    digest = keccak(lower.encode()).hex()
    checksummed = "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest[:40], strict=True)
    )
    if body not in (lower, body.upper()) and body != checksummed[2:]:
        raise ValueError(f"{address[:60]!r} has a wrong EIP-55 checksum")
    return checksummed
