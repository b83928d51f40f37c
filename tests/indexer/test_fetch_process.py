"""The backfill's fetch process (Postgres): it yields exactly the rows of the in-process path, survives
SIGKILL of the indexer at random moments (and dies with it), and hands RPC errors to the indexer: transient
ones are recorded and retried, others stop the indexer."""

import gc
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from web3.types import RPCEndpoint

from genip.chain.deployment import read_deployment, write_deployment
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from indexer import fetcher
from indexer.config import IndexerConfig
from indexer.events import contract_events, decode_for_copy
from indexer.rawcopy import raw_copy_data
from indexer.rpc import RpcError
from indexer.runner import Indexer
from tests.indexer import story
from tests.indexer.checks import assert_matches_chain, kill_at_random_points, snapshot
from tests.indexer.conftest import Chain, postgres_database
from tests.indexer.faulty_rpc import FaultyRpc

#: Everything is history (backfilled), in ranges of at most two blocks joined into small batches.
BACKFILL = {"use_finalized_tag": False, "reorg_window": 0, "max_range": 2, "batch_events": 8}


@pytest.fixture
def pg() -> Iterator[Engine]:
    for url in postgres_database():
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def pg_other() -> Iterator[Engine]:
    for url in postgres_database():
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def _spy_processes(monkeypatch: pytest.MonkeyPatch) -> list[fetcher.FetchSpec]:
    started: list[fetcher.FetchSpec] = []
    original = fetcher.FetchProcess.__init__

    def init(self: fetcher.FetchProcess, spec: fetcher.FetchSpec) -> None:
        started.append(spec)
        original(self, spec)

    monkeypatch.setattr(fetcher.FetchProcess, "__init__", init)
    return started


def test_the_fetch_process_path_stores_what_the_thread_path_stores(
    pg: Engine, pg_other: Engine, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(2):
        story.play(chain.client, salt=f"-{i}")
    started = _spy_processes(monkeypatch)
    config = IndexerConfig.from_deployment(chain.deployment, **BACKFILL)  # type: ignore[arg-type]
    switch_interval, frozen = sys.getswitchinterval(), gc.get_freeze_count()
    Indexer(pg, config).run(once=True)
    assert started, "the backfill did not go through the fetch process"
    # The backfill's garbage-collection pacing is undone afterwards.
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert sys.getswitchinterval() == switch_interval
    assert_matches_chain(pg, chain.client)

    started.clear()
    threads = IndexerConfig.from_deployment(chain.deployment, fetch_process=False, **BACKFILL)  # type: ignore[arg-type]
    Indexer(pg_other, threads).run(once=True)
    assert not started
    assert snapshot(pg) == snapshot(pg_other)


def test_the_fetch_process_decoding_equals_the_indexer_decoding(chain: Chain) -> None:
    """Its one-pass decode-and-format gives the same decoded logs (without topics and data) and the same
    raw_events COPY rows as `ContractEvents.decode_many` and `raw_copy_data`."""
    story.play(chain.client)
    d = chain.deployment
    events = contract_events(d.registry, d.hub, d.license_token, d.court)
    flt = {"address": [d.registry, d.hub, d.license_token, d.court], "fromBlock": "0x0", "toBlock": "latest"}
    logs = chain.client.w3.provider.make_request(RPCEndpoint("eth_getLogs"), [flt])["result"]
    assert len(logs) > 50
    rows, data = decode_for_copy(events, d.chain_id, logs)
    decoded = events.decode_many(logs)
    assert data == raw_copy_data(d.chain_id, decoded)
    assert [(*r[:6], *r[8:]) for r in rows] == [(*x[:6], *x[8:]) for x in decoded]
    assert all(r[6] == [] and r[7] == "" for r in rows)


def test_transient_errors_in_the_fetch_process_are_recorded_and_retried(pg: Engine, chain: Chain) -> None:
    story.play(chain.client)
    with FaultyRpc(chain.anvil.rpc_url, max_log_range=2, fault_every=3, stall_seconds=1.0) as proxy:
        config = IndexerConfig.from_deployment(
            chain.deployment,
            rpc_urls=(proxy.url,),
            rpc_timeout=0.5,
            **{**BACKFILL, "max_range": 8},  # type: ignore[arg-type]
        )
        indexer = Indexer(pg, config)
        indexer.run(once=True)
    assert proxy.faults["too_many"] > 0 and proxy.faults["429"] > 0, proxy.faults
    assert indexer.stats.last_error is not None
    with pg.connect() as c:
        assert c.execute(select(models.Cursor.last_error)).scalar_one() is not None
    assert_matches_chain(pg, chain.client)


class _BrokenLogs(FaultyRpc):
    """A provider whose eth_getLogs answers with an error no retry will fix."""

    def handle(self, body: bytes) -> tuple[int, bytes]:
        request = json.loads(body)
        if isinstance(request, dict) and request.get("method") == "eth_getLogs":
            error = {
                "jsonrpc": "2.0",
                "id": request["id"],
                "error": {"code": -32602, "message": "bad filter"},
            }
            return 200, json.dumps(error).encode()
        return super().handle(body)


def test_a_fatal_rpc_error_in_the_fetch_process_stops_the_indexer(pg: Engine, chain: Chain) -> None:
    story.play(chain.client)
    with _BrokenLogs(chain.anvil.rpc_url, fault_every=10**9) as proxy:
        config = IndexerConfig.from_deployment(
            chain.deployment,
            rpc_urls=(proxy.url,),
            **BACKFILL,  # type: ignore[arg-type]
        )
        with pytest.raises(RpcError, match="bad filter"):
            Indexer(pg, config).run(once=True)
    with pg.connect() as c:  # nothing but the starting cursor was written
        assert c.execute(select(func.count()).select_from(models.RawEvent)).scalar_one() == 0


# A child indexer run by the SIGKILL test: `python this_file <db url> <deployment file> <marker>`.
def _child_main(db_url: str, deployment_file: str) -> None:
    config = IndexerConfig.from_deployment(
        read_deployment(Path(deployment_file)),
        **{**BACKFILL, "max_range": 1, "batch_events": 1},  # type: ignore[arg-type]
    )
    Indexer(make_engine(db_url), config).run(once=True)


def _processes_with(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                pids.append(int(entry.name))
    return pids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find the fetch process")
def test_sigkill_during_a_fetch_process_backfill_converges_and_leaves_no_process(
    pg: Engine, chain: Chain, tmp_path: Path
) -> None:
    for i in range(4):
        story.play(chain.client, salt=f"-{i}")
    deployment_file = write_deployment(chain.deployment, tmp_path / "deployments")
    marker = f"genip-fetch-test-{os.getpid()}-{random.randrange(10**9)}"
    url = pg.url.render_as_string(hide_password=False)
    args = [sys.executable, __file__, url, str(deployment_file), marker]
    env: dict[str, Any] = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}

    def no_fetch_process_left() -> None:
        deadline = time.monotonic() + 5
        while _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _processes_with(marker), "the fetch process outlived the indexer"

    kill_at_random_points(args, env, pg, blocks=(2, 12), after_kill=no_fetch_process_left)

    final = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert_matches_chain(pg, chain.client)


if __name__ == "__main__":
    _child_main(sys.argv[1], sys.argv[2])
