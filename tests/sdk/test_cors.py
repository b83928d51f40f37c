"""CORS over real HTTP (uvicorn, on a migrated database of each backend): a platform's page on another
origin may call the public reads — the licence-status fast path (`GET`), the batch (`POST`, preflighted),
badges, certificates, `/sdk/genip.js` — and nothing else; preflights are answered with the methods each route
allows; origins come from `GENIP_API_CORS_ORIGINS` (default `*`), never with credentials."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import ValidationError
from sqlalchemy import Engine

from api.app import create_app
from api.settings import ApiSettings
from tests.indexer.conftest import db_url, engine
from tests.sdk.conftest import free_port

__all__ = ["db_url", "engine"]

PAGE = "https://pixel.example"
ACCOUNT = "0x00000000000000000000000000000000000000B0"
ASSET = 7


def _status_url(base: str) -> str:
    return f"{base}/licenses/status?asset={ASSET}&account={ACCOUNT}&use=display"


def _no_cors(response: httpx.Response) -> None:
    assert "access-control-allow-origin" not in response.headers, response.headers


def test_the_status_fast_path_and_the_batch_answer_other_origins(served: str) -> None:
    with httpx.Client(timeout=10) as http:
        plain = http.get(_status_url(served))
        assert plain.status_code == 200 and plain.json()["asset_status"] == "unregistered"
        _no_cors(plain)  # no Origin (same-origin or server-side): the hot path is untouched

        got = http.get(_status_url(served), headers={"Origin": PAGE})
        assert got.status_code == 200 and got.json()["asset"] == ASSET
        assert got.headers["access-control-allow-origin"] == "*"
        exposed = {h.strip().lower() for h in got.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "retry-after"} <= exposed
        assert "access-control-allow-credentials" not in got.headers
        assert got.content == plain.content  # the same bytes from the same fast path

        again = http.get(_status_url(served), headers={"Origin": PAGE, "If-None-Match": got.headers["etag"]})
        assert again.status_code == 304 and again.headers["access-control-allow-origin"] == "*"

        preflight = http.options(
            f"{served}/licenses/status",
            headers={
                "Origin": PAGE,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert preflight.headers["access-control-max-age"] == "600"
        assert "content-type" in preflight.headers["access-control-allow-headers"].lower()

        item = {"asset": ASSET, "account": ACCOUNT, "use": "display"}
        batch = http.post(f"{served}/licenses/status", json={"items": [item]}, headers={"Origin": PAGE})
        assert batch.status_code == 200 and batch.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    "path",
    [
        "/sdk/genip.js",
        "/assets",
        "/assets/7",
        "/assets/7/badge.svg",
        "/licenses/3",
        "/prompts/checker-key",
        f"/profiles/{ACCOUNT}",  # its PUT (a signed write) is refused by the preflight below
    ],
)
def test_the_public_reads_answer_other_origins(served: str, path: str) -> None:
    url = served + path
    got = httpx.get(url, headers={"Origin": PAGE}, timeout=10)  # found or not (404), the page may read it
    assert got.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        url,
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
        timeout=10,
    )
    assert preflight.status_code == 200 and "GET" in preflight.headers["access-control-allow-methods"]
    assert "POST" not in preflight.headers["access-control-allow-methods"]
    # A write to a read route is not allowed across origins (the preflight refuses the method).
    refused = httpx.options(url, headers={"Origin": PAGE, "Access-Control-Request-Method": "PUT"}, timeout=10)
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/webhooks"),  # platform-key routes: a key must never sit in a page
        ("POST", "/platform/registrations"),
        ("POST", "/uploads"),  # signed writes
        ("GET", "/accounts/0x0000000000000000000000000000000000000001/reports"),  # a signed read
        ("POST", "/match/hashes"),
    ],
)
def test_everything_else_gets_no_cors(served: str, method: str, path: str) -> None:
    preflight = httpx.options(
        served + path,
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=10,
    )
    _no_cors(preflight)
    _no_cors(httpx.request(method, served + path, headers={"Origin": PAGE}, timeout=10))


@pytest.fixture
def served(tmp_path: Path, db_url: str, engine: Engine) -> Iterator[str]:
    """The API with its default settings (CORS for `*`)."""
    yield from _serve(ApiSettings(data_dir=tmp_path, database_url=db_url))


def _serve(settings: ApiSettings) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="cors-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def listed(tmp_path: Path, db_url: str, engine: Engine) -> Iterator[str]:
    """An API allowing two origins (from the environment's comma-separated form)."""
    settings = ApiSettings(
        data_dir=tmp_path, database_url=db_url, api_cors_origins="https://a.example, http://localhost:5173"
    )
    assert settings.api_cors_origins == ["https://a.example", "http://localhost:5173"]
    yield from _serve(settings)


def test_configured_origins_only(listed: str) -> None:
    url = f"{listed}/licenses/status?asset=1&account=0x0000000000000000000000000000000000000001"
    for origin in ("https://a.example", "http://localhost:5173"):
        got = httpx.get(url, headers={"Origin": origin}, timeout=10)  # no chain indexed yet: any answer
        assert got.headers["access-control-allow-origin"] == origin
        assert "origin" in got.headers["vary"].lower()
    _no_cors(httpx.get(url, headers={"Origin": "https://evil.example"}, timeout=10))
    preflight = httpx.options(
        f"{listed}/licenses/status",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert preflight.status_code == 400
    _no_cors(preflight)


def test_cors_off_and_bad_settings(tmp_path: Path) -> None:
    assert ApiSettings(data_dir=tmp_path, api_cors_origins="").api_cors_origins == []
    assert ApiSettings(data_dir=tmp_path, api_cors_origins='["https://a.example"]').api_cors_origins == [
        "https://a.example"
    ]
    for bad, message in [
        ("*,https://a.example", "give it alone"),
        ("https://a.example/", "not an origin"),
        ("a.example", "not an origin"),
    ]:
        with pytest.raises(ValidationError, match=message):
            ApiSettings(data_dir=tmp_path, api_cors_origins=bad)
