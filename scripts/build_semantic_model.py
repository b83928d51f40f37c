"""Fits the checker's semantic model on the policy's descriptors and writes it to
genip/checker/data/semantic_model.json.

Run after editing the descriptors in genip/checker/data/policy.json (and bump its "version"):
    .venv/bin/python scripts/build_semantic_model.py
The output is deterministic; tests/checker/test_semantic_policy.py fails when the shipped file is stale.
"""

import json

from genip.checker.policy import DATA, model_data

__all__: list[str] = []


def main() -> None:
    out = DATA / "semantic_model.json"
    out.write_text(json.dumps(model_data(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
