"""Benchmark of the text fingerprint (SimHash-64): the reference against the fast paths, same run, same texts.

    .venv/bin/python scripts/bench_fingerprint.py [--sizes 10,50] [--seed 1]

For each size (MB of UTF-8) a deterministic English-like text is generated (Zipf-distributed words, a few
in other scripts and with case folds that change length, sentences and line breaks) and fingerprinted by
`simhash64_reference` (the original pure-Python code: the baseline), the Python fallback and the compiled
path (`genip.content.simhash`). Each measurement runs in its own process, so the peak memory it reports
(`VmHWM` reset before the call, minus the resident size then) is its own. Every path must give the
reference's value, or the script fails. Prints a table, then one JSON line with every figure.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("reference", "python", "compiled")
_OTHERS = ("café", "naïve", "Straße", "İstanbul", "東京", "ﬁle", "Ωμέγα", "résumé", "Ünïcödé", "ß")


def make_text(megabytes: float, seed: int) -> str:
    """About `megabytes` MB (UTF-8) of English-like text, the same for the same seed."""
    rng = random.Random(seed)
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    vocab = [
        "".join(rng.choices(letters, weights=range(26, 0, -1), k=rng.randint(1, 11))) for _ in range(30_000)
    ]
    vocab[100:100] = _OTHERS
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    target = int(megabytes * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        words = rng.choices(vocab, weights, k=2_000)
        words[0] = words[0].capitalize()
        sentence = " ".join(words[:12]) + ", " + " ".join(words[12:]) + ".\n"
        parts.append(sentence)
        size += len(sentence.encode("utf-8"))
    return "".join(parts)


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure_one(path: str, text_file: Path) -> dict[str, Any]:
    """Fingerprint the text in `text_file` by `path` in this process: seconds, peak extra MiB, value."""
    from genip.content.simhash import COMPILED, simhash64, simhash64_reference

    if path == "compiled" and not COMPILED:
        return {"seconds": None, "peak_mib": None, "value": None}
    text = text_file.read_text(encoding="utf-8")
    with open("/proc/self/clear_refs", "w") as refs:  # reset VmHWM to the current resident size
        refs.write("5")
    before = _rss_kib("VmRSS")
    start = time.perf_counter()
    fingerprint = (
        simhash64_reference if path == "reference" else partial(simhash64, compiled=path == "compiled")
    )
    value = fingerprint(text)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": (_rss_kib("VmHWM") - before) / 1024, "value": value}


def run(sizes: list[float], seed: int) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-fp-") as tmp:
        for megabytes in sizes:
            text_file = Path(tmp) / f"{megabytes}.txt"
            text_file.write_text(make_text(megabytes, seed), encoding="utf-8")
            row: dict[str, Any] = {"megabytes": megabytes, "bytes": text_file.stat().st_size}
            for path in PATHS:
                out = subprocess.run(
                    [sys.executable, __file__, "--one", path, str(text_file)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                )
                row[path] = json.loads(out.stdout.strip().splitlines()[-1])
            reference = row["reference"]
            for path in PATHS[1:]:
                figures = row[path]
                if figures["value"] is not None and figures["value"] != reference["value"]:
                    raise SystemExit(
                        f"{path} gave {figures['value']:#x}, the reference {reference['value']:#x}"
                    )
                figures["speedup"] = (
                    None if figures["seconds"] is None else reference["seconds"] / figures["seconds"]
                )
            results.append(row)
    return {"benchmark": "text_fingerprint", "cpus": os.cpu_count(), "seed": seed, "results": results}


def _cell(figures: dict[str, Any]) -> str:
    if figures["seconds"] is None:
        return "not built"
    speedup = f" ({figures['speedup']:.1f}x)" if "speedup" in figures else ""
    return f"{figures['seconds']:.2f} s{speedup}, +{figures['peak_mib']:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10,50", help="text sizes in MB, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", nargs=2, metavar=("PATH", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one[0], Path(args.one[1]))))
        return
    report = run([float(s) for s in args.sizes.split(",")], args.seed)
    print(f"{'MB':>6}  " + "  ".join(f"{path:<28}" for path in PATHS))
    for row in report["results"]:
        print(f"{row['megabytes']:>6g}  " + "  ".join(f"{_cell(row[path]):<28}" for path in PATHS))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
