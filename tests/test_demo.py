"""The README's main command: `make demo` starts the whole marketplace, serves the page and the API, and
stops cleanly on Ctrl-C; run again, it resumes the saved state instead of seeding anew."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from genip.chain.anvil import free_port

ROOT = Path(__file__).resolve().parents[1]


def start(tmp_path: Path, port: int, chain_port: int) -> tuple[subprocess.Popen[str], list[str]]:
    env = {
        **os.environ,
        "GENIP_DATA_DIR": str(tmp_path),
        "GENIP_DEMO_PORT": str(port),
        "GENIP_DEMO_CHAIN_PORT": str(chain_port),
    }
    env.pop("DATABASE_URL", None)
    env.pop("GENIP_RPC_URL", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C goes to make and the demo together, as in a terminal
    )
    lines: list[str] = []
    deadline = time.monotonic() + 240
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if "running at" in line:
            return process, lines
    process.kill()
    raise AssertionError("the demo never printed its URL:\n" + "".join(lines[-40:]))


def stop(process: subprocess.Popen[str]) -> str:
    os.killpg(process.pid, signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    return out


def test_make_demo_serves_the_marketplace_and_resumes(tmp_path: Path) -> None:
    port, chain_port = free_port(), free_port()
    process, lines = start(tmp_path, port, chain_port)
    output = "".join(lines)
    assert re.search(rf"http://127\.0\.0\.1:{port}/", output)
    assert "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" in output  # a funded demo account is listed
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200
        works = httpx.get(f"http://127.0.0.1:{port}/assets", params={"q": "orbit"}, timeout=10).json()
        titles = {work["title"] for work in works["data"]}
        assert {"Orbit Portrait", "Orbit Arena Key Art"} <= titles
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        assert health["status"] == "ok"
        total = httpx.get(f"http://127.0.0.1:{port}/assets", timeout=10).json()["count"]
        assert total >= 14
    finally:
        rest = stop(process)
    # make dies of the same Ctrl-C after its recipe stopped cleanly: what counts is the clean stop above.
    assert process.returncode in (0, 2, 130, -signal.SIGINT), rest
    assert "chain stopped (state saved)" in rest
    assert (tmp_path / "anvil-state.json").exists()
    with pytest.raises(httpx.ConnectError):  # the API's process stopped with the demo
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)

    process, lines = start(tmp_path, port, chain_port)
    try:
        assert "resuming" in "".join(lines)
        assert "seeding" not in "".join(lines)
        assert httpx.get(f"http://127.0.0.1:{port}/assets", timeout=10).json()["count"] == total
    finally:
        stop(process)
