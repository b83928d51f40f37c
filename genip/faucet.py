"""The demo's faucet: a fixed small amount of test ETH (and demo gUSD, whose `mint` is open) for a new wallet.

Only the demo turns it on (`genip demo` hands its API process a funded dev key in `GENIP_FAUCET_KEY`); it runs
only against a local development chain (`DEV_CHAIN_IDS`), so a key set by mistake on a real network moves
nothing. Each address is served at most once per `interval` seconds (kept in the process's memory: the demo
runs one API process; a restart forgets it). Grants are serialised by a lock so the key's nonces never
collide.
The key is a `SecretStr` end to end: no message, log line or `repr` of this module shows it.
"""

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final, cast

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import SecretStr
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.types import TxParams, Wei

from genip.chain.client import connect, contract_at
from genip.chain.tx import send
from genip.errors import GenIPError

__all__ = [
    "DEV_CHAIN_IDS",
    "FAUCET_ETH_WEI",
    "FAUCET_TOKEN_UNITS",
    "Faucet",
    "FaucetError",
    "FaucetGrant",
    "FaucetRateLimitedError",
]

#: Chains the faucet sends on: anvil's and Hardhat's/Ganache's default local chain ids.
DEV_CHAIN_IDS: Final = frozenset({31337, 1337})
#: What one grant sends: 1 ETH (gas for hundreds of transactions and a few demo licences priced in ETH)…
FAUCET_ETH_WEI: Final = 10**18
#: …and 1 000 gUSD (the demo token has 6 decimals), when the deployment has the demo token.
FAUCET_TOKEN_UNITS: Final = 1_000 * 10**6


class FaucetError(GenIPError):
    """The faucet cannot serve this request (its message is a sentence for the user)."""


class FaucetRateLimitedError(FaucetError):
    """The address was served less than the faucet's interval ago."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"this address was funded recently; ask again in about {minutes} {unit}")
        self.retry_after = retry_after


@dataclass(frozen=True)
class FaucetGrant:
    """What one grant sent, and in which transactions and block."""

    address: str
    eth_wei: int
    token: str | None
    token_units: int
    tx_hashes: tuple[str, ...]
    block_number: int


@dataclass
class Faucet:
    """Sends `eth_wei` (and `token_units` of the demo token at `token`) from the key's account."""

    key: SecretStr = field(repr=False)
    rpc_url: str
    chain_id: int
    token: str | None = None
    eth_wei: int = FAUCET_ETH_WEI
    token_units: int = FAUCET_TOKEN_UNITS
    interval: float = 3600.0
    _served: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _account(self) -> LocalAccount:
        try:
            return cast(LocalAccount, Account.from_key(self.key.get_secret_value().strip()))
        except (ValueError, TypeError):
            raise FaucetError("the faucet's key is not a valid private key") from None

    def grant(self, address: str) -> FaucetGrant:
        """Fund `address` (checksummed or lowercase hex); `FaucetRateLimitedError` within the interval,
        `FaucetError` when the chain refuses or is not a development chain."""
        if self.chain_id not in DEV_CHAIN_IDS:
            raise FaucetError("the faucet runs only on a local development chain")
        to = Web3.to_checksum_address(address)
        with self._lock:
            now = time.monotonic()
            last = self._served.get(to)
            if last is not None and now - last < self.interval:
                raise FaucetRateLimitedError(int(self.interval - (now - last)) + 1)
            account = self._account()
            try:
                w3 = connect(self.rpc_url)
                if w3.eth.chain_id not in DEV_CHAIN_IDS:
                    raise FaucetError("the faucet runs only on a local development chain")
                if w3.eth.get_balance(account.address) < self.eth_wei + 10**16:
                    raise FaucetError("the faucet is empty; restart the demo to refill it")
                hashes: list[str] = []
                tx: TxParams = {
                    "to": to,
                    "value": Wei(self.eth_wei),
                    "gas": 21_000,
                    "gasPrice": w3.eth.gas_price,
                    "nonce": w3.eth.get_transaction_count(account.address, "pending"),
                    "chainId": w3.eth.chain_id,
                }
                signed = account.sign_transaction(cast(dict[str, Any], tx))
                sent = w3.eth.send_raw_transaction(signed.raw_transaction)
                receipt = w3.eth.wait_for_transaction_receipt(sent, timeout=60)
                if receipt["status"] != 1:
                    raise FaucetError("the chain refused the faucet's transfer")
                hashes.append(sent.to_0x_hex())
                block = int(receipt["blockNumber"])
                if self.token and self.token_units:
                    token = contract_at(w3, "DemoToken", self.token)
                    minted = send(
                        w3, account, token.functions.mint(to, self.token_units), action="faucet mint"
                    )
                    hashes.append(minted["transactionHash"].to_0x_hex())
                    block = int(minted["blockNumber"])
            except FaucetError:
                raise
            except (GenIPError, Web3Exception, ValueError, OSError) as exc:
                # web3's messages never hold the key; name the failure's type only, not the RPC's text
                raise FaucetError(
                    f"the chain could not be reached or refused ({type(exc).__name__})"
                ) from None
            self._served[to] = time.monotonic()
        return FaucetGrant(
            address=to,
            eth_wei=self.eth_wei,
            token=self.token if self.token and self.token_units else None,
            token_units=self.token_units if self.token else 0,
            tx_hashes=tuple(hashes),
            block_number=block,
        )
