"""`genip account new|import|list` and signing with `--account`: keys never shown, wrong passwords refused."""

import json
from pathlib import Path

from eth_account import Account

from genip.chain.client import GenIPClient
from tests.cli.conftest import Genip, register_text
from tests.helpers import CREATOR, DEPLOYER, eth_balance

PASSWORD = "correct horse battery staple"


def test_new_then_list(genip: Genip) -> None:
    made = genip("account", "new", "--json", GENIP_PASSWORD=PASSWORD).json()
    listed = genip("account", "list", "--json").json()
    assert listed["count"] == 1 and listed["accounts"][0]["address"] == made["address"]
    keyfile = json.loads(Path(made["keystore_file"]).read_text())
    assert keyfile["crypto"]["kdfparams"]["n"] == 4096  # GENIP_KEYSTORE_SCRYPT_N from the test env
    assert Path(made["keystore_file"]).stat().st_mode & 0o777 == 0o600


def test_new_asks_for_the_password_twice_when_not_in_the_env(genip: Genip) -> None:
    run = genip("account", "new", "--json", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert run.exit_code == 0, run.stderr
    assert PASSWORD not in run.stdout


def test_import_from_stdin_round_trip_and_sign(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    key = CREATOR.key.hex()
    run = genip("account", "import", "--json", input=key + "\n", GENIP_PASSWORD=PASSWORD)
    assert run.json()["address"] == CREATOR.address
    assert key.removeprefix("0x") not in run.stdout + run.stderr
    # sign with the keystore account, chosen by address and by its number
    asset = register_text(genip, tmp_path, CREATOR, "signed from the keystore")  # env key, for comparison
    args = ["offer", str(asset), "--tier", "standard", "--price", "1", "--json"]
    by_address = genip(*args, "--account", CREATOR.address, GENIP_PASSWORD=PASSWORD).json()
    by_number = genip(*args, "--account", "1", input=PASSWORD + "\n").json()
    assert (by_address["offer_id"], by_number["offer_id"]) == (1, 2)


def test_a_wrong_password_is_refused(genip: Genip, tmp_path: Path) -> None:
    genip("account", "import", input=CREATOR.key.hex() + "\n", GENIP_PASSWORD=PASSWORD)
    asset = register_text(genip, tmp_path, CREATOR, "wrong password")
    args = ["offer", str(asset), "--tier", "standard", "--price", "1", "--account", CREATOR.address]
    err = genip(*args, GENIP_PASSWORD="not it").error()
    assert err == f"error: wrong password for {CREATOR.address}"


def test_import_refuses_a_malformed_key_without_echoing_it(genip: Genip) -> None:
    err = genip("account", "import", input="0xnotakey123\n", GENIP_PASSWORD=PASSWORD).error()
    assert "not a 32-byte hex private key" in err and "notakey" not in err


def test_an_unfunded_keystore_account_has_insufficient_funds(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    poor = Account.create()
    genip("account", "import", input=poor.key.hex() + "\n", GENIP_PASSWORD=PASSWORD).ok()
    asset = register_text(genip, tmp_path, DEPLOYER, "pricey")
    genip("offer", str(asset), "--tier", "standard", "--price", "3", key=DEPLOYER)
    assert eth_balance(client, poor.address) == 0
    err = genip(
        "license", "buy", str(asset), "--offer", "1", "--account", "1", GENIP_PASSWORD=PASSWORD
    ).error()
    assert err == f"error: insufficient funds: {poor.address} holds 0 ETH, needs 3 ETH"
