"""CLI start-up benchmark: `genip --help`, `genip status …` and `genip index --once`, best of 5.

    python scripts/bench_cli.py [--runs 5] [--no-base] [--no-bytecode]

1. Starts anvil and deploys the contracts (as `genip chain up` does, in this process), registers one text
   work with `genip register`, migrates an SQLite database and indexes the chain into it (`genip db
   upgrade`, `genip index --once`), all in a temporary data directory.
2. Times each command as a fresh process, the way a user runs it, after one warm-up run: `genip --help`;
   `genip status ASSET --account CREATOR` (settings, the deployment file, the RPC's chain id and code checks,
   `licenseStatus`); `genip index --once` on the caught-up database (schema check, writer lock, head and
   finality checks, the metadata and media steps with nothing to do). Best and median of `--runs`.
3. Baselines from the same run: the interpreter (`python -c pass`), `python -c "import typer"` (the floor of
   any typer program) and, unless `--no-base`, the same three commands of the previous version (commit
   `BASE_COMMIT`, checked out by `git worktree` into the temporary directory and removed afterwards), run on
   the same venv with its own code and its own database.

Both versions run as `python -c "from <package>.main import main; main()" ARGS` (the previous version has no
`python -m` entry) from their own checkout. Bytecode: by default with caching on, written under a temporary
`PYTHONPYCACHEPREFIX` (neither the repository nor the venv is touched), which the warm-up run fills: the
steady state of an installed `genip`. `--no-bytecode` sets PYTHONDONTWRITEBYTECODE=1, so every start compiles
every module it imports (how this sandbox runs Python unless told otherwise).

Prints a table, then one line of JSON. Goals (issue 16): `--help` ≤ 0.3 s, `status` ≤ 1 s, `index --once`
on a caught-up database ≤ 1 s.

Measured on the 2-core development VM (bytecode cached), now / before in the same run: `--help` 0.21 s /
2.92 s (14.0x; `import typer` alone 0.07 s), `status` 0.37 s / 3.44 s (9.2x; `licenseStatus` over bare
JSON-RPC, `genip.chain.quick_reads`), `index --once` 1.03 s / 3.30 s (3.2x; 0.94 s without the previous
version alongside). What is left of `index --once` is SQLAlchemy's engine and ORM, httpx (the indexer's RPC
client) and the event decoder's eth-abi.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from genip.chain.accounts import dev_account  # noqa: E402
from genip.chain.up import local_chain  # noqa: E402
from genip.settings import Settings  # noqa: E402

#: The version before the CLI moved out of the core and started lazily (`genip.cli`).
BASE_COMMIT = "78c1605"
#: Goals of issue 16, seconds.
GOALS = {"help": 0.3, "status": 1.0, "index": 1.0}
#: Compiled extensions are build products, not in a checkout: the previous version gets this tree's.
EXTENSIONS = ("genip/matching/_popcount*.so", "indexer/_rawrows*.so")


@dataclass(frozen=True)
class Timed:
    """A command to time, with its environment and working directory."""

    command: list[str]
    env: dict[str, str]
    cwd: Path


@dataclass(frozen=True)
class Version:
    """One version of the CLI: where its code is, how to start it, its database."""

    root: Path
    package: str
    database: Path

    def command(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-c",
            f"import sys; from {self.package}.main import main; sys.exit(main())",
            *args,
        ]


def environment(data_dir: Path, bytecode: bool, pycache: Path) -> dict[str, str]:
    """This process's environment without GENIP_* settings, the data directory set, bytecode as asked."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_") and k != "DATABASE_URL"}
    env |= {"GENIP_DATA_DIR": str(data_dir), "COLUMNS": "100", "PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """Run `command` to completion: (wall seconds, stdout); a failure stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[3:] or command}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def register_work(version: Version, env: dict[str, str], folder: Path) -> tuple[int, str]:
    """Register one text work with `genip register`: (asset id, creator address)."""
    creator = dev_account(1)
    work = folder / "lighthouse.txt"
    work.write_text("A lighthouse at dusk, its beam folded over a sleeping harbour.\n")
    args = ("register", str(work), "--title", "Lighthouse", "--prompt", "a lighthouse at dusk", "--json")
    _, out = run(version.command(*args), env | {"GENIP_PRIVATE_KEY": creator.key.hex()}, version.root)
    return int(json.loads(out.strip().splitlines()[-1])["asset_id"]), creator.address


def commands(version: Version, env: dict[str, str], asset: int, holder: str) -> dict[str, Timed]:
    """The version's three timed commands, on its own database, which is migrated and indexed first."""
    env = env | {"GENIP_DATABASE_URL": f"sqlite:///{version.database}"}
    run(version.command("db", "upgrade"), env, version.root)
    run(version.command("index", "--once"), env, version.root)
    return {
        "help": Timed(version.command("--help"), env, version.root),
        "status": Timed(version.command("status", str(asset), "--account", holder), env, version.root),
        "index": Timed(version.command("index", "--once"), env, version.root),
    }


def time_all(entries: dict[str, Timed], runs: int) -> dict[str, dict[str, float]]:
    """One warm-up round, then `runs` rounds, each running every entry once (so a busy moment of the machine
    weighs on every entry alike): best and median seconds of each."""
    for entry in entries.values():
        run(entry.command, entry.env, entry.cwd)
    times: dict[str, list[float]] = {name: [] for name in entries}
    for _ in range(runs):
        for name, entry in entries.items():
            times[name].append(run(entry.command, entry.env, entry.cwd)[0])
    return {name: {"best": min(t), "median": statistics.median(t)} for name, t in times.items()}


def checkout_base(folder: Path) -> Version:
    """The previous version in a worktree under `folder`, with this tree's compiled extensions."""
    path = folder / "bench-base"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), BASE_COMMIT],
        check=True,
        capture_output=True,
    )
    for pattern in EXTENSIONS:
        for built in ROOT.glob(pattern):
            target = path / built.relative_to(ROOT)
            if target.parent.is_dir():
                shutil.copy2(built, target)
    return Version(path, "genip.cli", folder / "base.db")


def remove_base(version: Version) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(version.root)],
        check=False,
        capture_output=True,
    )


def report(result: dict[str, Any], console: Console) -> None:
    floor, now, before = result["floor"], result["now"], result.get("before")
    bytecode = "cached" if result["bytecode"] else "off"
    title = f"genip start-up: best of {result['runs']} runs (median), bytecode {bytecode}"
    table = Table(title=title, title_justify="left")
    for column in ("what", "now", "before", "speed-up", "goal", "met"):
        table.add_column(column, justify="left" if column == "what" else "right")
    table.add_row("python -c pass", f"{floor['python']['best']:.3f} s", "", "", "", "")
    table.add_row("python -c 'import typer'", f"{floor['typer']['best']:.3f} s", "", "", "", "")
    labels = {
        "help": "genip --help",
        "status": "genip status ASSET --account A",
        "index": "genip index --once",
    }
    for key, label in labels.items():
        mine = now[key]
        was = before[key] if before else None
        table.add_row(
            label,
            f"{mine['best']:.3f} s ({mine['median']:.3f})",
            f"{was['best']:.3f} s ({was['median']:.3f})" if was else "-",
            f"{was['best'] / mine['best']:.1f}x" if was else "-",
            f"≤ {GOALS[key]:g} s",
            "yes" if mine["best"] <= GOALS[key] else "no",
        )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="Timed runs per command (best is reported).")
    parser.add_argument("--no-base", action="store_true", help="Skip the previous version.")
    parser.add_argument("--no-bytecode", action="store_true", help="Run with PYTHONDONTWRITEBYTECODE=1.")
    options = parser.parse_args()
    console = Console(stderr=True, highlight=False)
    bytecode = not options.no_bytecode
    with tempfile.TemporaryDirectory(prefix="genip-bench-cli-") as tmp:
        folder = Path(tmp)
        data = folder / "data"
        env = environment(data, bytecode, folder / "pycache")
        now = Version(ROOT, "cli", folder / "now.db")
        console.print("starting anvil and deploying the contracts…")
        with local_chain(Settings(data_dir=data, rpc_url=None)):
            asset, holder = register_work(now, env, folder)
            entries = {
                "floor.python": Timed([sys.executable, "-c", "pass"], env, folder),
                "floor.typer": Timed([sys.executable, "-c", "import typer"], env, folder),
            }
            entries |= {f"now.{key}": entry for key, entry in commands(now, env, asset, holder).items()}
            base = None if options.no_base else checkout_base(folder)
            try:
                if base is not None:
                    entries |= {
                        f"before.{key}": entry for key, entry in commands(base, env, asset, holder).items()
                    }
                console.print(f"timing {len(entries)} commands, {options.runs} rounds after a warm-up…")
                times = time_all(entries, options.runs)
            finally:
                if base is not None:
                    remove_base(base)
    result: dict[str, Any] = {"runs": options.runs, "bytecode": bytecode}
    for name, seconds in times.items():
        group, key = name.split(".")
        result.setdefault(group, {})[key] = {k: round(v, 4) for k, v in seconds.items()}
    result["goals_met"] = {key: result["now"][key]["best"] <= goal for key, goal in GOALS.items()}
    if "before" in result:
        result["speed_up"] = {
            key: round(result["before"][key]["best"] / result["now"][key]["best"], 2) for key in GOALS
        }
    report(result, Console(highlight=False, width=120))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
