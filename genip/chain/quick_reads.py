"""Read-only contract calls over bare JSON-RPC, for the commands that must start at once (`genip status`).

web3 and eth-account take about 1.5 s to import, more than the whole of `genip status` is allowed (1 s, see
`scripts/bench_cli.py`). The few reads such a command needs are plain `eth_call`s whose arguments and results
are static 32-byte words, so they are encoded here by hand; the selectors are checked against the exported
ABIs by `tests/chain/test_quick_reads.py`, and every answer against web3's reading of the same call. The
checks `GenIPClient.open` makes (chain id, contracts present) are made here too.
"""

import json
import urllib.request
from dataclasses import dataclass
from typing import Any, Final

from genip.chain.address import checksum_address
from genip.chain.types import LicenseUse
from genip.errors import (
    ChainError,
    ChainIdMismatchError,
    DeploymentError,
    RPCUnavailableError,
    UnknownAssetError,
)

__all__ = ["LICENSE_STATUS", "TOTAL_ASSETS", "LicenseState", "license_status"]

#: `licenseStatus(uint256,address,uint8)` on the LicensingHub.
LICENSE_STATUS: Final = bytes.fromhex("342b4a05")
#: `totalAssets()` on the GenIPRegistry.
TOTAL_ASSETS: Final = bytes.fromhex("01e1d114")


@dataclass(frozen=True, slots=True)
class LicenseState:
    """`LicensingHub.licenseStatus`: whether an account may use an asset now, under which licence."""

    asset_id: int
    account: str
    use: LicenseUse
    licensed: bool
    license_id: int
    expires_at: int
    block: int


class _Rpc:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def __call__(self, method: str, *params: Any) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except (OSError, ValueError) as exc:  # unreachable, timed out, or not JSON-RPC
            raise RPCUnavailableError(self.url, type(exc).__name__) from None
        if "error" in answer:
            message = str(answer["error"].get("message", answer["error"]))[:200]
            raise ChainError(f"the chain refused {method}: {message}")
        return answer["result"]

    def call(self, to: str, data: bytes, block: str) -> bytes:
        result = self("eth_call", {"to": to, "data": "0x" + data.hex()}, block)
        return bytes.fromhex(result[2:])


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def license_status(
    rpc_url: str,
    *,
    chain_id: int,
    registry: str,
    hub: str,
    asset_id: int,
    account: str,
    use: LicenseUse,
    timeout: float = 10.0,
) -> LicenseState:
    """`licenseStatus(asset, account, use)` at the latest block, as `genip.chain.reads` would read it:
    `ChainIdMismatchError` on another chain, `DeploymentError` where the registry has no code (a restarted
    dev chain), `UnknownAssetError` for an asset id that was never minted."""
    rpc = _Rpc(rpc_url, timeout)
    actual = int(rpc("eth_chainId"), 16)
    if actual != chain_id:
        raise ChainIdMismatchError(chain_id, actual)
    block = int(rpc("eth_blockNumber"), 16)
    at = hex(block)
    if rpc("eth_getCode", registry, at) in ("0x", "0x0", None):
        raise DeploymentError(
            f"no contract at registry {registry} on chain {actual}; was the chain restarted? deploy again"
        )
    total = int.from_bytes(rpc.call(registry, TOTAL_ASSETS, at)[:32], "big")
    if not 1 <= asset_id <= total:
        raise UnknownAssetError(asset_id)
    address = checksum_address(account)
    data = LICENSE_STATUS + _word(asset_id) + bytes(12) + bytes.fromhex(address[2:]) + _word(int(use))
    answer = rpc.call(hub, data, at)
    if len(answer) != 96:
        raise ChainError(f"licenseStatus answered {len(answer)} bytes, not 96")
    licensed, license_id, expires = (int.from_bytes(answer[i : i + 32], "big") for i in (0, 32, 64))
    return LicenseState(asset_id, address, use, bool(licensed), license_id, expires, block)
