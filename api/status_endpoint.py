"""The hot path of `GET /licenses/status`: one question, answered with as little Python as the stack allows.

Platforms ask this before every display, so it skips what the generic FastAPI route costs (routing,
dependency solving, pydantic on the way out):

* `StatusService.answer` runs **one** prepared statement (cursor, asset and the account's licences on it:
  `api.queries.status.WITH_STATE_SQL`, whose licence condition is `genip.rules`'s SQL twin) on
  a connection of its own — on Postgres a raw psycopg connection in autocommit with a server-side prepared
  statement, on SQLite the SQLAlchemy engine — in a worker thread, and writes the JSON with orjson.
* It keeps, per process, the cursor it last read for `GENIP_API_STATUS_CURSOR_TTL` seconds (default 0.1 s)
  and a bounded cache of answers keyed by (cursor, asset, account, use). Both are caches of database state,
  never state of their own: an answer is only reused while the cursor it was computed at is still the one
  last read, so it is true as of the `as_of_block` it states, and any process answers the same. A matching
  `If-None-Match` is answered 304 from the cursor alone, without the licence query.
* `StatusFastPath`, a pure ASGI middleware, answers well-formed `GET /licenses/status` requests with it.
  Anything unusual (a missing, malformed or repeated parameter, percent-encoding, a bad address or `use`)
  goes on to the documented FastAPI route, which gives the usual 4xx JSON errors and answers through the
  same `StatusService`, so both paths agree byte for byte.
"""

import asyncio
import re
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.addresses import AddressError, parse_address
from api.caching import etag_matches
from api.queries.chain import ANY_CHAIN_SQL, ONE_CHAIN_SQL, ChainState, state_from_row
from api.queries.status import WITH_STATE_SQL, state_and_answer
from api.schemas import MAX_ASSET_ID, Use
from genip import rules

__all__ = ["STATUS_PATH", "StatusFastPath", "StatusService"]

STATUS_PATH = "/licenses/status"
_USES: frozenset[str] = frozenset(rules.Use)
_JSON = b"application/json"

#: (status code, headers, body) of an answer, ready for ASGI.
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


@lru_cache(maxsize=65_536)
def _checksummed(account: str) -> str:
    """`parse_address`, memoised (the EIP-55 keccak is the costliest step of parsing); errors not cached."""
    return parse_address(account, field="account")


def _pg_sql(sql: str) -> str:
    """SQLAlchemy `:name` parameters as psycopg `%(name)s` ones."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


class _AsyncPgConnections:
    """Up to `size` psycopg async connections (autocommit, prepared statements) of the running event loop."""

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[Any] = []
        self._slots = asyncio.Semaphore(size)

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[Any]:
        import psycopg

        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests): connections of the old one cannot be awaited
            self.close()
            self._loop, self._slots = loop, asyncio.Semaphore(self._size)
        async with self._slots:
            conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, prepare_threshold=0
                )
            try:
                cursor = await conn.execute(sql, params, prepare=True)
                rows = await cursor.fetchall()
            except BaseException:
                conn.pgconn.finish()
                raise
            self._idle.append(conn)
            return rows

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.pgconn.finish()


class StatusService:
    """Answers one licence-status question as ready-to-send bytes (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        *,
        chain_id: int | None,
        max_age: int,
        cursor_ttl: float,
        cache_size: int,
        pool_size: int,
    ) -> None:
        self._engine = engine
        self._chain_id = chain_id
        self._cache_control = f"public, max-age={max_age}".encode()
        self._ttl = cursor_ttl
        self._cache_size = cache_size
        self._state: ChainState | None = None
        self._state_etag = b""
        self._state_until = 0.0
        self._answers: OrderedDict[tuple[int, str, str], bytes] = OrderedDict()
        self._pg: _AsyncPgConnections | None = None
        self._db_errors: tuple[type[BaseException], ...] = (SQLAlchemyError,)
        cursor = ANY_CHAIN_SQL if chain_id is None else ONE_CHAIN_SQL
        self._cursor_text = text(cursor)
        self._question_text = text(WITH_STATE_SQL.format(cursor=cursor))
        if engine.dialect.name == "postgresql":
            import psycopg

            url = engine.url.set(drivername="postgresql")
            self._pg = _AsyncPgConnections(url.render_as_string(hide_password=False), pool_size)
            self._db_errors = (SQLAlchemyError, psycopg.Error)
            self._pg_question = _pg_sql(WITH_STATE_SQL.format(cursor=cursor))
            self._pg_cursor = _pg_sql(cursor)

    def close(self) -> None:
        """Closes the raw connections (the engine is disposed by its owner)."""
        if self._pg is not None:
            self._pg.close()

    # ── database ──

    def _sqlite_rows(self, sql: Any, params: dict[str, Any]) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(sql, params).all())

    async def _rows(self, question: bool, params: dict[str, Any]) -> list[Any]:
        """The rows of the one-question statement (`question`) or of the cursor alone: on Postgres on an async
        connection of the running loop, elsewhere (SQLite) through the engine in a worker thread."""
        if self._chain_id is not None:
            params["chain_id"] = self._chain_id
        if self._pg is not None:
            return await self._pg.fetch(self._pg_question if question else self._pg_cursor, params)
        return await run_in_threadpool(
            self._sqlite_rows, self._question_text if question else self._cursor_text, params
        )

    # ── caches of database state ──

    def _remember_state(self, state: ChainState, now: float) -> None:
        if state != self._state:
            self._state = state
            self._state_etag = state.etag.encode()
            self._answers.clear()
        self._state_until = now + self._ttl

    def _headers(self, etag: bytes, body: bytes | None) -> list[tuple[bytes, bytes]]:
        if body is None:
            return [(b"etag", etag), (b"cache-control", self._cache_control)]
        return [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", _JSON),
            (b"etag", etag),
            (b"cache-control", self._cache_control),
        ]

    def _error(self, exc: BaseException) -> Answer:
        body = orjson.dumps({"detail": f"the database cannot answer ({type(exc).__name__})"})
        return 503, [(b"content-length", str(len(body)).encode()), (b"content-type", _JSON)], body

    async def answer(self, asset: int, account: str, use: Use, if_none_match: str | None) -> Answer:
        """The response to one question (`account` already checksummed): 200 with the JSON answer, 304 when
        `if_none_match` names the current ETag, 503 when the database cannot answer."""
        now = time.monotonic()
        fresh = self._state is not None and now < self._state_until
        if if_none_match and not fresh:
            try:
                rows = await self._rows(False, {})
            except self._db_errors as exc:
                return self._error(exc)
            state = state_from_row(rows[0] if rows else None, self._chain_id)
            self._remember_state(state, time.monotonic())
            fresh = True
        key = (asset, account, use)
        if fresh:
            etag = self._state_etag
            if if_none_match and etag_matches(if_none_match, etag.decode()):
                return 304, self._headers(etag, None), b""
            cached = self._answers.get(key)
            if cached is not None:
                self._answers.move_to_end(key)
                return 200, self._headers(etag, cached), cached
        try:
            rows = await self._rows(True, {"asset_id": asset, "holder": account})
        except self._db_errors as exc:
            return self._error(exc)
        state, answer = state_and_answer(rows, chain_id=self._chain_id, asset=asset, account=account, use=use)
        body = orjson.dumps(answer)
        self._remember_state(state, time.monotonic())
        if self._cache_size and state == self._state:
            self._answers[key] = body
            if len(self._answers) > self._cache_size:
                self._answers.popitem(last=False)
        etag = state.etag.encode()
        if if_none_match and etag_matches(if_none_match, state.etag):
            return 304, self._headers(etag, None), b""
        return 200, self._headers(etag, body), body


def _parse(query_string: bytes) -> tuple[int, str, Use] | None:
    """(asset, checksummed account, use) of a plain, valid query string; None for anything else (the FastAPI
    route then answers it, with its usual errors)."""
    if b"%" in query_string or b"+" in query_string:
        return None
    asset = account = use = None
    for piece in query_string.decode("latin-1").split("&"):
        if not piece:
            continue
        name, eq, value = piece.partition("=")
        if not eq:
            return None
        if name == "asset":
            if asset is not None or not (0 < len(value) <= 19 and value.isascii() and value.isdigit()):
                return None
            asset = int(value)
        elif name == "account":
            if account is not None:
                return None
            account = value
        elif name == "use":
            if use is not None or value not in _USES:
                return None
            use = value
    if asset is None or account is None or asset > MAX_ASSET_ID:
        return None
    try:
        holder = _checksummed(account)
    except AddressError:
        return None
    return asset, holder, use or rules.Use.DISPLAY.value  # type: ignore[return-value]


class StatusFastPath:
    """Pure ASGI middleware answering well-formed `GET /licenses/status` with `StatusService`; every other
    request (and any unusual status request) goes on to the app. Sets `scope["route"]` so the metrics
    middleware outside it files the request under the route's template."""

    def __init__(self, app: ASGIApp, service: StatusService, route: Any = None) -> None:
        self.app = app
        self._service = service
        self._route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != STATUS_PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        question = _parse(scope["query_string"])
        if question is None:
            await self.app(scope, receive, send)
            return
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
                break
        if self._route is not None:
            scope["route"] = self._route
        status, headers, body = await self._service.answer(*question, if_none_match)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
