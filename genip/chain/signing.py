"""EIP-712 signatures a creator gives a platform: one work (`registerFor`) or a standing authorisation
(`authorizePlatformBySig`), so the platform can pay the gas.

Both share the domain (name "Gen-IP", version "1", chain id, the registry's address):
- `Register(address creator,uint8 kind,bytes32 contentHash,bytes32 perceptualHash,bytes32 promptCommitment,
  string metadataCid,uint256 nonce,uint256 deadline)` (`IGenIPRegistry.REGISTER_TYPEHASH`);
- `AuthorizePlatform(address creator,address platform,uint40 expiresAt,uint32 maxWorks,uint256 nonce,
  uint256 deadline)` (`AUTHORIZE_TYPEHASH`).

Nonces are unordered (contracts v2): any unused 256-bit number, so `new_nonce` draws a random one and two
signatures given out at once never race; `actions.invalidate_nonce` cancels one that was given out.
"""

import secrets
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from genip.chain.types import Work

__all__ = [
    "AUTHORIZE_TYPES",
    "REGISTER_TYPES",
    "authorize_typed_data",
    "new_nonce",
    "register_typed_data",
    "sign_authorize_platform",
    "sign_register",
]

_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

#: EIP-712 types of a registration (the domain type included).
REGISTER_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": _DOMAIN_TYPE,
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

#: EIP-712 types of a platform authorisation (the domain type included).
AUTHORIZE_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": _DOMAIN_TYPE,
    "AuthorizePlatform": [
        {"name": "creator", "type": "address"},
        {"name": "platform", "type": "address"},
        {"name": "expiresAt", "type": "uint40"},
        {"name": "maxWorks", "type": "uint32"},
        {"name": "epoch", "type": "uint32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


def new_nonce() -> int:
    """A random 256-bit signature nonce (unordered nonces: any unused one will do)."""
    return secrets.randbits(256)


def _domain(chain_id: int, registry: str) -> dict[str, Any]:
    return {"name": "Gen-IP", "version": "1", "chainId": chain_id, "verifyingContract": registry}


def register_typed_data(
    *, chain_id: int, registry: str, creator: str, work: Work, nonce: int, deadline: int
) -> dict[str, Any]:
    """The full EIP-712 message (as wallets' `eth_signTypedData_v4` take it) for registering `work`."""
    return {
        "types": REGISTER_TYPES,
        "primaryType": "Register",
        "domain": _domain(chain_id, registry),
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
    creator: LocalAccount,
    *,
    chain_id: int,
    registry: str,
    work: Work,
    nonce: int,
    deadline: int,
) -> bytes:
    """`creator`'s 65-byte signature over the registration of `work` (pick `nonce` with `new_nonce`)."""
    message = register_typed_data(
        chain_id=chain_id,
        registry=registry,
        creator=creator.address,
        work=work,
        nonce=nonce,
        deadline=deadline,
    )
    return bytes(creator.sign_message(encode_typed_data(full_message=message)).signature)


def authorize_typed_data(
    *,
    chain_id: int,
    registry: str,
    creator: str,
    platform: str,
    expires_at: int,
    max_works: int,
    epoch: int,
    nonce: int,
    deadline: int,
) -> dict[str, Any]:
    """The full EIP-712 message authorising `platform` to register for `creator`."""
    return {
        "types": AUTHORIZE_TYPES,
        "primaryType": "AuthorizePlatform",
        "domain": _domain(chain_id, registry),
        "message": {
            "creator": creator,
            "platform": platform,
            "expiresAt": expires_at,
            "maxWorks": max_works,
            "epoch": epoch,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def sign_authorize_platform(
    creator: LocalAccount,
    *,
    chain_id: int,
    registry: str,
    platform: str,
    expires_at: int,
    max_works: int,
    epoch: int,
    nonce: int,
    deadline: int,
) -> bytes:
    """`creator`'s 65-byte signature authorising `platform` (for `actions.authorize_platform_by_sig`), for the
    authorisation's current `epoch` (`platformAuthorization(creator, platform).epoch`: any change since, a
    revocation above all, voids the signature)."""
    message = authorize_typed_data(
        chain_id=chain_id,
        registry=registry,
        creator=creator.address,
        platform=platform,
        expires_at=expires_at,
        max_works=max_works,
        epoch=epoch,
        nonce=nonce,
        deadline=deadline,
    )
    return bytes(creator.sign_message(encode_typed_data(full_message=message)).signature)
