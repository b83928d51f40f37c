"""Fits the checker's semantic model on the policy's descriptors and writes it to
genip/checker/data/semantic_model.json; with --lexicon, also rebuilds genip/checker/data/lexicon.json (the
common words near the policy's names, which never make a look-alike) from Debian's word lists.

Run after editing the descriptors or names in genip/checker/data/policy.json (and bump its "version"):
    .venv/bin/python scripts/build_semantic_model.py [--lexicon [--dictionaries /usr/share/dict]]
--lexicon needs the word lists installed (apt-get install wamerican wbritish wfrench wngerman wspanish
witalian wportuguese wdutch wpolish). The output is deterministic; tests/checker/test_semantic_policy.py
fails when the shipped model is stale (and, where the word lists are installed, when the lexicon is).
"""

import argparse
import json
from pathlib import Path

from genip.checker.policy import DATA, DICTIONARIES, Policy, lexicon_data, model_data

__all__: list[str] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lexicon", action="store_true", help="also rebuild data/lexicon.json")
    parser.add_argument("--dictionaries", type=Path, default=Path("/usr/share/dict"))
    args = parser.parse_args()
    out = DATA / "semantic_model.json"
    out.write_text(json.dumps(model_data(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    if args.lexicon:
        paths = [args.dictionaries / name for name in DICTIONARIES]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise SystemExit(f"word lists missing: {', '.join(missing)}")
        policy = Policy.from_json((DATA / "policy.json").read_text(encoding="utf-8"), lexicon=frozenset())
        lexicon = DATA / "lexicon.json"
        data = lexicon_data(policy, paths)
        lexicon.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {lexicon} ({len(data['words'])} words, {lexicon.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
