"""Garbage collection paced by batches during a backfill, in the indexer and in its fetch process."""

import gc
import sys

__all__ = ["BatchGC"]


class BatchGC:
    """Garbage collection paced by batches during a backfill, instead of by allocation counts.

    A backfill allocates millions of short-lived containers (parsed logs, decoded arguments, rows); the
    cyclic collector, triggered every 700 allocations, kept traversing them and, in its older generations,
    the whole heap of imported modules: about 40 % of the indexing process's CPU time. Here the heap as it
    was before the backfill is frozen (never traversed; unfrozen at the end), automatic collection is off, and
    everything is collected every `every` batches. Almost all garbage is freed by reference counting the
    moment a batch is done; a collection finds about 60 objects in cycles per batch (driver and HTTP
    objects), while each one costs tens of milliseconds, mostly traversing the batches still in flight, so
    collecting every 16 batches (not every 4, as before) keeps memory flat at a quarter of that cost.

    The interpreter's thread switch interval is also shortened (5 → 1 ms) for the backfill: the writer thread
    hands COPY data to libpq in 128 KiB pieces and waits for the GIL after each one, which with the default
    interval left it waiting up to 5 ms per piece behind the busy main thread.
    """

    def __init__(self, every: int = 16, switch_interval: float = 0.001) -> None:
        self._enabled = gc.isenabled()
        self._every = every
        self._batches = 0
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(switch_interval)
        gc.disable()
        gc.freeze()

    def batch_done(self) -> None:
        self._batches += 1
        if self._batches % self._every == 0:
            gc.collect()

    def close(self) -> None:
        gc.unfreeze()
        sys.setswitchinterval(self._switch)
        if self._enabled:
            gc.enable()
