"""The webhook benchmark runs, and at a small size holds its goal (every event once, p99 lag ≤ 2 s)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_webhooks_runs_and_reports_json() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_")}
    done = subprocess.run(
        [sys.executable, "scripts/bench_webhooks.py", "--seconds", "2", "--rate", "50"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["events"] == result["received"] == 100
    assert (result["duplicates"], result["invalid"]) == (0, 0)
    assert result["lag_p99_s"] <= result["goal_p99_s"]
