"""A work whose prompt check failed says so in plain words on its page, with no enabled Buy button (the hub
reverts `PromptCheckFailed` while its failed-check policy is on), and search lists it only when the "Prompt
check" filter asks for failed works."""

import time
from typing import Any

import httpx
import pytest

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.tx import send
from genip.chain.types import CheckOutcome
from tests.helpers import make_work, standard_terms
from tests.web.conftest import BUYER, Stack, open_page, shot

pytestmark = pytest.mark.slow

ADMIN = dev_account(0)  # deployed the contracts: the registry's admin
OWNER = dev_account(9)


@pytest.fixture(scope="module")
def failed(stack: Stack) -> tuple[int, int]:
    """(asset, offer): a work with an offer, then a failed check attested and indexed."""
    client = stack.client
    registry = client.registry.functions
    asset = actions.register(client, OWNER, make_work("web-check-failed")).value
    offer = actions.create_offer(client, OWNER, asset, standard_terms(), price=10**15).value
    send(
        client.w3,
        ADMIN,
        registry.grantRole(registry.CHECKER_ROLE().call(), ADMIN.address),
        action="grantRole",
    )
    send(
        client.w3,
        ADMIN,
        registry.attestPromptCheck(asset, CheckOutcome.FAILED, b"\x06" * 32),
        action="attest",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = httpx.get(f"{stack.base_url}/assets/{asset}").json()
        if body.get("check_state") == "failed":
            return asset, offer
        time.sleep(0.2)
    raise AssertionError(f"the failed check of asset {asset} was not indexed in 60 s")


def test_the_work_page_explains_the_failed_check_and_disables_buy(
    browser: Any, stack: Stack, failed: tuple[int, int]
) -> None:
    asset, offer = failed
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/work/{asset}")
    page.get_by_role("heading", name="Licences", exact=True).wait_for()
    check = page.get_by_test_id("prompt-check")
    assert check.get_attribute("data-state") == "failed"
    assert page.get_by_test_id("prompt-badge").inner_text() == "Prompt check failed"
    words = check.inner_text()
    assert "New licences cannot be bought" in words and "licences already sold keep working" in words, words
    buy = page.locator(f"button[data-offer='{offer}']")
    assert buy.is_disabled() and buy.inner_text() == "Not for sale: the prompt check failed"
    shot(page, "work-check-failed")
    page.context.close()


def test_search_lists_a_failed_work_only_when_asked(
    browser: Any, stack: Stack, failed: tuple[int, int]
) -> None:
    asset, _ = failed
    page = open_page(browser, stack, BUYER.address)
    link = f"a[href='#/work/{asset}']"
    page.goto(f"/#/?creator={OWNER.address}&prompt_check=failed")
    card = page.locator(".card", has=page.locator(link))
    card.wait_for()
    badge = card.get_by_test_id("check-badge")
    assert badge.inner_text() == "Prompt check failed" and badge.get_attribute("data-state") == "failed"
    assert "Not for sale now" in card.inner_text()
    shot(page, "search-check-failed")
    page.get_by_label("Prompt check").select_option("")  # any check: failed works are delisted
    page.wait_for_function(f'!document.querySelector("{link}")')
    assert page.locator(link).count() == 0
    page.context.close()
