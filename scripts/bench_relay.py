"""Throughput of bulk platform registrations (`genip.relay`) against one-by-one registration, in one run.

Starts its own anvil, deploys, migrates a fresh SQLite database, adds a platform and has four creators
authorise it. Baseline: `BASELINE` works registered one by one with `actions.register_by_platform` (commit,
wait, register each). Relayed: `WORKS` works accepted in requests of 100 (`relay.accept`, what
`POST /platform/registrations` stores), each with its prompt sealed to a checker key as the API requires
when it has one (issue #18; sealed before the clock starts), and certified by the relayer in batches of 100
(`Relayer.run_once` until none is left). Prints works per second and gas per work for both, then one JSON
line.
"""

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

from genip_sdk.prompts import commit_prompt, seal_prompt

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from genip.chain.types import Work, WorkKind
from genip.checker.sealing import CheckerKey
from genip.checker.submissions import decode_sealed
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.platforms import add_platform
from genip.relay import MAX_ITEMS, RegistrationItem, Relayer, SealedPrompt, accept

BASELINE: Final = 20
WORKS: Final = 300


def _work(seed: str, commitment: bytes) -> Work:
    return Work(
        WorkKind.IMAGE,
        hashlib.sha256(b"content:" + seed.encode()).digest(),
        hashlib.sha256(b"pdq:" + seed.encode()).digest(),
        commitment,
        f"bafy{seed}",
    )


def _item(seed: str, creator: str, checker: CheckerKey) -> RegistrationItem:
    """A work committed to its prompt, the prompt sealed to `checker` (as `POST /platform/registrations` takes
    it: `seal_prompt`, then the API's `decode_sealed`)."""
    made = commit_prompt(f"a benchmark picture, {seed}", creator=creator)
    sealed = seal_prompt(made, checker.public_key.hex)
    prompt = SealedPrompt(decode_sealed(sealed["sealed"]), sealed["key_id"])
    return RegistrationItem(f"ref-{seed}", creator, _work(seed, made.commitment), prompt=prompt)


def main() -> int:
    deployer, platform_key, checker = dev_account(0), dev_account(5), CheckerKey.generate()
    creators = [dev_account(i) for i in (1, 2, 3, 4)]
    with Anvil() as node, tempfile.TemporaryDirectory() as tmp:
        w3 = connect(node.rpc_url)
        deployment = deploy(w3, deployer, rpc_url=node.rpc_url, fee_bps=250, fee_recipient=deployer.address)
        client = GenIPClient.open(deployment, w3=w3)
        for creator in creators:
            actions.authorize_platform(client, creator, platform_key.address)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'genip.db'}")
        upgrade(engine)
        platform = add_platform(engine, deployment.chain_id, "Bench", platform_key.address).platform

        started, gas = time.perf_counter(), []  # each commit's and each registration's gas
        for i in range(BASELINE):
            actions.register_by_platform(
                client,
                platform_key,
                creator=creators[i % 4].address,
                work=_work(f"one-{i}", commit_prompt(f"one {i}", creator=creators[i % 4].address).commitment),
                on_step=lambda _s, r: gas.append(int(r["gasUsed"])) if r is not None else None,
            )
        one_rate = BASELINE / (time.perf_counter() - started)
        one_gas = sum(gas) // BASELINE

        items = [_item(f"bulk-{i}", creators[i % 4].address, checker) for i in range(WORKS)]
        started = time.perf_counter()
        for chunk in range(0, WORKS, MAX_ITEMS):
            accept(engine, platform, items[chunk : chunk + MAX_ITEMS])
        accepted_s = time.perf_counter() - started
        relayer = Relayer(engine, client, platform_key, platform)
        first_block = int(w3.eth.block_number)
        registered = 0
        while registered < WORKS:
            done = relayer.run_once()
            registered += done.registered
            if done.failed or done.errors:
                print(f"failed {done.failed}: {done.errors}", file=sys.stderr)
                return 1
        bulk_s = time.perf_counter() - started
        bulk_gas = sum(
            int(w3.eth.get_transaction_receipt(tx)["gasUsed"])
            for n in range(first_block + 1, int(w3.eth.block_number) + 1)
            for tx in w3.eth.get_block(n)["transactions"]  # type: ignore[union-attr]
        )
    bulk_rate = WORKS / bulk_s
    print(f"one by one ({BASELINE} works):  {one_rate:8.1f} works/s  {one_gas:>9,} gas per work")
    print(
        f"relayed ({WORKS} works):      {bulk_rate:8.1f} works/s  {bulk_gas // WORKS:>9,} gas per work  "
        f"(accepting {WORKS}: {accepted_s * 1000:.0f} ms)"
    )
    print(f"speed-up {bulk_rate / one_rate:.1f}x, gas {one_gas / (bulk_gas / WORKS):.2f}x less per work")
    figures = {
        "one_by_one_works_per_s": round(one_rate, 1),
        "one_by_one_gas_per_work": one_gas,
        "relayed_works_per_s": round(bulk_rate, 1),
        "relayed_gas_per_work": bulk_gas // WORKS,
        "accept_ms_per_100": round(accepted_s * 1000 / (WORKS / MAX_ITEMS), 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
