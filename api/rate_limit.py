"""Rate limits per client IP, and higher ones per platform API key: a pure ASGI middleware (`RateLimit`).

Every request counts except those of `EXEMPT_PATHS` (health, metrics: the operator's probes; the page shell,
its bundled files and icons: static, cached by browsers, and a page load would otherwise spend a visitor's
quota before any API call) and those of exempt clients (`GENIP_API_RATE_LIMIT_EXEMPT`, by default this
host's loopback addresses: the operator's tools, benchmarks and tests). It sits outside the licence-status
and search fast paths, so they count too, and inside the metrics middleware, so 429s are counted there.

* A request without `Authorization` counts against its client IP's quota (`GENIP_API_RATE_LIMIT_PER_IP`).
  The client IP is the socket peer; the `X-Forwarded-For` header is read only when the peer is a trusted
  proxy (`GENIP_API_TRUSTED_PROXIES`), right to left, skipping trusted proxies.
* A request with a working `Authorization: Bearer gip_…` counts against its platform's quota
  (`GENIP_API_RATE_LIMIT_PER_KEY`; all keys of a platform share it, so a rotation does not reset it).
* A request with a key that does not work is answered 401 here, before any route (exempt clients too), and
  counts against its IP's quota (a 401 costs as much as an anonymous request: guessing keys is limited too).

Over quota: 429 with `Retry-After` (seconds until the window resets), `RateLimit-Limit`, `RateLimit-Remaining`
and `RateLimit-Reset` (the IETF draft's fields; sent on 429 only, as working them out costs a storage read
per request) and a JSON `detail`. Counting uses the `limits` library's fixed-window storage, in this
process's memory (`memory://`) or in Redis (`redis://…`), which every API process using the same Redis and
prefix shares. When Redis cannot be reached, requests go through unlimited (an outage of the limiter is not
one of the API) and a warning is logged at most once a minute.
"""

import ipaddress
import logging
import math
import time
from typing import Any, Final

import orjson
from anyio import to_thread
from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.storage import MemoryStorage, storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from api.platform_auth import INVALID_KEY, WWW_AUTHENTICATE, bearer_key, keys_of_app
from api.settings import ApiSettings

__all__ = ["EXEMPT_PATHS", "ClientAddress", "RateLimit", "storage_uri"]

log = logging.getLogger(__name__)

#: Paths that never count: exact paths, and prefixes ending in '/'.
EXEMPT_PATHS: Final = frozenset({"/health", "/metrics", "/", "/favicon.ico", "/favicon.svg"})
EXEMPT_PREFIXES: Final = ("/static/",)
_WARN_EVERY: Final = 60.0
_KEY_CACHE: Final = 50_000
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def storage_uri(setting: str) -> str:
    """The `limits` async storage URI of `GENIP_API_RATE_LIMIT_STORAGE` (`redis://…` → `async+redis://…`)."""
    return setting if setting.startswith("async+") else "async+" + setting


class ClientAddress:
    """The client IP of a request: the socket peer, or what a trusted proxy says in `X-Forwarded-For`."""

    def __init__(self, trusted: list[str], exempt: list[str]) -> None:
        self._trusted = [ipaddress.ip_network(t, strict=False) for t in trusted]
        self._exempt_names = {e for e in exempt if e == "testclient"}
        self._exempt = [ipaddress.ip_network(e, strict=False) for e in exempt if e != "testclient"]
        # Answers per address string: a server sees few distinct peers; bounded all the same.
        self._is_trusted: dict[str, bool] = {}
        self._is_exempt: dict[str, bool] = {}

    @staticmethod
    def _member(host: str, networks: list[_Network], memo: dict[str, bool]) -> bool:
        known = memo.get(host)
        if known is None:
            try:
                address = ipaddress.ip_address(host)
            except ValueError:
                known = False
            else:
                if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                    address = address.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack socket
                known = any(address in n for n in networks)
            if len(memo) >= 10_000:
                memo.clear()
            memo[host] = known
        return known

    def of(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = str(client[0]) if client else ""
        if not self._trusted or not self._member(peer, self._trusted, self._is_trusted):
            return peer
        forwarded = [
            part.strip()
            for name, value in scope["headers"]
            if name == b"x-forwarded-for"
            for part in value.decode("latin-1").split(",")
        ]
        for hop in reversed(forwarded):
            if not self._member(hop, self._trusted, self._is_trusted):
                return hop if self._valid(hop) else peer
        return forwarded[0] if forwarded and self._valid(forwarded[0]) else peer

    def _valid(self, host: str) -> bool:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True

    def exempt(self, host: str) -> bool:
        return host in self._exempt_names or self._member(host, self._exempt, self._is_exempt)


class RateLimit:
    """Pure ASGI middleware: counts each request against its client IP's or its platform's quota."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self._per_ip: list[RateLimitItem] = parse_many(settings.api_rate_limit_per_ip)
        self._per_key: list[RateLimitItem] = parse_many(settings.api_rate_limit_per_key)
        self._uri = storage_uri(settings.api_rate_limit_storage)
        self._prefix = settings.api_rate_limit_prefix
        self._clients = ClientAddress(settings.api_trusted_proxies, settings.api_rate_limit_exempt)
        self._memory: MemoryStorage | None = None
        self._storage: Storage | None = None
        self._key_cache: dict[
            tuple[str, str], tuple[list[RateLimitItem], list[tuple[RateLimitItem, str]]]
        ] = {}
        self._warned = -math.inf

    def _make_storage(self) -> None:
        # Made on the first request, inside the server's event loop (the async storages bind to it). In
        # memory the synchronous storage is used: it never waits, and `limits`' async memory storage starts
        # a task per request to expire its keys (several times the cost).
        if self._uri.startswith("async+memory"):
            self._memory = MemoryStorage()
            return
        storage = storage_from_string(self._uri, key_prefix=self._prefix)
        if not isinstance(storage, Storage):
            raise ValueError(f"not an async rate-limit storage: {self._uri.split('://')[0]}")
        self._storage = storage

    def _keys(self, items: list[RateLimitItem], who: tuple[str, str]) -> list[tuple[RateLimitItem, str]]:
        """Each item with its counter's key for `who` (built once per client: `key_for` is a third of the
        cost of counting in memory)."""
        cache = self._key_cache
        found = cache.get(who)
        if found is None or found[0] is not items:
            if len(cache) >= _KEY_CACHE:
                cache.clear()
            found = cache[who] = (items, [(item, item.key_for(*who)) for item in items])
        return found[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = self._clients.of(scope)
        exempt = self._clients.exempt(client)
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        if authorization is None:
            if exempt or not await self._over(self._per_ip, ("ip", client), send, "client IP"):
                await self.app(scope, receive, send)
            return
        platform = await self._platform(scope, authorization)
        if platform is None:  # the same 401 on every route, exempt clients too
            if exempt or not await self._over(self._per_ip, ("ip", client), send, "client IP"):
                await _answer(send, 401, {"detail": INVALID_KEY}, [(b"www-authenticate", WWW_AUTHENTICATE)])
            return
        if exempt or not await self._over(self._per_key, ("platform", str(platform)), send, "API key"):
            await self.app(scope, receive, send)

    async def _platform(self, scope: Scope, authorization: str) -> int | None:
        """The id of the platform whose key `authorization` carries, or None for one that does not work."""
        try:
            key = bearer_key(authorization)
        except ValueError:
            return None
        if key is None:
            return None
        keys = keys_of_app(scope["app"])
        known, platform = keys.cached(key)
        if not known:
            platform = await to_thread.run_sync(keys.lookup, key)
        return None if platform is None else platform.id

    async def _over(self, items: list[RateLimitItem], who: tuple[str, str], send: Send, what: str) -> bool:
        """Counts the request (fixed windows); True (having answered 429) when one of `items` is spent."""
        if self._memory is None and self._storage is None:
            self._make_storage()
        try:
            for item, key in self._keys(items, who):
                if self._memory is not None:
                    count = self._memory.incr(key, item.get_expiry())
                else:
                    assert self._storage is not None
                    count = await self._storage.incr(key, item.get_expiry())
                if count > item.amount:
                    if self._memory is not None:
                        reset = self._memory.get_expiry(key)
                    else:
                        assert self._storage is not None
                        reset = await self._storage.get_expiry(key)
                    await self._too_many(send, item, reset, what)
                    return True
        except Exception as exc:  # the storage (Redis) is down: serve unlimited rather than fail
            now = time.monotonic()
            if now - self._warned >= _WARN_EVERY:
                self._warned = now
                log.warning("rate limits not applied: the storage cannot be reached (%s)", type(exc).__name__)
        return False

    @staticmethod
    async def _too_many(send: Send, item: RateLimitItem, reset: float, what: str) -> None:
        wait = max(1, math.ceil(reset - time.time()))
        per = f"{item.multiples} {item.GRANULARITY.name}" if item.multiples > 1 else item.GRANULARITY.name
        detail = f"too many requests: {item.amount} per {per} for this {what}; retry after {wait} s"
        headers = [
            (b"retry-after", str(wait)),
            (b"ratelimit-limit", str(item.amount)),
            (b"ratelimit-remaining", "0"),
            (b"ratelimit-reset", str(wait)),
        ]
        await _answer(send, 429, {"detail": detail, "retry_after": wait}, headers)


async def _answer(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, str]]) -> None:
    content = orjson.dumps(body)
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        *((name, value.encode("latin-1")) for name, value in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": content})
