"""One bounded pool for the CPU-bound work of async routes, so no request makes another wait.

An `async def` route runs on the event loop: anything heavy it does there (canonicalising and hashing an
upload, a text fingerprint, decoding and hashing an image) holds every other request of the process,
`/health` included (a 50 MB text upload once held it 57 s). Such work goes through this module, bounded by
`GENIP_API_CPU_WORKERS` slots (default: the CPU count, at most 4), so a burst of uploads queues instead of
oversubscribing the cores; the slots are apart from the thread pool that runs the sync routes (Starlette's,
40 threads), so heavy requests cannot take every thread the quick ones need.

- `run_cpu(fn, *args)` runs `fn` in a slot's thread. For work that needs the process's state (the matching
  engine of `POST /match`) and is mostly C that releases the GIL (Pillow, numpy, hashlib).
- `run_isolated(fn, *args)` runs `fn` in a worker process, holding a slot meanwhile, for self-contained work
  whose C calls hold the GIL for long: a whole 50 MB upload (`genip.content.hashed`) decodes, normalises and
  scans its text in calls of 50-150 ms each on a small machine, and in a thread the event loop waits for
  every one of them. Measured on the 2-core test machine with a 49 MiB text: in a thread, another thread
  waited up to 90-220 ms for the GIL; in a worker process, `/health` during the upload answers with p99
  7-16 ms, max under 35 ms (`tests/api/test_hostile_input.py`; idle p99 about 7 ms). `fn`, its arguments
  and its result are pickled, so they are small (paths, not contents). A worker that dies (a decoder
  crash, the OOM killer) fails that call with `WorkerCrashedError`, never the API process; the next call
  gets fresh workers.

The worker processes come from a fork server (a clean process, not a fork of the threaded server) that has
imported the upload code once; they start with the first isolated call (a second or so), not with the app,
so tests and processes that never upload pay nothing. Workers end with the API process even when it is
killed (`genip.parentwatch`), and the fork server with them. As with any `multiprocessing` start method
but fork, a worker imports the program's main module (`__mp_main__`): entry points must guard their work
with `if __name__ == "__main__"` (uvicorn's, `genip`'s and pytest's do). One pool of each per process (the
CPU is per process), sized by `create_app` from the settings, or on first use with the default size.
"""

import asyncio
import contextvars
import functools
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Final, ParamSpec, TypeVar

from genip.parentwatch import exit_with_parent

__all__ = [
    "DEFAULT_CPU_WORKERS",
    "WorkerCrashedError",
    "configure_cpu_pool",
    "cpu_workers",
    "run_cpu",
    "run_isolated",
]

#: Slots when not configured: the CPU count, at most 4.
DEFAULT_CPU_WORKERS: Final = max(1, min(4, os.cpu_count() or 1))
#: Modules the fork server imports once, so that workers forked from it start warm.
_PRELOAD: Final = ["genip.content.hashed", "genip.parentwatch"]

P = ParamSpec("P")
T = TypeVar("T")

_LOCK: Final = threading.Lock()
_threads: ThreadPoolExecutor | None = None
_processes: ProcessPoolExecutor | None = None
_workers = 0


class WorkerCrashedError(RuntimeError):
    """The worker process running a `run_isolated` call died before answering."""


def configure_cpu_pool(workers: int) -> None:
    """Size the process's pool to `workers` slots (`create_app` does it from the settings); pools of another
    size are replaced (work already submitted to them finishes)."""
    global _threads, _processes, _workers
    if workers < 1:
        raise ValueError(f"the CPU pool needs at least one worker, got {workers}")
    with _LOCK:
        if _threads is not None and _workers == workers:
            return
        old = (_threads, _processes)
        _threads, _processes, _workers = _new_threads(workers), None, workers
    for pool in old:
        if pool is not None:
            pool.shutdown(wait=False)


def cpu_workers() -> int:
    """Slots of the process's pool (making it with the default size if there is none yet)."""
    _thread_pool()
    return _workers


async def run_cpu(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in a thread of the CPU pool, awaited (its exception, if any, raised here); it
    sees the caller's context variables, as with `asyncio.to_thread`."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await loop.run_in_executor(_thread_pool(), call)


async def run_isolated(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in a worker process, holding one slot of the CPU pool while it runs (see the
    module docstring); `WorkerCrashedError` if the worker dies."""
    return await run_cpu(_in_worker, functools.partial(fn, *args, **kwargs))


def _in_worker(call: Callable[[], T]) -> T:
    pool = _process_pool()
    try:
        return pool.submit(call).result()
    except BrokenProcessPool:
        _discard(pool)
        raise WorkerCrashedError("the worker process died before answering") from None


def _new_threads(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="genip-cpu")


def _thread_pool() -> ThreadPoolExecutor:
    global _threads, _workers
    with _LOCK:
        if _threads is None:
            _threads, _workers = _new_threads(DEFAULT_CPU_WORKERS), DEFAULT_CPU_WORKERS
        return _threads


def _process_pool() -> ProcessPoolExecutor:
    global _processes
    _thread_pool()
    with _LOCK:
        if _processes is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _processes = ProcessPoolExecutor(
                max_workers=_workers,
                mp_context=context,
                initializer=exit_with_parent,  # a killed server leaves no worker behind
                initargs=(os.getpid(),),
            )
        return _processes


def _discard(pool: ProcessPoolExecutor) -> None:
    """Forget a broken pool, so the next call starts new workers."""
    global _processes
    with _LOCK:
        if _processes is pool:
            _processes = None
    pool.shutdown(wait=False)
