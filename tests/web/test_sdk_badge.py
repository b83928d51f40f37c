"""`<genip-badge>` from `GET /sdk/genip.js`, in real Chromium against the served API and the demo's indexed
chain: a licensed account (Northwind bought a standard licence on the astronaut), an unlicensed one, the work
alone, an unknown work, a work whose claim was upheld, a change of attribute re-asking the API, and the
`status` helper."""

from typing import Any

import pytest

from api.badge import COLOURS
from genip.chain.accounts import dev_account
from tests.web.conftest import BUYER, Stack, shot

pytestmark = pytest.mark.slow

NORTHWIND = dev_account(5)  # the demo seed's brand (cli/demo/seed.py)
PAGE = "/__sdk_badge_test__.html"


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def badge_page(browser: Any, stack: Stack, body: str) -> Any:
    """A page of the API's own origin (as a platform's page including the module) holding `body`."""
    context = browser.new_context(base_url=stack.base_url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    html = (
        '<!doctype html><html lang="en"><head><script type="module" src="/sdk/genip.js"></script></head>'
        f"<body>{body}</body></html>"
    )
    page.route(f"**{PAGE}", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(PAGE)
    return page


def shown(page: Any, selector: str) -> dict[str, str]:
    """What the badge shows: its state, text, accessible label and colour (settled, not loading)."""
    page.wait_for_function(
        f"""() => {{ const s = document.querySelector({selector!r}).getAttribute("state");
                    return s && s !== "loading"; }}"""
    )
    return page.evaluate(
        f"""() => {{
            const host = document.querySelector({selector!r});
            const box = host.shadowRoot.querySelector('[part="badge"]');
            const value = host.shadowRoot.querySelector('[part="value"]');
            return {{ state: host.getAttribute("state"), text: value.textContent,
                      label: box.getAttribute("aria-label"), role: box.getAttribute("role"),
                      colour: getComputedStyle(value).backgroundColor }};
        }}"""
    )


def test_the_badge_shows_licensed_and_unlicensed_accounts(browser: Any, stack: Stack) -> None:
    asset = stack.seeded.assets["astronaut"]
    page = badge_page(
        browser,
        stack,
        f'<genip-badge id="licensed" asset="{asset}" account="{NORTHWIND.address}" use="display">'
        "</genip-badge>"
        f'<genip-badge id="unlicensed" asset="{asset}" account="{BUYER.address}"></genip-badge>'
        f'<genip-badge id="work" asset="{asset}"></genip-badge>'
        f'<genip-badge id="unknown" asset="999999" account="{BUYER.address}"></genip-badge>'
        f'<genip-badge id="upheld" asset="{stack.seeded.assets["copy"]}" account="{BUYER.address}">'
        "</genip-badge>",
    )
    licensed = shown(page, "#licensed")
    assert licensed["state"] == "licensed" and licensed["text"].startswith("Licensed for display")
    assert licensed["label"] == f"Gen-IP licence status: {licensed['text']}" and licensed["role"] == "img"
    assert licensed["colour"] == rgb(COLOURS["licensed"])
    unlicensed = shown(page, "#unlicensed")
    assert unlicensed == {
        "state": "unlicensed",
        "text": "Not licensed for display",
        "label": "Gen-IP licence status: Not licensed for display",
        "role": "img",
        "colour": rgb(COLOURS["unlicensed"]),
    }
    work = shown(page, "#work")
    assert (work["state"], work["text"], work["colour"]) == (
        "registered",
        "Registered",
        rgb(COLOURS["registered"]),
    )
    assert shown(page, "#unknown")["text"] == "Not registered"
    upheld = shown(page, "#upheld")  # the demo's copy: a claim against it was upheld
    assert (upheld["state"], upheld["colour"]) == ("upheld", rgb(COLOURS["upheld"]))
    assert upheld["text"] == "Claim upheld: not licensable"
    shot(page, "sdk-badge")
    page.context.close()


def test_the_badge_asks_again_when_an_attribute_changes(browser: Any, stack: Stack) -> None:
    asset = stack.seeded.assets["astronaut"]
    page = badge_page(
        browser, stack, f'<genip-badge id="b" asset="{asset}" account="{BUYER.address}"></genip-badge>'
    )
    assert shown(page, "#b")["state"] == "unlicensed"
    asked: list[str] = []
    page.on(
        "request", lambda request: asked.append(request.url) if "/licenses/status" in request.url else None
    )
    page.evaluate(
        f"""() => {{ const b = document.querySelector("#b");
                   b.setAttribute("account", {NORTHWIND.address!r}); b.setAttribute("use", "display"); }}"""
    )
    page.wait_for_function("""() => document.querySelector("#b").getAttribute("state") === "licensed" """)
    assert len(asked) == 1 and NORTHWIND.address in asked[0]  # two changes in one task: one request
    page.evaluate("""() => document.querySelector("#b").setAttribute("use", "resell")""")
    assert shown(page, "#b")["state"] == "error"
    page.context.close()


def test_the_status_helper_answers_like_the_api(browser: Any, stack: Stack) -> None:
    asset = stack.seeded.assets["astronaut"]
    page = badge_page(browser, stack, "")
    answer = page.evaluate(
        f"""async () => {{
            const {{ status }} = await import("/sdk/genip.js");
            const ok = await status({asset}, {NORTHWIND.address!r}, "display");
            let failed = null;
            try {{ await status({asset}, "0xnot-an-address"); }}
            catch (error) {{ failed = {{ name: error.name, status: error.status, detail: error.detail }}; }}
            return {{ ok, failed }};
        }}"""
    )
    assert answer["ok"]["licensed"] is True and answer["ok"]["asset"] == asset
    assert answer["failed"]["name"] == "GenIPError" and answer["failed"]["status"] == 400
    assert "account" in answer["failed"]["detail"]
    page.context.close()
