"""Platform API keys on requests: `Authorization: Bearer gip_…` (`genip.platforms`).

* `PlatformDep`: routes only platforms may call; 401 with `WWW-Authenticate: Bearer` without a key, 401
  for a malformed, unknown, revoked, expired or removed key.
* `OptionalPlatformDep`: routes open to everyone that do more for a platform (its quota, its uploads):
  None without an `Authorization` header, and the same 401 as above for a key that does not work (a platform
  that sent a wrong key should hear so, not be treated as anonymous).

`PlatformKeys` remembers each key's answer for `ttl` seconds (default 10), so a platform's steady traffic
costs one database lookup per key per 10 s; a revoked key therefore stops within 10 s in every API process.
One instance per app (`app.state.platform_keys`), also used by the rate limiter to tell a key's quota.
"""

import hashlib
import threading
import time
from typing import Annotated, Any, Final

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from genip.platforms import PlatformView, authenticate

__all__ = [
    "BEARER_ERRORS",
    "INVALID_KEY",
    "WWW_AUTHENTICATE",
    "OptionalPlatformDep",
    "PlatformDep",
    "PlatformKeys",
    "bearer_key",
    "keys_of_app",
    "optional_platform",
    "platform_keys",
    "require_platform",
]

DEFAULT_TTL: Final = 10.0
_MAX_ENTRIES: Final = 10_000

#: The 401 every key-checking route documents (schemathesis checks each 4xx is published).
BEARER_ERRORS: Final[dict[int | str, dict[str, object]]] = {
    401: {"description": "No platform API key (`Authorization: Bearer gip_…`), or one that does not work."},
}


class PlatformKeys:
    """Bearer keys to platforms, checked against the database and remembered for `ttl` seconds."""

    def __init__(self, engine: Engine, ttl: float = DEFAULT_TTL) -> None:
        self._engine = engine
        self._ttl = ttl
        self._answers: dict[str, tuple[float, PlatformView | None]] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[bool, PlatformView | None]:
        """(True, the answer) when `key`'s answer is remembered and fresh, else (False, None). Never blocks
        on the database (the rate limiter asks this first, on the event loop)."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        with self._lock:
            hit = self._answers.get(digest)
        if hit is not None and time.monotonic() - hit[0] < self._ttl:
            return True, hit[1]
        return False, None

    def lookup(self, key: str) -> PlatformView | None:
        """The live platform of `key`, or None. Blocking (a database read on a miss)."""
        known, platform = self.cached(key)
        if known:
            return platform
        digest = hashlib.sha256(key.encode()).hexdigest()
        now = time.monotonic()
        platform = authenticate(self._engine, key)
        with self._lock:
            if len(self._answers) >= _MAX_ENTRIES:  # unknown keys could otherwise grow it without end
                self._answers.clear()
            self._answers[digest] = (now, platform)
        return platform


def platform_keys(request: Request) -> PlatformKeys:
    """The app's `PlatformKeys`, made on first use."""
    return keys_of_app(request.app)


def keys_of_app(app: Any) -> PlatformKeys:
    """`app.state.platform_keys`, made on first use (for middleware, which has the app but no request)."""
    keys: PlatformKeys | None = getattr(app.state, "platform_keys", None)
    if keys is None:
        keys = PlatformKeys(app.state.autocommit_engine)
        app.state.platform_keys = keys
    return keys


def bearer_key(authorization: str | None) -> str | None:
    """The key of an `Authorization: Bearer …` header value; None without one; ValueError when the header
    is there but is not a bearer credential."""
    if authorization is None:
        return None
    scheme, _, key = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ValueError("the Authorization header must read `Bearer <platform API key>`")
    return key.strip()


#: What a request with a key that does not work hears (here and from the rate limiter, before any route).
INVALID_KEY: Final = "this API key is not valid: unknown, revoked, expired or of a removed platform"
WWW_AUTHENTICATE: Final = 'Bearer realm="genip"'


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


def optional_platform(request: Request) -> PlatformView | None:
    """The platform whose key the request carries; None without `Authorization`; 401 for a bad key."""
    try:
        key = bearer_key(request.headers.get("authorization"))
    except ValueError as exc:
        raise _unauthorized(str(exc)) from None
    if key is None:
        return None
    platform = platform_keys(request).lookup(key)
    if platform is None:
        raise _unauthorized(INVALID_KEY)
    return platform


def require_platform(platform: Annotated[PlatformView | None, Depends(optional_platform)]) -> PlatformView:
    """The platform whose key the request carries; 401 without one."""
    if platform is None:
        raise _unauthorized("this needs a platform API key: send `Authorization: Bearer gip_…`")
    return platform


PlatformDep = Annotated[PlatformView, Depends(require_platform)]
OptionalPlatformDep = Annotated[PlatformView | None, Depends(optional_platform)]
