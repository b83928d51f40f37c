"""scripts/bench_api.py keeps working: a tiny run (small data, short loads) prints the table and a JSON line
with every endpoint measured and no errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_api.py"


@pytest.mark.slow
def test_a_tiny_benchmark_run_measures_every_endpoint() -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--quick",
            "--assets",
            "2000",
            "--licenses",
            "20000",
            "--seconds",
            "0.5",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    for key in ("ceiling", "status", "batch", "search"):
        assert summary[key]["errors"] == 0, out.stdout
    for key in ("ceiling", "status", "search"):
        assert summary[key]["rps"] > 0, out.stdout
    assert "single licence status" in out.stdout
