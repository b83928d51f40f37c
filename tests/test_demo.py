"""The README's main command: `make demo` starts the whole marketplace, serves the page and the API, and
stops cleanly on Ctrl-C; run again, it resumes the saved state instead of seeding anew. Its prompt checks are
real and on by default: the seeded ones were run by the checker's own account, and a work registered while
the demo runs is checked by the demo's checker process."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from genip.chain.accounts import dev_account
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
    out, _ = process.communicate(timeout=180)
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
        checker = dev_account(8).address
        seeded = httpx.get(f"http://127.0.0.1:{port}/assets", params={"limit": 50}, timeout=10).json()["data"]
        for work in seeded:
            check = httpx.get(f"http://127.0.0.1:{port}/prompts/{work['asset_id']}/check", timeout=10).json()
            assert check["status"] == "passed" and check["checker"] == checker, check
            assert check["submission"]["status"] == "attested", check
        total += registered_and_checked(tmp_path, port, checker)
    finally:
        rest = stop(process)
    # make dies of the same Ctrl-C after its recipe stopped cleanly: what counts is the clean stop above.
    assert process.returncode in (0, 2, 130, -signal.SIGINT), rest
    assert "chain stopped (state saved)" in rest
    assert (tmp_path / "anvil-state.json").exists()
    assert "checker" in output and (tmp_path / "logs" / "checker.log").exists()
    sealing_key = (tmp_path / "checker" / "sealing.key").read_text().strip()
    for log in (tmp_path / "logs").iterdir():  # the checker's keys never reach a log
        text = log.read_text(errors="replace")
        assert sealing_key not in text and dev_account(8).key.hex().removeprefix("0x") not in text, log
    with pytest.raises(httpx.ConnectError):  # the API's process stopped with the demo
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)

    process, lines = start(tmp_path, port, chain_port)
    try:
        assert "resuming" in "".join(lines)
        assert "seeding" not in "".join(lines)
        assert httpx.get(f"http://127.0.0.1:{port}/assets", timeout=10).json()["count"] == total
    finally:
        stop(process)


def registered_and_checked(data_dir: Path, port: int, checker: str) -> int:
    """`genip register` on the demo's data directory submits the prompt to the demo's API without any setting;
    the demo's checker process checks it and the indexer shows the attestation."""
    work = data_dir / "lantern.txt"
    work.write_text("a paper lantern on a quiet river\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_") and k != "DATABASE_URL"}
    env |= {"GENIP_DATA_DIR": str(data_dir), "GENIP_PRIVATE_KEY": dev_account(2).key.hex()}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "register", str(work), "--title", "Lantern", "--prompt",
         "a haiku about a paper lantern drifting downstream", "--json"],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["prompt_submission"]["status"] == "pending", answer
    deadline = time.monotonic() + 60
    while True:
        check = httpx.get(f"http://127.0.0.1:{port}/prompts/{answer['asset_id']}/check", timeout=10).json()
        if check["status"] == "passed":
            break
        assert time.monotonic() < deadline, check
        time.sleep(0.5)
    assert check["checker"] == checker and check["submission"]["status"] == "attested"
    return 1
