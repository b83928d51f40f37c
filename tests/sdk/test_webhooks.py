"""The SDK verifies what Gen-IP's delivery worker signs: a real delivery (worker → HTTP → a receiver that
verifies with `genip_sdk.WebhookVerifier`), and the worker's `signed_headers` against tampering, a wrong
secret, a stale or future timestamp and secret rotation."""

import threading
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from genip_sdk import GenIP, WebhookVerificationError, WebhookVerifier, verify_webhook
from sqlalchemy import Engine

from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.webhooks.events import OutboxEvent, event_id, write_events
from genip.webhooks.subscriptions import add_subscription, new_secret
from genip.webhooks.worker import Worker, WorkerConfig, signed_headers
from tests.sdk.conftest import Served

CHAIN = 31337
BODY = b'{"data":{"asset_id":7},"type":"licence.expired"}'
FAST = WorkerConfig(  # the receivers listen on this host: platforms' webhooks may go to private addresses
    lease_seconds=5.0, timeout=2.0, backoff_base=0.2, poll_interval=0.05, status_interval=60,
    private_urls=True,
)  # fmt: skip


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'genip.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


class Platform:
    """A platform's webhook endpoint: verifies each request with the SDK, answers 400 when it fails."""

    def __init__(self) -> None:
        self.verifier: WebhookVerifier | None = None
        self.accepted: list[tuple[str, Any]] = []
        self.refused: list[str] = []

    def handle(self, headers: Mapping[str, str], body: bytes) -> int:
        assert self.verifier is not None
        try:
            payload = self.verifier.verify(body, headers)
        except WebhookVerificationError as exc:
            self.refused.append(str(exc))
            return 400
        self.accepted.append((headers["webhook-id"], payload))
        return 204


@pytest.fixture
def platform() -> Iterator[tuple[Platform, str]]:
    state = Platform()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(state.handle(dict(self.headers.items()), body))
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


def test_a_real_delivery_verifies_with_the_sdk(engine: Engine, platform: tuple[Platform, str]) -> None:
    state, url = platform
    _, secret = add_subscription(engine, chain_id=CHAIN, url=url, events=["work.registered"])
    state.verifier = WebhookVerifier(secret)
    event = OutboxEvent(
        id=event_id(CHAIN, "sdk", 1),
        type="work.registered",
        data={"asset_id": 1, "chain_id": CHAIN},
        timestamp=1_700_000_000,
        block_number=10,
        assets=frozenset({1}),
        accounts=frozenset({"0x" + "ab" * 20}),
    )
    with engine.begin() as connection:
        assert write_events(connection, CHAIN, [event]) == 1
    Worker(engine, FAST, name="sdk-test").run(threading.Event(), until_idle=True)
    assert state.refused == []
    [(webhook_id, payload)] = state.accepted
    assert webhook_id == event.id
    assert payload["type"] == "work.registered" and payload["data"]["asset_id"] == 1


def test_a_delivery_signed_with_another_secret_is_refused(
    engine: Engine, platform: tuple[Platform, str]
) -> None:
    state, url = platform
    add_subscription(engine, chain_id=CHAIN, url=url, events=["work.registered"])
    state.verifier = WebhookVerifier(new_secret())  # not the subscription's
    event = OutboxEvent(event_id(CHAIN, "sdk", 2), "work.registered", {"asset_id": 2}, 1, 10)
    with engine.begin() as connection:
        write_events(connection, CHAIN, [event])
    Worker(engine, replace(FAST, max_attempts=1), name="t").run(threading.Event(), until_idle=True)
    assert state.accepted == [] and state.refused == ["no matching signature"]


def test_signed_headers_verify_and_tampering_does_not() -> None:
    secret = new_secret()
    now = datetime.now(UTC)
    headers = signed_headers(secret, "evt_1", BODY, now)
    assert verify_webhook(BODY, headers, secret) == {"data": {"asset_id": 7}, "type": "licence.expired"}
    assert verify_webhook(BODY.decode(), {k.upper(): v for k, v in headers.items()}, secret)["type"]
    for body, changed in (
        (BODY.replace(b"7", b"8"), headers),
        (BODY, headers | {"webhook-id": "evt_2"}),
        (BODY, headers | {"webhook-timestamp": str(int(now.timestamp()) + 1)}),
    ):
        with pytest.raises(WebhookVerificationError, match="no matching signature"):
            verify_webhook(body, changed, secret)
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_webhook(BODY, headers, new_secret())


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused(missing: str) -> None:
    secret = new_secret()
    headers = signed_headers(secret, "evt_1", BODY, datetime.now(UTC))
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify_webhook(BODY, headers, secret)


def test_the_timestamp_must_be_within_the_tolerance() -> None:
    secret = new_secret()
    now = datetime.now(UTC)
    old = signed_headers(secret, "evt_1", BODY, now - timedelta(seconds=400))
    with pytest.raises(WebhookVerificationError, match="old"):
        verify_webhook(BODY, old, secret)
    assert verify_webhook(BODY, old, secret, tolerance=600)["type"] == "licence.expired"
    with pytest.raises(WebhookVerificationError, match="old"):  # a tighter window than the library's 5 min
        verify_webhook(
            BODY, signed_headers(secret, "e", BODY, now - timedelta(seconds=90)), secret, tolerance=60
        )
    future = signed_headers(secret, "evt_1", BODY, now + timedelta(seconds=400))
    with pytest.raises(WebhookVerificationError, match="future"):
        verify_webhook(BODY, future, secret)
    with pytest.raises(WebhookVerificationError, match="malformed"):
        verify_webhook(BODY, old | {"webhook-timestamp": "soon"}, secret)
    # a replay captured long ago is refused, even though its signature is right
    later = now + timedelta(hours=1)
    with pytest.raises(WebhookVerificationError, match="old"):
        verify_webhook(BODY, signed_headers(secret, "evt_1", BODY, now), secret, now=later)


def test_any_of_several_signatures_matches_during_a_secret_rotation() -> None:
    old_secret, new = new_secret(), new_secret()
    at = datetime.now(UTC)
    both = signed_headers(new, "evt_1", BODY, at)
    both["webhook-signature"] = (
        f"{signed_headers(old_secret, 'evt_1', BODY, at)['webhook-signature']} " + (both["webhook-signature"])
    )
    assert verify_webhook(BODY, both, old_secret) and verify_webhook(BODY, both, new)


def test_a_malformed_secret_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a webhook secret"):
        WebhookVerifier("")
    with pytest.raises(ValueError, match="tolerance"):
        WebhookVerifier(new_secret(), tolerance=-1)


def test_a_subscription_made_with_the_sdk_delivers_what_the_sdk_verifies(
    served: Served, platform: tuple[Platform, str]
) -> None:
    """Subscribe over the API (the platform's key), let the worker deliver an event, verify it with the
    secret the API answered once; the delivery log and a replay (same webhook-id) through the SDK too."""
    state, url = platform
    with GenIP(served.base_url, api_key=served.api_key) as genip:
        made = genip.create_webhook(url, ["work.registered"], assets=[served.astronaut])
        assert made["secret"].startswith("whsec_") and made["assets"] == [served.astronaut]
        listed = genip.list_webhooks()
        assert made["id"] in [s["id"] for s in listed] and all("secret" not in s for s in listed)
        state.verifier = WebhookVerifier(made["secret"])
        chain = served.world.deployment.chain_id
        event = OutboxEvent(
            event_id(chain, "sdk-api", served.astronaut),
            "work.registered",
            {"asset_id": served.astronaut, "chain_id": chain},
            1_700_000_000,
            None,
            frozenset({served.astronaut}),
        )
        engine = make_engine(served.db_url)
        try:
            with engine.begin() as connection:
                assert write_events(connection, chain, [event]) >= 1
            Worker(engine, FAST, name="sdk-api").run(threading.Event(), until_idle=True)
            [delivery] = genip.webhook_deliveries(made["id"])
            assert delivery["state"] == "delivered" and delivery["webhook_id"] == event.id
            genip.replay_delivery(delivery["id"])
            Worker(engine, FAST, name="sdk-api").run(threading.Event(), until_idle=True)
        finally:
            engine.dispose()
        assert state.refused == []
        assert [webhook_id for webhook_id, _ in state.accepted] == [event.id, event.id]
        assert state.accepted[0][1]["data"]["asset_id"] == served.astronaut
        genip.delete_webhook(made["id"])
        assert made["id"] not in [s["id"] for s in genip.list_webhooks() if s.get("removed_at") is None]
