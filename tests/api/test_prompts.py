"""Prompt privacy end to end: register with a structured commitment, submit privately through the API (sealed
to the checker's key, signed by the creator's wallet), check and attest with the checker process, index, and
show the outcome — while no plaintext part ever lands in the database or in any answer.

Own small world: the session anvil (rolled back after each test), works registered through the CLI, a fresh
SQLite index, and the app in-process; `genip prompt submit` talks to that app instead of a socket.
"""

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, inspect, text

from api.app import create_app
from api.settings import ApiSettings
from cli import prompt as cli_prompt
from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from genip.chain.tx import send
from genip.chain.types import Work, WorkKind
from genip.checker.auth import access_typed_data
from genip.checker.sealing import CheckerKey
from genip.checker.submissions import PromptPayload, seal_submission
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.prompts import commit_prompt
from genip.storage import LocalStore
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.runner import Indexer
from tests.cli.conftest import Genip
from tests.cli.test_register import make_image
from tests.helpers import BRAND, CREATOR, DEPLOYER

KEY = CheckerKey(bytes(range(32)))
API = "http://testserver"

# The secret parts (the model is public metadata by design: `--model` is in the work's metadata JSON too).
PROMPT = "a lighthouse of braided glass above a violet tide, dusk, oil on linen"
NEGATIVE = "blurry, watermark, extra lighthouse beams"
SEED = "8675309421"
WORKFLOW = {"nodes": [{"id": 7, "type": "KSamplerSecretNode", "cfg": 6.5}], "version": "secret-wf-1"}
WORKFLOW_TEXT = json.dumps(WORKFLOW, sort_keys=True, separators=(",", ":"))
SINGLE_PROMPT = "an ode to a sleepy otter in copper ink"
SECRETS = (PROMPT, NEGATIVE, SEED, WORKFLOW_TEXT, "KSamplerSecretNode", SINGLE_PROMPT)


@dataclass
class Story:
    """The chain, the CLI, the index and the API of one test."""

    client: GenIPClient
    genip: Genip
    engine: Engine
    api: TestClient
    parts_asset: int
    single_asset: int
    responses: list[str]

    def index(self) -> None:
        """Indexes the chain, and the works' metadata from the CLI's store (so the search covers it)."""
        store = LocalStore(self.genip.data_dir / "store")
        filler = MetadataFiller(self.engine, self.client.deployment.chain_id, store, retry_seconds=0)
        Indexer(self.engine, IndexerConfig.from_deployment(self.client.deployment)).run(once=True)
        filler.fill()

    def get(self, path: str, **kwargs: Any) -> Response:
        response: Response = self.api.get(path, **kwargs)
        self.responses.append(response.text)
        return response

    def post(self, path: str, body: dict[str, Any]) -> Response:
        response: Response = self.api.post(path, json=body)
        self.responses.append(response.text)
        return response


def sign(account: LocalAccount, typed: dict[str, Any]) -> str:
    return "0x" + bytes(account.sign_message(encode_typed_data(full_message=typed)).signature).hex()


@pytest.fixture
def story(client: GenIPClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Story]:
    deployment_file = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    genip = Genip(tmp_path / "data", deployment_file)
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps(WORKFLOW, indent=2))
    parts = genip(
        "register", str(make_image(tmp_path / "lighthouse.png", seed=3)), "--kind", "image",
        "--title", "Lighthouse", "--prompt", PROMPT, "--negative-prompt", NEGATIVE, "--seed", SEED,
        "--model", "sdxl-base-1.0", "--workflow-file", str(workflow), "--json", key=CREATOR,
    ).json()  # fmt: skip
    poem = tmp_path / "otter.txt"
    poem.write_text("otter, copper, sleep\n")
    single = genip(
        "register", str(poem), "--title", "Otter", "--prompt", SINGLE_PROMPT, "--json", key=CREATOR
    )
    url = f"sqlite:///{tmp_path / 'genip.db'}"
    engine = make_engine(url)
    upgrade(engine)
    genip.env["GENIP_DATABASE_URL"] = url
    genip.env["GENIP_CHECKER_KEY"] = KEY.raw.hex()  # for `genip checker run` (the checker process)
    app = create_app(
        ApiSettings(data_dir=tmp_path / "data", database_url=url, checker_public_key=KEY.public_key.hex)
    )
    with TestClient(app) as api:
        world = Story(client, genip, engine, api, parts["asset_id"], single.json()["asset_id"], [])
        world.index()

        def post_json(address: str, body: dict[str, Any]) -> tuple[int, Any]:
            return (r := world.post(address.removeprefix(API), body)).status_code, r.json()

        def get_json(address: str) -> tuple[int, Any]:
            return (r := world.get(address.removeprefix(API))).status_code, r.json()

        def wait_indexed(address: str, asset: int, timeout: float = 60.0) -> bool:
            world.index()
            return bool(world.get(f"/assets/{asset}").status_code == 200)

        monkeypatch.setattr(cli_prompt, "post_json", post_json)
        monkeypatch.setattr(cli_prompt, "get_json", get_json)
        monkeypatch.setattr(cli_prompt, "wait_indexed", wait_indexed)
        yield world
    engine.dispose()


def submission(story: Story, account: LocalAccount, parts: dict[str, str], salt: bytes, **over: Any) -> Any:
    """A submission body for the single asset: sealed to `over["key"]` (the checker's key by default) and
    signed by `account` over the indexed commitment, valid for `over["validity"]` seconds."""
    asset = over.pop("asset", story.single_asset)
    commitment = story.client.registry.functions.promptCommitment(asset).call()
    sealed = seal_submission(
        PromptPayload(parts, salt),
        over.pop("key", KEY.public_key),
        chain_id=story.client.deployment.chain_id,
        asset_id=asset,
        commitment=commitment,
        creator=account,
        validity=over.pop("validity", 600),
    )
    return sealed.body()


def kept_single(story: Story) -> tuple[str, bytes]:
    out = story.genip("prompt", "reveal", str(story.single_asset), "--json").json()
    assert out["scheme"] == "single" and out["prompt"] == SINGLE_PROMPT
    return out["prompt"], bytes.fromhex(out["salt"][2:])


def access(story: Story, account: LocalAccount, asset: int, deadline: int | None = None) -> dict[str, Any]:
    deadline = int(time.time()) + 300 if deadline is None else deadline
    typed = access_typed_data(story.client.deployment.chain_id, asset, account.address, deadline)
    return {"account": account.address, "deadline": deadline, "signature": sign(account, typed)}


def test_submit_check_attest_index_and_show_without_leaking_the_prompt(story: Story) -> None:
    asset = story.parts_asset
    assert story.get(f"/prompts/{asset}/check").json()["summary"] == "prompt not checked"

    published = story.get("/prompts/checker-key").json()
    assert published["public_key"] == KEY.public_key.hex and published["key_id"] == KEY.public_key.key_id
    sent = story.genip("prompt", "submit", str(asset), "--api", API, "--json", key=CREATOR).json()
    assert sent["scheme"] == "parts" and sent["status"] == "pending"
    assert sent["key_id"] == KEY.public_key.key_id
    check = story.get(f"/prompts/{asset}/check").json()
    assert check["submission"]["status"] == "pending" and check["status"] == "unchecked"
    assert check["summary"] == "prompt submitted: waiting for the checker"

    # The creator (and only them) sees its progress; not even they get the text back from the API.
    mine = story.get(f"/prompts/{asset}", params=access(story, CREATOR, asset))
    assert mine.status_code == 200 and mine.headers["cache-control"].startswith("no-store")
    assert mine.json() == {
        "asset_id": asset,
        "creator": CREATOR.address,
        "scheme": None,
        "key_id": KEY.public_key.key_id,
        "status": "pending",
        "outcome": None,
        "report": None,
    }
    signed = access(story, CREATOR, asset)
    headers = {f"X-Genip-{k.title()}": str(v) for k, v in signed.items()}
    assert story.api.get(f"/prompts/{asset}", headers=headers).json()["status"] == "pending"

    # The checker process (its own key, granted CHECKER_ROLE) checks and attests on-chain.
    registry = story.client.registry.functions
    send(story.client.w3, DEPLOYER, registry.grantRole(registry.CHECKER_ROLE().call(), DEPLOYER.address))
    ran = story.genip("checker", "run", "--once", "--json", key=DEPLOYER).json()
    assert ran["checked"] == [
        {"submission": 1, "asset": asset, "outcome": "pass", "attested": True, "tx": ran["checked"][0]["tx"]}
    ]
    assert registry.promptCheck(asset).call() == 1  # PASSED

    story.index()
    check = story.get(f"/prompts/{asset}/check").json()
    block = story.client.w3.eth.get_transaction_receipt(ran["checked"][0]["tx"])["blockNumber"]
    assert check["status"] == "passed" and check["checker"] == DEPLOYER.address
    assert check["block_number"] == block and check["submission"]["status"] == "attested"
    assert check["summary"] == f"prompt checked: passed, by {DEPLOYER.address}, at block {block}"
    shown = story.get(f"/assets/{asset}").json()["prompt_check"]
    assert shown == {
        "status": "passed",
        "checker": DEPLOYER.address,
        "report_hash": check["report_hash"],
        "block_number": block,
    }
    assert story.genip("show", str(asset), "--json").json()["prompt_check"] == "passed"
    mine = story.get(f"/prompts/{asset}", params=access(story, CREATOR, asset)).json()
    assert mine["scheme"] == "parts" and mine["outcome"] == "pass" and mine["report"]["rules"] == []

    # No plaintext part anywhere in the database (every table, every column) or in any public answer.
    found = story.get("/assets", params={"q": "lighthouse"}).json()
    assert [a["asset_id"] for a in found["data"]] == [asset]  # metadata indexed: the search covers it
    story.get(f"/assets/{asset}/lineage")
    with story.engine.connect() as c:
        tables = inspect(c).get_table_names()
        assert "prompt_submissions" in tables and "assets" in tables
        dump = "\n".join(
            repr(tuple(row)) for table in tables for row in c.execute(text(f'SELECT * FROM "{table}"'))
        )
    for secret in SECRETS:
        assert secret not in dump, secret
        for answer in story.responses:
            assert secret not in answer, secret


def test_with_an_api_configured_register_submits_the_prompt_as_part_of_registering(
    story: Story, tmp_path: Path
) -> None:
    story.genip.env["GENIP_API_URL"] = API
    poem = tmp_path / "heron.txt"
    poem.write_text("heron, reed, still water\n")
    done = story.genip(
        "register", str(poem), "--title", "Heron", "--prompt", "a heron poem", "--seed", "11", "--json",
        key=CREATOR,
    ).json()  # fmt: skip
    assert done["prompt_submission"]["status"] == "pending"
    assert done["prompt_submission"]["scheme"] == "parts"
    check = story.get(f"/prompts/{done['asset_id']}/check").json()
    assert check["submission"]["status"] == "pending"


def test_submissions_must_match_the_commitment_and_carry_the_creators_current_signature(
    story: Story,
) -> None:
    prompt, salt = kept_single(story)
    path = f"/prompts/{story.single_asset}"
    cli = story.genip("prompt", "submit", str(story.single_asset), "--api", API, key=BRAND)
    assert "not by " + BRAND.address in cli.error()  # the CLI signs only with the creator's wallet
    foreign = story.post(path, submission(story, BRAND, {"prompt": prompt}, salt))
    assert foreign.status_code == 403 and "not by the creator" in foreign.json()["detail"]
    expired = submission(story, CREATOR, {"prompt": prompt}, salt, validity=-5)
    assert story.post(path, expired).status_code == 401
    replayed = submission(story, CREATOR, {"prompt": prompt}, salt)
    replayed["sealed"] = submission(story, CREATOR, {"prompt": prompt + " (edited)"}, salt)["sealed"]
    assert story.post(path, replayed).status_code == 403  # the signature covers the exact ciphertext
    bad = submission(story, CREATOR, {"prompt": prompt}, salt)
    bad["signature"] = "0x" + "00" * 65
    assert story.post(path, bad).status_code == 401
    assert story.post("/prompts/999", submission(story, CREATOR, {"prompt": prompt}, salt)).status_code == 404
    elsewhere = submission(story, CREATOR, {"prompt": prompt}, salt, key=CheckerKey.generate().public_key)
    assert story.post(path, elsewhere).status_code == 422  # sealed to a key that is not the checker's
    garbled = submission(story, CREATOR, {"prompt": prompt}, salt) | {"sealed": "not base64!"}
    assert story.post(path, garbled).status_code == 422

    # The API cannot tell a wrong prompt from a right one: the checker can, and rejects it.
    wrong = story.post(path, submission(story, CREATOR, {"prompt": prompt + "!"}, salt))
    assert wrong.status_code == 201 and wrong.json()["status"] == "pending"
    registry = story.client.registry.functions
    send(story.client.w3, DEPLOYER, registry.grantRole(registry.CHECKER_ROLE().call(), DEPLOYER.address))
    ran = story.genip("checker", "run", "--once", "--json", key=DEPLOYER).json()
    [rejected] = ran["checked"]
    assert rejected["outcome"] is None and "does not match" in rejected["rejected"]
    check = story.get(f"{path}/check").json()
    assert check["submission"]["status"] == "rejected" and check["summary"].startswith(
        "prompt submission rejected"
    )

    accepted = story.post(
        path, submission(story, CREATOR, {"prompt": prompt}, salt)
    )  # a rejected one is replaced
    assert accepted.status_code == 201 and accepted.json()["status"] == "pending"
    again = story.post(path, submission(story, CREATOR, {"prompt": prompt}, salt))
    assert again.status_code == 409

    # Reading back: only the creator's current signature for their own account.
    asset = story.single_asset
    assert story.get(path).status_code == 401
    assert story.get(path, params=access(story, BRAND, asset)).status_code == 403
    forged = access(story, BRAND, asset) | {"account": CREATOR.address}
    assert story.get(path, params=forged).status_code == 403
    old = access(story, CREATOR, asset, deadline=int(time.time()) - 1)
    assert story.get(path, params=old).status_code == 401
    assert story.get(path, params=access(story, CREATOR, asset)).json()["status"] == "pending"
    for answer in story.responses:
        assert SINGLE_PROMPT not in answer


def test_without_the_checkers_public_key_submissions_answer_503(story: Story, tmp_path: Path) -> None:
    url = str(story.engine.url)
    app = create_app(ApiSettings(data_dir=tmp_path / "data", database_url=url))
    prompt, salt = kept_single(story)
    with TestClient(app) as api:
        body = submission(story, CREATOR, {"prompt": prompt}, salt)
        refused = api.post(f"/prompts/{story.single_asset}", json=body)
        assert refused.status_code == 503 and "GENIP_CHECKER_PUBLIC_KEY" in refused.json()["detail"]
        assert api.get("/prompts/checker-key").status_code == 503
        assert api.get(f"/prompts/{story.single_asset}/check").status_code == 200  # public: no key needed


def test_a_pinned_checker_key_refuses_an_api_that_publishes_another(story: Story) -> None:
    story.genip.env["GENIP_CHECKER_PUBLIC_KEY"] = CheckerKey.generate().public_key.hex
    refused = story.genip("prompt", "submit", str(story.single_asset), "--api", API, key=CREATOR)
    assert "not the pinned GENIP_CHECKER_PUBLIC_KEY" in refused.error()
    story.genip.env["GENIP_CHECKER_PUBLIC_KEY"] = KEY.public_key.hex
    sent = story.genip("prompt", "submit", str(story.single_asset), "--api", API, "--json", key=CREATOR)
    assert sent.json()["status"] == "pending"


def test_a_salt_file_from_the_web_page_is_imported_and_submitted(story: Story, tmp_path: Path) -> None:
    """A work registered in the browser: the creator's CLI vault knows nothing of it until the salt file the
    page offered (the JSON `web/src/views/register.ts` builds) is imported."""
    web_prompt = "a paper crane over a rice field, gouache"
    committed = commit_prompt(web_prompt, creator=CREATOR.address)
    content = hashlib.sha256(b"registered in the browser").digest()
    work = Work(WorkKind.IMAGE, content, bytes(32), committed.commitment, "bafk-web")
    asset = actions.register(story.client, CREATOR, work).value
    story.index()
    salt_file = tmp_path / "genip-prompt.json"
    document = {
        "scheme": "Gen-IP prompt commitment v2",
        "creator": CREATOR.address.lower(),
        "content_cid": "bafk-web",
        "sha256": "0x" + content.hex(),
        "prompt": committed.prompt,
        "salt": "0x" + committed.salt.hex(),
        "commitment": "0x" + committed.commitment.hex(),
    }
    args = ("prompt", "submit", str(asset), "--api", API)
    assert "no kept prompt" in story.genip(*args, key=CREATOR).error()
    salt_file.write_text(json.dumps(document | {"salt": "0x" + "00" * 32}))
    assert "do not open" in story.genip(*args, "--salt-file", str(salt_file), key=CREATOR).error()
    salt_file.write_text(json.dumps(document | {"sha256": "0x" + "ab" * 32}))
    assert "another work" in story.genip(*args, "--salt-file", str(salt_file), key=CREATOR).error()
    salt_file.write_text("{not json")
    assert "not a prompt salt file" in story.genip(*args, "--salt-file", str(salt_file), key=CREATOR).error()
    salt_file.write_text(json.dumps(document, indent=2))
    sent = story.genip(*args, "--salt-file", str(salt_file), "--json", key=CREATOR).json()
    assert sent["scheme"] == "single" and sent["status"] == "pending"
    kept = story.genip("prompt", "reveal", str(asset), "--json").json()  # now in the vault
    assert kept["prompt"] == web_prompt and kept["matches_chain"] is True
    for answer in story.responses:
        assert web_prompt not in answer


def test_a_part_is_revealed_alone_and_verified_by_cli_api_and_contract(story: Story) -> None:
    asset = story.parts_asset
    whole = story.genip("prompt", "reveal", str(asset), "--json").json()
    assert whole["scheme"] == "parts" and whole["matches_chain"] is True and whole["prompt"] == PROMPT
    revealed = story.genip("prompt", "reveal", str(asset), "--part", "model", "--json").json()
    assert revealed["value"] == "sdxl-base-1.0" and len(revealed["proof"]) == 3
    proof = ",".join(revealed["proof"])
    args = ("prompt", "verify", str(asset), "--part", "model", "--salt", revealed["salt"], "--proof", proof)
    assert story.genip(*args, "--value", "sdxl-base-1.0", "--json").json()["verified"] is True
    wrong = story.genip(*args, "--value", "sdxl-turbo")
    assert "do not open" in wrong.error()
    other_part = (
        "prompt",
        "verify",
        str(asset),
        "--part",
        "seed",
        "--salt",
        revealed["salt"],
        "--proof",
        proof,
    )
    assert "do not open" in story.genip(*other_part, "--value", "sdxl-base-1.0").error()

    body = {"part": "model", "value": "sdxl-base-1.0", "salt": revealed["salt"], "proof": revealed["proof"]}
    assert story.post(f"/prompts/{asset}/verify-part", body).json()["verified"] is True
    for change in ({"value": "sdxl-turbo"}, {"part": "seed"}, {"proof": revealed["proof"][:-1]}):
        assert story.post(f"/prompts/{asset}/verify-part", body | change).json()["verified"] is False
    assert story.post(f"/prompts/{story.single_asset}/verify-part", body).json()["verified"] is False
    assert story.post("/prompts/999/verify-part", body).status_code == 404

    view = story.client.registry.functions.verifyPromptPart
    salt = bytes.fromhex(revealed["salt"][2:])
    nodes = [bytes.fromhex(n[2:]) for n in revealed["proof"]]
    assert view(asset, CREATOR.address, "model", b"sdxl-base-1.0", salt, nodes).call() is True
    assert view(asset, CREATOR.address, "model", b"sdxl-turbo", salt, nodes).call() is False
    # The commitment binds its creator: the same reveal does not open for anybody else.
    assert view(asset, BRAND.address, "model", b"sdxl-base-1.0", salt, nodes).call() is False

    # A single-scheme work is revealed whole and verified with verifyPrompt, as before.
    assert (
        "not part by part"
        in story.genip("prompt", "reveal", str(story.single_asset), "--part", "model").error()
    )
    prompt, salt_single = kept_single(story)
    ok = story.genip(
        "prompt",
        "verify",
        str(story.single_asset),
        "--prompt",
        prompt,
        "--salt",
        "0x" + salt_single.hex(),
        "--json",
    )
    assert ok.json()["verified"] is True
