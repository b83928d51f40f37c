"""`GET /config` names the checker's review page when the API was told where it is
(`GENIP_CHECKER_REVIEW_URL`, set by `genip demo`), and null otherwise: the page links checker accounts to the
checker's own server and never serves prompts itself. Only an http(s) URL is accepted (the page puts it in a
link's href)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.settings import ApiSettings
from genip.chain.deployment import Deployment, write_deployment

REVIEW = "http://127.0.0.1:8790/"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory with a deployment file: `/config` reads nothing else (no chain, no index)."""
    write_deployment(
        Deployment(
            chain_id=31337,
            rpc_url="http://127.0.0.1:8545",
            registry="0x" + "11" * 20,
            hub="0x" + "22" * 20,
            license_token="0x" + "33" * 20,
            court="0x" + "44" * 20,
            deploy_block=1,
            deployer="0x" + "55" * 20,
            fee_bps=250,
            fee_recipient="0x" + "55" * 20,
            source_hash="0x" + "00" * 32,
            deployed_at=datetime.now(UTC),
        ),
        tmp_path / "deployments",
    )
    return tmp_path


def _config(data_dir: Path, settings: ApiSettings) -> dict[str, object]:
    with TestClient(create_app(settings)) as api:
        answer = api.get("/config")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _settings(data_dir: Path, **extra: object) -> ApiSettings:
    return ApiSettings(data_dir=data_dir, api_check_schema=False, api_web_dir=data_dir / "no-web", **extra)  # type: ignore[arg-type]


def test_config_names_the_review_page_from_the_environment(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GENIP_CHECKER_REVIEW_URL", REVIEW)
    config = _config(data_dir, _settings(data_dir))
    assert config["checker_review_url"] == REVIEW
    assert config["registry"] == "0x" + "11" * 20  # the rest of the answer is untouched


def test_config_has_no_review_page_unless_told(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENIP_CHECKER_REVIEW_URL", raising=False)
    assert _config(data_dir, _settings(data_dir))["checker_review_url"] is None
    monkeypatch.setenv("GENIP_CHECKER_REVIEW_URL", "  ")  # set but empty: no page either
    assert _config(data_dir, _settings(data_dir))["checker_review_url"] is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "127.0.0.1:8790", "ftp://127.0.0.1/", "http:///review", "http://a b/"]
)
def test_only_an_http_url_is_accepted(data_dir: Path, url: str) -> None:
    with pytest.raises(ValidationError, match="not an http"):
        _settings(data_dir, checker_review_url=url)
