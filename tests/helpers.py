"""Test helpers: named dev accounts, work and terms factories, balances and gas costs."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import RPCEndpoint, TxReceipt

from genip.chain.accounts import dev_account
from genip.chain.client import GenIPClient, contract_at
from genip.chain.tx import send
from genip.chain.types import BPS, LicenseTerms, Tier, Work, WorkKind
from genip.errors import TransactionFailedError

DEPLOYER = dev_account(0)
CREATOR = dev_account(1)
BRAND = dev_account(2)
CREATOR_2 = dev_account(3)
CREATOR_3 = dev_account(4)
PLATFORM = dev_account(5)
GAME = dev_account(6)
SIGNER = dev_account(7)
ARBITER = dev_account(8)  # holds ARBITER_ROLE on the test deployment's court
TREASURY = dev_account(9)  # platform fee recipient of the test deployment
ETH = "0x0000000000000000000000000000000000000000"


def make_work(seed: str, kind: WorkKind = WorkKind.IMAGE) -> Work:
    """A distinct work whose hashes derive from `seed`."""
    return Work(
        kind=kind,
        content_hash=hashlib.sha256(b"content:" + seed.encode()).digest(),
        perceptual_hash=hashlib.sha256(b"pdq:" + seed.encode()).digest(),
        prompt_commitment=Web3.keccak(b"salt" + seed.encode()),
        metadata_cid=f"bafy{seed}",
    )


def standard_terms() -> LicenseTerms:
    """Commercial use, no derivatives, transferable."""
    return LicenseTerms(Tier.STANDARD, True, False, True, 0, b"\x01" * 32, "ipfs://standard")


def extended_terms(rev_share_bps: int) -> LicenseTerms:
    """Commercial use and one derivative, `rev_share_bps` of the derivative's revenue."""
    return LicenseTerms(Tier.EXTENDED, True, True, False, rev_share_bps, b"\x02" * 32, "ipfs://extended")


def gas_cost(receipt: TxReceipt) -> int:
    """Wei paid for a transaction's gas."""
    return int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])


def eth_balance(client: GenIPClient, account: LocalAccount | str) -> int:
    """Native balance of an account, in wei."""
    address = account if isinstance(account, str) else account.address
    return int(client.w3.eth.get_balance(Web3.to_checksum_address(address)))


def token_balance(client: GenIPClient, account: LocalAccount | str) -> int:
    """Demo ERC-20 balance of an account."""
    assert client.demo_token is not None
    address = account if isinstance(account, str) else account.address
    return int(client.demo_token.functions.balanceOf(address).call())


def split(amount: int, fee_bps: int, ancestry: dict[int, int]) -> tuple[int, dict[int, int], int]:
    """The hub's split of `amount` as specified in ILicensingHub: (fee, {ancestor: cut}, owner's rest)."""
    fee = amount * fee_bps // BPS
    net = amount - fee
    cuts = {ancestor: net * share // BPS for ancestor, share in ancestry.items()}
    return fee, cuts, net - sum(cuts.values())


@contextmanager
def reverts(error: str) -> Iterator[None]:
    """Expect a `TransactionFailedError` whose reason names custom error `error`."""
    with pytest.raises(TransactionFailedError) as info:
        yield
    assert info.value.reason.startswith(error + "("), info.value.reason


def snapshot(w3: Web3) -> str:
    """anvil state snapshot id."""
    return cast(str, w3.provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"])


def revert_to(w3: Web3, snapshot_id: str) -> None:
    """Roll anvil back to `snapshot_id`."""
    result: Any = w3.provider.make_request(RPCEndpoint("evm_revert"), [snapshot_id])["result"]
    assert result is True


def demo_token(client: GenIPClient) -> str:
    """Address of the deployment's demo ERC-20."""
    assert client.deployment.demo_token is not None
    return client.deployment.demo_token


def mint_demo(client: GenIPClient, to: LocalAccount, amount: int) -> None:
    """Mint demo ERC-20 to an account (the token's mint is open)."""
    token = contract_at(client.w3, "DemoToken", demo_token(client))
    send(client.w3, to, token.functions.mint(to.address, amount), action="mint")


def increase_time(w3: Web3, seconds: int) -> None:
    """Move anvil's clock `seconds` forward and mine a block at the new time (dispute windows in tests)."""
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def now(w3: Web3) -> int:
    """The latest block's timestamp."""
    return int(w3.eth.get_block("latest")["timestamp"])
