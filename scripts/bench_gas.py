"""Gas used by the main Gen-IP operations (contracts v2), measured on a fresh local anvil in one run.

Starts its own anvil, deploys, plays the story once and prints a table against Story Protocol's reference
medians, then the goals of the v2 design with the ratio reached, then one last line of JSON
`{operation: gasUsed}` for machines.

Registration is commit → reveal, so the protected operations are measured as their total (the commit's gas
plus the reveal's) and the reveal alone is shown too. A platform batch of 100 works is one commit of a Merkle
root plus one `registerBatchByPlatform`, amortised per work. The royalty sink row is a plain ETH transfer into
a deployed sink sent with a gas limit of 21 000 + 2 300 (what `transfer`/`send` forward): it must fit. When
the sink cannot be deployed (`collectRoyalties` reverts) that row is left out and the reason printed.

`buyLicense native` is a work's first sale to a holder new to the licence token: besides the 21 000 of any
transaction it writes four fresh slots for the licence (its record, its owner, the holder's token count, the
(holder, asset) entry with the best licences) and two for the payees' balances (owner and fee recipient), 6 x
22 100 gas. The two rows after the ERC-20 sale show the same sale once the payees' balances hold something, to
a new holder and to one who already holds a licence on the work.
"""

import hashlib
import json
import sys
from typing import Final

from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table
from web3 import Web3
from web3.types import Wei

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect, contract_at
from genip.chain.deploy import deploy
from genip.chain.signing import new_nonce, sign_register
from genip.chain.tx import ZERO_ADDRESS, send
from genip.chain.types import LicenseTerms, Tier, Work, WorkKind
from genip.errors import TransactionFailedError

#: Story Protocol's reference medians (gas) and the operation of ours each compares with.
STORY_REFERENCE: dict[str, tuple[str, int]] = {
    "register total (commit + register)": ("register IP", 179_000),
    "registerFor total (commit + registerFor)": ("register IP", 179_000),
    "platform batch of 100, per work": ("register IP", 179_000),
    "buyLicense native": ("mint licence", 418_000),
    "buyLicense ERC-20": ("mint licence", 418_000),
    "registerDerivative 1 parent": ("register derivative", 383_000),
    "registerDerivative 1 parent total": ("register derivative", 383_000),
}
#: The v2 design's goals: operation → most gas.
GOALS: Final[dict[str, int]] = {
    "register total (commit + register)": 179_000,
    "platform batch of 100, per work": 110_000,
    "buyLicense native": 150_000,
    "registerDerivative 1 parent": 200_000,
}
MANY_PARENTS = 16
BATCH = 100
STIPEND = 2_300
SINK_ROW = "ETH into a deployed royalty sink (2 300 stipend)"


def work(seed: str) -> Work:
    """A distinct image work derived from `seed`."""
    digest = hashlib.sha256(seed.encode()).digest()
    return Work(WorkKind.IMAGE, digest, hashlib.sha256(digest).digest(), Web3.keccak(digest), f"bafy-{seed}")


def terms(tier: Tier, rev_share_bps: int) -> LicenseTerms:
    """Commercial terms; Extended ones allow a derivative and carry `rev_share_bps`."""
    extended = tier is Tier.EXTENDED
    return LicenseTerms(tier, True, extended, not extended, rev_share_bps, b"\x07" * 32, "ipfs://terms")


class _Steps:
    """Collects the gas of a protected registration's commit and reveal."""

    def __init__(self) -> None:
        self.commit = 0
        self.reveal = 0

    def __call__(self, step: str, receipt: object) -> None:
        if receipt is None:
            return
        used = int(receipt["gasUsed"])  # type: ignore[index]
        if step == "committed":
            self.commit = used
        elif step == "registered":
            self.reveal = used


def measure(client: GenIPClient) -> dict[str, int]:
    """Play the story once and return gasUsed per operation."""
    creator, brand, second, third, platform, signer, game = (dev_account(i) for i in range(1, 8))
    token = client.deployment.demo_token
    assert token is not None
    gas: dict[str, int] = {}

    def mint(to: LocalAccount, amount: int) -> None:
        send(client.w3, to, contract_at(client.w3, "DemoToken", token).functions.mint(to.address, amount))

    steps = _Steps()
    image = actions.register(client, creator, work("image"), on_step=steps)
    gas["commit"] = steps.commit
    gas["register (reveal)"] = steps.reveal
    gas["register total (commit + register)"] = steps.commit + steps.reveal

    deadline = int(client.w3.eth.get_block("latest")["timestamp"]) + 3_600
    signed, nonce = work("signed"), new_nonce()
    signature = sign_register(
        signer,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        work=signed,
        nonce=nonce,
        deadline=deadline,
    )
    steps = _Steps()
    actions.register_for(
        client,
        platform,
        creator=signer.address,
        work=signed,
        nonce=nonce,
        deadline=deadline,
        signature=signature,
        on_step=steps,
    )
    gas["registerFor (reveal)"] = steps.reveal
    gas["registerFor total (commit + registerFor)"] = steps.commit + steps.reveal

    creators = [creator, second, third, game]  # a platform's batch holds many creators' works
    for each in creators:
        actions.authorize_platform(client, each, platform.address)
    items = [(creators[i % len(creators)].address, work(f"batch-{i}")) for i in range(BATCH)]
    _ids, committed, batch = actions.register_batch_by_platform(client, platform, items)
    gas[f"platform batch of {BATCH}, total"] = int(committed["gasUsed"]) + int(batch["gasUsed"])
    gas[f"platform batch of {BATCH}, per work"] = gas[f"platform batch of {BATCH}, total"] // BATCH

    standard = actions.create_offer(client, creator, image.value, terms(Tier.STANDARD, 0), price=10**17).value
    extended = actions.create_offer(
        client, creator, image.value, terms(Tier.EXTENDED, 1_000), price=500 * 10**6, currency=token
    ).value
    gas["buyLicense native"] = actions.buy_license(client, brand, standard).receipt["gasUsed"]
    mint(brand, 500 * 10**6)
    actions.approve_hub(client, brand, token, 500 * 10**6)
    gas["buyLicense ERC-20"] = actions.buy_license(client, brand, extended).receipt["gasUsed"]
    # The same sale once the payees' balances hold something (no fresh slot for them): to a new holder, and to
    # a holder who already holds a licence on the work.
    gas["buyLicense native, a later buyer"] = actions.buy_license(client, game, standard).receipt["gasUsed"]
    gas["buyLicense native, a repeat buyer"] = actions.buy_license(client, brand, standard).receipt["gasUsed"]

    mint(second, 500 * 10**6)
    actions.approve_hub(client, second, token, 500 * 10**6)
    licence = actions.buy_license(client, second, extended).value
    steps = _Steps()
    child = actions.register_derivative(client, second, [licence], work("child"), on_step=steps)
    gas["registerDerivative 1 parent"] = steps.reveal
    gas["registerDerivative 1 parent total"] = steps.commit + steps.reveal

    child_offer = actions.create_offer(client, second, child.value, terms(Tier.EXTENDED, 500), price=10**16)
    licence = actions.buy_license(client, third, child_offer.value).value
    grandchild = actions.register_derivative(client, third, [licence], work("grandchild")).value

    licences = []
    for i in range(MANY_PARENTS):
        root = actions.register(client, creator, work(f"root-{i}")).value
        offer = actions.create_offer(client, creator, root, terms(Tier.EXTENDED, 500), price=10**15).value
        licences.append(actions.buy_license(client, brand, offer).value)
    steps = _Steps()
    actions.register_derivative(client, brand, licences, work("collage"), on_step=steps)
    gas[f"registerDerivative {MANY_PARENTS} parents"] = steps.reveal

    paid = actions.pay_revenue(client, game, grandchild, 10**18)
    gas["payRevenue 3-level ancestry"] = paid.receipt["gasUsed"]
    gas["withdraw native"] = actions.withdraw(client, creator).receipt["gasUsed"]
    try:
        gas[SINK_ROW] = _sink_transfer(client, game, image.value)
    except TransactionFailedError as exc:
        print(f"royalty sink row left out: {exc}", file=sys.stderr)
    return {name: int(value) for name, value in gas.items()}


def _sink_transfer(client: GenIPClient, payer: LocalAccount, asset_id: int) -> int:
    """Deploy `asset_id`'s sink (collecting a first royalty), then send it ETH with 21 000 + 2 300 gas."""
    w3 = client.w3
    sink = client.hub.functions.royaltySinkOf(asset_id).call()
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": payer.address, "to": sink, "value": Wei(10**15)})
    )
    send(w3, payer, client.hub.functions.collectRoyalties(asset_id, ZERO_ADDRESS), action="collectRoyalties")
    assert w3.eth.get_code(sink), "the sink was not deployed"
    tx = w3.eth.send_transaction(
        {"from": payer.address, "to": sink, "value": Wei(10**15), "gas": 21_000 + STIPEND}
    )
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    if receipt["status"] != 1:
        raise RuntimeError("a plain transfer into the sink does not fit the 2 300-gas stipend")
    return int(receipt["gasUsed"])


def render(gas: dict[str, int]) -> Table:
    """The table of measurements against Story Protocol's medians."""
    table = Table(title="Gen-IP gas (anvil, contracts v2)")
    table.add_column("operation", no_wrap=True)
    table.add_column("gas used", justify="right")
    table.add_column("Story Protocol op", no_wrap=True)
    table.add_column("its median", justify="right")
    table.add_column("ratio", justify="right")
    for name, used in gas.items():
        story, reference = STORY_REFERENCE.get(name, ("-", 0))
        ratio = f"{used / reference:.2f}" if reference else "-"
        table.add_row(name, f"{used:,}", story, f"{reference:,}" if reference else "-", ratio)
    return table


def goals(gas: dict[str, int]) -> Table:
    """The v2 goals: each operation's gas, the goal and the ratio reached (≤ 1.00 meets it)."""
    table = Table(title="Goals of the v2 design")
    table.add_column("operation", no_wrap=True)
    table.add_column("gas used", justify="right")
    table.add_column("goal", justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("met", justify="center")
    for name, goal in GOALS.items():
        used = gas[name]
        table.add_row(name, f"{used:,}", f"≤ {goal:,}", f"{used / goal:.2f}", "yes" if used <= goal else "NO")
    return table


def main() -> int:
    """Measure, print the tables and the JSON line."""
    with Anvil() as node:
        w3 = connect(node.rpc_url)
        deployment = deploy(
            w3, dev_account(0), rpc_url=node.rpc_url, fee_recipient=dev_account(9).address, demo_token=True
        )
        gas = measure(GenIPClient.open(deployment, w3=w3))
    console = Console(width=max(Console().width, 110))
    console.print(render(gas))
    console.print(goals(gas))
    print(json.dumps(gas))
    return 0


if __name__ == "__main__":
    sys.exit(main())
