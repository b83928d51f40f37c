"""Sign, send and confirm transactions with a local account; name reverts by their custom error.

    receipt = send(w3, account, hub.functions.withdraw(ZERO_ADDRESS), action="withdraw")

Every failure (revert in estimation or on-chain, RPC refusal, timeout) becomes `TransactionFailedError`
whose reason reads like `NotAssetOwner(assetId=1, caller=0x…, owner=0x…)`; its `error` and `error_args` hold
the decoded custom error, and its message says it in words when `genip.chain.explain` knows them ("resolve
dispute failed: the owner can still answer dispute 1 until 2026-12-09 14:00 UTC; … (ResponseWindowOpen)").
"""

from collections.abc import Iterable
from functools import cache
from typing import Any, cast

from eth_abi.abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception, Web3RPCError
from web3.types import TxParams, TxReceipt, Wei

from genip.chain.artifacts import CONTRACT_NAMES, load_artifact
from genip.chain.explain import explain
from genip.errors import ArtifactError, TransactionFailedError

__all__ = ["ZERO_ADDRESS", "decode_revert", "decode_revert_parts", "send"]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

_ErrorAbi = tuple[str, list[str], list[str]]


def _abi_type(param: dict[str, Any]) -> str:
    """Canonical ABI type of a parameter, tuples expanded."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def _error_table(abis: Iterable[list[dict[str, Any]]]) -> dict[bytes, _ErrorAbi]:
    table: dict[bytes, _ErrorAbi] = {}
    for abi in abis:
        for item in abi:
            if item.get("type") != "error":
                continue
            types = [_abi_type(p) for p in item.get("inputs", [])]
            names = [str(p.get("name") or f"arg{i}") for i, p in enumerate(item.get("inputs", []))]
            selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
            table[selector] = (str(item["name"]), types, names)
    return table


@cache
def _known_errors() -> dict[bytes, _ErrorAbi]:
    abis = []
    for name in CONTRACT_NAMES:
        try:
            abis.append(load_artifact(name).abi)
        except ArtifactError:
            continue
    return _error_table(abis)


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def decode_revert_parts(data: str | bytes | None) -> tuple[str, dict[str, Any]] | None:
    """Revert `data` as (custom error name, {argument: value}), or `None` when it is no known error."""
    if not data:
        return None
    raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else data
    known = _known_errors().get(raw[:4])
    if known is None:
        return None
    name, types, names = known
    try:
        values = abi_decode(types, raw[4:])
    except Exception:
        return None
    checksummed = (
        Web3.to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True)
    )
    return name, dict(zip(names, checksummed, strict=True))


def decode_revert(data: str | bytes | None) -> str:
    """Name revert `data` by the Gen-IP contracts' custom errors, e.g. `ZeroAmount()`; hex when unknown."""
    if data is None:
        return "reverted without data"
    raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else data
    known = _known_errors().get(raw[:4])
    if known is None:
        return f"reverted with data 0x{raw.hex()}" if raw else "reverted without data"
    parts = decode_revert_parts(raw)
    if parts is None:
        return f"{known[0]}(<undecodable arguments>)"
    name, args = parts
    return f"{name}(" + ", ".join(f"{n}={_show(v)}" for n, v in args.items()) + ")"


def _custom_error(exc: Exception) -> str | None:
    if isinstance(exc, ContractLogicError):
        data = exc.data if isinstance(exc.data, str) else None
        if data and len(data) >= 10 and not data.startswith(("0x08c379a0", "0x4e487b71")):
            return data
    return None


def _failed(action: str, exc: Exception) -> TransactionFailedError:
    data = _custom_error(exc)
    parts = decode_revert_parts(data) if data else None
    if parts is None:
        return TransactionFailedError(action, _reason(exc))
    name, args = parts
    return TransactionFailedError(
        action, decode_revert(data), error=name, error_args=args, explanation=explain(name, args)
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ContractLogicError):
        data = _custom_error(exc)
        if data:
            return decode_revert(data)
        return str(exc.message or exc)
    if isinstance(exc, Web3RPCError):
        error = (exc.rpc_response or {}).get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        return str(exc.message or exc)
    return str(exc) or type(exc).__name__


def send(
    w3: Web3,
    account: LocalAccount,
    call: ContractFunction | ContractConstructor,
    *,
    value: int = 0,
    action: str = "transaction",
    gas: int | None = None,
    timeout: float = 120.0,
) -> TxReceipt:
    """Build `call` from `account`, sign it locally, send it and wait for a successful receipt."""
    params: TxParams = {"from": account.address, "value": Wei(value)}
    if gas is not None:
        params["gas"] = gas
    try:
        params["nonce"] = w3.eth.get_transaction_count(account.address, "pending")
        tx = call.build_transaction(params)
        signed = account.sign_transaction(cast(dict[str, Any], tx))
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    except (Web3Exception, ValueError) as exc:
        raise _failed(action, exc) from None
    try:
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    except TimeExhausted:
        raise TransactionFailedError(
            action, f"not mined within {timeout:.0f}s", tx_hash.to_0x_hex()
        ) from None
    if receipt["status"] != 1:
        raise TransactionFailedError(action, "reverted on-chain", tx_hash.to_0x_hex())
    return receipt
