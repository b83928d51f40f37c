"""`genip.chain.quick_reads` (bare JSON-RPC, no web3) reads what web3 reads, on the session's anvil."""

import json
from pathlib import Path

import pytest
from eth_utils.address import is_address, to_checksum_address
from hypothesis import given
from hypothesis import strategies as st
from web3 import Web3

import genip
from genip.chain import actions
from genip.chain.address import checksum_address
from genip.chain.client import GenIPClient
from genip.chain.quick_reads import (
    LICENSE_STATUS,
    TOTAL_ASSETS,
    LicenseState,
    license_status,
)
from genip.chain.types import LicenseUse
from genip.errors import ChainIdMismatchError, UnknownAssetError
from tests.helpers import BRAND, CREATOR, CREATOR_2, make_work, standard_terms

ABI_DIR = Path(genip.__file__).parent / "abi"


def _selector(contract: str, name: str) -> bytes:
    abi = json.loads((ABI_DIR / f"{contract}.json").read_text())["abi"]
    (entry,) = [e for e in abi if e.get("type") == "function" and e["name"] == name]
    signature = f"{name}({','.join(i['type'] for i in entry['inputs'])})"
    return Web3.keccak(text=signature)[:4]


def test_selectors_match_the_exported_abis() -> None:
    assert _selector("LicensingHub", "licenseStatus") == LICENSE_STATUS
    assert _selector("GenIPRegistry", "totalAssets") == TOTAL_ASSETS


@given(st.binary(min_size=20, max_size=20), st.sampled_from(["lower", "upper", "checksum", "bare"]))
def test_checksums_equal_eth_utils(raw: bytes, form: str) -> None:
    good = to_checksum_address(raw)
    text = {
        "lower": good.lower(),
        "upper": "0x" + good[2:].upper(),
        "checksum": good,
        "bare": good[2:].lower(),
    }
    assert checksum_address(text[form]) == good


@given(st.text(max_size=50))
def test_what_eth_utils_refuses_is_refused(text: str) -> None:
    if is_address(text):
        assert checksum_address(text) == to_checksum_address(text)
    else:
        with pytest.raises(ValueError):
            checksum_address(text)


def test_a_mistyped_checksum_is_refused() -> None:
    good = to_checksum_address("0x" + "ab" * 20)
    flipped = good[:2] + (good[2].swapcase() if good[2].isalpha() else good[2]) + good[3:]
    bad = flipped if flipped != good else good[:3] + good[3].swapcase() + good[4:]
    with pytest.raises(ValueError, match="checksum"):
        checksum_address(bad)


def _status(
    client: GenIPClient, asset: int, account: str, use: LicenseUse, chain_id: int | None = None
) -> LicenseState:
    d = client.deployment
    return license_status(
        d.rpc_url,
        chain_id=chain_id or d.chain_id,
        registry=d.registry,
        hub=d.hub,
        asset_id=asset,
        account=account,
        use=use,
    )


def test_licence_status_reads_what_web3_reads(client: GenIPClient) -> None:
    asset = actions.register(client, CREATOR, make_work("read twice")).value
    offer = actions.create_offer(client, CREATOR, asset, standard_terms(), price=10**15).value
    actions.buy_license(client, BRAND, offer)
    hub = client.hub.functions
    for account in (BRAND.address, CREATOR.address, CREATOR_2.address, BRAND.address.lower()):
        for use in LicenseUse:
            got = _status(client, asset, account, use)
            licensed, licence, expires = hub.licenseStatus(
                asset, Web3.to_checksum_address(account), use
            ).call()
            assert (got.licensed, got.license_id, got.expires_at) == (licensed, licence, expires)
            assert got.account == Web3.to_checksum_address(account)
            assert got.block == client.w3.eth.block_number
    assert _status(client, asset, BRAND.address, LicenseUse.COMMERCIAL).licensed
    assert not _status(client, asset, CREATOR_2.address, LicenseUse.COMMERCIAL).licensed


def test_unknown_assets_and_other_chains_are_refused(client: GenIPClient) -> None:
    total = client.registry.functions.totalAssets().call()
    for asset in (0, total + 1):
        with pytest.raises(UnknownAssetError, match=f"unknown asset {asset}"):
            _status(client, asset, BRAND.address, LicenseUse.DISPLAY)
    with pytest.raises(ChainIdMismatchError):
        _status(client, 1, BRAND.address, LicenseUse.DISPLAY, chain_id=1)
