"""In headless Chromium against the real stack: "Download original" on the work page (the wallet signs, the
page saves the verified file; refusals are plain sentences), and a prompt-kind work registered from the page
commits to the same text `genip register` commits to for the same file."""

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.types import Work, WorkKind
from genip.content.digest import digest_bytes
from genip.content.formats import prepare_work
from genip.content.metadata import WorkMetadata
from genip.db.engine import make_engine
from genip.prompts import commit_prompt, normalize_prompt
from genip.settings import Settings
from genip.storage import LocalStore
from genip.storage.originals import Originals
from tests.helpers import standard_terms
from tests.web.conftest import ADA, PAYER, Stack, open_page, rpc, shot

pytestmark = pytest.mark.slow

HOLDER = dev_account(9)  # no part in the demo: a brand of its own
CLAIMANT = dev_account(4)


def _until(check: Any, what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module", autouse=True)
def indexed(stack: Stack) -> None:
    """The demo marketplace is indexed (the indexer thread starts with it)."""
    count = len(stack.seeded.assets)
    _until(
        lambda: (
            httpx.get(f"{stack.base_url}/assets", params={"limit": 1, "include_copies": "true"}).json()[
                "count"
            ]
            >= count
        ),
        "the demo to be indexed",
    )


def _licensed_work(stack: Stack, body: bytes) -> tuple[int, str]:
    """A text work of Ada's with its original sealed in the stack's store and database, and a licence on it
    `HOLDER` bought; its asset id and committed sha256, once indexed."""
    store = LocalStore(stack.data_dir / "store")
    engine = make_engine(f"sqlite:///{stack.data_dir / 'genip.db'}")
    Originals.from_settings(engine, store, Settings(data_dir=stack.data_dir)).seal(body)
    engine.dispose()
    digest = digest_bytes(body)
    meta = WorkMetadata(
        name="Sealed verses",
        kind=WorkKind.TEXT,
        content=digest,
        media_type="text/plain",
        prompt_commitment=b"\x07" * 32,
        description="Only licence holders read these",
    )
    work = Work(WorkKind.TEXT, digest.sha256, bytes(32), b"\x07" * 32, store.put(meta.to_bytes()))
    asset = actions.register(stack.client, ADA, work).value
    offer = actions.create_offer(stack.client, ADA, asset, standard_terms(), price=10**15).value
    actions.buy_license(stack.client, HOLDER, offer)

    answers: list[Any] = []

    def licensed() -> bool:
        answers.append(
            httpx.get(
                f"{stack.base_url}/licenses/status", params={"asset": asset, "account": HOLDER.address}
            ).json()
        )
        return bool(answers[-1].get("licensed"))

    try:
        _until(licensed, "the licence to be indexed")
    except AssertionError:
        raise AssertionError(f"asset {asset} not licensed to the holder: {answers[-1]}") from None
    return asset, "0x" + hashlib.sha256(body).hexdigest()


def test_a_licence_holder_downloads_the_original_and_a_claim_stops_it(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    body = b"Sealed verses\r\nfor licence holders only\n"
    asset, sha256 = _licensed_work(stack, body)
    assert body not in b"".join(p.read_bytes() for p in (stack.data_dir / "store").rglob("*") if p.is_file())

    page = open_page(browser, stack, HOLDER.address)
    page.goto(f"/#/work/{asset}")
    button = page.get_by_role("button", name="Download original")
    button.wait_for()
    shot(page, "work-download-original")
    with page.expect_download() as event:
        button.click()
    download = event.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename == f"genip-{asset}.txt"
    assert saved.read_bytes() == body and "0x" + hashlib.sha256(saved.read_bytes()).hexdigest() == sha256
    status = page.locator(".download-original .status")
    assert "matches the certificate's sha256" in status.inner_text()

    # Somebody without a licence is not offered the button; the owner is.
    other = open_page(browser, stack, PAYER.address)
    other.goto(f"/#/work/{asset}")
    other.get_by_role("heading", name="Sealed verses").wait_for()
    other.locator("#my-licences h2").wait_for()
    assert other.get_by_role("button", name="Download original").count() == 0
    other.context.close()

    # A claim against the work: the holder's next try is refused in a plain sentence, nothing is saved.
    actions.raise_dispute(stack.client, CLAIMANT, asset, b"\x05" * 32)
    _until(
        lambda: httpx.get(f"{stack.base_url}/assets/{asset}").json()["standing"] == "disputed",
        "the claim to be indexed",
    )
    downloads: list[Any] = []

    def saw(download: Any) -> None:  # playwright keeps state on the handler: not a bound builtin
        downloads.append(download)

    page.on("download", saw)
    button.click()
    error = page.locator(".download-original .status.error")
    error.wait_for()
    assert error.inner_text() == (
        "A claim against this work is open or was upheld, "
        "so its original is not delivered to licence holders for now."
    )
    assert not downloads
    shot(page, "work-download-refused")
    page.context.close()


def test_a_prompt_kind_work_from_the_page_commits_to_the_text_the_cli_commits_to(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    # CRLF, a decomposed accent, a no-break space and a trailing U+FEFF (Python's strip keeps it, JavaScript's
    # trim drops it), after a byte-order mark: the page must end up with genip's exact text.
    text = "\ufeff  A lighthouse keeper's log,\r\ncafe\u0301 au lait at dawn\u00a0\n\ufeff"
    path = tmp_path / "lighthouse-prompt.txt"
    path.write_bytes(text.encode("utf-8"))
    page = open_page(browser, stack, ADA.address)
    page.goto("/#/register")
    page.get_by_label("Kind").select_option("prompt")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Title").fill("Lighthouse keeper prompt")
    page.get_by_role("button", name="Upload and register").click()
    page.locator("[data-step='2'][data-state='active']").wait_for(timeout=40_000)
    rpc(stack, "evm_mine")
    link = page.get_by_test_id("new-certificate")
    link.or_(page.locator("form .status.error")).wait_for(timeout=40_000)
    assert link.is_visible(), page.locator("form .status").inner_text()
    asset = int(re.search(r"#(\d+)", link.inner_text()).group(1))  # type: ignore[union-attr]

    salt_link = page.get_by_role("link", name="Download your prompt salt")
    secret = json.loads(
        page.evaluate("(href) => fetch(href).then((r) => r.text())", salt_link.get_attribute("href"))
    )
    canonical = prepare_work(path, WorkKind.PROMPT).canonical
    assert canonical is not None
    cli_text = normalize_prompt(canonical.decode("utf-8"))  # what `genip register` commits to (genip.works)
    assert secret["prompt"] == cli_text and cli_text.endswith("\ufeff") and "\r" not in cli_text
    salt = bytes.fromhex(secret["salt"][2:])
    expected = commit_prompt(canonical.decode("utf-8"), salt, creator=ADA.address).commitment
    assert secret["commitment"] == "0x" + expected.hex()
    assert stack.client.registry.functions.promptCommitment(asset).call() == expected
    page.context.close()
