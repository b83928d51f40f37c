"""What `genip chain up` and `genip deploy` do, without the command line around it."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount

from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import connect
from genip.chain.deploy import deploy
from genip.chain.deployment import Deployment, write_deployment
from genip.settings import Settings

__all__ = ["DeployedChain", "deploy_to", "local_chain"]


@dataclass(frozen=True)
class DeployedChain:
    """A fresh deployment, the file it was written to and, for a local chain, the anvil serving it."""

    deployment: Deployment
    path: Path
    anvil: Anvil | None = None


def deploy_to(
    settings: Settings,
    rpc_url: str,
    account: LocalAccount,
    *,
    fee_bps: int | None = None,
    fee_recipient: str | None = None,
    demo_token: bool = False,
) -> DeployedChain:
    """Deploy to `rpc_url` from `account` and write the deployment file under `settings.data_dir`."""
    w3 = connect(rpc_url)
    deployment = deploy(
        w3,
        account,
        rpc_url=rpc_url,
        fee_bps=settings.fee_bps if fee_bps is None else fee_bps,
        fee_recipient=fee_recipient or settings.fee_recipient,
        demo_token=demo_token,
    )
    return DeployedChain(deployment, write_deployment(deployment, settings.deployments_dir))


@contextmanager
def local_chain(
    settings: Settings, *, port: int | None = None, fee_bps: int | None = None
) -> Iterator[DeployedChain]:
    """A dev chain with the contracts (and a demo ERC-20) deployed by anvil's first dev account.

    Starts anvil unless `settings.rpc_url` is set (then deploys there, e.g. to an anvil already running)
    and stops it when the block exits.
    """
    if settings.rpc_url:
        yield deploy_to(settings, settings.rpc_url, dev_account(0), fee_bps=fee_bps, demo_token=True)
        return
    with Anvil(port=port, binary=settings.anvil_bin) as node:
        chain = deploy_to(settings, node.rpc_url, dev_account(0), fee_bps=fee_bps, demo_token=True)
        yield DeployedChain(chain.deployment, chain.path, node)
