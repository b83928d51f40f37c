"""The matching benchmarks run in quick mode and end with one JSON line holding their figures."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_latency_benchmark_quick_is_exact() -> None:
    result = _run("bench_match_latency.py", "--quick", "--queries", "4")
    rows = result["results"]
    assert isinstance(rows, list) and {r["name"] for r in rows} >= {"faiss flat plain", "numpy brute force"}
    assert any(r["name"].startswith("faiss prefix") for r in rows)
    assert all(r["exact"] and r["new_found"] for r in rows)
    assert rows[0]["name"] == "numpy brute force" and rows[0]["speedup_vs_numpy"] == 1.0


@pytest.mark.slow
def test_robustness_benchmark_quick_reports_both_hashes_and_the_engine() -> None:
    result = _run("bench_match_robustness.py", "--quick")
    pdq, phash = result["pdq"], result["phash"]
    assert isinstance(pdq, dict) and isinstance(phash, dict)
    assert pdq["recall"]["jpeg q75"] >= 0.95 and pdq["recall"]["rotate 90"] == 1.0
    assert pdq["fpr"] <= 1e-3
    engine = result["engine"]
    assert isinstance(engine, dict)
    # The engine's rule adds the media pHash and the keypoint crop stage to PDQ: never worse than PDQ alone,
    # and crops, which defeat both hashes, are found.
    assert all(engine["recall"][t] >= pdq["recall"][t] for t in pdq["recall"])
    assert engine["recall"]["crop 10%"] >= 0.8 > pdq["recall"]["crop 10%"]
    assert engine["fpr"] <= 1e-3


def test_robustness_benchmark_runs_the_verdict_section_alone() -> None:
    """`--verdicts-only` skips the recall and false-positive sections: the JSON holds the thresholds and the
    verdicts, every matched upload judged."""
    result = _run("bench_match_robustness.py", "--quick", "--verdicts-only", "--verdict-works", "4")
    assert "pdq" not in result and "engine" not in result and result["threshold"] == 48
    verdicts = result["verdicts"]
    assert isinstance(verdicts, dict) and verdicts["works"] == 4
    assert verdicts["uploads"] == 16 and verdicts["cases"] + verdicts["no_match"] == 16
    assert verdicts["new_correct"] == 1.0 and verdicts["wrong"] == []
    assert isinstance(verdicts["copies_not_recorded"], list)
