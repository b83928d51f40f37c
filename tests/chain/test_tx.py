"""Transactions: reverts are named by the contracts' custom errors."""

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.tx import decode_revert
from tests.helpers import BRAND, CREATOR, make_work, reverts, standard_terms


def test_decode_revert_names_a_known_error_with_its_arguments() -> None:
    data = function_signature_to_4byte_selector("UnknownOffer(uint256)") + encode(["uint256"], [7])
    assert decode_revert(data) == "UnknownOffer(offerId=7)"
    assert decode_revert("0x" + data.hex()) == "UnknownOffer(offerId=7)"


def test_decode_revert_falls_back_to_hex() -> None:
    assert decode_revert(b"\xde\xad\xbe\xef") == "reverted with data 0xdeadbeef"
    assert decode_revert(None) == "reverted without data"


def test_a_reverting_call_raises_with_the_error_name(client: GenIPClient) -> None:
    asset = actions.register(client, CREATOR, make_work("owned")).value
    with reverts("NotAssetOwner"):
        actions.create_offer(client, BRAND, asset, standard_terms(), price=1)
    with reverts("ContentAlreadyRegistered"):
        actions.register(client, BRAND, make_work("owned"))
