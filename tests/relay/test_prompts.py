"""Platform registrations submit their prompt to the checker (issue #18), over the served app on both backends
with the relayer, the indexer and the checker on a real anvil: the platform seals the prompt with the SDK
(`genip_sdk.prompts`) to the key `GET /prompts/checker-key` publishes; the API checks its form and key and
keeps it sealed; once the work is indexed the relayer stores it as the creator's pending submission; the
checker opens it against the on-chain commitment and attests. A prompt that does not open the commitment is
rejected; a work whose creator submitted already keeps that submission; no plaintext is ever stored. Where
the API has a checker key an item without a prompt is refused (nothing stored, nothing relayed); an API
without one cannot check, so it registers such items unchecked."""

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import genip_sdk.prompts as sdk
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.tx import send
from genip.chain.types import CheckOutcome
from genip.checker.policy import Outcome
from genip.checker.sealing import CheckerKey
from genip.checker.submissions import SubmissionStore
from genip.checker.worker import Checker
from genip.relay import Relayer
from tests.helpers import CREATOR, DEPLOYER, PLATFORM
from tests.relay.conftest import Setup, index

KEY = CheckerKey.generate()
PROMPT = "a quiet harbour at dawn, watercolour"
UNPROMPTED = "no prompt sent, relayed"  # the body of the work sent without its prompt


@pytest.fixture
def api(setup: Setup, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = ApiSettings(
        data_dir=tmp_path / "data", database_url=db_url, checker_public_key=KEY.public_key.hex
    )
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        yield client


def _work(api: TestClient, key: dict[str, str], body: str, commitment: bytes) -> str:
    """Uploads a text work with the platform's key and stores its metadata; its metadata CID."""
    up = api.post(
        "/uploads", headers=key, files={"file": ("w.txt", body.encode(), "text/plain")}, data={"kind": "text"}
    )
    assert up.status_code == 200, up.text
    meta = api.post(
        "/metadata",
        headers=key,
        json={
            "content_cid": up.json()["cid"],
            "name": body[:20],
            "prompt_commitment": "0x" + commitment.hex(),
            "creator": CREATOR.address,
        },
    )
    assert meta.status_code == 200, meta.text
    return str(meta.json()["metadata_cid"])


def test_a_platform_registration_submits_its_sealed_prompt_for_the_check(
    setup: Setup, api: TestClient
) -> None:
    s, platform = setup, setup.issued.platform
    key = {"Authorization": f"Bearer {setup.issued.key}"}
    actions.authorize_platform(s.client, CREATOR, PLATFORM.address)
    checker_key = api.get("/prompts/checker-key").json()

    single = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
    parts = sdk.commit_parts({"prompt": "pikachu surfing a wave", "seed": "7"}, creator=CREATOR.address)
    liar = sdk.commit_prompt("the prompt on the certificate", creator=CREATOR.address)
    lie = sdk.commit_prompt("another prompt entirely", liar.salt, creator=CREATOR.address)
    items = [
        {
            "reference_id": "single",
            "creator": CREATOR.address,
            "metadata_cid": _work(api, key, "the harbour, relayed", single.commitment),
            "prompt": sdk.seal_prompt(single, checker_key),
        },
        {
            "reference_id": "parts",
            "creator": CREATOR.address,
            "metadata_cid": _work(api, key, "the surfer, relayed", parts.commitment),
            "prompt": sdk.seal_prompt(parts, checker_key),
        },
        {
            "reference_id": "lie",  # sealed is a prompt that does not open the certificate's commitment
            "creator": CREATOR.address,
            "metadata_cid": _work(api, key, "the lie, relayed", liar.commitment),
            "prompt": sdk.seal_prompt(lie, checker_key),
        },
        {
            "reference_id": "none",  # no prompt: refused, this API checks every registration's prompt
            "creator": CREATOR.address,
            "metadata_cid": _work(api, key, UNPROMPTED, bytes(range(32))),
        },
    ]
    posted = api.post("/platform/registrations", headers=key, json={"items": items})
    assert [r["status"] for r in posted.json()["items"]] == [202, 202, 202, 422], posted.text
    assert posted.json()["accepted"] == 3

    relayer = Relayer(s.engine, s.client, PLATFORM, platform)
    relayer.run_once()
    with s.engine.connect() as c:  # sealed with the registration: no plaintext, nothing submitted yet
        refs = [r for (r,) in c.execute(text("SELECT reference_id FROM platform_registrations"))]
        stored = " ".join(str(w) for (w,) in c.execute(text("SELECT work FROM platform_registrations")))
        assert c.execute(text("SELECT count(*) FROM prompt_submissions")).scalar() == 0
    assert sorted(refs) == ["lie", "parts", "single"]  # the refused item left nothing
    assert "harbour" not in stored and "pikachu" not in stored and stored.count("sealed_prompt") == 3
    index(s)
    done = relayer.run_once()
    assert (done.indexed, done.prompts) == (3, 3)
    assert _asset_of(s, UNPROMPTED) == 0  # never relayed
    assert relayer.run_once().prompts == 0  # submitted once

    regs = {r["reference_id"]: r for r in api.get("/platform/registrations", headers=key).json()["items"]}
    assert {r["state"] for r in regs.values()} == {"indexed"}
    store = SubmissionStore(s.engine)
    chain_id = s.client.deployment.chain_id
    for ref, made in (("single", single), ("parts", parts), ("lie", liar)):
        row = store.get(chain_id, regs[ref]["asset_id"])
        assert row is not None and row.status == "pending" and row.creator == CREATOR.address
        assert row.commitment == "0x" + made.commitment.hex() and row.key_id == KEY.public_key.key_id
    assert "none" not in regs

    role = s.client.registry.functions.CHECKER_ROLE().call()
    send(s.client.w3, DEPLOYER, s.client.registry.functions.grantRole(role, DEPLOYER.address))
    results = {r.asset_id: r for r in Checker(store, s.client, DEPLOYER, KEY).run_once()}
    check = s.client.registry.functions.promptCheck
    harbour, surfer, lied = (regs[ref]["asset_id"] for ref in ("single", "parts", "lie"))
    assert results[harbour].outcome == Outcome.PASS and check(harbour).call() == CheckOutcome.PASSED
    assert results[surfer].outcome == Outcome.NEEDS_REVIEW and not results[surfer].attested  # a character
    assert results[lied].outcome is None and "does not match" in (results[lied].rejected or "")
    assert store.get(chain_id, lied).status == "rejected"  # type: ignore[union-attr]
    index(s)  # the public check state, as a platform's page shows it
    assert api.get(f"/prompts/{harbour}/check").json()["status"] == "passed"


def test_sealed_prompts_are_checked_for_form_and_key(setup: Setup, api: TestClient) -> None:
    key = {"Authorization": f"Bearer {setup.issued.key}"}
    made = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
    cid = _work(api, key, "form and key", made.commitment)
    good = sdk.seal_prompt(made, KEY.public_key.hex)
    other = sdk.seal_prompt(made, CheckerKey.generate().public_key.hex)
    cases = [
        ({"sealed": "abcde", "key_id": good["key_id"]}, 400, "prompt.`sealed` is not base64"),
        ({"sealed": base64.b64encode(b"x" * 10).decode(), "key_id": good["key_id"]}, 400, "must hold"),
        (other, 422, f"the checker's key is {KEY.public_key.key_id}"),
    ]
    items = [
        {"reference_id": f"bad-{i}", "creator": CREATOR.address, "metadata_cid": cid, "prompt": prompt}
        for i, (prompt, _status, _message) in enumerate(cases)
    ]
    answered = api.post("/platform/registrations", headers=key, json={"items": items}).json()["items"]
    for (_prompt, status, message), got in zip(cases, answered, strict=True):
        assert got["status"] == status and message in got["error"], got
    for bad in (
        {"sealed": good["sealed"], "key_id": good["key_id"], "prompt": PROMPT},  # never plaintext
        {"sealed": "not base64!", "key_id": good["key_id"]},
        {"sealed": "A" * 16_388, "key_id": good["key_id"]},  # over 16 KiB: POST /prompts/{asset} takes it
    ):
        item = {"reference_id": "x", "creator": CREATOR.address, "metadata_cid": cid, "prompt": bad}
        assert api.post("/platform/registrations", headers=key, json={"items": [item]}).status_code == 422


def test_an_item_without_a_prompt_is_refused_where_prompts_are_checked(setup: Setup, api: TestClient) -> None:
    """Answered like any bad item (its index, status 422, what to send); nothing stored, nothing relayed, and
    the reference stays free for the same work sent with its prompt."""
    s, platform = setup, setup.issued.platform
    key = {"Authorization": f"Bearer {setup.issued.key}"}
    actions.authorize_platform(s.client, CREATOR, PLATFORM.address)
    made = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
    item = {
        "reference_id": "bare",
        "creator": CREATOR.address,
        "metadata_cid": _work(api, key, UNPROMPTED, made.commitment),
    }
    posted = api.post("/platform/registrations", headers=key, json={"items": [item]})
    assert posted.status_code == 202 and posted.json()["accepted"] == 0
    [got] = posted.json()["items"]
    assert got == {
        "index": 0,
        "reference_id": "bare",
        "status": 422,
        "error": got["error"],
        "registration": None,
    }
    assert got["error"].startswith("prompt is required") and "{sealed, key_id}" in got["error"]
    assert "GET /prompts/checker-key" in got["error"]
    with s.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM platform_registrations")).scalar() == 0
    relayer = Relayer(s.engine, s.client, PLATFORM, platform)
    assert relayer.run_once().moved == 0
    assert _asset_of(s, UNPROMPTED) == 0

    sealed = {**item, "prompt": sdk.seal_prompt(made, KEY.public_key.hex)}
    again = api.post("/platform/registrations", headers=key, json={"items": [sealed]}).json()["items"]
    assert [r["status"] for r in again] == [202]


def test_a_set_but_malformed_checker_key_still_requires_prompts(
    setup: Setup, db_url: str, tmp_path: Path
) -> None:
    """A typo in GENIP_CHECKER_PUBLIC_KEY must not switch the check off: items are refused until fixed."""
    key = {"Authorization": f"Bearer {setup.issued.key}"}
    settings = ApiSettings(data_dir=tmp_path / "typo", database_url=db_url, checker_public_key="not a key")
    with TestClient(create_app(settings)) as typo:
        made = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
        item = {
            "reference_id": "t",
            "creator": CREATOR.address,
            "metadata_cid": _work(typo, key, "typo", made.commitment),
        }
        [got] = typo.post("/platform/registrations", headers=key, json={"items": [item]}).json()["items"]
    assert got["status"] == 422 and got["error"].startswith("prompt is required")


def test_an_api_without_a_checker_key_takes_no_prompts(setup: Setup, db_url: str, tmp_path: Path) -> None:
    """It cannot check, so it must not refuse: an item without a prompt is registered unchecked; an item with
    one is refused (nothing here could take it)."""
    s, platform = setup, setup.issued.platform
    key = {"Authorization": f"Bearer {setup.issued.key}"}
    actions.authorize_platform(s.client, CREATOR, PLATFORM.address)
    settings = ApiSettings(data_dir=tmp_path / "bare", database_url=db_url)
    with TestClient(create_app(settings)) as bare:
        made = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
        plain = sdk.commit_prompt("a lighthouse in fog", creator=CREATOR.address)
        items = [
            {
                "reference_id": "p",
                "creator": CREATOR.address,
                "metadata_cid": _work(bare, key, "no checker here", made.commitment),
                "prompt": sdk.seal_prompt(made, KEY.public_key.hex),
            },
            {
                "reference_id": "unchecked",
                "creator": CREATOR.address,
                "metadata_cid": _work(bare, key, UNPROMPTED, plain.commitment),
            },
        ]
        got = bare.post("/platform/registrations", headers=key, json={"items": items}).json()["items"]
    assert got[0]["status"] == 422 and "no GENIP_CHECKER_PUBLIC_KEY" in got[0]["error"]
    assert got[1]["status"] == 202 and got[1]["registration"]["state"] == "accepted"
    relayer = Relayer(s.engine, s.client, PLATFORM, platform)
    relayer.run_once()
    index(s)
    done = relayer.run_once()
    assert (done.indexed, done.prompts) == (1, 0)
    asset = _asset_of(s, UNPROMPTED)
    assert asset > 0 and SubmissionStore(s.engine).get(s.client.deployment.chain_id, asset) is None


def test_a_creators_own_submission_is_kept(setup: Setup, api: TestClient) -> None:
    """The creator submitted before the relayer's round that indexes the work: theirs stays."""
    s, platform = setup, setup.issued.platform
    key = {"Authorization": f"Bearer {setup.issued.key}"}
    actions.authorize_platform(s.client, CREATOR, PLATFORM.address)
    made = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
    item = {
        "reference_id": "both",
        "creator": CREATOR.address,
        "metadata_cid": _work(api, key, "submitted twice", made.commitment),
        "prompt": sdk.seal_prompt(made, KEY.public_key.hex),
    }
    assert api.post("/platform/registrations", headers=key, json={"items": [item]}).status_code == 202
    relayer = Relayer(s.engine, s.client, PLATFORM, platform)
    relayer.run_once()
    index(s)
    asset = int(s.client.registry.functions.assetOf(bytes.fromhex(_content_hash(s)[2:])).call())
    store = SubmissionStore(s.engine)
    own = store.submit(
        chain_id=s.client.deployment.chain_id,
        asset_id=asset,
        creator=CREATOR.address,
        commitment="0x" + made.commitment.hex(),
        sealed=b"\x01" * 80,
        key_id=KEY.public_key.key_id,
    )
    done = relayer.run_once()
    assert (done.indexed, done.prompts) == (1, 0)
    row = store.get(s.client.deployment.chain_id, asset)
    assert row is not None and row.id == own and base64.b64decode(row.ciphertext) == b"\x01" * 80


def _content_hash(s: Setup) -> str:
    with s.engine.connect() as c:
        return str(c.execute(text("SELECT content_hash FROM platform_registrations")).scalar_one())


def _asset_of(s: Setup, body: str) -> int:
    """The registry's asset of the text work `body` (0: not registered)."""
    return int(s.client.registry.functions.assetOf(hashlib.sha256(body.encode()).digest()).call())
