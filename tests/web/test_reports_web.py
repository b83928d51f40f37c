""" "Reports about your works" on the dashboard, in headless Chromium against the real stack: a platform (made
with `genip.platforms.add_platform`) reports a post of a re-encoded demo astronaut by a stranger; Ada, its
creator, signs to see the report (platform, post id, verdict and date in words) and takes the post down; the
API then holds the resolution, and a stranger's wallet sees none of Ada's reports."""

import io
import re
from typing import Any

import httpx
import pytest
from eth_account import Account
from PIL import Image

from genip.db.engine import make_engine
from genip.platforms import add_platform
from tests.web.conftest import ADA, BUYER, Stack, open_page, shot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reported(stack: Stack) -> tuple[int, str]:
    """A report of a stranger's post of the astronaut; returns its id and the platform's key."""
    engine = make_engine(f"sqlite:///{stack.data_dir / 'genip.db'}")
    issued = add_platform(engine, stack.deployment.chain_id, "Snapgram", BUYER.address)
    engine.dispose()
    original = stack.seeded.assets["astronaut"]
    media_cid = httpx.get(f"{stack.base_url}/assets/{original}").json()["media_cid"]
    image = Image.open(io.BytesIO(stack.originals().read(media_cid))).convert("RGB")
    buffer = io.BytesIO()
    image.resize((image.width * 3 // 4, image.height * 3 // 4)).save(buffer, "JPEG", quality=70)
    answer = httpx.post(
        f"{stack.base_url}/reports",
        headers={"Authorization": f"Bearer {issued.key}"},
        data={"post_id": "snap-4711", "account": Account.create().address},
        files={"image": ("post.jpg", buffer.getvalue(), "image/jpeg")},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["verdict"], body["asset_id"]) == ("unlicensed", original)
    return int(body["id"]), issued.key


def test_the_owner_sees_the_report_in_words_and_takes_the_post_down(
    browser: Any, stack: Stack, reported: tuple[int, str]
) -> None:
    report_id, key = reported
    page = open_page(browser, stack, ADA.address)
    page.goto("/#/dashboard")
    section = page.get_by_test_id("my-reports")
    section.get_by_role("heading", name="Reports about your works").wait_for()
    assert section.get_by_test_id("report-row").count() == 0  # nothing shown before the wallet signs
    section.get_by_role("button", name="Show reports").click()
    row = section.locator(f'[data-testid="report-row"][data-report="{report_id}"]')
    row.wait_for()
    facts = row.get_by_test_id("report-facts").inner_text()
    assert "Snapgram" in facts and "snap-4711" in facts and "no licence" in facts, facts
    assert "reported " in facts and not re.search(r"\d{4}-\d{2}-\d{2}|\d{10}", facts)  # a date in words
    assert row.get_by_role("link").first.inner_text() == stack.title("astronaut")
    shot(page, "dashboard-reports")

    row.get_by_role("button", name="Take down").click()
    resolution = row.get_by_test_id("report-resolution")
    resolution.wait_for()
    assert resolution.inner_text().startswith("Taken down on ")
    assert row.get_by_role("button", name="Keep").count() == 0
    stored = httpx.get(
        f"{stack.base_url}/reports/{report_id}", headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert (stored["state"], stored["resolution"], stored["resolved_by"]) == (
        "resolved",
        "take_down",
        ADA.address,
    )


def test_another_wallet_sees_none_of_the_owners_reports(
    browser: Any, stack: Stack, reported: tuple[int, str]
) -> None:
    page = open_page(browser, stack, BUYER.address)
    page.goto("/#/dashboard")
    section = page.get_by_test_id("my-reports")
    section.get_by_role("button", name="Show reports").click()
    section.get_by_test_id("reports-none").wait_for()
    assert section.get_by_test_id("report-row").count() == 0
