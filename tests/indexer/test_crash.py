"""Crash safety: SIGKILL the real `genip index` process at random points of a backfill, restart, repeat; the
database ends equal to the chain with no duplicate and no missing fact."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from genip.chain.deployment import write_deployment
from tests.indexer import story
from tests.indexer.checks import assert_matches_chain, kill_at_random_points
from tests.indexer.conftest import Chain

GENIP = [sys.executable, "-m", "cli"]


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
    kill_at_random_points([*GENIP, "index", "--once"], env, engine, blocks=(3, 25))

    final = subprocess.run([*GENIP, "index", "--once"], env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert_matches_chain(engine, chain.client)
