"""`genip dispute …`, `genip platform …`, `genip license buy --referrer|renounce` and the registration steps,
against the session anvil: errors are one line naming the revert in words, with dates, never epoch numbers."""

import hashlib
import re
from pathlib import Path

from genip.chain.client import GenIPClient
from genip.storage import LocalStore
from tests.cli.conftest import Genip, register_text
from tests.helpers import ARBITER, BRAND, CREATOR, CREATOR_2, PLATFORM, increase_time

EVIDENCE = "asset 2 is my asset 1 with one word changed"
EPOCH = re.compile(r"\b1[6-9]\d{8}\b")  # a Unix time in seconds, 2020s-2030s


def test_registering_shows_commit_wait_register(genip: Genip, tmp_path: Path) -> None:
    path = tmp_path / "steps.txt"
    path.write_text("a work registered in two steps")
    run = genip("register", str(path), "--title", "Steps", "--prompt", "p", "--json", key=CREATOR).ok()
    steps = run.stderr
    committed, waiting, registered = (
        steps.index("committed the registration"),
        steps.index("waiting for the next block"),
        steps.index("registered (block"),
    )
    assert committed < waiting < registered
    assert run.json()["commit_tx_hash"].startswith("0x")


def test_a_dispute_from_claim_to_ruling(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    original = register_text(genip, tmp_path, CREATOR, "the original poem")
    copy = register_text(genip, tmp_path, CREATOR_2, "the original poem, copied")
    raised = genip(
        "dispute",
        "raise",
        str(copy),
        "--evidence",
        EVIDENCE,
        "--copy-of",
        str(original),
        "--json",
        key=CREATOR,
    ).json()
    dispute = raised["dispute_id"]
    assert raised["evidence_sha256"] == "0x" + hashlib.sha256(EVIDENCE.encode()).hexdigest()
    assert LocalStore(genip.data_dir / "store").get(raised["evidence_cid"]) == EVIDENCE.encode()
    assert raised["bond_display"] == "0.01 ETH" and "UTC" in raised["owner_may_answer_until"]

    answer = tmp_path / "answer.md"
    answer.write_text("I wrote it first, in 2019.\n")
    answered = genip(
        "dispute", "answer", str(dispute), "--answer", str(answer), "--json", key=CREATOR_2
    ).json()
    assert answered["answer_from"] == "file answer.md"

    early = genip("dispute", "resolve", str(dispute), "--uphold", "--reason", "copied", key=ARBITER).error()
    assert early.startswith("error: resolve dispute failed: the owner can still answer dispute")
    assert " UTC" in early and "(ResponseWindowOpen)" in early and not EPOCH.search(early), early
    assert (
        "--uphold or --clear"
        in genip("dispute", "resolve", str(dispute), "--reason", "x", key=ARBITER).error()
    )
    not_arbiter = genip("dispute", "resolve", str(dispute), "--clear", "--reason", "x", key=BRAND).error()
    assert "does not hold the arbiter role" in not_arbiter

    increase_time(client.w3, int(client.court.functions.responseWindow().call()) + 1)
    ruled = genip("dispute", "resolve", str(dispute), "--uphold", "--reason", "copied", "--json", key=ARBITER)
    assert ruled.json()["ruling"] == "upheld"

    shown = genip("dispute", "show", str(dispute)).ok().stdout
    assert "upheld" in shown and "UTC" in shown and not EPOCH.search(shown), shown
    data = genip("dispute", "show", str(dispute), "--json").json()
    assert data["status"] == "upheld" and data["answered"] and data["arbiter"] == ARBITER.address
    assert data["final_at"].endswith("Z") and not data["ruling_final"]
    asset = genip("show", str(copy), "--json").json()
    assert asset["standing"] == "upheld" and [d["dispute_id"] for d in asset["disputes"]] == [dispute]
    assert "Disputes" in genip("show", str(copy)).ok().stdout

    settle = genip("dispute", "settle", str(dispute), key=BRAND).error()
    assert "becomes final at" in settle and not EPOCH.search(settle), settle
    again = genip("dispute", "raise", str(copy), "--evidence", EVIDENCE, key=BRAND).error()
    assert f"asset {copy} is upheld" in again
    assert "unknown dispute 9" in genip("dispute", "show", "9").error()


def test_licence_referrer_and_renounce(genip: Genip, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "a licensed text")
    genip("offer", str(asset), "--tier", "standard", "--price", "0.01", "--json", key=CREATOR).json()
    bad = genip("license", "buy", str(asset), "--offer", "1", "--referrer", "nope", key=BRAND).error()
    assert "is not an address" in bad
    unknown = genip("license", "buy", str(asset), "--offer", "1", "--referrer", PLATFORM.address, key=BRAND)
    assert "is not a referrer platform" in unknown.error()
    licence = genip("license", "buy", str(asset), "--offer", "1", "--json", key=BRAND).json()["license_id"]
    assert "does not hold licence" in genip("license", "renounce", str(licence), key=CREATOR).error()
    assert genip("license", "renounce", str(licence), "--json", key=BRAND).json()["license_id"] == licence
    assert "already renounced" in genip("license", "renounce", str(licence), key=BRAND).error()
    assert genip("license", "list", "--account", BRAND.address, "--json").json()["count"] == 0


def test_platform_authorize_show_revoke(genip: Genip) -> None:
    out = genip(
        "platform", "authorize", PLATFORM.address, "--for", "30d", "--max-works", "5", "--json", key=CREATOR
    ).json()
    assert out["works_left"] == 5 and out["until"].endswith("UTC")
    shown = genip("platform", "show", PLATFORM.address, "--account", CREATOR.address, "--json").json()
    assert shown["authorised"] and shown["works_left"] == 5
    genip("platform", "revoke", PLATFORM.address, "--json", key=CREATOR).json()
    shown = genip("platform", "show", PLATFORM.address, "--account", CREATOR.address, "--json").json()
    assert not shown["authorised"]
    past = genip("platform", "authorize", PLATFORM.address, "--until", "2001-01-01", key=CREATOR).error()
    assert "in the past" in past
