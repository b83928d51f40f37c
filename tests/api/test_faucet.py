"""Demo mode's faucet (`POST /faucet`, `genip faucet`): it funds a new wallet with a fixed amount of test ETH
and demo gUSD on a real anvil, serves each address once per interval, stays off without its key or on a
chain that is not a development chain, and never shows its key."""

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from eth_account import Account
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.settings import ApiSettings
from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from genip.chain.deployment import Deployment, write_deployment
from genip.faucet import FAUCET_ETH_WEI, FAUCET_TOKEN_UNITS, Faucet, FaucetError

ROOT = Path(__file__).resolve().parents[2]
FAUCET_ACCOUNT = dev_account(9)
FAUCET_KEY = FAUCET_ACCOUNT.key.hex()


@dataclass
class Chain:
    anvil: Anvil
    deployment: Deployment
    client: GenIPClient
    data_dir: Path


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    data_dir = tmp_path_factory.mktemp("faucet")
    with Anvil() as node:
        w3 = connect(node.rpc_url)
        deployment = deploy(w3, dev_account(0), rpc_url=node.rpc_url, demo_token=True)
        write_deployment(deployment, data_dir / "deployments")
        yield Chain(node, deployment, GenIPClient.open(deployment, w3=w3), data_dir)


def _app(chain: Chain, *, key: str | None, interval: float = 3600.0) -> FastAPI:
    # The faucet needs no index: the schema check is off so the test stands on the chain alone.
    return create_app(
        ApiSettings(
            data_dir=chain.data_dir,
            faucet_key=SecretStr(key) if key else None,
            faucet_interval=interval,
            api_check_schema=False,
            api_web_dir=chain.data_dir / "no-web",
        )
    )


def _balances(chain: Chain, address: str) -> tuple[int, int]:
    assert chain.client.demo_token is not None
    eth = chain.client.w3.eth.get_balance(address)  # type: ignore[arg-type]
    gusd = int(chain.client.demo_token.functions.balanceOf(address).call())
    return int(eth), gusd


def test_faucet_funds_a_new_wallet_with_eth_and_gusd(chain: Chain) -> None:
    wallet = Account.create().address
    assert _balances(chain, wallet) == (0, 0)
    with TestClient(_app(chain, key=FAUCET_KEY)) as api:
        assert api.get("/config").json()["faucet"] is True
        answer = api.post("/faucet", json={"address": wallet.lower()})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["address"] == wallet
    assert (body["eth_wei"], body["token_units"]) == (str(FAUCET_ETH_WEI), str(FAUCET_TOKEN_UNITS))
    assert body["token"] == chain.deployment.demo_token
    assert len(body["tx_hashes"]) == 2
    assert _balances(chain, wallet) == (FAUCET_ETH_WEI, FAUCET_TOKEN_UNITS)


def test_faucet_serves_an_address_once_per_interval(chain: Chain) -> None:
    wallet, other = Account.create().address, Account.create().address
    with TestClient(_app(chain, key=FAUCET_KEY)) as api:
        assert api.post("/faucet", json={"address": wallet}).status_code == 200
        again = api.post("/faucet", json={"address": wallet.lower()})
        assert again.status_code == 429
        assert "funded recently" in again.json()["detail"]
        assert 3500 <= int(again.headers["Retry-After"]) <= 3601
        assert api.post("/faucet", json={"address": other}).status_code == 200  # per address, not global
    assert _balances(chain, wallet) == (FAUCET_ETH_WEI, FAUCET_TOKEN_UNITS)


def test_faucet_is_off_without_demo_mode(chain: Chain) -> None:
    wallet = Account.create().address
    with TestClient(_app(chain, key=None)) as api:
        assert api.get("/config").json()["faucet"] is False
        answer = api.post("/faucet", json={"address": wallet})
    assert answer.status_code == 403
    assert answer.json() == {"detail": "the faucet is off: it runs only in demo mode"}
    assert _balances(chain, wallet) == (0, 0)


def test_faucet_refuses_malformed_addresses_with_json(chain: Chain) -> None:
    with TestClient(_app(chain, key=FAUCET_KEY)) as api:
        bad = api.post("/faucet", json={"address": "0x1234"})
        missing = api.post("/faucet", json={})
    assert bad.status_code == 400 and "address" in bad.json()["detail"]
    assert missing.status_code == 422 and isinstance(missing.json()["detail"], list)


def test_faucet_never_sends_on_a_chain_that_is_not_a_dev_chain(chain: Chain) -> None:
    wallet = Account.create().address
    faucet = Faucet(key=SecretStr(FAUCET_KEY), rpc_url=chain.anvil.rpc_url, chain_id=1)
    with pytest.raises(FaucetError, match="local development chain"):
        faucet.grant(wallet)
    assert _balances(chain, wallet) == (0, 0)


def test_faucet_key_appears_in_no_answer_repr_or_log(chain: Chain, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bare = FAUCET_KEY.removeprefix("0x")
    with TestClient(_app(chain, key=FAUCET_KEY)) as api:
        texts = [
            api.get("/config").text,
            api.post("/faucet", json={"address": Account.create().address}).text,
        ]
        broken = Faucet(key=SecretStr(FAUCET_KEY), rpc_url="http://127.0.0.1:9", chain_id=31337)
        with pytest.raises(FaucetError) as failed:
            broken.grant(Account.create().address)
        texts += [str(failed.value), repr(broken), repr(api.app.state.faucet)]  # type: ignore[attr-defined]
    texts += [r.getMessage() for r in caplog.records]
    assert not [t for t in texts if bare in t]


def test_cli_faucet_funds_an_address_through_the_running_api(chain: Chain) -> None:
    app = _app(chain, key=FAUCET_KEY)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    wallet = Account.create().address
    env = {**os.environ, "GENIP_DATA_DIR": str(chain.data_dir)}
    env.pop("GENIP_API_URL", None)

    def genip(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        done = genip("faucet", wallet, "--api", url)
        assert done.returncode == 0, done.stderr
        assert f"sent 1 ETH and 1000 gUSD to {wallet}" in done.stdout
        assert _balances(chain, wallet) == (FAUCET_ETH_WEI, FAUCET_TOKEN_UNITS)
        again = genip("faucet", wallet, "--api", url)
        assert again.returncode == 1
        assert again.stderr.strip().splitlines() == [
            "error: the faucet refused: this address was funded recently; ask again in about 60 minutes"
        ]
        assert httpx.get(f"{url}/config").json()["faucet"] is True
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    nowhere = genip("faucet", wallet)  # no --api, no GENIP_API_URL, no demo running on this data dir
    assert nowhere.returncode == 1
    assert "no demo API found" in nowhere.stderr
