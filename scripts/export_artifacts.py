"""Export ABI and creation code of the deployable contracts into `genip/abi/<Name>.json`.

Run after `cd contracts && ../node_modules/.bin/forge build` (`make artifacts` does both). The output is
pretty, key-sorted JSON so that diffs of committed artifacts stay readable.
"""

import json
import sys
from pathlib import Path

from genip.chain.artifacts import CONTRACT_NAMES, from_forge_output, source_hash
from genip.errors import GenIPError

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
ABI_DIR = ROOT / "genip" / "abi"


def main() -> int:
    """Write one JSON file per contract; return the process exit code."""
    digest = source_hash(CONTRACTS)
    ABI_DIR.mkdir(parents=True, exist_ok=True)
    try:
        artifacts = [from_forge_output(CONTRACTS / "out", name, digest) for name in CONTRACT_NAMES]
    except GenIPError as exc:
        print(f"export_artifacts: {exc}", file=sys.stderr)
        return 1
    for artifact in artifacts:
        path = ABI_DIR / f"{artifact.contract_name}.json"
        path.write_text(json.dumps(artifact.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        size = (len(artifact.bytecode) - 2) // 2
        print(f"wrote {path.relative_to(ROOT)} ({size} bytes of creation code)")
    print(f"sourceHash {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
