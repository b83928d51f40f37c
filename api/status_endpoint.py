"""The hot path of `GET /licenses/status`: one question, answered with as little Python as the stack allows.

Platforms ask this before every display, so it skips what the generic FastAPI route costs (routing,
dependency solving, pydantic on the way out):

* `StatusService.answer` runs **one** statement (cursor, asset and the account's licences on it:
  `api.queries.status.WITH_STATE_SQL`, whose licence condition is `genip.rules`'s SQL twin) on a connection
  of its own, and writes the JSON with orjson. On Postgres the questions of one turn of the event loop share
  one prepared statement (`MANY_WITH_STATE_SQL`, `_Questions`) on a raw psycopg async connection in
  autocommit; on SQLite each runs through the SQLAlchemy engine in a worker thread.
* It keeps, per process, the cursor it last read for `GENIP_API_STATUS_CURSOR_TTL` seconds (default 0.1 s)
  and a bounded cache of answers keyed by (cursor, asset, account, use). Both are caches of database state,
  never state of their own: an answer is only reused while the cursor it was computed at is still the one
  last read, so it is true as of the `as_of_block` it states, and any process answers the same. A matching
  `If-None-Match` is answered 304 from the cursor alone, without the licence query. Requests that a read in
  flight will answer wait for it (single flight: see `StatusService.answer`).
* `StatusFastPath`, a pure ASGI middleware, answers well-formed `GET /licenses/status` requests with it.
  Anything unusual (a missing, malformed or repeated parameter, percent-encoding, a bad address or `use`)
  goes on to the documented FastAPI route, which gives the usual 4xx JSON errors and answers through the
  same `StatusService`, so both paths agree byte for byte.
* CORS (pages on other origins: `<genip-badge>`) is `api.cors.PublicCors`, mounted outside this middleware:
  it answers the preflight `OPTIONS /licenses/status` before it gets here and adds its headers to the answers
  sent from here, only for requests that carry an `Origin` (the hot path without one is untouched).
"""

import asyncio
import re
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Engine, column, table, text
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
_CURSOR = "cursor"  # the single-flight key of a stale cursor's read

#: (status code, headers, body) of an answer, ready for ASGI.
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]

#: `genip.rules`'s SQL twin of a held licence, on the licences row `l`.
_HELD = str(
    rules.licence_held_sql(table("l", column("renounced"))).compile(compile_kwargs={"literal_binds": True})
)

#: Many questions in one statement (Postgres): `WITH_STATE_SQL` for each (asset, holder) pair of the arrays,
#: each row led by its pair. The licence condition is the same SQL twin of `genip.rules`; the licences join
#: names the pair's columns (not the asset row's, equal when it exists), so Postgres looks them up by the
#: (chain, holder, asset) index rather than scanning every licence of the asset.
MANY_WITH_STATE_SQL = f"""
    WITH c AS ({{cursor}}),
         q AS (SELECT * FROM unnest(CAST(:assets AS bigint[]), CAST(:holders AS varchar[]))
                    AS q(asset_id, holder))
    SELECT q.asset_id, q.holder, c.chain_id, c.block_number, c.block_hash, c.timestamp,
           a.owner, a.standing, a.expires_at, l.license_id, l.expires_at, l.commercial_use,
           l.derivatives_allowed, l.used_for_derivative
      FROM c CROSS JOIN q
      LEFT JOIN assets a ON a.chain_id = c.chain_id AND a.asset_id = q.asset_id
      LEFT JOIN licenses l
        ON l.chain_id = c.chain_id AND l.holder = q.holder AND l.asset_id = q.asset_id
       AND a.asset_id IS NOT NULL AND {_HELD}
"""
#: Questions one statement asks at most.
MAX_QUESTIONS_PER_STATEMENT = 1_000


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


class _Questions:
    """Questions asked in the same turn of the event loop go to Postgres as one statement.

    Under load a statement's cost is not Postgres's work (well under a millisecond) but the turns of a busy
    event loop it waits for (sending, each wait for the socket, the result), and a slot among the few
    connections: with 1 000 clients a turn takes tens of milliseconds, so one question per statement fills
    the answer cache at a few hundred questions a second, after every move of the cursor. Gathered, the
    questions of a turn share one statement (`MANY_WITH_STATE_SQL`, one snapshot like the one-question
    statement, so every answer of it is as of the same block); alone, a question waits one turn at most."""

    def __init__(self, pg: _AsyncPgConnections, sql: str) -> None:
        self._pg = pg
        self._sql = sql
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: list[tuple[int, str, asyncio.Future[list[Any]]]] = []
        self._asking: set[asyncio.Future[None]] = set()

    async def rows(self, asset: int, holder: str, params: dict[str, Any]) -> list[Any]:
        """The rows `WITH_STATE_SQL` gives for (asset, holder); `params` hold the other parameters."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._waiting = loop, []
        future: asyncio.Future[list[Any]] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._ask, params)
        self._waiting.append((asset, holder, future))
        return await future

    def _ask(self, params: dict[str, Any]) -> None:
        waiting, self._waiting = self._waiting, []
        for start in range(0, len(waiting), MAX_QUESTIONS_PER_STATEMENT):
            part = waiting[start : start + MAX_QUESTIONS_PER_STATEMENT]
            task = asyncio.ensure_future(self._answer(part, params))
            self._asking.add(task)  # the loop keeps weak references only
            task.add_done_callback(self._asking.discard)

    async def _answer(
        self, waiting: list[tuple[int, str, asyncio.Future[list[Any]]]], params: dict[str, Any]
    ) -> None:
        pairs = list(dict.fromkeys((asset, holder) for asset, holder, _ in waiting))
        try:
            rows = await self._pg.fetch(
                self._sql,
                {**params, "assets": [a for a, _ in pairs], "holders": [h for _, h in pairs]},
            )
        except BaseException as exc:
            for _, _, future in waiting:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        by_pair: dict[tuple[int, str], list[Any]] = {}
        for row in rows:
            by_pair.setdefault((row[0], row[1]), []).append(row[2:])
        for asset, holder, future in waiting:
            if not future.done():
                future.set_result(by_pair.get((asset, holder), []))


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
        self._reads = 0  # cursor reads remembered so far
        # Reads in flight on `_flights_loop` (`_CURSOR` or a question), each with an event set when it ends.
        self._flights_loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: dict[object, asyncio.Event] = {}
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
            self._pg_cursor = _pg_sql(cursor)
            self._questions = _Questions(self._pg, _pg_sql(MANY_WITH_STATE_SQL.format(cursor=cursor)))

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
            if question:
                asset, holder = params.pop("asset_id"), params.pop("holder")
                return await self._questions.rows(asset, holder, params)
            return await self._pg.fetch(self._pg_cursor, params)
        return await run_in_threadpool(
            self._sqlite_rows, self._question_text if question else self._cursor_text, params
        )

    # ── caches of database state ──

    def _remember_state(self, state: ChainState, now: float) -> None:
        self._reads += 1
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

    def _flights(self) -> dict[object, asyncio.Event]:
        """The reads in flight on the running loop (a new loop, as in tests, starts with none)."""
        loop = asyncio.get_running_loop()
        if loop is not self._flights_loop:
            self._flights_loop, self._in_flight = loop, {}
        return self._in_flight

    async def answer(self, asset: int, account: str, use: Use, if_none_match: str | None) -> Answer:
        """The response to one question (`account` already checksummed): 200 with the JSON answer, 304 when
        `if_none_match` names the current ETag, 503 when the database cannot answer.

        Single flight: a request that a read already in flight will answer (the stale cursor's read, or the
        same question's while its answer is not cached) waits for that read instead of queueing a statement
        of its own behind the connection slots, then uses its result; it counts as fresh, since it completed
        after the request arrived. Without this, the first request after each TTL, or after the cursor
        moved, let every client in that instant run a query: with 1 000 clients, a queue of ~1 000 statements
        and a second of latency for the requests at its end."""
        key = (asset, account, use)
        fresh = self._state is not None and time.monotonic() < self._state_until
        flight: object = None
        if not fresh:
            flight = _CURSOR if self._cache_size or if_none_match else None
        elif self._cache_size and key not in self._answers:
            flight = key
        lead = None
        flights = self._flights() if flight is not None else self._in_flight
        if flight is not None:
            event = flights.get(flight)
            if event is None:
                lead = flights[flight] = asyncio.Event()
            else:
                reads = self._reads
                await event.wait()
                fresh = self._reads != reads or (
                    self._state is not None and time.monotonic() < self._state_until
                )
        try:
            return await self._answer(key, if_none_match, fresh)
        finally:
            if lead is not None:
                flights.pop(flight, None)
                lead.set()

    async def _answer(self, key: tuple[int, str, Use], if_none_match: str | None, fresh: bool) -> Answer:
        asset, account, use = key
        if if_none_match and not fresh:
            try:
                rows = await self._rows(False, {})
            except self._db_errors as exc:
                return self._error(exc)
            state = state_from_row(rows[0] if rows else None, self._chain_id)
            self._remember_state(state, time.monotonic())
            fresh = True
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
