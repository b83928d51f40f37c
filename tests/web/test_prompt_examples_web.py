"""A prompt work registered from the page with an example output shows the example's watermarked preview on
its work page, and never the prompt (issue 19: a prompt work's public face is title, description and example
outputs)."""

import io
import re
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.web.conftest import Stack, open_page, rpc, shot
from tests.web.test_register_duplicates import _account, _asset

pytestmark = pytest.mark.slow

PROMPT = "Crane of ink and silver leaf at dusk, snow over the lake, 50mm, soft light\n"


def _example_png() -> bytes:
    rng = np.random.default_rng(19)
    pixels = (np.linspace(0, 255, 96 * 128).reshape(96, 128) + rng.normal(0, 30, (96, 128))).clip(0, 255)
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "L").convert("RGB").save(out, format="PNG")
    return out.getvalue()


def test_a_prompt_work_with_an_example_shows_its_preview_and_never_the_prompt(
    browser: Any, stack: Stack
) -> None:
    me = _account(stack, wallet=True)
    page = open_page(browser, stack, me.address)
    page.goto("/#/register")
    page.get_by_label("Kind").select_option("prompt")
    page.get_by_label("File").set_input_files(
        files=[{"name": "crane.txt", "mimeType": "text/plain", "buffer": PROMPT.encode()}]
    )
    example = _example_png()
    page.get_by_test_id("examples").set_input_files(
        files=[{"name": "crane.png", "mimeType": "image/png", "buffer": example}]
    )
    page.get_by_label("Title").fill("Crane prompt")
    page.get_by_role("button", name="Upload and register").click()
    page.locator("[data-step='2'][data-state='active']").wait_for(timeout=40_000)
    rpc(stack, "evm_mine")
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    asset_id = int(re.search(r"#(\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]

    asset = _asset(stack, asset_id, ready="card")
    (cid,) = asset["card"]["examples"]
    page.goto(f"/#/work/{asset_id}")
    shown = page.get_by_test_id("example")
    shown.wait_for()
    assert shown.get_attribute("src") == f"/ipfs/{cid}"
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=shown.element_handle())
    served = httpx.get(f"{stack.base_url}/ipfs/{cid}")
    assert served.status_code == 200 and served.content != example  # a watermarked preview, not the example
    text = page.locator("main").inner_text()
    assert "Example outputs" in text and "Crane prompt" in text and "silver leaf" not in text
    shot(page, "prompt-work-examples")
    page.context.close()
