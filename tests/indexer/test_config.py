"""The indexer's configuration comes from one constructor (`IndexerConfig.from_settings`) in every program
that runs the indexer: `genip index` and `genip demo` hand the indexer what it builds from the same settings,
and each `GENIP_*` setting of the indexer reaches it."""

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import typer

import cli.demo.run as demo_run
import cli.index as index_command
from genip.chain.deployment import Deployment, write_deployment
from genip.settings import Settings
from indexer import runner
from indexer.config import IndexerConfig

DEPLOYMENT = Deployment(
    chain_id=31337,
    rpc_url="http://deployed.invalid:8545",
    registry="0x" + "11" * 20,
    hub="0x" + "22" * 20,
    license_token="0x" + "33" * 20,
    court="0x" + "44" * 20,
    deploy_block=7,
    deployer="0x" + "55" * 20,
    fee_bps=250,
    fee_recipient="0x" + "55" * 20,
    source_hash="test",
    deployed_at=datetime(2026, 1, 1, tzinfo=UTC),
)

#: Every setting of the indexer, as an operator sets it.
ENVIRONMENT = {
    "GENIP_RPC_URL": "http://primary.invalid:8545",
    "GENIP_RPC_FALLBACK_URLS": "http://second.invalid:8545, http://third.invalid:8545",
    "GENIP_CONFIRMATIONS": "3",
    "GENIP_REORG_WINDOW": "99",
    "GENIP_INDEX_MAX_RANGE": "20",
}


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("DATABASE_URL", "GENIP_DATABASE_URL", "GENIP_DEPLOYMENT_FILE", "GENIP_IPFS_API"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GENIP_DATA_DIR", str(tmp_path / "data"))
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_each_indexer_setting_reaches_the_config(settings: Settings) -> None:
    config = IndexerConfig.from_settings(settings, DEPLOYMENT)
    assert config.rpc_urls == (
        "http://primary.invalid:8545",
        "http://second.invalid:8545",
        "http://third.invalid:8545",
    )
    assert (config.confirmations, config.reorg_window, config.max_range) == (3, 99, 20)
    assert config.live_max_blocks == 20  # the range cap caps live ranges too
    assert (config.chain_id, config.start_block) == (31337, 7)
    d = DEPLOYMENT
    assert config.contracts == (d.registry, d.hub, d.license_token, d.court)


def test_without_settings_the_config_is_the_deployments_with_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    config = IndexerConfig.from_settings(Settings(data_dir=tmp_path), DEPLOYMENT)
    assert config == IndexerConfig.from_deployment(DEPLOYMENT)
    assert config.rpc_urls == (DEPLOYMENT.rpc_url,)


def test_overrides_win_over_settings(settings: Settings) -> None:
    config = IndexerConfig.from_settings(settings, DEPLOYMENT, confirmations=0, poll_interval=0.2)
    assert (config.confirmations, config.poll_interval, config.reorg_window) == (0, 0.2, 99)


class _Started(Exception):
    """Raised by the stand-in indexer: the entry point got as far as starting it."""


def test_genip_index_and_genip_demo_configure_the_indexer_with_the_same_function(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[IndexerConfig] = []
    given: list[IndexerConfig] = []
    from_settings = IndexerConfig.from_settings

    def spy(settings: Settings, deployment: Deployment, **overrides: Any) -> IndexerConfig:
        built.append(from_settings(settings, deployment, **overrides))
        return built[-1]

    class StandIn:
        def __init__(self, engine: object, config: IndexerConfig, **_: object) -> None:
            given.append(config)
            raise _Started

    monkeypatch.setattr(IndexerConfig, "from_settings", spy)
    for module in (runner, index_command, demo_run):  # wherever the entry points find the indexer
        if hasattr(module, "Indexer"):
            monkeypatch.setattr(module, "Indexer", StandIn)
    deployment = DEPLOYMENT.model_copy(update={"rpc_url": settings.rpc_url})  # as the demo has it
    write_deployment(deployment, settings.deployments_dir)

    with pytest.raises(_Started):
        index_command.index(cast(typer.Context, SimpleNamespace(obj=settings)))
    with pytest.raises(_Started):  # the demo's first catch-up (its follower is `genip index` itself)
        demo_run._index_once(settings, deployment)

    assert len(built) == 2 and all(a is b for a, b in zip(given, built, strict=True))
    index_config, demo_config = given
    assert index_config == demo_config == from_settings(settings, deployment)
    assert index_config.rpc_urls[1:] == ("http://second.invalid:8545", "http://third.invalid:8545")
    assert (index_config.confirmations, index_config.reorg_window, index_config.max_range) == (3, 99, 20)
