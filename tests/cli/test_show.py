"""`genip show` reads an asset from the chain; derivative refusals; unknown ids."""

import hashlib
from pathlib import Path

from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.chain.types import CheckOutcome, LicenseUse
from tests.cli.conftest import Genip, register_text
from tests.helpers import BRAND, CREATOR, CREATOR_2, DEPLOYER


def test_show_an_asset_with_offers(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "shown")
    genip("offer", "create", str(asset), "--tier", "standard", "--price", "0.5", key=CREATOR).ok()
    genip("offer", str(asset), "--tier", "extended", "--price", "1", "--supply", "2", key=CREATOR)
    genip("offer", "pause", "1", key=CREATOR)
    out = genip("show", str(asset), "--json").json()
    assert out["owner"] == CREATOR.address and out["kind"] == "text"
    assert (
        out["prompt_check"] == "unchecked"
        and out["standing"] == "clear"
        and out["disputes"] == []
        and out["parents"] == []
    )
    assert [(o["offer_id"], o["tier"], o["paused"], o["price"]) for o in out["offers"]] == [
        (1, "standard", True, str(5 * 10**17)),
        (2, "extended", False, str(10**18)),
    ]
    assert out["sha256"] == "0x" + hashlib.sha256(b"shown").hexdigest()
    assert out["prompt_commitment"] == "0x" + client.registry.functions.promptCommitment(asset).call().hex()
    table = genip("show", str(asset))
    assert table.exit_code == 0 and "Offers" in table.stdout and "0.5" in table.stdout


def test_show_an_unknown_asset(genip: Genip) -> None:
    assert (
        genip("show", "42").error()
        == "error: unknown asset 42: no certificate with this id on this deployment"
    )


def test_derive_refusals(genip: Genip, tmp_path: Path) -> None:
    parent = register_text(genip, tmp_path, CREATOR, "parent")
    other = register_text(genip, tmp_path, CREATOR, "other")
    genip("offer", str(parent), "--tier", "standard", "--price", "0.01", key=CREATOR)
    genip("license", "buy", str(parent), "--offer", "1", key=BRAND)
    work = tmp_path / "child.txt"
    work.write_text("child")
    base = ["derive", str(work), "--title", "Child", "--prompt", "p", "--parent"]
    assert "unknown licence 5" in genip(*base, f"{parent}:5", key=BRAND).error()
    assert "is for asset" in genip(*base, f"{other}:1", key=BRAND).error()
    assert "not ASSET:LICENCE" in genip(*base, "7", key=BRAND).error()
    assert "DerivativesNotAllowed" in genip(*base, f"{parent}:1", key=BRAND).error()
    assert "unknown asset 77" in genip(*base, "77:1", key=BRAND).error()


def test_a_failed_check_stops_sales_and_show_says_so(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    """The checker's verdict is enforced on-chain: after a failed attestation `genip show` says sales are
    stopped, a licence purchase fails with the reason in one line, and the licence sold before counts."""
    asset = register_text(genip, tmp_path, CREATOR, "a failed prompt")
    genip("offer", str(asset), "--tier", "standard", "--price", "0.01", key=CREATOR).ok()
    before = genip("license", "buy", str(asset), "--offer", "1", "--json", key=BRAND).json()["license_id"]
    registry = client.registry.functions
    send(client.w3, DEPLOYER, registry.grantRole(registry.CHECKER_ROLE().call(), DEPLOYER.address))
    send(client.w3, DEPLOYER, registry.attestPromptCheck(asset, CheckOutcome.FAILED, b"\x05" * 32))

    out = genip("show", str(asset), "--json").json()
    assert (out["prompt_check"], out["sales_stopped_by_check"]) == ("failed", True)
    refused = genip("license", "buy", str(asset), "--offer", "1", key=CREATOR_2).error()
    assert f"asset {asset}'s prompt check failed" in refused and "\n" not in refused.strip()
    licensed, _, _ = client.hub.functions.licenseStatus(asset, BRAND.address, LicenseUse.DISPLAY).call()
    assert licensed, before
