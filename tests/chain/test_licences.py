"""Licences v2: a referrer platform earns its fee on a sale, a holder renounces a licence, offers lapse when
the certificate changes hands, and reverts read in words."""

import pytest

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.reads import license_info, offer_info
from genip.chain.tx import ZERO_ADDRESS, send
from genip.errors import TransactionFailedError
from tests.helpers import (
    BRAND,
    CREATOR,
    CREATOR_2,
    DEPLOYER,
    ETH,
    PLATFORM,
    TREASURY,
    make_work,
    reverts,
    standard_terms,
)

PRICE = 10**17


def test_a_referrer_platform_earns_its_fee_and_an_unknown_one_is_refused(client: GenIPClient) -> None:
    asset = actions.register(client, CREATOR, make_work("referred")).value
    offer = actions.create_offer(client, CREATOR, asset, standard_terms(), price=PRICE).value
    with reverts("NotAReferrer"):
        actions.buy_license(client, BRAND, offer, referrer=PLATFORM.address)
    role = client.hub.functions.REFERRER_ROLE().call()
    send(client.w3, DEPLOYER, client.hub.functions.grantRole(role, PLATFORM.address))
    send(client.w3, DEPLOYER, client.hub.functions.setReferralFee(100))  # 1 %
    actions.buy_license(client, BRAND, offer, referrer=PLATFORM.address)
    referral, fee = PRICE * 100 // 10_000, PRICE * 250 // 10_000
    assert client.hub.functions.balanceOf(PLATFORM.address, ETH).call() == referral
    assert client.hub.functions.balanceOf(TREASURY.address, ETH).call() == fee
    assert client.hub.functions.balanceOf(CREATOR.address, ETH).call() == PRICE - referral - fee


def test_a_holder_renounces_a_licence(client: GenIPClient) -> None:
    asset = actions.register(client, CREATOR, make_work("renounced")).value
    offer = actions.create_offer(client, CREATOR, asset, standard_terms(), price=PRICE).value
    licence = actions.buy_license(client, BRAND, offer).value
    with reverts("NotLicenseHolder"):
        actions.renounce_license(client, CREATOR_2, licence)
    actions.renounce_license(client, BRAND, licence)
    assert license_info(client, licence).holder == ZERO_ADDRESS
    with reverts("ERC721NonexistentToken"):  # it is gone
        actions.renounce_license(client, BRAND, licence)


def test_an_offer_lapses_when_the_certificate_changes_hands(client: GenIPClient) -> None:
    asset = actions.register(client, CREATOR, make_work("sold on")).value
    offer = actions.create_offer(client, CREATOR, asset, standard_terms(), price=PRICE).value
    assert offer_info(client, offer).seller == CREATOR.address
    transfer = client.registry.functions.transferFrom(CREATOR.address, CREATOR_2.address, asset)
    send(client.w3, CREATOR, transfer)
    with pytest.raises(TransactionFailedError) as lapsed:
        actions.buy_license(client, BRAND, offer)
    assert lapsed.value.error == "OfferLapsed"
    assert f"{CREATOR.address} published it, but the certificate now belongs to {CREATOR_2.address}" in str(
        lapsed.value
    )


def test_registering_known_content_spends_no_commit(client: GenIPClient) -> None:
    actions.register(client, CREATOR, make_work("twice"))
    block = client.w3.eth.block_number
    with pytest.raises(TransactionFailedError) as again:
        actions.register(client, CREATOR_2, make_work("twice"))
    assert again.value.error == "ContentAlreadyRegistered" and "already certified as asset" in str(
        again.value
    )
    assert client.w3.eth.block_number == block  # refused before anything was sent
