"""Write-behind for backfill: batches are committed in order on a writer thread while the next ones are built.

Each batch is still exactly one transaction (raw events, derived rows, cursor), committed in chain order, so
crash safety is unchanged: the database always holds a prefix of the chain's batches. While batch N is being
committed, batch N+1 is decoded and applied on the main thread; its overlay reads rows through
`BatchWriter.layered`, which answers from the in-flight batches (newest first) for every row they touched and
from the database for the rest — rows untouched by in-flight batches are the same committed or not.
"""

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from genip.webhooks.events import OutboxEvent
from indexer.events import DecodedLog
from indexer.overlay import Key, Loader, Overlay, Row, copy_row
from indexer.store import BlockRef, Staged

__all__ = ["BatchWriter", "PreparedBatch"]


@dataclass
class PreparedBatch:
    """Everything `Store.commit_batch` needs for one range, built on the main thread."""

    logs: list[DecodedLog]
    overlay: Overlay
    first_block: int
    end_block: int
    last: BlockRef
    window_blocks: list[BlockRef]
    journal: bool
    head: int
    raw_copy: list[bytes] | None = (
        None  # the logs' raw_events COPY rows, when the fetch process formatted them
    )
    staged: Staged | None = None  # the overlay's changes, ready to write (`Store.stage`)
    outbox: list[OutboxEvent] = field(default_factory=list)  # webhook events (`indexer.outbox`)


class BatchWriter:
    """Commits prepared batches FIFO on one thread, at most `depth` in flight (one by default: with batches of
    ≥ 10 000 events a second one in flight bought no speed, only memory)."""

    def __init__(self, commit: Callable[[PreparedBatch], None], *, depth: int = 1) -> None:
        self._commit = commit
        self._depth = depth
        self._in_flight: deque[PreparedBatch] = deque()
        self._lock = threading.Condition()
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="genip-writer", daemon=True)
        self._thread.start()

    def submit(self, batch: PreparedBatch) -> None:
        """Queues a batch (waits while `depth` are in flight); raises a previous commit's error."""
        with self._lock:
            while len(self._in_flight) >= self._depth and self._error is None:
                self._lock.wait()
            self._raise_error()
            self._in_flight.append(batch)
            self._lock.notify_all()

    def drain(self) -> None:
        """Waits until every queued batch is committed; raises a commit's error."""
        with self._lock:
            while self._in_flight and self._error is None:
                self._lock.wait()
            self._raise_error()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._thread.join()

    def layered(self, database: Loader) -> Loader:
        """A loader that answers from in-flight batches first, then from `database`."""

        def load(table: str, keys: list[Key]) -> dict[Key, Row]:
            out: dict[Key, Row] = {}
            rest: list[Key] = []
            with self._lock:
                pending = list(self._in_flight)
            for key in keys:
                for batch in reversed(pending):
                    rows = batch.overlay.rows[table]
                    if key in rows:
                        row = rows[key]
                        if row is not None:
                            out[key] = copy_row(row)
                        break
                else:
                    rest.append(key)
            if rest:
                out.update(database(table, rest))
            return out

        return load

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._in_flight.clear()
            raise error

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._in_flight and not self._closed:
                    self._lock.wait()
                if not self._in_flight:
                    return
                batch = self._in_flight[0]
            try:
                self._commit(batch)
            except BaseException as exc:  # handed to the main thread on its next submit/drain
                with self._lock:
                    self._error = exc
                    self._lock.notify_all()
                continue
            with self._lock:
                self._in_flight.popleft()
                self._lock.notify_all()
