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

__all__ = ["DEV_BLOCK_TIME", "DeployedChain", "deploy_to", "local_chain", "mixed_mining"]


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
    arbiter: str | None = None,
) -> DeployedChain:
    """Deploy to `rpc_url` from `account` and write the deployment file under `settings.data_dir`; `arbiter`
    gets the court's ARBITER_ROLE."""
    w3 = connect(rpc_url)
    deployment = deploy(
        w3,
        account,
        rpc_url=rpc_url,
        fee_bps=settings.fee_bps if fee_bps is None else fee_bps,
        fee_recipient=fee_recipient or settings.fee_recipient,
        demo_token=demo_token,
        arbiter=arbiter,
    )
    return DeployedChain(deployment, write_deployment(deployment, settings.deployments_dir))


@contextmanager
def local_chain(
    settings: Settings, *, port: int | None = None, fee_bps: int | None = None, block_time: int | None = None
) -> Iterator[DeployedChain]:
    """A dev chain with the contracts (and a demo ERC-20) deployed by anvil's first dev account, which is also
    the court's arbiter (the platform of a dev chain).

    Starts anvil unless `settings.rpc_url` is set (then deploys there, e.g. to an anvil already running)
    and stops it when the block exits. With `block_time` anvil also mines an empty block every that many
    seconds besides mining each transaction at once (`mixed_mining`), so a wallet waiting for "the next block"
    after a registration commit is never stuck; without it blocks come only with transactions (tests).
    """
    platform = dev_account(0)
    if settings.rpc_url:
        yield deploy_to(
            settings, settings.rpc_url, platform, fee_bps=fee_bps, demo_token=True, arbiter=platform.address
        )
        return
    extra = mixed_mining(block_time) if block_time else ()
    with Anvil(port=port, binary=settings.anvil_bin, extra_args=extra) as node:
        chain = deploy_to(
            settings, node.rpc_url, platform, fee_bps=fee_bps, demo_token=True, arbiter=platform.address
        )
        yield DeployedChain(chain.deployment, chain.path, node)


#: Seconds between the empty blocks of a dev chain (`genip chain up`, `genip demo`).
DEV_BLOCK_TIME = 2


def mixed_mining(block_time: int) -> tuple[str, ...]:
    """anvil arguments: mine every transaction at once and an empty block every `block_time` seconds."""
    return ("--mixed-mining", "--block-time", str(block_time))
