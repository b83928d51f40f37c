"""Deploy the Gen-IP contracts from the exported artifacts.

Order: `GenIPRegistry(admin, adminDelay=0)`, then `LicensingHub(registry, admin, adminDelay=0, feeBps,
feeRecipient)` (whose constructor deploys the `LicenseToken`), then `DisputeCourt(hub, admin, adminDelay=0)`,
then `registry.setHub(hub)` and `hub.setCourt(court)`. The court accepts claims in the native currency with a
bond of `dispute_bond_wei` (0.01 ETH by default) and grants `ARBITER_ROLE` to `arbiter` when one is given (in
the demo, the platform account). On dev chains optionally a `DemoToken` ERC-20 with an open `mint`.
"""

from datetime import UTC, datetime
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from genip.chain.artifacts import load_artifact
from genip.chain.deployment import Deployment
from genip.chain.tx import send
from genip.errors import TransactionFailedError

__all__ = ["DEFAULT_DISPUTE_BOND_WEI", "DEMO_TOKEN", "deploy", "deploy_contract"]

#: Bond a claimant posts to raise a dispute, in wei of the native currency (0.01 ETH).
DEFAULT_DISPUTE_BOND_WEI = 10**16

#: Constructor arguments of the demo ERC-20 (name, symbol, decimals).
DEMO_TOKEN: tuple[str, str, int] = ("Gen-IP Demo Dollar", "gUSD", 6)


def deploy_contract(w3: Web3, deployer: LocalAccount, name: str, *args: Any) -> tuple[str, int]:
    """Deploy exported contract `name` with constructor `args`; return (address, block number)."""
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = send(w3, deployer, factory.constructor(*args), action=f"deploying {name}")
    address = receipt["contractAddress"]
    if address is None:
        raise TransactionFailedError(f"deploying {name}", "no contract address in the receipt")
    return str(address), int(receipt["blockNumber"])


def deploy(
    w3: Web3,
    deployer: LocalAccount,
    *,
    rpc_url: str,
    fee_bps: int = 250,
    fee_recipient: str | None = None,
    admin: str | None = None,
    demo_token: bool = False,
    arbiter: str | None = None,
    dispute_bond_wei: int = DEFAULT_DISPUTE_BOND_WEI,
) -> Deployment:
    """Deploy and wire the contracts; `admin` and `fee_recipient` default to the deployer. The deployer must
    be the admin for the wiring calls (as it is by default)."""
    admin = Web3.to_checksum_address(admin or deployer.address)
    recipient = Web3.to_checksum_address(fee_recipient or deployer.address)
    registry, first_block = deploy_contract(w3, deployer, "GenIPRegistry", admin, 0)
    hub, _ = deploy_contract(w3, deployer, "LicensingHub", registry, admin, 0, fee_bps, recipient)
    hub_contract = w3.eth.contract(
        address=Web3.to_checksum_address(hub), abi=load_artifact("LicensingHub").abi
    )
    license_token = str(hub_contract.functions.licenseToken().call())
    registry_contract = w3.eth.contract(
        address=Web3.to_checksum_address(registry), abi=load_artifact("GenIPRegistry").abi
    )
    court, _ = deploy_contract(w3, deployer, "DisputeCourt", hub, admin, 0)
    court_contract = w3.eth.contract(
        address=Web3.to_checksum_address(court), abi=load_artifact("DisputeCourt").abi
    )
    send(w3, deployer, registry_contract.functions.setHub(hub), action="connecting the hub (setHub)")
    send(w3, deployer, hub_contract.functions.setCourt(court), action="connecting the court (setCourt)")
    send(
        w3,
        deployer,
        court_contract.functions.setBond("0x" + "00" * 20, dispute_bond_wei, True),
        action="setting the dispute bond",
    )
    if arbiter is not None:
        role = court_contract.functions.ARBITER_ROLE().call()
        send(
            w3,
            deployer,
            court_contract.functions.grantRole(role, Web3.to_checksum_address(arbiter)),
            action="granting ARBITER_ROLE",
        )
    demo = deploy_contract(w3, deployer, "DemoToken", *DEMO_TOKEN)[0] if demo_token else None
    return Deployment(
        chain_id=w3.eth.chain_id,
        rpc_url=rpc_url,
        registry=registry,
        hub=hub,
        license_token=license_token,
        court=court,
        demo_token=demo,
        deploy_block=first_block,
        deployer=deployer.address,
        fee_bps=fee_bps,
        fee_recipient=recipient,
        source_hash=load_artifact("GenIPRegistry").source_hash,
        deployed_at=datetime.now(UTC).replace(microsecond=0),
    )
