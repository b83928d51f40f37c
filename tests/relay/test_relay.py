"""The relayer (`genip.relay`) against a real anvil, on both backends: one batch certifies the works of
creators who authorised the platform and reports the others' errors; signed works go through `registerFor`;
the indexer's assets move works to `indexed`; every state change is a `registration.updated` event for the
platform's own subscriptions only; a relayer killed after its commit or after its batch, then restarted,
registers each work exactly once."""

import time

import pytest
from sqlalchemy import select
from web3.logs import DISCARD

from genip.chain import actions
from genip.chain.signing import new_nonce, sign_register
from genip.db import models
from genip.platforms import add_platform
from genip.relay import (
    CreatorSignature,
    RegistrationItem,
    Relayer,
    RelayError,
    State,
    accept,
)
from tests.helpers import BRAND, CREATOR, GAME, PLATFORM, make_work
from tests.relay.conftest import Setup, index, subscribe, webhook_events


class Killed(Exception):
    """What the crash hook raises: the relayer dies right after a transaction was mined."""


def _rows(s: Setup) -> dict[str, models.PlatformRegistration]:
    r = models.PlatformRegistration
    with s.engine.connect() as c:
        return {row.reference_id: row for row in c.execute(select(r).order_by(r.id)).all()}


def _three(s: Setup) -> list[RegistrationItem]:
    """Two works of CREATOR (who authorised the platform) and one of BRAND (who did not)."""
    actions.authorize_platform(s.client, CREATOR, PLATFORM.address)
    return [
        RegistrationItem("post-1", CREATOR.address, make_work("relay-a")),
        RegistrationItem("post-2", BRAND.address, make_work("relay-b")),
        RegistrationItem("post-3", CREATOR.address, make_work("relay-c")),
    ]


def _commits(s: Setup) -> int:
    return len(s.client.registry.events.RegistrationCommitted().get_logs(from_block=0))


def test_one_batch_certifies_the_authorised_and_reports_the_rest(setup: Setup) -> None:
    s, platform = setup, setup.issued.platform
    own = subscribe(s, platform.id, ["registration.updated"])
    other_platform = add_platform(s.engine, platform.chain_id, "Other", GAME.address).platform
    others = subscribe(s, other_platform.id, ["registration.updated"])
    operator = subscribe(s, None, ["registration.updated", "work.registered"])

    accepted = accept(s.engine, platform, _three(s))
    assert [a.outcome for a in accepted] == ["created"] * 3
    assert {a.row.state for a in accepted if a.row} == {State.ACCEPTED}

    relayer = Relayer(s.engine, s.client, PLATFORM, platform)
    relayer.check()
    done = relayer.run_once()
    assert (done.committed, done.registered, done.failed, done.indexed) == (3, 2, 1, 0)
    rows = _rows(s)
    registry = s.client.registry.functions
    for ref in ("post-1", "post-3"):
        row = rows[ref]
        assert row.state == State.REGISTERED and row.error is None
        assert row.asset_id == registry.assetOf(bytes.fromhex(row.content_hash[2:])).call()
    assert rows["post-1"].register_tx == rows["post-3"].register_tx  # one batch transaction
    assert len({r.commit_tx for r in rows.values()}) == 1 and _commits(s) == 1  # one commit
    failed = rows["post-2"]
    assert failed.state == State.FAILED and failed.asset_id is None
    assert failed.error == f"{PLATFORM.address} holds no current authorisation from {BRAND.address}"

    # The indexer stores the assets; the next round sees them.
    assert relayer.run_once().indexed == 0
    index(s)
    assert relayer.run_once().indexed == 2
    assert {r: row.state for r, row in _rows(s).items()} == {
        "post-1": State.INDEXED,
        "post-2": State.FAILED,
        "post-3": State.INDEXED,
    }

    got = webhook_events(s, own)
    assert {t for t, _ in got} == {"registration.updated"}
    by_ref: dict[object, list[object]] = {}
    for _, data in got:
        by_ref.setdefault(data["reference_id"], []).append(data["state"])
    assert by_ref == {
        "post-1": ["accepted", "committed", "registered", "indexed"],
        "post-2": ["accepted", "committed", "failed"],
        "post-3": ["accepted", "committed", "registered", "indexed"],
    }
    last = [d for _, d in got if d["reference_id"] == "post-1"][-1]
    assert last["asset_id"] == rows["post-1"].asset_id and last["register_tx"] == rows["post-1"].register_tx
    assert webhook_events(s, others) == []
    assert {t for t, _ in webhook_events(s, operator)} <= {"work.registered"}  # nobody else's registrations

    # The same request again adds nothing; a reference naming another work is refused.
    again = accept(
        s.engine, platform, [*_three(s)[:1], RegistrationItem("post-2", CREATOR.address, make_work("x"))]
    )
    assert [a.outcome for a in again] == ["existing", "conflict"]
    assert again[0].row is not None and again[0].row.state == State.INDEXED


def test_a_signed_work_goes_through_register_for(setup: Setup) -> None:
    s, platform = setup, setup.issued.platform
    work, nonce, deadline = make_work("relay-signed"), new_nonce(), int(time.time()) + 3600
    address = s.client.deployment.registry
    signature = sign_register(
        BRAND,
        chain_id=s.client.deployment.chain_id,
        registry=address,
        work=work,
        nonce=nonce,
        deadline=deadline,
    )
    forged = sign_register(
        BRAND,
        chain_id=s.client.deployment.chain_id,
        registry=address,
        work=work,
        nonce=nonce + 1,
        deadline=deadline,
    )
    items = [
        RegistrationItem("signed", BRAND.address, work, CreatorSignature(nonce, deadline, signature)),
        RegistrationItem(
            "wrong", BRAND.address, make_work("relay-forged"), CreatorSignature(nonce + 1, deadline, forged)
        ),
    ]
    accept(s.engine, platform, items)
    done = Relayer(s.engine, s.client, PLATFORM, platform).run_once()
    assert (done.registered, done.failed) == (1, 1)
    rows = _rows(s)
    assert rows["signed"].state == State.REGISTERED
    assert s.client.registry.functions.assetOf(work.content_hash).call() == rows["signed"].asset_id
    assert rows["wrong"].state == State.FAILED and "registerFor failed" in (rows["wrong"].error or "")


@pytest.mark.parametrize("step", ["commit-sent", "batch-sent"])
def test_a_relayer_killed_mid_batch_registers_each_work_once(setup: Setup, step: str) -> None:
    s, platform = setup, setup.issued.platform
    accept(s.engine, platform, _three(s))

    def crash(at: str) -> None:
        if at == step:
            raise Killed(at)

    with pytest.raises(Killed):
        Relayer(s.engine, s.client, PLATFORM, platform, crash_hook=crash).run_once()
    before = {r: row.state for r, row in _rows(s).items()}
    assert set(before.values()) == {State.ACCEPTED if step == "commit-sent" else State.COMMITTED}
    minted_before = int(s.client.registry.functions.totalAssets().call())

    done = Relayer(s.engine, s.client, PLATFORM, platform).run_once()  # restarted
    rows = _rows(s)
    assert {r: row.state for r, row in rows.items()} == {
        "post-1": State.REGISTERED,
        "post-2": State.FAILED,
        "post-3": State.REGISTERED,
    }
    assert _commits(s) == 1  # the root the registry already knew was not committed again
    total = int(s.client.registry.functions.totalAssets().call())
    assert total == 2 and (minted_before == 0) == (step == "commit-sent")
    ids = [rows["post-1"].asset_id, rows["post-3"].asset_id]
    assert sorted(ids) == [1, 2]  # type: ignore[type-var]
    assert done.registered == 2
    if step == "batch-sent":  # settled from the chain's own log: the batch's transaction
        tx = rows["post-1"].register_tx
        assert tx is not None and tx == rows["post-3"].register_tx
        receipt = s.client.w3.eth.get_transaction_receipt(tx)  # type: ignore[arg-type]
        logs = s.client.registry.events.WorkRegistered().process_receipt(receipt, errors=DISCARD)
        assert sorted(int(lg["args"]["assetId"]) for lg in logs) == [1, 2]


def test_the_relayer_runs_only_with_the_platform_wallet(setup: Setup) -> None:
    with pytest.raises(RelayError, match="creators authorise that wallet"):
        Relayer(setup.engine, setup.client, CREATOR, setup.issued.platform).check()


def test_one_relayer_per_platform_on_postgres(setup: Setup) -> None:
    first = Relayer(setup.engine, setup.client, PLATFORM, setup.issued.platform)
    first.hold_lock()
    second = Relayer(setup.engine, setup.client, PLATFORM, setup.issued.platform)
    if setup.engine.dialect.name == "postgresql":
        with pytest.raises(RelayError, match="another relayer already runs"):
            second.hold_lock()
    else:
        second.hold_lock()  # SQLite: nothing to take (one process)
