"""The page fixes of issue 19 in headless Chromium against the real stack (the demo marketplace): every kind's
facts in words, exact amounts, the header that follows a purchase, contract refusals and times in plain words,
the favicon, upload errors without server paths, a clear message for a wallet without gas, the demo faucet's
button, and creators shown by their wallet-signed profiles."""

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from eth_account import Account
from pydantic import SecretStr

from api.routes.profiles import PROFILE_FIELDS, PROFILE_TYPE
from api.wallet_auth import new_nonce, sign_typed_data, typed_data
from cli.demo.seed import DUSD
from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.tx import send
from genip.faucet import FAUCET_ETH_WEI, Faucet
from genip.terms import standard_terms
from tests.api.upload_auth import signed_upload
from tests.web.conftest import ADA, BUYER, PAYER, Stack, open_page, rpc, shot

pytestmark = pytest.mark.slow

CLEO = dev_account(3)  # the demo's model and workflow maker
#: Contract error names and unix times (ten digits from 2001 on) must never reach the page.
RAW = re.compile(r"\b(OfferNotActive|OfferSoldOut|ERC20\w+|InsufficientBalance|revert\w*)|\b1\d{9}\b")


def wait_for(check: Any, what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


#: The demo works these tests open (originals only: none waits on the derivative chain).
USED = ("lora", "workflow", "astronaut", "haiku", "chelsea", "rocket", "coffee")


@pytest.fixture(scope="module", autouse=True)
def indexed(stack: Stack) -> None:
    ids = [stack.seeded.assets[key] for key in USED]
    wait_for(
        lambda: all(httpx.get(f"{stack.base_url}/assets/{a}").status_code == 200 for a in ids),
        "the demo works to be indexed",
        timeout=300,  # a busy machine indexes slowly
    )


def asset(stack: Stack, asset_id: int) -> dict[str, Any]:
    return dict(httpx.get(f"{stack.base_url}/assets/{asset_id}").json())


def new_offer(stack: Stack, owner: Any, asset_id: int, price: int) -> int:
    """An ETH offer made from Python, once the index lists it."""
    offer = actions.create_offer(stack.client, owner, asset_id, standard_terms(), price=price).value
    wait_for(lambda: any(o["offer_id"] == offer for o in asset(stack, asset_id)["offers"]), f"offer {offer}")
    return int(offer)


def body_text(page: Any) -> str:
    return str(page.locator("body").inner_text())


def test_model_and_workflow_pages_state_their_facts_in_words(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, BUYER.address)
    expected = {
        "lora": (
            "Model card",
            [("Base model", "sdxl_base_v1-0"), ("Trigger words", "retro poster, halftone"),
             ("Tags", "lora, sdxl, retro"), ("Network rank", "16"), ("Epochs", "10"),
             ("File format", "safetensors (weights only, no code)")],
        ),
        "workflow": (
            "Workflow card",
            [("Node types", "CLIPTextEncode, CheckpointLoaderSimple, KSampler"), ("Nodes", "3"),
             ("Models it loads", "sd_xl_base_1.0.safetensors"), ("Tags", "workflow, comfyui"),
             ("File format", "ComfyUI workflow (API format)")],
        ),
    }  # fmt: skip
    for key, (heading, rows) in expected.items():
        page.goto(f"/#/work/{stack.seeded.assets[key]}")
        page.get_by_role("heading", name=heading).wait_for()
        card = page.get_by_test_id("work-details")
        labels = [t.strip() for t in card.locator("dt").all_inner_texts()]
        values = [t.strip() for t in card.locator("dd").all_inner_texts()]
        facts = dict(zip(labels, values, strict=True))
        for label, value in rows:
            assert facts.get(label) == value, (key, label, facts)
        text = body_text(page)
        for raw in ("baseModel", "triggerWords", "nodeTypes", "nodeCount", "tensorCount", "ss_", "modelspec"):
            assert raw not in text, (key, raw)
        certificate = page.locator(".certificate").inner_text()
        assert "0" * 64 not in certificate
        assert "None: only images and texts carry a look-alike fingerprint" in certificate
        shot(page, f"fixes-{key}")
    page.goto(f"/#/work/{stack.seeded.assets['astronaut']}")
    certificate = page.locator(".certificate")
    certificate.wait_for()
    text = certificate.inner_text()
    assert "Made with model\nsdxl-base-1.0" in text and "Tags\nportrait, space, retro" in text
    assert re.search(r"Size\n\d+ \u00d7 \d+ pixels", text) and "Perceptual hash (PDQ)" in text
    page.goto(f"/#/work/{stack.seeded.assets['haiku']}")
    page.locator(".certificate").wait_for()
    assert "Text fingerprint (SimHash)" in page.locator(".certificate").inner_text()
    page.context.close()


def test_amounts_are_exact_and_the_header_follows_a_purchase(browser: Any, stack: Stack) -> None:
    work = stack.seeded.assets["chelsea"]
    offer = new_offer(stack, ADA, work, 236_437_500_000_000_000)  # 0.2364375 ETH
    sold_before = asset(stack, work)["licenses"]["total"]
    page = open_page(browser, stack, BUYER.address)
    page.goto(f"/#/work/{work}")
    button = page.locator(f"button[data-offer='{offer}']")
    card = page.locator(".offer", has=button)
    card.wait_for()
    assert card.locator(".price").inner_text() == "0.2364375 ETH"
    sold = page.get_by_test_id("licences-sold")
    assert sold.inner_text() == f"{sold_before} licence{'' if sold_before == 1 else 's'} sold"
    button.click()
    card.locator(".status.ok, .status.error").wait_for(timeout=40_000)
    assert "Licensed" in card.locator(".status").inner_text()
    after = sold_before + 1  # without reloading the page
    page.wait_for_function(
        "text => document.querySelector('[data-testid=licences-sold]').textContent === text",
        arg=f"{after} licence{'' if after == 1 else 's'} sold",
    )
    page.context.close()


def test_a_refused_purchase_is_a_sentence_without_revert_names_or_epoch_times(
    browser: Any, stack: Stack
) -> None:
    work = stack.seeded.assets["rocket"]
    offer = new_offer(stack, ADA, work, 10**16)
    page = open_page(browser, stack, PAYER.address)
    page.goto(f"/#/work/{work}")
    button = page.locator(f"button[data-offer='{offer}']")
    button.wait_for()
    actions.set_offer_paused(stack.client, ADA, offer, True)  # paused after the page showed it for sale
    button.click()
    error = page.locator(".offer", has=button).locator(".status.error")
    error.wait_for(timeout=30_000)
    assert error.inner_text() == "This offer is paused by its creator."
    assert not RAW.search(body_text(page)), RAW.search(body_text(page))
    page.goto(f"/#/work/{stack.seeded.assets['coffee']}")  # dates on the page are dates
    page.locator(".certificate").wait_for()
    assert re.search(
        r"Registered\n\w{3} \d{1,2}, \d{4} · block \d+", page.locator(".certificate").inner_text()
    )
    assert not re.search(r"\b1\d{9}\b", body_text(page))
    page.context.close()


def test_the_favicon_is_served_and_the_page_loads_without_a_404(browser: Any, stack: Stack) -> None:
    for name, media_type in (("favicon.ico", "image/x-icon"), ("favicon.svg", "image/svg+xml")):
        answer = httpx.get(f"{stack.base_url}/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media_type)
        assert len(answer.content) > 100
    page = open_page(browser, stack, BUYER.address)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto("/")
    page.locator(".card").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("link[rel=icon]").get_attribute("href") == "/favicon.svg"
    assert missing == []
    page.context.close()


@pytest.mark.parametrize(
    ("kind", "name", "data"),
    [("image", "holiday.png", b"\x89PNG\r\n\x1a\n broken"), ("model", "style.safetensors", b"\x10\x00" * 8)],
)
def test_an_upload_error_names_the_file_not_a_server_path(
    stack: Stack, kind: str, name: str, data: bytes
) -> None:
    owner = signed_upload(stack.deployment.chain_id, data)  # uploads need an owner
    answer = httpx.post(
        f"{stack.base_url}/uploads",
        data={"kind": kind},
        files={"file": (name, data)},
        headers=owner,
        timeout=60,
    )
    assert answer.status_code == 415, answer.text
    detail = answer.json()["detail"]
    assert detail.startswith(f"the file is not a readable {kind}")
    for leak in ("/tmp", "genip-upload", str(stack.data_dir), "work."):
        assert leak not in detail, detail


@pytest.fixture
def faucet_on(stack: Stack) -> Iterator[str]:
    """Demo mode's faucet on the stack's API, sending from a funded key of its own (not a dev account the
    other tests use); off again afterwards."""
    funder = Account.create()
    rpc(stack, "anvil_setBalance", funder.address, hex(100 * 10**18))
    stack.app.state.faucet = Faucet(
        key=SecretStr(funder.key.hex()),
        rpc_url=stack.rpc_url,
        chain_id=stack.deployment.chain_id,
        token=stack.deployment.demo_token,
    )
    try:
        yield funder.address
    finally:
        del stack.app.state.faucet  # rebuilt from the settings, which hold no key: off


def test_a_wallet_without_gas_is_told_and_the_faucet_button_funds_it(
    browser: Any, stack: Stack, faucet_on: str
) -> None:
    wallet = Account.create().address
    rpc(stack, "anvil_impersonateAccount", wallet)  # the test wallet forwards its transactions to anvil
    token = stack.client.demo_token  # the new wallet gets gUSD (the demo token's mint is open) but no ETH
    assert token is not None
    send(stack.client.w3, PAYER, token.functions.mint(wallet, 500 * DUSD), action="mint")
    work = stack.seeded.assets["astronaut"]
    offer = stack.seeded.offers["astronaut:extended"]  # 250 gUSD: an approval first, which costs gas
    page = open_page(browser, stack, wallet)
    page.goto(f"/#/work/{work}")
    button = page.locator(f"button[data-offer='{offer}']")
    button.click()
    status = page.locator(".offer", has=button).locator(".status.error")
    status.wait_for(timeout=30_000)
    message = status.inner_text()
    assert message.startswith("Your wallet holds no ETH, and this transaction needs about "), message
    assert "for gas. Add ETH to it and try again." in message
    assert "“Get test funds”" in message  # the faucet is on: the sentence points at it
    assert not RAW.search(body_text(page))
    assert stack.client.w3.eth.get_balance(wallet) == 0

    page.get_by_test_id("faucet").click()
    toast = page.locator("#toast.show")
    toast.wait_for(timeout=60_000)
    assert toast.inner_text() == "Sent 1 ETH and 1000 gUSD to your wallet."
    assert stack.client.w3.eth.get_balance(wallet) == FAUCET_ETH_WEI
    button.click()
    done = page.locator(".offer", has=button).locator(".status.ok")
    done.wait_for(timeout=60_000)
    assert "Licensed" in done.inner_text()
    page.get_by_test_id("faucet").click()  # once per address: the refusal is a sentence too
    page.wait_for_function(
        "document.querySelector('#toast').textContent.startsWith('No test funds sent: this address')"
    )
    shot(page, "fixes-faucet")
    page.context.close()


def test_the_faucet_button_is_absent_outside_demo_mode(browser: Any, stack: Stack) -> None:
    assert httpx.get(f"{stack.base_url}/config").json()["faucet"] is False
    page = open_page(browser, stack, BUYER.address)
    page.goto("/")
    page.locator("#wallet .account").wait_for()
    assert page.get_by_test_id("faucet").count() == 0
    page.context.close()


def _sign_profile(stack: Stack, who: Any, name: str, **extra: Any) -> dict[str, Any]:
    nonce, expiry = new_nonce(), int(time.time()) + 300
    body: dict[str, Any] = {"name": name, "bio": "", "avatar_url": None, "links": [], **extra}
    message = {
        "action": "update profile",
        "account": who.address,
        "name": body["name"],
        "bio": body["bio"],
        "avatarUrl": body["avatar_url"] or "",
        "links": "\n".join(body["links"]),
        "nonce": nonce,
        "expiry": expiry,
    }
    document = typed_data(stack.deployment.chain_id, PROFILE_TYPE, PROFILE_FIELDS, message)
    return {**body, "nonce": nonce, "expiry": expiry, "signature": sign_typed_data(document, who.key)}


def test_creators_appear_by_their_signed_profile_on_cards_and_work_pages(browser: Any, stack: Stack) -> None:
    body = _sign_profile(
        stack, CLEO, "Cleo Marsh", bio="Models and workflows.", links=["https://cleo.example"]
    )
    assert httpx.put(f"{stack.base_url}/profiles/{CLEO.address}", json=body).status_code == 200
    tampered = httpx.put(f"{stack.base_url}/profiles/{CLEO.address}", json={**body, "name": "Someone else"})
    assert tampered.status_code == 401  # the signature covers the name
    assert httpx.put(f"{stack.base_url}/profiles/{CLEO.address}", json=body).status_code == 401  # replayed
    page = open_page(browser, stack, BUYER.address)
    page.goto("/")
    card = page.locator(".card", has_text=stack.title("lora"))
    card.locator("[data-testid=creator].named").wait_for()
    assert card.get_by_test_id("creator").inner_text() == "Cleo Marsh"
    assert CLEO.address[:6] not in card.inner_text()
    page.goto(f"/#/work/{stack.seeded.assets['workflow']}")
    byline = page.locator(".work-side [data-testid=creator].named")
    byline.wait_for()
    assert (
        byline.inner_text() == "Cleo Marsh"
        and byline.get_attribute("title") == f"Cleo Marsh ({CLEO.address})"
    )
    page.context.close()


def test_a_creator_signs_a_profile_from_the_dashboard(browser: Any, stack: Stack) -> None:
    page = open_page(browser, stack, BUYER.address)
    page.goto("/#/dashboard")
    profile = page.get_by_test_id("profile")
    profile.locator("summary").click()
    form = page.get_by_test_id("profile-form")
    form.get_by_label("Name", exact=True).fill("Northwind Buyer")
    form.get_by_label("Links", exact=True).fill("http://insecure.example")
    form.get_by_role("button", name="Sign and save profile").click()
    error = form.locator(".status.error")
    error.wait_for(timeout=20_000)
    assert error.inner_text() == "Not saved: Link 1 must be an https:// URL."
    form.get_by_label("Links", exact=True).fill("https://northwind.example")
    form.get_by_role("button", name="Sign and save profile").click()
    form.locator(".status.ok").wait_for(timeout=20_000)
    assert "Northwind Buyer" in form.locator(".status").inner_text()
    saved = httpx.get(f"{stack.base_url}/profiles/{BUYER.address}").json()
    assert (saved["name"], saved["links"]) == ("Northwind Buyer", ["https://northwind.example"])
    page.reload()
    page.locator("h1 + p [data-testid=creator].named").wait_for()
    assert page.locator("h1 + p [data-testid=creator]").inner_text() == "Northwind Buyer"
    assert not RAW.search(body_text(page))
    shot(page, "fixes-profile")
    page.context.close()
