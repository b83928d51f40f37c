"""Bare JSON-RPC probes that need no Web3 instance (readiness checks, connectivity checks)."""

import json
import urllib.request

__all__ = ["rpc_chain_id"]


def rpc_chain_id(rpc_url: str, timeout: float = 2.0) -> int:
    """Ask `rpc_url` for `eth_chainId`; raises OSError (unreachable) or ValueError/KeyError (bad answer)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(rpc_url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(json.loads(response.read())["result"], 16)
