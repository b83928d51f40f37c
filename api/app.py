"""The application factory: `create_app(settings)` wires settings, the database, the store and the routers."""

import gc
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from api.addresses import AddressError
from api.body_limits import JsonBodyLimits
from api.cors import PublicCors
from api.cpu import DEFAULT_CPU_WORKERS, configure_cpu_pool
from api.metrics import MetricsMiddleware
from api.page import mount_web
from api.params import format_error
from api.rate_limit import RateLimit
from api.routes import (
    accounts,
    assets,
    config,
    disputes,
    evidence,
    examples,
    faucet,
    hashes,
    health,
    licenses,
    match,
    match_hashes,
    media,
    metadata,
    originals,
    platform_registrations,
    profiles,
    prompts,
    reports,
    sdk_js,
    uploads,
    webhooks,
)
from api.search_fast import SearchFastPath
from api.settings import ApiSettings
from api.status_endpoint import StatusFastPath, StatusService
from genip.db.engine import make_engine, make_sessionmaker
from genip.db.migrate import require_current
from genip.recursion import restore_recursion_limit
from genip.settings import Settings
from genip.storage import open_store

__all__ = ["DESCRIPTION", "create_app"]

DESCRIPTION = """
API over the Gen-IP index: search, certificates, lineage, licence status for platforms, image matching,
accounts, media by CID, and the private prompt submissions of creators. It holds no signing key and sends no
transactions; prompts arrive sealed to the checker's public key (`GENIP_CHECKER_PUBLIC_KEY`) and stay sealed.
Every answer about chain state carries `as_of_block`, the indexer block it is true as of.

Errors are 4xx JSON with a `detail` saying what was wrong: 400 for a malformed address (checksummed EIP-55 or
all lowercase are accepted; mixed case with a wrong checksum is refused), cursor or CID; 404 for an unknown
asset; 422 for parameters out of range (page size over 100, a batch over 1 000 items, an unknown `use`,
`kind`, `tier` or `sort`). 503 only when the database (or IPFS node) cannot be reached.

Requests are rate-limited per client IP, with a higher quota per platform API key (`Authorization: Bearer
gip_…`): over quota, any route answers 429 with `Retry-After`; a key that does not work is a 401 on any route.

Stateless: any number of processes can serve the same database behind a load balancer.
"""


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """A ready app reading the database and store named by `settings` (default: from the environment)."""
    settings = settings or ApiSettings()
    # A dependency raised the limit at import: past the default, nested JSON could overrun the stack.
    restore_recursion_limit()
    configure_cpu_pool(settings.api_cpu_workers or DEFAULT_CPU_WORKERS)
    kwargs: dict[str, Any] = {}
    if not settings.db_url.startswith("sqlite"):
        # No pre-ping: it costs a round trip per request; a dropped connection fails one request (503) and
        # is replaced by the pool.
        kwargs = {
            "pool_size": settings.api_db_pool_size,
            "max_overflow": settings.api_db_pool_size,
            "pool_pre_ping": False,
        }
    engine = make_engine(settings.db_url, **kwargs)
    if settings.api_check_schema:
        require_current(engine)

    # Single-statement reads (licence status) run in autocommit: no BEGIN/ROLLBACK round trips per request,
    # and one statement is one consistent snapshot anyway. Same pool as `engine` (used for status on SQLite).
    autocommit_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    status_service = StatusService(
        autocommit_engine,
        chain_id=settings.api_chain_id,
        max_age=settings.api_status_max_age,
        cursor_ttl=settings.api_status_cursor_ttl,
        cache_size=settings.api_status_cache_size,
        pool_size=settings.api_status_db_connections,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What start-up built lives as long as the app: frozen out of the cyclic collector, so a full
        # collection under load scans the requests' objects only (with 1 000 clients: ~20 ms, not ~150 ms).
        gc.freeze()
        yield
        gc.unfreeze()
        status_service.close()
        engine.dispose()

    # FastAPI's native OpenTelemetry is off: the API exports Prometheus metrics (`/metrics`), and checking
    # for configured OTel providers costs every request several microseconds.
    app = FastAPI(
        title="Gen-IP API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.autocommit_engine = autocommit_engine
    app.state.status_service = status_service
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.store = open_store(settings.data_dir, settings.ipfs_api)
    # Innermost first: JSON bodies are bounded before the app parses them (the licence-status fast path
    # outside answers GETs only, so its hot path skips the check), all inside the metrics middleware.
    app.add_middleware(
        JsonBodyLimits, max_bytes=settings.api_max_json_bytes, max_depth=settings.api_max_json_depth
    )
    app.add_middleware(StatusFastPath, service=status_service, route=licenses.STATUS_ROUTE)
    app.add_middleware(
        SearchFastPath,
        engine=autocommit_engine,
        chain_id=settings.api_chain_id,
        size=settings.api_search_cache_size,
        ttl=settings.api_search_state_ttl,
    )
    if settings.api_rate_limit_enabled:  # outside both fast paths, so they count too; inside the metrics
        app.add_middleware(RateLimit, settings=settings)
    if settings.api_cors_origins:  # outside the limiter and the fast paths: their answers, 429s too, carry it
        app.add_middleware(PublicCors, origins=settings.api_cors_origins)
    app.add_middleware(MetricsMiddleware)

    @app.exception_handler(AddressError)
    async def bad_address(_: Request, exc: AddressError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        detail = format_error(exc.errors())
        if detail is not None:  # a malformed address, CID or cursor: 400, as documented
            return JSONResponse({"detail": detail}, status_code=400)
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:  # Starlette's Allow names the first route of the path only
            allow = _allowed_methods(app, request.url.path)
            if allow:
                exc = StarletteHTTPException(405, exc.detail, {"Allow": allow})
        return await http_exception_handler(request, exc)

    @app.exception_handler(SQLAlchemyError)
    async def database_error(_: Request, exc: SQLAlchemyError) -> JSONResponse:
        return JSONResponse({"detail": f"the database cannot answer ({type(exc).__name__})"}, status_code=503)

    for module in (assets, evidence, disputes, licenses, accounts, health, media, match, prompts, originals):
        app.include_router(module.router)
    # The marketplace page and what it needs beyond the read API (chain config, uploads, metadata).
    app.state.genip_settings = Settings(
        data_dir=settings.data_dir, database_url=settings.database_url, ipfs_api=settings.ipfs_api
    )
    for module in (config, examples, uploads, metadata):
        app.include_router(module.router)
    app.include_router(faucet.router)
    app.include_router(profiles.router)
    app.include_router(sdk_js.router)  # issue #20 part 7 (the browser SDK)
    app.include_router(match_hashes.router)  # issue #20 part 4 (hash-only matching, export)
    app.include_router(hashes.router)
    app.include_router(reports.router)  # issue #20 part 6 (reports and takedowns)
    app.include_router(platform_registrations.router)  # issue #20 part 3 (certify on upload, in bulk)
    app.include_router(webhooks.router)  # issue #20 part 5 (a platform's webhooks over the API)
    mount_web(app, settings.api_web_dir)
    return app


def _allowed_methods(app: FastAPI, path: str) -> str:
    """The `Allow` header of `path`: the methods its OpenAPI path item documents (every route of the path,
    where Starlette names only the first route's; a concrete path such as `/prompts/checker-key` before the
    templates it also matches, as OpenAPI orders them); empty for a path outside the document."""
    table: list[tuple[str, re.Pattern[str], set[str]]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = [
            (template, compile_path(template)[0], {method.upper() for method in item})
            for template, item in app.openapi().get("paths", {}).items()
        ]
        app.state.allow_table = table
    for template, _, documented in table:
        if template == path:
            return ", ".join(sorted(documented))
    methods: set[str] = set()
    for _, regex, documented in table:
        if regex.match(path):
            methods |= documented
    return ", ".join(sorted(methods))
