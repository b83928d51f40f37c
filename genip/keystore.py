"""Creator and brand accounts: encrypted keystore files in `<data dir>/keystore/`, or a key from the env.

Keystore files are Ethereum "v3" JSON keystores (`eth_account.Account.encrypt`, scrypt, AES-128-CTR), named
like geth's (`UTC--<time>--<address>`), so geth, Foundry's `cast wallet` and other tools read them too. The
directory is created 0700 and each file 0600, written atomically. `STANDARD_SCRYPT_N` (2^18, geth's
default, about 3 s per unlock here) is the default cost; `LIGHT_SCRYPT_N` (2^12, geth's `--lightkdf`) is
for tests and throwaway dev accounts.

Secrets never leave this module in text: no private key or password is put in an exception message, a
`repr` or a log line, and exceptions raised while a secret is being handled are not chained (`from None`),
so the original error's message, which could quote it, is not printed either. Addresses are checksummed.
For automation a key may come from an environment variable instead (`account_from_env`, re-exported from
`genip.chain.accounts`).
"""

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import is_address, to_checksum_address

from genip.chain.accounts import account_from_env, account_from_key
from genip.errors import GenIPError

__all__ = [
    "LIGHT_SCRYPT_N",
    "STANDARD_SCRYPT_N",
    "AccountExistsError",
    "AccountNotFoundError",
    "Keystore",
    "KeystoreEntry",
    "KeystoreError",
    "WrongPasswordError",
    "account_from_env",
]

#: scrypt cost of new keystores by default (geth's standard).
STANDARD_SCRYPT_N: Final = 1 << 18
#: A cheap scrypt cost for tests and dev accounts (geth's `--lightkdf`).
LIGHT_SCRYPT_N: Final = 1 << 12


class KeystoreError(GenIPError):
    """A keystore file is missing, unreadable or invalid (no secret is ever shown)."""


class WrongPasswordError(KeystoreError):
    """The password does not unlock the keystore file."""


class AccountNotFoundError(KeystoreError):
    """No keystore file holds this address."""


class AccountExistsError(KeystoreError):
    """A keystore file for this address already exists."""


@dataclass(frozen=True, slots=True)
class KeystoreEntry:
    """One keystore file: the checksummed address it holds and its path. Holds no secret."""

    address: str
    path: Path


class Keystore:
    """The keystore directory `<data_dir>/keystore`; `scrypt_n` is the cost of newly written files."""

    def __init__(self, data_dir: Path, *, scrypt_n: int = STANDARD_SCRYPT_N) -> None:
        self.directory = data_dir / "keystore"
        self.scrypt_n = scrypt_n

    def __repr__(self) -> str:
        return f"Keystore({str(self.directory)!r})"

    def create(self, password: str) -> KeystoreEntry:
        """Make a new random account and store it encrypted with `password`."""
        return self._store(Account.create(), password)

    def import_key(self, private_key: str, password: str) -> KeystoreEntry:
        """Store an existing hex private key (read by the caller from a prompt or stdin) encrypted."""
        return self._store(account_from_key(private_key, source="the private key"), password)

    def entries(self) -> list[KeystoreEntry]:
        """Every readable keystore file, sorted by address."""
        if not self.directory.is_dir():
            return []
        entries = []
        for path in self.directory.iterdir():
            if path.name.startswith(".") or not path.is_file():
                continue
            address = _address_in(path)
            if address is not None:
                entries.append(KeystoreEntry(address, path))
        return sorted(entries, key=lambda entry: entry.address.lower())

    def find(self, address: str) -> KeystoreEntry:
        """The keystore file of `address`; `AccountNotFoundError` if there is none."""
        if not is_address(address):
            raise KeystoreError(f"{address[:64]!r} is not an address")
        wanted = to_checksum_address(address)
        for entry in self.entries():
            if entry.address == wanted:
                return entry
        raise AccountNotFoundError(f"no keystore file for {wanted} in {self.directory}")

    def load(self, address: str, password: str) -> LocalAccount:
        """Unlock the account of `address` with `password` (`WrongPasswordError` if it does not fit)."""
        entry = self.find(address)
        keyfile = _read_json(entry.path)
        try:
            key = Account.decrypt(keyfile, password)
        except ValueError:
            raise WrongPasswordError(f"wrong password for {entry.address}") from None
        except Exception:
            raise KeystoreError(f"cannot decrypt the keystore file {entry.path.name}") from None
        account: LocalAccount = Account.from_key(key)
        if account.address != entry.address:
            raise KeystoreError(f"{entry.path.name} holds a key for another address than it names")
        return account

    def _store(self, account: LocalAccount, password: str) -> KeystoreEntry:
        if not password:
            raise KeystoreError("the keystore password must not be empty")
        if any(entry.address == account.address for entry in self.entries()):
            raise AccountExistsError(f"a keystore file for {account.address} already exists")
        try:
            keyfile = Account.encrypt(account.key, password, kdf="scrypt", iterations=self.scrypt_n)
        except Exception:
            raise KeystoreError("cannot encrypt the key") from None
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S.%f000Z")
        path = self.directory / f"UTC--{stamp}--{account.address[2:].lower()}"
        _write_private(path, json.dumps(keyfile))
        return KeystoreEntry(account.address, path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise KeystoreError(f"cannot read the keystore file {path.name}") from None
    if not isinstance(document, dict):
        raise KeystoreError(f"{path.name} is not a keystore file")
    return document


def _address_in(path: Path) -> str | None:
    """The checksummed address a keystore file names, or `None` if it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    address = document.get("address") if isinstance(document, dict) else None
    if not isinstance(address, str) or ("crypto" not in document and "Crypto" not in document):
        return None
    address = address if address.startswith("0x") else "0x" + address
    return to_checksum_address(address) if is_address(address) else None


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, readable by the owner only."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".key-", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
