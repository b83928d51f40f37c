"""Review with the prompt, on real anvil and both database backends: only an account holding CHECKER_ROLE (as
read from the chain) sees queued prompts, with the rules and protected items they came close to and their
scores; a decision needs a reason that does not quote the prompt, is attested on-chain with the reason in the
report, and every view and decision lands in the append-only review log — which never holds the prompt."""

import hashlib
import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.exc import DBAPIError

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from genip.chain.tx import send
from genip.chain.types import CheckOutcome, Work, WorkKind
from genip.checker.policy import Outcome, default_policy
from genip.checker.review import ReviewError, check_reason
from genip.checker.sealing import CheckerKey
from genip.checker.submissions import PromptPayload, SubmissionStore, report_hash, seal_submission
from genip.checker.worker import Checker, MissingRoleError
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.prompts import commit_parts
from tests.checker.test_private_end_to_end import ROOT, free_port, holds
from tests.cli.conftest import Genip
from tests.helpers import CREATOR, CREATOR_2, CREATOR_3, DEPLOYER
from tests.indexer.conftest import postgres_database

KEY = CheckerKey(bytes(range(1, 33)))
#: Needs review (a semantic hit on a protected artist's descriptor), with distinctive words to search for.
PROMPT = (
    "a quokka knight in the painterly style of the Polish fantasy illustrator known for the Witcher 3 cover"
)
NEGATIVE = "no marmalade zq-4410 watermark"
#: Needs review (a character named), and near a second item without firing.
PROMPT_2 = "pikachu as a plumber in blue overalls, xq-7731"
SECRETS = [PROMPT, NEGATIVE, PROMPT_2, "quokka", "marmalade", "zq-4410", "xq-7731", "overalls", "alert("]


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'genip.db'}"
        return
    yield from postgres_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def submit(client: GenIPClient, store: SubmissionStore, seed: str, parts: dict[str, str]) -> int:
    """Registers a work committing to `parts` and submits them sealed, as the API would; the asset id."""
    committed = commit_parts(parts, creator=CREATOR.address)
    work = Work(
        WorkKind.IMAGE, hashlib.sha256(seed.encode()).digest(), bytes(32), committed.root, "bafk-" + seed
    )
    asset = actions.register(client, CREATOR, work).value
    chain_id = client.deployment.chain_id
    sealed = seal_submission(
        PromptPayload(parts, committed.master_salt),
        KEY.public_key,
        chain_id=chain_id,
        asset_id=asset,
        commitment=committed.root,
        creator=CREATOR,
    )
    store.accept(
        sealed,
        KEY.public_key,
        chain_id=chain_id,
        asset_id=asset,
        creator=CREATOR.address,
        commitment="0x" + committed.root.hex(),
    )
    return asset


@pytest.fixture
def queued(client: GenIPClient, engine: Engine) -> dict[str, int]:
    """Two submissions checked by the checker process and waiting for review: asset ids by name."""
    store = SubmissionStore(engine)
    assets = {
        "witcher": submit(client, store, "witcher", {"prompt": PROMPT, "negative_prompt": NEGATIVE}),
        "pikachu": submit(client, store, "pikachu", {"prompt": PROMPT_2, "model": "sdxl-base-1.0"}),
    }
    registry = client.registry.functions
    send(client.w3, DEPLOYER, registry.grantRole(registry.CHECKER_ROLE().call(), DEPLOYER.address))
    results = Checker(store, client, DEPLOYER, KEY).run_once()
    assert {r.outcome for r in results} == {Outcome.NEEDS_REVIEW}
    return assets


@pytest.fixture
def genip(client: GenIPClient, tmp_path: Path, db_url: str) -> Genip:
    path = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    env: dict[str, str | None] = {"GENIP_DATABASE_URL": db_url, "GENIP_CHECKER_KEY": KEY.raw.hex()}
    return Genip(tmp_path / "data", path, env=env)


def submission_of(engine: Engine, asset: int) -> int:
    with engine.connect() as c:
        return int(
            c.execute(
                text("SELECT id FROM prompt_submissions WHERE asset_id = :a"), {"a": asset}
            ).scalar_one()
        )


def log_rows(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as c:
        return [dict(r) for r in c.execute(text("SELECT * FROM review_log ORDER BY id")).mappings()]


def test_an_account_without_the_checker_role_sees_nothing(
    genip: Genip, queued: dict[str, int], engine: Engine, client: GenIPClient
) -> None:
    submission = str(submission_of(engine, queued["witcher"]))
    for args in (
        ["checker", "review"],
        ["checker", "review", "show", submission],
        ["checker", "review", "decide", submission, "--pass", "--reason", "parody"],
    ):
        run = genip(*args, "--json", key=CREATOR_2)
        error = run.error()  # exit code 1, one line, no traceback
        assert CREATOR_2.address in error and "CHECKER_ROLE" in error, error
        assert "quokka" not in run.stdout + run.stderr
    # The checker process's account holds the role; a reviewer signing in elsewhere (the local page) must too.
    worker = Checker(SubmissionStore(engine), client, DEPLOYER, KEY)
    with pytest.raises(MissingRoleError, match="CHECKER_ROLE"):
        worker.view(int(submission), CREATOR_2.address)
    with pytest.raises(MissingRoleError, match="CHECKER_ROLE"):
        worker.decide(int(submission), Outcome.PASS, CREATOR_2.address, "parody")
    assert log_rows(engine) == []
    assert client.registry.functions.promptCheck(queued["witcher"]).call() == CheckOutcome.UNCHECKED


def test_the_reviewer_sees_the_prompt_and_what_it_came_close_to_with_scores(
    genip: Genip, queued: dict[str, int], engine: Engine
) -> None:
    listed = genip("checker", "review", "--json", key=DEPLOYER).json()["queue"]
    assert [r["asset"] for r in listed] == [queued["witcher"], queued["pikachu"]]
    assert all(r["outcome"] == "needs_review" for r in listed)
    [rule] = listed[0]["rules"]
    assert rule["rule"] == "artist.greg-rutkowski" and rule["kind"] == "semantic"
    assert rule["descriptor"] == "Polish fantasy illustrator" and rule["score"] == 1.0
    assert listed[1]["rules"][0]["kind"] == "name" and listed[1]["rules"][0]["rule"] == "character.pikachu"
    assert "quokka" not in json.dumps(listed) and log_rows(engine) == []  # listing opens no prompt

    witcher = submission_of(engine, queued["witcher"])
    shown = genip("checker", "review", "show", str(witcher), "--json", key=DEPLOYER).json()
    assert shown["prompt"] == PROMPT and shown["negative_prompt"] == NEGATIVE
    assert shown["status"] == "needs_review" and shown["outcome"] == "needs_review"
    assert shown["policy_outcome"] == "needs_review" and shown["policy_version"] == default_policy().version
    [hit] = shown["hits"]
    assert (hit["rule"], hit["kind"], hit["descriptor"], hit["score"]) == (
        "artist.greg-rutkowski",
        "semantic",
        "Polish fantasy illustrator",
        1.0,
    )
    assert hit["matched"] == "polish fantasy illustrator"
    assert shown["report"]["rules"][0]["score"] == 1.0 and shown["report"]["reason"] is None

    pikachu = submission_of(engine, queued["pikachu"])
    shown = genip("checker", "review", "show", str(pikachu), "--json", key=DEPLOYER).json()
    assert shown["prompt"] == PROMPT_2 and shown["parts"] == {"model": "sdxl-base-1.0"}
    assert [(h["rule"], h["kind"], h["matched"]) for h in shown["hits"]] == [
        ("character.pikachu", "name", "pikachu")
    ]
    [near] = shown["near"]  # came near Super Mario without reaching the review threshold
    assert near["rule"] == "character.super-mario" and 0.5 <= near["score"] < near["threshold"] == 0.8
    human = genip("checker", "review", "show", str(pikachu), key=DEPLOYER, COLUMNS="200").ok().stdout
    assert "pikachu as a plumber" in human and "character.super-mario" in human
    assert f"{near['score']:.2f}" in human  # the near miss's score, as the JSON has it

    views = log_rows(engine)
    assert [(r["submission_id"], r["action"], r["reviewer"], r["outcome"]) for r in views] == [
        (witcher, "view", DEPLOYER.address, "needs_review"),
        (pikachu, "view", DEPLOYER.address, "needs_review"),
        (pikachu, "view", DEPLOYER.address, "needs_review"),
    ]
    assert all(r["reason"] is None and r["asset_id"] in queued.values() for r in views)


def test_a_decision_needs_a_reason_of_its_own(genip: Genip, queued: dict[str, int], engine: Engine) -> None:
    submission = str(submission_of(engine, queued["witcher"]))
    for extra, message in (
        ([], "needs a reason"),
        (["--reason", "   "], "needs a reason"),
        (["--reason", "the Polish fantasy illustrator known for the Witcher cover"], "quotes the prompt"),
        (["--reason", "NO MARMALADE ZQ-4410 WATERMARK is fine"], "quotes the prompt"),
    ):
        error = genip("checker", "review", "decide", submission, "--fail", *extra, key=DEPLOYER).error()
        assert message in error and "marmalade" not in error.lower(), error
    error = genip("checker", "review", "decide", submission, "--reason", "x", key=DEPLOYER).error()
    assert "exactly one of --pass or --fail" in error
    assert genip("checker", "review", "--json", key=DEPLOYER).json()["queue"][0]["asset"] == queued["witcher"]
    assert [r["action"] for r in log_rows(engine)] == []  # nothing decided, nothing logged

    payload = PromptPayload({"prompt": "pikachu"}, bytes(32))
    with pytest.raises(ReviewError, match="quotes the prompt"):  # a one-word prompt: the whole of it
        check_reason("Pikachu is a registered character", payload)
    assert check_reason("  names the artist of rule artist.greg-rutkowski  ", payload).startswith("names")
    with pytest.raises(ReviewError, match="at most"):
        check_reason("x" * 1001, payload)


def test_a_decision_is_attested_with_its_reason_and_logged(
    genip: Genip, queued: dict[str, int], engine: Engine, client: GenIPClient
) -> None:
    witcher = submission_of(engine, queued["witcher"])
    reason = "describes a living artist by his best-known cover instead of naming him: style imitation"
    decided = genip(
        "checker", "review", "decide", str(witcher), "--fail", "--reason", reason, "--json", key=DEPLOYER
    ).json()
    assert decided["outcome"] == "fail" and decided["attested"] and decided["reviewer"] == DEPLOYER.address
    assert client.registry.functions.promptCheck(queued["witcher"]).call() == CheckOutcome.FAILED

    store = SubmissionStore(engine)
    row = store.by_id(witcher)
    assert row is not None and row.status == "attested" and row.reviewed_by == DEPLOYER.address
    assert row.report is not None and row.report["reason"] == reason
    assert row.report["reviewer"] == DEPLOYER.address and row.report["rules"][0]["score"] == 1.0
    receipt = client.w3.eth.get_transaction_receipt(decided["tx"])
    [event] = client.registry.events.PromptCheckAttested().process_receipt(receipt)
    assert event["args"]["reportHash"] == report_hash(row.report)  # the reason is part of what is attested

    pikachu = submission_of(engine, queued["pikachu"])
    genip("checker", "review", "show", str(pikachu), key=DEPLOYER).ok()
    mascot = "parody of a brand mascot"
    genip("checker", "review", "decide", str(pikachu), "--pass", "--reason", mascot, key=DEPLOYER).ok()
    assert client.registry.functions.promptCheck(queued["pikachu"]).call() == CheckOutcome.PASSED
    assert genip("checker", "review", "--json", key=DEPLOYER).json()["queue"] == []
    error = genip(
        "checker", "review", "decide", str(pikachu), "--fail", "--reason", "again", key=DEPLOYER
    ).error()
    assert "not waiting for review" in error

    # The log: every view and decision, with reviewer, outcome and reason.
    logged = genip("checker", "review", "log", "--json").json()["log"]
    assert [(e["submission"], e["action"], e["outcome"], e["reason"], e["reviewer"]) for e in logged] == [
        (witcher, "decide", "fail", reason, DEPLOYER.address),
        (pikachu, "view", "needs_review", None, DEPLOYER.address),
        (pikachu, "decide", "pass", mascot, DEPLOYER.address),
    ]
    assert all(e["at"] and e["asset"] in queued.values() for e in logged)
    only = genip("checker", "review", "log", "--submission", str(witcher), "--json").json()["log"]
    assert [e["action"] for e in only] == ["decide"]
    assert "decide" in genip("checker", "review", "log").ok().stdout

    # Append-only: the database refuses to change or remove an entry.
    for statement in ("UPDATE review_log SET reason = 'rewritten'", "DELETE FROM review_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(text(statement))
    assert len(log_rows(engine)) == 3


def test_no_prompt_text_reaches_the_log_or_any_column(
    genip: Genip, queued: dict[str, int], engine: Engine
) -> None:
    witcher = submission_of(engine, queued["witcher"])
    pikachu = submission_of(engine, queued["pikachu"])
    outputs = []
    for submission in (witcher, pikachu):
        genip("checker", "review", "show", str(submission), "--json", key=DEPLOYER).ok()
        outputs.append(
            genip(
                "checker",
                "review",
                "decide",
                str(submission),
                "--fail",
                "--reason",
                "names a protected item",
                "--json",
                key=DEPLOYER,
            )
            .ok()
            .stdout
        )
    outputs.append(genip("checker", "review", "log", "--json").ok().stdout)
    outputs.append(genip("checker", "review", "log").ok().stdout)
    outputs.append(genip("checker", "review", "--json", key=DEPLOYER).ok().stdout)
    assert len(log_rows(engine)) == 4
    for out in outputs:
        assert holds(out, SECRETS) is None, out
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as c:
        for table in metadata.sorted_tables:
            for row in c.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    found = holds(value, SECRETS)
                    assert found is None, f"{table.name}.{column.name} holds {found!r}"


# ───────────────────────── the review pages, served by the checker process ─────────────────────────

HOSTILE = 'pikachu <script>alert("xq-7731")</script> & friends'


def _field(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found is not None, page
    return html.unescape(found.group(1))


def _sign_in(http: httpx.Client, account: LocalAccount) -> httpx.Response:
    page = http.get("/login").text
    message, nonce = (
        _field(page, r'<pre id="message">(.*?)</pre>'),
        _field(page, r'name="nonce" value="(.*?)"'),
    )
    signature = account.sign_message(encode_defunct(text=message)).signature
    form = {"nonce": nonce, "address": account.address, "signature": "0x" + bytes(signature).hex()}
    return http.post("/login", data=form)


@pytest.fixture
def review_server(
    client: GenIPClient, engine: Engine, db_url: str, tmp_path: Path, queued: dict[str, int]
) -> Iterator[str]:
    """`genip checker review serve` as its own process, attesting as DEPLOYER; its origin."""
    deployment_file = write_deployment(client.deployment, tmp_path / "served", current=False)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_") and k != "DATABASE_URL"}
    env |= {
        "GENIP_DATA_DIR": str(tmp_path / "data"),
        "GENIP_DEPLOYMENT_FILE": str(deployment_file),
        "GENIP_DATABASE_URL": db_url,
        "GENIP_CHECKER_KEY": KEY.raw.hex(),
        "GENIP_PRIVATE_KEY": DEPLOYER.key.hex(),
        "PYTHONUNBUFFERED": "1",
    }
    out = (tmp_path / "review.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "checker", "review", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(origin + "/login", timeout=2)
                break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, (
                tmp_path / "review.log"
            ).read_text()
            time.sleep(0.2)
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=30)
        out.close()
        assert holds((tmp_path / "review.log").read_text(), SECRETS) is None


def test_the_review_page_signs_in_checkers_only_and_shows_logs_and_decides(
    client: GenIPClient, engine: Engine, queued: dict[str, int], review_server: str
) -> None:
    store = SubmissionStore(engine)
    hostile = submit(client, store, "hostile", {"prompt": HOSTILE})
    Checker(store, client, DEPLOYER, KEY).run_once()
    registry = client.registry.functions
    role = registry.CHECKER_ROLE().call()
    send(client.w3, DEPLOYER, registry.grantRole(role, CREATOR_3.address))  # a reviewer of its own
    witcher = submission_of(engine, queued["witcher"])

    with httpx.Client(base_url=review_server, timeout=30) as http:
        assert http.get("/").headers["location"] == "/login"
        assert http.get(f"/submissions/{witcher}").headers["location"] == "/login"
        refused = _sign_in(http, CREATOR_2)
        assert refused.status_code == 403 and "does not hold the registry&#x27;s CHECKER_ROLE" in refused.text
        assert http.get("/", headers={"Host": "evil.example:80"}).status_code == 421  # DNS rebinding

        signed = _sign_in(http, CREATOR_3)
        assert signed.status_code == 303 and "HttpOnly; SameSite=Strict" in signed.headers["set-cookie"]
        queue = http.get("/")
        assert queue.status_code == 200 and f'href="/submissions/{witcher}"' in queue.text
        assert "artist.greg-rutkowski (semantic 1.00)" in queue.text and "quokka" not in queue.text

        page = http.get(f"/submissions/{witcher}")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert _field(page.text, r'<pre class="prompt" id="prompt">(.*?)</pre>') == PROMPT
        assert _field(page.text, r'<pre id="negative">(.*?)</pre>') == NEGATIVE
        assert "Polish fantasy illustrator" in page.text and "<td>1.00</td>" in page.text
        csrf = _field(page.text, r'name="csrf" value="(.*?)"')

        shown = http.get(f"/submissions/{submission_of(engine, hostile)}").text
        assert "&lt;script&gt;alert(&quot;xq-7731&quot;)&lt;/script&gt; &amp; friends" in shown
        assert "<script>alert" not in shown

        decide = f"/submissions/{witcher}/decide"
        stale = http.post(decide, data={"csrf": "forged", "outcome": "fail", "reason": "style imitation"})
        assert stale.status_code == 400 and "stale" in stale.text
        blank = http.post(decide, data={"csrf": csrf, "outcome": "fail", "reason": " "})
        assert blank.status_code == 400 and "needs a reason" in blank.text
        quoting = http.post(
            decide, data={"csrf": csrf, "outcome": "fail", "reason": "known for the Witcher 3 cover!"}
        )
        assert quoting.status_code == 400 and "quotes the prompt" in quoting.text
        assert registry.promptCheck(queued["witcher"]).call() == CheckOutcome.UNCHECKED
        done = http.post(decide, data={"csrf": csrf, "outcome": "fail", "reason": "imitates a living artist"})
        assert done.status_code == 200 and "attested on-chain" in done.text
        assert registry.promptCheck(queued["witcher"]).call() == CheckOutcome.FAILED

        logged = http.get("/log").text
        assert "imitates a living artist" in logged and CREATOR_3.address in logged
        assert holds(logged, SECRETS) is None

        send(client.w3, DEPLOYER, registry.revokeRole(role, CREATOR_3.address))
        assert http.get("/").headers["location"] == "/login"  # the role is read again on every page

    rows = log_rows(engine)
    assert [(r["submission_id"], r["action"], r["reviewer"], r["reason"]) for r in rows] == [
        (witcher, "view", CREATOR_3.address, None),
        (submission_of(engine, hostile), "view", CREATOR_3.address, None),
        (witcher, "decide", CREATOR_3.address, "imitates a living artist"),
    ]
    row = store.by_id(witcher)
    assert row is not None and row.report is not None and row.report["reviewer"] == CREATOR_3.address


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the page is the same on both backends
def test_a_checker_reviews_in_chromium_with_a_browser_wallet(
    client: GenIPClient, engine: Engine, queued: dict[str, int], review_server: str
) -> None:
    """The page as a reviewer uses it: sign in with the injected wallet (anvil signs for its dev account),
    open the queue and a submission, decide with a reason."""
    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, PROVIDER_JS

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    registry = client.registry.functions
    send(client.w3, DEPLOYER, registry.grantRole(registry.CHECKER_ROLE().call(), CREATOR_3.address))
    witcher = submission_of(engine, queued["witcher"])
    wallet = PROVIDER_JS.replace("__RPC_URL__", client.deployment.rpc_url)
    wallet = wallet.replace("__ACCOUNT__", CREATOR_3.address).replace("__OPTIONS__", "{}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            # The test wallet talks to anvil from the page; the page's own CSP allows only itself.
            context = browser.new_context(base_url=review_server, bypass_csp=True)
            context.add_init_script(wallet)
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto("/")
            assert page.url.endswith("/login")
            page.click("#wallet")
            page.wait_for_url(review_server + "/")
            page.click(f'a[href="/submissions/{witcher}"]')
            assert page.inner_text("#prompt") == PROMPT
            assert "Polish fantasy illustrator" in page.inner_text("body")
            page.check('input[value="fail"]')
            page.fill('textarea[name="reason"]', "imitates a living artist by describing him")
            page.click('button[type="submit"]:has-text("Decide")')
            assert "attested on-chain" in page.inner_text("#decided")
            page.goto("/log")
            assert "imitates a living artist by describing him" in page.inner_text("body")
        finally:
            browser.close()
    assert registry.promptCheck(queued["witcher"]).call() == CheckOutcome.FAILED
    assert [(r["action"], r["reviewer"]) for r in log_rows(engine)] == [
        ("view", CREATOR_3.address),
        ("decide", CREATOR_3.address),
    ]
