"""Worker processes that end when the process they work for does.

A `ProcessPoolExecutor` stops its workers when its process exits normally, but not when it is killed: uvicorn,
for one, ends a `SIGTERM` by raising the signal again, so no exit handler runs, and a worker blocked on its
task queue (whose write end it holds itself) would then wait forever, keeping its fork server alive too.
`exit_with_parent(pid)`, a pool's initializer, starts a daemon thread in the worker that ends it
(`os._exit`) as soon as `pid` terminates: it waits on a pidfd where the system has them (Linux 5.3+; no
polling, and a zombie counts as terminated), else checks every second.
"""

import os
import select
import threading
import time

__all__ = ["exit_with_parent"]


def exit_with_parent(pid: int) -> None:
    """End this process when process `pid` terminates (see the module docstring)."""
    threading.Thread(target=_watch, args=(pid,), name="genip-parent-watch", daemon=True).start()


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd here, or `pid` is gone already
        while _alive(pid):
            time.sleep(1)
    else:
        select.select([fd], [], [])  # readable once `pid` has terminated
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
