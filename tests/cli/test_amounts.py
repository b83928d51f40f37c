"""Parsing what people type (`genip.money`): exact decimal amounts, durations and revenue shares."""

import pytest

from genip.errors import ConfigError
from genip.money import format_amount, parse_duration, parse_share, to_base_units


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [("0.05", 18, 5 * 10**16), ("1", 6, 10**6), ("7.000001", 6, 7_000_001), ("0", 18, 0), ("1e-18", 18, 1)],
)
def test_decimal_amounts_are_exact(text: str, decimals: int, units: int) -> None:
    assert to_base_units(text, decimals) == units
    assert to_base_units(format_amount(units, decimals), decimals) == units


@pytest.mark.parametrize("text", ["0.0000001", "-1", "nan", "inf", "one", ""])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        to_base_units(text, 6)


def test_format_amount() -> None:
    assert format_amount(5 * 10**16, 18) == "0.05" and format_amount(10**18, 18) == "1"
    assert format_amount(0, 6) == "0" and format_amount(1, 18) == "0.000000000000000001"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30d", 2_592_000),
        ("12h", 43_200),
        ("15m", 900),
        ("90", 90),
        ("2w", 1_209_600),
        ("0", 0),
        ("perpetual", 0),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["30 days", "-1d", "1.5h", "200y"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "bps"), [("10%", 1000), ("2.5%", 250), ("250bps", 250), ("10", 1000), ("0%", 0)]
)
def test_shares(text: str, bps: int) -> None:
    assert parse_share(text) == bps


@pytest.mark.parametrize("text", ["101%", "0.001%", "ten", "-1%"])
def test_bad_shares(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_share(text)
