"""The register page at a duplicate, in headless Chromium against the real stack: a near-duplicate of another
creator's work is shown (thumbnail and link to its certificate); without a licence it is registered only once
the creator confirms it, and it is then marked as a possible copy; with a licence that allows derivatives the
page offers to register it as a derivative under that licence; an exact duplicate links to the certificate and
offers neither a prompt salt nor a registration, also when the chain reports it only at the last step.

Every work and account here is fresh (random keys, funded and impersonated on anvil), so that the other
browser tests' registrations never show up as near-duplicates in these, nor these in theirs."""

import io
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from PIL import Image
from skimage import data as skdata

from genip.chain import actions
from genip.chain.types import WorkKind
from genip.prompts import PromptVault
from genip.storage import LocalStore
from genip.terms.terms import extended_terms
from genip.works import WorkDescription, prepare_registration, register_draft
from tests.web.conftest import SIGNERS, Stack, open_page, rpc, shot

pytestmark = pytest.mark.slow

SALT_LINK = "Download your prompt salt"


def _png(name: str) -> bytes:
    """scikit-image's `name` picture as an RGB PNG."""
    out = io.BytesIO()
    Image.fromarray(getattr(skdata, name)()).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def _copy(png: bytes) -> bytes:
    """The same picture, smaller and re-encoded as JPEG: other bytes, the same image."""
    image = Image.open(io.BytesIO(png))
    image.thumbnail((360, 360))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _account(stack: Stack, *, wallet: bool = False) -> LocalAccount:
    """A fresh funded account; `wallet`: anvil also signs for it, so the page's injected wallet can use it."""
    account: LocalAccount = Account.create()
    rpc(stack, "anvil_setBalance", account.address, hex(10**20))
    if wallet:
        rpc(stack, "anvil_impersonateAccount", account.address)
        SIGNERS[account.address.lower()] = account  # anvil cannot sign messages for it: the test wallet does
    return account


def _asset(stack: Stack, asset_id: int, ready: str = "media_cid", timeout: float = 60) -> dict[str, Any]:
    """GET /assets/{id} once indexed with a non-empty `ready` field."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.base_url}/assets/{asset_id}")
        if response.status_code == 200 and response.json().get(ready):
            return dict(response.json())
        time.sleep(0.3)
    raise AssertionError(f"asset {asset_id} was not indexed with {ready} in {timeout} s")


def _register(stack: Stack, creator: LocalAccount, png: bytes, folder: Path, title: str) -> int:
    """`creator` registers `png` as an original from Python (commit, then reveal), its media stored."""
    path = folder / f"{title.replace(' ', '-')}.png"
    path.write_bytes(png)
    draft = prepare_registration(
        path,
        WorkDescription(kind=WorkKind.IMAGE, title=title, prompt=f"the prompt of {title}"),
        creator=creator.address,
    )
    store = LocalStore(stack.data_dir / "store")
    vault = PromptVault(stack.data_dir, creator.address)
    originals = stack.originals()
    return register_draft(
        stack.client, creator, draft, store=store, vault=vault, originals=originals
    ).asset_id


def _nonce(stack: Stack, account: LocalAccount) -> int:
    return int(stack.client.w3.eth.get_transaction_count(account.address))


def _start(page: Any, name: str, content: bytes, title: str, mime: str = "image/jpeg") -> None:
    """Fill the register form with `content` and press the button."""
    page.goto("/#/register")
    page.get_by_label("File").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": content}])
    page.get_by_label("Title").fill(title)
    page.get_by_label("Prompt").fill(f"my prompt for {title}")
    page.get_by_role("button", name="Upload and register").click()


def _registered(page: Any, stack: Stack) -> int:
    """Mine the block the page waits for after its commitment; the new certificate's id once indexed."""
    page.locator("[data-step='2'][data-state='active']").wait_for(timeout=40_000)
    rpc(stack, "evm_mine")
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    return int(re.search(r"#(\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]


def _thumbnail_shown(page: Any, stack: Stack, warning: Any, original: int) -> None:
    """The near-duplicate `original` is listed with its preview as a loaded thumbnail and a link to it."""
    item = warning.locator(f"li[data-asset='{original}']")
    preview_cid = _asset(stack, original, ready="preview_cid")["preview_cid"]
    image = item.locator(f"img[src='/ipfs/{preview_cid}']")
    image.wait_for()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert item.get_by_role("link", name=f"Certificate #{original}").count() == 1


def test_a_near_duplicate_without_a_licence_is_registered_only_once_confirmed(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    png = _png("horse")
    original = _register(stack, _account(stack), png, tmp_path, "Horse")
    _asset(stack, original)
    me = _account(stack, wallet=True)
    nonce = _nonce(stack, me)
    page = open_page(browser, stack, me.address)
    _start(page, "horse.jpg", _copy(png), "My horse")

    warning = page.get_by_test_id("near-duplicates")
    warning.wait_for(timeout=30_000)
    _thumbnail_shown(page, stack, warning, original)
    no_licence = page.get_by_test_id("no-fitting-licence")
    no_licence.wait_for()
    assert "You hold no licence on it that allows derivatives" in no_licence.inner_text()
    assert page.get_by_test_id("register-derivative").count() == 0
    confirm = page.get_by_test_id("confirm-own-work")
    label = page.locator("label", has=confirm).inner_text()
    assert f"marked publicly as a possible copy of certificate #{original}" in label
    assert "its owner can bring a claim against it" in label
    submit = page.get_by_role("button", name="Register anyway")
    assert submit.is_disabled()
    # Nothing was sent, and no prompt salt was made.
    assert page.get_by_test_id("register-steps").is_hidden()
    assert page.get_by_role("link", name=SALT_LINK).count() == 0
    assert _nonce(stack, me) == nonce
    shot(page, "register-near-duplicate-thumbnail")

    confirm.check()
    assert submit.is_enabled()
    submit.click()
    new = _registered(page, stack)
    asset = _asset(stack, new)
    assert asset["creator"].lower() == me.address.lower() and asset["parents"] == []
    assert page.get_by_role("link", name=SALT_LINK).count() == 1
    page.context.close()
    # Registered as an original, it is marked publicly as a possible copy of the work it looks like.
    assert _asset(stack, new, ready="possible_original")["possible_original"]["asset_id"] == original


def test_a_held_licence_offers_to_register_as_a_derivative(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    png = _png("logo")
    creator = _account(stack)
    original = _register(stack, creator, png, tmp_path, "Snake logo")
    offer = actions.create_offer(
        stack.client, creator, original, extended_terms(rev_share_bps=1_000), price=10**15
    ).value
    me = _account(stack, wallet=True)
    licence = actions.buy_license(stack.client, me, offer).value
    deadline = time.monotonic() + 60
    while not httpx.get(
        f"{stack.base_url}/licenses/status",
        params={"asset": original, "account": me.address, "use": "derivative"},
    ).json()["licensed"]:
        assert time.monotonic() < deadline, "the licence was not indexed in 60 s"
        time.sleep(0.3)
    _asset(stack, original)

    page = open_page(browser, stack, me.address)
    _start(page, "logo.jpg", _copy(png), "Logo, after dark")
    warning = page.get_by_test_id("near-duplicates")
    warning.wait_for(timeout=30_000)
    _thumbnail_shown(page, stack, warning, original)
    offer_box = page.get_by_test_id("derivative-offer")
    offer_box.wait_for()
    assert f"You hold licence #{licence} on certificate #{original}, which allows derivatives" in (
        offer_box.inner_text()
    )
    derive = page.get_by_role("button", name=f"Register as a derivative of #{original}")
    assert derive.is_enabled()
    assert page.get_by_role("button", name="Register anyway").is_disabled()  # the original path still asks
    shot(page, "register-derivative-offer")

    derive.click()
    new = _registered(page, stack)
    assert f"a derivative of certificate #{original}" in page.locator("form .status").inner_text()
    asset = _asset(stack, new, ready="parents")
    assert [(p["asset_id"], p["license_id"]) for p in asset["parents"]] == [(original, licence)]
    assert asset["creator"].lower() == me.address.lower()
    assert stack.client.license_token.functions.licenseOf(licence).call()[7] is True  # usedForDerivative
    page.context.close()


def test_an_exact_duplicate_links_to_the_certificate_and_offers_no_salt(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    png = _png("grass")
    original = _register(stack, _account(stack), png, tmp_path, "Grass")
    _asset(stack, original)
    me = _account(stack, wallet=True)
    nonce = _nonce(stack, me)
    page = open_page(browser, stack, me.address)
    _start(page, "grass.png", png, "My grass", mime="image/png")

    duplicate = page.get_by_test_id("exact-duplicate")
    duplicate.wait_for(timeout=30_000)
    assert f"This exact file is already certificate #{original}" in duplicate.inner_text()
    assert duplicate.locator(f"a[href='#/work/{original}']").count() == 1
    assert page.get_by_role("link", name=SALT_LINK).count() == 0
    assert page.get_by_test_id("near-duplicates").count() == 0
    assert page.get_by_role("button", name="Already registered").is_disabled()
    assert _nonce(stack, me) == nonce
    page.context.close()


def test_an_exact_duplicate_the_chain_reports_at_the_last_step_takes_the_salt_away(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    png = _png("brick")
    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    # The page learns of new blocks only when the test lets it: it must not reveal before the rival registers.
    held: dict[str, int | None] = {"block": None}

    def blocks(route: Any) -> None:
        body = route.request.post_data_json if route.request.method == "POST" else None
        if held["block"] is not None and isinstance(body, dict) and body.get("method") == "eth_blockNumber":
            answer = {"jsonrpc": "2.0", "id": body.get("id"), "result": hex(held["block"])}
            headers = {"Access-Control-Allow-Origin": "*", "Content-Type": "application/json"}
            route.fulfill(status=200, headers=headers, body=json.dumps(answer))
        else:
            route.continue_()

    page.route(stack.rpc_url, blocks)
    _start(page, "brick.png", png, "Bricks", mime="image/png")
    page.locator("[data-step='2'][data-state='active']").wait_for(timeout=40_000)
    held["block"] = int(rpc(stack, "eth_blockNumber"), 16)
    page.get_by_role("link", name=SALT_LINK).wait_for()  # offered while the registration was under way

    rival = _register(stack, _account(stack), png, tmp_path, "Bricks first")  # commit and reveal: new blocks
    page.wait_for_timeout(1500)  # the page still sees the old block
    assert page.locator("[data-step='2'][data-state='active']").count() == 1
    held["block"] = None

    duplicate = page.get_by_test_id("exact-duplicate")
    duplicate.or_(page.locator("form .status.error")).wait_for(timeout=30_000)
    assert duplicate.is_visible(), page.locator("form .status").inner_text()
    assert f"This exact file is already certificate #{rival}" in duplicate.inner_text()
    assert duplicate.locator(f"a[href='#/work/{rival}']").count() == 1
    assert page.get_by_role("link", name=SALT_LINK).count() == 0
    assert page.locator("[data-step='3'][data-state='failed']").count() == 1
    assert page.get_by_role("button", name="Already registered").is_disabled()
    assert "ContentAlreadyRegistered" not in page.locator("form").inner_text()
    shot(page, "register-exact-duplicate-late")
    page.context.close()
