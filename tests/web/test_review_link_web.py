"""The dashboard in headless Chromium against the real stack: an account holding the registry's CHECKER_ROLE
(the seed's checker, dev account 8) is linked to the checker's own review page, with a sentence saying what it
is, when `GET /config` names one; an ordinary account is not, and neither is the checker while the API names
no review page. The link leaves the marketplace for the checker's origin: the API never sees a prompt."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from cli.demo.seed import CHECKER
from genip.chain.accounts import dev_account
from tests.web.conftest import ADA, BUYER, Stack, open_page, shot

pytestmark = pytest.mark.slow

#: What `genip demo` hands its API as `GENIP_CHECKER_REVIEW_URL` (the review page's default port).
REVIEW = "http://127.0.0.1:8790/"


@pytest.fixture
def advertised(stack: Stack) -> Iterator[str]:
    """The stack's API told where the review page is, as `genip demo` tells its own, for one test."""
    settings = stack.app.state.settings
    stack.app.state.settings = settings.model_copy(update={"checker_review_url": REVIEW})
    try:
        yield REVIEW
    finally:
        stack.app.state.settings = settings


def _has_role(stack: Stack, address: str) -> bool:
    registry = stack.client.registry.functions
    return bool(registry.hasRole(registry.CHECKER_ROLE().call(), address).call())


def _dashboard(browser: Any, stack: Stack, address: str) -> Any:
    """The dashboard of `address`, once rendered (it renders all its sections at once)."""
    page = open_page(browser, stack, address)
    page.goto("/#/dashboard")
    page.get_by_role("heading", name=re.compile(r"^My works")).wait_for()
    return page


def test_a_checker_sees_the_review_link_and_an_ordinary_account_does_not(
    browser: Any, stack: Stack, advertised: str
) -> None:
    assert BUYER.address == dev_account(CHECKER).address  # the browser tests' buyer is the checker
    assert _has_role(stack, BUYER.address) and not _has_role(stack, ADA.address)

    page = _dashboard(browser, stack, BUYER.address)
    link = page.get_by_role("link", name="Review prompts")
    assert link.get_attribute("href") == advertised  # the checker's own page, on its own origin
    assert link.get_attribute("target") == "_blank" and "noopener" in (link.get_attribute("rel") or "")
    words = page.get_by_test_id("checker-review").inner_text()
    assert "prompt checker" in words and "the marketplace never sees one" in words
    shot(page, "dashboard-review-link")
    page.context.close()

    page = _dashboard(browser, stack, ADA.address)
    assert page.get_by_role("link", name="Review prompts").count() == 0
    assert page.get_by_test_id("checker-review").count() == 0
    page.context.close()


def test_no_review_link_while_the_api_names_no_review_page(browser: Any, stack: Stack) -> None:
    page = _dashboard(browser, stack, BUYER.address)
    assert page.get_by_role("link", name="Review prompts").count() == 0
    page.context.close()
