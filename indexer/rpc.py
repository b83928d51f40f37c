"""A JSON-RPC client built for indexing: retries, fail-over and provider range limits.

* Transient faults (timeouts, connection errors, HTTP 429 and 5xx, JSON-RPC "rate limit"/"busy" errors) are
  retried with exponential backoff and jitter, rotating through every configured URL; the client never gives
  up on them (the indexer must not exit or skip a block on a transient fault), but reports each one through
  `on_error` so the operator sees it.
* "Too many results" / "range too large" answers raise `RangeTooLarge` with the range or cap the provider
  suggested, when it suggested one, so the caller can shrink its block range.
* Responses are parsed with orjson; nothing is decoded that the caller does not ask for.
"""

import random
import re
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import orjson

from genip.errors import ChainError, redact_url

__all__ = ["RangeTooLarge", "RpcClient", "RpcError"]


class RpcError(ChainError):
    """The node answered with a JSON-RPC error that retrying will not fix."""

    def __init__(self, method: str, code: int | None, message: str) -> None:
        super().__init__(f"{method} failed: {message} (code {code})")
        self.method = method
        self.code = code
        self.rpc_message = message

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (the backfill's fetch process sends its errors)
        return (type(self), (self.method, self.code, self.rpc_message))


class RangeTooLarge(RpcError):
    """`eth_getLogs` refused the block range; `suggested_to` / `max_range` say what the provider allows."""

    def __init__(
        self, code: int | None, message: str, suggested_to: int | None, max_range: int | None
    ) -> None:
        super().__init__("eth_getLogs", code, message)
        self.suggested_to = suggested_to
        self.max_range = max_range

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.rpc_message, self.suggested_to, self.max_range))


_TOO_MANY = re.compile(
    r"more than \d+ results|response size|too many (results|logs)|block range|range (is )?too (large|wide)"
    r"|limit(ed)? (exceeded|to)|exceed(s|ed)? (the )?max|query timeout"
    r"|logs? (response|result) .*(exceed|limit)",
    re.IGNORECASE,
)
_SUGGESTED = re.compile(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]")
_MAX_RANGE = re.compile(
    r"(?:up to an? |maximum (?:block )?range(?: is|:)? ?|limited to an? |max(?:imum)? of )([\d,]+)\s*([kK])?",
    re.IGNORECASE,
)
_TRANSIENT = re.compile(
    r"rate limit|too many requests|busy|try again|timeout|temporar|unavailable", re.IGNORECASE
)


def _range_error(code: int | None, message: str) -> RangeTooLarge | None:
    if code != -32005 and not _TOO_MANY.search(message):
        return None
    suggested_to = None
    if match := _SUGGESTED.search(message):
        suggested_to = int(match.group(2), 16)
    max_range = None
    if match := _MAX_RANGE.search(message):
        max_range = int(match.group(1).replace(",", "")) * (1_000 if match.group(2) else 1)
    return RangeTooLarge(code, message, suggested_to, max_range)


@dataclass
class _Endpoint:
    url: str
    client: httpx.Client


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process (httpx's default one): building one loads the CA bundle, about 30 ms, which
    every client (the backfill's fetch process makes its own) would otherwise pay again."""
    return httpx.create_ssl_context()


class RpcClient:
    """JSON-RPC over HTTP to one or more equivalent endpoints (fail-over in order, then round again)."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 30.0,
        max_backoff: float = 30.0,
        on_error: Callable[[str], None] | None = None,
        max_attempts: int | None = None,
    ) -> None:
        """`max_attempts` None retries transient faults forever (the indexer's mode)."""
        if not urls:
            raise ChainError("no RPC URL configured")
        self._endpoints = [_Endpoint(u, httpx.Client(timeout=timeout, verify=_tls_context())) for u in urls]
        self._current = 0
        self._next_id = 0
        self._max_backoff = max_backoff
        self._on_error = on_error or (lambda _message: None)
        self._max_attempts = max_attempts

    @property
    def url(self) -> str:
        return self._endpoints[self._current].url

    def close(self) -> None:
        for endpoint in self._endpoints:
            endpoint.client.close()

    def call(self, method: str, params: list[Any]) -> Any:
        """One request; returns its `result`."""
        return self._send(method, {"jsonrpc": "2.0", "id": self._id(), "method": method, "params": params})

    def batch(self, method: str, params_list: Sequence[list[Any]]) -> list[Any]:
        """Several requests of one method in one HTTP batch; results in order."""
        if not params_list:
            return []
        payload = [
            {"jsonrpc": "2.0", "id": i, "method": method, "params": p} for i, p in enumerate(params_list)
        ]
        answers = self._send(method, payload, batch=True)
        by_id = {a["id"]: a for a in answers}
        results = []
        for i in range(len(params_list)):
            answer = by_id.get(i)
            if answer is None:
                raise RpcError(method, None, f"batch answer {i} missing")
            if "error" in answer:
                raise RpcError(method, answer["error"].get("code"), str(answer["error"].get("message")))
            results.append(answer["result"])
        return results

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _send(self, method: str, payload: Any, *, batch: bool = False) -> Any:
        body = orjson.dumps(payload)
        attempt = 0
        while True:
            endpoint = self._endpoints[self._current]
            problem: str
            try:
                # Streamed, so that the body is ours alone: httpx keeps a response in a reference cycle with
                # its stream, and a read() response's cached body (megabytes for a large range) then lived
                # until the next garbage collection.
                with endpoint.client.stream(
                    "POST", endpoint.url, content=body, headers={"content-type": "application/json"}
                ) as response:
                    status = response.status_code
                    content = b"".join(response.iter_bytes()) if 200 <= status < 300 else b""
                if status == 429 or status >= 500:
                    problem = f"HTTP {status}"
                elif not 200 <= status < 300:
                    raise RpcError(method, status, f"HTTP {status}")
                else:
                    answer = orjson.loads(content)
                    del content
                    if batch:
                        return answer
                    if "error" not in answer:
                        return answer["result"]
                    code = answer["error"].get("code")
                    message = str(answer["error"].get("message", ""))
                    if method == "eth_getLogs" and (too_large := _range_error(code, message)):
                        raise too_large
                    if not (code == 429 or _TRANSIENT.search(message)):
                        raise RpcError(method, code, message)
                    problem = f"RPC error {code}: {message}"
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = type(exc).__name__
            except orjson.JSONDecodeError:
                problem = "malformed JSON answer"
            attempt += 1
            self._on_error(f"{method} via {redact_url(endpoint.url)}: {problem} (attempt {attempt})")
            if self._max_attempts is not None and attempt >= self._max_attempts:
                raise ChainError(f"{method} failed after {attempt} attempts: {problem}")
            self._current = (self._current + 1) % len(self._endpoints)
            if self._current == 0 or len(self._endpoints) == 1:
                delay = min(self._max_backoff, 0.2 * 2 ** min(attempt, 10))
                time.sleep(delay * (0.5 + random.random() / 2))

    # Typed helpers for the calls the indexer makes.

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber", []), 16)

    def chain_id(self) -> int:
        return int(self.call("eth_chainId", []), 16)

    def block(self, tag: int | str) -> dict[str, Any] | None:
        """Header of a block by number or tag (`latest`, `finalized`), or None when there is none."""
        ref = hex(tag) if isinstance(tag, int) else tag
        result: dict[str, Any] | None = self.call("eth_getBlockByNumber", [ref, False])
        return result

    def blocks(self, numbers: Sequence[int]) -> list[dict[str, Any] | None]:
        return self.batch("eth_getBlockByNumber", [[hex(n), False] for n in numbers])

    def get_logs(self, addresses: list[str], from_block: int, to_block: int) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.call(
            "eth_getLogs", [{"address": addresses, "fromBlock": hex(from_block), "toBlock": hex(to_block)}]
        )
        return result
