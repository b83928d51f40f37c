"""The compiled raw-event rows (`indexer/_rawrows.c`) are byte for byte those of the Python reference, and
both refuse what a node would never send, with ValueError and no output. (That the rows load into Postgres
and read back as the chain's logs is checked by the fetch-process and fast-path tests.)"""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import rawcopy
from indexer.rawcopy import binary_text_field, raw_rows, raw_rows_python


def test_make_setup_builds_the_compiled_rows() -> None:
    """Were the build lost, the backfill would quietly format rows in Python, slower; so the suite checks."""
    assert rawcopy.COMPILED
    assert raw_rows is not raw_rows_python


def _hex(data: bytes, upper: bool) -> str:
    text = data.hex()
    return "0x" + (text.upper() if upper else text)


@st.composite
def _logs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[bytes]]:
    logs, fields = [], []
    for _ in range(draw(st.integers(0, 6))):
        upper = draw(st.booleans())
        logs.append(
            {
                "blockHash": _hex(draw(st.binary(min_size=32, max_size=32)), upper),
                "logIndex": hex(draw(st.integers(0, 2**31 - 1))),
                "blockNumber": hex(draw(st.integers(0, 2**63 - 1))),
                "transactionHash": _hex(draw(st.binary(min_size=32, max_size=32)), upper),
                "topics": [
                    _hex(t, upper) for t in draw(st.lists(st.binary(min_size=32, max_size=32), max_size=4))
                ],
                "data": _hex(draw(st.binary(max_size=300)), upper),
                "address": "0x" + "ab" * 20,  # not read: the address travels in `fields`
            }
        )
        address = draw(st.text(max_size=42))
        event = draw(st.none() | st.text(max_size=64))
        fields.append(binary_text_field(address) + binary_text_field(event))
    return logs, fields


@settings(max_examples=300, deadline=None)
@given(_logs(), st.integers(0, 2**63 - 1))
def test_compiled_rows_equal_the_python_reference(
    drawn: tuple[list[dict[str, Any]], list[bytes]], chain: int
) -> None:
    logs, fields = drawn
    assert raw_rows(chain, logs, fields) == raw_rows_python(chain, logs, fields)


_GOOD = {
    "blockHash": "0x" + "11" * 32,
    "logIndex": "0x1",
    "blockNumber": "0x2",
    "transactionHash": "0x" + "22" * 32,
    "topics": ["0x" + "33" * 32],
    "data": "0x",
}


def test_a_row_has_the_binary_layout() -> None:
    """One row decoded by hand: field count, then each field's length and value."""
    log = {**_GOOD, "logIndex": "0x7", "blockNumber": "0x10", "data": "0xbeef"}
    fields = [binary_text_field("0xA") + binary_text_field(None)]
    expected = (
        b"\x00\x09"
        + b"\x00\x00\x00\x08" + (5).to_bytes(8, "big")
        + b"\x00\x00\x00\x20" + b"\x11" * 32
        + b"\x00\x00\x00\x04" + (7).to_bytes(4, "big")
        + b"\x00\x00\x00\x08" + (16).to_bytes(8, "big")
        + b"\x00\x00\x00\x20" + b"\x22" * 32
        + b"\x00\x00\x00\x03" + b"0xA"
        + b"\xff\xff\xff\xff"
        + b"\x00\x00\x00\x20" + b"\x33" * 32
        + b"\x00\x00\x00\x02" + b"\xbe\xef"
    )  # fmt: skip
    for build in (raw_rows, raw_rows_python):
        assert build(5, [log], fields) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"data": "0xabc"},  # half a byte
        {"data": "0xzz"},
        {"data": "abcd"},  # no 0x
        {"blockHash": "0X" + "11" * 32},
        {"transactionHash": None},
        {"topics": ["0x" + "33" * 31]},
        {"topics": ["0x" + "3g" * 32]},
        {"logIndex": hex(2**31)},  # beyond Postgres's integer
        {"logIndex": "0x"},
        {"blockNumber": hex(2**63)},
        {"blockNumber": "12"},
    ],
)
def test_both_refuse_what_a_node_never_sends(change: dict[str, Any]) -> None:
    log = {**_GOOD, **change}
    fields = [binary_text_field("a") + binary_text_field("b")]
    for build in (raw_rows, raw_rows_python):
        with pytest.raises((ValueError, TypeError)):
            build(1, [_GOOD, log], fields * 2)
    del log["data"]
    for build in (raw_rows, raw_rows_python):
        with pytest.raises((ValueError, KeyError)):
            build(1, [log], fields)


def test_one_field_entry_per_log() -> None:
    for build in (raw_rows, raw_rows_python):
        with pytest.raises(ValueError, match="1 logs but 0 fields"):
            build(1, [_GOOD], [])
