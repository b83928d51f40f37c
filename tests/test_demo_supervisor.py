"""The demo's supervisor: a child that dies is reported and restarted alone, with a growing backoff; stopping
ends every child and whatever it started. Then the real demo: killing its API or its indexer takes down
neither the chain nor the other."""

import os
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from cli.demo.supervisor import Program, Supervisor
from genip.chain.anvil import free_port
from tests.test_demo import start, stop

PY = sys.executable


def wait_until(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def descendants(root: int) -> dict[int, str]:
    """Every live process below `root`, with its command line."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: dict[int, str] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        todo.extend(children.get(pid, []))
    return {pid: cmd for pid, cmd in found.items() if alive(pid)}


def http_server(port: int, root: Path) -> tuple[str, ...]:
    return (PY, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root))


def test_a_killed_child_is_reported_and_restarted_alone(tmp_path: Path) -> None:
    ports = {"left": free_port(), "right": free_port()}
    reports: list[str] = []
    with Supervisor(tmp_path / "logs", notify=reports.append, min_backoff=0.05) as supervisor:
        for name, port in ports.items():
            supervisor.add(Program(name, http_server(port, tmp_path)))
        urls = {name: f"http://127.0.0.1:{port}/" for name, port in ports.items()}
        wait_until(lambda: all(answers(url) for url in urls.values()), "both children answer")
        left, right = supervisor.pid("left"), supervisor.pid("right")
        assert left is not None and right is not None

        os.kill(left, signal.SIGKILL)
        wait_until(lambda: supervisor.pid("left") not in (None, left), "left is restarted")
        wait_until(lambda: answers(urls["left"]), "the new left answers")
        assert supervisor.pid("right") == right and answers(urls["right"])
        assert supervisor.restarts("left") == 1 and supervisor.restarts("right") == 0
    assert len(reports) == 1, reports
    assert re.fullmatch(r"left killed by SIGKILL after \d+\.\ds; restart 1 in 0\.05s", reports[0])
    log = (tmp_path / "logs" / "left.log").read_text()
    assert reports[0] in log and "starting left (restart 1)" in log
    assert not alive(left) and not alive(right)


def test_the_backoff_doubles_while_a_child_keeps_failing_and_resets_once_it_stayed_up(tmp_path: Path) -> None:
    reports: list[str] = []
    with Supervisor(
        tmp_path / "logs", notify=reports.append, min_backoff=0.01, max_backoff=0.04, stable_after=0.3
    ) as supervisor:
        supervisor.add(Program("flaky", ("sh", "-c", "exit 3")))
        supervisor.add(Program("steady", ("sh", "-c", "sleep 0.5; exit 1")))
        wait_until(
            lambda: supervisor.restarts("flaky") >= 5 and supervisor.restarts("steady") >= 2,
            "both children exited several times",
        )
    flaky = [line for line in reports if line.startswith("flaky ")][:5]
    assert all("exited with code 3" in line for line in flaky), flaky
    assert [line.rsplit(" in ", 1)[1] for line in flaky] == ["0.01s", "0.02s", "0.04s", "0.04s", "0.04s"]
    assert [line.split("; ")[1].split(" in ")[0] for line in flaky] == [f"restart {n}" for n in range(1, 6)]
    steady = [line for line in reports if line.startswith("steady ")][:2]
    assert all("exited with code 1" in line and line.endswith(" in 0.01s") for line in steady), steady


GRACEFUL = """
import time
print("ready", flush=True)
try:
    time.sleep(60)
except KeyboardInterrupt:
    print("stopped cleanly", flush=True)
"""

STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("grandchild", grandchild.pid, flush=True)
time.sleep(60)
"""


def test_stop_ends_every_child_and_what_it_started(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    supervisor = Supervisor(logs, stop_timeout=5.0).start()
    supervisor.add(Program("graceful", (PY, "-c", GRACEFUL), stop_signal=signal.SIGINT))
    supervisor.add(Program("stubborn", (PY, "-c", STUBBORN)))
    wait_until(lambda: "ready" in (logs / "graceful.log").read_text(), "graceful is ready")
    wait_until(lambda: "grandchild" in (logs / "stubborn.log").read_text(), "stubborn started its own child")
    grandchild = int((logs / "stubborn.log").read_text().split("grandchild ")[1].split()[0])
    pids = [supervisor.pid("graceful"), supervisor.pid("stubborn"), grandchild]
    assert all(pid is not None and alive(pid) for pid in pids)

    supervisor.stop()
    assert "stopped cleanly" in (logs / "graceful.log").read_text()  # its stop signal, not a kill
    wait_until(lambda: not any(alive(pid) for pid in pids if pid is not None), "no child is left")
    assert supervisor.pid("graceful") is None and supervisor.pid("stubborn") is None
    assert (
        supervisor.restarts("graceful") == 0 and supervisor.restarts("stubborn") == 0
    )  # stopping is no crash


def test_the_demo_survives_its_api_and_its_indexer_being_killed(tmp_path: Path) -> None:
    port, chain_port, review_port = free_port(), free_port(), free_port()
    process, lines = start(tmp_path, port, chain_port, review_port)
    api_url, chain_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{chain_port}"
    seen: dict[int, str] = {}
    try:
        banner = re.sub(r"[\s│]", "", "".join(lines))  # the table folds long values
        logs = f"{tmp_path / 'logs'}(api.log,indexer.log,checker.log,review.log)"
        assert logs in banner  # the banner says where the logs are

        def child(command: str) -> int | None:
            found = descendants(process.pid)
            seen.update(found)
            return next((pid for pid, cmd in found.items() if f" -m cli {command}" in cmd), None)

        api, indexer = child("serve"), child("index --wait")
        assert api is not None and indexer is not None

        os.kill(api, signal.SIGKILL)
        wait_until(lambda: child("serve") not in (None, api), "a new API process")
        wait_until(lambda: answers(f"{api_url}/health"), "the new API answers")
        block = httpx.post(
            chain_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}, timeout=10
        )
        assert int(block.json()["result"], 16) > 0
        assert child("index --wait") == indexer
        api = child("serve")

        os.kill(indexer, signal.SIGKILL)
        assert answers(f"{api_url}/health") and httpx.get(f"{api_url}/assets", timeout=10).json()["count"] > 0
        wait_until(lambda: child("index --wait") not in (None, indexer), "a new indexer process")
        assert child("serve") == api and answers(f"{api_url}/health")
        assert seen  # the chain, the API and the indexer, old and new
    finally:
        rest = stop(process)
    assert "api killed by SIGKILL" in rest and "indexer killed by SIGKILL" in rest, rest
    assert "chain stopped (state saved)" in rest
    wait_until(lambda: not any(alive(pid) for pid in seen), "no process of the demo is left")
    assert (tmp_path / "logs" / "api.log").read_text().count("starting api") == 2


def test_a_child_stops_on_its_signal_even_when_the_supervisor_ignores_it(tmp_path: Path) -> None:
    """A demo started as a background job of a script inherits SIGINT ignored; its children must not."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        logs = tmp_path / "logs"
        supervisor = Supervisor(logs, stop_timeout=5.0).start()
        supervisor.add(Program("graceful", (PY, "-c", GRACEFUL), stop_signal=signal.SIGINT))
        wait_until(lambda: "ready" in (logs / "graceful.log").read_text(), "graceful is ready")
        supervisor.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "stopped cleanly" in (logs / "graceful.log").read_text()
