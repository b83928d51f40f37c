"""Signing accounts: anvil's well-known dev accounts and keys taken from the environment.

Keys never leave this module in a message: errors name the environment variable, not its value.
"""

import os
import re
from typing import cast

from eth_account import Account
from eth_account.signers.local import LocalAccount

from genip.errors import SigningKeyError

__all__ = ["DEV_MNEMONIC", "account_from_env", "account_from_key", "dev_account"]

#: The public mnemonic anvil (and Hardhat) derive their funded dev accounts from. Dev chains only.
DEV_MNEMONIC = "test test test test test test test test test test test junk"

_KEY_RE = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


def dev_account(index: int = 0) -> LocalAccount:
    """The `index`-th funded account of a default anvil (`m/44'/60'/0'/0/<index>` of `DEV_MNEMONIC`)."""
    Account.enable_unaudited_hdwallet_features()
    return cast(LocalAccount, Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}"))


def account_from_key(key: str, *, source: str = "the private key") -> LocalAccount:
    """Account for a hex private key; `source` names where it came from in error messages."""
    key = key.strip()
    if not _KEY_RE.match(key):
        raise SigningKeyError(f"{source} is not a 32-byte hex private key")
    try:
        return cast(LocalAccount, Account.from_key(key))
    except Exception:  # never chain: the cause may print the key
        raise SigningKeyError(f"{source} is not a valid secp256k1 private key") from None


def account_from_env(name: str) -> LocalAccount:
    """Account for the private key in environment variable `name`."""
    value = os.environ.get(name, "")
    if not value.strip():
        raise SigningKeyError(f"no private key: set the environment variable {name}")
    return account_from_key(value, source=f"environment variable {name}")
