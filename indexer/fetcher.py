"""Reading block ranges from the node: one at a time (`fetch_range`), or a backfill's ranges in a process of
their own (`FetchProcess`, Postgres), so that fetching runs beside the indexing interpreter.

`fetch_range` reads one range's logs and headers, shrinking the range when the provider refuses it; the
indexer calls it from a thread or inline, and the fetch process from a thread of its own.

On a backfill the indexing process spent about half its CPU time fetching (HTTP, JSON parsing), decoding and
formatting raw events for COPY, all under one GIL with the handlers and the writer thread. A forked child
now does that part: for each adaptive range it reads the logs (same retries, fail-over and range shrinking
as before), decodes them and builds their raw_events rows for COPY (`indexer.rawcopy`), and sends the parent
one pickled message with the range, its last block and the decoded logs as plain tuples (no topics or data:
the rows carry them), followed by the rows as bytes, ranges in chain order (`indexer.fetch_messages`). The
parent only applies handlers and writes, in the same transactions as before, so crash safety and
exactly-once are unchanged: the child writes nothing, and whatever it had fetched beyond the last commit is
simply fetched again after a restart.

The child never runs ahead by more than about two ranges (a one-slot queue in front of a blocking pipe), dies
with its parent (PR_SET_PDEATHSIG on Linux, and a broken pipe everywhere), reports transient RPC errors to the
parent (which records them for `/health`) and hands over any other error, which the parent raises.
"""

import contextlib
import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from genip.errors import GenIPError
from indexer.batch_gc import BatchGC
from indexer.events import DecodedLog, as_logs, contract_events, decode_for_copy
from indexer.fetch_messages import (
    FetchDone,
    FetchFailed,
    FetchMessage,
    RangeFetched,
    RpcRetrying,
    decode,
    encode,
)
from indexer.ranges import AdaptiveRange
from indexer.rpc import RangeTooLarge, RpcClient
from indexer.store import BlockRef

__all__ = ["FetchProcess", "FetchSpec", "Fetched", "block_ref", "can_fork", "fetch_range"]


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

    @classmethod
    def received(cls, message: RangeFetched) -> "Fetched":
        """A range as the fetch process sent it."""
        return cls(
            message.start, message.end, [], message.last, [], as_logs(message.rows), [message.raw_copy]
        )


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


def block_ref(header: dict[str, Any]) -> BlockRef:
    """A block header from the node (JSON) as a BlockRef."""
    return BlockRef(
        int(header["number"], 16),
        header["hash"].lower(),
        header["parentHash"].lower(),
        int(header["timestamp"], 16),
    )


def fetch_range(
    rpc: RpcClient, ranges: AdaptiveRange, addresses: list[str], start: int, end: int, *, live: bool
) -> Fetched:
    """Logs of [start, end'] with end' <= end (shrunk when the provider refuses the range), with the last
    block's header (and, `live`, every block's header). Used by the indexer and by its fetch process."""
    while True:
        began = time.monotonic()
        try:
            logs = rpc.get_logs(addresses, start, end)
        except RangeTooLarge as refused:
            if end == start:
                raise
            ranges.refused(refused, start, end)
            end = ranges.end(start, end - 1)
            continue
        ranges.succeeded(len(logs), time.monotonic() - began)
        break
    if live:
        headers = [block_ref(h) for h in rpc.blocks(list(range(start, end + 1))) if h is not None]
        last = headers[-1] if headers else block_ref(_header(rpc, end))
    else:
        headers = []
        last = block_ref(_header(rpc, end))
    _fill_timestamps(rpc, logs, headers)
    return Fetched(start, end, logs, last, headers)


def _header(rpc: RpcClient, number: int) -> dict[str, Any]:
    header = rpc.block(number)
    if header is None:
        raise GenIPError(f"block {number} disappeared from the chain while indexing (reorg); retrying")
    return header


def _fill_timestamps(rpc: RpcClient, logs: list[dict[str, Any]], headers: list[BlockRef]) -> None:
    """Adds `blockTimestamp` to logs from nodes that do not send it."""
    missing = sorted({int(log["blockNumber"], 16) for log in logs if not log.get("blockTimestamp")})
    if not missing:
        return
    known = {h.number: h.timestamp for h in headers}
    need = [n for n in missing if n not in known]
    for header in rpc.blocks(need):
        if header is not None:
            known[int(header["number"], 16)] = int(header["timestamp"], 16)
    for log in logs:
        if not log.get("blockTimestamp"):
            log["blockTimestamp"] = hex(known.get(int(log["blockNumber"], 16), 0))


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

    def receive(self, wait: bool) -> FetchMessage | None:
        """The next message, or None when `wait` is false and none is ready."""
        if not wait and not self._conn.poll(0):
            return None
        try:
            return decode(self._conn.recv_bytes(), self._conn.recv_bytes)
        except EOFError:
            code = self._process.exitcode
            raise GenIPError(f"the fetch process exited unexpectedly (exit code {code})") from None

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


def _die_with_parent() -> None:
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (Ctrl-C reaches both)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _child(conn: Connection, spec: FetchSpec) -> None:
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

    def put(message: FetchMessage) -> None:
        out.put(encode(message))

    collector = BatchGC(every=32)  # as in the parent, per range (about half a batch)
    rpc = RpcClient(spec.rpc_urls, timeout=spec.rpc_timeout, on_error=lambda text: put(RpcRetrying(text)))
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
            message = RangeFetched(item.start, item.end, item.last, rows, ranges.size, ranges.cap, raw)
            del item, rows, raw
            put(message)
            del message
            collector.batch_done()
        put(FetchDone())
    except BaseException as exc:  # handed to the parent, which raises it
        put(FetchFailed(exc))
    out.put(None)
    sender.join()
    rpc.close()
