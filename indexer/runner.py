"""The indexing loop: backfill final blocks fast, then follow the chain block by block, rolling back reorgs.

Backfill (blocks at or below the chain's finalized block): ranges are fetched ahead into a small bounded queue
while the main thread applies handlers and a writer thread commits the previous batch, so fetching and writing
overlap and memory stays flat however long the backlog. On Postgres, backlogs of more than one range are
fetched, decoded and formatted for COPY by a forked process (`indexer.fetcher`), which takes about half the
per-event CPU work off this interpreter's GIL; otherwise (SQLite, a block or two while following) a thread
fetches and the main thread decodes. Ranges already fetched join one commit batch until it holds
`batch_events` events, so the per-batch work (loading and rewriting the rows the batch touches, such as
balances) is paid about once per 10 000 events when fetching runs ahead. Garbage collection is paced by
batches during a backfill (`indexer.batch_gc`).

Live (newer blocks): each range's headers are fetched and checked to chain onto the stored cursor (parent
hashes) and the logs' block hashes must match them; a mismatch at the cursor means a reorg, which is rolled
back to the common ancestor from the undo log in one transaction and then re-applied. A reorg deeper than the
kept window stops the indexer (`ReorgTooDeep`) before anything is written.
"""

import contextlib
import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from genip.db.migrate import require_current
from genip.errors import GenIPError
from indexer.batch_gc import BatchGC
from indexer.config import IndexerConfig
from indexer.db_faults import MAX_WAIT, is_transient, one_line
from indexer.events import ContractEvents, DecodedLog, contract_events
from indexer.fetch_messages import FetchDone, FetchFailed, RangeFetched, RpcRetrying
from indexer.fetcher import Fetched, FetchProcess, FetchSpec, block_ref, can_fork, fetch_range
from indexer.handlers import HANDLERS, prefetch_keys
from indexer.lock import writer_lock
from indexer.outbox import Outbox
from indexer.overlay import Loader, Overlay
from indexer.ranges import AdaptiveRange
from indexer.rpc import RpcClient
from indexer.store import BlockRef, Store, StoredCursor
from indexer.writer import BatchWriter, PreparedBatch

__all__ = ["Indexer", "ReorgTooDeep", "Reporter", "SilentReporter", "Stats"]


class ReorgTooDeep(GenIPError):
    """The chain reorganised below the blocks the indexer keeps undo information for."""


class Reporter(Protocol):
    """Where the runner reports progress (the CLI renders it with rich; tests stay silent)."""

    def backfill_started(self, first: int, last: int) -> None: ...
    def backfill_advanced(self, blocks: int, events: int) -> None: ...
    def backfill_finished(self) -> None: ...
    def status(self, stats: "Stats") -> None: ...
    def message(self, text: str) -> None: ...


class SilentReporter:
    def backfill_started(self, first: int, last: int) -> None: ...
    def backfill_advanced(self, blocks: int, events: int) -> None: ...
    def backfill_finished(self) -> None: ...
    def status(self, stats: "Stats") -> None: ...
    def message(self, text: str) -> None: ...


@dataclass
class Stats:
    cursor: int = 0
    head: int = 0
    events: int = 0
    batches: int = 0
    reorgs: int = 0
    last_error: str | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def lag(self) -> int:
        return max(0, self.head - self.cursor)


class _NotYet:
    """`_Source.get(wait=False)` when no range is ready yet."""


NOT_YET = _NotYet()


class _Source(Protocol):
    """Where a backfill's ranges come from, in chain order: a range, None when all are fetched, or (without
    waiting) NOT_YET. A fetch error is raised by `get`."""

    def get(self, *, wait: bool) -> "Fetched | _NotYet | None": ...
    def close(self) -> None: ...


class _ThreadSource:
    """Ranges fetched by a thread of this process into a small bounded queue (SQLite, or no fork)."""

    def __init__(self, indexer: "Indexer", first: int, last: int) -> None:
        self._queue: queue.Queue[Fetched | BaseException | None] = queue.Queue(maxsize=2)
        self._halt = threading.Event()
        self._thread = threading.Thread(
            target=self._produce, args=(indexer, first, last), name="genip-fetch", daemon=True
        )
        self._thread.start()

    def _produce(self, indexer: "Indexer", first: int, last: int) -> None:
        try:
            start = first
            while start <= last and not self._halt.is_set():
                item = indexer._fetch(start, indexer.ranges.end(start, last), live=False)
                self._queue.put(item)
                start = item.end + 1
            self._queue.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._queue.put(exc)

    def get(self, *, wait: bool) -> Fetched | _NotYet | None:
        try:
            item = self._queue.get() if wait else self._queue.get_nowait()
        except queue.Empty:
            return NOT_YET
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self._halt.set()
        while self._thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                self._queue.get_nowait()
            except queue.Empty:
                self._thread.join(0.05)


class _ProcessSource:
    """Ranges fetched, decoded and formatted by the fetch process (`indexer.fetcher`)."""

    def __init__(self, process: FetchProcess, ranges: AdaptiveRange, on_error: Callable[[str], None]) -> None:
        self._process = process
        self._ranges = ranges
        self._on_error = on_error
        self._done = False

    def get(self, *, wait: bool) -> Fetched | _NotYet | None:
        while not self._done:
            match self._process.receive(wait):
                case None:
                    return NOT_YET
                case RangeFetched() as message:
                    self._ranges.size, self._ranges.cap = message.size, message.cap
                    return Fetched.received(message)
                case RpcRetrying(text):
                    self._on_error(text)
                case FetchFailed(error):
                    self._done = True
                    raise error
                case FetchDone():
                    self._done = True
        return None

    def close(self) -> None:
        self._process.close()


class Indexer:
    """Indexes one chain's Gen-IP events into one database."""

    def __init__(
        self,
        engine: Engine,
        config: IndexerConfig,
        *,
        reporter: Reporter | None = None,
        after_step: Callable[[], object] | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.reporter: Reporter = reporter or SilentReporter()
        self.after_step = after_step
        self.store = Store(engine, config.chain_id)
        self.stats = Stats()
        self.rpc = RpcClient(config.rpc_urls, timeout=config.rpc_timeout, on_error=self._transient)
        self.events: ContractEvents = contract_events(*config.contracts)
        self.ranges = AdaptiveRange(config.initial_range, config.max_range, config.target_logs)
        self.outbox = Outbox(config.chain_id, engine)  # webhook events, written with each batch

    # ─────────────────────────────── public ───────────────────────────────

    def run(
        self, *, once: bool = False, stop: threading.Event | None = None, wait_for_lock: bool = False
    ) -> Stats:
        """Indexes until stopped; with `once`, until caught up with the chain's head, then returns."""
        require_current(self.engine)
        stop = stop or threading.Event()
        with writer_lock(self.engine, self.config.chain_id, wait=wait_for_lock):
            chain_id = self.rpc.chain_id()
            if chain_id != self.config.chain_id:
                raise GenIPError(
                    f"the RPC serves chain {chain_id}, the deployment is on chain {self.config.chain_id}"
                )
            last_status = time.monotonic()
            outage_since: float | None = None  # the first failure of the current database outage
            failures = 0
            while not stop.is_set():
                try:
                    caught_up = self.step()
                except OperationalError as exc:  # keep the cursor; wait out what can pass (indexer.db_faults)
                    now = time.monotonic()
                    outage_since = outage_since if outage_since is not None else now
                    if not is_transient(exc) or now - outage_since > self.config.db_outage_limit:
                        raise GenIPError(f"the indexer stopped on a database error: {one_line(exc)}") from exc
                    self._transient(f"database: {one_line(exc)}")
                    failures += 1
                    stop.wait(min(self.config.poll_interval * 2 ** min(failures - 1, 16), MAX_WAIT))
                    continue
                outage_since, failures = None, 0
                if self.after_step is not None:
                    self.after_step()  # e.g. fill in metadata of newly indexed assets
                if once and caught_up:
                    break
                if time.monotonic() - last_status >= self.config.status_interval:
                    self.reporter.status(self.stats)
                    last_status = time.monotonic()
                if caught_up:
                    stop.wait(self.config.poll_interval)
        return self.stats

    def close(self) -> None:
        """Closes the RPC connections."""
        self.rpc.close()

    def step(self) -> bool:
        """One round: backfill what is final, then one live range. True when caught up with the head."""
        head = self.rpc.block_number()
        if self.config.end_block is not None:
            head = min(head, self.config.end_block)
        self.stats.head = head
        target = head - self.config.confirmations
        final = min(self._final_block(head), target)
        cursor = self._cursor(head)
        self.stats.cursor = cursor.block_number
        if cursor.block_number < final:
            self._backfill(cursor.block_number + 1, final, head)
            self.store.prune(final)
            return False
        if cursor.block_number >= target:
            if self._tip_moved(cursor):
                self._rollback(cursor)
                return False  # re-index the new fork's blocks before calling it caught up
            self.store.record_status(head=head)
            return True
        self._live(cursor, target, head)
        self.store.prune(final)
        return self.stats.cursor >= target

    # ─────────────────────────────── cursor & finality ───────────────────────────────

    def _cursor(self, head: int) -> StoredCursor:
        cursor = self.store.cursor()
        if cursor is not None:
            return cursor
        anchor_number = max(self.config.start_block - 1, 0)
        header = self.rpc.block(anchor_number)
        if header is None:
            raise GenIPError(f"the chain has no block {anchor_number}: is the deploy block right?")
        anchor = block_ref(header)
        with self.engine.begin() as c:
            self.store.start(c, anchor, head)
        return StoredCursor(anchor.number, anchor.hash, anchor.number)

    def _final_block(self, head: int) -> int:
        if self.config.use_finalized_tag:
            try:
                header = self.rpc.block("finalized")
            except GenIPError:
                header = None
            if header is not None:
                return int(header["number"], 16)
        return head - self.config.reorg_window

    # ─────────────────────────────── backfill ───────────────────────────────

    def _backfill(self, first: int, last: int, head: int) -> None:
        self.reporter.backfill_started(first, last)
        collector = BatchGC()  # before the fetch process forks: it inherits the frozen heap
        try:
            source: _Source = (
                self._process_source(first, last)
                if self._use_process(first, last)
                else _ThreadSource(self, first, last)
            )
        except BaseException:
            collector.close()
            raise
        writer = BatchWriter(self._commit)
        try:
            with self.engine.connect() as reads:
                loader = writer.layered(self.store.loader(reads))
                finished = False
                while not finished:
                    item = source.get(wait=True)
                    if not isinstance(item, Fetched):  # None: every range is done
                        break
                    # Ranges already fetched join this batch until it holds `batch_events` events: the
                    # per-batch work (loading and rewriting the rows it touches, the commit) is paid less
                    # often. It never waits for a fetch, so a slow provider does not hold the cursor back.
                    while item.count < self.config.batch_events:
                        more = source.get(wait=False)
                        if more is None:
                            finished = True
                            break
                        if not isinstance(more, Fetched):  # NOT_YET
                            break
                        item = item.joined(more)
                    batch = self._prepare(item, loader, journal=False, head=head, replay=False)
                    reads.rollback()  # end the read snapshot, so the next batch sees new commits
                    writer.submit(batch)
                    collector.batch_done()
                    self.reporter.backfill_advanced(item.end - item.start + 1, len(batch.logs))
                writer.drain()
        finally:
            source.close()
            writer.close()
            collector.close()
            self.reporter.backfill_finished()

    def _use_process(self, first: int, last: int) -> bool:
        """The fetch process pays off on Postgres for backlogs of more than one range; when following the
        chain, a block or two become final per step, and a thread fetches them without forking."""
        return (
            self.config.fetch_process
            and self.store.postgres
            and last - first + 1 > self.ranges.size
            and can_fork()
        )

    def _process_source(self, first: int, last: int) -> "_ProcessSource":
        spec = FetchSpec(
            rpc_urls=self.config.rpc_urls,
            rpc_timeout=self.config.rpc_timeout,
            chain_id=self.config.chain_id,
            contracts=self.config.contracts,
            range_size=self.ranges.size,
            range_max=self.ranges.maximum,
            range_cap=self.ranges.cap,
            target_logs=self.ranges.target_logs,
            first=first,
            last=last,
        )
        return _ProcessSource(FetchProcess(spec), self.ranges, self._transient)

    def _fetch(self, start: int, end: int, *, live: bool) -> Fetched:
        """Logs of [start, end'] with end' <= end (shrunk when the provider refuses the range)."""
        return fetch_range(self.rpc, self.ranges, self.events.addresses, start, end, live=live)

    # ─────────────────────────────── apply ───────────────────────────────

    def _prepare(
        self,
        item: Fetched,
        loader: Loader,
        *,
        journal: bool,
        head: int,
        replay: bool,
        known: set[Any] | None = None,
    ) -> PreparedBatch:
        """Decodes a range and applies its handlers to an overlay; nothing is written yet."""
        decoded: list[DecodedLog] = (
            item.decoded if item.decoded is not None else self.events.decode_many(item.logs)
        )
        if known:
            decoded = [d for d in decoded if (d.block_hash, d.log_index) not in known]
        overlay = Overlay(self.config.chain_id, loader)
        for table, keys in prefetch_keys(decoded).items():
            overlay.prefetch(table, [(self.config.chain_id, *k) for k in keys])
        for log in decoded:
            handler = HANDLERS.get(log.event or "")
            if handler is not None:
                handler(overlay, log)
        self.stats.events += len(decoded)
        return PreparedBatch(
            logs=decoded,
            overlay=overlay,
            first_block=item.start,
            end_block=item.end,
            last=item.last,
            window_blocks=item.headers or [item.last],
            journal=journal,
            head=head,
            raw_copy=None if known else item.raw_copy,
            outbox=self.outbox.derive(decoded, overlay),
            staged=self.store.stage(overlay, journal=journal),
        )

    def _commit(self, batch: PreparedBatch) -> None:
        """Writes one prepared batch in one transaction (called inline, or by the backfill writer thread)."""
        with self.engine.begin() as c:
            self.store.begin_batch(c)
            chain_time = self.outbox.clock(c)  # before the cursor moves: licence expiries since then
            self.store.commit_batch(
                c,
                logs=batch.logs,
                overlay=batch.overlay,
                first_block=batch.first_block,
                last=batch.last,
                window_blocks=batch.window_blocks,
                journal=batch.journal,
                head=batch.head,
                raw_copy=batch.raw_copy,
                staged=batch.staged,
            )
            self.outbox.write(c, batch.outbox, since=chain_time, last=batch.last)
        self.stats.cursor = max(self.stats.cursor, batch.end_block)
        self.stats.batches += 1

    def _apply(self, item: Fetched, *, journal: bool, head: int) -> int:
        """Prepares and commits one range inline; returns the number of new events."""
        with self.engine.connect() as c:
            cursor = self.store.cursor(c)
            replay = cursor is not None and item.start <= cursor.block_number
            known = self.store.known_events(c, self.events.decode_many(item.logs)) if replay else None
            batch = self._prepare(
                item, self.store.loader(c), journal=journal, head=head, replay=replay, known=known
            )
        if replay and cursor is not None and batch.last.number < cursor.block_number:
            batch.last = BlockRef(cursor.block_number, cursor.block_hash, "", 0)  # never move the cursor back
        self._commit(batch)
        return len(batch.logs)

    def replay(self, start: int, end: int) -> int:
        """Re-reads [start, end] (already indexed) and applies what is not stored yet: normally nothing."""
        item = self._fetch(start, end, live=False)
        return self._apply(item, journal=False, head=self.stats.head)

    # ─────────────────────────────── live & reorgs ───────────────────────────────

    def _live(self, cursor: StoredCursor, target: int, head: int) -> None:
        start = cursor.block_number + 1
        item = self._fetch(start, min(target, start + self.config.live_max_blocks - 1), live=True)
        headers = item.headers
        if not headers or headers[0].number != start:
            return  # the chain is shorter than it was a moment ago: look again next round
        if headers[0].parent_hash != cursor.block_hash:
            self._rollback(cursor)
            return
        for prev, cur in itertools.pairwise(headers):
            if cur.parent_hash != prev.hash:
                return  # headers from two forks: the chain moved while we read it; read again
        by_number = {h.number: h.hash for h in headers}
        if any(by_number.get(int(log["blockNumber"], 16)) != log["blockHash"].lower() for log in item.logs):
            return  # logs from another fork than the headers: read again
        item.end = headers[-1].number
        item.last = headers[-1]
        self._apply(item, journal=True, head=head)

    def _tip_moved(self, cursor: StoredCursor) -> bool:
        """True when the cursor's block is no longer on the chain."""
        header = self.rpc.block(cursor.block_number)
        return header is None or header["hash"].lower() != cursor.block_hash

    def _rollback(self, cursor: StoredCursor) -> None:
        """Rolls back to the newest stored block still on the chain; ReorgTooDeep when none is left."""
        stored = [
            (n, h)
            for n, h in self.store.stored_blocks(cursor.block_number, limit=100_000)
            if n >= cursor.journal_from
        ]
        on_chain = self.rpc.blocks([n for n, _ in stored])
        ancestor = next(
            (
                n
                for (n, h), header in zip(stored, on_chain, strict=True)
                if header is not None and header["hash"].lower() == h
            ),
            None,
        )
        if ancestor is None:
            raise ReorgTooDeep(
                f"the chain reorganised below block {cursor.journal_from + 1}, deeper than the blocks kept "
                "for "
                f"rollback; the database still holds the old chain up to block {cursor.block_number} — "
                "re-index from scratch with `genip index --reset`"
            )
        with self.engine.begin() as c:
            new_cursor = self.store.rollback_to(c, ancestor)
            self.outbox.rolled_back(c, new_cursor)  # drop unsent webhook events, retract sent ones
        self.stats.reorgs += 1
        self.stats.cursor = new_cursor
        self.reporter.message(
            f"reorg: block {cursor.block_number} ({cursor.block_hash[:10]}…) left the chain; "
            f"rolled back to block {new_cursor}"
        )

    def _transient(self, message: str) -> None:
        self.stats.last_error = message
        self.reporter.message(f"retrying: {message}")
        with contextlib.suppress(OperationalError):
            self.store.record_status(error=message)
