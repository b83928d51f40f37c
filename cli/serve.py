"""`genip serve`: the HTTP API under uvicorn."""

from typing import Annotated

import typer
from rich.console import Console

from genip.errors import redact_url

__all__ = ["serve"]


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (GENIP_API_HOST).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to bind (GENIP_API_PORT).")] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="uvicorn processes (each builds the app from GENIP_*).")
    ] = 1,
) -> None:
    """Serve the API (search, licence status, accounts, media) over the indexed database."""
    import uvicorn

    from api.app import create_app
    from api.settings import ApiSettings

    settings = ApiSettings()
    bind_host = host or settings.api_host
    bind_port = settings.api_port if port is None else port
    app = create_app(settings)
    shown = f"[{bind_host}]" if ":" in bind_host else bind_host
    Console().print(
        f"Gen-IP API at http://{shown}:{bind_port} (docs: /docs) · database {redact_url(settings.db_url)}",
        highlight=False,
    )
    if workers == 1:
        uvicorn.run(app, host=bind_host, port=bind_port, log_level="warning", proxy_headers=True)
        return
    # Several processes need the app as an import string: each worker builds its own from the environment
    # (the API is stateless); the app above only checked the settings and the schema.
    app.state.engine.dispose()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        workers=workers,
        host=bind_host,
        port=bind_port,
        log_level="warning",
        proxy_headers=True,
    )
