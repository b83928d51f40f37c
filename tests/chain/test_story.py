"""The Gen-IP story against a real anvil, balances checked to the wei.

A creator registers an image and offers a standard licence (native currency) and an extended one (demo ERC-20,
10 % revenue share). A brand buys both. A second creator buys an extended licence and registers a derivative;
a third creator derives from that one. Revenue paid to the grandchild flows up to every ancestor, and everyone
withdraws exactly what they were credited.
"""

from collections import defaultdict

from eth_account.signers.local import LocalAccount

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.types import LicenseUse
from tests.helpers import (
    BRAND,
    CREATOR,
    CREATOR_2,
    CREATOR_3,
    ETH,
    GAME,
    TREASURY,
    demo_token,
    eth_balance,
    extended_terms,
    gas_cost,
    make_work,
    mint_demo,
    reverts,
    split,
    standard_terms,
    token_balance,
)

FEE_BPS = 250
STANDARD_PRICE = 10**17 + 3  # odd prices exercise rounding
EXTENDED_PRICE = 500 * 10**6 + 7  # 500 gUSD (6 decimals)
CHILD_PRICE = 3 * 10**16 + 1


class Ledger:
    """What the hub should owe each account, per currency, computed from the interface's split rule."""

    def __init__(self, client: GenIPClient) -> None:
        self.client = client
        self.owed: dict[tuple[str, str], int] = defaultdict(int)
        self.owner: dict[int, str] = {}
        self.ancestry: dict[int, dict[int, int]] = {}

    def asset(self, asset_id: int, owner: LocalAccount, ancestry: dict[int, int] | None = None) -> None:
        self.owner[asset_id] = owner.address
        self.ancestry[asset_id] = ancestry or {}

    def paid(self, asset_id: int, currency: str, amount: int) -> None:
        fee, cuts, rest = split(amount, FEE_BPS, self.ancestry[asset_id])
        self.owed[(TREASURY.address, currency)] += fee
        for ancestor, cut in cuts.items():
            self.owed[(self.owner[ancestor], currency)] += cut
        self.owed[(self.owner[asset_id], currency)] += rest
        assert fee + sum(cuts.values()) + rest == amount

    def check(self) -> None:
        for (account, currency), amount in self.owed.items():
            on_chain = self.client.hub.functions.balanceOf(account, currency).call()
            assert on_chain == amount, (account, currency, on_chain, amount)


def test_the_story(client: GenIPClient) -> None:
    hub, token = client.hub, demo_token(client)
    ledger = Ledger(client)

    # A creator registers an image and publishes two offers.
    image = actions.register(client, CREATOR, make_work("image")).value
    ledger.asset(image, CREATOR)
    assert client.registry.functions.ownerOf(image).call() == CREATOR.address
    assert client.registry.functions.assetOf(make_work("image").content_hash).call() == image
    standard = actions.create_offer(client, CREATOR, image, standard_terms(), price=STANDARD_PRICE).value
    extended = actions.create_offer(
        client, CREATOR, image, extended_terms(1_000), price=EXTENDED_PRICE, currency=token
    ).value

    # A brand buys both: native value for the standard one, an approved ERC-20 transfer for the extended one.
    brand_eth = eth_balance(client, BRAND)
    bought = actions.buy_license(client, BRAND, standard)
    assert eth_balance(client, BRAND) == brand_eth - STANDARD_PRICE - gas_cost(bought.receipt)
    ledger.paid(image, ETH, STANDARD_PRICE)
    mint_demo(client, BRAND, EXTENDED_PRICE)
    actions.approve_hub(client, BRAND, token, EXTENDED_PRICE)
    brand_extended = actions.buy_license(client, BRAND, extended).value
    assert token_balance(client, BRAND) == 0
    ledger.paid(image, token, EXTENDED_PRICE)
    ledger.check()

    # Licence status: the brand may use the image commercially and build on it; a stranger may not.
    licensed, license_id, expires = hub.functions.licenseStatus(
        image, BRAND.address, LicenseUse.COMMERCIAL
    ).call()
    assert licensed and license_id in (bought.value, brand_extended) and expires == 0
    derivative_status = hub.functions.licenseStatus(image, BRAND.address, LicenseUse.DERIVATIVE).call()
    assert derivative_status == [True, brand_extended, 0]
    assert hub.functions.licenseStatus(image, GAME.address, LicenseUse.DISPLAY).call() == [False, 0, 0]
    assert hub.functions.licenseStatus(image, CREATOR.address, LicenseUse.DERIVATIVE).call() == [True, 0, 0]

    # A second creator buys an extended licence and registers a derivative under it.
    mint_demo(client, CREATOR_2, EXTENDED_PRICE)
    actions.approve_hub(client, CREATOR_2, token, EXTENDED_PRICE)
    licence_2 = actions.buy_license(client, CREATOR_2, extended).value
    ledger.paid(image, token, EXTENDED_PRICE)
    child = actions.register_derivative(client, CREATOR_2, [licence_2], make_work("child")).value
    ledger.asset(child, CREATOR_2, {image: 1_000})
    assert hub.functions.ancestry(child).call() == [[image], [1_000]]
    assert hub.functions.royaltyStack(child).call() == 1_000
    assert client.license_token.functions.licenseOf(licence_2).call()[7] is True  # usedForDerivative
    with reverts("LicenseAlreadyUsed"):
        actions.register_derivative(client, CREATOR_2, [licence_2], make_work("child-again"))

    # The child offers its own extended licence (5 %, native); a third creator derives a grandchild.
    child_offer = actions.create_offer(client, CREATOR_2, child, extended_terms(500), price=CHILD_PRICE).value
    licence_3 = actions.buy_license(client, CREATOR_3, child_offer).value
    ledger.paid(child, ETH, CHILD_PRICE)  # the image's owner earns 10 % of the child's licence sale
    grandchild = actions.register_derivative(client, CREATOR_3, [licence_3], make_work("grandchild")).value
    ledger.asset(grandchild, CREATOR_3, {child: 500, image: 1_000})
    ids, shares = hub.functions.ancestry(grandchild).call()
    assert dict(zip(ids, shares, strict=True)) == {child: 500, image: 1_000}
    assert hub.functions.royaltyStack(grandchild).call() == 1_500
    ledger.check()

    # A game pays revenue to the grandchild, in both currencies: every ancestor is credited its share.
    revenue = 10**18 + 11
    fee = actions.pay_revenue(client, GAME, grandchild, revenue).value
    assert fee == revenue * FEE_BPS // 10_000
    ledger.paid(grandchild, ETH, revenue)
    mint_demo(client, GAME, 12_345_679)
    actions.approve_hub(client, GAME, token, 12_345_679)
    actions.pay_revenue(client, GAME, grandchild, 12_345_679, currency=token)
    ledger.paid(grandchild, token, 12_345_679)
    ledger.check()
    fee, cuts, rest = split(revenue, FEE_BPS, {child: 500, image: 1_000})
    assert (fee, cuts, rest) == (
        25_000_000_000_000_000,
        {child: 48_750_000_000_000_000, image: 97_500_000_000_000_001},
        828_750_000_000_000_010,
    )

    # The hub holds exactly what it owes.
    owed_eth = sum(v for (_, c), v in ledger.owed.items() if c == ETH)
    owed_token = sum(v for (_, c), v in ledger.owed.items() if c == token)
    assert eth_balance(client, hub.address) == owed_eth
    assert token_balance(client, hub.address) == owed_token

    # Withdrawals move exactly the credited amounts (native: minus the gas of the withdrawal).
    for account in (CREATOR, CREATOR_2, CREATOR_3, TREASURY):
        credited = ledger.owed[(account.address, ETH)]
        before = eth_balance(client, account)
        out = actions.withdraw(client, account)
        assert out.value == credited
        assert eth_balance(client, account) == before + credited - gas_cost(out.receipt)
        assert hub.functions.balanceOf(account.address, ETH).call() == 0
    for account in (CREATOR, CREATOR_2, CREATOR_3, TREASURY):
        credited = ledger.owed[(account.address, token)]
        before_token, before_eth = token_balance(client, account), eth_balance(client, account)
        out = actions.withdraw(client, account, currency=token)
        assert token_balance(client, account) == before_token + credited
        assert eth_balance(client, account) == before_eth - gas_cost(out.receipt)
    assert eth_balance(client, hub.address) == 0
    assert token_balance(client, hub.address) == 0
    with reverts("NothingToWithdraw"):
        actions.withdraw(client, CREATOR)
