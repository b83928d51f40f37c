"""The deployment record: where the Gen-IP contracts live on one chain.

`genip chain up` and `genip deploy` write it; the indexer, the API and the CLI read it. On disk it is JSON in
`<data dir>/deployments/<chain id>.json`, copied to `current.json` (the one read by default):

    {"chain_id": 31337, "rpc_url": "http://127.0.0.1:8545", "registry": "0x…", "hub": "0x…",
     "license_token": "0x…", "court": "0x…", "demo_token": "0x…" | null, "deploy_block": 1, "deployer": "0x…",
     "fee_bps": 250, "fee_recipient": "0x…", "source_hash": "…", "deployed_at": "2026-…Z"}

`deploy_block` is the block of the first deployment transaction: an indexer starts there.
"""

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from genip.chain.address import checksum_address
from genip.errors import DeploymentError

__all__ = ["Address", "Deployment", "read_deployment", "write_deployment"]


def _checksum(value: str) -> str:
    return checksum_address(value)  # ValueError for anything else, which pydantic reports


#: An EVM address, stored in EIP-55 checksum form.
Address = Annotated[str, AfterValidator(_checksum)]


class Deployment(BaseModel):
    """Addresses and provenance of one deployment of the Gen-IP contracts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chain_id: int = Field(gt=0)
    rpc_url: str
    registry: Address
    hub: Address
    license_token: Address
    court: Address = Field(
        description="The DisputeCourt, where claims against certificates are brought and ruled."
    )
    demo_token: Address | None = None
    deploy_block: int = Field(ge=0)
    deployer: Address
    fee_bps: int = Field(ge=0, le=10_000)
    fee_recipient: Address
    source_hash: str = Field(description="`sourceHash` of the artifacts the contracts were deployed from.")
    deployed_at: datetime

    def to_json(self) -> str:
        """Pretty JSON, keys in declaration order."""
        return self.model_dump_json(indent=2) + "\n"


def write_deployment(deployment: Deployment, deployments_dir: Path, *, current: bool = True) -> Path:
    """Write `<deployments_dir>/<chain id>.json` (and `current.json` unless `current=False`); return the
    per-chain path. Each file is replaced atomically."""
    deployments_dir.mkdir(parents=True, exist_ok=True)
    path = deployments_dir / f"{deployment.chain_id}.json"
    targets = [path, deployments_dir / "current.json"] if current else [path]
    text = deployment.to_json()
    for target in targets:
        fd, tmp = tempfile.mkstemp(dir=deployments_dir, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    return path


def read_deployment(path: Path) -> Deployment:
    """Read a deployment file; `DeploymentError` when it is missing or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeploymentError(
            f"no deployment file at {path}; run `genip chain up` or `genip deploy`"
        ) from None
    except OSError as exc:
        raise DeploymentError(f"cannot read deployment file {path}: {exc.strerror}") from None
    try:
        return Deployment.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise DeploymentError(f"malformed deployment file {path}: {first}") from None
