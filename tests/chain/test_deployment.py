"""Deployment files: written per chain plus current.json, read back equal, malformed ones refused."""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from genip.chain.deployment import Deployment, read_deployment, write_deployment
from genip.errors import DeploymentError

ADDR = "0x5fbdb2315678afecb367f032d93f642f64180aa3"


def sample(chain_id: int = 31337) -> Deployment:
    return Deployment(
        chain_id=chain_id,
        rpc_url="http://127.0.0.1:8545",
        registry=ADDR,
        hub=ADDR,
        license_token=ADDR,
        court=ADDR,
        demo_token=None,
        deploy_block=1,
        deployer=ADDR,
        fee_bps=250,
        fee_recipient=ADDR,
        source_hash="ab" * 32,
        deployed_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def test_addresses_are_stored_checksummed() -> None:
    assert sample().registry == "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_write_then_read_round_trips_through_both_files(tmp_path: Path) -> None:
    path = write_deployment(sample(), tmp_path)
    assert path == tmp_path / "31337.json"
    assert read_deployment(path) == sample()
    assert read_deployment(tmp_path / "current.json") == sample()


def test_a_second_chain_moves_current_but_keeps_the_first(tmp_path: Path) -> None:
    write_deployment(sample(1), tmp_path)
    write_deployment(sample(2), tmp_path)
    assert read_deployment(tmp_path / "current.json").chain_id == 2
    assert read_deployment(tmp_path / "1.json").chain_id == 1


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="genip chain up"):
        read_deployment(tmp_path / "current.json")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(registry="0x1234"),
        lambda d: d.pop("hub"),
        lambda d: d.update(surprise=1),
        lambda d: d.update(chain_id=0),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, mutate: Callable[[dict[str, Any]], object]) -> None:
    data = json.loads(sample().to_json())
    mutate(data)
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DeploymentError, match="malformed"):
        read_deployment(path)


def test_non_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text("{not json")
    with pytest.raises(DeploymentError, match="malformed"):
        read_deployment(path)
