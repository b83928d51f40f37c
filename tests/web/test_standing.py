"""Works that are not in good standing (a claim open against them, a claim upheld) say so in plain words and
never show an enabled Buy button: on the work page, in search results and on the owner's dashboard. The page
renders the API's decision; this holds it to the contracts' (buyLicense reverts AssetNotClear on both)."""

import time
from typing import Any

import httpx
import pytest

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.tx import send
from tests.helpers import make_work, standard_terms
from tests.web.conftest import BUYER, PAYER, Stack, open_page, rpc, shot

pytestmark = pytest.mark.slow

ADMIN = dev_account(0)  # deployed the contracts: the court's admin
OWNER = dev_account(9)  # not in the demo's cast: the dashboard shows only these two works
HOUR = 3600


def _indexed_past(stack: Stack, asset_id: int, block: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.base_url}/assets/{asset_id}")
        if response.status_code == 200 and response.json()["as_of_block"] >= block:
            return
        time.sleep(0.2)
    raise AssertionError(f"asset {asset_id} was not indexed past block {block} in {timeout} s")


@pytest.fixture(scope="module")
def claimed(stack: Stack) -> dict[str, tuple[int, int]]:
    """{"disputed": (asset, offer), "upheld": (asset, offer)}: a claim open on the first, upheld on the
    second."""
    client = stack.client
    court = client.court.functions
    # Claims are ruled on after the response window: its minimum (1 h) moves the session's clock little.
    send(client.w3, ADMIN, court.setWindows(HOUR, HOUR), action="setWindows")
    send(client.w3, ADMIN, court.grantRole(court.ARBITER_ROLE().call(), ADMIN.address), action="grantRole")
    works: dict[str, tuple[int, int]] = {}
    for key in ("disputed", "upheld"):
        asset = actions.register(client, OWNER, make_work(f"web-standing-{key}")).value
        offer = actions.create_offer(client, OWNER, asset, standard_terms(), price=10**15).value
        works[key] = (asset, offer)
    actions.raise_dispute(client, PAYER, works["disputed"][0], b"\x01" * 32)
    ruling = actions.raise_dispute(client, PAYER, works["upheld"][0], b"\x02" * 32).value
    rpc(stack, "evm_increaseTime", HOUR + 1)
    rpc(stack, "evm_mine")
    receipt = actions.resolve_dispute(client, ADMIN, ruling, upheld=True, resolution_hash=b"\x03" * 32)
    _indexed_past(stack, works["upheld"][0], int(receipt["blockNumber"]))
    return works


STANDING_WORDS = {
    "disputed": ("Disputed: a claim is open; licences are paused", "Disputed"),
    "upheld": ("Claim upheld: this work is not for sale", "Claim upheld"),
}

#: How the work page's "Claims" list words each dispute (dates as dates, never epoch numbers).
CLAIM_WORDS = {
    "disputed": "is open: the owner can answer until ",
    "upheld": "was upheld; the ruling becomes final on ",
}


@pytest.mark.parametrize("key", ["disputed", "upheld"])
def test_a_claimed_work_shows_its_standing_and_no_enabled_buy_button(
    browser: Any, stack: Stack, claimed: dict[str, tuple[int, int]], key: str
) -> None:
    asset, offer = claimed[key]
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/work/{asset}")
    page.get_by_role("heading", name="Licences", exact=True).wait_for()
    assert STANDING_WORDS[key][0] in page.get_by_test_id("standing").inner_text()
    claim = page.get_by_test_id("claim").inner_text()
    assert claim.startswith("Claim #") and CLAIM_WORDS[key] in claim, claim
    assert f"by {PAYER.address[:6]}" in claim and not any(
        w.isdigit() and len(w) >= 9 for w in claim.split()
    ), claim
    buy = page.locator(f"button[data-offer='{offer}']")
    assert buy.is_disabled(), buy.inner_text()
    assert page.locator(".offer button:enabled", has_text="Buy").count() == 0
    shot(page, f"work-{key}")
    page.context.close()


def test_search_results_and_the_dashboard_render_the_standing(
    browser: Any, stack: Stack, claimed: dict[str, tuple[int, int]]
) -> None:
    page = open_page(browser, stack, OWNER.address)
    page.goto(f"/#/?creator={OWNER.address}")
    for key, (asset, _offer) in claimed.items():
        card = page.locator(".card", has=page.locator(f"a[href='#/work/{asset}']"))
        card.wait_for()
        assert card.get_by_test_id("standing-badge").inner_text() == STANDING_WORDS[key][1]
        assert "Not for sale now" in card.inner_text()
    shot(page, "search-standing")
    page.goto("/#/dashboard")
    for key, (asset, offer) in claimed.items():
        work = page.locator(".my-work", has=page.locator(f"a[href='#/work/{asset}']"))
        work.wait_for()
        assert STANDING_WORDS[key][0] in work.get_by_test_id("standing").inner_text()
        assert "not on sale" in work.locator(f"li[data-offer='{offer}']").inner_text()
        assert work.get_by_text("New offer").count() == 0  # createOffer would revert AssetNotClear
    shot(page, "dashboard-standing")
    page.context.close()


def test_the_owner_answers_an_open_claim_from_the_work_page(browser: Any, stack: Stack) -> None:
    client = stack.client
    asset = actions.register(client, OWNER, make_work("web-standing-answered")).value
    dispute = actions.raise_dispute(client, PAYER, asset, b"\x04" * 32).value
    _indexed_past(stack, asset, int(client.w3.eth.block_number))

    outsider = open_page(browser, stack, BUYER.address)
    outsider.goto(f"/#/work/{asset}")
    outsider.get_by_test_id("claim").wait_for()
    assert outsider.get_by_role("button", name="Answer this claim").count() == 0  # only the owner may answer
    outsider.context.close()

    page = open_page(browser, stack, OWNER.address)
    page.goto(f"/#/work/{asset}")
    claim = page.get_by_test_id("claim")
    assert "the owner can answer until" in claim.inner_text()
    answer = "I made this from my own photograph of 2019; the raw file is attached for the arbiter."
    page.get_by_label("Your answer").fill(answer)
    page.get_by_role("button", name="Answer this claim").click()
    page.get_by_test_id("claim").filter(has_text="the owner has answered").wait_for(timeout=60_000)
    shot(page, "work-claim-answered")
    page.context.close()

    record = client.court.functions.dispute(dispute).call()
    assert record[5] is True  # answered
    indexed = httpx.get(f"{stack.base_url}/disputes/{dispute}").json()
    assert indexed["answered"] is True
    assert indexed["answer_hash"] == "0x" + client.w3.keccak(text=answer).hex().removeprefix("0x")
