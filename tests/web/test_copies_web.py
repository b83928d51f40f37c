"""Possible copies in the browser: a stranger registers a resized JPEG of the demo astronaut; its page
carries the mark ("Possible copy of #N", how it matches, how much later), the original's page lists it, search
shows it (with its badge) only once "Show possible copies" is on, and the astronaut's creator finds it under
"Copies of your works" on the dashboard, whose "Bring a claim" opens the copy's claim form with the API's
evidence prefilled (the claim itself is sent in `test_report_copy`)."""

import io
import re
import time
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from PIL import Image

from genip.chain.types import WorkKind
from genip.prompts import PromptVault
from genip.storage import LocalStore
from genip.works import WorkDescription, prepare_registration, register_draft
from tests.web.conftest import ADA, BUYER, Stack, open_page, rpc, shot

pytestmark = pytest.mark.slow

#: A word only the copy's title holds, to find it in search.
WORD = "selenographer"


@pytest.fixture(scope="module")
def copy(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> int:
    """A stranger's two-thirds-size JPEG of the demo astronaut, once indexed with its possible original."""
    copier: LocalAccount = Account.create()
    rpc(stack, "anvil_setBalance", copier.address, hex(10**19))
    original = stack.seeded.assets["astronaut"]
    store = LocalStore(stack.data_dir / "store")
    media_cid = httpx.get(f"{stack.base_url}/assets/{original}").json()["media_cid"]
    image = Image.open(io.BytesIO(stack.originals().read(media_cid))).convert("RGB")  # sealed at rest
    path = tmp_path_factory.mktemp("copies-web") / "study.jpg"
    image.resize((image.width * 2 // 3, image.height * 2 // 3)).save(path, "JPEG", quality=82)
    work = WorkDescription(kind=WorkKind.IMAGE, title=f"Astronaut, by the {WORD}", prompt="an astronaut")
    draft = prepare_registration(path, work, creator=copier.address)
    vault = PromptVault(stack.data_dir, copier.address)
    originals = stack.originals()
    asset = register_draft(
        stack.client, copier, draft, store=store, vault=vault, originals=originals
    ).asset_id
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.base_url}/assets/{asset}")
        if response.status_code == 200 and response.json()["possible_original"]:
            return asset
        time.sleep(0.3)
    raise AssertionError(f"copy {asset} was not indexed with a possible original in 60 s")


def test_the_copys_page_carries_the_mark_and_the_original_lists_it(
    browser: Any, stack: Stack, copy: int
) -> None:
    original = stack.seeded.assets["astronaut"]
    detail = httpx.get(f"{stack.base_url}/assets/{copy}").json()
    found = detail["possible_original"]
    assert found["asset_id"] == original and detail["copy_of"] == original
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/work/{copy}")
    mark = page.get_by_test_id("copy-mark")
    mark.wait_for()
    assert f"Possible copy of #{original}" in mark.inner_text()
    assert mark.get_by_role("link", name=f"#{original}").get_attribute("href") == f"#/work/{original}"
    how = page.get_by_test_id("copy-how").inner_text()
    assert re.search(r"\((PDQ|pHash) distance \d+ bits?\)|thumbnail correlation|keypoints line up", how), how
    gap = detail["block_number"] - found["block_number"]
    assert f"registered {gap} block{'' if gap == 1 else 's'} later" in how
    assert "possible_copy" not in mark.inner_text() and "phash" not in how  # words, not the API's names
    shot(page, "copy-mark")

    page.goto(f"/#/work/{original}")
    listed = page.get_by_test_id("possible-copy").filter(has_text=WORD)
    listed.wait_for()
    assert f"(#{copy})" in listed.inner_text() and "later" in listed.inner_text()
    assert listed.get_by_role("link", name="Bring a claim").count() == 0  # only its owner may
    page.context.close()


def test_search_shows_the_copy_and_its_badge_only_with_the_toggle(
    browser: Any, stack: Stack, copy: int
) -> None:
    original = stack.seeded.assets["astronaut"]
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/?q={WORD}")
    page.get_by_role("status").filter(has_text="No works match").wait_for()
    assert page.get_by_test_id("copy-badge").count() == 0
    toggle = page.get_by_label("Show possible copies")
    assert not toggle.is_checked()
    toggle.check()
    card = page.locator(".card").filter(has_text=WORD)
    card.wait_for()
    assert card.get_by_test_id("copy-badge").inner_text() == f"Possible copy of #{original}"
    assert "copies=1" in page.url
    shot(page, "search-possible-copies")
    toggle.uncheck()
    page.get_by_role("status").filter(has_text="No works match").wait_for()
    assert page.get_by_test_id("copy-badge").count() == 0
    page.context.close()


def test_the_owner_brings_a_claim_from_the_dashboard_with_the_evidence_prefilled(
    browser: Any, stack: Stack, copy: int
) -> None:
    original = stack.seeded.assets["astronaut"]
    evidence = httpx.get(
        f"{stack.base_url}/assets/{copy}/copy-evidence", params={"original": original}
    ).json()
    page = open_page(browser, stack, ADA.address)
    page.goto("/#/dashboard")
    row = page.locator(f'[data-testid="copy-of-my-work"][data-asset="{copy}"]')
    row.wait_for()
    text = row.inner_text()
    assert f"(#{copy})" in text and f"(#{original})" in text and "possible copy of your" in text
    assert re.search(r"It matches \(.+\) and was registered", text), text
    shot(page, "dashboard-copies")
    row.get_by_role("button", name="Bring a claim").click()
    page.wait_for_url(re.compile(rf"#/work/{copy}\?claim={original}$"))
    sentence = page.get_by_test_id("evidence-sentence")
    sentence.wait_for()
    assert sentence.inner_text().startswith(f"#{copy} matches #{original} (")
    assert page.get_by_test_id("evidence-hash").inner_text() == evidence["evidence_hash"]
    assert page.get_by_role("button", name=re.compile("^Send the claim")).is_visible()
    shot(page, "dashboard-bring-a-claim")
    page.context.close()
    assert httpx.get(f"{stack.base_url}/assets/{copy}").json()["standing"] == "clear"  # nothing sent


def test_the_platform_check_words_every_candidate_and_what_the_verdict_rests_on(
    browser: Any, stack: Stack, copy: int
) -> None:
    """A smaller JPEG of the astronaut checked for its creator: the verdict rests on her original, the copy is
    listed as "Possible copy of #N" with the licence found on it, all in sentences."""
    original = stack.seeded.assets["astronaut"]
    media_cid = httpx.get(f"{stack.base_url}/assets/{original}").json()["media_cid"]
    image = Image.open(io.BytesIO(stack.originals().read(media_cid))).convert("RGB")  # sealed at rest
    image.thumbnail((300, 300))
    upload = io.BytesIO()
    image.save(upload, "JPEG", quality=60)
    page = open_page(browser, stack, ADA.address)
    page.goto("/#/check")
    page.get_by_label("Image").set_input_files(
        files=[{"name": "post.jpg", "mimeType": "image/jpeg", "buffer": upload.getvalue()}]
    )
    page.get_by_label("Account").fill(ADA.address)
    page.get_by_role("button", name="Check").click()
    verdict = page.get_by_test_id("verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-verdict") == "licensed"  # she owns the original
    rests = page.get_by_test_id("rests-on").inner_text()
    assert rests.startswith(f"The verdict rests on #{original}") and "the original" in rests
    copy_card = page.locator(f'[data-testid="candidate"][data-asset="{copy}"]')
    assert copy_card.get_by_test_id("role").inner_text() == f"Possible copy of #{original}"
    assert copy_card.get_by_test_id("licence").inner_text().startswith("This account holds no licence on it")
    how = r"Matches the image: .*(distance \d+ bits?|correlation|keypoints)"
    assert re.search(how, copy_card.inner_text())
    original_card = page.locator(f'[data-testid="candidate"][data-asset="{original}"]')
    assert original_card.get_by_test_id("role").inner_text() == "The original"
    assert original_card.get_by_test_id("rests-on-mark").is_visible()
    assert "it owns the work" in original_card.get_by_test_id("licence").inner_text()
    for card in (copy_card, original_card):  # both clear: nothing to say about their standing
        assert card.get_by_test_id("candidate-standing").count() == 0
    shown = page.locator("form").inner_text()
    assert "possible_copy" not in shown and not re.search(r"\b1[6-9]\d{8}\b", shown)  # no enums, no epochs
    shot(page, "check-candidates")
    page.context.close()
