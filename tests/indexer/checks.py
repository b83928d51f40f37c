"""Comparisons of the indexed database with the chain itself (the chain's own views are the truth)."""

import random
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from genip.chain.client import GenIPClient
from genip.db import models
from indexer.overlay import MODELS

STANDING = {0: "clear", 1: "disputed", 2: "upheld", 3: "tainted"}
DISPUTE = {1: "open", 2: "cleared", 3: "upheld"}
CHECK = {0: "unchecked", 1: "passed", 2: "failed"}


def cursor(engine: Engine) -> int:
    """The indexed block (0 before the first batch)."""
    with engine.connect() as c:
        return c.execute(select(func.max(models.Cursor.block_number))).scalar() or 0


def kill_at_random_points(
    command: list[str],
    env: Mapping[str, str],
    engine: Engine,
    *,
    blocks: tuple[int, int],
    after_kill: Callable[[], None] = lambda: None,
) -> None:
    """Runs `command` (an indexer) four times, each time letting it index a random number of blocks (within
    `blocks`) and killing it with SIGKILL at a random moment of the next ones; `after_kill` runs after each
    kill. Asserts it was killed at least three times and never lost progress."""
    rng = random.Random(20261121)
    kills, cursors = 0, [cursor(engine)]
    for _ in range(4):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        goal = cursors[-1] + rng.randint(*blocks)
        deadline = time.monotonic() + 60
        while cursor(engine) < goal and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.05))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        after_kill()
        cursors.append(cursor(engine))
    assert kills >= 3, "the indexer finished before it could be killed: make the backlog longer"
    assert cursors == sorted(cursors) and cursors[-1] > cursors[0], cursors  # progress kept across kills


def chain_log_keys(client: GenIPClient, from_block: int) -> set[tuple[str, int]]:
    d = client.deployment
    logs = client.w3.eth.get_logs(
        {
            "address": [d.registry, d.hub, d.license_token, d.court],
            "fromBlock": from_block,
            "toBlock": "latest",
        }
    )
    return {("0x" + bytes(log["blockHash"]).hex(), int(log["logIndex"])) for log in logs}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every derived and raw table, sorted: equal snapshots mean equal databases."""
    out = {}
    with engine.connect() as c:
        for name, model in [*MODELS.items(), ("raw_events", models.RawEvent)]:
            rows = c.execute(select(model.__table__)).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def assert_matches_chain(engine: Engine, client: GenIPClient) -> None:
    """The database mirrors the chain: same logs, and derived rows equal the contracts' own views."""
    chain_id = client.deployment.chain_id
    registry, hub, lic, court = client.registry, client.hub, client.license_token, client.court
    with Session(engine) as c:
        stored = {
            (r.block_hash, r.log_index)
            for r in c.execute(select(models.RawEvent.block_hash, models.RawEvent.log_index))
        }
        assert stored == chain_log_keys(client, client.deployment.deploy_block), (
            "raw events differ from the chain"
        )
        cursor = c.execute(select(models.Cursor.block_number)).scalar_one()
        assert cursor == client.w3.eth.block_number

        assets = {a.asset_id: a for a in c.execute(select(models.Asset)).scalars()}
        total = registry.functions.totalAssets().call()
        assert sorted(assets) == list(range(1, total + 1))
        for asset_id, asset in assets.items():
            assert asset.owner == registry.functions.ownerOf(asset_id).call()
            assert asset.royalty_stack_bps == hub.functions.royaltyStack(asset_id).call()
            standing, dispute_id = hub.functions.standingOf(asset_id).call()
            assert (asset.standing, asset.standing_dispute_id) == (STANDING[standing], dispute_id)
            assert asset.expires_at == hub.functions.expiryOf(asset_id).call()
            assert asset.prompt_check == CHECK[registry.functions.promptCheck(asset_id).call()]
            ids, shares = hub.functions.ancestry(asset_id).call()
            rows = c.execute(
                select(models.Ancestor.ancestor_id, models.Ancestor.share_bps).where(
                    models.Ancestor.chain_id == chain_id, models.Ancestor.asset_id == asset_id
                )
            ).all()
            assert sorted(rows) == sorted(zip(ids, shares, strict=True))

        offers = {o.offer_id: o for o in c.execute(select(models.Offer)).scalars()}
        assert sorted(offers) == list(range(1, hub.functions.totalOffers().call() + 1))
        for offer_id, offer in offers.items():
            # (seller, assetId, duration, currency, price, termsId, supplyCap, sold, paused)
            on_chain = hub.functions.offer(offer_id).call()
            assert (offer.creator, offer.asset_id, offer.sold, offer.paused, offer.price) == (
                on_chain[0],
                on_chain[1],
                on_chain[7],
                on_chain[8],
                on_chain[4],
            )

        licenses = {lc.license_id: lc for lc in c.execute(select(models.License)).scalars()}
        assert sorted(licenses) == list(range(1, lic.functions.totalLicenses().call() + 1))
        for license_id, row in licenses.items():
            if row.renounced:  # burned: the token no longer exists
                assert lic.functions.balanceOf(row.holder).call() == sum(
                    1 for other in licenses.values() if other.holder == row.holder and not other.renounced
                )
                continue
            assert row.holder == lic.functions.ownerOf(license_id).call()
            record = lic.functions.licenseOf(license_id).call()
            assert (row.asset_id, row.expires_at, row.used_for_derivative is not None) == (
                record[0],
                record[2],
                record[7],
            )

        balances = c.execute(select(models.Balance)).scalars().all()
        for b in balances:
            assert b.balance == hub.functions.balanceOf(b.account, b.currency).call(), (b.account, b.currency)
            assert b.credited - b.withdrawn == b.balance
        for h in c.execute(select(models.Held)).scalars():
            assert h.amount == hub.functions.heldOf(h.asset_id, h.dispute_id, h.currency).call()

        disputes = {d.dispute_id: d for d in c.execute(select(models.Dispute)).scalars()}
        assert sorted(disputes) == list(range(1, court.functions.totalDisputes().call() + 1))
        for dispute_id, d in disputes.items():
            # (assetId, claimantAssetId, answerDeadline, finalAt, status, answered, settled, claimant,
            #  bondCurrency, bond, evidenceHash)
            on_chain = court.functions.dispute(dispute_id).call()
            assert (
                d.asset_id,
                d.claimant_asset_id,
                d.answer_deadline,
                d.final_at or 0,
                d.status,
                d.answered,
                d.claimant,
                d.bond_currency,
                d.bond,
                d.evidence_hash,
            ) == (
                *on_chain[:4],
                DISPUTE[on_chain[4]],
                on_chain[5],
                *on_chain[7:10],
                "0x" + on_chain[10].hex(),
            )
            if d.bond:
                assert (d.bond_awarded_to is not None) == on_chain[6]
        for b in c.execute(select(models.BondBalance)).scalars():
            assert b.balance == court.functions.balanceOf(b.account, b.currency).call()
            assert b.credited - b.withdrawn == b.balance
        for auth in c.execute(select(models.PlatformAuthorization)).scalars():
            assert (auth.expires_at, auth.max_works) != (0, 0)
