"""Gas used by the main Gen-IP operations, measured on a fresh local anvil.

Starts its own anvil, deploys, plays the story once and prints a table against Story Protocol's reference
medians, then one last line of JSON `{operation: gasUsed}` for machines.
"""

import hashlib
import json
import sys

from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table
from web3 import Web3

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect, contract_at
from genip.chain.deploy import deploy
from genip.chain.signing import sign_register
from genip.chain.tx import send
from genip.chain.types import LicenseTerms, Tier, Work, WorkKind

#: Story Protocol's reference medians (gas) and the operation of ours each compares with.
STORY_REFERENCE: dict[str, tuple[str, int]] = {
    "register": ("register IP", 179_000),
    "registerFor": ("register IP", 179_000),
    "buyLicense native": ("mint licence", 418_000),
    "buyLicense ERC-20": ("mint licence", 418_000),
    "registerDerivative 1 parent": ("register derivative", 383_000),
}
MANY_PARENTS = 16


def work(seed: str) -> Work:
    """A distinct image work derived from `seed`."""
    digest = hashlib.sha256(seed.encode()).digest()
    return Work(WorkKind.IMAGE, digest, hashlib.sha256(digest).digest(), Web3.keccak(digest), f"bafy-{seed}")


def terms(tier: Tier, rev_share_bps: int) -> LicenseTerms:
    """Commercial terms; Extended ones allow a derivative and carry `rev_share_bps`."""
    extended = tier is Tier.EXTENDED
    return LicenseTerms(tier, True, extended, not extended, rev_share_bps, b"\x07" * 32, "ipfs://terms")


def measure(client: GenIPClient) -> dict[str, int]:
    """Play the story once and return gasUsed per operation."""
    creator, brand, second, third, platform, signer, game = (dev_account(i) for i in range(1, 8))
    token = client.deployment.demo_token
    assert token is not None
    gas: dict[str, int] = {}

    def mint(to: LocalAccount, amount: int) -> None:
        send(client.w3, to, contract_at(client.w3, "DemoToken", token).functions.mint(to.address, amount))

    image = actions.register(client, creator, work("image"))
    gas["register"] = image.receipt["gasUsed"]

    deadline = int(client.w3.eth.get_block("latest")["timestamp"]) + 3_600
    signed = work("signed")
    signature = sign_register(
        signer,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        work=signed,
        nonce=0,
        deadline=deadline,
    )
    gas["registerFor"] = actions.register_for(
        client, platform, creator=signer.address, work=signed, nonce=0, deadline=deadline, signature=signature
    ).receipt["gasUsed"]

    standard = actions.create_offer(client, creator, image.value, terms(Tier.STANDARD, 0), price=10**17).value
    extended = actions.create_offer(
        client, creator, image.value, terms(Tier.EXTENDED, 1_000), price=500 * 10**6, currency=token
    ).value
    gas["buyLicense native"] = actions.buy_license(client, brand, standard).receipt["gasUsed"]
    mint(brand, 500 * 10**6)
    actions.approve_hub(client, brand, token, 500 * 10**6)
    gas["buyLicense ERC-20"] = actions.buy_license(client, brand, extended).receipt["gasUsed"]

    mint(second, 500 * 10**6)
    actions.approve_hub(client, second, token, 500 * 10**6)
    licence = actions.buy_license(client, second, extended).value
    child = actions.register_derivative(client, second, [licence], work("child"))
    gas["registerDerivative 1 parent"] = child.receipt["gasUsed"]

    child_offer = actions.create_offer(client, second, child.value, terms(Tier.EXTENDED, 500), price=10**16)
    licence = actions.buy_license(client, third, child_offer.value).value
    grandchild = actions.register_derivative(client, third, [licence], work("grandchild")).value

    licences = []
    for i in range(MANY_PARENTS):
        root = actions.register(client, creator, work(f"root-{i}")).value
        offer = actions.create_offer(client, creator, root, terms(Tier.EXTENDED, 500), price=10**15).value
        licences.append(actions.buy_license(client, brand, offer).value)
    many = actions.register_derivative(client, brand, licences, work("collage"))
    gas[f"registerDerivative {MANY_PARENTS} parents"] = many.receipt["gasUsed"]

    paid = actions.pay_revenue(client, game, grandchild, 10**18)
    gas["payRevenue 3-level ancestry"] = paid.receipt["gasUsed"]
    gas["withdraw native"] = actions.withdraw(client, creator).receipt["gasUsed"]
    return {name: int(value) for name, value in gas.items()}


def render(gas: dict[str, int]) -> Table:
    """The table of measurements against Story Protocol's medians."""
    table = Table(title="Gen-IP gas (anvil, optimizer 2000 runs)")
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


def main() -> int:
    """Measure, print the table and the JSON line."""
    with Anvil() as node:
        w3 = connect(node.rpc_url)
        deployment = deploy(
            w3, dev_account(0), rpc_url=node.rpc_url, fee_recipient=dev_account(9).address, demo_token=True
        )
        gas = measure(GenIPClient.open(deployment, w3=w3))
    Console(width=max(Console().width, 100)).print(render(gas))
    print(json.dumps(gas))
    return 0


if __name__ == "__main__":
    sys.exit(main())
