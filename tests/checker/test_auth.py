"""Wallet signatures on the prompt endpoints: the creator's, current, and bound to the exact payload."""

import time

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from genip.checker.auth import AuthError, access_typed_data, recover, submission_typed_data
from tests.helpers import BRAND, CREATOR


def sign(account: object, data: dict[str, object]) -> bytes:
    return bytes(Account.sign_message(encode_typed_data(full_message=data), account.key).signature)  # type: ignore[attr-defined]


def test_the_creators_current_signature_is_accepted() -> None:
    data = submission_typed_data(31337, 4, b"\x01" * 32, b"\x02" * 32, int(time.time()) + 600)
    assert recover(data, sign(CREATOR, data), expected=CREATOR.address) == CREATOR.address


def test_foreign_expired_far_future_and_malformed_signatures_are_refused() -> None:
    now = int(time.time())
    data = access_typed_data(31337, 4, CREATOR.address, now + 600)
    with pytest.raises(AuthError, match="not by the creator"):
        recover(data, sign(BRAND, data), expected=CREATOR.address)
    expired = access_typed_data(31337, 4, CREATOR.address, now - 1)
    with pytest.raises(AuthError, match="expired"):
        recover(expired, sign(CREATOR, expired), expected=CREATOR.address)
    far = access_typed_data(31337, 4, CREATOR.address, now + 10 * 86_400)
    with pytest.raises(AuthError, match="ahead"):
        recover(far, sign(CREATOR, far), expected=CREATOR.address)
    with pytest.raises(AuthError, match="malformed"):
        recover(data, b"\x00" * 10, expected=CREATOR.address)


def test_a_signature_is_bound_to_its_payload_and_chain() -> None:
    deadline = int(time.time()) + 600
    signed = submission_typed_data(31337, 4, b"\x01" * 32, b"\x02" * 32, deadline)
    signature = sign(CREATOR, signed)
    other_payload = submission_typed_data(31337, 4, b"\x01" * 32, b"\x03" * 32, deadline)
    other_chain = submission_typed_data(1, 4, b"\x01" * 32, b"\x02" * 32, deadline)
    for data in (other_payload, other_chain):
        with pytest.raises(AuthError, match="not by the creator"):
            recover(data, signature, expected=CREATOR.address)
