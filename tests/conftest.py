"""Session fixtures: one real anvil with the contracts deployed; each test runs in a snapshot of it."""

from collections.abc import Iterator

import pytest
from web3 import Web3

from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from genip.chain.deployment import Deployment
from tests.helpers import ARBITER, DEPLOYER, TREASURY, revert_to, snapshot


@pytest.fixture(scope="session")
def anvil_node() -> Iterator[Anvil]:
    """A real anvil, started once per session."""
    with Anvil() as node:
        yield node


@pytest.fixture(scope="session")
def w3(anvil_node: Anvil) -> Web3:
    """web3 connected to the session's anvil."""
    return connect(anvil_node.rpc_url)


@pytest.fixture(scope="session")
def deployment(w3: Web3, anvil_node: Anvil) -> Deployment:
    """The contracts deployed once per session: 2.5 % platform fee to TREASURY, with the demo ERC-20; ARBITER
    rules in the court (DEPLOYER is the admin)."""
    return deploy(
        w3,
        DEPLOYER,
        rpc_url=anvil_node.rpc_url,
        fee_bps=250,
        fee_recipient=TREASURY.address,
        demo_token=True,
        arbiter=ARBITER.address,
    )


@pytest.fixture
def client(w3: Web3, deployment: Deployment) -> Iterator[GenIPClient]:
    """A client on the deployment; chain state is rolled back after the test."""
    snap = snapshot(w3)
    try:
        yield GenIPClient.open(deployment, w3=w3)
    finally:
        revert_to(w3, snap)
