"""A small local JSON-RPC proxy in front of anvil that injects faults: timeouts, HTTP 429 and 5xx, and
"too many results" refusals of wide `eth_getLogs` ranges (with a suggested range, as hosted providers send).
It stands in for a flaky provider, the one fault we cannot cause with a real node."""

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FaultyRpc:
    def __init__(
        self, upstream: str, *, max_log_range: int = 4, fault_every: int = 4, stall_seconds: float = 2.0
    ):
        self.upstream = upstream
        self.max_log_range = max_log_range
        self.fault_every = fault_every
        self.stall_seconds = stall_seconds
        self.requests = 0
        self.faults: dict[str, int] = {"429": 0, "503": 0, "stall": 0, "too_many": 0}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                status, answer = proxy.handle(body)
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on a stalled answer, as it should

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FaultyRpc":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, body: bytes) -> tuple[int, bytes]:
        with self._lock:
            self.requests += 1
            n = self.requests
        request = json.loads(body)
        if n % self.fault_every == 0:
            kind = ("429", "503", "stall")[(n // self.fault_every) % 3]
            self.faults[kind] += 1
            if kind == "stall":
                time.sleep(self.stall_seconds)  # longer than the client's timeout
            else:
                return int(kind), b'{"error": "injected"}'
        if isinstance(request, dict) and request.get("method") == "eth_getLogs":
            flt = request["params"][0]
            start, end = int(flt["fromBlock"], 16), int(flt["toBlock"], 16)
            if end - start + 1 > self.max_log_range:
                self.faults["too_many"] += 1
                suggested = start + self.max_log_range - 1
                message = (
                    "query returned more than 10000 results. "
                    f"Try with this block range [{hex(start)}, {hex(suggested)}]."
                )
                error = {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32005, "message": message}}
                return 200, json.dumps(error).encode()
        upstream = urllib.request.Request(
            self.upstream, data=body, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(upstream, timeout=30) as response:
            return 200, response.read()
