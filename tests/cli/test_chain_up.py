"""`genip chain up`: anvil plus contracts until Ctrl-C, then a clean stop with anvil gone."""

import json
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from genip.chain.client import GenIPClient
from genip.chain.deployment import read_deployment
from genip.chain.probe import rpc_chain_id
from tests.cli.conftest import run_genip


def _lines(stream: IO[str] | None) -> "queue.Queue[str]":
    assert stream is not None
    out: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            out.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return out


def _wait_for(lines: "queue.Queue[str]", needle: str, timeout: float = 90) -> str:
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line with {needle!r} within {timeout}s; got {seen}") from None
        seen.append(line)
        if needle in line:
            return line


def _anvil_processes_on(port: int) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
            stat = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat[0] != "Z" and any(b"anvil" in a for a in args) and str(port).encode() in args:
            found.append(int(cmdline.parent.name))
    return found


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "chain", "up", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_chain_up_serves_the_contracts_until_interrupted(
    genip_env: dict[str, str], tmp_path: Path, stop: signal.Signals
) -> None:
    proc = _start(["--json"], genip_env, tmp_path)
    try:
        info = json.loads(_wait_for(_lines(proc.stdout), "rpc_url"))
        rpc_url, port = info["rpc_url"], int(info["rpc_url"].rsplit(":", 1)[1])
        assert rpc_chain_id(rpc_url) == 31337

        path = Path(info["deployment_file"])
        assert path == tmp_path / "data" / "deployments" / "31337.json"
        deployment = read_deployment(tmp_path / "data" / "deployments" / "current.json")
        client = GenIPClient.open(deployment)
        assert client.registry.functions.hub().call() == deployment.hub
        assert client.hub.functions.licenseToken().call() == deployment.license_token
        assert client.demo_token is not None and client.demo_token.functions.symbol().call() == "gUSD"
        assert _anvil_processes_on(port)

        proc.send_signal(stop)
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
        assert not _anvil_processes_on(port)
        with pytest.raises(OSError):
            rpc_chain_id(rpc_url, timeout=1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_chain_up_prints_a_table_with_the_rpc_url(genip_env: dict[str, str], tmp_path: Path) -> None:
    proc = _start(["--fee-bps", "100"], genip_env, tmp_path)
    try:
        lines = _lines(proc.stdout)
        url_line = _wait_for(lines, "RPC URL")
        rpc_url = next(word for word in url_line.split() if word.startswith("http://"))
        assert rpc_chain_id(rpc_url) == 31337
        rest = _wait_for(lines, "deployment file")
        assert "deployment" in rest
        assert read_deployment(tmp_path / "data" / "deployments" / "current.json").fee_bps == 100
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_chain_up_deploys_to_genip_rpc_url_and_exits(
    genip_env: dict[str, str], tmp_path: Path, client: GenIPClient
) -> None:
    genip_env["GENIP_RPC_URL"] = client.deployment.rpc_url
    result = run_genip(["chain", "up", "--json"], genip_env, tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["rpc_url"] == client.deployment.rpc_url
    assert info["registry"] != client.deployment.registry  # a fresh deployment on the same chain


def test_a_taken_port_is_one_line_and_exit_1(
    genip_env: dict[str, str], tmp_path: Path, client: GenIPClient
) -> None:
    port = client.deployment.rpc_url.rsplit(":", 1)[1]
    result = run_genip(["chain", "up", "--port", port], genip_env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "already in use" in result.stderr
