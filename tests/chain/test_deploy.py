"""Deploying to a real anvil wires the contracts; the client refuses a deployment of another chain."""

from pathlib import Path

import pytest
from web3 import Web3

from genip.chain.artifacts import load_artifact
from genip.chain.client import GenIPClient
from genip.chain.deployment import Deployment, read_deployment, write_deployment
from genip.errors import ChainIdMismatchError, DeploymentError
from tests.helpers import DEPLOYER, TREASURY


def test_the_deployment_is_wired(client: GenIPClient) -> None:
    d = client.deployment
    assert client.registry.functions.hub().call() == d.hub
    assert client.hub.functions.registry().call() == d.registry
    assert client.hub.functions.licenseToken().call() == d.license_token
    assert client.license_token.functions.hub().call() == d.hub
    assert client.hub.functions.platformFee().call() == [250, TREASURY.address]
    assert d.deployer == DEPLOYER.address
    assert d.chain_id == 31337
    assert d.source_hash == load_artifact("LicensingHub").source_hash
    assert client.demo_token is not None
    assert client.demo_token.functions.decimals().call() == 6


def test_the_deploy_block_is_where_the_registry_appeared(client: GenIPClient) -> None:
    d = client.deployment
    w3 = client.w3
    assert w3.eth.get_code(Web3.to_checksum_address(d.registry), d.deploy_block)
    assert not w3.eth.get_code(Web3.to_checksum_address(d.registry), d.deploy_block - 1)


def test_the_deployment_file_round_trips_and_opens(
    client: GenIPClient, deployment: Deployment, tmp_path: Path
) -> None:
    path = write_deployment(deployment, tmp_path)
    reopened = GenIPClient.open(read_deployment(path), w3=client.w3)
    assert reopened.hub.address == deployment.hub


def test_a_deployment_of_another_chain_is_refused(client: GenIPClient, deployment: Deployment) -> None:
    other = deployment.model_copy(update={"chain_id": 1})
    with pytest.raises(ChainIdMismatchError, match=r"chain 1.*chain 31337"):
        GenIPClient.open(other, w3=client.w3)


def test_a_deployment_whose_contracts_are_gone_is_refused(
    client: GenIPClient, deployment: Deployment
) -> None:
    other = deployment.model_copy(update={"registry": "0x" + "11" * 20})
    with pytest.raises(DeploymentError, match="no contract at registry"):
        GenIPClient.open(other, w3=client.w3)


def test_open_connects_by_the_deployment_rpc_url(client: GenIPClient, deployment: Deployment) -> None:
    assert GenIPClient.open(deployment).w3.eth.chain_id == 31337
