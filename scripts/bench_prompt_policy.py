"""Benchmark of the prompt policy on the labelled prompts: precision and recall per category, names-only
baseline against names + semantic matching in the same run, the semantic model's size, load time and cost.

    .venv/bin/python scripts/bench_prompt_policy.py [--split test|tune|fresh|fresh2|fresh3|all]
        [--every N] [--sweep]

The labelled set (tests/checker/data/prompts.jsonl) has five categories: `name`, `misspelling` and
`paraphrase` prompts must be flagged *by their rule*; `negative` (the protected name only in the negative
prompt) and `clean` prompts (English and seven other languages, generic styles included) must pass. Each row
has a `split`: the descriptors and the threshold were tuned on `tune`; the figures to report are on `test`
(the default). Per positive category: recall = flagged by the expected rule / items; precision = flagged by
the expected rule / items flagged. For negative and clean prompts: the share flagged (false positives).
`--sweep` prints recall and false positives on the tune half for a range of thresholds. `--every N` keeps
every Nth row (a quick slice for the test suite). Prints tables, then one JSON line with every figure.
"""

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from genip.checker.policy import DATA, Outcome, Policy, default_policy
from genip.checker.semantic import SemanticModel

__all__ = ["evaluate", "load_rows"]

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "tests" / "checker" / "data" / "prompts.jsonl"
POSITIVE = ("name", "misspelling", "paraphrase")
CATEGORIES = (*POSITIVE, "negative", "clean")


def load_rows(path: Path = PROMPTS, split: str = "test", every: int = 1) -> list[dict[str, Any]]:
    """The labelled prompts of `split` ("all" for both halves), every `every`-th of each category."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if split == "all" or r["split"] == split]
    kept: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r in rows:
        n = seen.get(r["category"], 0)
        seen[r["category"]] = n + 1
        if n % every == 0:
            kept.append(r)
    return kept


def evaluate(policy: Policy, rows: Sequence[dict[str, Any]], *, semantic: bool) -> dict[str, dict[str, Any]]:
    """Per category: items, flagged, correct (flagged by the expected rule; for negative/clean: passed),
    recall, precision (positive categories) or flagged share (negative/clean), and the misses' ids."""
    out: dict[str, dict[str, Any]] = {}
    for category in CATEGORIES:
        items = [r for r in rows if r["category"] == category]
        if not items:
            continue
        flagged = correct = 0
        misses: list[str] = []
        for r in items:
            result = policy.check(r["prompt"], r["negative"], semantic=semantic)
            is_flagged = result.outcome != Outcome.PASS
            flagged += is_flagged
            if category in POSITIVE:
                ok = is_flagged and r["rule"] in {h.rule for h in result.hits}
            else:
                ok = not is_flagged
            correct += ok
            if not ok:
                misses.append(r["id"])
        row: dict[str, Any] = {"items": len(items), "flagged": flagged, "misses": misses}
        if category in POSITIVE:
            row["recall"] = correct / len(items)
            row["precision"] = correct / flagged if flagged else 1.0
        else:
            row["flagged_share"] = flagged / len(items)
        out[category] = row
    return out


def _timings(policy: Policy, rows: Sequence[dict[str, Any]], *, semantic: bool, rounds: int) -> list[float]:
    costs: list[float] = []
    for _ in range(rounds):
        for r in rows:
            start = time.perf_counter()
            policy.check(r["prompt"], r["negative"], semantic=semantic)
            costs.append((time.perf_counter() - start) * 1000)
    return costs


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _sweep(policy: Policy, console: Console) -> list[dict[str, Any]]:
    rows = load_rows(split="tune")
    table = Table(title="threshold sweep on the tune half", title_justify="left")
    for column in ("threshold", "paraphrase recall", "clean flagged", "negative flagged"):
        table.add_column(column, justify="right")
    model = policy.model
    kept = model.threshold
    found: list[dict[str, Any]] = []
    for threshold in (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0):
        model.threshold = threshold
        figures = evaluate(policy, rows, semantic=True)
        found.append(
            {
                "threshold": threshold,
                "paraphrase_recall": figures["paraphrase"]["recall"],
                "clean_flagged": figures["clean"]["flagged_share"],
            }
        )
        table.add_row(
            f"{threshold:.2f}",
            f"{figures['paraphrase']['recall']:.1%}",
            f"{figures['clean']['flagged_share']:.1%}",
            f"{figures['negative']['flagged_share']:.1%}",
        )
    model.threshold = kept
    console.print(table)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    splits = (*sorted({r["split"] for r in load_rows(split="all")}), "all")  # the splits the set holds
    parser.add_argument("--split", choices=splits, default="test")
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds over the rows")
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    console = Console(highlight=False, width=150)

    model_file = DATA / "semantic_model.json"
    loads = []
    for _ in range(5):
        start = time.perf_counter()
        SemanticModel.shipped()
        loads.append((time.perf_counter() - start) * 1000)
    policy = default_policy()
    rows = load_rows(split=args.split, every=args.every)
    baseline = evaluate(policy, rows, semantic=False)
    semantic = evaluate(policy, rows, semantic=True)
    cost = {
        "names_only": _timings(policy, rows, semantic=False, rounds=args.rounds),
        "names_semantic": _timings(policy, rows, semantic=True, rounds=args.rounds),
    }

    table = Table(
        title=f"prompt policy v{policy.version} on the {args.split} split ({len(rows)} prompts)",
        title_justify="left",
    )
    for column in ("category", "items", "names only", "names + semantic", "misses (semantic)"):
        table.add_column(column, justify="left" if column.startswith(("category", "misses")) else "right")

    def cell(row: dict[str, Any]) -> str:
        if "recall" in row:
            return f"R {row['recall']:.1%} · P {row['precision']:.1%}"
        return f"flagged {row['flagged_share']:.1%}"

    for category in semantic:
        table.add_row(
            category,
            str(semantic[category]["items"]),
            cell(baseline[category]),
            cell(semantic[category]),
            " ".join(semantic[category]["misses"][:6])
            + (" …" if len(semantic[category]["misses"]) > 6 else ""),
        )
    console.print(table)

    figures: dict[str, Any] = {
        "model_bytes": model_file.stat().st_size,
        "policy_bytes": (DATA / "policy.json").stat().st_size,
        "load_ms_median": statistics.median(loads),
        "threshold": policy.model.threshold,
    }
    for name, values in cost.items():
        figures[f"{name}_ms_p50"] = _percentile(values, 0.5)
        figures[f"{name}_ms_p95"] = _percentile(values, 0.95)
    perf = Table(title="semantic model and cost per prompt", title_justify="left", show_header=False)
    perf.add_column("what", style="bold")
    perf.add_column("value", justify="right")
    perf.add_row(
        "model file",
        f"{figures['model_bytes'] / 1024:.1f} kB (policy.json {figures['policy_bytes'] / 1024:.1f} kB)",
    )
    perf.add_row("model load (median of 5)", f"{figures['load_ms_median']:.2f} ms")
    perf.add_row("threshold (needs review)", f"{figures['threshold']:.2f}")
    for name in cost:
        perf.add_row(
            f"check, {name.replace('_', ' + ').replace('names + only', 'names only')}",
            f"p50 {figures[f'{name}_ms_p50']:.3f} ms · p95 {figures[f'{name}_ms_p95']:.3f} ms",
        )
    console.print(perf)
    sweep = _sweep(policy, console) if args.sweep else None

    def strip(result: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {
            c: {k: v for k, v in row.items() if k != "misses"} | {"misses": row["misses"]}
            for c, row in result.items()
        }

    print(
        json.dumps(
            {
                "split": args.split,
                "prompts": len(rows),
                "policy_version": policy.version,
                "baseline": strip(baseline),
                "semantic": strip(semantic),
                "sweep": sweep,
            }
            | figures,
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
