"""The whole story driven only through the CLI: register → offer → buy → derive → pay → withdraw, with every
balance checked to the wei (gas included)."""

from pathlib import Path

from eth_account.signers.local import LocalAccount

from genip.chain.client import GenIPClient
from tests.cli.conftest import Genip
from tests.cli.test_register import make_image
from tests.helpers import BRAND, CREATOR, ETH, GAME, TREASURY, eth_balance, gas_cost, split

PRICE = 5 * 10**16  # 0.05 ETH
REVENUE = 10**18  # 1 ETH paid to the derivative


def _gas(client: GenIPClient, tx_hash: str) -> int:
    return gas_cost(client.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]


def _hub_balance(genip: Genip, account: LocalAccount) -> int:
    out = genip("balance", "--account", account.address, "--json").json()
    assert out["balances"][0]["currency"] == ETH
    return int(out["balances"][0]["balance"])


def test_register_offer_buy_derive_pay_withdraw(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    creator_start, brand_start = eth_balance(client, CREATOR), eth_balance(client, BRAND)
    spent: dict[str, int] = {CREATOR.address: 0, BRAND.address: 0}

    image = make_image(tmp_path / "origin.png", seed=7)
    reg = genip(
        "register", str(image), "--title", "Origin", "--prompt", "a fox", "--json", key=CREATOR
    ).json()
    spent[CREATOR.address] += _gas(client, reg["commit_tx_hash"]) + _gas(client, reg["tx_hash"])
    parent = reg["asset_id"]

    offer_args = [
        "offer",
        str(parent),
        "--tier",
        "extended",
        "--price",
        "0.05",
        "--rev-share",
        "10%",
        "--json",
    ]
    offer = genip(*offer_args, key=CREATOR).json()
    spent[CREATOR.address] += _gas(client, offer["tx_hash"])

    bought = genip(
        "license", "buy", str(parent), "--offer", str(offer["offer_id"]), "--json", key=BRAND
    ).json()
    spent[BRAND.address] += _gas(client, bought["tx_hash"]) + PRICE

    derived_file = make_image(tmp_path / "derived.png", seed=8)
    parent_ref = f"{parent}:{bought['license_id']}"
    args = ["derive", str(derived_file), "--title", "Fox game art", "--prompt", "the fox, pixel art"]
    derived = genip(*args, "--parent", parent_ref, "--json", key=BRAND).json()
    spent[BRAND.address] += _gas(client, derived["commit_tx_hash"]) + _gas(client, derived["tx_hash"])
    child = derived["asset_id"]

    shown = genip("show", str(child), "--json").json()
    assert shown["parents"] == [{"asset_id": parent, "license_id": bought["license_id"], "share_bps": 1000}]
    assert shown["owner"] == BRAND.address and shown["royalty_stack_bps"] == 1000

    paid = genip("pay", str(child), "1", "--json", key=GAME).json()
    fee_sale, _, creator_sale = split(PRICE, 250, {})
    fee_rev, cuts, brand_rev = split(REVENUE, 250, {parent: 1000})
    assert int(paid["fee"]) == fee_rev

    assert _hub_balance(genip, CREATOR) == creator_sale + cuts[parent]
    assert _hub_balance(genip, BRAND) == brand_rev
    assert _hub_balance(genip, TREASURY) == fee_sale + fee_rev

    for account in (CREATOR, BRAND):
        out = genip("withdraw", "--json", key=account).json()
        spent[account.address] += _gas(client, out["tx_hash"])
    assert _hub_balance(genip, CREATOR) == 0 and _hub_balance(genip, BRAND) == 0
    assert (
        eth_balance(client, CREATOR) == creator_start - spent[CREATOR.address] + creator_sale + cuts[parent]
    )
    assert eth_balance(client, BRAND) == brand_start - spent[BRAND.address] + brand_rev
    assert eth_balance(client, client.hub.address) == fee_sale + fee_rev  # only the treasury's credit is left
