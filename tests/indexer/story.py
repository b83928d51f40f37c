"""A chain story that emits every Gen-IP event at least once, for indexer tests.

Actors are anvil's dev accounts: 0 deployer/admin (also checker and arbiter), 1 and 2 creators, 3 a brand,
4 a claimant. Returns the ids it created so tests can look rows up.
"""

from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.client import GenIPClient
from genip.chain.tx import ZERO_ADDRESS, send
from genip.chain.types import CheckOutcome, WorkKind
from tests.helpers import extended_terms, make_work, standard_terms

ETH = 10**18


@dataclass
class Actors:
    admin: LocalAccount = field(default_factory=lambda: dev_account(0))
    alice: LocalAccount = field(default_factory=lambda: dev_account(1))
    bob: LocalAccount = field(default_factory=lambda: dev_account(2))
    brand: LocalAccount = field(default_factory=lambda: dev_account(3))
    claimant: LocalAccount = field(default_factory=lambda: dev_account(4))


@dataclass
class StoryIds:
    root: int = 0
    child: int = 0
    grandchild: int = 0
    disputed: int = 0
    offers: dict[str, int] = field(default_factory=dict)
    licenses: dict[str, int] = field(default_factory=dict)


def play(client: GenIPClient, salt: str = "") -> StoryIds:
    """Sends the story's transactions (about 40); `salt` makes content hashes unique per call."""
    a = Actors()
    ids = StoryIds()
    hub, registry, token = client.hub, client.registry, client.demo_token
    assert token is not None
    w3 = client.w3

    checker_role = registry.functions.CHECKER_ROLE().call()
    arbiter_role = hub.functions.ARBITER_ROLE().call()
    if not registry.functions.hasRole(checker_role, a.admin.address).call():
        send(w3, a.admin, registry.functions.grantRole(checker_role, a.admin.address))
        send(w3, a.admin, hub.functions.grantRole(arbiter_role, a.admin.address))
    # A role granted by mistake and revoked again, on both contracts.
    send(w3, a.admin, registry.functions.grantRole(checker_role, a.claimant.address))
    send(w3, a.admin, registry.functions.revokeRole(checker_role, a.claimant.address))
    send(w3, a.admin, hub.functions.grantRole(arbiter_role, a.claimant.address))
    send(w3, a.admin, hub.functions.revokeRole(arbiter_role, a.claimant.address))

    ids.root = actions.register(client, a.alice, make_work(f"root{salt}")).value
    ids.disputed = actions.register(client, a.alice, make_work(f"disputed{salt}", WorkKind.TEXT)).value
    send(w3, a.admin, registry.functions.attestPromptCheck(ids.root, CheckOutcome.PASSED, b"\x01" * 32))
    send(w3, a.alice, registry.functions.setRoyaltyRate(ids.root, 750))

    ids.offers["standard"] = actions.create_offer(
        client, a.alice, ids.root, standard_terms(), price=ETH // 10
    ).value
    ids.offers["extended"] = actions.create_offer(
        client,
        a.alice,
        ids.root,
        extended_terms(1_000),
        price=50 * 10**6,
        currency=token.address,
        duration=86_400,
    ).value
    ids.offers["paused"] = actions.create_offer(client, a.alice, ids.root, standard_terms(), price=1).value
    send(w3, a.alice, hub.functions.setOfferPaused(ids.offers["paused"], True))

    for buyer in (a.brand, a.bob):
        send(w3, buyer, token.functions.mint(buyer.address, 1_000 * 10**6))
        actions.approve_hub(client, buyer, token.address, 2**255)
    ids.licenses["brand_standard"] = actions.buy_license(client, a.brand, ids.offers["standard"]).value
    ids.licenses["bob_extended"] = actions.buy_license(client, a.bob, ids.offers["extended"]).value
    ids.licenses["brand_extended"] = actions.buy_license(client, a.brand, ids.offers["extended"]).value
    # A transferable licence moves from the brand to the claimant.
    lic = client.license_token
    send(
        w3,
        a.brand,
        lic.functions.transferFrom(a.brand.address, a.claimant.address, ids.licenses["brand_standard"]),
    )

    ids.child = actions.register_derivative(
        client, a.bob, [ids.licenses["bob_extended"]], make_work(f"child{salt}")
    ).value
    child_offer = actions.create_offer(client, a.bob, ids.child, extended_terms(500), price=ETH // 20).value
    ids.offers["child_extended"] = child_offer
    ids.licenses["alice_child"] = actions.buy_license(client, a.alice, child_offer).value
    ids.grandchild = actions.register_derivative(
        client, a.alice, [ids.licenses["alice_child"]], make_work(f"grandchild{salt}")
    ).value

    actions.pay_revenue(client, a.brand, ids.grandchild, ETH)
    actions.pay_revenue(client, a.brand, ids.grandchild, 200 * 10**6, currency=token.address)
    # ERC-2981 royalties: paid to the sink, then collected and split.
    sink = hub.functions.royaltySinkOf(ids.child).call()
    paid = w3.eth.send_transaction(
        {"from": a.brand.address, "to": sink, "value": ETH // 100}
    )  # anvil: unlocked
    w3.eth.wait_for_transaction_receipt(paid)
    send(w3, a.brand, hub.functions.collectRoyalties(ids.child, ZERO_ADDRESS))

    # A dispute: revenue held, then the claim is upheld and the held funds released to the claimant.
    send(w3, a.admin, hub.functions.raiseDispute(ids.disputed, b"\x02" * 32))
    actions.pay_revenue(client, a.brand, ids.disputed, ETH // 2)
    send(w3, a.admin, hub.functions.resolveDispute(ids.disputed, True, a.claimant.address, b"\x03" * 32))
    send(w3, a.claimant, hub.functions.releaseHeld(ids.disputed, ZERO_ADDRESS))

    actions.withdraw(client, a.alice)
    actions.withdraw(client, a.bob, currency=token.address)
    send(w3, a.admin, hub.functions.setPlatformFee(300, a.admin.address))
    send(w3, a.admin, registry.functions.setBaseURI("https://genip.example/assets/"))
    # The root certificate is sold on to bob.
    send(w3, a.alice, registry.functions.transferFrom(a.alice.address, a.bob.address, ids.root))
    return ids
