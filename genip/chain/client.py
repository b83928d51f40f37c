"""Connect web3 to an RPC endpoint and get the deployed Gen-IP contracts.

Typical use, with the settings' deployment file:

    client = GenIPClient.open(read_deployment(settings.deployment_path()), rpc_url=settings.rpc_url)
    client.hub.functions.licenseStatus(asset_id, account, 1).call()  # 1 = LicenseUse.Commercial
"""

from dataclasses import dataclass
from typing import Self
from urllib.parse import urlsplit

from web3 import Web3
from web3.contract import Contract

from genip.chain.artifacts import load_artifact
from genip.chain.deployment import Deployment
from genip.chain.probe import rpc_chain_id
from genip.errors import ChainIdMismatchError, ConfigError, DeploymentError, RPCUnavailableError

__all__ = ["GenIPClient", "connect", "contract_at"]


def connect(rpc_url: str, *, timeout: float = 30.0, probe_timeout: float = 5.0) -> Web3:
    """A Web3 instance on HTTP(S) `rpc_url`, after checking once that it answers `eth_chainId`."""
    if urlsplit(rpc_url).scheme not in ("http", "https"):
        raise ConfigError("the RPC URL must be http:// or https://")
    try:
        rpc_chain_id(rpc_url, timeout=probe_timeout)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = type(exc).__name__ if not isinstance(exc, OSError) else "connection failed"
        raise RPCUnavailableError(rpc_url, reason) from None
    return Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))


def contract_at(w3: Web3, name: str, address: str) -> Contract:
    """Contract object for exported artifact `name` at `address`."""
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name).abi)


@dataclass(frozen=True)
class GenIPClient:
    """A connection to a chain plus the Gen-IP contracts of one deployment on it."""

    w3: Web3
    deployment: Deployment
    registry: Contract
    hub: Contract
    license_token: Contract
    court: Contract
    demo_token: Contract | None

    @classmethod
    def open(cls, deployment: Deployment, *, rpc_url: str | None = None, w3: Web3 | None = None) -> Self:
        """Connect to `w3`, else `rpc_url`, else the deployment's RPC URL; refuse a chain whose id differs
        from the deployment's, or where the registry has no code (a restarted dev chain)."""
        w3 = w3 or connect(rpc_url or deployment.rpc_url)
        actual = w3.eth.chain_id
        if actual != deployment.chain_id:
            raise ChainIdMismatchError(deployment.chain_id, actual)
        if not w3.eth.get_code(Web3.to_checksum_address(deployment.registry)):
            raise DeploymentError(
                f"no contract at registry {deployment.registry} on chain {actual}; "
                "was the chain restarted? deploy again"
            )
        demo = deployment.demo_token
        return cls(
            w3=w3,
            deployment=deployment,
            registry=contract_at(w3, "GenIPRegistry", deployment.registry),
            hub=contract_at(w3, "LicensingHub", deployment.hub),
            license_token=contract_at(w3, "LicenseToken", deployment.license_token),
            court=contract_at(w3, "DisputeCourt", deployment.court),
            demo_token=contract_at(w3, "DemoToken", demo) if demo else None,
        )
