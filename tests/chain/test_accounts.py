"""Dev accounts are anvil's; keys from the environment are checked and never echoed."""

import pytest

from genip.chain.accounts import account_from_env, account_from_key, dev_account
from genip.errors import SigningKeyError


def test_dev_accounts_are_anvils_well_known_ones() -> None:
    assert dev_account(0).address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert dev_account(1).address == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_a_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_KEY", dev_account(3).key.hex())
    assert account_from_env("SOME_KEY").address == dev_account(3).address


def test_a_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    with pytest.raises(SigningKeyError, match="NO_SUCH_KEY"):
        account_from_env("NO_SUCH_KEY")


@pytest.mark.parametrize("bad", ["0x1234", "zz" * 32, "00" * 32, "ff" * 32])
def test_a_bad_key_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(SigningKeyError) as info:
        account_from_key(bad, source="KEY")
    assert bad not in str(info.value) and info.value.__cause__ is None
