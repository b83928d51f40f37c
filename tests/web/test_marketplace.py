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

from cli.demo.seed import CHECKER
from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.checker.policy import Outcome
from genip.checker.submissions import SubmissionStore
from genip.checker.worker import Checker
from genip.db.engine import make_engine
from genip.prompts import normalize_prompt
from tests.web.conftest import ADA, BUYER, PAYER, Stack, open_page, rpc, shot

pytestmark = pytest.mark.slow


def wait_indexed(stack: Stack, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.base_url}/assets", params={"limit": 1, "include_copies": "true"})
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
    assert page.get_by_test_id("prompt-badge").inner_text() == "Prompt check passed"
    check = page.get_by_test_id("prompt-check").inner_text()
    assert re.search(r"Attested by 0x2361…?\w* at block \d+", check), check  # dev account 8
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


def _steps(page: Any) -> dict[str, str]:
    """The register steps' states by number, e.g. {"1": "done", "2": "active", ...}."""
    items = page.locator("[data-testid=register-steps] li")
    return {
        str(items.nth(i).get_attribute("data-step")): str(items.nth(i).get_attribute("data-state"))
        for i in range(items.count())
    }


def test_a_creator_registers_an_image_step_by_step_and_sees_it_listed(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, ADA.address)
    page.goto("/#/register")
    moon = _png(skdata.moon())
    page.get_by_label("File").set_input_files(
        files=[{"name": "moon.png", "mimeType": "image/png", "buffer": moon}]
    )
    page.get_by_label("Title").fill("Moonrise over the quarry")
    page.get_by_label("Description").fill("A grainy full moon, close up")
    # CRLF, a decomposed accent and outer spaces: the browser normalises as genip.prompts does before hashing.
    raw_prompt = "  grainy black and white full moon,\r\ncafe\u0301 light, secret recipe 42  "
    page.get_by_label("Prompt").fill(raw_prompt)
    page.get_by_label("Price").fill("12.5")
    shot(page, "register")
    page.get_by_role("button", name="Upload and register").click()
    # anvil mines only on transactions, so the page waits at step 2 until the test mines the next block.
    page.locator("[data-step='2'][data-state='active']").wait_for(timeout=40_000)
    assert _steps(page) == {"1": "done", "2": "active", "3": "todo", "4": "todo"}
    assert "1. Committing (wallet signature)" in page.get_by_test_id("register-steps").inner_text()
    shot(page, "register-step-2-waiting")
    rpc(stack, "evm_mine")
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    assert _steps(page) == {"1": "done", "2": "done", "3": "done", "4": "done"}
    asset_id = int(re.search(r"#(\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]
    assert f"4. Indexed: certificate #{asset_id}" in page.get_by_test_id("register-steps").inner_text()
    shot(page, "register-steps-done")

    salt_link = page.get_by_role("link", name="Download your prompt salt")
    secret = json.loads(
        page.evaluate("(href) => fetch(href).then((r) => r.text())", salt_link.get_attribute("href"))
    )
    registry = stack.client.registry.functions
    prompt, salt = secret["prompt"].encode(), bytes.fromhex(secret["salt"][2:])
    assert secret["creator"].lower() == ADA.address.lower()
    assert secret["prompt"] == normalize_prompt(raw_prompt)
    # The browser's creator-bound commitment is the contract's, and it is what the certificate holds.
    on_chain = registry.promptCommitmentFor(ADA.address, prompt, salt).call()
    assert "0x" + on_chain.hex().removeprefix("0x") == secret["commitment"]
    assert registry.promptCommitment(asset_id).call() == on_chain
    assert registry.verifyPrompt(asset_id, ADA.address, prompt, salt).call() is True
    assert registry.verifyPrompt(asset_id, BUYER.address, prompt, salt).call() is False

    # The page sent the prompt sealed to the checker's key (libsodium in the browser); the checker opens it
    # (PyNaCl), finds it reproduces the commitment, and attests.
    assert "only the checker can read it" in page.locator("form .status").inner_text()
    check = httpx.get(f"{stack.base_url}/prompts/{asset_id}/check").json()
    assert check["submission"]["status"] == "pending", check
    engine = make_engine(f"sqlite:///{stack.data_dir / 'genip.db'}")
    worker = Checker(SubmissionStore(engine), stack.client, dev_account(CHECKER), stack.checker_key)
    [checked] = [r for r in worker.run_once() if r.asset_id == asset_id]
    engine.dispose()
    assert checked.outcome == Outcome.PASS and checked.attested, checked

    link.click()
    page.get_by_role("heading", name="Moonrise over the quarry").wait_for()
    page.locator(".offer").first.wait_for()
    assert "secret recipe" not in page.content()
    page.goto("/#/?q=moonrise")
    page.locator(".card", has_text="Moonrise over the quarry").wait_for()
    page.goto("/#/dashboard")
    page.locator(".my-work", has_text="Moonrise over the quarry").wait_for()
    shot(page, "dashboard")

    # The same bytes again: a link to the certificate, no commitment sent, no prompt salt offered.
    nonce = stack.client.w3.eth.get_transaction_count(ADA.address)
    page.goto("/#/register")
    page.get_by_label("File").set_input_files(
        files=[{"name": "moon.png", "mimeType": "image/png", "buffer": moon}]
    )
    page.get_by_label("Title").fill("Moonrise again")
    page.get_by_label("Prompt").fill("the same moon")
    page.get_by_role("button", name="Upload and register").click()
    duplicate = page.get_by_test_id("exact-duplicate")
    duplicate.wait_for()
    assert f"This exact file is already certificate #{asset_id}" in duplicate.inner_text()
    assert duplicate.locator(f"a[href='#/work/{asset_id}']").count() == 1
    assert page.get_by_role("link", name="Download your prompt salt").count() == 0
    assert stack.client.w3.eth.get_transaction_count(ADA.address) == nonce
    shot(page, "register-exact-duplicate")
    page.context.close()


def test_a_rejected_second_signature_keeps_the_commitment_for_the_retry(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, BUYER.address)
    page.goto("/#/register")
    page.get_by_label("File").set_input_files(
        files=[{"name": "coins.png", "mimeType": "image/png", "buffer": _png(skdata.coins())}]
    )
    page.get_by_label("Title").fill("Coins, retried")
    page.get_by_label("Prompt").fill("old coins on a cloth")
    page.get_by_role("button", name="Upload and register").click()
    page.locator("[data-step='2'][data-state='active']").wait_for(timeout=40_000)
    page.evaluate("window.ethereum.testOptions.reject = true")
    rpc(stack, "evm_mine")
    page.locator("[data-step='3'][data-state='failed']").wait_for()
    assert "You rejected the registration in your wallet" in page.locator("form .status").inner_text()
    salt_href = page.get_by_role("link", name="Download your prompt salt").get_attribute("href")
    first_salt = page.evaluate("(href) => fetch(href).then((r) => r.json())", salt_href)["salt"]
    shot(page, "register-rejected")

    nonce = stack.client.w3.eth.get_transaction_count(BUYER.address)
    page.evaluate("window.ethereum.testOptions.reject = false")
    page.get_by_role("button", name="Upload and register").click()
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    assert _steps(page) == {"1": "done", "2": "done", "3": "done", "4": "done"}
    # Only the registration was sent: the commitment of the first try was used, and the prompt salt kept.
    assert stack.client.w3.eth.get_transaction_count(BUYER.address) == nonce + 1
    salt_href = page.get_by_role("link", name="Download your prompt salt").get_attribute("href")
    assert page.evaluate("(href) => fetch(href).then((r) => r.json())", salt_href)["salt"] == first_salt
    assert page.get_by_role("link", name="Download your prompt salt").count() == 1
    page.context.close()


def test_a_near_duplicate_of_another_creators_work_needs_an_explicit_confirmation(
    browser: Any, stack: Stack
) -> None:
    astronaut = stack.seeded.assets["astronaut"]
    out = io.BytesIO()
    image = Image.fromarray(skdata.astronaut())
    image.thumbnail((300, 300))
    image.save(out, format="JPEG", quality=90)  # not the registered bytes, but the same picture
    nonce = stack.client.w3.eth.get_transaction_count(BUYER.address)
    page = open_page(browser, stack, BUYER.address)
    page.goto("/#/register")
    page.get_by_label("File").set_input_files(
        files=[{"name": "astronaut.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}]
    )
    page.get_by_label("Title").fill("My astronaut")
    page.get_by_label("Prompt").fill("an astronaut portrait")
    page.get_by_role("button", name="Upload and register").click()
    warning = page.get_by_test_id("near-duplicates")
    warning.wait_for(timeout=30_000)
    assert warning.locator(f"a[href='#/work/{astronaut}']").count() == 1
    register_anyway = page.get_by_role("button", name="Register anyway")
    assert register_anyway.is_disabled()
    assert page.get_by_test_id("register-steps").is_hidden()  # nothing was sent to the wallet
    assert page.get_by_role("link", name="Download your prompt salt").count() == 0
    assert stack.client.w3.eth.get_transaction_count(BUYER.address) == nonce
    shot(page, "register-near-duplicate")
    page.get_by_label("This is my own work, register anyway").check()
    assert register_anyway.is_enabled()
    page.get_by_label("This is my own work, register anyway").uncheck()
    assert register_anyway.is_disabled()
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
