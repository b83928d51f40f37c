"""Wallet-signed requests: EIP-712 typed data, single-use nonces, short expiry. One home for every route that
acts for an account without a password or API key (original downloads; signed profile updates and uploads
reuse it).

A signed request is an EIP-712 message of a route's own primary type, in the domain
`{name: "Gen-IP", version: "1", chainId: <the served chain>}`, that carries at least

* `action` (string): what is asked, fixed by the route (a signature for one action opens no other);
* `account` (address): who asks; the signature must recover to it;
* `nonce` (bytes32): 32 random bytes, accepted once per account (the `used_nonces` table, migration 0013);
* `expiry` (uint256): unix seconds by the wall clock (the server's, not chain time) after which the
  signature is refused; one more than `MAX_AHEAD` seconds ahead is refused too, so a leaked signature is
  useless minutes later.

and whatever else the route binds (an asset id, a body hash…). The route builds the message from the request
itself (path, headers, body) and asks `verify_signed` for the signer: a signature over anything else does not
recover to the account. Every failure is a `WalletAuthError` (answer 401 with its sentence).

Headers (`SignedHeaders`, for GET requests a browser makes with `fetch`): `X-Genip-Account`,
`X-Genip-Nonce`, `X-Genip-Expiry`, `X-Genip-Signature`. Clients build what they sign with `typed_data`.

A nonce is recorded before the route decides anything else, and the record commits at once: a signature is
spent even when the route then refuses (403) or fails, so it can never be replayed. Expired records are
pruned as new ones arrive (the expiry check refuses them anyway).
"""

import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.address import is_address, to_checksum_address
from fastapi import Request
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from genip.db import models
from genip.errors import GenIPError

__all__ = [
    "COMMON_FIELDS",
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "HEADER_ACCOUNT",
    "HEADER_EXPIRY",
    "HEADER_NONCE",
    "HEADER_SIGNATURE",
    "MAX_AHEAD",
    "SignedHeaders",
    "WalletAuthError",
    "new_nonce",
    "parse_signed",
    "sign_typed_data",
    "signed_headers",
    "typed_data",
    "verify_signed",
]

DOMAIN_NAME: Final = "Gen-IP"
DOMAIN_VERSION: Final = "1"
#: Seconds a signature's expiry may lie ahead of the server's clock.
MAX_AHEAD: Final = 600

HEADER_ACCOUNT: Final = "X-Genip-Account"
HEADER_NONCE: Final = "X-Genip-Nonce"
HEADER_EXPIRY: Final = "X-Genip-Expiry"
HEADER_SIGNATURE: Final = "X-Genip-Signature"

#: The fields every signed message carries (name, EIP-712 type); a route's primary type adds its own.
COMMON_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("action", "string"),
    ("account", "address"),
    ("nonce", "bytes32"),
    ("expiry", "uint256"),
)

_DOMAIN_TYPE: Final = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
]
_HEX32: Final = re.compile(r"^0x[0-9a-fA-F]{64}$")
_SIGNATURE: Final = re.compile(r"^(0x)?[0-9a-fA-F]{130}$")
_TYPE_NAME: Final = re.compile(r"^[A-Z][A-Za-z0-9]*$")


class WalletAuthError(GenIPError):
    """The wallet signature is missing, malformed, expired, too far ahead, replayed or not the account's
    (the API answers 401 with this sentence)."""


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    """The signature parts a request carried in its `X-Genip-*` headers (validated for shape only)."""

    account: str
    nonce: str
    expiry: int
    signature: str


def new_nonce() -> str:
    """32 random bytes as `0x` hex: a fresh nonce for a client to sign."""
    return "0x" + secrets.token_bytes(32).hex()


def _value(kind: str, name: str, value: Any) -> Any:
    """`value` as eth-account encodes an EIP-712 field of type `kind`."""
    if kind == "address":
        if not isinstance(value, str) or not is_address(value):
            raise WalletAuthError(f"{name} is not an address")
        return to_checksum_address(value)
    if kind == "bytes32":
        if isinstance(value, bytes) and len(value) == 32:
            return value
        if not isinstance(value, str) or not _HEX32.match(value):
            raise WalletAuthError(f"{name} is not 32 bytes of 0x-hex")
        return bytes.fromhex(value[2:])
    if kind.startswith("uint"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 2**256:
            raise WalletAuthError(f"{name} is not an unsigned integer")
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise WalletAuthError(f"{name} is not text")
        return value
    raise ValueError(f"EIP-712 type {kind!r} of field {name!r} is not supported here")


def typed_data(
    chain_id: int, primary_type: str, fields: Sequence[tuple[str, str]], message: Mapping[str, Any]
) -> dict[str, Any]:
    """The full EIP-712 document (`eth_signTypedData_v4`'s argument) of `message` as `primary_type` with
    `fields` (name, type) in the Gen-IP domain of `chain_id`. `fields` must include `COMMON_FIELDS`."""
    if not _TYPE_NAME.match(primary_type):
        raise ValueError(f"{primary_type!r} is not an EIP-712 struct name")
    names = dict(fields)
    for name, kind in COMMON_FIELDS:
        if names.get(name) != kind:
            raise ValueError(f"{primary_type} needs the field {name} ({kind})")
    missing = [name for name in names if name not in message]
    if missing:
        raise WalletAuthError(f"the signed message lacks {', '.join(missing)}")
    return {
        "types": {
            "EIP712Domain": _DOMAIN_TYPE,
            primary_type: [{"name": name, "type": kind} for name, kind in fields],
        },
        "primaryType": primary_type,
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id},
        "message": {name: _value(kind, name, message[name]) for name, kind in fields},
    }


def sign_typed_data(document: Mapping[str, Any], private_key: Any) -> str:
    """The `0x` hex signature of an EIP-712 `document` (from `typed_data`) by `private_key` (for clients in
    Python: the CLI and tests)."""
    signed = Account.sign_message(encode_typed_data(full_message=dict(document)), private_key)
    return "0x" + bytes(signed.signature).hex()


def signed_headers(request: Request) -> SignedHeaders:
    """The `X-Genip-*` signature headers of `request`; WalletAuthError when one is missing or malformed."""
    h = request.headers
    return parse_signed(
        h.get(HEADER_ACCOUNT), h.get(HEADER_NONCE), h.get(HEADER_EXPIRY), h.get(HEADER_SIGNATURE)
    )


def parse_signed(
    account: str | None, nonce: str | None, expiry: str | None, signature: str | None
) -> SignedHeaders:
    """The signature parts as a route received them (headers declared as parameters, or form fields);
    WalletAuthError when one is missing or malformed."""
    values = {
        HEADER_ACCOUNT: account,
        HEADER_NONCE: nonce,
        HEADER_EXPIRY: expiry,
        HEADER_SIGNATURE: signature,
    }
    missing = [name for name, value in values.items() if not value or not value.strip()]
    if missing:
        raise WalletAuthError(
            f"sign the request with your wallet: {', '.join(missing)} missing (EIP-712, see the description)"
        )
    account, nonce, expiry, signature = (str(v).strip() for v in values.values())
    if not is_address(account):
        raise WalletAuthError(f"{HEADER_ACCOUNT} is not an address")
    if not _HEX32.match(nonce):
        raise WalletAuthError(f"{HEADER_NONCE} is not 32 bytes of 0x-hex")
    if not expiry.isdigit() or len(expiry) > 20:
        raise WalletAuthError(f"{HEADER_EXPIRY} is not unix seconds")
    if not _SIGNATURE.match(signature):
        raise WalletAuthError(f"{HEADER_SIGNATURE} is not a 65-byte hex signature")
    return SignedHeaders(to_checksum_address(account), nonce.lower(), int(expiry), signature)


def verify_signed(
    session: Session,
    *,
    chain_id: int,
    primary_type: str,
    fields: Sequence[tuple[str, str]],
    message: Mapping[str, Any],
    signature: str,
    now: float | None = None,
) -> str:
    """The checksummed account that signed `message` (typed as `primary_type` with `fields`, which include
    `COMMON_FIELDS`) in the Gen-IP domain of `chain_id`, once its expiry, signer and nonce are checked; the
    nonce is recorded and committed in `session` (anything pending in it commits too).

    WalletAuthError when the expiry has passed or lies more than `MAX_AHEAD` seconds ahead of `now` (default:
    the server's clock), the signature is malformed or recovers to another address than `message["account"]`,
    or the account already used the nonce."""
    now = time.time() if now is None else now
    document = typed_data(chain_id, primary_type, fields, message)
    signed = document["message"]
    expiry: int = signed["expiry"]
    if expiry <= now:
        raise WalletAuthError(f"the signature expired at {expiry} (the server's clock reads {int(now)})")
    if expiry > now + MAX_AHEAD:
        raise WalletAuthError(f"the signature's expiry is more than {MAX_AHEAD} seconds ahead")
    try:
        signer = Account.recover_message(encode_typed_data(full_message=document), signature=signature)
    except Exception:  # eth-account raises several types for malformed signatures
        raise WalletAuthError("the signature is malformed") from None
    account: str = signed["account"]
    if signer.lower() != account.lower():
        raise WalletAuthError(f"the signature is not {account}'s (it was signed by {signer})")
    _spend_nonce(session, chain_id, account, "0x" + signed["nonce"].hex(), signed["action"], expiry, now)
    return account


def _spend_nonce(
    session: Session, chain_id: int, account: str, nonce: str, action: str, expiry: int, now: float
) -> None:
    table = models.UsedNonce
    session.execute(delete(table).where(table.expires_at < int(now)))
    session.add(
        table(
            chain_id=chain_id,
            account=account,
            nonce=nonce,
            action=action[:64],
            expires_at=expiry,
            used_at=datetime.fromtimestamp(now, UTC),
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise WalletAuthError("this signature was already used: sign the request again") from None
