"""`genip webhooks …` in-process as the `genip` command runs it, on both backends: add (secret shown once),
list, deliveries and the attempt log, replay, remove, the worker until idle, and one-line errors."""

from pathlib import Path

import pytest
from sqlalchemy import Engine

from genip.chain.deployment import write_deployment
from genip.webhooks.events import OutboxEvent, event_id, write_events
from tests.cli.conftest import Genip
from tests.indexer.conftest import Chain
from tests.webhooks.receiver import Receiver

BOB = "0x" + "b0" * 20


@pytest.fixture
def genip(chain: Chain, tmp_path: Path, db_url: str, engine: Engine) -> Genip:
    path = write_deployment(chain.deployment, tmp_path / "deployments", current=False)
    return Genip(tmp_path / "data", path, env={"GENIP_DATABASE_URL": db_url})


def test_the_operator_commands(genip: Genip, engine: Engine, hooks: Receiver, chain: Chain) -> None:
    added = genip(
        "webhooks", "add", hooks.url("/cli"), "--events", "work.registered,license.purchased",
        "--asset", "7", "--account", BOB, "--json",
    ).json()  # fmt: skip
    assert added["secret"].startswith("whsec_")
    hooks.secrets["/cli"] = added["secret"]
    [listed] = genip("webhooks", "list", "--json").json()["subscriptions"]
    assert listed["events"] == ["work.registered", "license.purchased"]
    assert (listed["assets"], listed["accounts"]) == ([7], [BOB])
    assert "secret" not in listed and added["secret"] not in genip("webhooks", "list").ok().stdout

    event = OutboxEvent(
        id=event_id("cli", 1),
        type="work.registered",
        data={"asset_id": 7},
        timestamp=1_700_000_000,
        block_number=5,
        assets=frozenset({7}),
        accounts=frozenset({BOB.upper().replace("0X", "0x")}),  # account filters ignore case
    )
    with engine.begin() as c:
        assert write_events(c, chain.deployment.chain_id, [event]) == 1
    genip("webhooks", "run", "--until-idle", "--timeout", "2", "--lease", "5").ok()
    [delivery] = genip("webhooks", "deliveries", "--json").json()["deliveries"]
    assert (delivery["state"], delivery["webhook_id"], delivery["attempts"]) == ("delivered", event.id, 1)
    [attempt] = genip("webhooks", "deliveries", "--attempts", str(delivery["id"]), "--json").json()[
        "attempts"
    ]
    assert attempt["status"] == 200 and attempt["error"] is None

    genip("webhooks", "replay", str(delivery["id"])).ok()
    assert "still queued" in genip("webhooks", "replay", str(delivery["id"])).error()
    genip("webhooks", "run", "--until-idle", "--timeout", "2", "--lease", "5").ok()
    assert [r.webhook_id for r in hooks.wait_for(2)] == [event.id, event.id]

    removed = genip("webhooks", "remove", str(added["id"]), "--json").json()
    assert removed == {"removed": added["id"], "cancelled_deliveries": 0}
    assert genip("webhooks", "list", "--json").json()["subscriptions"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "ftp://example.org/x", "--events", "work.registered"], "not an http(s) URL"),
        (["add", "https://example.org/x", "--events", "work.sold"], "unknown event type 'work.sold'"),
        (["add", "https://example.org/x", "--events", "copy.marked", "--account", "0x12"], "not an account"),
        (["remove", "99"], "no active webhook subscription 99"),
        (["replay", "99"], "no webhook delivery 99"),
        (["deliveries", "--state", "lost"], "one of pending"),
        (["run", "--lease", "5", "--timeout", "10"], "lease must outlast"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(genip: Genip, args: list[str], message: str) -> None:
    assert message in genip("webhooks", *args).error()


def test_the_stop_signal_never_waits_on_a_lock_the_main_thread_holds() -> None:
    """The worker's SIGTERM handler runs in the main thread, which may be inside `stop.wait()` holding the
    event's lock at that moment (a CI run hung 20 s so): the handler returns at once and the event is still
    set. The held lock is the one fault this test causes by hand (`Event._cond`, held by the thread that
    then runs the handler, as the main thread would), since the real moment lasts nanoseconds."""
    import signal as signals
    import threading

    from cli.webhooks import stopper

    stop = threading.Event()
    lines: list[str] = []
    handle = stopper(stop, lines.append)
    returned = threading.Event()

    def main_thread_inside_wait() -> None:
        with stop._cond:  # type: ignore[attr-defined]  # what Event.wait holds around its wait
            handle(signals.SIGTERM, None)
            returned.set()

    threading.Thread(target=main_thread_inside_wait, daemon=True).start()
    assert returned.wait(5), "the handler waited on a lock its own thread holds"
    assert stop.wait(5)
    assert lines == ["SIGTERM: finishing the requests in flight"]
