"""The exported artifacts in genip/abi match the Solidity sources they claim to come from, and the web page's
`as const` ABIs (web/src/generated/abi.ts) match genip/abi."""

import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from genip.chain.artifacts import CONTRACT_NAMES, from_forge_output, load_artifact, source_hash
from tests.script_modules import load_script

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
FORGE = ROOT / "node_modules" / ".bin" / "forge"


def _exporter() -> ModuleType:
    return load_script("export_artifacts")


def test_every_artifact_loads_with_abi_and_creation_code() -> None:
    for name in CONTRACT_NAMES:
        artifact = load_artifact(name)
        assert artifact.contract_name == name
        assert artifact.abi, name
        assert len(artifact.bytecode) > 2 and artifact.bytecode.startswith("0x"), name


def test_artifacts_were_exported_from_the_current_sources() -> None:
    current = source_hash(CONTRACTS)
    stale = [name for name in CONTRACT_NAMES if load_artifact(name).source_hash != current]
    assert not stale, f"stale artifacts {stale}: run `make artifacts`"


def test_the_web_pages_abis_are_those_of_genip_abi() -> None:
    exporter = _exporter()
    assert set(exporter.WEB_ABIS.values()) <= set(CONTRACT_NAMES)
    fresh = exporter.web_abi_module({name: load_artifact(name).abi for name in exporter.WEB_ABIS.values()})
    committed = exporter.WEB_ABI.read_text(encoding="utf-8")
    assert committed == fresh, (
        "web/src/generated/abi.ts differs from genip/abi: run `python scripts/export_artifacts.py --web`"
    )


@pytest.mark.slow
def test_a_fresh_forge_build_gives_the_exported_abi_and_bytecode(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = subprocess.run(
        [
            str(FORGE),
            "build",
            "--skip",
            "test",
            "--skip",
            "script",
            "--out",
            str(out),
            "--cache-path",
            str(cache),
        ],
        cwd=CONTRACTS,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACT_NAMES:
        fresh = from_forge_output(out, name, source_hash(CONTRACTS))
        exported = load_artifact(name)
        assert fresh.abi == exported.abi, f"{name}: ABI differs from genip/abi; run `make artifacts`"
        assert fresh.bytecode == exported.bytecode, f"{name}: bytecode differs; run `make artifacts`"
