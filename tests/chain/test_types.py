"""The Python enums mirror GenIPTypes.sol value for value."""

import re
from enum import IntEnum
from pathlib import Path

import pytest

from genip.chain import types

SOURCE = Path(__file__).resolve().parents[2] / "contracts" / "src" / "types" / "GenIPTypes.sol"


def _solidity_enums() -> dict[str, list[str]]:
    text = re.sub(r"//[^\n]*", "", SOURCE.read_text())
    return {
        name: [member.strip() for member in body.split(",") if member.strip()]
        for name, body in re.findall(r"enum\s+(\w+)\s*\{([^}]*)\}", text)
    }


@pytest.mark.parametrize(
    "name", ["WorkKind", "Tier", "CheckOutcome", "LicenseUse", "DisputeStatus", "RevenueSource"]
)
def test_enum_matches_solidity(name: str) -> None:
    python: type[IntEnum] = getattr(types, name)
    expected = [re.sub(r"(?<!^)(?=[A-Z])", "_", m).upper() for m in _solidity_enums()[name]]
    assert [member.name for member in python] == expected
    assert [member.value for member in python] == list(range(len(expected)))


def test_bps_matches_solidity() -> None:
    assert re.search(rf"uint16 constant BPS = {types.BPS:_};", SOURCE.read_text())
