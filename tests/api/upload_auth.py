"""Owners for test uploads (`POST /uploads`, `POST /uploads/examples` need one): a wallet's EIP-712 `Upload`
signature in the `X-Genip-*` headers, or a platform's API key."""

import hashlib
import time

from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine

from api.routes.uploads import UPLOAD_ACTION, UPLOAD_FIELDS, UPLOAD_TYPE, upload_message
from api.wallet_auth import new_nonce, sign_typed_data, typed_data
from genip.platforms import add_platform


def signed_upload(
    chain_id: int,
    data: bytes,
    who: LocalAccount | None = None,
    *,
    action: str = UPLOAD_ACTION,
    expiry: int | None = None,
) -> dict[str, str]:
    """Headers signing the upload of `data` by `who` (default: a new wallet) on chain `chain_id`."""
    who = who or Account.create()
    nonce, expiry = new_nonce(), expiry or int(time.time()) + 300
    sha256 = "0x" + hashlib.sha256(data).hexdigest()
    message = upload_message(who.address, sha256, nonce, expiry, action)
    signature = sign_typed_data(typed_data(chain_id, UPLOAD_TYPE, UPLOAD_FIELDS, message), who.key)
    return {
        "X-Genip-Account": who.address,
        "X-Genip-Nonce": nonce,
        "X-Genip-Expiry": str(expiry),
        "X-Genip-Signature": signature,
    }


def platform_key(engine: Engine, chain_id: int, name: str | None = None) -> dict[str, str]:
    """The `Authorization` header of a new platform's API key."""
    issued = add_platform(engine, chain_id, name or f"uploader {new_nonce()[2:12]}", Account.create().address)
    return {"Authorization": f"Bearer {issued.key}"}
