"""Failures every chain command shares: wrong chain id, RPC down, no deployment. One red line, exit 1, never a
traceback, also when run as the real `genip` program."""

import subprocess
from pathlib import Path

from genip.chain.anvil import free_port
from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from tests.cli.conftest import Genip, run_genip
from tests.helpers import BRAND, CREATOR

COMMANDS = [
    ["show", "1"],
    ["status", "1", "--account", BRAND.address],
    ["license", "list", "--account", BRAND.address],
    ["balance", "--account", BRAND.address],
    ["offer", "1", "--tier", "standard", "--price", "1"],
    ["license", "buy", "1", "--offer", "1"],
    ["pay", "1", "1"],
    ["withdraw"],
    ["prompt", "reveal", "1"],
    ["prompt", "verify", "1", "--prompt", "p", "--salt", "0x" + "11" * 32],
    ["register", "any.png", "--title", "x", "--prompt", "p"],
    ["derive", "any.png", "--title", "x", "--prompt", "p", "--parent", "1:1"],
    ["offer", "pause", "1"],
]


def _moved(genip: Genip, client: GenIPClient, tmp_path: Path, **changes: object) -> Genip:
    other = client.deployment.model_copy(update=changes)
    return Genip(genip.data_dir, write_deployment(other, tmp_path / "elsewhere", current=False))


def test_a_deployment_for_another_chain_is_refused(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    wrong = _moved(genip, client, tmp_path, chain_id=5)
    for args in COMMANDS:
        err = wrong(*args, key=CREATOR).error()
        assert err == "error: chain id mismatch: deployment is for chain 5, RPC serves chain 31337", args


def test_an_rpc_that_does_not_answer(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    down = _moved(genip, client, tmp_path, rpc_url=f"http://127.0.0.1:{free_port()}/secret-key")
    for args in COMMANDS:
        err = down(*args, key=CREATOR).error()
        assert err.startswith("error: RPC http://127.0.0.1:") and "unavailable" in err, args
        assert "secret-key" not in err


def test_no_deployment_file(genip: Genip, tmp_path: Path) -> None:
    err = genip("show", "1", GENIP_DEPLOYMENT_FILE=str(tmp_path / "missing.json")).error()
    assert "missing.json" in err


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    err = result.stderr.strip()
    assert "\n" not in err and "Traceback" not in err and err.startswith("error:"), err
    return err


def test_the_real_program_prints_one_line(
    genip_env: dict[str, str], tmp_path: Path, client: GenIPClient
) -> None:
    down = client.deployment.model_copy(update={"rpc_url": f"http://127.0.0.1:{free_port()}"})
    genip_env["GENIP_DEPLOYMENT_FILE"] = str(write_deployment(down, tmp_path / "d", current=False))
    assert "unavailable" in _one_line(run_genip(["show", "1"], genip_env, tmp_path))
    genip_env["GENIP_DEPLOYMENT_FILE"] = str(
        write_deployment(client.deployment, tmp_path / "d", current=False)
    )
    genip_env["GENIP_PRIVATE_KEY"] = CREATOR.key.hex()
    missing = run_genip(["register", "gone.png", "--title", "x", "--prompt", "p"], genip_env, tmp_path)
    assert "gone.png cannot be read" in _one_line(missing)
