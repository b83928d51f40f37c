"""A chain story that emits every Gen-IP event at least once, for indexer tests.

Actors are anvil's dev accounts: 0 deployer/admin (also checker and arbiter), 1 and 2 creators, 3 a brand,
4 a claimant, 5 a platform (registers for alice, refers sales). Returns the ids it created so tests can look
rows up. The court's windows are set to one hour and the story moves chain time by about two hours: licences
of a day (the extended offer, and so the derivatives' expiry) are still valid when it ends.
"""

from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import RPCEndpoint

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.client import GenIPClient
from genip.chain.tx import ZERO_ADDRESS, send
from genip.chain.types import CheckOutcome, WorkKind
from tests.helpers import extended_terms, make_work, standard_terms

ETH = 10**18
#: The court's response and appeal windows in the story (its minimum).
WINDOW = 3_600


@dataclass
class Actors:
    admin: LocalAccount = field(default_factory=lambda: dev_account(0))
    alice: LocalAccount = field(default_factory=lambda: dev_account(1))
    bob: LocalAccount = field(default_factory=lambda: dev_account(2))
    brand: LocalAccount = field(default_factory=lambda: dev_account(3))
    claimant: LocalAccount = field(default_factory=lambda: dev_account(4))
    platform: LocalAccount = field(default_factory=lambda: dev_account(5))


@dataclass
class StoryIds:
    root: int = 0
    child: int = 0
    grandchild: int = 0
    disputed: int = 0
    by_platform: int = 0
    offers: dict[str, int] = field(default_factory=dict)
    licenses: dict[str, int] = field(default_factory=dict)
    #: Court dispute ids: "upheld" (against `disputed`: answered, upheld, final, held funds released, bond
    #: settled and withdrawn) and "reversed" (against `child`: upheld, taints `grandchild`, reversed, taint
    #: cleared).
    disputes: dict[str, int] = field(default_factory=dict)


def warp(w3: Web3, seconds: int) -> None:
    """Moves chain time forward and mines a block."""
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def grant_arbiter(client: GenIPClient, admin: LocalAccount, account: str) -> None:
    """Gives `account` the court's ARBITER_ROLE unless it has it."""
    court = client.court
    role = court.functions.ARBITER_ROLE().call()
    if not court.functions.hasRole(role, account).call():
        send(client.w3, admin, court.functions.grantRole(role, account))


def play(client: GenIPClient, salt: str = "") -> StoryIds:
    """Sends the story's transactions (about 70); `salt` makes content hashes unique per call."""
    a = Actors()
    ids = StoryIds()
    hub, registry, court, token = client.hub, client.registry, client.court, client.demo_token
    assert token is not None
    w3 = client.w3

    checker_role = registry.functions.CHECKER_ROLE().call()
    referrer_role = hub.functions.REFERRER_ROLE().call()
    arbiter_role = court.functions.ARBITER_ROLE().call()
    if not registry.functions.hasRole(checker_role, a.admin.address).call():
        send(w3, a.admin, registry.functions.grantRole(checker_role, a.admin.address))
    grant_arbiter(client, a.admin, a.admin.address)
    # A role granted by mistake and revoked again, on three contracts.
    send(w3, a.admin, registry.functions.grantRole(checker_role, a.claimant.address))
    send(w3, a.admin, registry.functions.revokeRole(checker_role, a.claimant.address))
    send(w3, a.admin, hub.functions.grantRole(referrer_role, a.claimant.address))
    send(w3, a.admin, hub.functions.revokeRole(referrer_role, a.claimant.address))
    send(w3, a.admin, court.functions.grantRole(arbiter_role, a.claimant.address))
    send(w3, a.admin, court.functions.revokeRole(arbiter_role, a.claimant.address))
    # The platform refers sales for a fee, and registers for alice under her authorisation.
    send(w3, a.admin, hub.functions.grantRole(referrer_role, a.platform.address))
    send(w3, a.admin, hub.functions.setReferralFee(100))
    send(w3, a.admin, court.functions.setWindows(WINDOW, WINDOW))

    ids.root = actions.register(client, a.alice, make_work(f"root{salt}")).value
    ids.disputed = actions.register(client, a.alice, make_work(f"disputed{salt}", WorkKind.TEXT)).value
    send(w3, a.admin, registry.functions.attestPromptCheck(ids.root, CheckOutcome.PASSED, b"\x01" * 32))
    send(w3, a.alice, registry.functions.setRoyaltyRate(ids.root, 750))
    actions.authorize_platform(client, a.alice, a.platform.address, max_works=5)
    ids.by_platform = actions.register_by_platform(
        client, a.platform, creator=a.alice.address, work=make_work(f"platform{salt}")
    ).value
    actions.authorize_platform(client, a.alice, a.claimant.address)
    actions.revoke_platform(client, a.alice, a.claimant.address)
    actions.invalidate_nonce(client, a.alice, 7)

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
    ids.offers["disputed_standard"] = actions.create_offer(
        client, a.alice, ids.disputed, standard_terms(), price=ETH // 100
    ).value

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
    # Sales through the platform as referrer; the brand gives one of them up.
    ids.licenses["referred"] = actions.buy_license(
        client, a.brand, ids.offers["disputed_standard"], referrer=a.platform.address
    ).value
    ids.licenses["renounced"] = actions.buy_license(client, a.brand, ids.offers["disputed_standard"]).value
    actions.renounce_license(client, a.brand, ids.licenses["renounced"])

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
    actions.withdraw(client, a.alice)
    actions.withdraw(client, a.bob, currency=token.address)

    # Two claims. One against `disputed`: answered, revenue held under it, upheld, final, held funds
    # released to the claimant, bond settled back to the claimant and withdrawn.
    upheld = actions.raise_dispute(
        client, a.claimant, ids.disputed, b"\x02" * 32, claimant_asset_id=ids.root
    ).value
    actions.answer_dispute(client, a.alice, upheld, b"\x04" * 32)
    actions.pay_revenue(client, a.brand, ids.disputed, ETH // 2)
    # One against `child`: upheld, its taint propagated to `grandchild`, then reversed and the taint cleared.
    reversed_ = actions.raise_dispute(client, a.claimant, ids.child, b"\x05" * 32).value
    warp(w3, WINDOW + 1)
    actions.resolve_dispute(client, a.admin, upheld, upheld=True, resolution_hash=b"\x03" * 32)
    actions.resolve_dispute(client, a.admin, reversed_, upheld=True, resolution_hash=b"\x06" * 32)
    actions.propagate_taint(client, a.claimant, ids.grandchild, ids.child)
    actions.pay_revenue(client, a.brand, ids.grandchild, ETH // 4)  # held for the grandchild and the child
    actions.reverse_dispute(client, a.admin, reversed_, b"\x07" * 32)
    actions.clear_taint(client, a.brand, ids.grandchild)
    actions.release_held(client, a.bob, ids.child, reversed_)
    warp(w3, WINDOW + 1)
    actions.release_held(client, a.claimant, ids.disputed, upheld)
    actions.settle_dispute(client, a.claimant, upheld)
    actions.withdraw_bond(client, a.claimant)
    ids.disputes = {"upheld": upheld, "reversed": reversed_}

    send(w3, a.admin, hub.functions.setPlatformFee(300, a.admin.address))
    send(w3, a.admin, registry.functions.setBaseURI("https://genip.example/assets/"))
    send(w3, a.admin, hub.functions.setFailedCheckPolicy(False))  # the switch, both ways: on as deployed
    send(w3, a.admin, hub.functions.setFailedCheckPolicy(True))
    # The root certificate is sold on to bob.
    send(w3, a.alice, registry.functions.transferFrom(a.alice.address, a.bob.address, ids.root))
    return ids
