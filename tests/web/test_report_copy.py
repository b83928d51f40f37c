"""Report a copy: the creator of an original opens a later copy's page (a recompressed, resized re-upload of
her demo astronaut by a stranger), sees the API's evidence prefilled, brings the claim with the court's bond,
and the page then shows the disputed standing. The dispute on-chain records her asset as the claimant's and
the evidence hash the API computed."""

import io
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from PIL import Image

from genip.chain.types import WorkKind
from genip.prompts import PromptVault
from genip.storage import LocalStore
from genip.works import WorkDescription, prepare_registration, register_draft
from tests.web.conftest import ADA, BUYER, ROOT, Stack, open_page, rpc, shot

pytestmark = pytest.mark.slow

DISPUTED = "Disputed: a claim is open; licences are paused"


def _copy_of(stack: Stack, original: int, copier: LocalAccount, folder: Path) -> int:
    """`copier` registers a resized JPEG of `original`'s media as their own work; returns its id once indexed
    with a possible original."""
    media_cid = httpx.get(f"{stack.base_url}/assets/{original}").json()["media_cid"]
    store = LocalStore(stack.data_dir / "store")
    image = Image.open(io.BytesIO(stack.originals().read(media_cid))).convert("RGB")  # sealed at rest
    path = folder / "my-astronaut.jpg"
    image.resize((image.width * 3 // 4, image.height * 3 // 4)).save(path, "JPEG", quality=75)
    draft = prepare_registration(
        path,
        WorkDescription(kind=WorkKind.IMAGE, title="My astronaut", prompt="an astronaut portrait"),
        creator=copier.address,
    )
    vault = PromptVault(stack.data_dir, copier.address)
    originals = stack.originals()
    copy = register_draft(stack.client, copier, draft, store=store, vault=vault, originals=originals).asset_id
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.base_url}/assets/{copy}")
        if response.status_code == 200 and response.json()["possible_original"]:
            return copy
        time.sleep(0.3)
    raise AssertionError(f"copy {copy} was not indexed with a possible original in 60 s")


@pytest.fixture(scope="module")
def copy(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> int:
    copier: LocalAccount = Account.create()
    rpc(stack, "anvil_setBalance", copier.address, hex(10**19))
    return _copy_of(stack, stack.seeded.assets["astronaut"], copier, tmp_path_factory.mktemp("copy"))


def test_the_originals_creator_reports_a_copy_with_the_apis_evidence(
    browser: Any, stack: Stack, copy: int
) -> None:
    original = stack.seeded.assets["astronaut"]
    detail = httpx.get(f"{stack.base_url}/assets/{copy}").json()
    assert detail["possible_original"]["asset_id"] == original
    assert detail["possible_original"]["owner"] == ADA.address and detail["standing"] == "clear"
    evidence = httpx.get(
        f"{stack.base_url}/assets/{copy}/copy-evidence", params={"original": original}
    ).json()

    page = open_page(browser, stack, ADA.address)
    page.goto(f"/#/work/{copy}")
    page.get_by_role("button", name="Report a copy").click()
    sentence = page.get_by_test_id("evidence-sentence")
    sentence.wait_for()
    assert sentence.inner_text().startswith(f"#{copy} matches #{original} (")
    assert "by another creator" in sentence.inner_text()
    assert page.get_by_test_id("evidence-hash").inner_text() == evidence["evidence_hash"]
    terms = page.get_by_test_id("court-terms").inner_text()
    assert re.search(r"Bond: 0\.01 ETH", terms), terms
    window = r"The owner has \d+ (day|hour|minute)s? to answer; an arbiter then rules\."
    assert re.search(window, terms), terms
    shot(page, "report-copy-form")

    court = stack.client.court.functions
    before = int(court.totalDisputes().call())
    page.get_by_role("button", name=re.compile("^Send the claim")).click()
    page.get_by_test_id("standing").filter(has_text=DISPUTED).wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Report a copy").count() == 0  # no second claim on a disputed work
    shot(page, "report-copy-disputed")
    page.context.close()

    assert int(court.totalDisputes().call()) == before + 1
    names = [o["name"] for o in _court_abi_entry("dispute")["outputs"][0]["components"]]
    dispute = dict(zip(names, court.dispute(before + 1).call(), strict=True))
    assert dispute["assetId"] == copy and dispute["claimantAssetId"] == original
    assert dispute["claimant"] == ADA.address
    assert "0x" + bytes(dispute["evidenceHash"]).hex() == evidence["evidence_hash"]


def test_without_a_possible_original_the_claimant_writes_a_statement_and_errors_read_as_sentences(
    browser: Any, stack: Stack
) -> None:
    """Basho's haiku matches nothing of the buyer's: the form asks for a statement, shows keccak256 of its
    UTF-8 bytes as the evidence hash, offers the buyer's works as the original, and a signature refused in
    the wallet is a sentence (nothing is sent)."""
    haiku = stack.seeded.assets["haiku"]
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/work/{haiku}")
    page.get_by_role("button", name="Report a copy").click()
    statement = "Lines two and three are my poem «Dew», posted in 2023."
    page.get_by_label("Your statement").fill(statement)
    expected = "0x" + keccak(statement.encode("utf-8")).hex()
    assert page.get_by_test_id("evidence-hash").inner_text() == expected
    assert page.get_by_label("Your original (optional)").input_value() == "0"
    page.evaluate("window.ethereum.testOptions.reject = true")
    page.get_by_role("button", name=re.compile("^Send the claim")).click()
    page.get_by_text("You rejected the request in your wallet. Nothing was sent.").wait_for()
    shot(page, "report-copy-statement")
    page.context.close()
    assert httpx.get(f"{stack.base_url}/assets/{haiku}").json()["standing"] == "clear"


def _court_abi() -> list[dict[str, Any]]:
    abi: list[dict[str, Any]] = json.loads((ROOT / "genip" / "abi" / "DisputeCourt.json").read_text())["abi"]
    return abi


def _court_abi_entry(name: str) -> dict[str, Any]:
    return next(e for e in _court_abi() if e.get("name") == name)
