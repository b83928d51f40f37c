"""Wallet signatures for the private prompt endpoints (EIP-712), so no password or API key is involved.

* `PromptSubmission(assetId, commitment, payloadHash, deadline)` — the creator submits the prompt for the
  check; `payloadHash` is keccak256 of the exact ciphertext (the payload sealed to the checker's key), so a
  signature cannot carry another one.
* `PromptAccess(assetId, account, deadline)` — the creator asks to see their submission's progress.

Domain: name "Gen-IP Prompt Checker", version "1", the chain id. A signature is refused when its deadline has
passed or lies more than `MAX_VALIDITY` seconds ahead (a leaked access signature is useless minutes later), or
when its signer is not the certificate's creator.
"""

import time
from typing import Any, Final

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.address import to_checksum_address

from genip.errors import GenIPError

__all__ = ["MAX_VALIDITY", "AuthError", "access_typed_data", "recover", "submission_typed_data"]

MAX_VALIDITY: Final = 3_600


class AuthError(GenIPError):
    """A wallet signature was missing, malformed, expired, or not the creator's."""


_DOMAIN_TYPE: Final = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
]


def _domain(chain_id: int) -> dict[str, Any]:
    return {"name": "Gen-IP Prompt Checker", "version": "1", "chainId": chain_id}


def submission_typed_data(
    chain_id: int, asset_id: int, commitment: bytes, payload_hash: bytes, deadline: int
) -> dict[str, Any]:
    return {
        "types": {
            "EIP712Domain": _DOMAIN_TYPE,
            "PromptSubmission": [
                {"name": "assetId", "type": "uint256"},
                {"name": "commitment", "type": "bytes32"},
                {"name": "payloadHash", "type": "bytes32"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "PromptSubmission",
        "domain": _domain(chain_id),
        "message": {
            "assetId": asset_id,
            "commitment": commitment,
            "payloadHash": payload_hash,
            "deadline": deadline,
        },
    }


def access_typed_data(chain_id: int, asset_id: int, account: str, deadline: int) -> dict[str, Any]:
    return {
        "types": {
            "EIP712Domain": _DOMAIN_TYPE,
            "PromptAccess": [
                {"name": "assetId", "type": "uint256"},
                {"name": "account", "type": "address"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "PromptAccess",
        "domain": _domain(chain_id),
        "message": {"assetId": asset_id, "account": to_checksum_address(account), "deadline": deadline},
    }


def recover(
    typed_data: dict[str, Any], signature: str | bytes, *, expected: str, now: float | None = None
) -> str:
    """The signer of `typed_data`; AuthError unless it is `expected` and the deadline is current."""
    now = time.time() if now is None else now
    deadline = int(typed_data["message"]["deadline"])
    if deadline < now:
        raise AuthError(f"the signature expired at {deadline} (now {int(now)})")
    if deadline > now + MAX_VALIDITY:
        raise AuthError(f"the signature's deadline is more than {MAX_VALIDITY} s ahead")
    try:
        signer = Account.recover_message(encode_typed_data(full_message=typed_data), signature=signature)
    except Exception:  # eth-account raises several types for malformed signatures
        raise AuthError("the signature is malformed") from None
    if signer.lower() != expected.lower():
        raise AuthError(f"signed by {signer}, not by the creator {to_checksum_address(expected)}")
    return str(signer)
