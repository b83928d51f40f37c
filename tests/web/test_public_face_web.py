"""The page shows each work's public face, never its original: an image's watermarked preview, a text's
excerpt, a prompt work's card and never its prompt; and a prompt work registered from the page commits to the
same text `genip register` commits to for the same file (the file's own text, not "")."""

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from genip.prompts import commit_prompt
from tests.web.conftest import Stack, open_page, rpc, shot
from tests.web.test_register_duplicates import SALT_LINK, _account, _asset

pytestmark = pytest.mark.slow

PROMPT = "  Heron of ink and gold leaf at dawn,\r\nmist over the river — 35mm, soft light  \n"


def test_an_image_page_shows_the_preview_and_a_text_page_its_excerpt(browser: Any, stack: Stack) -> None:
    image = _asset(stack, stack.seeded.assets["astronaut"], ready="preview_cid")
    page = open_page(browser, stack, _account(stack).address)
    page.goto(f"/#/work/{image['asset_id']}")
    preview = page.get_by_test_id("preview")
    preview.wait_for()
    assert preview.get_attribute("src") == f"/ipfs/{image['preview_cid']}"
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
    assert (
        page.locator(f"[src='/ipfs/{image['media_cid']}'], [href='/ipfs/{image['media_cid']}']").count() == 0
    )
    assert (
        "delivered only to its owner and licence holders" in page.get_by_test_id("original-note").inner_text()
    )

    text = next(
        a
        for key in stack.seeded.assets
        if (a := _asset(stack, stack.seeded.assets[key], ready="metadata_cid"))["kind"] == "text"
    )
    page.goto(f"/#/work/{text['asset_id']}")
    excerpt = page.get_by_test_id("excerpt")
    excerpt.wait_for()
    assert text["excerpt"] and excerpt.inner_text().strip() == text["excerpt"].strip()
    page.context.close()


def test_a_prompt_work_from_the_page_commits_to_its_text_and_never_shows_it(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    page.goto("/#/register")
    page.get_by_label("Kind").select_option("prompt")
    file = {"name": "heron.txt", "mimeType": "text/plain", "buffer": PROMPT.encode()}
    page.get_by_label("File").set_input_files(files=[file])
    page.get_by_label("Title").fill("Heron prompt")
    page.get_by_role("button", name="Upload and register").click()  # the prompt field left empty
    page.locator("[data-step='2'][data-state='active']").wait_for(timeout=40_000)
    rpc(stack, "evm_mine")
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    asset_id = int(re.search(r"#(\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]
    href = page.get_by_role("link", name=SALT_LINK).get_attribute("href")
    secret = json.loads(page.evaluate("(url) => fetch(url).then((r) => r.text())", href))

    # The commitment `genip register heron.txt --kind prompt` makes: to the file's canonical text.
    expected = commit_prompt(PROMPT, bytes.fromhex(secret["salt"][2:]), creator=me.address)
    asset = _asset(stack, asset_id, ready="card")
    assert asset["prompt_commitment"] == "0x" + expected.commitment.hex() == secret["commitment"]

    page.goto(f"/#/work/{asset_id}")
    page.get_by_test_id("work-details").wait_for()
    shown = page.locator("main").inner_text()
    assert "Prompt card" in shown and "Heron prompt" in shown
    assert "gold leaf" not in shown and "Heron of ink" not in shown
    assert "gold leaf" not in httpx.get(f"{stack.base_url}/assets/{asset_id}").text
    shot(page, "prompt-work-public-face")
    page.context.close()
