"""Retries over real HTTP against a misbehaving server: 5xx with backoff, 429 after `Retry-After`, a long
`Retry-After` not slept through, non-idempotent calls not repeated once sent, bounded tries, connection
errors. The client's waits are recorded instead of slept."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from genip_sdk import (
    AuthenticationError,
    GenIP,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from genip_sdk.retry import parse_retry_after

from tests.sdk.conftest import free_port

STATUS = {"asset": 1, "account": "0x" + "11" * 20, "use": "display", "licensed": True}


class Flaky:
    """Answers each request with the next (status, headers) of `script`, then 200 with `STATUS`."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str]]] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    def next(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.requests.append((method, path, headers))
        if self.script:
            status, extra = self.script.pop(0)
            return status, extra, json.dumps({"detail": f"scripted {status}"}).encode()
        return 200, {}, json.dumps(STATUS).encode()


@pytest.fixture
def flaky() -> Iterator[tuple[Flaky, str]]:
    state = Flaky()

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("content-length", 0))
            if length:
                self.rfile.read(length)
            status, extra, body = state.next(self.command, self.path, dict(self.headers.items()))
            self.send_response(status)
            for name, value in ({"content-type": "application/json"} | extra).items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def client(url: str, waits: list[float], **policy: float) -> GenIP:
    return GenIP(url, api_key="gip_test", retry=RetryPolicy(**policy), sleep=waits.append)  # type: ignore[arg-type]


def test_5xx_is_retried_with_growing_jittered_backoff(flaky: tuple[Flaky, str]) -> None:
    state, url = flaky
    state.script = [(503, {}), (502, {}), (504, {})]
    waits: list[float] = []
    with client(url, waits, backoff_base=1.0, max_backoff=8.0) as genip:
        assert genip.license_status(1, STATUS["account"])["licensed"] is True  # type: ignore[arg-type]
    assert len(state.requests) == 4 and len(waits) == 3
    assert all(0 <= w <= cap for w, cap in zip(waits, (1.0, 2.0, 4.0), strict=True))
    assert state.requests[0][2]["authorization"] == "Bearer gip_test"
    assert state.requests[0][2]["user-agent"].startswith("genip-sdk-python/")


def test_tries_are_bounded_and_the_last_error_is_raised(flaky: tuple[Flaky, str]) -> None:
    state, url = flaky
    state.script = [(503, {})] * 10
    waits: list[float] = []
    with client(url, waits, attempts=3) as genip, pytest.raises(ServerError) as failed:
        genip.license_status(1, "0x" + "11" * 20)
    assert len(state.requests) == 3 and len(waits) == 2
    assert failed.value.status == 503 and failed.value.detail == "scripted 503"


def test_429_waits_what_retry_after_says(flaky: tuple[Flaky, str]) -> None:
    state, url = flaky
    state.script = [(429, {"retry-after": "2"}), (429, {"retry-after": "7"})]
    waits: list[float] = []
    with client(url, waits) as genip:
        genip.license_status(1, "0x" + "11" * 20)
    assert waits == [2.0, 7.0]


def test_a_retry_after_longer_than_the_policy_allows_is_raised_at_once(flaky: tuple[Flaky, str]) -> None:
    state, url = flaky
    state.script = [(429, {"retry-after": "3600"})]
    waits: list[float] = []
    with client(url, waits, max_retry_after=60) as genip, pytest.raises(RateLimitedError) as limited:
        genip.license_status(1, "0x" + "11" * 20)
    assert limited.value.retry_after == 3600 and waits == [] and len(state.requests) == 1


def test_429_is_retried_even_for_a_call_that_is_not_idempotent(flaky: tuple[Flaky, str]) -> None:
    """A 429 was refused before anything happened; a 5xx after sending may have created the subscription."""
    state, url = flaky
    state.script = [(429, {"retry-after": "1"}), (503, {})]
    waits: list[float] = []
    with client(url, waits) as genip, pytest.raises(ServerError):
        genip.create_webhook("https://platform.example/hooks", ["work.registered"])
    assert waits == [1.0] and [m for m, *_ in state.requests] == ["POST", "POST"]


def test_4xx_other_than_429_is_not_retried(flaky: tuple[Flaky, str]) -> None:
    state, url = flaky
    state.script = [(404, {}), (401, {"www-authenticate": "Bearer"})]
    waits: list[float] = []
    with client(url, waits) as genip:
        with pytest.raises(NotFoundError):
            genip.license_status(1, "0x" + "11" * 20)
        with pytest.raises(AuthenticationError):
            genip.license_status(1, "0x" + "11" * 20)
    assert waits == [] and len(state.requests) == 2


def test_a_refused_connection_is_retried_then_raised() -> None:
    waits: list[float] = []
    refused = f"http://127.0.0.1:{free_port()}"
    with client(refused, waits, attempts=3) as genip, pytest.raises(TransportError, match="cannot connect"):
        genip.license_status(1, "0x" + "11" * 20)
    assert len(waits) == 2


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_policy_needs_at_least_one_try() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
