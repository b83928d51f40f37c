"""The search fast path: a pure ASGI middleware answering a `GET /assets` it has answered before from bytes.

Key: the raw query string and the indexed state — the cursor (chain, block, hash, time) and
`search_state.version` (bumped by database triggers on every write to assets or provenance). The state is read
at most every `ttl` seconds per process (`GENIP_API_SEARCH_STATE_TTL`, default 0.1 s, like the licence-status
cursor): an answer can lag the database by that much, never more. A miss goes through the app (validation,
the route) and a 200 JSON answer is kept, under the state read before it ran (the answer is at least that
fresh). Concurrent misses of one key wait for the first (single flight: a burst of the same search right after
the cursor moved runs its queries once) and are answered with its bytes. At most `size` answers
(`GENIP_API_SEARCH_CACHE_SIZE`, least recently used dropped; 0 turns the cache off). The metrics middleware
outside still counts every request under the route's template.

This is the search's only answer cache: a query it has not seen runs the route's queries (facet counts from
the trigger-kept facet table, migration 0021, or one scan of the matching rows).
"""

import asyncio
import threading
import time
from collections import OrderedDict
from typing import Any

import anyio
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.queries.chain import chain_state
from genip.db import models

__all__ = ["SEARCH_PATH", "SearchFastPath"]

SEARCH_PATH = "/assets"
_HEADERS = [(b"content-type", b"application/json")]


class SearchFastPath:
    def __init__(self, app: ASGIApp, *, engine: Engine, chain_id: int | None, size: int, ttl: float) -> None:
        self.app = app
        self._engine = engine
        self._chain_id = chain_id
        self._size = size
        self._ttl = ttl
        self._state: tuple[Any, ...] | None = None
        self._read_at = 0.0
        self._answers: OrderedDict[tuple[bytes, tuple[Any, ...]], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[tuple[bytes, tuple[Any, ...]], asyncio.Future[bytes | None]] = {}
        self._route: Any = None

    def _read_state(self) -> tuple[Any, ...]:
        with Session(self._engine) as session:
            state = chain_state(session, self._chain_id)
            version = session.execute(
                select(models.SearchState.version).where(models.SearchState.id == 1)
            ).scalar_one_or_none()
        return (state.chain_id, state.block_number, state.block_hash, state.timestamp, version)

    async def _current(self) -> tuple[Any, ...]:
        now = time.monotonic()
        if self._state is None or now - self._read_at > self._ttl:
            self._state = await anyio.to_thread.run_sync(self._read_state)
            self._read_at = now
        return self._state

    def _find_route(self, scope: Scope) -> Any:
        if self._route is None:
            app = scope.get("app")
            for route in getattr(app, "routes", ()):
                if getattr(route, "path", None) == SEARCH_PATH and "GET" in getattr(route, "methods", ()):
                    self._route = route
                    break
        return self._route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self._size
            or scope["type"] != "http"
            or scope["path"] != SEARCH_PATH
            or scope["method"] != "GET"
        ):
            await self.app(scope, receive, send)
            return
        try:
            state = await self._current()
        except SQLAlchemyError:  # the database is unreachable: the app answers (503) as for any request
            await self.app(scope, receive, send)
            return
        key = (bytes(scope["query_string"]), state)
        with self._lock:
            body = self._answers.get(key)
            if body is not None:
                self._answers.move_to_end(key)
        flight = self._flights.get(key)
        if body is None and flight is not None:  # the same search is running: its answer, when a 200
            body = await asyncio.shield(flight)
        if body is not None:
            await self._send_body(scope, send, body)
            return
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        kept: bytes | None = None
        try:
            kept = await self._through_app(scope, receive, send, key)
        finally:
            self._flights.pop(key, None)
            flight.set_result(kept)

    async def _send_body(self, scope: Scope, send: Send, body: bytes) -> None:
        route = self._find_route(scope)
        if route is not None:
            scope["route"] = route
        headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _through_app(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[bytes, tuple[Any, ...]]
    ) -> bytes | None:
        """The app's answer, sent; its bytes kept (and returned) when a 200 JSON."""
        status = 0
        json = False
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status, json
            if message["type"] == "http.response.start":
                status = message["status"]
                json = any(
                    k == b"content-type" and v.startswith(b"application/json") for k, v in message["headers"]
                )
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        if status != 200 or not json:
            return None
        body = b"".join(parts)
        with self._lock:
            self._answers[key] = body
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return body
