"""Where a platform's webhooks may go, at subscription and again at delivery, on both backends with a real
receiver: the worker resolves the host itself when it connects and refuses private addresses (a name that
resolved publicly when subscribed may resolve to 127.0.0.1 by now: DNS rebinding) unless
`GENIP_API_WEBHOOK_PRIVATE_URLS` allows them; the refused attempt is in the delivery log and retried like a
failure. `genip webhooks add --platform NAME|ID` makes the platform's own subscription, under the same rule
as `POST /webhooks`."""

import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from genip.chain.deployment import write_deployment
from genip.platforms import add_platform, remove_platform
from genip.webhooks.events import OutboxEvent, event_id, write_events
from genip.webhooks.subscriptions import (
    PrivateDestinationError,
    add_subscription,
    attempts_of,
    list_deliveries,
    private_address,
    resolve,
)
from tests.cli.conftest import Genip
from tests.indexer.conftest import Chain
from tests.webhooks.conftest import FAST, run_worker
from tests.webhooks.receiver import Receiver

CHAIN = 31337
WALLET = "0x" + "a1" * 20
#: A refusing worker: one attempt per run (the retry is due a second later, after the run stopped idle).
STRICT = replace(FAST, private_urls=False, max_attempts=3, backoff_base=1.0)


def _loopback_names() -> list[str]:
    """`localhost`, and this machine's own name when it resolves to loopback (an ordinary name, judged only
    by what it resolves to)."""
    names = ["localhost"]
    try:
        own = socket.gethostname()
        if own and all(a.is_loopback for a in resolve(own)):
            names.append(own)
    except OSError:
        pass
    return names


def _event(n: int, platform: int) -> OutboxEvent:
    return OutboxEvent(
        id=event_id("private-urls", n),
        type="registration.updated",
        data={"id": n, "state": "accepted"},
        timestamp=1_700_000_000,
        block_number=None,
        platform=platform,
    )


@pytest.mark.parametrize("name", _loopback_names())
def test_the_worker_refuses_a_platform_url_that_resolves_to_loopback_unless_allowed(
    engine: Engine, hooks: Receiver, name: str
) -> None:
    platform = add_platform(engine, CHAIN, "Pixel", WALLET).platform
    url = f"http://{name}:{hooks.port}/rebound"
    # Made as if the name had resolved to a public address then (the subscribe-time rule is bypassed here).
    sub_id, secret = add_subscription(
        engine,
        chain_id=CHAIN,
        url=url,
        events=["registration.updated"],
        platform_id=platform.id,
        private_urls=True,
    )
    hooks.secrets["/rebound"] = secret
    with engine.begin() as c:
        write_events(c, CHAIN, [_event(1, platform.id)])

    worker = run_worker(engine, STRICT)
    [delivery] = list_deliveries(engine, CHAIN, subscription_id=sub_id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert delivery.last_error is not None and delivery.last_error.startswith("refused: ")
    assert "private address" in delivery.last_error or "this host" in delivery.last_error
    assert "GENIP_API_WEBHOOK_PRIVATE_URLS" in delivery.last_error
    [attempt] = attempts_of(engine, delivery.id)
    assert attempt.status is None and attempt.error == delivery.last_error
    assert worker.stats.retried == 1 and hooks.received == []  # nothing reached the receiver

    time.sleep(1.2)  # the retry is due (backoff 1 s ± 10 %)
    run_worker(engine, replace(STRICT, private_urls=True))  # GENIP_API_WEBHOOK_PRIVATE_URLS=true
    [got] = hooks.wait_for(1)
    assert got.webhook_id == _event(1, platform.id).id and hooks.invalid == []
    [delivery] = list_deliveries(engine, CHAIN, subscription_id=sub_id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)


def test_a_refused_delivery_fails_after_its_attempts_and_the_operators_own_go_anywhere(
    engine: Engine, hooks: Receiver
) -> None:
    platform = add_platform(engine, CHAIN, "Pixel", WALLET).platform
    theirs, _ = add_subscription(
        engine,
        chain_id=CHAIN,
        url=f"http://127.0.0.1:{hooks.port}/theirs",
        events=["registration.updated"],
        platform_id=platform.id,
        private_urls=True,
    )
    mine, secret = add_subscription(  # the operator's own: may point anywhere, also at delivery
        engine, chain_id=CHAIN, url=f"http://127.0.0.1:{hooks.port}/mine", events=["work.registered"]
    )
    hooks.secrets["/mine"] = secret
    with engine.begin() as c:
        write_events(c, CHAIN, [_event(2, platform.id)])
        write_events(
            c,
            CHAIN,
            [
                OutboxEvent(
                    id=event_id("private-urls", "op"),
                    type="work.registered",
                    data={"asset_id": 1},
                    timestamp=1_700_000_000,
                    block_number=1,
                )
            ],
        )
    once = replace(STRICT, max_attempts=1)
    run_worker(engine, once)
    [refused] = list_deliveries(engine, CHAIN, subscription_id=theirs)
    assert refused.state == "failed" and "127.0.0.1, a private address" in (refused.last_error or "")
    [sent] = list_deliveries(engine, CHAIN, subscription_id=mine)
    assert sent.state == "delivered"
    assert [r.path for r in hooks.wait_for(1)] == ["/mine"]


def test_the_one_rule() -> None:
    from ipaddress import ip_address

    public = [ip_address("93.184.216.34"), ip_address("2606:2800:220:1:248:1893:25c8:1946")]
    assert private_address("example.org", public) is None
    for address in ("127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "fd00::1", "0.0.0.0", "100.64.0.1"):
        assert private_address("h.example", [ip_address(address)]) is not None, address
    # multicast counts as global to `ipaddress` but is nobody's receiver; IPv4 inside IPv6 is judged as IPv4
    assert private_address("h.example", [ip_address("239.1.2.3")]) is not None
    assert private_address("h.example", [ip_address("::ffff:127.0.0.1")]) is not None
    # IPv6 addresses a gateway turns into private IPv4 ones, though `ipaddress` rates them global: NAT64 (the
    # well-known and the local-use prefix) to the cloud metadata address, 6to4, IPv4-compatible, -translated
    wrapping = ["64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::7f00:1", "::ffff:0:7f00:1"]
    for wrapped in [*wrapping, "64:ff9b:1:a9fe:a9fe::"]:
        assert private_address("h.example", [ip_address(wrapped)]) is not None, wrapped
    assert ip_address("64:ff9b::a9fe:a9fe").is_global  # the trap: `ipaddress` rates it public
    # ... and the same forms around a public IPv4 address are public
    for wrapped in ("64:ff9b::5db8:d822", "2002:5db8:d822::1"):
        assert private_address("h.example", [ip_address(wrapped)]) is None, wrapped
    assert private_address("h.example", [*public, ip_address("10.0.0.1")]) is not None  # every address counts
    assert private_address("api.localhost", public) == "api.localhost is this host"
    with pytest.raises(PrivateDestinationError, match=r"public addresses only: 10\.9\.8\.7"):
        add_subscription(
            None,  # type: ignore[arg-type]  # refused before the database is touched
            chain_id=CHAIN,
            url="http://10.9.8.7/x",
            events=["work.registered"],
            platform_id=1,
        )


@pytest.fixture
def genip(chain: Chain, tmp_path: Path, db_url: str, engine: Engine) -> Genip:
    path = write_deployment(chain.deployment, tmp_path / "deployments", current=False)
    return Genip(tmp_path / "data", path, env={"GENIP_DATABASE_URL": db_url})


def test_cli_add_for_a_platform(genip: Genip, engine: Engine, hooks: Receiver, chain: Chain) -> None:
    chain_id = chain.deployment.chain_id
    platform = add_platform(engine, chain_id, "Pixel Social", WALLET).platform
    url = hooks.url("/pixel")
    refused = genip("webhooks", "add", url, "--events", "registration.updated", "--platform", "Pixel Social")
    assert "webhooks are delivered to public addresses only: 127.0.0.1 is (or resolves to)" in refused.error()

    added = genip(
        "webhooks", "add", url, "--events", "registration.updated", "--platform", str(platform.id), "--json",
        GENIP_API_WEBHOOK_PRIVATE_URLS="true",
    ).json()  # fmt: skip
    assert added["platform"] == "Pixel Social" and added["secret"].startswith("whsec_")
    hooks.secrets["/pixel"] = added["secret"]
    [listed] = genip("webhooks", "list", "--json").json()["subscriptions"]
    assert (listed["id"], listed["platform"]) == (added["id"], platform.id)
    # The platform's own, as if made with its key: in its scoped list, and sent its platform-only events.
    [scoped] = list_subscriptions_of(engine, chain_id, platform.id)
    assert scoped == added["id"]
    with engine.begin() as c:
        write_events(c, chain_id, [_event(3, platform.id), _event(4, platform.id + 1)])  # 4: another's

    genip("webhooks", "run", "--until-idle", "--timeout", "2", "--lease", "5", "--backoff", "1").ok()
    [delivery] = genip("webhooks", "deliveries", "--json").json()["deliveries"]
    assert delivery["state"] == "pending" and delivery["last_error"].startswith("refused: 127.0.0.1")
    time.sleep(1.2)
    genip(
        "webhooks", "run", "--until-idle", "--timeout", "2", "--lease", "5",
        GENIP_API_WEBHOOK_PRIVATE_URLS="true",
    ).ok()  # fmt: skip
    assert [r.webhook_id for r in hooks.wait_for(1)] == [_event(3, platform.id).id]

    assert (
        "no platform named or numbered 'Nobody'"
        in genip("webhooks", "add", url, "--events", "registration.updated", "--platform", "Nobody").error()
    )
    remove_platform(engine, chain_id, "Pixel Social")
    assert (
        "platform 'Pixel Social' was removed"
        in genip(
            "webhooks", "add", url, "--events", "registration.updated", "--platform", "Pixel Social"
        ).error()
    )


def list_subscriptions_of(engine: Engine, chain_id: int, platform_id: int) -> list[int]:
    from genip.webhooks.subscriptions import list_subscriptions

    return [s.id for s in list_subscriptions(engine, chain_id, platform_id=platform_id)]
