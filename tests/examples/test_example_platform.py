"""The example platform (`examples/platform`) end to end with real parts: the session's anvil with the
contracts, a migrated database on each backend (SQLite, Postgres), the API and the example app each served
by uvicorn, the relayer (`genip.relay`), the indexer with its content steps (metadata, media hashes,
possible copies) and the webhook worker delivering to the app. A creator's post is certified through the SDK
and shows its asset and badge after `registration.updated`; another creator's near-copy is certified too and
flagged on `copy.marked` (a replay is not applied twice); a share relying on a licence is hidden on
`license.expired` once the chain's clock passes its expiry."""

import base64
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from genip_sdk import GenIP
from nacl.public import PrivateKey, SealedBox
from sqlalchemy import Engine, select
from standardwebhooks.webhooks import Webhook
from starlette.types import ASGIApp

from api.app import create_app as create_api
from api.settings import ApiSettings
from examples.platform.app import Config, create_app, prompt_commitment, subscribe
from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import PromptSubmission
from genip.platforms import IssuedKey, add_platform
from genip.prompts import prompt_commitment_for
from genip.relay import Relayer
from genip.settings import Settings
from genip.storage import LocalStore
from genip.webhooks.worker import Worker, WorkerConfig
from indexer.config import IndexerConfig
from indexer.media import content_step
from indexer.runner import Indexer
from tests.helpers import BRAND, CREATOR, CREATOR_2, PLATFORM, increase_time, standard_terms
from tests.sdk.conftest import encode, free_port, jpeg_copy, picture
from tests.webhooks.conftest import deliveries

#: Patient enough for a busy machine (the app asks the API again on `license.expired`).
CHECKER_KEY = PrivateKey.generate()  # the checker's key: only it opens the prompts the platform seals
WORKER = WorkerConfig(  # the example platform listens on this host: its webhooks go to a private address
    lease_seconds=30, timeout=15, backoff_base=0.2, poll_interval=0.05, status_interval=60, private_urls=True
)


@contextmanager
def served(app: ASGIApp, port: int) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Stack:
    client: GenIPClient
    engine: Engine
    issued: IssuedKey
    indexer: Indexer
    api_url: str
    app_db: Path
    http: httpx.Client
    secret: str

    def relay_and_index(self) -> None:
        """What the relayer and `genip index` do, then the worker until every webhook is delivered."""
        relayer = Relayer(self.engine, self.client, PLATFORM, self.issued.platform)
        relayer.run_once()
        self.index()
        relayer.run_once()  # registered → indexed
        self.deliver()

    def index(self) -> None:
        self.indexer.run(once=True)

    def deliver(self) -> None:
        """Runs the worker until every delivery is made (a retry is due after its backoff)."""
        deadline = time.monotonic() + 30
        while True:
            stats = Worker(self.engine, WORKER, name="example-test").run(threading.Event(), until_idle=True)
            assert stats.failed == 0
            if not deliveries(self.engine, state="pending"):
                return
            assert time.monotonic() < deadline, deliveries(self.engine, state="pending")
            time.sleep(0.1)

    def posts(self) -> dict[int, dict[str, Any]]:
        return {p["id"]: p for p in self.http.get("/posts.json").json()["posts"]}

    def feed(self) -> str:
        page = self.http.get("/")
        assert page.status_code == 200
        return page.text

    def post(self, account: str, title: str, prompt: str, image: bytes, name: str) -> httpx.Response:
        return self.http.post(
            "/posts",
            data={"account": account, "title": title, "prompt": prompt},
            files={"image": (name, image, "application/octet-stream")},
        )


@pytest.fixture
def stack(client: GenIPClient, db_url: str, tmp_path: Path) -> Iterator[Stack]:
    data_dir = tmp_path / "genip"
    engine = make_engine(db_url)
    upgrade(engine)
    chain_id = client.deployment.chain_id
    issued = add_platform(engine, chain_id, "Pixel Social", PLATFORM.address)
    settings = Settings(data_dir=data_dir)
    after = content_step(engine, chain_id, LocalStore(data_dir / "store"), settings)
    indexer = Indexer(engine, IndexerConfig.from_deployment(client.deployment), after_step=after)
    indexer.run(once=True)
    api = create_api(
        ApiSettings(
            data_dir=data_dir,
            database_url=db_url,
            api_chain_id=chain_id,
            api_webhook_private_urls=True,
            checker_public_key=CHECKER_KEY.public_key.encode().hex(),  # prompts are sealed to it
        )
    )
    with served(api, free_port()) as api_url:
        app_port = free_port()
        config = Config(api_url=api_url, api_key=issued.key, database=tmp_path / "platform.db")
        secret = subscribe(config, f"http://127.0.0.1:{app_port}/webhooks/genip")
        config = Config(
            api_url=api_url,
            api_key=issued.key,
            webhook_secret=secret,
            database=tmp_path / "platform.db",
            media=tmp_path / "media",
        )
        with (
            served(create_app(config), app_port) as app_url,
            httpx.Client(base_url=app_url, timeout=60, follow_redirects=True) as http,
        ):
            yield Stack(client, engine, issued, indexer, api_url, config.database, http, secret)
    indexer.close()
    engine.dispose()


def test_posts_are_certified_flagged_as_copies_and_hidden_when_their_licence_expires(stack: Stack) -> None:
    s = stack
    actions.authorize_platform(s.client, CREATOR, PLATFORM.address)
    actions.authorize_platform(s.client, CREATOR_2, PLATFORM.address)

    # A creator posts her own work: the app uploads, describes and submits it through the SDK.
    posted = s.post(
        CREATOR.address, "Astronaut", "an astronaut, oil on canvas", encode(picture("astronaut")), "a.png"
    )
    assert posted.status_code == 200 and posted.url.path == "/"  # after the 303
    first = s.posts()[1]
    assert (first["state"], first["asset_id"], first["flag"]) == ("accepted", None, None)
    assert first["registration_id"] and "prompt" not in first and "salt" not in first
    with sqlite3.connect(s.app_db) as c:  # the commitment sent is the registry's formula over what is kept
        prompt, salt = c.execute("SELECT prompt, salt FROM posts WHERE id = 1").fetchone()
    expected = prompt_commitment_for(CREATOR.address, prompt, bytes.fromhex(salt))
    assert prompt_commitment(CREATOR.address, prompt, bytes.fromhex(salt)) == "0x" + expected.hex()
    assert "an astronaut" not in s.http.get("/posts.json").text

    # The relayer registers it, the indexer indexes it, the worker tells the app.
    s.relay_and_index()
    first = s.posts()[1]
    assert (first["state"], first["asset_id"], first["flag"]) == ("indexed", 1, None)
    with s.engine.connect() as connection:  # the prompt went to the checker sealed, as its pending submission
        (sealed,) = connection.execute(
            select(PromptSubmission.ciphertext).where(
                PromptSubmission.asset_id == 1, PromptSubmission.status == "pending"
            )
        ).one()
    opened = SealedBox(CHECKER_KEY).decrypt(base64.b64decode(sealed))
    assert prompt.encode() in opened and b"an astronaut" not in base64.b64decode(sealed)
    registry = s.client.registry.functions  # the creator can reveal the prompt the platform kept:
    assert registry.verifyPrompt(1, CREATOR.address, prompt.encode(), bytes.fromhex(salt)).call()
    feed = s.feed()
    assert f'<genip-badge asset="1" account="{CREATOR.address}" use="display">' in feed
    assert f'<script type="module" src="{s.api_url}/sdk/genip.js">' in feed
    assert "Gen-IP work #1 · indexed" in feed

    # Another creator posts a re-encoded, resized copy: certified for her too, then marked as a possible copy.
    s.post(CREATOR_2.address, "My astronaut", "an astronaut, my version", jpeg_copy("astronaut"), "b.jpg")
    s.relay_and_index()
    posts = s.posts()
    assert (posts[2]["state"], posts[2]["asset_id"]) == ("indexed", 2), posts[2]
    assert posts[2]["flag"] == "possible copy of Gen-IP work #1"
    with s.engine.connect() as connection:  # her prompt went to the checker too (issue #18: every one does)
        waiting = connection.execute(select(PromptSubmission.asset_id).order_by(PromptSubmission.asset_id))
        assert [a for (a,) in waiting] == [1, 2]
    assert posts[1]["flag"] is None
    assert 'class="post flagged" id="post-2"' in s.feed()

    # A moderator clears the flag; Gen-IP sending the same event again (a replay) does not set it again.
    with sqlite3.connect(s.app_db) as c:
        c.execute("UPDATE posts SET flag = NULL WHERE id = 2")
    with GenIP(s.api_url, api_key=s.issued.key) as genip:
        (hook,) = genip.list_webhooks()
        copies = [d for d in genip.webhook_deliveries(hook["id"]) if d["type"] == "copy.marked"]
        assert [d["state"] for d in copies] == ["delivered"]
        genip.replay_delivery(copies[0]["id"])
        s.deliver()
        again = [d for d in genip.webhook_deliveries(hook["id"]) if d["id"] == copies[0]["id"]]
    assert again[0]["state"] == "delivered" and again[0]["last_status"] == 200  # the app answered
    assert (again[0]["delivered_at"] or "") > (copies[0]["delivered_at"] or "")
    assert s.posts()[2]["flag"] is None

    # A brand buys a one-hour licence on the original and shares it; the licence expires at chain time.
    offer = actions.create_offer(s.client, CREATOR, 1, standard_terms(), price=10**15, duration=3600).value
    licence = actions.buy_license(s.client, BRAND, offer).value
    s.index()
    shared = s.http.post("/shares", data={"account": BRAND.address, "asset": "1", "title": "Our campaign"})
    assert shared.status_code == 200, shared.text
    assert s.posts()[3]["license_ids"] == f"[{licence}]"
    refused = s.http.post("/shares", data={"account": CREATOR_2.address, "asset": "1"})
    assert refused.status_code == 400 and "holds no licence" in refused.text
    assert 'id="post-3"' in s.feed()
    increase_time(s.client.w3, 7200)
    s.index()
    s.deliver()
    third = s.posts()[3]
    assert third["hidden"] == f"licence #{licence} expired"
    assert 'id="post-3"' not in s.feed() and 'id="post-1"' in s.feed()


def test_the_webhook_endpoint_refuses_what_gen_ip_did_not_sign(stack: Stack) -> None:
    s = stack
    body = b'{"type":"copy.marked","data":{"asset_id":1,"original_id":2}}'
    headers = {
        "webhook-id": "msg_x",
        "webhook-timestamp": str(int(time.time())),
        "webhook-signature": "v1,AAAA",
    }
    answer = s.http.post("/webhooks/genip", content=body, headers=headers)
    assert answer.status_code == 400 and "no matching signature" in answer.json()["detail"]
    assert s.http.post("/webhooks/genip", content=body).status_code == 400
    at = datetime.now(UTC)
    unknown = b'{"type":"registration.updated","data":{"reference_id":"x"}}'
    for payload, status in ((b"[]", 400), (unknown, 200)):
        signed = {"webhook-id": f"msg_{status}", "webhook-timestamp": str(int(at.timestamp()))}
        signed["webhook-signature"] = Webhook(s.secret).sign(signed["webhook-id"], at, payload)
        assert s.http.post("/webhooks/genip", content=payload, headers=signed).status_code == status
    bad = s.post("not an address", "x", "", encode(picture("astronaut")), "a.png")
    assert bad.status_code == 400 and "not an Ethereum address" in bad.text
    assert s.post(CREATOR.address, "x", "a pdf", b"%PDF", "a.pdf").status_code == 400
    unprompted = s.post(CREATOR.address, "x", " \n", encode(picture("astronaut")), "a.png")
    assert unprompted.status_code == 400 and "give the prompt that made the work" in unprompted.text
    assert s.posts() == {}
