"""`genip pay`, `genip balance`, `genip withdraw`: amounts exact to the base unit, clear refusals."""

from pathlib import Path

from genip.chain.client import GenIPClient
from tests.cli.conftest import Genip, register_text
from tests.helpers import CREATOR, GAME, TREASURY, demo_token, mint_demo, split, token_balance


def test_pay_in_a_token_then_balance_and_withdraw(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "paid in gUSD")
    mint_demo(client, GAME, 10_000_000)
    out = genip("pay", str(asset), "7.000001", "--currency", "demo", "--json", key=GAME).json()
    fee, _, rest = split(7_000_001, 250, {})
    assert out["amount"] == "7000001" and out["fee"] == str(fee)
    balances = genip("balance", "--json", key=CREATOR).json()["balances"]
    by_symbol = {b["symbol"]: b for b in balances}
    assert by_symbol["ETH"]["balance"] == "0" and by_symbol["gUSD"]["balance"] == str(rest)
    only = genip("balance", "--account", TREASURY.address, "--currency", demo_token(client), "--json").json()
    assert [b["balance"] for b in only["balances"]] == [str(fee)]
    withdrawn = genip("withdraw", "--currency", "demo", "--json", key=CREATOR).json()
    assert withdrawn["amount"] == str(rest) and token_balance(client, CREATOR) == rest


def test_balance_as_a_table(genip: Genip) -> None:
    run = genip("balance", "--account", CREATOR.address)
    assert run.exit_code == 0 and "Withdrawable balance" in run.stdout and "gUSD" in run.stdout


def test_pay_and_withdraw_refusals(genip: Genip, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "refusals")
    assert "unknown asset 9" in genip("pay", "9", "1", key=GAME).error()
    assert "must be more than 0" in genip("pay", str(asset), "0", key=GAME).error()
    assert "not a decimal number" in genip("pay", str(asset), "lots", key=GAME).error()
    assert "insufficient funds" in genip("pay", str(asset), "1", "--currency", "demo", key=GAME).error()
    assert (
        "neither ETH nor an ERC-20" in genip("pay", str(asset), "1", "--currency", "DOGE", key=GAME).error()
    )
    assert "NothingToWithdraw" in genip("withdraw", key=CREATOR).error()
