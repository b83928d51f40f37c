"""Hostile input against the served API (uvicorn in its own process, on a fresh SQLite database): no request
crashes the process or makes another wait.

A body of 100 000 nested arrays once segfaulted the process (a dependency had raised the recursion limit to
100 000); a 50 MB text upload held `/health` for 57 s; `/uploads` decoded images `/match` refuses.
"""

import asyncio
import gc
import json
import math
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from subprocess import PIPE, Popen
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.body_limits import json_depth
from api.cpu import WorkerCrashedError, configure_cpu_pool, cpu_workers, run_cpu, run_isolated
from api.routes.uploads import MAX_UPLOAD_BYTES
from genip.content.canonical import parse_json
from genip.content.errors import FormatError
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.recursion import RECURSION_LIMIT, restore_recursion_limit
from tests.api.test_two_processes import free_port, wait_ready
from tests.api.upload_auth import platform_key
from tests.content.test_fingerprint_fast import png_header_only

DEPTH = 64  # GENIP_API_MAX_JSON_DEPTH's default
JSON_ROUTES = ["/licenses/status", "/metadata", "/prompts/1"]


@dataclass
class Served:
    url: str
    process: Popen[bytes]
    log: Path
    owner: dict[str, str]  # uploads need an owner: a platform's API key (`tests.api.upload_auth`)

    def alive(self) -> bool:
        return self.process.poll() is None


def _serve(root: Path, **env: str) -> Iterator[Served]:
    """`api.app:create_app` under uvicorn in a subprocess, on a migrated empty SQLite database."""
    root.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{root / 'genip.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    owner = platform_key(engine, 1)
    engine.dispose()
    port = free_port()
    log = root / "api.log"
    environment = {"DATABASE_URL": db_url, "GENIP_DATA_DIR": str(root / "data"), **env}
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port)]
    with log.open("wb") as out:
        process = Popen(
            [*command, "--host", "127.0.0.1", "--log-level", "warning"],
            env={**_inherited(), **environment},
            stdout=out,
            stderr=out,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log)
        yield Served(url, process, log, owner)
    finally:
        process.terminate()
        process.wait(10)


def _inherited() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GENIP_") and k != "DATABASE_URL"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The API with its default limits."""
    yield from _serve(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def unguarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The API with the JSON body limits out of the way: only the restored recursion limit stands."""
    root = tmp_path_factory.mktemp("unguarded")
    yield from _serve(root, GENIP_API_MAX_JSON_DEPTH="10000000", GENIP_API_MAX_JSON_BYTES="100000000")


def nested(depth: int, opening: bytes = b"[", closing: bytes = b"]") -> bytes:
    return opening * depth + closing * depth


def assert_healthy(server: Served) -> None:
    assert httpx.get(server.url + "/health", timeout=10).status_code == 200
    assert server.alive(), server.log.read_text()


# ── JSON depth and size ──


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_100_000_nested_arrays_are_refused_and_the_process_keeps_answering(
    served: Served, route: str
) -> None:
    body = nested(100_000)  # 200 KB: the body that crashed the process
    answer = httpx.post(served.url + route, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"detail": f"the JSON body nests deeper than {DEPTH} levels"}
    assert_healthy(served)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "application/merge-patch+json"},
        {"content-type": "Application/JSON; charset=utf-8"},
    ],
)
def test_every_content_type_fastapi_parses_as_json_is_bounded(
    served: Served, headers: dict[str, str]
) -> None:
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    answer = httpx.post(served.url + "/licenses/status", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert_healthy(served)


def test_the_depth_bound_and_strings(served: Served) -> None:
    status = served.url + "/licenses/status"
    at_the_bound = httpx.post(status, content=nested(DEPTH), headers={"content-type": "application/json"})
    assert at_the_bound.status_code == 422  # parsed, then refused by validation
    over = httpx.post(status, content=nested(DEPTH + 1), headers={"content-type": "application/json"})
    assert over.status_code == 400
    in_a_string = json.dumps({"items": "[" * 10_000 + '\\"' + "{" * 10_000}).encode()
    answer = httpx.post(status, content=in_a_string, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text  # brackets inside strings do not nest


def test_oversized_json_is_refused_with_or_without_a_length(served: Served) -> None:
    status = served.url + "/licenses/status"
    big = b'{"items": [' + b"0," * (1024 * 1024) + b"0]}"  # 2 MiB and a bit: over the 2 MiB cap
    answer = httpx.post(status, content=big, headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["detail"] == "the JSON body is larger than 2,097,152 bytes"

    def chunked() -> Iterator[bytes]:
        for i in range(0, len(big), 64 * 1024):
            yield big[i : i + 64 * 1024]

    streamed = httpx.post(status, content=chunked(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert_healthy(served)


def test_a_valid_batch_still_goes_through(served: Served) -> None:
    account = "0x" + "ab" * 20
    batch = {"items": [{"asset": i, "account": account, "use": "display"} for i in range(1000)]}
    answer = httpx.post(served.url + "/licenses/status", json=batch, timeout=30)
    assert answer.status_code not in (400, 413), answer.text
    assert answer.status_code < 500, answer.text


def test_without_the_body_limits_the_recursion_limit_alone_keeps_the_process_alive(unguarded: Served) -> None:
    answer = httpx.post(
        unguarded.url + "/licenses/status",
        content=nested(100_000),
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400  # FastAPI: RecursionError while parsing -> "error parsing the body"
    assert_healthy(unguarded)


nested_values = st.recursive(
    st.one_of(st.integers(), st.none(), st.text(alphabet='[]{}"\\ab,:', max_size=8)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text('[]{}"\\k', max_size=4), children, max_size=3)
    ),
    max_leaves=40,
)


def true_depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((true_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((true_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(value=nested_values, ensure_ascii=st.booleans())
def test_json_depth_is_the_nesting_of_any_json(value: Any, ensure_ascii: bool) -> None:
    assert json_depth(json.dumps(value, ensure_ascii=ensure_ascii).encode()) == true_depth(value)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=64))
def test_json_depth_never_fails_on_garbage(body: bytes) -> None:
    assert 0 <= json_depth(body) <= body.count(b"[") + body.count(b"{")


def test_json_depth_examples() -> None:
    assert json_depth(b"") == json_depth(b"1") == json_depth(b'"[["') == 0
    assert json_depth(b'["\\\\", [1]]') == 2  # an escaped backslash does not escape the quote after it
    assert json_depth(b'["\\"[", [1]]') == 2  # an escaped quote does not end the string
    assert json_depth(b'"' + b"[" * 1000) == 0  # an unterminated string: a parser never sees the brackets
    assert json_depth(nested(100_000)) == 100_000


def test_the_recursion_limit_is_restored_and_stays() -> None:
    sys.setrecursionlimit(100_000)
    restore_recursion_limit()
    import eth_account  # noqa: F401  (imports py_ecc, which raises the limit at its first import)
    import py_ecc.bls  # noqa: F401

    assert sys.getrecursionlimit() == RECURSION_LIMIT


def test_deep_json_from_elsewhere_is_a_format_error() -> None:
    # What the indexer reads from the store (metadata documents) is anyone's: past the restored limit the
    # decoder's RecursionError is reported as a malformed document, like any other.
    restore_recursion_limit()
    with pytest.raises(FormatError, match="nested too deeply"):
        parse_json(nested(100_000))


# ── images: one cap ──


@pytest.mark.parametrize(("width", "height"), [(8000, 8001), (20_000, 10_000)])
def test_uploads_refuse_images_over_the_pixel_cap(served: Served, width: int, height: int) -> None:
    png = png_header_only(width, height)
    answer = httpx.post(
        served.url + "/uploads",
        files={"file": ("big.png", png, "image/png")},
        data={"kind": "image"},
        headers=served.owner,
    )
    assert answer.status_code == 413, answer.text
    assert "more than the 64,000,000" in answer.json()["detail"]


def test_uploads_refuse_images_over_the_match_size_cap(served: Served) -> None:
    body = b"\x89PNG\r\n\x1a\n" + bytes(25 * 1024 * 1024)
    answer = httpx.post(
        served.url + "/uploads",
        files={"file": ("big.png", body, "image/png")},
        data={"kind": "image"},
        headers=served.owner,
        timeout=60,
    )
    assert answer.status_code == 413
    assert answer.json()["detail"] == "the file is larger than 25 MiB"


# ── no request makes another wait ──


def _text(size: int) -> bytes:
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices("etaoinshrdlucmfwyp", k=rng.randint(1, 9))) for _ in range(5000)]
    block = " ".join(rng.choices(vocabulary, k=200_000)).encode()
    return b"\n".join([block] * (size // len(block) + 1))[: size - 1] + b"\n"


def _poll_health(client: httpx.Client, until: Callable[[], bool]) -> list[float]:
    """Seconds each `/health` took, asked every 20 ms until `until()` (at least once: on a loaded machine the
    upload may end before this process is scheduled again); all must answer 200. The test process's own
    garbage collector is held meanwhile (a full collection of pytest's heap took ~200 ms)."""
    latencies: list[float] = []
    gc.collect()
    gc.disable()
    try:
        while not latencies or not until():
            before = time.perf_counter()
            assert client.get("/health").status_code == 200
            latencies.append(time.perf_counter() - before)
            time.sleep(0.02)
    finally:
        gc.enable()
    return sorted(latencies)


def _figures(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "requests": len(latencies),
    }


#: Uploads `argv[2]` as a text to `argv[1]`/uploads once told to (a line on stdin), and prints the status
#: and the body. Its own start (a fork of the test process, importing httpx) is over before the measurement.
UPLOADER = """
import sys, httpx
print("ready", flush=True)
sys.stdin.readline()
with open(sys.argv[2], "rb") as body:
    answer = httpx.post(sys.argv[1] + "/uploads", files={"file": ("big.txt", body, "text/plain")},
                        data={"kind": "text"}, headers={"Authorization": sys.argv[3]}, timeout=600)
print(answer.status_code)
print(answer.text)
"""


def test_health_answers_while_the_largest_text_upload_is_processed(
    served: Served, tmp_path: Path, record_property: Any
) -> None:
    """The figure, not a timed assertion: `/health` latency idle, then while a 49 MiB text (the largest text
    `/uploads` takes is 50 MiB) is uploaded from another process and processed (after one small upload has
    started the worker processes)."""
    text = tmp_path / "big.txt"
    text.write_bytes(_text(MAX_UPLOAD_BYTES - 1024 * 1024))
    with httpx.Client(base_url=served.url, timeout=30) as client:
        assert client.get("/health").status_code == 200  # the client's first request costs more
        idle_until = time.perf_counter() + 3
        idle = _poll_health(client, lambda: time.perf_counter() > idle_until)
        files = {"file": ("w.txt", b"warm up", "text/plain")}
        warm = client.post("/uploads", files=files, data={"kind": "text"}, headers=served.owner, timeout=120)
        assert warm.status_code == 200, warm.text
        command = [sys.executable, "-c", UPLOADER, served.url, str(text), served.owner["Authorization"]]
        uploader = Popen(command, stdin=PIPE, stdout=PIPE, text=True)
        assert uploader.stdin is not None and uploader.stdout is not None
        assert uploader.stdout.readline() == "ready\n"
        time.sleep(0.5)
        started = time.perf_counter()
        uploader.stdin.write("go\n")
        uploader.stdin.flush()
        during = _poll_health(client, lambda: uploader.poll() is not None)
        elapsed = time.perf_counter() - started
        status, body = uploader.communicate()[0].split("\n", 1)
    assert status == "200", body
    assert json.loads(body)["perceptual_hash"]["algorithm"] == "simhash64"
    figures = {
        "upload_mib": round(text.stat().st_size / 2**20, 1),
        "upload_seconds": round(elapsed, 2),
        **{f"health_idle_{k}": v for k, v in _figures(idle).items()},
        **{f"health_during_upload_{k}": v for k, v in _figures(during).items()},
    }
    for name, value in figures.items():
        record_property(name, value)
    print("health during the largest text upload:", json.dumps(figures))
    assert_healthy(served)


def _descendants(pid: int) -> set[int]:
    """The live processes below `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_upload_workers_end_with_a_killed_server(tmp_path: Path, how: signal.Signals) -> None:
    # uvicorn ends a SIGTERM by raising it again (no exit handler runs); SIGKILL runs nothing at all.
    servers = _serve(tmp_path)
    server = next(servers)
    try:
        files = {"file": ("a.txt", b"one two three four", "text/plain")}
        answer = httpx.post(
            server.url + "/uploads", files=files, data={"kind": "text"}, headers=server.owner, timeout=120
        )
        assert answer.status_code == 200, answer.text
        family = _descendants(server.process.pid)
        assert family  # the fork server and a worker
        server.process.send_signal(how)
        server.process.wait(10)
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in family if _running(pid)]
    finally:
        servers.close()


def test_cpu_work_runs_in_one_bounded_pool() -> None:
    configure_cpu_pool(2)
    assert cpu_workers() == 2
    running = 0
    most = 0
    names: set[str] = set()
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            names.add(threading.current_thread().name)
        time.sleep(0.05)
        with lock:
            running -= 1

    async def many() -> None:
        await asyncio.gather(*(run_cpu(work) for _ in range(6)))

    asyncio.run(many())
    assert most == 2
    assert all(name.startswith("genip-cpu") for name in names)


def test_a_worker_process_that_dies_fails_its_call_only() -> None:
    async def calls() -> None:
        assert await run_isolated(math.factorial, 5) == 120
        with pytest.raises(WorkerCrashedError):
            await run_isolated(os._exit, 3)  # as a decoder crash or the OOM killer would
        assert await run_isolated(math.factorial, 6) == 720  # fresh workers

    asyncio.run(calls())
