"""Running the `genip` command as a subprocess, with a clean GENIP_* environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def genip_env(tmp_path: Path) -> dict[str, str]:
    """The test process's environment without GENIP_* variables, data dir in `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_")}
    env["GENIP_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_genip(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m genip ARGS` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "genip", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
