"""Compiled contract artifacts shipped inside the package (`genip/abi/<Name>.json`).

`scripts/export_artifacts.py` writes them from Foundry's output; this module reads them. Each file holds
`contractName`, `abi`, `bytecode` (0x-prefixed creation code) and `sourceHash`, the `source_hash` of the
Solidity sources it was compiled from, so a test can tell when the exported copy is stale.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from genip.errors import ArtifactError

__all__ = [
    "CONTRACT_FILES",
    "CONTRACT_NAMES",
    "ContractArtifact",
    "from_forge_output",
    "load_artifact",
    "source_hash",
]

#: Exported contracts and the Solidity file (its base name is Foundry's `out/` folder) each comes from.
CONTRACT_FILES: dict[str, str] = {
    "GenIPRegistry": "GenIPRegistry.sol",
    "LicensingHub": "LicensingHub.sol",
    "LicenseToken": "LicenseToken.sol",
    "RoyaltySink": "RoyaltySink.sol",
    "DisputeCourt": "DisputeCourt.sol",
    "DemoToken": "DemoToken.sol",
    "BenchEmitter": "BenchEmitter.sol",
}
CONTRACT_NAMES: tuple[str, ...] = tuple(CONTRACT_FILES)


@dataclass(frozen=True, slots=True)
class ContractArtifact:
    """ABI and creation code of one contract."""

    contract_name: str
    abi: list[dict[str, Any]]
    bytecode: str
    source_hash: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ContractArtifact":
        """Build from the exported JSON shape (`contractName`, `abi`, `bytecode`, `sourceHash`)."""
        try:
            name, abi, bytecode, digest = (
                data["contractName"],
                data["abi"],
                data["bytecode"],
                data["sourceHash"],
            )
        except KeyError as exc:
            raise ArtifactError(f"artifact is missing field {exc.args[0]!r}") from None
        if not (isinstance(bytecode, str) and bytecode.startswith("0x")) or not isinstance(abi, list):
            raise ArtifactError(f"artifact {name!r} has no 0x bytecode or no ABI list")
        return cls(contract_name=str(name), abi=abi, bytecode=bytecode, source_hash=str(digest))

    def to_json(self) -> dict[str, Any]:
        """The exported JSON shape."""
        return {
            "contractName": self.contract_name,
            "abi": self.abi,
            "bytecode": self.bytecode,
            "sourceHash": self.source_hash,
        }


@cache
def load_artifact(name: str) -> ContractArtifact:
    """Load the exported artifact of contract `name` (one of `CONTRACT_NAMES`) from package data."""
    resource = files("genip").joinpath("abi", f"{name}.json")
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"no exported artifact for {name!r}; run `make artifacts`") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"cannot read the artifact of {name!r}: {exc}") from None
    artifact = ContractArtifact.from_json(data)
    if artifact.contract_name != name:
        raise ArtifactError(f"artifact file {name}.json holds {artifact.contract_name!r}")
    return artifact


def source_hash(contracts_dir: Path) -> str:
    """sha256 (hex) over every file under `contracts_dir/src` and `contracts_dir/foundry.toml`.

    Files are taken in order of their POSIX path relative to `contracts_dir`; for each, the path, a NUL, the
    length as 8 big-endian bytes and the bytes themselves are hashed, so a rename or a moved byte changes it.
    """
    paths = [p for p in (contracts_dir / "src").rglob("*") if p.is_file()]
    paths.append(contracts_dir / "foundry.toml")
    entries = sorted((p.relative_to(contracts_dir).as_posix(), p) for p in paths)
    digest = hashlib.sha256()
    for rel, path in entries:
        data = path.read_bytes()
        digest.update(rel.encode() + b"\0" + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def from_forge_output(out_dir: Path, name: str, digest: str) -> ContractArtifact:
    """Read contract `name` from Foundry's output folder `out_dir` (`<File>.sol/<Name>.json`)."""
    path = out_dir / CONTRACT_FILES[name] / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{path} not found; run `forge build` in contracts/") from None
    bytecode = data.get("bytecode", {}).get("object", "")
    if not bytecode.startswith("0x"):
        bytecode = "0x" + bytecode
    if len(bytecode) <= 2:
        raise ArtifactError(f"{name} has no creation code (abstract contract or interface?)")
    if "__$" in bytecode:
        raise ArtifactError(f"{name} needs linked libraries; make their functions internal")
    return ContractArtifact(contract_name=name, abi=data["abi"], bytecode=bytecode, source_hash=digest)
