"""Settings come from GENIP_* variables, with defaults under the working directory."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from genip.settings import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATA_DIR",
        "RPC_URL",
        "DEPLOYMENT_FILE",
        "FEE_BPS",
        "FEE_RECIPIENT",
        "ANVIL_BIN",
        "KEY_ENV",
    ):
        monkeypatch.delenv(f"GENIP_{name}", raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.data_dir == tmp_path / ".genip"
    assert settings.rpc_url is None
    assert settings.fee_bps == 250
    assert settings.key_env == "GENIP_PRIVATE_KEY"
    assert settings.deployment_path() == tmp_path / ".genip" / "deployments" / "current.json"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GENIP_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("GENIP_RPC_URL", "http://127.0.0.1:9999")
    monkeypatch.setenv("GENIP_FEE_BPS", "100")
    monkeypatch.setenv("GENIP_DEPLOYMENT_FILE", str(tmp_path / "x.json"))
    settings = Settings()
    assert settings.deployments_dir == tmp_path / "d" / "deployments"
    assert settings.rpc_url == "http://127.0.0.1:9999"
    assert settings.fee_bps == 100
    assert settings.deployment_path() == tmp_path / "x.json"


def test_out_of_range_fee_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENIP_FEE_BPS", "10001")
    with pytest.raises(ValidationError):
        Settings()
