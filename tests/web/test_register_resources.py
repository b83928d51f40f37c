"""The register page at a file that names registered resources (issue #21), in headless Chromium against the
real stack: a LoRA registered from Python with a generation offer, then images whose A1111 `parameters` text
chunk names the LoRA by its AutoV2 hash (the first 10 hex digits of its sha256). The page lists the LoRA under
"Made with registered resources" and keeps the Register button off until it is settled: buying a generation
licence and registering under it is one button (the purchase shown as a step before commit, next block and
register), and the image becomes a derivative of the LoRA in the API, its revenue reaching the LoRA's maker;
a second image is then registered under the same licence, preselected (a generation licence is never used up);
or the creator declares the work not derived from it, with a reason the work page shows. The LoRA's offer
reads as a generation licence on its page, and the dashboard offers the generation tier on the LoRA, never on
an image.

Every work and account here is fresh (random keys and LoRA bytes), so other browser tests never meet them."""

import hashlib
import io
import json
import random
import re
import struct
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from eth_account.signers.local import LocalAccount
from PIL import Image, ImageDraw, PngImagePlugin

from genip.chain import actions
from genip.chain.types import WorkKind
from genip.prompts import PromptVault
from genip.storage import LocalStore
from genip.terms.terms import extended_terms, generation_terms
from genip.works import WorkDescription, prepare_registration, register_draft
from tests.helpers import split
from tests.web.conftest import Stack, open_page, rpc, shot
from tests.web.test_register_duplicates import _account, _asset

pytestmark = pytest.mark.slow

#: The LoRA's generation offer: 0.001 ETH, 15 % of each generated work's revenue, for 30 days.
PRICE = 10**15
SHARE_BPS = 1_500
DAYS = 30


@dataclass
class Lora:
    asset_id: int
    title: str
    maker: LocalAccount
    autov2: str  # the first 10 hex digits of its sha256, as A1111 writes it
    offer: int


def _safetensors(path: Path, title: str) -> bytes:
    """A tiny LoRA: real safetensors layout (header, one small tensor), metadata naming `title`."""
    data = struct.pack("<16f", *[i / 16 for i in range(16)])
    header = {
        "lora_unet_down_blocks_0.alpha": {"dtype": "F32", "shape": [16], "data_offsets": [0, len(data)]},
        "__metadata__": {"ss_base_model_version": "sdxl_base_v1-0", "modelspec.title": title},
    }
    raw = json.dumps(header).encode()
    content = struct.pack("<Q", len(raw)) + raw + data
    path.write_bytes(content)
    return content


@pytest.fixture(scope="module")
def lora(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Lora:
    """A fresh LoRA registered by a fresh maker, with a generation offer, indexed."""
    folder = tmp_path_factory.mktemp("lora")
    title = f"Retro Poster {uuid.uuid4().hex[:6]}"
    path = folder / "retro-poster.safetensors"
    content = _safetensors(path, title)
    maker = _account(stack, wallet=True)  # its dashboard is opened too
    draft = prepare_registration(
        path,
        WorkDescription(kind=WorkKind.MODEL, title=title, prompt="trained on retro posters"),
        creator=maker.address,
    )
    asset_id = register_draft(
        stack.client,
        maker,
        draft,
        store=LocalStore(stack.data_dir / "store"),
        vault=PromptVault(stack.data_dir, maker.address),
        originals=stack.originals(),
    ).asset_id
    offer = actions.create_offer(
        stack.client,
        maker,
        asset_id,
        generation_terms(rev_share_bps=SHARE_BPS),
        price=PRICE,
        duration=DAYS * 86_400,
    ).value
    deadline = time.monotonic() + 60
    while not any(o["offer_id"] == offer for o in _asset(stack, asset_id)["offers"]):
        assert time.monotonic() < deadline, "the offer was not indexed in 60 s"
        time.sleep(0.3)
    return Lora(asset_id, title, maker, hashlib.sha256(content).hexdigest()[:10], offer)


def _poster(seed: int, lora: Lora) -> bytes:
    """A distinct picture (shapes drawn from `seed`), a PNG whose A1111 `parameters` name the LoRA's AutoV2
    hash."""
    rng = random.Random(seed)
    image = Image.new("RGB", (512, 512), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(24):
        x, y = rng.randrange(448), rng.randrange(448)
        box = (x, y, x + rng.randrange(32, 256), y + rng.randrange(32, 256))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a retro poster of a fox at dawn, <lora:retro_poster:0.8>\nNegative prompt: blurry\n"
        f"Steps: 28, Sampler: Euler a, Seed: {seed}, Model: sdxl_base, "
        f'Lora hashes: "Retro Poster: {lora.autov2}"',
    )
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _upload(page: Any, png: bytes, title: str, prompt: str | None = None) -> Any:
    """Fill the register form with `png` (and `prompt`), press the button; the resources step once shown."""
    page.goto("/#/register")
    page.get_by_label("File").set_input_files(
        files=[{"name": "poster.png", "mimeType": "image/png", "buffer": png}]
    )
    page.get_by_label("Title").fill(title)
    page.get_by_label("Prompt").fill(prompt or f"my prompt for {title}")
    page.get_by_role("button", name="Upload and register").click()
    step = page.get_by_test_id("resources-used")
    step.wait_for(timeout=30_000)
    return step


def _mined(page: Any, stack: Stack) -> int:
    """The new certificate once the page committed, the test mined the next block and the page registered."""
    page.locator("[data-stage='wait'][data-state='active']").wait_for(timeout=60_000)
    rpc(stack, "evm_mine")
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    return int(re.search(r"#(\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]


def _licence_of(stack: Stack, licence: int) -> tuple[int, bool, bool]:
    """The licence's asset, whether it is a generation licence and whether the hub marked it used for a
    derivative (`licenseOf`)."""
    record = stack.client.license_token.functions.licenseOf(licence).call()
    return int(record[0]), bool(record[8]), bool(record[7])


def test_buying_a_generation_licence_and_registering_under_it_is_one_button(
    browser: Any, stack: Stack, lora: Lora
) -> None:
    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    step = _upload(page, _poster(1, lora), "Fox at dawn")
    row = step.locator(f"li[data-asset='{lora.asset_id}']")
    row.get_by_test_id("resource-buy").wait_for()
    text = row.inner_text()
    assert f"{lora.title} (#{lora.asset_id})" in text and "model by" in text
    assert "LoRA 'Retro Poster'" in text
    assert row.get_by_role("link", name=f"{lora.title} (#{lora.asset_id})").get_attribute("href") == (
        f"#/work/{lora.asset_id}"
    )
    buy = row.get_by_label("Buy a generation licence for 0.001 ETH and register under it")
    assert not buy.is_checked()
    assert "15 % of its revenue" in text
    register = page.get_by_role("button", name="Register", exact=True)
    assert register.is_disabled()  # nothing chosen yet
    assert page.get_by_test_id("register-steps").is_hidden()
    shot(page, "register-resources")

    buy.check()
    button = page.get_by_role("button", name="Buy the licence and register")
    assert button.is_enabled()
    button.click()
    bought = page.locator(f"[data-stage='buy:{lora.asset_id}']")
    bought.and_(page.locator("[data-state='done']")).wait_for(timeout=30_000)
    assert page.locator("[data-stage='commit']").get_attribute("data-step") == "2"
    new = _mined(page, stack)
    status = page.locator("form .status").inner_text()
    assert f"a derivative of certificate #{lora.asset_id}" in status
    asset = _asset(stack, new, ready="parents")
    [(parent, licence)] = [(p["asset_id"], p["license_id"]) for p in asset["parents"]]
    assert parent == lora.asset_id
    assert f"Bought licence #{licence} on #{lora.asset_id}" in bought.inner_text()
    assert _licence_of(stack, licence) == (lora.asset_id, True, False)  # generation: never used up
    shot(page, "register-resources-bought")

    # Revenue paid to the image reaches the LoRA's maker to the wei.
    payer = _account(stack)
    before = stack.client.hub.functions.balanceOf(lora.maker.address, "0x" + "00" * 20).call()
    fee_bps = stack.client.hub.functions.platformFee().call()[0]
    actions.pay_revenue(stack.client, payer, new, 10**18 + 7)
    _, cuts, _ = split(10**18 + 7, fee_bps, {lora.asset_id: SHARE_BPS})
    after = stack.client.hub.functions.balanceOf(lora.maker.address, "0x" + "00" * 20).call()
    assert after - before == cuts[lora.asset_id]

    # A second image made with the LoRA: the same generation licence is preselected and registers it too.
    step = _upload(page, _poster(2, lora), "Fox at dusk")
    held = step.locator(f"li[data-asset='{lora.asset_id}']").get_by_label(
        f"Register under your licence #{licence}"
    )
    held.wait_for()
    assert held.is_checked()
    register = page.get_by_role("button", name="Register", exact=True)
    assert register.is_enabled()
    register.click()
    second = _mined(page, stack)
    parents = _asset(stack, second, ready="parents")["parents"]
    assert [(p["asset_id"], p["license_id"]) for p in parents] == [(lora.asset_id, licence)]
    page.context.close()


def test_a_typed_prompt_that_is_a_registered_prompt_is_proposed_without_being_sent(
    browser: Any, stack: Stack, lora: Lora, tmp_path: Path
) -> None:
    text = f"a paper crane over a frozen lake, ink and silver leaf, {uuid.uuid4().hex[:8]}"
    path = tmp_path / "crane.txt"
    path.write_text(f"{text}\n", encoding="utf-8")  # the file's final newline: the typed prompt has none
    engineer = _account(stack)
    draft = prepare_registration(
        path, WorkDescription(kind=WorkKind.PROMPT, title="Paper crane"), creator=engineer.address
    )
    prompt_work = register_draft(
        stack.client,
        engineer,
        draft,
        store=LocalStore(stack.data_dir / "store"),
        vault=PromptVault(stack.data_dir, engineer.address),
        originals=stack.originals(),
    ).asset_id
    offer = actions.create_offer(
        stack.client, engineer, prompt_work, extended_terms(rev_share_bps=700), price=2 * 10**15
    ).value
    deadline = time.monotonic() + 60
    while not any(o["offer_id"] == offer for o in _asset(stack, prompt_work)["offers"]):
        assert time.monotonic() < deadline, "the offer was not indexed in 60 s"
        time.sleep(0.3)

    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url + (r.post_data or "")))
    step = _upload(page, _poster(6, lora), "Crane poster", prompt=text)
    row = step.locator(f"li[data-asset='{prompt_work}']")
    row.get_by_test_id("resource-buy").wait_for()
    assert "It is the prompt you typed above" in row.inner_text()
    assert "Paper crane" in row.inner_text()
    assert step.locator(f"li[data-asset='{lora.asset_id}']").count() == 1  # the file still names the LoRA
    assert not any(text in unquote(s) for s in sent), "the prompt left the browser"
    # One lookup, one prefix: 4 hex digits (16 bits) of the sha256 of the trimmed prompt with a final
    # newline, the form a text file usually has, not one prefix per form.
    lookups = [s for s in sent if "/resources/prompts?prefix=" in s]
    expected = hashlib.sha256(f"{text}\n".encode()).hexdigest()[:4]
    assert [s.split("prefix=")[1] for s in lookups] == [expected]
    row.get_by_label("Buy an extended licence for 0.002 ETH and register under it").check()
    step.locator(f"li[data-asset='{lora.asset_id}']").get_by_label("Not derived from it", exact=True).check()
    step.locator(f"li[data-asset='{lora.asset_id}'] textarea").fill("Only the prompt made it.")
    page.get_by_role("button", name="Buy the licence and register").click()
    new = _mined(page, stack)
    asset = _asset(stack, new, ready="parents")
    [(parent, licence)] = [(p["asset_id"], p["license_id"]) for p in asset["parents"]]
    assert parent == prompt_work
    assert _licence_of(stack, licence) == (prompt_work, False, True)  # extended: used up by the derivative
    assert [d["asset_id"] for d in asset["declared_not_derived_from"]] == [lora.asset_id]
    page.context.close()


def test_a_refused_purchase_is_a_sentence_and_registers_nothing(
    browser: Any, stack: Stack, lora: Lora
) -> None:
    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    step = _upload(page, _poster(5, lora), "Fox, refused")
    row = step.locator(f"li[data-asset='{lora.asset_id}']")
    row.get_by_test_id("resource-buy").check()
    nonce = stack.client.w3.eth.get_transaction_count(me.address)
    actions.set_offer_paused(stack.client, lora.maker, lora.offer, True)  # paused after the page listed it
    try:
        page.get_by_role("button", name="Buy the licence and register").click()
        error = page.locator("form .status.error")
        error.wait_for(timeout=30_000)
        text = error.inner_text()
        assert text.startswith(f"The licence on #{lora.asset_id} ({lora.title}) was not bought"), text
        assert "nothing was registered" in text and "paused" in text
        for raw in ("OfferNotActive", "revert", "0x"):
            assert raw not in text, text
        assert page.locator(f"[data-stage='buy:{lora.asset_id}'][data-state='failed']").count() == 1
        assert page.locator("[data-stage='commit'][data-state='todo']").count() == 1
        assert stack.client.w3.eth.get_transaction_count(me.address) == nonce  # nothing was sent
        assert page.get_by_role("button", name="Buy the licence and register").is_enabled()  # may try again
    finally:
        actions.set_offer_paused(stack.client, lora.maker, lora.offer, False)
    page.context.close()


def test_a_purchase_whose_receipt_the_page_missed_is_checked_and_never_bought_twice(
    browser: Any, stack: Stack, lora: Lora
) -> None:
    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    step = _upload(page, _poster(7, lora), "Fox, receipt lost")
    row = step.locator(f"li[data-asset='{lora.asset_id}']")
    row.get_by_test_id("resource-buy").check()
    # The fault: the page's RPC stops answering receipts once the purchase is sent (anvil still mines it).
    rpc_url = re.compile(re.escape(stack.rpc_url.rstrip("/")) + ".*")

    def lose_receipts(route: Any) -> None:
        if "eth_getTransactionReceipt" in (route.request.post_data or ""):
            route.abort()
        else:
            route.continue_()

    page.route(rpc_url, lose_receipts)
    button = page.get_by_role("button", name="Buy the licence and register")
    button.click()
    error = page.locator("form .status.error")
    error.wait_for(timeout=30_000)
    text = error.inner_text()
    assert text.startswith(f"The licence on #{lora.asset_id} ({lora.title}) may have been bought"), text
    assert "not bought" not in text and "nothing was changed" not in text, text
    assert "does not buy a second licence" in text
    assert row.get_by_test_id("purchase-pending").is_visible()
    licences = stack.client.license_token.functions.balanceOf
    assert licences(me.address).call() == 1  # it was bought

    page.unroute(rpc_url, lose_receipts)
    button.click()  # the page checks the sent purchase by its hash and registers under the licence it bought
    new = _mined(page, stack)
    [(parent, licence)] = [
        (p["asset_id"], p["license_id"]) for p in _asset(stack, new, ready="parents")["parents"]
    ]
    assert parent == lora.asset_id
    assert licences(me.address).call() == 1  # not bought twice
    assert stack.client.license_token.functions.ownerOf(licence).call() == me.address
    page.context.close()


def test_the_owner_of_a_resource_is_not_asked_to_license_it(browser: Any, stack: Stack, lora: Lora) -> None:
    page = open_page(browser, stack, lora.maker.address)
    page.goto("/#/register")
    page.get_by_label("File").set_input_files(
        files=[{"name": "poster.png", "mimeType": "image/png", "buffer": _poster(8, lora)}]
    )
    page.get_by_label("Title").fill("My own LoRA at work")
    page.get_by_label("Prompt").fill("my prompt for my own LoRA")
    page.get_by_role("button", name="Upload and register").click()
    new = _mined(page, stack)  # registered straight away: nothing to settle
    assert page.get_by_test_id("resources-used").count() == 0
    asset = _asset(stack, new)
    assert asset["parents"] == [] and not asset.get("declared_not_derived_from")
    page.context.close()


def test_not_derived_from_a_resource_needs_a_reason_the_work_page_shows(
    browser: Any, stack: Stack, lora: Lora
) -> None:
    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    step = _upload(page, _poster(3, lora), "A fox, hand drawn")
    row = step.locator(f"li[data-asset='{lora.asset_id}']")
    row.get_by_label("Not derived from it", exact=True).check()
    register = page.get_by_role("button", name="Register", exact=True)
    assert register.is_disabled()  # the reason is required
    reason = "I drew it by hand; the metadata came from a template file I reused."
    row.get_by_test_id("not-derived-reason").fill("   ")
    assert register.is_disabled()
    row.get_by_test_id("not-derived-reason").fill(reason)
    assert register.is_enabled()
    register.click()
    new = _mined(page, stack)
    assert f"not derived from #{lora.asset_id}" in page.locator("form .status").inner_text()
    asset = _asset(stack, new, ready="declared_not_derived_from")
    assert asset["parents"] == []
    assert [(d["asset_id"], d["reason"]) for d in asset["declared_not_derived_from"]] == [
        (lora.asset_id, reason)
    ]

    page.goto(f"/#/work/{new}")
    declared = page.get_by_test_id("not-derived")
    declared.wait_for()
    assert declared.inner_text() == (
        f"The creator declares this work is not derived from #{lora.asset_id} ({lora.title}): {reason}"
    )
    shot(page, "work-not-derived-from")

    # The dashboard's offer form offers no generation licence on an image.
    page.goto("/#/dashboard")
    tiers = page.locator("li.my-work select[name='tier'] option")
    tiers.first.wait_for(state="attached")
    assert tiers.all_text_contents() == ["Standard", "Extended"]
    page.context.close()


def test_the_generation_offer_reads_in_words_and_is_offered_only_on_resources(
    browser: Any, stack: Stack, lora: Lora
) -> None:
    page = open_page(browser, stack, lora.maker.address)
    page.goto(f"/#/work/{lora.asset_id}")
    offers = page.locator("ul.offers")
    offers.wait_for()
    words = "Generation licence: generate any number of works with it; each pays 15 % of its revenue"
    assert f"{words} up to this work." in offers.inner_text()
    page.goto("/#/dashboard")
    work = page.locator("li.my-work", has=page.get_by_role("link", name=lora.title))
    tiers = work.locator("select[name='tier'] option")
    tiers.first.wait_for(state="attached")
    assert tiers.all_text_contents() == ["Standard", "Extended", "Generation"]
    page.context.close()
