"""`GET /sdk/genip.js`: the browser SDK, an ES module with the `<genip-badge>` element and a `status` helper.

The file is `api/static/genip.js`, served as written except for its colour table, which is filled from
`api.badge.COLOURS` (the SVG badges' colours: one home). It is read once, at import; its `ETag` is a digest
of the bytes served, so a deploy that changes it changes the tag. `Cache-Control` lets browsers and CDNs keep
it for `MAX_AGE` seconds and then revalidate (`If-None-Match` → 304), short enough that fixes reach pages
within minutes. Module scripts are fetched in CORS mode, so it carries `Access-Control-Allow-Origin: *`: any
platform's page may import it.
"""

import hashlib
import json
import re
from pathlib import Path
from typing import Final

from fastapi import APIRouter, Request, Response

from api.badge import COLOURS
from api.caching import matches, not_modified, set_validators

__all__ = ["MAX_AGE", "SOURCE", "router", "served_module"]

router = APIRouter(prefix="/sdk", tags=["sdk"])

SOURCE: Final = Path(__file__).resolve().parents[1] / "static" / "genip.js"
#: Seconds a browser or CDN may use the module without asking again.
MAX_AGE: Final = 300
_COLOURS_BLOCK: Final = re.compile(r"/\* colours: begin \*/.*?/\* colours: end \*/", re.DOTALL)
_MEDIA_TYPE: Final = "text/javascript; charset=utf-8"


def served_module(source: str) -> bytes:
    """The module's text with its colour table replaced by `COLOURS`."""
    table = "/* colours: begin */ " + json.dumps(COLOURS) + " /* colours: end */"
    text, found = _COLOURS_BLOCK.subn(lambda _: table, source)
    if found != 1:
        raise RuntimeError(f"{SOURCE.name} must hold exactly one colour table, found {found}")
    return text.encode()


_BODY: Final = served_module(SOURCE.read_text(encoding="utf-8"))
_ETAG: Final = '"' + hashlib.sha256(_BODY).hexdigest()[:32] + '"'
_CACHE: Final = f"public, max-age={MAX_AGE}"


@router.get(
    "/genip.js",
    response_class=Response,
    responses={
        200: {"content": {"text/javascript": {"schema": {"type": "string"}}}, "description": "The module."},
        304: {"description": "Not modified since the ETag in If-None-Match."},
    },
    summary="The browser SDK: <genip-badge> and a licence-status helper (ES module)",
    description=(
        '`<script type="module" src="/sdk/genip.js"></script>` then '
        '`<genip-badge asset="42" account="0x…" use="display"></genip-badge>`: the licence status from '
        "`GET /licenses/status` in plain words, coloured like the SVG badges, re-asked when an attribute "
        'changes; or `import { status } from "/sdk/genip.js"`. No dependencies, no build step.'
    ),
)
def genip_js(request: Request) -> Response:
    """The module (304 when the client's copy is current)."""
    response = (
        not_modified(_ETAG, _CACHE) if matches(request, _ETAG) else Response(_BODY, media_type=_MEDIA_TYPE)
    )
    set_validators(response, _ETAG, _CACHE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
