"""Prometheus metrics: a pure ASGI middleware counting requests and timing them by route template.

Metrics live in each process's memory, as Prometheus expects: scrape every API instance.
"""

import time
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUESTS", "REQUEST_SECONDS", "MetricsMiddleware"]

REQUESTS = Counter("genip_api_requests_total", "HTTP requests answered.", ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "genip_api_request_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


class MetricsMiddleware:
    """Records each HTTP request's status and duration under its route template (`/assets/{asset_id}`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The labelled series per (method, route, status): `labels()` takes a lock and builds a key each call.
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route: Any = scope.get("route")
            name = getattr(route, "path", None) or "unmatched"
            method = str(scope.get("method", ""))
            key = (method, name, str(status[0]))
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = (REQUESTS.labels(*key), REQUEST_SECONDS.labels(method, name))
            series[0].inc()
            series[1].observe(time.perf_counter() - started)
