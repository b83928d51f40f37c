"""`genip license document LICENSE_ID [-o PATH]`: the licence's PDF, as the API serves it.

The document is fetched from the API (`GET /licenses/{id}/document`) rather than built here, so the CLI, the
dashboard and the API hand out the very same bytes from the same indexed facts. The API is `--api`, else
GENIP_API_URL, else the running demo's of this data directory (`<data dir>/demo-api-url`, as `genip
register` finds it), else http://127.0.0.1:8000.
"""

from pathlib import Path
from typing import Annotated

import typer

from cli.context import JsonOption, settings_of
from cli.output import emit
from genip.errors import ConfigError, GenIPError

__all__ = ["document"]


def _target(output: Path | None, suggested: str) -> Path:
    """Where to write: `output` (a file, or a directory to put `suggested` in), else `suggested` here."""
    if output is None:
        return Path(suggested)
    if output.is_dir():
        return output / suggested
    if not output.parent.is_dir():
        raise ConfigError(f"{output.parent} is not a directory")
    return output


def _suggested_name(disposition: str, license_id: int) -> str:
    marker = 'filename="'
    if marker in disposition:
        name = disposition.split(marker, 1)[1].split('"', 1)[0]
        if name and "/" not in name and "\\" not in name and not name.startswith("."):
            return name
    return f"genip-licence-{license_id}.pdf"


def document(
    ctx: typer.Context,
    license_id: Annotated[int, typer.Argument(help="Licence id.", min=0)],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File (or directory) to write; default: the server's file name here."
        ),
    ] = None,
    api: Annotated[
        str | None, typer.Option("--api", envvar="GENIP_API_URL", help="Base URL of the Gen-IP API.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Download a licence's document (PDF): parties, work, terms, price, transaction, expiry."""
    import httpx

    from cli.prompt import DEFAULT_API, api_url

    if output is not None and not output.is_dir() and not output.parent.is_dir():
        raise ConfigError(f"{output.parent} is not a directory")  # before asking the API anything
    base = (api or api_url(settings_of(ctx)) or DEFAULT_API).rstrip("/")
    url = f"{base}/licenses/{license_id}/document"
    try:
        response = httpx.get(url, timeout=30.0)
    except httpx.HTTPError as exc:
        raise GenIPError(
            f"cannot reach the Gen-IP API at {base} ({type(exc).__name__}); set --api or GENIP_API_URL"
        ) from None
    if response.status_code != 200:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = None
        raise GenIPError(
            f"the API answered {response.status_code} for licence {license_id}: {detail or 'no detail'}"
        )
    body = response.content
    if not response.headers.get("content-type", "").startswith("application/pdf") or not body.startswith(
        b"%PDF-"
    ):
        raise GenIPError(f"{base} did not answer with a PDF for licence {license_id}; is it a Gen-IP API?")
    path = _target(output, _suggested_name(response.headers.get("content-disposition", ""), license_id))
    try:
        path.write_bytes(body)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    emit(
        {"license_id": license_id, "path": str(path), "bytes": len(body), "source": url},
        as_json=as_json,
        title=f"Licence {license_id} document",
    )
