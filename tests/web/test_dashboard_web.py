"""The dashboard in headless Chromium against the real stack: a brand sees each licence with the work's title,
the price paid and the expiry as a date, downloads the licence PDF (read back with pypdf) and renews before
expiry through the wallet; a creator sees revenue per work over time with the totals the chain recorded."""

import io
import re
import time
from collections import defaultdict
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from cli.demo.seed import DUSD
from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.reads import license_info
from genip.money import format_amount
from tests.web.conftest import BUYER, PAYER, Stack, open_page, shot

pytestmark = pytest.mark.slow

BASHO = dev_account(2)  # the demo's haiku and story writer
ZERO = "0x" + "00" * 20


def _indexed_past(stack: Stack, block: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = httpx.get(f"{stack.base_url}/accounts/{BUYER.address}").json()
        if body["as_of_block"] >= block:
            return
        time.sleep(0.2)
    raise AssertionError(f"the indexer did not reach block {block} in {timeout} s")


@pytest.fixture(scope="module", autouse=True)
def indexed(stack: Stack) -> None:
    _indexed_past(stack, stack.client.w3.eth.block_number)


def test_a_brand_sees_its_licence_downloads_the_pdf_and_renews(browser: Any, stack: Stack) -> None:
    key = "coffee"
    offer = stack.seeded.offers[f"{key}:standard"]  # 0.02 ETH, a year
    bought = actions.buy_license(stack.client, BUYER, offer)
    licence_id = bought.value
    _indexed_past(stack, bought.receipt["blockNumber"])
    expires_at = license_info(stack.client, licence_id).expires_at
    assert expires_at > 0
    title = stack.title(key)

    page = open_page(browser, stack, BUYER.address)
    page.goto("/#/dashboard")
    card = page.locator(f"[data-testid=licence][data-licence='{licence_id}']")
    card.wait_for()
    assert card.get_by_test_id("licence-title").inner_text() == title
    assert card.get_by_test_id("licence-price").inner_text() == "0.02 ETH"
    expiry = card.get_by_test_id("licence-expiry").inner_text()
    year = time.gmtime(expires_at).tm_year
    assert expiry.startswith("Expires ") and str(year) in expiry
    assert not re.search(r"\d{9,}", card.inner_text())  # no epoch number anywhere
    assert card.get_by_role("button", name="Download original").is_visible()
    shot(page, "dashboard-licence")

    with page.expect_download() as download:
        card.get_by_test_id("licence-pdf").click()
    saved = download.value
    assert saved.suggested_filename == f"genip-licence-{stack.deployment.chain_id}-{licence_id}.pdf"
    path = saved.path()
    assert path is not None
    with open(path, "rb") as pdf:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert f"Gen-IP licence #{licence_id}" in text and f"Title {title}" in text
    assert f"Licensee {BUYER.address}" in text
    assert "Price paid 0.02 ETH (20000000000000000 base units)" in text
    assert f"Transaction {bought.receipt['transactionHash'].to_0x_hex()}" in text

    # Renew: the same offer bought again through the wallet, a new licence listed.
    card.get_by_test_id("renew").click()
    outcome = card.get_by_test_id("licence-status")
    page.wait_for_function(
        "el => /Renewed|error/.test(el.className + el.textContent)",
        arg=outcome.element_handle(),
        timeout=90_000,
    )
    assert "ok" in str(outcome.get_attribute("class")), outcome.inner_text()
    renewed = re.search(r"licence #(\d+)", outcome.inner_text())
    assert renewed is not None and int(renewed.group(1)) > licence_id
    new_id = int(renewed.group(1))
    assert license_info(stack.client, new_id).holder == BUYER.address
    page.locator(f"[data-testid=licence][data-licence='{new_id}']").wait_for()
    page.context.close()


def test_a_perpetual_licence_never_expires_and_offers_no_renewal(browser: Any, stack: Stack) -> None:
    token = stack.deployment.demo_token
    assert token is not None
    actions.approve_hub(stack.client, BUYER, token, 2**255)
    bought = actions.buy_license(stack.client, BUYER, stack.seeded.offers["rocket:extended"])  # 250 gUSD
    _indexed_past(stack, bought.receipt["blockNumber"])
    page = open_page(browser, stack, BUYER.address)
    page.goto("/#/dashboard")
    card = page.locator(f"[data-testid=licence][data-licence='{bought.value}']")
    card.wait_for()
    assert card.get_by_test_id("licence-price").inner_text() == f"{format_amount(250 * DUSD, 6)} gUSD"
    assert card.get_by_test_id("licence-expiry").inner_text() == "Never expires"
    assert card.get_by_test_id("renew").count() == 0
    pdf = page.request.get(str(card.get_by_test_id("licence-pdf").get_attribute("href")))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    page.context.close()


def _revenue_on_chain(stack: Stack, asset_ids: set[int]) -> dict[tuple[int, str], int]:
    """Everything paid to each of `asset_ids` per currency, from the hub's RevenuePaid events."""
    totals: dict[tuple[int, str], int] = defaultdict(int)
    logs = stack.client.hub.events.RevenuePaid().get_logs(from_block=stack.deployment.deploy_block)
    for log in logs:
        if log["args"]["assetId"] in asset_ids:
            totals[(log["args"]["assetId"], str(log["args"]["currency"]))] += log["args"]["amount"]
    return totals


def test_a_creator_sees_revenue_per_work_with_the_chains_totals(browser: Any, stack: Stack) -> None:
    haiku, story = stack.seeded.assets["haiku"], stack.seeded.assets["story"]
    paid = actions.pay_revenue(stack.client, PAYER, story, 1_234_567 * 10**10)  # 0.01234567 ETH
    _indexed_past(stack, paid.receipt["blockNumber"])
    expected = _revenue_on_chain(stack, {haiku, story})
    assert (story, ZERO) in expected and (haiku, ZERO) in expected

    page = open_page(browser, stack, BASHO.address)
    page.goto("/#/dashboard")
    chart = page.locator(f"[data-testid=revenue-chart][data-currency='{ZERO}']")
    chart.wait_for()
    for (asset_id, currency), total in expected.items():
        entry = page.locator(
            f"[data-testid=revenue-work][data-asset='{asset_id}'][data-currency='{currency}']"
        )
        symbol = "ETH" if currency == ZERO else "gUSD"
        decimals = 18 if currency == ZERO else 6
        assert (
            entry.get_by_test_id("revenue-total").inner_text() == f"{format_amount(total, decimals)} {symbol}"
        )
    assert chart.locator(f"path[data-asset='{story}']").count() == 1
    assert chart.locator(f"path[data-asset='{haiku}']").count() == 1
    story_entry = page.locator(f"[data-testid=revenue-work][data-asset='{story}'][data-currency='{ZERO}']")
    assert stack.title("story") in story_entry.inner_text()
    assert "Revenue per work in ETH over time" in str(chart.locator("title").text_content())
    shot(page, "dashboard-revenue-chart")
    page.context.close()
