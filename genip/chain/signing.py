"""EIP-712 signatures a creator gives a platform so it can `registerFor` them and pay the gas.

The typed data follows `IGenIPRegistry.REGISTER_TYPEHASH`: primary type `Register(address creator,uint8 kind,
bytes32 contentHash,bytes32 perceptualHash,bytes32 promptCommitment,string metadataCid,uint256 nonce,
uint256 deadline)` under the domain (name "Gen-IP", version "1", chain id, the registry's address).
"""

from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from genip.chain.types import Work

__all__ = ["REGISTER_TYPES", "register_typed_data", "sign_register"]

#: EIP-712 types of a registration (the domain type included).
REGISTER_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Register": [
        {"name": "creator", "type": "address"},
        {"name": "kind", "type": "uint8"},
        {"name": "contentHash", "type": "bytes32"},
        {"name": "perceptualHash", "type": "bytes32"},
        {"name": "promptCommitment", "type": "bytes32"},
        {"name": "metadataCid", "type": "string"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


def register_typed_data(
    *, chain_id: int, registry: str, creator: str, work: Work, nonce: int, deadline: int
) -> dict[str, Any]:
    """The full EIP-712 message (as wallets' `eth_signTypedData_v4` take it) for registering `work`."""
    return {
        "types": REGISTER_TYPES,
        "primaryType": "Register",
        "domain": {"name": "Gen-IP", "version": "1", "chainId": chain_id, "verifyingContract": registry},
        "message": {
            "creator": creator,
            "kind": int(work.kind),
            "contentHash": work.content_hash,
            "perceptualHash": work.perceptual_hash,
            "promptCommitment": work.prompt_commitment,
            "metadataCid": work.metadata_cid,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def sign_register(
    creator: LocalAccount, *, chain_id: int, registry: str, work: Work, nonce: int, deadline: int
) -> bytes:
    """`creator`'s 65-byte signature over the registration of `work`."""
    message = register_typed_data(
        chain_id=chain_id,
        registry=registry,
        creator=creator.address,
        work=work,
        nonce=nonce,
        deadline=deadline,
    )
    return bytes(creator.sign_message(encode_typed_data(full_message=message)).signature)
