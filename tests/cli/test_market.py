"""`genip offer`, `genip license buy|list`, `genip status`: happy paths and one-line refusals."""

from pathlib import Path

from web3.types import RPCEndpoint

from genip.chain.client import GenIPClient
from genip.storage import LocalStore
from genip.terms import Tier, template
from tests.cli.conftest import Genip, register_text
from tests.helpers import BRAND, CREATOR, CREATOR_2, demo_token, mint_demo, token_balance


def test_offer_in_eth_with_the_standard_template(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work one")
    out = genip("offer", str(asset), "--tier", "standard", "--price", "0.05", "--json", key=CREATOR).json()
    assert out["offer_id"] == 1 and out["price"] == str(5 * 10**16) and out["tier"] == "standard"
    offer = client.hub.functions.offer(1).call()
    assert offer[1] == asset and offer[4] == 5 * 10**16 and offer[2] == 0  # (seller, asset, duration, …)
    doc = template(Tier.STANDARD)
    assert out["terms_uri"] == doc.uri
    assert LocalStore(genip.data_dir / "store").get(doc.digest.cid) == doc.data  # the URI resolves


def test_offer_in_a_token_with_duration_supply_share_and_own_terms(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work two")
    terms = tmp_path / "terms.md"
    terms.write_text("My own terms.\n")
    args = ["offer", str(asset), "--tier", "extended", "--price", "12.5", "--currency", demo_token(client)]
    args += ["--duration", "30d", "--supply", "3", "--rev-share", "15%", "--terms", str(terms), "--json"]
    out = genip(*args, key=CREATOR).json()
    offer = client.hub.functions.offer(out["offer_id"]).call()
    assert offer[4] == 12_500_000 and offer[2] == 30 * 86_400 and offer[6] == 3  # gUSD has 6 decimals
    assert out["rev_share_bps"] == 1500 and out["terms_sha256"].startswith("0x")


def test_offer_pause_and_resume(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work three")
    genip("offer", str(asset), "--tier", "standard", "--price", "1", "--json", key=CREATOR).json()
    assert genip("offer", "pause", "1", "--json", key=CREATOR).json()["paused"] is True
    assert client.hub.functions.offer(1).call()[8] is True  # paused (the last field)
    assert "paused" in genip("license", "buy", str(asset), "--offer", "1", key=BRAND).error()
    genip("offer", "resume", "1", "--json", key=CREATOR).json()
    assert client.hub.functions.offer(1).call()[8] is False


def test_offer_refusals(genip: Genip, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work four")
    base = ["offer", str(asset), "--tier", "standard"]
    assert (
        "unknown asset 99" in genip("offer", "99", "--tier", "standard", "--price", "1", key=CREATOR).error()
    )
    assert "more than 18 decimals" in genip(*base, "--price", "0.0000000000000000001", key=CREATOR).error()
    assert "NotAssetOwner" in genip(*base, "--price", "1", key=BRAND).error()
    assert (
        "not standard, extended or generation"
        in genip("offer", str(asset), "--tier", "gold", "--price", "1").error()
    )
    assert "unknown offer 7" in genip("offer", "pause", "7", key=CREATOR).error()


def test_buy_in_eth_then_list_and_status(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work five")
    genip("offer", str(asset), "--tier", "standard", "--price", "0.05", "--duration", "1d", key=CREATOR)
    out = genip("license", "buy", str(asset), "--offer", "1", "--json", key=BRAND).json()
    assert out["license_id"] == 1 and out["expires_at"] > 0
    listed = genip("license", "list", "--account", BRAND.address, "--json").json()
    assert [lic["license_id"] for lic in listed["licenses"]] == [1] and listed["licenses"][0][
        "expired"
    ] is False
    ok = genip("status", str(asset), "--account", BRAND.address, "--json").json()
    assert ok["licensed"] is True and ok["license_id"] == 1
    run = genip("status", str(asset), "--account", BRAND.address, "--use", "derivative", "--json")
    assert run.exit_code == 1 and '"licensed": false' in run.stdout
    assert "holds no valid licence" in run.stderr


def test_buy_in_a_token_approves_the_hub_first(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work six")
    genip("offer", str(asset), "--tier", "standard", "--price", "2", "--currency", "demo", key=CREATOR).ok()
    mint_demo(client, BRAND, 5_000_000)
    genip("license", "buy", str(asset), "--offer", "1", "--json", key=BRAND).json()
    assert token_balance(client, BRAND) == 3_000_000


def test_buy_refusals(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work seven")
    other = register_text(genip, tmp_path, CREATOR, "work eight")
    genip("offer", str(asset), "--tier", "standard", "--price", "2", "--currency", "demo", key=CREATOR)
    assert "unknown offer 5" in genip("license", "buy", str(asset), "--offer", "5", key=BRAND).error()
    assert "unknown asset 50" in genip("license", "buy", "50", "--offer", "1", key=BRAND).error()
    assert "is for asset" in genip("license", "buy", str(other), "--offer", "1", key=BRAND).error()
    err = genip("license", "buy", str(asset), "--offer", "1", key=CREATOR_2).error()
    assert err.startswith("error: insufficient funds") and "needs 2 gUSD" in err


def test_status_of_an_expired_licence_and_deriving_from_it(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "work nine")
    args = ["offer", str(asset), "--tier", "extended", "--price", "0.01", "--duration", "1h"]
    genip(*args, key=CREATOR).ok()
    genip("license", "buy", str(asset), "--offer", "1", "--json", key=BRAND).json()
    client.w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [7200])
    client.w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    run = genip("status", str(asset), "--account", BRAND.address)
    assert "holds no valid licence" in run.error()
    listed = genip("license", "list", "--account", BRAND.address, "--json").json()
    assert listed["licenses"][0]["expired"] is True
    work = tmp_path / "derived.txt"
    work.write_text("derived")
    err = genip(
        "derive", str(work), "--title", "D", "--prompt", "p", "--parent", f"{asset}:1", key=BRAND
    ).error()
    assert "LicenseExpired" in err


def test_status_of_an_unknown_asset(genip: Genip) -> None:
    assert "unknown asset 3" in genip("status", "3", "--account", BRAND.address).error()
