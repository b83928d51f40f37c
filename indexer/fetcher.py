"""Backfill fetching in a process of its own (Postgres), so that it runs beside the indexing interpreter.

On a backfill the indexing process spent about half its CPU time fetching (HTTP, JSON parsing), decoding and
formatting raw events for COPY, all under one GIL with the handlers and the writer thread. A forked child
now does that part: for each adaptive range it reads the logs (same retries, fail-over and range shrinking
as before), decodes them and builds their raw_events rows for COPY (`indexer.rawcopy`), and sends the parent
one pickled message with the range, its last block and the decoded logs as plain tuples (no topics or data:
the rows carry them), followed by the rows as bytes, ranges in chain order. The parent only applies handlers
and writes, in the same transactions as before, so crash safety and exactly-once are unchanged: the child
writes nothing, and whatever it had fetched beyond the last commit is simply fetched again after a restart.

The child never runs ahead by more than about two ranges (a one-slot queue in front of a blocking pipe), dies
with its parent (PR_SET_PDEATHSIG on Linux, and a broken pipe everywhere), reports transient RPC errors to the
parent (which records them for `/health`) and hands over any other error, which the parent raises.
"""

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from genip.errors import GenIPError
from indexer.events import DecodedLog, as_logs, contract_events, decode_for_copy
from indexer.ranges import AdaptiveRange
from indexer.rpc import RpcClient
from indexer.store import BlockRef

__all__ = ["FetchProcess", "FetchSpec", "Fetched", "can_fork"]


@dataclass
class Fetched:
    """One fetched range: raw logs (thread path), or decoded logs and their raw COPY rows (fetch process)."""

    start: int
    end: int
    logs: list[dict[str, Any]]
    last: BlockRef
    headers: list[BlockRef]
    decoded: list[DecodedLog] | None = None
    raw_copy: list[bytes] | None = None  # the raw_events COPY rows of `decoded` (binary format), in pieces

    @property
    def count(self) -> int:
        return len(self.decoded) if self.decoded is not None else len(self.logs)

    def joined(self, more: "Fetched") -> "Fetched":
        """This range followed by `more` (the next one) as one backfill range."""
        if self.decoded is not None and more.decoded is not None:
            return Fetched(
                self.start,
                more.end,
                [],
                more.last,
                [],
                self.decoded + more.decoded,
                [*(self.raw_copy or ()), *(more.raw_copy or ())],
            )
        return Fetched(self.start, more.end, self.logs + more.logs, more.last, [])


@dataclass(frozen=True)
class FetchSpec:
    """What the fetch process needs: where to read, what to decode, and the range sizes learnt so far."""

    rpc_urls: tuple[str, ...]
    rpc_timeout: float
    chain_id: int
    contracts: tuple[str, str, str, str]  # registry, hub, licence token, court
    range_size: int
    range_max: int
    range_cap: int | None
    target_logs: int
    first: int
    last: int


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class FetchProcess:
    """Parent side: starts the child and receives its ranges in order."""

    def __init__(self, spec: FetchSpec) -> None:
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        _widen(receive)
        self._conn = receive
        self._process = ctx.Process(target=_child, args=(send, spec), name="genip-fetch", daemon=True)
        self._process.start()
        send.close()  # the parent keeps only its reading end: the child's death reads as EOF

    def receive(self, wait: bool) -> tuple[Any, ...] | None:
        """The next message, or None when `wait` is false and none is ready. A ("range", …) message is
        followed on the pipe by its raw_events COPY rows, appended to it as sent (bytes, never pickled)."""
        if not wait and not self._conn.poll(0):
            return None
        try:
            message: tuple[Any, ...] = pickle.loads(self._conn.recv_bytes())
            if message[0] == "range":
                message = (*message, self._conn.recv_bytes())
        except EOFError:
            code = self._process.exitcode
            raise GenIPError(f"the fetch process exited unexpectedly (exit code {code})") from None
        return message

    def close(self) -> None:
        self._conn.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _widen(conn: Connection) -> None:
    """Gives the pipe 1 MiB of buffer (Linux; the default is 64 KiB): a range's rows are megabytes, and each
    read of the pipe allocates as much as is still to come, so 64 KiB reads cost the parent about 1 µs per
    event in allocations and copies, and both processes a context switch per piece."""
    with contextlib.suppress(ImportError, OSError, AttributeError):  # another system, a lower pipe-max-size
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def item_from(message: tuple[Any, ...]) -> tuple[Fetched, int, int | None]:
    """A received ("range", …) message as a Fetched range, and the child's range size and cap."""
    _, start, end, last, rows, size, cap, raw_copy = message
    return Fetched(start, end, [], BlockRef(*last), [], as_logs(rows), [raw_copy]), size, cap


def _die_with_parent() -> None:
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (Ctrl-C reaches both)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _child(conn: Connection, spec: FetchSpec) -> None:
    # Imported here: the runner imports this module, and the child only needs the fetch function.
    from indexer.runner import BatchGC, fetch_range

    _die_with_parent()
    out: queue.Queue[tuple[bytes, ...] | None] = queue.Queue(maxsize=1)

    def send() -> None:
        try:
            while (frames := out.get()) is not None:
                for frame in frames:
                    conn.send_bytes(frame)
        except OSError:  # the parent is gone or stopped reading: nothing left to do
            os._exit(0)

    sender = threading.Thread(target=send, name="genip-fetch-send", daemon=True)
    sender.start()

    def put(message: tuple[Any, ...], *raw: bytes) -> None:
        out.put((pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL), *raw))

    collector = BatchGC(every=32)  # as in the parent, per range (about half a batch)
    rpc = RpcClient(spec.rpc_urls, timeout=spec.rpc_timeout, on_error=lambda text: put(("error", text)))
    events = contract_events(*spec.contracts)
    ranges = AdaptiveRange(spec.range_size, spec.range_max, spec.target_logs)
    ranges.cap = spec.range_cap
    # A thread reads the next range (mostly waiting for the node) while this one is decoded and formatted.
    fetched: queue.Queue[Fetched | BaseException | None] = queue.Queue(maxsize=1)

    def fetch() -> None:
        try:
            start = spec.first
            while start <= spec.last:
                item = fetch_range(
                    rpc, ranges, events.addresses, start, ranges.end(start, spec.last), live=False
                )
                fetched.put(item)
                start = item.end + 1
            fetched.put(None)
        except BaseException as exc:  # handed on below
            fetched.put(exc)

    fetcher = threading.Thread(target=fetch, name="genip-fetch-read", daemon=True)
    fetcher.start()
    try:
        while (item := fetched.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            # Topics and data travel in the COPY rows only: the handlers never read them.
            rows, raw = decode_for_copy(events, spec.chain_id, item.logs)
            last = item.last
            message = (
                "range",
                item.start,
                item.end,
                (last.number, last.hash, last.parent_hash, last.timestamp),
                rows,
                ranges.size,
                ranges.cap,
            )
            del item, rows
            put(message, raw)
            del message, raw
            collector.batch_done()
        put(("done",))
    except BaseException as exc:  # handed to the parent, which raises it
        try:
            payload = pickle.dumps(("failed", exc), protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(payload)  # some exceptions pickle but do not unpickle (custom constructors)
        except Exception:
            payload = pickle.dumps(("failed", GenIPError(f"fetch process: {type(exc).__name__}: {exc}")))
        out.put((payload,))
    out.put(None)
    sender.join()
    rpc.close()
