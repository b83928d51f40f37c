"""A real HTTP receiver for webhook tests: a threading HTTP server on 127.0.0.1 that verifies every request's
Standard Webhooks signature with the `standardwebhooks` package and records what arrived."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["Received", "Receiver", "receiver"]


@dataclass(frozen=True)
class Received:
    path: str
    webhook_id: str
    type: str
    data: dict[str, Any]
    at: float  # time.time() when the body was read
    status: int  # what the receiver answered


@dataclass
class Receiver:
    """Answers 500 to the first `fail_first` requests, holds each request `delay` seconds (the first
    `hold_first` requests `hold` seconds instead), and 400 to a bad signature (recorded in `invalid`)."""

    port: int = 0
    secrets: dict[str, str] = field(default_factory=dict)  # path -> subscription secret
    fail_first: int = 0
    delay: float = 0.0
    hold_first: int = 0
    hold: float = 0.0
    received: list[Received] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)  # set when a request arrives
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _count: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ok(self) -> list[Received]:
        """The requests answered 2xx."""
        with self._lock:
            return [r for r in self.received if r.status < 300]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Waits until `count` requests were answered 2xx; returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.ok()
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"received {len(self.ok())} of {count} webhooks: {self.received}")

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        self.started.set()
        with self._lock:
            self._count += 1
            n = self._count
        secret = self.secrets.get(path)
        try:
            if secret is None:
                raise WebhookVerificationError(f"no secret for {path}")
            payload = Webhook(secret).verify(body, headers)
        except WebhookVerificationError as exc:
            with self._lock:
                self.invalid.append(str(exc))
            return 400
        status = 500 if n <= self.fail_first else 200
        time.sleep(self.hold if n <= self.hold_first else self.delay)
        with self._lock:
            self.received.append(
                Received(path, headers["webhook-id"], payload["type"], payload["data"], time.time(), status)
            )
        return status


@contextmanager
def receiver(**options: Any) -> Iterator[Receiver]:
    """A running receiver (stopped on exit)."""
    state = Receiver(**options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status = state.handle(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Silent."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
