"""`/webhooks` over the real app on both backends, with a real local receiver and the delivery worker: a
subscription made with a platform key receives signed events (Standard Webhooks, verified by the receiver);
the list, the delivery log and replays are the platform's own (another platform's ids are 404s); removal
stops deliveries; no key is a 401; bad input is a 422 with a sentence."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.settings import ApiSettings
from genip.platforms import add_platform, authenticate, remove_platform
from genip.webhooks.events import OutboxEvent, event_id, write_events
from tests.indexer.conftest import db_url, engine
from tests.webhooks.conftest import deliveries, run_worker
from tests.webhooks.receiver import Receiver, receiver

__all__ = ["db_url", "engine"]

CHAIN = 31337
BOB = "0x" + "b0" * 20


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


@pytest.fixture
def api(tmp_path: Path, db_url: str, engine: Engine) -> Iterator[TestClient]:
    (tmp_path / "page" / "static").mkdir(parents=True)
    settings = ApiSettings(
        data_dir=tmp_path,
        database_url=db_url,
        api_chain_id=CHAIN,
        api_web_dir=tmp_path / "page",
        api_webhook_private_urls=True,  # the receivers listen on this host
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "http://0.0.0.0:8000/",
    ],
)
def test_a_platform_cannot_point_webhooks_into_a_private_network(
    tmp_path: Path, db_url: str, engine: Engine, url: str
) -> None:
    settings = ApiSettings(data_dir=tmp_path, database_url=db_url, api_chain_id=CHAIN)  # the default: refused
    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/webhooks", json={"url": url, "event_types": ["copy.marked"]}, headers=_bearer(engine, "Nosy")
        )
    assert answer.status_code == 422 and "public addresses only" in answer.json()["detail"]
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM webhook_subscriptions")).scalar_one() == 0


def _bearer(engine: Engine, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {add_platform(engine, CHAIN, name, BOB).key}"}


def _event(n: int, asset: int = 7) -> OutboxEvent:
    return OutboxEvent(
        id=event_id("api", n),
        type="work.registered",
        data={"asset_id": asset},
        timestamp=1_700_000_000 + n,
        block_number=5 + n,
        assets=frozenset({asset}),
        accounts=frozenset({BOB}),
    )


def _index(engine: Engine, *events: OutboxEvent) -> int:
    """Writes events to the outbox as the indexer does."""
    with engine.begin() as c:
        return write_events(c, CHAIN, list(events))


def test_a_subscription_made_over_the_api_receives_signed_events(
    api: TestClient, engine: Engine, hooks: Receiver
) -> None:
    lexica, civitai = _bearer(engine, "Lexica"), _bearer(engine, "Civitai")
    made = api.post(
        "/webhooks",
        json={"url": hooks.url("/lexica"), "event_types": ["work.registered"], "assets": [7]},
        headers=lexica,
    )
    assert made.status_code == 201, made.text
    sub = made.json()
    assert sub["secret"].startswith("whsec_") and sub["assets"] == [7] and sub["accounts"] is None
    hooks.secrets["/lexica"] = sub["secret"]
    other = api.post(
        "/webhooks", json={"url": hooks.url("/civitai"), "event_types": ["copy.marked"]}, headers=civitai
    ).json()

    [listed] = api.get("/webhooks", headers=lexica).json()["subscriptions"]
    assert listed["id"] == sub["id"] and "secret" not in listed  # the secret is shown once
    assert [s["id"] for s in api.get("/webhooks", headers=civitai).json()["subscriptions"]] == [other["id"]]

    assert _index(engine, _event(1), _event(2, asset=8)) == 1  # asset 8 is filtered out
    run_worker(engine)
    [got] = hooks.wait_for(1)  # the receiver verified the webhook-signature with the secret
    assert (got.path, got.type, got.data, got.webhook_id) == ("/lexica", "work.registered", {"asset_id": 7},
                                                              _event(1).id)  # fmt: skip
    assert hooks.invalid == []

    log = api.get(f"/webhooks/{sub['id']}/deliveries", headers=lexica).json()["deliveries"]
    assert [(d["webhook_id"], d["state"], d["attempts"], d["last_status"]) for d in log] == [
        (_event(1).id, "delivered", 1, 200)
    ]
    delivery = log[0]["id"]
    # Another platform's subscription and delivery are not found, as if they did not exist.
    assert api.get(f"/webhooks/{sub['id']}/deliveries", headers=civitai).status_code == 404
    assert api.post(f"/webhooks/deliveries/{delivery}/replay", headers=civitai).status_code == 404
    assert api.delete(f"/webhooks/{sub['id']}", headers=civitai).status_code == 404

    replayed = api.post(f"/webhooks/deliveries/{delivery}/replay", headers=lexica)
    assert replayed.status_code == 202 and replayed.json() == {"replayed": delivery}
    again = api.post(f"/webhooks/deliveries/{delivery}/replay", headers=lexica)
    assert again.status_code == 409 and "still queued" in again.json()["detail"]
    run_worker(engine)
    assert [r.webhook_id for r in hooks.wait_for(2)] == [_event(1).id] * 2  # same webhook-id

    removed = api.delete(f"/webhooks/{sub['id']}", headers=lexica)
    assert removed.json() == {"removed": sub["id"], "cancelled_deliveries": 0}
    assert api.get("/webhooks", headers=lexica).json()["subscriptions"] == []
    assert len(api.get("/webhooks?removed=true", headers=lexica).json()["subscriptions"]) == 1
    assert _index(engine, _event(3)) == 0  # nobody wants it any more
    assert api.delete(f"/webhooks/{sub['id']}", headers=lexica).status_code == 404


def test_without_a_key_or_with_bad_input(api: TestClient, engine: Engine) -> None:
    routes = [("GET", "/webhooks"), ("POST", "/webhooks"), ("DELETE", "/webhooks/1"),
              ("GET", "/webhooks/1/deliveries"), ("POST", "/webhooks/deliveries/1/replay")]  # fmt: skip
    for method, path in routes:
        answer = api.request(method, path, json={"url": "https://x.org", "event_types": ["copy.marked"]})
        assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer"), path
    lexica = _bearer(engine, "Lexica")
    for body, message in (
        ({"url": "ftp://example.org/x", "event_types": ["work.registered"]}, "not an http(s) URL"),
        ({"url": "https://example.org/\x00", "event_types": ["work.registered"]}, "without spaces"),
        ({"url": "https://example.org/x", "event_types": ["work.sold"]}, "unknown event type 'work.sold'"),
    ):
        answer = api.post("/webhooks", json=body, headers=lexica)
        assert answer.status_code == 422 and message in answer.json()["detail"], answer.text
    no_events = {"url": "https://x.org", "event_types": []}
    assert api.post("/webhooks", json=no_events, headers=lexica).status_code == 422
    bad_account = {"url": "https://x.org", "event_types": ["copy.marked"], "accounts": ["0x12"]}
    assert api.post("/webhooks", json=bad_account, headers=lexica).status_code in (400, 422)
    assert api.get("/webhooks/99/deliveries", headers=lexica).status_code == 404
    assert api.post("/webhooks/deliveries/99/replay", headers=lexica).status_code == 404


def test_removing_a_platform_ends_its_subscriptions(api: TestClient, engine: Engine, hooks: Receiver) -> None:
    lexica = _bearer(engine, "Lexica")
    body = {"url": hooks.url("/lexica"), "event_types": ["work.registered"]}
    sub = api.post("/webhooks", json=body, headers=lexica).json()
    assert _index(engine, _event(1)) == 1  # queued, not yet sent
    remove_platform(engine, CHAIN, "Lexica")
    # Its key stops (in the API within the key cache's 10 s); its subscriptions at once.
    assert authenticate(engine, lexica["Authorization"].removeprefix("Bearer ")) is None
    assert api.get("/webhooks", headers=lexica).json()["subscriptions"] == []
    run_worker(engine)
    assert hooks.received == [] and _index(engine, _event(2)) == 0
    [(sub_id, _, state, _)] = deliveries(engine)
    assert (sub_id, state) == (sub["id"], "cancelled")
