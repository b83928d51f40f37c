"""The README's main command: `make demo` starts the whole marketplace, serves the page and the API, and
stops cleanly on Ctrl-C; run again, it resumes the saved state instead of seeding anew. Its prompt checks are
real and on by default: the seeded ones were run by the checker's own account, and a work registered while
the demo runs is checked by the demo's checker process. An image generated with the demo's LoRA is its
derivative under a generation licence bought in the flow, and the LoRA's maker was paid her share of what the
image earned, to the wei."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.demo.seed import GENERATION_PRICE, GENERATION_SHARE_BPS, POSTER_REVENUE
from genip.chain.accounts import dev_account
from genip.chain.anvil import free_port
from tests.helpers import split

ROOT = Path(__file__).resolve().parents[1]


def start(
    tmp_path: Path, port: int, chain_port: int, review_port: int
) -> tuple[subprocess.Popen[str], list[str]]:
    env = {
        **os.environ,
        "GENIP_DATA_DIR": str(tmp_path),
        "GENIP_DEMO_PORT": str(port),
        "GENIP_DEMO_CHAIN_PORT": str(chain_port),
        "GENIP_DEMO_REVIEW_PORT": str(review_port),
    }
    env.pop("DATABASE_URL", None)
    env.pop("GENIP_RPC_URL", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C goes to make and the demo together, as in a terminal
    )
    lines: list[str] = []
    deadline = time.monotonic() + 240
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if "running at" in line:
            return process, lines
    process.kill()
    raise AssertionError("the demo never printed its URL:\n" + "".join(lines[-40:]))


def stop(process: subprocess.Popen[str]) -> str:
    os.killpg(process.pid, signal.SIGINT)
    out, _ = process.communicate(timeout=180)
    return out


def test_make_demo_serves_the_marketplace_and_resumes(tmp_path: Path) -> None:
    port, chain_port, review_port = free_port(), free_port(), free_port()
    process, lines = start(tmp_path, port, chain_port, review_port)
    output = "".join(lines)
    assert re.search(rf"http://127\.0\.0\.1:{port}/", output)
    review = f"http://127.0.0.1:{review_port}/"
    assert re.search(rf"review page\s.*{re.escape(review)}", output), output  # in the summary table
    assert "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" in output  # a funded demo account is listed
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200
        works = httpx.get(f"http://127.0.0.1:{port}/assets", params={"q": "orbit"}, timeout=10).json()
        titles = {work["title"] for work in works["data"]}
        assert {"Orbit Portrait", "Orbit Arena Key Art"} <= titles
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        assert health["status"] == "ok"
        total = httpx.get(f"http://127.0.0.1:{port}/assets", timeout=10).json()["count"]
        assert total >= 14
        checker = dev_account(8).address
        seeded = httpx.get(f"http://127.0.0.1:{port}/assets", params={"limit": 50}, timeout=10).json()["data"]
        for work in seeded:
            check = httpx.get(f"http://127.0.0.1:{port}/prompts/{work['asset_id']}/check", timeout=10).json()
            assert check["status"] == "passed" and check["checker"] == checker, check
            assert check["submission"]["status"] == "attested", check
        review_page_is_served_and_advertised(f"http://127.0.0.1:{port}", review)
        generated_with_the_lora(f"http://127.0.0.1:{port}")
        total += registered_and_checked(tmp_path, port, checker)
    finally:
        rest = stop(process)
    # make dies of the same Ctrl-C after its recipe stopped cleanly: what counts is the clean stop above.
    assert process.returncode in (0, 2, 130, -signal.SIGINT), rest
    assert "chain stopped (state saved)" in rest
    assert (tmp_path / "anvil-state.json").exists()
    assert "checker" in output and (tmp_path / "logs" / "checker.log").exists()
    assert (tmp_path / "logs" / "review.log").exists()
    sealing_key = (tmp_path / "checker" / "sealing.key").read_text().strip()
    for log in (tmp_path / "logs").iterdir():  # the checker's keys never reach a log
        text = log.read_text(errors="replace")
        assert sealing_key not in text and dev_account(8).key.hex().removeprefix("0x") not in text, log
    with pytest.raises(httpx.ConnectError):  # the API's process stopped with the demo
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
    with pytest.raises(httpx.ConnectError):  # and so did the review page's
        httpx.get(f"{review}login", timeout=10)

    process, lines = start(tmp_path, port, chain_port, review_port)
    try:
        assert "resuming" in "".join(lines)
        assert "seeding" not in "".join(lines)
        assert httpx.get(f"http://127.0.0.1:{port}/assets", timeout=10).json()["count"] == total
    finally:
        stop(process)


def review_page_is_served_and_advertised(api: str, review: str) -> None:
    """The checker's review page runs as its own supervised process: it answers with its sign-in page (a
    one-time message bound to this server, for a CHECKER_ROLE wallet to sign), sends the signed-out home page
    there, and the API publishes its URL for the marketplace's link (nothing else of it: no prompt)."""
    login = httpx.get(f"{review}login", timeout=10)
    assert login.status_code == 200, login.text
    assert "Sign in to review" in login.text and f"Server: {review.rstrip('/')}" in login.text
    home = httpx.get(review, timeout=10)
    assert (home.status_code, home.headers["location"]) == (303, "/login")
    assert httpx.get(f"{api}/config", timeout=10).json()["checker_review_url"] == review


def registered_and_checked(data_dir: Path, port: int, checker: str) -> int:
    """`genip register` on the demo's data directory submits the prompt to the demo's API without any setting;
    the demo's checker process checks it and the indexer shows the attestation."""
    work = data_dir / "lantern.txt"
    work.write_text("a paper lantern on a quiet river\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_") and k != "DATABASE_URL"}
    env |= {"GENIP_DATA_DIR": str(data_dir), "GENIP_PRIVATE_KEY": dev_account(2).key.hex()}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "register", str(work), "--title", "Lantern", "--prompt",
         "a haiku about a paper lantern drifting downstream", "--json"],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["prompt_submission"].get("status") == "pending", answer  # else {"error": …}
    deadline = time.monotonic() + 60
    while True:
        check = httpx.get(f"http://127.0.0.1:{port}/prompts/{answer['asset_id']}/check", timeout=10).json()
        if check["status"] == "passed":
            break
        assert time.monotonic() < deadline, check
        time.sleep(0.5)
    assert check["checker"] == checker and check["submission"]["status"] == "attested"
    return 1


def generated_with_the_lora(api: str) -> None:
    """The seeded image whose PNG names Cleo's LoRA by its AutoV2 hash is its derivative, under the generation
    licence Dex bought in the flow; Cleo was credited the licence's price and her share of the image's
    revenue (after the platform fee), to the wei."""
    cleo, dex = dev_account(3).address, dev_account(4).address

    def one(title: str) -> dict[str, Any]:
        found = httpx.get(f"{api}/assets", params={"q": title}, timeout=10).json()["data"]
        (work,) = [w for w in found if w["title"] == title]
        return dict(httpx.get(f"{api}/assets/{work['asset_id']}", timeout=10).json())

    lora, poster = one("Retro Poster LoRA"), one("Moon Craters, Retro Poster")
    assert (lora["kind"], lora["creator"], poster["creator"]) == ("model", cleo, dex)
    (parent,) = poster["parents"]
    assert (parent["asset_id"], parent["share_bps"]) == (lora["asset_id"], GENERATION_SHARE_BPS), parent
    assert poster["royalty_stack_bps"] == GENERATION_SHARE_BPS
    assert poster["asset_id"] in {c["asset_id"] for c in lora["children"]}, lora["children"]
    licence = httpx.get(f"{api}/licenses/{parent['license_id']}", timeout=10).json()
    assert (licence["tier"], licence["asset_id"], licence["buyer"]) == ("generation", lora["asset_id"], dex)
    assert licence["price"] == str(GENERATION_PRICE)
    # The file names the LoRA by its AutoV2 hash (and A1111's addnet hash, known once the media step read it).
    (generation,) = poster["made_with"]["generation"]
    loras = {r["hash"]: r["registered"] for r in generation["resources"] if r["kind"] == "lora"}
    assert loras[lora["content_hash"][2:12]] == [lora["asset_id"]], loras

    fee_bps = httpx.get(f"{api}/config", timeout=10).json()["fee_bps"]
    _, _, sale_rest = split(GENERATION_PRICE, fee_bps, {})
    _, cuts, _ = split(POSTER_REVENUE, fee_bps, {lora["asset_id"]: GENERATION_SHARE_BPS})
    account = httpx.get(f"{api}/accounts/{cleo}", timeout=10).json()
    (eth,) = [b for b in account["balances"] if int(b["currency"], 16) == 0]
    # Cleo's only ETH income in the demo: the generation licence sold, and her share of the image's revenue.
    assert int(eth["credited"]) == sale_rest + cuts[lora["asset_id"]], eth
