"""Encrypted keystores: round trip, wrong password refused, secrets never shown, env keys for automation."""

import json
import stat
from dataclasses import fields
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address

from genip.errors import SigningKeyError
from genip.keystore import (
    LIGHT_SCRYPT_N,
    AccountExistsError,
    AccountNotFoundError,
    Keystore,
    KeystoreEntry,
    KeystoreError,
    WrongPasswordError,
    account_from_env,
)

PASSWORD = "correct horse battery staple"
# anvil's well-known dev key #1 (public test key, never for real funds)
DEV_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
DEV_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def keystore(tmp_path: Path) -> Keystore:
    return Keystore(tmp_path, scrypt_n=LIGHT_SCRYPT_N)


def test_create_list_and_load_round_trip(keystore: Keystore) -> None:
    entry = keystore.create(PASSWORD)
    assert entry.address == to_checksum_address(entry.address)
    assert keystore.entries() == [entry]
    account = keystore.load(entry.address.lower(), PASSWORD)
    assert account.address == entry.address
    assert entry.path.parent == keystore.directory
    assert entry.path.name.startswith("UTC--") and entry.path.name.endswith(entry.address[2:].lower())
    assert stat.S_IMODE(entry.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keystore.directory.stat().st_mode) == 0o700
    keyfile = json.loads(entry.path.read_text())
    assert keyfile["crypto"]["kdf"] == "scrypt"
    assert Account.decrypt(keyfile, PASSWORD) == account.key  # a standard v3 keystore


def test_a_wrong_password_is_refused_without_echoing_secrets(keystore: Keystore) -> None:
    entry = keystore.import_key(DEV_KEY, PASSWORD)
    wrong = "hunter2-wrong-password"
    with pytest.raises(WrongPasswordError) as info:
        keystore.load(entry.address, wrong)
    message = str(info.value)
    assert message == f"wrong password for {DEV_ADDRESS}"
    assert wrong not in message and PASSWORD not in message and DEV_KEY[2:] not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_import_a_private_key(keystore: Keystore) -> None:
    entry = keystore.import_key(DEV_KEY[2:], PASSWORD)  # without 0x works too
    assert entry.address == DEV_ADDRESS
    assert keystore.load(DEV_ADDRESS, PASSWORD).key.hex().removeprefix("0x") == DEV_KEY[2:]
    with pytest.raises(AccountExistsError, match=DEV_ADDRESS):
        keystore.import_key(DEV_KEY, PASSWORD)


@pytest.mark.parametrize("bad", ["0x1234", "not a key at all", "0x" + "00" * 32, "zz" * 32])
def test_a_malformed_key_is_refused_without_echoing_it(keystore: Keystore, bad: str) -> None:
    with pytest.raises(SigningKeyError) as info:
        keystore.import_key(bad, PASSWORD)
    assert bad not in str(info.value)
    assert keystore.entries() == []


def test_empty_passwords_unknown_accounts_and_broken_files(keystore: Keystore) -> None:
    with pytest.raises(KeystoreError, match="must not be empty"):
        keystore.create("")
    with pytest.raises(AccountNotFoundError, match=DEV_ADDRESS):
        keystore.load(DEV_ADDRESS, PASSWORD)
    with pytest.raises(KeystoreError, match="not an address"):
        keystore.load("bob", PASSWORD)
    entry = keystore.import_key(DEV_KEY, PASSWORD)
    (keystore.directory / "notes.txt").write_text("not a keystore")
    assert keystore.entries() == [entry]  # stray files are ignored
    keyfile = json.loads(entry.path.read_text())
    keyfile["crypto"]["ciphertext"] = "00" * 32
    entry.path.write_text(json.dumps(keyfile))
    with pytest.raises(WrongPasswordError):  # a damaged file fails its MAC check like a wrong password
        keystore.load(DEV_ADDRESS, PASSWORD)


def test_entries_are_sorted_and_hold_no_secret(keystore: Keystore) -> None:
    entries = [keystore.create(PASSWORD) for _ in range(3)]
    assert keystore.entries() == sorted(entries, key=lambda e: e.address.lower())
    assert [f.name for f in fields(KeystoreEntry)] == ["address", "path"]
    assert PASSWORD not in repr(keystore)


def test_a_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENIP_TEST_KEY", DEV_KEY)
    assert account_from_env("GENIP_TEST_KEY").address == DEV_ADDRESS
    monkeypatch.setenv("GENIP_TEST_KEY", "0xdeadbeef")
    with pytest.raises(SigningKeyError) as info:
        account_from_env("GENIP_TEST_KEY")
    assert "GENIP_TEST_KEY" in str(info.value) and "deadbeef" not in str(info.value)
    monkeypatch.delenv("GENIP_TEST_KEY")
    with pytest.raises(SigningKeyError, match="GENIP_TEST_KEY"):
        account_from_env("GENIP_TEST_KEY")
