"""Crash safety: SIGKILL the real `genip index` process at random points of a backfill, restart, repeat; the
database ends equal to the chain with no duplicate and no missing fact."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from genip.chain.deployment import write_deployment
from genip.db import models
from tests.indexer import story
from tests.indexer.checks import assert_matches_chain
from tests.indexer.conftest import Chain

GENIP = [sys.executable, "-m", "genip"]


def cursor(engine: Engine) -> int:
    with Session(engine) as s:
        return s.execute(select(func.max(models.Cursor.block_number))).scalar() or 0


def test_sigkill_during_backfill_then_restart_converges_to_the_chain(
    engine: Engine, db_url: str, chain: Chain, tmp_path: Path
) -> None:
    for i in range(4):
        story.play(chain.client, salt=f"-{i}")
    path = write_deployment(chain.deployment, tmp_path / "deployments")
    env = {
        **os.environ,
        "GENIP_DATA_DIR": str(tmp_path),
        "GENIP_DEPLOYMENT_FILE": str(path),
        "DATABASE_URL": db_url,
        "GENIP_INDEX_MAX_RANGE": "1",  # a batch per block, so kills land between and inside commits
    }
    rng = random.Random(20261121)
    kills, cursors = 0, [cursor(engine)]
    for _ in range(4):
        process = subprocess.Popen([*GENIP, "index", "--once"], env=env, stdout=subprocess.DEVNULL)
        # Let it index a random number of blocks, then kill it at a random moment of the next ones.
        goal = cursors[-1] + rng.randint(3, 25)
        deadline = time.monotonic() + 60
        while cursor(engine) < goal and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.05))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        cursors.append(cursor(engine))
    assert kills >= 3, "the indexer finished before it could be killed: make the backlog longer"
    assert cursors == sorted(cursors) and cursors[-1] > cursors[0], cursors  # progress kept across kills

    final = subprocess.run([*GENIP, "index", "--once"], env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert_matches_chain(engine, chain.client)
