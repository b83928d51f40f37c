"""The load generator and the ceilings of `scripts/bench_api.py`, in a module of their own so that the
processes it starts for every row (the load generator, the raw constant server, uvicorn serving the bare ASGI
constant) import only the standard library and uvloop, not the Gen-IP stack: a row's start-up is then
measured in tenths of a second, not seconds.

    python scripts/bench_load.py --load SPEC.json     # one row's load: prints one JSON line of results
    python scripts/bench_load.py --raw-server PORT    # the raw constant server (the generator's ceiling)
"""

import argparse
import asyncio
import contextlib
import json
import math
import random
import time
from pathlib import Path
from typing import Any

#: The listen backlog of every server: 1 000 clients connecting at once must all be queued (the kernel caps it
#: at net.core.somaxconn, 4096 here), or the ones dropped retry their SYN a second later.
BACKLOG = 4096


# ─────────────────────────────── load generator (child process) ───────────────────────────────
#
# Each client is an asyncio `Protocol` on one keep-alive connection (no stream objects, no coroutine per
# read): it sends a request, parses the response head and `Content-Length` as bytes arrive, records the
# latency and sends the next. A client that cannot connect, or whose connection ends mid-answer, counts one
# error. The clients connect all at once; the warm-up starts when every one of them has had its first answer
# (how long that took is reported: a burst of connections to a busy uvloop server is accepted one per turn of
# its loop, since libuv 1.45), so the window measures the steady state. Only answers that complete inside the
# window count, so a request slower than the window shows up as "nothing answered", not as 0 req/s.


class _Window:
    """The measured window (set once every client has had its first answer) and what the clients recorded."""

    def __init__(self, clients: int) -> None:
        self.warm_until = math.inf
        self.stop_at = math.inf
        self.latencies: list[float] = []
        self.errors = 0
        self.connect_errors = 0
        self.unanswered = clients  # clients still waiting for their first answer
        self.finished = 0  # clients done (closed their connection, or could not connect)
        self.all_answered = asyncio.Event()

    def first_answer(self) -> None:
        self.unanswered -= 1
        if self.unanswered == 0:
            self.all_answered.set()


class _Client(asyncio.Protocol):
    """One closed-loop client: the next request leaves when the previous answer has arrived."""

    def __init__(self, requests: list[bytes], window: _Window, done: asyncio.Future[None]) -> None:
        self._requests = requests
        self._i = random.randrange(len(requests))
        self._window = window
        self._done = done
        self._buffer = b""
        self._need = -1  # bytes of the whole answer once its head is in, else -1
        self._status = 0
        self._sent_at = 0.0
        self._answered = False
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._send()

    def _send(self) -> None:
        assert self._transport is not None
        self._sent_at = time.perf_counter()
        if self._sent_at >= self._window.stop_at:
            self._transport.close()
            return
        self._transport.write(self._requests[self._i % len(self._requests)])
        self._i += 1

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._need < 0:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end].lower()
            self._status = int(head[9:12])
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                eol = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : eol if eol >= 0 else None])
            self._need = end + 4 + length
        if len(self._buffer) < self._need:
            return
        now = time.perf_counter()
        window = self._window
        if window.warm_until <= now < window.stop_at:
            window.latencies.append(now - self._sent_at)
            if self._status >= 400:
                window.errors += 1
        if len(self._buffer) > self._need:  # bytes nobody asked for: a broken answer
            window.errors += 1
        if not self._answered:
            self._answered = True
            window.first_answer()
        self._buffer = b""
        self._need = -1
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if time.perf_counter() < self._window.stop_at:
            self._window.errors += 1  # the server closed the connection (or reset it) mid-run
        if not self._answered:
            self._answered = True
            self._window.first_answer()
        if not self._done.done():
            self._done.set_result(None)


async def _run_client(host: str, port: int, requests: list[bytes], window: _Window) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    try:
        await loop.create_connection(lambda: _Client(requests, window, done), host, port)
    except OSError:
        window.connect_errors += 1
        window.first_answer()
    else:
        await done
    window.finished += 1


#: Seconds the clients have to get their first answers before the warm-up starts regardless.
ALL_ANSWERED_TIMEOUT = 30.0


def _request(method: str, host: str, port: int, path: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _percentile(ordered: list[float], p: float) -> float:
    """The `p` quantile (nearest rank) of sorted seconds, in milliseconds; NaN when empty."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))] * 1000


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    host, port = spec["host"], spec["port"]
    requests = [
        _request(r["method"], host, port, r["path"], r.get("body", "").encode()) for r in spec["requests"]
    ]
    window = _Window(spec["clients"])
    start = time.perf_counter()
    clients = asyncio.gather(*(_run_client(host, port, requests, window) for _ in range(spec["clients"])))
    with contextlib.suppress(TimeoutError):  # measure anyway: clients still unanswered show in the tail
        await asyncio.wait_for(window.all_answered.wait(), ALL_ANSWERED_TIMEOUT)
    all_answered = time.perf_counter() - start
    window.warm_until = time.perf_counter() + spec["warmup"]
    window.stop_at = window.warm_until + spec["seconds"]
    try:
        await asyncio.wait_for(clients, spec["warmup"] + spec["seconds"] + ALL_ANSWERED_TIMEOUT)
    except TimeoutError:
        window.errors += spec["clients"] - window.finished  # requests never answered
    lat = sorted(window.latencies)
    return {
        "requests": len(lat),
        "rps": len(lat) / spec["seconds"],
        "p50_ms": _percentile(lat, 0.50),
        "p95_ms": _percentile(lat, 0.95),
        "p99_ms": _percentile(lat, 0.99),
        "max_ms": lat[-1] * 1000 if lat else float("nan"),
        "errors": window.errors + window.connect_errors,
        "connect_errors": window.connect_errors,
        "all_answered_ms": all_answered * 1000,  # from the connects to every client's first answer
    }


def load_main(spec_path: str) -> None:
    """Entry of the load-generator process: reads a spec, prints one JSON line of results."""
    import uvloop

    spec = json.loads(Path(spec_path).read_text())
    print(json.dumps(uvloop.run(_load(spec))))


# ─────────────────────────────── the ceilings ───────────────────────────────

_CONSTANT = b'{"ok":true}'
_RAW_ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n" + _CONSTANT


class _RawConstant(asyncio.Protocol):
    """Answers every request head (bodiless GETs) with the same bytes: no HTTP parser, no ASGI."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport: asyncio.Transport = transport  # type: ignore[assignment]
        self._tail = b""

    def data_received(self, data: bytes) -> None:
        data = self._tail + data
        heads = data.count(b"\r\n\r\n")
        self._tail = data[data.rfind(b"\r\n\r\n") + 4 :] if heads else data
        if heads:
            self._transport.write(_RAW_ANSWER * heads)


def raw_server_main(port: int, backlog: int) -> None:
    """A raw asyncio server answering a constant: what the load generator reaches with a near-free server,
    i.e. its own ceiling on this machine (it and the server share the CPUs, as in every other row)."""
    import uvloop

    async def serve_forever() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_RawConstant, "127.0.0.1", port, backlog=backlog)
        await server.serve_forever()

    uvloop.run(serve_forever())


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that answers every request with the same small JSON body."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"11")],
        }
    )
    await send({"type": "http.response.body", "body": _CONSTANT})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--load", help="A load spec (JSON): run it and print one JSON line of results.")
    parser.add_argument("--raw-server", type=int, help="Serve the raw constant on this port.")
    args = parser.parse_args()
    if args.load:
        load_main(args.load)
    elif args.raw_server:
        raw_server_main(args.raw_server, BACKLOG)
    else:
        parser.error("one of --load or --raw-server is needed")


if __name__ == "__main__":
    main()
