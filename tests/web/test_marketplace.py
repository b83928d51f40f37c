"""The marketplace page in headless Chromium against the real stack (the demo marketplace): search, the work
page, buying a licence with the injected wallet, registering from the browser, the dashboard, lineage and the
platform check."""

import io
import json
import re
import time
from typing import Any

import httpx
import pytest
from PIL import Image
from skimage import data as skdata

from genip.chain import actions
from tests.web.conftest import ADA, BUYER, PAYER, Stack, open_page, shot

pytestmark = pytest.mark.slow


def wait_indexed(stack: Stack, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.base_url}/assets", params={"limit": 1})
        if response.status_code == 200 and response.json()["count"] >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"the indexer did not index {count} works in {timeout} s")


@pytest.fixture(scope="module", autouse=True)
def indexed(stack: Stack) -> None:
    wait_indexed(stack, len(stack.seeded.assets))


def _png(array: Any) -> bytes:
    out = io.BytesIO()
    image = Image.fromarray(array)
    image.thumbnail((320, 320))
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def test_page_and_config_are_served(stack: Stack) -> None:
    page = httpx.get(stack.base_url + "/")
    assert page.status_code == 200 and "<main" in page.text
    script = re.search(r'src="(/static/[^"]+\.js)"', page.text)
    assert script is not None
    asset = httpx.get(stack.base_url + script.group(1))
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    config = httpx.get(stack.base_url + "/config").json()
    assert config["chain_id"] == stack.deployment.chain_id
    assert config["hub"] == stack.deployment.hub and config["demo_token"] == stack.deployment.demo_token


def test_search_finds_a_work_and_opens_it(browser: Any, stack: Stack) -> None:
    title = stack.title("chelsea")
    page = open_page(browser, stack, BUYER.address)
    page.goto("/")
    page.locator(".card").first.wait_for()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy thumbnails load
    page.wait_for_function(
        "[...document.querySelectorAll('.thumb img')].every(i => i.complete && i.naturalWidth)"
    )
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "search")
    page.get_by_label("Search works").fill("tabby cat")
    card = page.locator(".card", has_text=title)
    card.wait_for()
    card.locator("a").click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    facts = page.locator(".certificate").inner_text()
    assert (
        httpx.get(f"{stack.base_url}/assets/{stack.seeded.assets['chelsea']}").json()["content_hash"] in facts
    )
    badge = page.get_by_test_id("prompt-badge").inner_text()
    assert re.search(r"Prompt checked: passed, by 0xf39F…?\w*, at block \d+", badge), badge
    assert "a tabby cat resting" not in page.content()  # the prompt never reaches the page
    assert page.locator(".offer").count() == 2
    shot(page, "work")
    page.context.close()


def test_buying_a_licence_flips_the_status_to_licensed(browser: Any, stack: Stack) -> None:
    asset = stack.seeded.assets["coffee"]
    offer = stack.seeded.offers["coffee:extended"]  # priced in the demo dollar: approve, then buy
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/work/{asset}")
    page.get_by_role("heading", name=stack.title("coffee")).wait_for()
    page.locator(f"button[data-offer='{offer}']").click()
    offer_card = page.locator(".offer", has=page.locator(f"button[data-offer='{offer}']"))
    offer_card.locator(".status.ok, .status.error").wait_for(timeout=40_000)
    assert "Licensed" in offer_card.locator(".status").inner_text()
    page.get_by_test_id("my-licence").first.wait_for()
    shot(page, "work-licensed")
    status = httpx.get(
        f"{stack.base_url}/licenses/status",
        params={"asset": asset, "account": BUYER.address, "use": "derivative"},
    ).json()
    assert status["licensed"] is True
    page.context.close()


def test_wrong_network_and_rejected_signature_say_so(browser: Any, stack: Stack) -> None:
    asset = stack.seeded.assets["rocket"]
    offer = stack.seeded.offers["rocket:standard"]
    for options, expected in (({"chainId": "0x1"}, "Wrong network"), ({"reject": True}, "You rejected")):
        page = open_page(browser, stack, PAYER.address, options=options)
        page.goto(f"/#/work/{asset}")
        page.locator(f"button[data-offer='{offer}']").click()
        error = page.locator(".offer .status.error")
        error.wait_for()
        assert expected in error.inner_text()
        page.context.close()


def test_a_creator_withdraws_revenue_from_the_dashboard(browser: Any, stack: Stack) -> None:
    token = stack.deployment.demo_token
    assert token is not None
    actions.approve_hub(stack.client, PAYER, token, 2**255)
    actions.buy_license(stack.client, PAYER, stack.seeded.offers["chelsea:extended"])  # Ada's work, in dUSD
    page = open_page(browser, stack, ADA.address)
    page.goto("/#/dashboard")
    button = page.get_by_role("button", name="Withdraw gUSD")
    button.wait_for()
    page.wait_for_function("!document.querySelector('tbody tr:nth-child(2) button').disabled", timeout=20_000)
    shot(page, "dashboard-revenue")
    button.click()
    page.locator("tbody .status.ok, tbody .status.error").wait_for(timeout=30_000)
    assert "Withdrawn" in page.locator("tbody tr:nth-child(2) .status").inner_text()
    page.context.close()


def test_a_creator_registers_an_image_and_sees_it_listed(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, ADA.address)
    page.goto("/#/register")
    page.get_by_label("File").set_input_files(
        files=[{"name": "moon.png", "mimeType": "image/png", "buffer": _png(skdata.moon())}]
    )
    page.get_by_label("Title").fill("Moonrise over the quarry")
    page.get_by_label("Description").fill("A grainy full moon, close up")
    page.get_by_label("Prompt").fill("grainy black and white full moon, secret recipe 42")
    page.get_by_label("Price").fill("12.5")
    shot(page, "register")
    page.get_by_role("button", name="Upload and register").click()
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    salt_link = page.get_by_role("link", name="Download your prompt salt")
    secret = json.loads(
        page.evaluate("(href) => fetch(href).then((r) => r.text())", salt_link.get_attribute("href"))
    )
    asset_id = int(re.search(r"#(\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]
    verify = stack.client.registry.functions.verifyPrompt
    assert verify(asset_id, secret["prompt"].encode(), bytes.fromhex(secret["salt"][2:])).call() is True
    link.click()
    page.get_by_role("heading", name="Moonrise over the quarry").wait_for()
    page.locator(".offer").first.wait_for()
    assert "secret recipe" not in page.content()
    page.goto("/#/?q=moonrise")
    page.locator(".card", has_text="Moonrise over the quarry").wait_for()
    page.goto("/#/dashboard")
    page.locator(".my-work", has_text="Moonrise over the quarry").wait_for()
    shot(page, "dashboard")
    page.context.close()


def test_the_work_page_shows_the_lineage_with_revenue_shares(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/work/{stack.seeded.assets['game-poster']}")
    lineage = page.locator("section.lineage")
    lineage.wait_for()
    text = lineage.inner_text()
    assert stack.title("astronaut") in text and stack.title("remix") in text
    assert "%" in text
    shot(page, "work-lineage")
    page.goto(f"/#/work/{stack.seeded.assets['lora']}")
    page.get_by_role("heading", name="Model card").wait_for()
    shot(page, "work-model")
    page.context.close()


def test_the_platform_check_shows_a_verdict(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, PAYER.address)
    page.goto("/#/check")
    page.get_by_role("heading", name="Platform check").wait_for()
    page.get_by_label("Image").set_input_files(
        files=[{"name": "astronaut.png", "mimeType": "image/png", "buffer": _png(skdata.astronaut())}]
    )
    page.get_by_label("Account").fill(PAYER.address)
    page.get_by_role("button", name="Check").click()
    verdict = page.get_by_test_id("verdict")
    verdict.wait_for()
    # The demo's astronaut is registered and active; the payer holds no licence on it.
    assert verdict.get_attribute("data-verdict") == "unlicensed"
    page.locator(f'a[href="#/work/{stack.seeded.assets["astronaut"]}"]').first.wait_for()
    shot(page, "check")
    page.context.close()


def test_the_work_page_reads_on_a_phone(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, BUYER.address, mobile=True)
    page.goto(f"/#/work/{stack.seeded.assets['astronaut']}")
    page.get_by_role("heading", name=stack.title("astronaut")).wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the work page scrolls sideways on a phone ({width} px)"
    shot(page, "work-phone")
    page.context.close()
