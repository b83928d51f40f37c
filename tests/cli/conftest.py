"""Running the `genip` command as a subprocess, with a clean GENIP_* environment."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner

from cli.main import app, error_message
from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment


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
    """Run `python -m cli ARGS` (the `genip` command) to completion."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ───────────────────────── in-process runs of the chain commands ─────────────────────────

#: Light scrypt for keystores written by tests (GENIP_KEYSTORE_SCRYPT_N).
LIGHT_SCRYPT = "4096"


@dataclass
class Run:
    """A finished in-process `genip` run: exit code, stdout, stderr (the one-line error, if any)."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout as the one JSON object a `--json` run prints."""
        assert self.exit_code == 0, (self.exit_code, self.stdout, self.stderr)
        lines = self.stdout.strip().splitlines()
        assert len(lines) == 1, self.stdout
        return json.loads(lines[0])

    def ok(self) -> "Run":
        """This run, after checking it succeeded."""
        assert self.exit_code == 0, (self.exit_code, self.stdout, self.stderr)
        return self

    def error(self) -> str:
        """The one-line error of a failed run (exit code 1, no traceback)."""
        assert self.exit_code == 1, (self.exit_code, self.stdout, self.stderr)
        err = self.stderr.strip().splitlines()[-1]
        assert "Traceback" not in self.stderr, self.stderr
        return err


@dataclass
class Genip:
    """Runs `genip` in-process as `main()` would: known failures become exit code 1 and one error line."""

    data_dir: Path
    deployment_file: Path
    env: dict[str, str | None] = field(default_factory=dict)

    def __call__(
        self, *args: str, key: LocalAccount | None = None, input: str | None = None, **env: str | None
    ) -> Run:
        full: dict[str, str | None] = {name: None for name in os.environ if name.startswith("GENIP_")}
        full |= {
            "GENIP_DATA_DIR": str(self.data_dir),
            "GENIP_DEPLOYMENT_FILE": str(self.deployment_file),
            "GENIP_KEYSTORE_SCRYPT_N": LIGHT_SCRYPT,
            "GENIP_PRIVATE_KEY": key.key.hex() if key is not None else None,
        }
        full |= self.env | env
        argv, sys.argv = sys.argv, ["genip", *args]  # as `main()` sees it (suggested commands repeat it)
        try:
            result = CliRunner().invoke(app, list(args), input=input, env=full, catch_exceptions=True)
        finally:
            sys.argv = argv
        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            message = error_message(exc)
            if message is None:  # a bug: show it
                raise exc
            return Run(1, result.stdout, result.stderr + f"error: {message}\n")
        return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def genip(client: GenIPClient, tmp_path: Path) -> Genip:
    """`genip` on the session deployment (rolled back after the test), data dir in `tmp_path`."""
    path = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    return Genip(tmp_path / "data", path)


def register_text(genip: "Genip", folder: Path, creator: LocalAccount, text: str) -> int:
    """Register a text work with `text` through the CLI; its asset id."""
    path = folder / f"work-{abs(hash(text))}.txt"
    path.write_text(text)
    out = genip("register", str(path), "--title", text[:30], "--prompt", "p: " + text, "--json", key=creator)
    return int(out.json()["asset_id"])
