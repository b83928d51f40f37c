"""The marketplace web page: `mount_web(app, directory)` serves the built page (`web/dist`).

`/` is `index.html` (never cached, so a new build is picked up at once) and `/static/...` the bundled files,
cached for a year when their names carry a content hash (Vite names them `name-<hash>.js`).
"""

import re
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["mount_web"]

_HASHED_NAME = re.compile(r"-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
_NO_CACHE: Final = "no-cache"
_IMMUTABLE: Final = "public, max-age=31536000, immutable"


class _Static(StaticFiles):
    """Bundled files: a year of caching for content-hashed names, revalidation for the rest."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            hashed = _HASHED_NAME.search(path) is not None
            response.headers["Cache-Control"] = _IMMUTABLE if hashed else _NO_CACHE
        return response


def mount_web(app: FastAPI, directory: Path) -> None:
    """Serve the built page in `directory` (`index.html` at `/`, bundled files under `/static/`).

    A missing build is not fatal: `/` then answers 503 saying how to build it, and the API works as before.
    """
    index = directory / "index.html"
    static = directory / "static"

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        if not index.is_file():
            return Response(
                f"the web page is not built: run `make setup` (npm run build in web/); looked in {directory}",
                status_code=503,
                media_type="text/plain; charset=utf-8",
            )
        return FileResponse(
            index, media_type="text/html; charset=utf-8", headers={"Cache-Control": _NO_CACHE}
        )

    # The icons the browser asks for at the root (Vite copies web/public/ there); a missing one is a 404.
    for name, media_type in (("favicon.ico", "image/x-icon"), ("favicon.svg", "image/svg+xml")):
        _icon(app, directory / name, media_type)

    app.mount("/static", _Static(directory=static, check_dir=False), name="static")


def _icon(app: FastAPI, path: Path, media_type: str) -> None:
    @app.get(f"/{path.name}", include_in_schema=False)
    def icon() -> Response:
        if not path.is_file():
            return Response(status_code=404)
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
