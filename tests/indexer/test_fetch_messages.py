"""The fetch process's messages (`indexer.fetch_messages`): each kind survives its trip over the pipe, a
range's raw COPY rows travel as a frame of their own, and anything else is refused with a clear error."""

import pickle
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from genip.errors import GenIPError
from indexer.events import LogRow
from indexer.fetch_messages import (
    FetchDone,
    FetchFailed,
    FetchMessage,
    RangeFetched,
    RpcRetrying,
    UnknownFetchMessage,
    decode,
    encode,
)
from indexer.fetcher import Fetched
from indexer.rpc import RpcError
from indexer.store import BlockRef

ROW: LogRow = (7, "0x" + "ab" * 32, 3, "0x" + "cd" * 32, "0x" + "ef" * 20, 0, [], "", "Registered", {"id": 1})
LAST = BlockRef(9, "0x" + "01" * 32, "0x" + "02" * 32, 1_700_000_000)


def _reader(frames: tuple[bytes, ...]) -> tuple[bytes, Callable[[], bytes], Iterator[bytes]]:
    """The first frame, and a reader of the others (as `FetchProcess.receive` reads the pipe)."""
    rest = iter(frames[1:])
    return frames[0], lambda: next(rest), rest


def _round_trip(message: FetchMessage) -> FetchMessage:
    first, next_frame, rest = _reader(encode(message))
    decoded = decode(first, next_frame)
    assert list(rest) == [], "a frame was left unread"
    return decoded


@pytest.mark.parametrize(
    "message",
    [
        RangeFetched(5, 9, LAST, [ROW, ROW], 4, None, b"\x00raw copy rows\xff"),
        RangeFetched(10, 10, LAST, [], 1, 64, b""),
        RpcRetrying("eth_getLogs: HTTP 429 from https://rpc.example (retrying)"),
        FetchDone(),
    ],
    ids=["range", "empty range with a cap", "rpc retrying", "done"],
)
def test_each_message_kind_round_trips(message: FetchMessage) -> None:
    assert _round_trip(message) == message


def test_a_ranges_copy_rows_travel_as_a_frame_of_their_own() -> None:
    raw = b"\x01" * 100_000
    frames = encode(RangeFetched(5, 9, LAST, [ROW], 4, 8, raw))
    assert len(frames) == 2 and frames[1] is raw  # sent as they are: never pickled, never copied
    assert raw not in frames[0]
    received = decode(frames[0], lambda: frames[1])
    assert isinstance(received, RangeFetched) and received.raw_copy is raw
    fetched = Fetched.received(received)
    assert (fetched.start, fetched.end, fetched.last, fetched.count) == (5, 9, LAST, 1)
    assert fetched.raw_copy == [raw] and fetched.logs == []
    assert fetched.decoded is not None and tuple(fetched.decoded[0]) == ROW


def test_a_failure_round_trips_with_its_error() -> None:
    received = _round_trip(FetchFailed(RpcError("eth_getLogs", -32602, "bad filter")))
    assert isinstance(received, FetchFailed) and isinstance(received.error, RpcError)
    assert (received.error.method, received.error.code, received.error.rpc_message) == (
        "eth_getLogs",
        -32602,
        "bad filter",
    )


class _Unloadable(Exception):
    """Pickles, but does not unpickle (its constructor takes two arguments)."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what}: {why}")


def test_an_error_that_would_not_arrive_is_sent_in_words() -> None:
    received = _round_trip(FetchFailed(_Unloadable("decoding", "odd log")))
    assert isinstance(received, FetchFailed) and type(received.error) is GenIPError
    assert str(received.error) == "fetch process: _Unloadable: decoding: odd log"


@pytest.mark.parametrize(
    "fields",
    [
        ("gossip", "hello"),
        ("range", 5, 9),  # a known kind with the wrong fields
        ("error", 429),
        ("failed", "not an exception"),
        ("done", "extra"),
        (),
        "range",
        {"kind": "done"},
    ],
)
def test_an_unknown_message_is_refused_with_a_clear_error(fields: Any) -> None:
    def no_more() -> bytes:
        raise AssertionError("read past an unknown message")

    with pytest.raises(UnknownFetchMessage, match="unknown message from the fetch process: ") as refused:
        decode(pickle.dumps(fields), no_more)
    assert repr(fields)[:50] in str(refused.value)


def test_only_messages_can_be_encoded() -> None:
    with pytest.raises(TypeError, match="not a message of the fetch process: \\('done',\\)"):
        encode(("done",))  # type: ignore[arg-type]
