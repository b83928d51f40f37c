"""Two API processes (`genip serve` under uvicorn) on one Postgres database answer the same, and a validator
from one is honoured by the other: nothing lives only in one process's memory."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.world import World

SERVE = "import typer; from cli.serve import serve; typer.run(serve)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-c", SERVE, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=out,
    )


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up: {log.read_text()}")


@pytest.fixture
def servers(world: World, postgres_url: str, tmp_path: Path) -> Iterator[list[str]]:
    env = {**os.environ, "DATABASE_URL": postgres_url, "GENIP_DATA_DIR": str(world.data_dir)}
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"api{i}.log" for i in range(2)]
    processes = [start(port, env, log) for port, log in zip(ports, logs, strict=True)]
    try:
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            wait_ready(url, process, log)
            assert url in log.read_text()  # `genip serve` prints where it listens
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


def test_two_processes_answer_the_same(servers: list[str], world: World) -> None:
    a = world.actors
    paths = [
        f"/licenses/status?asset={world.ids.root}&account={a.claimant.address}&use=commercial",
        f"/assets/{world.ids.grandchild}/lineage",
        "/assets?q=tides",
        f"/accounts/{a.bob.address}",
    ]
    with httpx.Client() as client:
        for path in paths:
            one, two = (client.get(url + path) for url in servers)
            assert one.status_code == two.status_code == 200
            assert one.json() == two.json()
        first = client.get(servers[0] + paths[0])
        again = client.get(servers[1] + paths[0], headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        batch = {"items": [{"asset": world.ids.root, "account": a.brand.address, "use": "derivative"}]}
        assert (
            client.post(servers[0] + "/licenses/status", json=batch).json()
            == client.post(servers[1] + "/licenses/status", json=batch).json()
        )
