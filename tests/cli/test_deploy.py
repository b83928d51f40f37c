"""`genip deploy`: any RPC, key from the environment; failures are one red line and exit code 1."""

import json
import subprocess
from pathlib import Path

from eth_account import Account

from genip.chain.accounts import dev_account
from genip.chain.anvil import free_port
from genip.chain.client import GenIPClient
from genip.chain.deployment import read_deployment
from tests.cli.conftest import run_genip
from tests.helpers import ETH

FUNDED_KEY = dev_account(8).key.hex()


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    err = result.stderr.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith("error:"), err
    return err


def test_deploy_with_a_key_from_a_named_env_var(
    genip_env: dict[str, str], tmp_path: Path, client: GenIPClient
) -> None:
    genip_env["MY_DEPLOYER_KEY"] = FUNDED_KEY
    args = ["deploy", "--rpc-url", client.deployment.rpc_url, "--key-env", "MY_DEPLOYER_KEY", "--json"]
    arbiter = dev_account(9).address
    result = run_genip([*args, "--fee-bps", "300", "--demo-token", "--arbiter", arbiter], genip_env, tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert FUNDED_KEY.removeprefix("0x") not in result.stdout + result.stderr
    deployment = read_deployment(Path(info["deployment_file"]))
    assert deployment.deployer == dev_account(8).address
    assert deployment.fee_bps == 300 and deployment.demo_token is not None
    opened = GenIPClient.open(deployment, w3=client.w3)
    assert opened.hub.functions.platformFee().call() == [300, dev_account(8).address]
    assert opened.hub.functions.balanceOf(dev_account(8).address, ETH).call() == 0
    court = opened.court.functions
    assert court.hasRole(court.ARBITER_ROLE().call(), arbiter).call() is True
    assert opened.hub.functions.court().call() == deployment.court


def test_deploy_refuses_an_arbiter_that_is_not_an_address(genip_env: dict[str, str], tmp_path: Path) -> None:
    genip_env["GENIP_PRIVATE_KEY"] = FUNDED_KEY
    err = _one_line_error(
        run_genip(["deploy", "--rpc-url", "http://127.0.0.1:1", "--arbiter", "bob"], genip_env, tmp_path)
    )
    assert "--arbiter 'bob' is not an address" in err


def test_deploy_prints_a_table(genip_env: dict[str, str], tmp_path: Path, client: GenIPClient) -> None:
    genip_env["GENIP_PRIVATE_KEY"] = FUNDED_KEY
    genip_env["GENIP_RPC_URL"] = client.deployment.rpc_url
    result = run_genip(["deploy"], genip_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "LicensingHub" in result.stdout and client.deployment.rpc_url in result.stdout


def test_rpc_down_is_one_line(genip_env: dict[str, str], tmp_path: Path) -> None:
    genip_env["GENIP_PRIVATE_KEY"] = FUNDED_KEY
    port = free_port()
    err = _one_line_error(run_genip(["deploy", "--rpc-url", f"http://127.0.0.1:{port}"], genip_env, tmp_path))
    assert f"127.0.0.1:{port}" in err and "unavailable" in err


def test_a_secret_in_the_rpc_url_is_not_printed(genip_env: dict[str, str], tmp_path: Path) -> None:
    genip_env["GENIP_PRIVATE_KEY"] = FUNDED_KEY
    url = f"http://127.0.0.1:{free_port()}/v3/sekrit-api-key"
    err = _one_line_error(run_genip(["deploy", "--rpc-url", url], genip_env, tmp_path))
    assert "sekrit" not in err


def test_missing_key_is_one_line(genip_env: dict[str, str], tmp_path: Path, client: GenIPClient) -> None:
    err = _one_line_error(run_genip(["deploy", "--rpc-url", client.deployment.rpc_url], genip_env, tmp_path))
    assert "GENIP_PRIVATE_KEY" in err


def test_malformed_key_is_one_line_and_not_echoed(
    genip_env: dict[str, str], tmp_path: Path, client: GenIPClient
) -> None:
    genip_env["GENIP_PRIVATE_KEY"] = "0xdeadbeefnotakey"
    err = _one_line_error(run_genip(["deploy", "--rpc-url", client.deployment.rpc_url], genip_env, tmp_path))
    assert "GENIP_PRIVATE_KEY" in err and "deadbeef" not in err


def test_unfunded_key_is_one_line(genip_env: dict[str, str], tmp_path: Path, client: GenIPClient) -> None:
    key = Account.create().key.hex()
    genip_env["GENIP_PRIVATE_KEY"] = key
    err = _one_line_error(run_genip(["deploy", "--rpc-url", client.deployment.rpc_url], genip_env, tmp_path))
    assert "GenIPRegistry" in err and key.removeprefix("0x") not in err


def test_missing_rpc_url_is_one_line(genip_env: dict[str, str], tmp_path: Path) -> None:
    genip_env["GENIP_PRIVATE_KEY"] = FUNDED_KEY
    err = _one_line_error(run_genip(["deploy"], genip_env, tmp_path))
    assert "--rpc-url" in err


def test_invalid_settings_are_one_line(genip_env: dict[str, str], tmp_path: Path) -> None:
    genip_env["GENIP_FEE_BPS"] = "lots"
    err = _one_line_error(run_genip(["deploy"], genip_env, tmp_path))
    assert "GENIP_FEE_BPS" in err
