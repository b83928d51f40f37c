"""Amounts, durations, revenue shares and currencies as people type them, turned into what the contracts take.

    currency = resolve_currency(client, "ETH")        # or "0xToken…", or "demo" for the deployment's ERC-20
    to_base_units("0.05", currency.decimals)          # 50000000000000000
    parse_duration("30d")                             # 2592000 seconds; "0" or "perpetual" = 0
    parse_share("10%")                                # 1000 basis points ("250bps" also works)

Decimal text is parsed with `decimal.Decimal`, never float, so an amount is exact to the base unit; more
fractional digits than the token has are refused instead of rounded.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from eth_utils.address import is_address, to_checksum_address
from web3.exceptions import Web3Exception

from genip.chain.client import GenIPClient, contract_at
from genip.chain.tx import ZERO_ADDRESS
from genip.chain.types import BPS
from genip.errors import ConfigError

__all__ = [
    "ETH_DECIMALS",
    "NATIVE",
    "Currency",
    "currency_at",
    "format_amount",
    "parse_duration",
    "parse_share",
    "resolve_currency",
    "to_base_units",
]

#: Decimals of the native currency (wei per ether = 10**18).
ETH_DECIMALS: Final = 18
_UINT32_MAX: Final = 2**32 - 1
_DURATION_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "y": 31_536_000}
_DURATION_RE: Final = re.compile(r"^\s*(\d+)\s*([smhdwy]?)\s*$")


@dataclass(frozen=True, slots=True)
class Currency:
    """A payment currency: its address (zero for the native coin), symbol and decimals."""

    address: str
    symbol: str
    decimals: int

    @property
    def is_native(self) -> bool:
        """Whether this is the chain's native coin (paid as transaction value)."""
        return int(self.address, 16) == 0


NATIVE: Final = Currency(ZERO_ADDRESS, "ETH", ETH_DECIMALS)


def resolve_currency(client: GenIPClient, text: str | None) -> Currency:
    """`ETH` (or nothing), `demo` (the deployment's demo ERC-20) or an ERC-20 address, with its decimals."""
    value = (text or "ETH").strip()
    if value.upper() in ("ETH", "NATIVE", ZERO_ADDRESS.upper()) or value == ZERO_ADDRESS:
        return NATIVE
    if value.lower() == "demo":
        if client.deployment.demo_token is None:
            raise ConfigError("this deployment has no demo token; give the ERC-20 address")
        value = client.deployment.demo_token
    if not is_address(value):
        raise ConfigError(f"currency {value[:64]!r} is neither ETH nor an ERC-20 address")
    address = to_checksum_address(value)
    if not client.w3.eth.get_code(address):
        raise ConfigError(f"currency {address} is not a contract on chain {client.deployment.chain_id}")
    token = contract_at(client.w3, "DemoToken", address)
    try:
        decimals = int(token.functions.decimals().call())
        symbol = str(token.functions.symbol().call())
    except (Web3Exception, ValueError, OverflowError):
        raise ConfigError(f"currency {address} does not answer ERC-20 decimals() and symbol()") from None
    return Currency(address, symbol, decimals)


def currency_at(client: GenIPClient, address: str) -> Currency:
    """The currency at `address` as an offer or balance names it (zero address: the native coin)."""
    if int(address, 16) == 0:
        return NATIVE
    return resolve_currency(client, address)


def to_base_units(text: str, decimals: int) -> int:
    """Decimal `text` (e.g. `0.05`) in base units of a token with `decimals`; exact or refused."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise ConfigError(f"amount {text[:40]!r} is not a decimal number") from None
    if not amount.is_finite() or amount < 0:
        raise ConfigError(f"amount {text[:40]!r} must be a non-negative number")
    scaled = amount.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ConfigError(f"amount {text[:40]!r} has more than {decimals} decimals")
    return int(scaled)


def format_amount(units: int, decimals: int) -> str:
    """Base units as a plain decimal string without trailing zeros (`50000000000000000`, 18 → `0.05`)."""
    text = format(Decimal(units).scaleb(-decimals), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_duration(text: str) -> int:
    """Seconds in `text`: `3600`, `90s`, `15m`, `12h`, `30d`, `2w`, `1y`; `0`/`perpetual` mean forever."""
    if text.strip().lower() in ("perpetual", "forever", "none"):
        return 0
    match = _DURATION_RE.match(text.lower())
    if match is None:
        raise ConfigError(f"duration {text[:40]!r} is not like 30d, 12h, 15m or 3600")
    seconds = int(match.group(1)) * _DURATION_UNITS[match.group(2) or "s"]
    if seconds > _UINT32_MAX:
        raise ConfigError(f"duration {text[:40]!r} is longer than {_UINT32_MAX} seconds")
    return seconds


def parse_share(text: str) -> int:
    """Basis points in `text`: `10%`, `2.5%`, `250bps`, or a bare number of percent (`10`)."""
    value = text.strip().lower()
    try:
        if value.endswith("bps"):
            bps = Decimal(value.removesuffix("bps"))
        else:
            bps = Decimal(value.removesuffix("%")) * 100
    except InvalidOperation:
        raise ConfigError(f"revenue share {text[:40]!r} is not like 10% or 250bps") from None
    if bps != bps.to_integral_value() or not 0 <= bps <= BPS:
        raise ConfigError(f"revenue share {text[:40]!r} must be 0 to 100 % in whole basis points")
    return int(bps)
