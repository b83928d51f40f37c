"""CORS for the public reads: what a page on another origin (a platform's) may ask from the browser.

The `<genip-badge>` element and the `status` helper of `/sdk/genip.js` run on platforms' pages and call
`GET /licenses/status` there; a platform's page may also ask the batch (`POST /licenses/status`, JSON: a
preflighted request) and read certificates, lineage, badges, licences, profiles and media. Those routes —
and only those (`PUBLIC_READS`) — answer CORS, through Starlette's `CORSMiddleware`:

* origins: `GENIP_API_CORS_ORIGINS` (default `*`: the reads are public anyway); an empty list turns CORS off;
* never credentials: nothing here reads cookies, and `*` with credentials is refused by browsers anyway;
* methods: `GET`/`HEAD`, plus `POST` for `/licenses/status` alone; request headers: the CORS-safelisted ones
  and `If-None-Match` (revalidating a status answer); exposed: `ETag`, `Retry-After` and the rate-limit
  headers, so a page can revalidate and back off; preflights are cached `PREFLIGHT_MAX_AGE` seconds.

Everything else — writes, signed reads (`X-Genip-*` headers), platform-key routes (a key must never sit in a
page), the web page's own calls (same origin) — gets no CORS headers, so a browser keeps other origins out.

Mounted outside the licence-status fast path and the rate limiter (`api.app`): the fast path's answers and
429s carry the headers too, and a preflight `OPTIONS /licenses/status` is answered here, before either.
"""

import re
from collections.abc import Sequence
from typing import Final

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["EXPOSED_HEADERS", "PREFLIGHT_MAX_AGE", "PUBLIC_READS", "STATUS_READS", "PublicCors"]

#: The licence-status routes: `GET` one question, `POST` a batch.
STATUS_READS: Final = re.compile(r"/licenses/status")
#: The other public reads (`GET`, `HEAD`).
PUBLIC_READS: Final = re.compile(
    r"/assets(/[0-9]+(/(similar|disputes|lineage|badge\.svg|copy-evidence))?)?"
    r"|/licenses/[0-9]+(/document)?"
    r"|/disputes/[0-9]+"
    r"|/accounts/[^/]+(/revenue)?"
    r"|/profiles(/[^/]+)?"
    r"|/ipfs/.+"
    r"|/prompts/checker-key|/prompts/[0-9]+/check"
    r"|/sdk/genip\.js"
)
EXPOSED_HEADERS: Final = ("ETag", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
#: Seconds a browser may reuse a preflight's answer.
PREFLIGHT_MAX_AGE: Final = 600


class PublicCors:
    """Pure ASGI: requests with an `Origin` to `STATUS_READS` or `PUBLIC_READS` go through a `CORSMiddleware`
    (preflights answered, headers added); anything else goes straight on, untouched."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        common = {
            "allow_origins": list(origins),
            "allow_credentials": False,
            "allow_headers": ["If-None-Match"],
            "expose_headers": list(EXPOSED_HEADERS),
            "max_age": PREFLIGHT_MAX_AGE,
        }
        self._status = CORSMiddleware(app, allow_methods=["GET", "HEAD", "POST"], **common)  # type: ignore[arg-type]
        self._reads = CORSMiddleware(app, allow_methods=["GET", "HEAD"], **common)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(name == b"origin" for name, _ in scope["headers"]):
            path = scope["path"]
            if STATUS_READS.fullmatch(path):
                await self._status(scope, receive, send)
                return
            if PUBLIC_READS.fullmatch(path):
                await self._reads(scope, receive, send)
                return
        await self.app(scope, receive, send)  # no Origin (server-side, same-origin GETs): untouched
