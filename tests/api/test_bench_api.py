"""scripts/bench_api.py keeps working: a tiny run (small data, short loads) prints the table and a JSON line
with each kind of row measured (the batch row included: a batch slower than the window once showed 0 req/s;
the search rows with and without the facet table), no errors, and the load rows with the load generator's own
ceiling beside them.

The run keeps one row of each kind (`--only`): every server (the raw and the bare constants, the app), every
set of requests and every server setting the script has; the other rows differ from these only in their
numbers. All 21 rows took 4 minutes here and over 5 on a slower CI machine, each row starting its own server.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_api.py"
#: One row of each kind: the constants (bare, raw), status with and without the answer cache, the batch, the
#: cached search, an unseen search with and without the facet table (the filters, the last kind of requests),
#: the load rows (generator ceiling, the app) and the whole catalogue.
ROWS = ("ceiling", "status", "status_uncached", "batch", "search", "search_uncached", "search_all_uncached",
        "unseen_filters", "unseen_filters_base", "generator_many", "status_many")  # fmt: skip


@pytest.mark.slow
def test_a_tiny_benchmark_run_measures_every_row() -> None:
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
            "--warmup",
            "0.5",
            "--many-clients",
            "200",
            "--only",
            ",".join(ROWS),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(summary) >= set(ROWS)
    for key in ROWS:
        assert summary[key]["errors"] == 0, out.stdout
        assert summary[key]["rps"] > 0, out.stdout
    assert summary["status_many"]["clients"] == 200 and summary["batch"]["clients"] == 1
    assert summary["status_many"]["all_answered_ms"] > 0
    assert summary["batch"]["p50_ms"] > 0
    assert 0 < summary["status_many_share_of_generator"] < 1.5
    assert isinstance(summary["many_goal_met"], bool) and summary["many_workers"] == 1
    assert isinstance(summary["search_goal_met"], bool) and summary["search_p50_ratio"] > 0
    # Queries no cache has seen, each beside its same-run baseline without the facet table.
    assert isinstance(summary["search_unseen_goal_met"], bool) and summary["unseen_filters_p50_ratio"] > 0
    assert summary["unseen_filters"]["clients"] == 1 and "unseen: filters, no text" in out.stdout
    assert "single licence status" in out.stdout and "load generator ceiling" in out.stdout
