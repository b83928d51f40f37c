"""`genip` starts at once: loading the command line and building its help imports none of the heavy libraries
(each command imports what it needs when it runs). Not timed here: `scripts/bench_cli.py` measures, and a
tiny run of it checks that it keeps working."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from web3.exceptions import TimeExhausted

from cli.main import error_message
from cli.prompt import PARTS_HELP
from genip.prompts import PART_NAMES
from tests.cli.conftest import run_genip

BENCHMARK = Path(__file__).resolve().parents[2] / "scripts" / "bench_cli.py"

#: What `genip --help` lists.
COMMANDS = (
    "deploy", "index", "register", "derive", "show", "status", "pay", "balance", "withdraw", "serve", "match",
    "demo", "chain", "db", "account", "prompt", "offer", "license", "dispute", "platform", "checker",
)  # fmt: skip

#: Packages the command line must not load before a command runs.
HEAVY = (
    "web3", "eth_account", "sqlalchemy", "alembic", "fastapi", "uvicorn", "api", "indexer", "numpy", "PIL",
)  # fmt: skip
#: Nor `genip --help` (the settings, hence pydantic, are built only when a command is given).
HEAVY_FOR_HELP = (*HEAVY, "pydantic", "eth_utils", "eth_hash", "httpx")

#: Loads the command line, renders `genip --help`, then the help of every command and group; prints the heavy
#: packages loaded after each stage.
HELP_OF_EVERYTHING = f"""
import json, sys
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner
from cli.main import app

def loaded(names):
    return sorted({{name.split(".")[0] for name in sys.modules}} & set(names))

root = CliRunner().invoke(app, ["--help"]).exit_code
after_root = loaded({HEAVY_FOR_HELP!r})
paths, groups = [[]], [([], typer.main.get_command(app))]
while groups:
    prefix, group = groups.pop()
    for name, command in group.commands.items():
        paths.append([*prefix, name])
        if isinstance(command, TyperGroup):
            groups.append(([*prefix, name], command))
codes = [CliRunner().invoke(app, [*path, "--help"]).exit_code for path in paths]
print(json.dumps({{"root": [root, after_root], "paths": len(paths), "codes": sorted(set(codes)),
                  "loaded": loaded({HEAVY!r})}}))
"""


def test_the_help_of_every_command_loads_no_heavy_package(genip_env: dict[str, str], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP_OF_EVERYTHING],
        env=genip_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["root"] == [0, []], f"`genip --help` loaded {result['root'][1]}"
    assert result["loaded"] == [], f"loaded while building the help: {result['loaded']}"
    assert result["codes"] == [0] and result["paths"] > len(COMMANDS), result


def test_genip_help_lists_every_command(genip_env: dict[str, str], tmp_path: Path) -> None:
    done = run_genip(["--help"], genip_env | {"COLUMNS": "120"}, tmp_path)
    assert done.returncode == 0, done.stderr
    listed = re.findall(r"^│ ([a-z-]+) ", done.stdout, flags=re.MULTILINE)
    assert set(COMMANDS) <= set(listed), set(COMMANDS) - set(listed)


def test_the_part_option_help_names_the_prompt_parts() -> None:
    assert ", ".join(PART_NAMES) == PARTS_HELP


def test_web3_errors_are_known_failures_once_web3_is_loaded() -> None:
    assert error_message(TimeExhausted("no receipt after 120 s\nmore")) == (
        "chain error: TimeExhausted: no receipt after 120 s"
    )
    assert error_message(ConnectionRefusedError()) == "connection failed (ConnectionRefusedError)"
    assert error_message(KeyError("bug")) is None


@pytest.mark.slow
def test_a_tiny_benchmark_run_times_every_command() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--runs", "1", "--no-base"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result["now"]) == set(result["goals_met"]) == {"help", "status", "index"}, result
    assert all(0 < timing["best"] < 60 for timing in [*result["now"].values(), *result["floor"].values()])
    assert "genip status ASSET --account A" in done.stdout
