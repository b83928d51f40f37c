"""A local anvil node as a context manager.

    with Anvil() as node:
        w3 = connect(node.rpc_url)

The node listens on a free 127.0.0.1 port, is ready when it answers `eth_chainId`, and is stopped with its
whole process group (the npm launcher and the anvil binary it spawns) when the block exits. Its funded
accounts are those of `genip.chain.accounts.DEV_MNEMONIC`. On Linux anvil also gets SIGTERM when the thread
that started it ends, so start it from a thread that lives as long as you need the node (the main thread).
"""

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from genip.chain.accounts import DEV_MNEMONIC
from genip.chain.probe import rpc_chain_id
from genip.errors import AnvilError

__all__ = ["ANVIL_BIN_ENV", "Anvil", "find_anvil", "free_port"]

#: Environment variable naming the anvil executable, read when no path is passed.
ANVIL_BIN_ENV = "GENIP_ANVIL_BIN"
_REPO_ROOT = Path(__file__).resolve().parents[2]
_NPM_BIN = Path("node_modules") / ".bin" / "anvil"


def find_anvil(explicit: Path | None = None) -> Path:
    """Locate anvil: `explicit`, else `$GENIP_ANVIL_BIN`, else the repository's `node_modules/.bin/anvil`
    (next to this package, or above the current directory), else `anvil` on PATH."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    elif os.environ.get(ANVIL_BIN_ENV):
        candidates.append(Path(os.environ[ANVIL_BIN_ENV]))
    else:
        candidates.append(_REPO_ROOT / _NPM_BIN)
        candidates.extend(parent / _NPM_BIN for parent in (Path.cwd(), *Path.cwd().parents))
        on_path = shutil.which("anvil")
        if on_path:
            candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise AnvilError(f"anvil not found (tried {candidates[0]}); run `make setup` or set {ANVIL_BIN_ENV}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_taken(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:`port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook (Linux) that has the child get SIGTERM when the thread that started it ends, so no
    anvil outlives a killed parent. libc is resolved here, in the parent: the child only calls it."""
    if sys.platform != "linux":
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def hook() -> None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return hook


def _group_alive(pgid: int) -> bool:
    """Whether any non-zombie process is left in process group `pgid`."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


class Anvil:
    """A local anvil process; use as a context manager, or call `start` and `stop`."""

    def __init__(
        self,
        *,
        port: int | None = None,
        binary: Path | None = None,
        chain_id: int | None = None,
        accounts: int = 10,
        balance_eth: int = 10_000,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self._requested_port = port
        self._binary = binary
        self._chain_id = chain_id
        self._accounts = accounts
        self._balance_eth = balance_eth
        self._extra_args = extra_args
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.port = 0

    @property
    def rpc_url(self) -> str:
        """HTTP JSON-RPC endpoint of the running node."""
        if self._process is None:
            raise AnvilError("anvil is not running")
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Process id (and process group id) of the launched anvil."""
        if self._process is None:
            raise AnvilError("anvil is not running")
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the launched process is still alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        """Start anvil and wait until it answers; retries on another port if the chosen one was taken."""
        if self._process is not None:
            return self
        binary = find_anvil(self._binary)
        if self._requested_port and _port_taken(self._requested_port):
            raise AnvilError(f"port {self._requested_port} on 127.0.0.1 is already in use")
        attempts = 1 if self._requested_port else 3
        for attempt in range(attempts):
            self.port = self._requested_port or free_port()
            if self._launch(binary):
                return self
            log = self._log_tail()
            self._cleanup()
            if "in use" not in log or attempt == attempts - 1:
                raise AnvilError(f"anvil did not start on 127.0.0.1:{self.port}: {log or 'no output'}")
        raise AnvilError("anvil did not start")  # pragma: no cover - loop always returns or raises

    def _launch(self, binary: Path) -> bool:
        args = [
            str(binary),
            *("--host", "127.0.0.1", "--port", str(self.port)),
            *("--mnemonic", DEV_MNEMONIC, "--accounts", str(self._accounts)),
            *("--balance", str(self._balance_eth)),
        ]
        if self._chain_id is not None:
            args += ["--chain-id", str(self._chain_id)]
        args += list(self._extra_args)
        self._log = tempfile.TemporaryFile(prefix="genip-anvil-")  # noqa: SIM115 - closed in _cleanup
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stopped as a whole, spared the terminal's Ctrl-C
            preexec_fn=_parent_death_signal(),
        )
        deadline = time.monotonic() + self._startup_timeout
        url = f"http://127.0.0.1:{self.port}"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                rpc_chain_id(url, timeout=1.0)
                return True
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        self.stop()
        raise AnvilError(f"anvil did not answer on {url} within {self._startup_timeout:.0f}s")

    def _log_tail(self, limit: int = 400) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode(errors="replace").strip()
        return " ".join(text[-limit:].split())

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after `timeout` seconds. Idempotent."""
        process = self._process
        if process is None:
            return
        pgid = process.pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            deadline = time.monotonic() + timeout
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                continue
            while _group_alive(pgid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not _group_alive(pgid):
                break
        self._cleanup()

    def _cleanup(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
