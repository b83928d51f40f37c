"""What every chain command needs: settings, a client on the deployment, the signing account, an address.

Signing key selection (first that applies):
1. `--account ADDRESS_OR_INDEX`: a keystore account (its address, or its number in `genip account list`),
   unlocked with `GENIP_PASSWORD` if set, else a hidden prompt. `GENIP_ACCOUNT` is the option's default.
2. The private key in `GENIP_PRIVATE_KEY` (automation; `GENIP_KEY_ENV` names another variable).
"""

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from genip.errors import SigningKeyError

if TYPE_CHECKING:  # the commands import web3, eth-account and pydantic when they run (`cli.main`)
    from eth_account.signers.local import LocalAccount
    from sqlalchemy import Engine

    from genip.chain.client import GenIPClient
    from genip.keystore import Keystore, KeystoreEntry
    from genip.settings import Settings

__all__ = [
    "PASSWORD_ENV",
    "AccountOption",
    "JsonOption",
    "deployed_chain_id",
    "keystore",
    "open_client",
    "open_database",
    "password",
    "read_secret_line",
    "resolve_address",
    "settings_of",
    "signer",
]

#: Environment variable with the keystore password, for automation.
PASSWORD_ENV = "GENIP_PASSWORD"

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
AccountOption = Annotated[
    str | None,
    typer.Option(
        "--account",
        envvar="GENIP_ACCOUNT",
        help="Keystore account (address or number from `genip account list`); else GENIP_PRIVATE_KEY.",
    ),
]


def settings_of(ctx: typer.Context) -> "Settings":
    """The settings the root callback built."""
    settings: Settings = ctx.find_root().obj
    return settings


def open_client(settings: "Settings") -> "GenIPClient":
    """A client on the settings' deployment (refuses a wrong chain id or a chain without the contracts)."""
    from genip.chain.client import GenIPClient
    from genip.chain.deployment import read_deployment

    return GenIPClient.open(read_deployment(settings.deployment_path()), rpc_url=settings.rpc_url)


def open_database(settings: "Settings") -> "Engine":
    """The settings' database, refused (with `genip db upgrade` named) unless at this code's schema."""
    from genip.db.engine import make_engine
    from genip.db.migrate import require_current

    engine = make_engine(settings.db_url)
    require_current(engine)
    return engine


def deployed_chain_id(settings: "Settings") -> int:
    """The chain of the current deployment (its file, without asking the chain)."""
    from genip.chain.deployment import read_deployment

    return read_deployment(settings.deployment_path()).chain_id


def keystore(settings: "Settings") -> "Keystore":
    """The keystore in the data directory, writing new files with the configured scrypt cost."""
    from genip.keystore import Keystore

    return Keystore(settings.data_dir, scrypt_n=settings.keystore_scrypt_n)


def password(prompt: str = "Keystore password", *, confirm: bool = False) -> str:
    """`GENIP_PASSWORD`, else a hidden prompt (asked twice when `confirm`)."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    value: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    return value


def _entry(store: "Keystore", which: str) -> "KeystoreEntry":
    from eth_utils.address import is_address

    from genip.keystore import KeystoreError

    if which.isdigit():
        entries = store.entries()
        index = int(which)
        if not 1 <= index <= len(entries):
            raise KeystoreError(f"no keystore account number {index} (there are {len(entries)})")
        return entries[index - 1]
    if not is_address(which):
        raise KeystoreError(f"--account {which[:64]!r} is neither an address nor an account number")
    return store.find(which)


def signer(settings: "Settings", account: str | None) -> "LocalAccount":
    """The account to sign with: `--account` from the keystore, else the key in the environment."""
    from genip.chain.accounts import account_from_env

    if account:
        store = keystore(settings)
        entry = _entry(store, account)
        return store.load(entry.address, password(f"Password for {entry.address}"))
    if os.environ.get(settings.key_env, "").strip():
        return account_from_env(settings.key_env)
    raise SigningKeyError(
        f"no signing account: pass --account (a keystore account) or set {settings.key_env}"
    )


def resolve_address(settings: "Settings", account: str | None) -> str:
    """An address to look at, without unlocking anything: `account` as an address or keystore number, else
    the address of the key in the environment, else the only keystore account."""
    from genip.chain.address import checksum_address  # not eth_utils: `genip status` must start at once

    if account:
        with contextlib.suppress(ValueError):
            return checksum_address(account)
        return _entry(keystore(settings), account).address
    if os.environ.get(settings.key_env, "").strip():
        from genip.chain.accounts import account_from_env  # eth-account: only to derive the address

        return account_from_env(settings.key_env).address
    entries = keystore(settings).entries()
    if len(entries) == 1:
        return entries[0].address
    raise SigningKeyError(f"which account? pass --account ADDRESS or set {settings.key_env}")


def read_secret_line(prompt: str) -> str:
    """A secret from stdin when it is piped, else from a hidden prompt; never echoed."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    value: str = typer.prompt(prompt, hide_input=True, err=True)
    return value.strip()


PromptFileOption = Annotated[
    Path | None, typer.Option("--prompt-file", help="File with the prompt (required for image and text).")
]
PromptOption = Annotated[
    str | None, typer.Option("--prompt", help="The prompt as text (beats --prompt-file).")
]
