"""A small supervisor: named child processes, each restarted on its own when it dies.

The demo runs the API and the indexer (and, as they land, the checker, relayer and webhook workers) as
separate processes, so that one crashing is logged and restarted and never takes the chain or the others
down. Each child gets its own process group (the terminal's Ctrl-C reaches only the demo, which then stops the
children in order; a child's own subprocesses are stopped with it) and, on Linux, SIGTERM when the thread that
started it ends, so none outlives a killed demo. Its output is appended to `<log_dir>/<name>.log`.

An exit while the supervisor runs is unexpected, whatever its code: one line is reported (name, exit code or
signal, restart count) and the child is started again after a backoff that doubles from `min_backoff` to
`max_backoff` while it keeps failing, and starts over once it has stayed up `stable_after` seconds.

Why not a library: supervisord and circus are daemons with their own configuration files and control channel
(circus also needs ZeroMQ), and honcho stops every process when one exits; Popen and a monitor thread do what
the demo needs in a page.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["Program", "Supervisor", "describe_exit"]


@dataclass(frozen=True)
class Program:
    """A child to keep running: its name (also its log file's), command line, extra environment and the signal
    that asks it to stop cleanly (`genip index` stops cleanly on SIGINT, uvicorn on SIGTERM)."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    stop_signal: signal.Signals = signal.SIGTERM


@dataclass
class _Child:
    program: Program
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    failures: int = 0  # exits in a row without staying up `stable_after` seconds: sets the backoff
    restart_at: float | None = None


def describe_exit(code: int) -> str:
    """`exited with code 1`, or `killed by SIGKILL` for a negative return code."""
    if code >= 0:
        return f"exited with code {code}"
    try:
        return f"killed by {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"


def _child_setup() -> Callable[[], None]:
    """A pre-exec hook: the child's SIGINT and SIGTERM back to their default dispositions (a demo started from
    a non-interactive shell's background job inherits SIGINT ignored, and a Python child would then never see
    its stop signal), and, on Linux, SIGTERM to the child when the thread that started it ends. libc is
    resolved here, in the parent: the child only calls it."""
    prctl = None
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            prctl = ctypes.CDLL(None, use_errno=True).prctl

    def hook() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if prctl is not None:
            prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return hook


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class Supervisor:
    """Starts named children, restarts each one that exits, and stops them all on `stop` (or leaving `with`).

    `add` starts a child at once (from the calling thread); `start` starts the thread that watches them.
    `notify` receives each one-line report (also appended to the child's log).
    """

    def __init__(
        self,
        log_dir: Path,
        *,
        env: Mapping[str, str] | None = None,
        notify: Callable[[str], None] | None = None,
        min_backoff: float = 0.5,
        max_backoff: float = 10.0,
        stable_after: float = 30.0,
        stop_timeout: float = 10.0,
        poll_interval: float = 0.1,
    ) -> None:
        self.log_dir = log_dir
        self._env = dict(env or {})
        self._notify = notify or (lambda line: print(line, file=sys.stderr, flush=True))
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._stable_after = stable_after
        self._stop_timeout = stop_timeout
        self._poll_interval = poll_interval
        self._children: dict[str, _Child] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # ─────────────────────────────── public ───────────────────────────────

    def log_path(self, name: str) -> Path:
        """Where the output of child `name` goes."""
        return self.log_dir / f"{name}.log"

    def add(self, program: Program) -> None:
        """Start `program` now and keep it running; `OSError` if it cannot be started at all."""
        with self._lock:
            if program.name in self._children:
                raise ValueError(f"a child named {program.name!r} is already supervised")
            if self._stopping.is_set():
                raise RuntimeError("the supervisor is stopping")
            child = _Child(program)
            self._spawn(child)
            self._children[program.name] = child

    def start(self) -> Self:
        """Start watching the children (a daemon thread); idempotent."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="genip-supervisor", daemon=True)
            self._thread.start()
        return self

    def pid(self, name: str) -> int | None:
        """Process id of child `name`, or `None` while it waits to be restarted."""
        with self._lock:
            process = self._children[name].process
            return None if process is None else process.pid

    def restarts(self, name: str) -> int:
        """How many times child `name` has exited and been scheduled for a restart."""
        with self._lock:
            return self._children[name].restarts

    def stop(self) -> None:
        """Stop every child: its stop signal, then SIGKILL to its process group after `stop_timeout` seconds.
        Idempotent; returns when no child is left."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()  # the watching thread stops the children itself, before it ends
        else:
            self._terminate_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ─────────────────────────────── inside ───────────────────────────────

    def _spawn(self, child: _Child) -> None:
        program = child.program
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path(program.name).open("ab") as log:
            stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
            log.write(f"── {stamp} starting {program.name} (restart {child.restarts})\n".encode())
            log.flush()
            child.process = subprocess.Popen(
                program.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self._env, **program.env},
                start_new_session=True,
                preexec_fn=_child_setup(),
            )
        child.started = time.monotonic()

    def _watch(self) -> None:
        try:
            while not self._stopping.wait(self._poll_interval):
                self._tick()
        finally:
            self._terminate_all()

    def _tick(self) -> None:
        reports: list[tuple[str, str]] = []
        with self._lock:
            now = time.monotonic()
            for child in self._children.values():
                if child.process is not None:
                    code = child.process.poll()
                    if code is None:
                        continue
                    _kill_group(child.process.pid)  # whatever the dead child left behind
                    up = now - child.started
                    if up >= self._stable_after:
                        child.failures = 0
                    delay = min(self._min_backoff * 2**child.failures, self._max_backoff)
                    child.failures += 1
                    child.restarts += 1
                    child.process = None
                    child.restart_at = now + delay
                    reports.append(
                        (
                            child.program.name,
                            f"{child.program.name} {describe_exit(code)} after {up:.1f}s; "
                            f"restart {child.restarts} in {delay:g}s",
                        )
                    )
                elif child.restart_at is not None and now >= child.restart_at:
                    child.restart_at = None
                    try:
                        self._spawn(child)
                    except OSError as exc:
                        delay = min(self._min_backoff * 2**child.failures, self._max_backoff)
                        child.failures += 1
                        child.restart_at = now + delay
                        reports.append(
                            (
                                child.program.name,
                                f"{child.program.name} could not start ({exc}); retry in {delay:g}s",
                            )
                        )
        for name, line in reports:
            with contextlib.suppress(OSError), self.log_path(name).open("a", encoding="utf-8") as log:
                log.write(f"── {line}\n")
            self._notify(line)

    def _terminate_all(self) -> None:
        with self._lock:
            running = [(c, c.process) for c in self._children.values() if c.process is not None]
            for child in self._children.values():
                child.restart_at = None
                child.process = None
            for child, process in running:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(child.program.stop_signal)
            deadline = time.monotonic() + self._stop_timeout
            for _, process in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(deadline - time.monotonic(), 0))
            for _, process in running:
                _kill_group(process.pid)  # the child if it did not stop in time, and whatever it started
                process.wait()
