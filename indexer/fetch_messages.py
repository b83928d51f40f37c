"""The messages of the backfill's fetch process (`indexer.fetcher`) to the indexer, and their one encoding.

The child sends, ranges in chain order: a `RangeFetched` per range, an `RpcRetrying` for each transient RPC
fault it retries, and last `FetchDone` or `FetchFailed`. `encode` gives a message's frames and `decode` reads
them back. A message is one pickled frame (a tuple: its kind, then its fields); a range's raw_events COPY rows
follow it as a frame of their own, sent as they are (bytes, never pickled, never copied into the message).
"""

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from genip.errors import GenIPError
from indexer.events import LogRow
from indexer.store import BlockRef

__all__ = [
    "FetchDone",
    "FetchFailed",
    "FetchMessage",
    "RangeFetched",
    "RpcRetrying",
    "UnknownFetchMessage",
    "decode",
    "encode",
]


@dataclass(frozen=True, slots=True)
class RangeFetched:
    """One range, fetched and decoded: its logs as plain tuples without topics and data (the COPY rows carry
    them), its raw_events COPY rows, and the child's range size and cap after it (the parent goes on from
    them once the backfill is done)."""

    start: int
    end: int
    last: BlockRef
    rows: list[LogRow]
    size: int
    cap: int | None
    raw_copy: bytes


@dataclass(frozen=True, slots=True)
class RpcRetrying:
    """A transient RPC fault the child is retrying (the parent records it for `/health`)."""

    text: str


@dataclass(frozen=True, slots=True)
class FetchDone:
    """Every range was sent."""


@dataclass(frozen=True, slots=True)
class FetchFailed:
    """The child stopped on an error, which the parent raises."""

    error: BaseException


FetchMessage = RangeFetched | RpcRetrying | FetchDone | FetchFailed


class UnknownFetchMessage(GenIPError):
    """A frame from the fetch process that is not one of its messages."""


def encode(message: FetchMessage) -> tuple[bytes, ...]:
    """The frames that carry `message`, in order."""
    match message:
        case RangeFetched(start, end, last, rows, size, cap, raw_copy):
            header = (last.number, last.hash, last.parent_hash, last.timestamp)
            return _dumps(("range", start, end, header, rows, size, cap)), raw_copy
        case RpcRetrying(text):
            return (_dumps(("error", text)),)
        case FetchDone():
            return (_dumps(("done",)),)
        case FetchFailed(error):
            return (_failed(error),)
        case _:
            raise TypeError(f"not a message of the fetch process: {_describe(message)}")


def decode(frame: bytes, next_frame: Callable[[], bytes]) -> FetchMessage:
    """The message whose first frame is `frame`; `next_frame` reads the frames that follow it on the pipe."""
    match pickle.loads(frame):
        case ("range", int(start), int(end), (int(n), str(h), str(p), int(t)), list(rows), int(size), cap):
            return RangeFetched(start, end, BlockRef(n, h, p, t), rows, size, cap, next_frame())
        case ("error", str(text)):
            return RpcRetrying(text)
        case ("done",):
            return FetchDone()
        case ("failed", BaseException() as error):
            return FetchFailed(error)
        case other:
            raise UnknownFetchMessage(f"unknown message from the fetch process: {_describe(other)}")


def _dumps(fields: tuple[Any, ...]) -> bytes:
    return pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL)


def _failed(error: BaseException) -> bytes:
    """The error as sent, or in words when it would not arrive: some exceptions pickle but do not unpickle
    (custom constructors)."""
    try:
        frame = _dumps(("failed", error))
        pickle.loads(frame)
    except Exception:
        frame = _dumps(("failed", GenIPError(f"fetch process: {type(error).__name__}: {error}")))
    return frame


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 200 else f"{text[:200]}…"
