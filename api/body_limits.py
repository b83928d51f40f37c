"""JSON request bodies are bounded in size and nesting before anything parses them.

A JSON body is parsed by recursive code (the C decoder behind `json.loads`, then pydantic), so a small body
of deeply nested arrays costs one stack frame per level: 200 KB of `[` once crashed the process (a
dependency had raised the recursion limit to 100 000, past what the thread's stack holds; `genip.recursion`
now puts it back). `JsonBodyLimits`, a pure ASGI middleware around the app (inside the licence-status fast
path, which answers GETs only), reads the body of every request FastAPI would parse as JSON
(`application/json`, `application/*+json`, or no content type at all) and answers before the app sees it:

- **413** when it is longer than `GENIP_API_MAX_JSON_BYTES` (default 2 MiB; the largest legitimate body, a
  prompt submission of five 64 K-character parts, is a few hundred KB), from `Content-Length` when given,
  else as soon as more has arrived (the rest is never read);
- **400** when arrays and objects outside strings nest deeper than `GENIP_API_MAX_JSON_DEPTH` (default 64;
  the API's own bodies nest at most 4 deep).

Both answers are JSON `{"detail": ...}` like every other error. The depth (`json_depth`) is found in O(n)
with neither recursion nor a Python loop over the bytes (see its docstring); a body with no more opening
brackets than the bound is not scanned at all, and one over `INLINE_SCAN_BYTES` is scanned in the CPU pool
(`api.cpu`): 2 MiB of brackets takes about 70 ms on the 2-core test machine. Other bodies (multipart
uploads, forms) pass untouched: their routes bound them.
"""

import json
from typing import Any, Final

import numpy as np
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.cpu import run_cpu
from api.schemas import ErrorBody

__all__ = ["BODY_ERRORS", "INLINE_SCAN_BYTES", "JsonBodyLimits", "json_depth"]

#: The answers of `JsonBodyLimits`, for the `responses` of every route that takes a JSON body.
BODY_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    400: {"model": ErrorBody, "description": "The JSON body nests too deep (or the request is malformed)."},
    413: {"model": ErrorBody, "description": "The JSON body is larger than GENIP_API_MAX_JSON_BYTES."},
}

#: Bodies up to this size are scanned on the event loop (well under a millisecond); larger ones in the CPU
#: pool (`api.cpu`), so a hostile 2 MiB of brackets does not hold other requests.
INLINE_SCAN_BYTES: Final = 64 * 1024

#: Every byte to 0 but the ones that decide nesting: `"` 1, `\\` 2, `[` `{` 3, `]` `}` 4.
_CODES: Final = bytes(
    {ord('"'): 1, ord("\\"): 2, ord("["): 3, ord("{"): 3, ord("]"): 4, ord("}"): 4}.get(b, 0)
    for b in range(256)
)


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in `body` (0 for a scalar), outside string literals.

    Exact for valid JSON; for invalid JSON it follows a parser up to the first error (after which a parser
    stops). O(n), no recursion, no Python loop over the bytes: `bytes.translate` classifies every byte, and
    numpy works on the positions of quotes, backslashes and brackets only. A quote is escaped when an odd
    run of backslashes comes right before it; brackets count when an even number of unescaped quotes comes
    before them; the depth is the running sum of +1 (opening) and -1 (closing) brackets at its highest.
    """
    codes = np.frombuffer(body.translate(_CODES), dtype=np.uint8)
    where = np.flatnonzero(codes)
    kinds = codes[where]
    quotes = kinds == 1
    backslashes = kinds == 2
    if backslashes.any():
        index = np.arange(where.size)
        adjacent = np.zeros(where.size, dtype=bool)  # element i is the byte right after element i - 1
        adjacent[1:] = where[1:] == where[:-1] + 1
        continues = np.zeros(where.size, dtype=bool)  # a backslash right after a backslash
        continues[1:] = backslashes[1:] & backslashes[:-1] & adjacent[1:]
        run_start = np.maximum.accumulate(np.where(backslashes & ~continues, index, 0))
        odd_run = backslashes & ((index - run_start) % 2 == 0)  # ends an odd run if the run ends here
        escaped = np.zeros(where.size, dtype=bool)
        escaped[1:] = odd_run[:-1] & adjacent[1:]
        quotes &= ~escaped
    outside = np.cumsum(quotes, dtype=np.int64) % 2 == 0
    steps = ((kinds == 3).astype(np.int8) - (kinds == 4).astype(np.int8)) * outside
    if steps.size == 0:
        return 0
    return max(0, int(np.cumsum(steps, dtype=np.int64).max()))


def _is_json(content_type: bytes | None) -> bool:
    """Whether FastAPI parses a body of this content type as JSON (it does without one)."""
    if content_type is None:
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    kind, _, subtype = media.partition(b"/")
    return kind == b"application" and (subtype == b"json" or subtype.endswith(b"+json"))


class JsonBodyLimits:
    """Pure ASGI middleware refusing JSON bodies over `max_bytes` (413) or nested deeper than `max_depth`
    (400) before the app parses them (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_depth: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type: bytes | None = None
        length: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        no_body = (length is None or length.strip() == b"0") and not chunked
        if no_body or not _is_json(content_type):
            await self.app(scope, receive, send)  # nothing FastAPI would parse as JSON
            return
        if length is not None and not length.strip().isdigit():
            await _refuse(send, 400, "the Content-Length header is not a number")
            return
        if length is not None and int(length) > self.max_bytes:
            await _refuse(send, 413, self._too_large())
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await _refuse(send, 413, self._too_large())
                return
            if not message.get("more_body", False):
                break
        data = bytes(body)
        if await self._too_deep(data):
            await _refuse(send, 400, f"the JSON body nests deeper than {self.max_depth} levels")
            return
        await self.app(scope, _replay(data, receive), send)

    async def _too_deep(self, body: bytes) -> bool:
        if body.count(b"[") + body.count(b"{") <= self.max_depth:
            return False  # cannot nest deeper than it has opening brackets
        if len(body) <= INLINE_SCAN_BYTES:
            return json_depth(body) > self.max_depth
        return await run_cpu(json_depth, body) > self.max_depth

    def _too_large(self) -> str:
        return f"the JSON body is larger than {self.max_bytes:,} bytes"


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body already read, then defers to the server's (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
