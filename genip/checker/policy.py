"""The prompt policy: does a prompt name a protected artist, a studio style, a character or a trademark?

Rules come from a versioned data file (`data/policy.json`: id, category, outcome, names, descriptors). Name
matching is built to survive the ways people dodge filters, without firing on look-alikes:

* the prompt is folded: Unicode compatibility form, accents dropped (é → e, ø → o), case folded, common
  leetspeak undone inside words (0 → o, 1 → i, 3 → e, 4 → a, 5 → s, 7 → t, @ → a, $ → s); numbers on their
  own stay numbers;
* it is split into words on anything that is not a letter or digit, and a name matches a run of *whole words*
  whose letters, joined, spell the name — so "Greg-Rutkowski", "g r e g rutkowski" and "GregRutkowski" all
  match "Greg Rutkowski", while "scenario" never matches "Mario";
* small misspellings are allowed by length (one edit, transpositions included, from 6 letters, two from 10);
  on 6-7 letter names the edit must be inside the word (same length, same first and last letter), so
  "Greg Rutkowsky", "Mickie Mouse" and "Disnay" match while "phone" is not "iPhone" and names under 6 letters
  must be exact.

Names catch what is named; descriptors catch what is described. Each rule may carry a few short descriptors
("Polish fantasy illustrator", "Witcher 3 cover"): a prompt close to one (`genip.checker.semantic`, a soft
TF-IDF model fitted on the descriptors and shipped in `data/semantic_model.json`, loaded on the first check)
is a *semantic* hit with the descriptor and its score. A semantic hit always means `needs_review`, even on a
failing rule: a description is evidence for a human, a name is a verdict. A rule already hit by name is not
reported again semantically.

Only the positive prompt is checked: a negative prompt ("no Disney style") asks for the opposite. Outcome:
`fail` if any failing rule fired by name, else `needs_review` if anything else fired, else `pass`; every hit
names its rule, and the result names the policy version that decided it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from genip.checker.folding import fold

if TYPE_CHECKING:
    from genip.checker.semantic import SemanticModel

__all__ = ["DATA", "Hit", "Outcome", "Policy", "PolicyResult", "Rule", "default_policy", "fold", "model_data"]

DATA = Path(__file__).parent / "data"


class Outcome(StrEnum):
    PASS = "pass"
    NEEDS_REVIEW = "needs_review"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    outcome: Outcome
    names: tuple[str, ...]
    descriptors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fired: which name, the prompt words that matched it, and how many edits apart; for a
    semantic hit (`kind` "semantic"), the descriptor the prompt came close to and its score (0 to 1)."""

    rule: str
    category: str
    outcome: Outcome
    name: str
    matched: str
    edits: int
    kind: str = "name"
    descriptor: str | None = None
    score: float | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule": self.rule,
            "kind": self.kind,
            "category": self.category,
            "outcome": self.outcome.value,
            "name": self.name,
            "matched": self.matched,
            "edits": self.edits,
        }
        if self.kind == "semantic":
            out |= {"descriptor": self.descriptor, "score": self.score}
        return out


@dataclass(frozen=True, slots=True)
class PolicyResult:
    outcome: Outcome
    hits: tuple[Hit, ...]
    policy_version: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "outcome": self.outcome.value,
            "policy_version": self.policy_version,
            "hits": [h.to_json() for h in self.hits],
        }


def _allowed_edits(length: int) -> int:
    return 2 if length >= 10 else 1 if length >= 6 else 0


def _inner_edit(joined: str, target: str) -> bool:
    """One edit inside a 6-7 letter name (same length, same first and last letter: "disnay", "artgrem"), so
    "phone" is still not "iphone" and "pixel" not "pixar"."""
    return len(joined) == len(target) and joined[0] == target[0] and joined[-1] == target[-1]


@dataclass(frozen=True, slots=True)
class _Name:
    rule: Rule
    text: str
    squashed: str
    edits: int


class Policy:
    """A set of rules, ready to check prompts."""

    def __init__(
        self,
        rules: list[Rule],
        *,
        version: int | None = None,
        model: "Callable[[], SemanticModel] | None" = None,
    ) -> None:
        """`model` loads the semantic model on the first check; by default it is fitted on the rules'
        descriptors (no descriptors: names only)."""
        self.rules = rules
        self.version = version
        self._load_model = model or self._fit_model
        self._model: SemanticModel | None = None
        self._by_id = {rule.id: rule for rule in rules}
        self._names = [
            _Name(rule, name, squashed, _allowed_edits(len(squashed)))
            for rule in rules
            for name in rule.names
            if (squashed := "".join(fold(name)))
        ]

    @classmethod
    def from_file(cls, path: Path) -> "Policy":
        return cls.from_json(path.read_text(encoding="utf-8"))

    @classmethod
    def from_json(cls, text: str, *, model: "Callable[[], SemanticModel] | None" = None) -> "Policy":
        data = json.loads(text)
        rules = [
            Rule(
                r["id"],
                r["category"],
                Outcome(r["outcome"]),
                tuple(r["names"]),
                tuple(r.get("descriptors", ())),
            )
            for r in data["rules"]
        ]
        return cls(rules, version=data.get("version"), model=model)

    def _fit_model(self) -> "SemanticModel":
        from genip.checker.semantic import SemanticModel

        return SemanticModel(_fit(self, _background()))

    @property
    def model(self) -> "SemanticModel":
        """The semantic model, loaded on first use (so importing the policy stays cheap)."""
        if self._model is None:
            model = self._load_model()
            if model.policy_version != self.version:
                from genip.errors import ConfigError

                raise ConfigError(
                    f"semantic model fitted on policy version {model.policy_version}, policy is version "
                    f"{self.version}: run scripts/build_semantic_model.py"
                )
            self._model = model
        return self._model

    def check(self, prompt: str, negative_prompt: str = "", *, semantic: bool = True) -> PolicyResult:
        """Checks the positive prompt (`negative_prompt` is accepted and deliberately ignored);
        `semantic=False` runs the name rules alone (the benchmark's baseline)."""
        del negative_prompt  # asking for the absence of something is not infringement
        words = fold(prompt)
        hits: dict[str, Hit] = {}
        for name in self._names:
            hit = self._find(words, name)
            if hit is not None and (name.rule.id not in hits or hit.edits < hits[name.rule.id].edits):
                hits[name.rule.id] = hit
        if semantic and any(rule.descriptors for rule in self.rules):
            for s in self.model.score(words):
                rule = self._by_id.get(s.rule)
                if rule is None or rule.id in hits:
                    continue
                hits[rule.id] = Hit(
                    rule.id,
                    rule.category,
                    Outcome.NEEDS_REVIEW,
                    rule.names[0] if rule.names else rule.id,
                    s.matched,
                    0,
                    kind="semantic",
                    descriptor=s.descriptor,
                    score=s.score,
                )
        found = tuple(
            sorted(hits.values(), key=lambda h: (h.outcome != Outcome.FAIL, h.kind != "name", h.rule))
        )
        if any(h.outcome == Outcome.FAIL for h in found):
            outcome = Outcome.FAIL
        elif found:
            outcome = Outcome.NEEDS_REVIEW
        else:
            outcome = Outcome.PASS
        return PolicyResult(outcome, found, self.version)

    @staticmethod
    def _find(words: list[str], name: _Name) -> Hit | None:
        target, slack = name.squashed, name.edits
        best: Hit | None = None
        for start in range(len(words)):
            joined = ""
            for end in range(start, len(words)):
                joined += words[end]
                if len(joined) > len(target) + slack:
                    break
                if len(joined) < len(target) - slack:
                    continue
                edits = 0 if joined == target else OSA.distance(joined, target, score_cutoff=slack)
                if edits and len(target) < 8 and not _inner_edit(joined, target):
                    continue
                if edits <= slack and (best is None or edits < best.edits):
                    rule = name.rule
                    matched = " ".join(words[start : end + 1])
                    best = Hit(rule.id, rule.category, rule.outcome, name.text, matched, edits)
                    if edits == 0:
                        return best
        return best


def _background() -> list[str]:
    prompts: list[str] = json.loads((DATA / "background.json").read_text(encoding="utf-8"))["prompts"]
    return prompts


def _fit(policy: Policy, background: list[str]) -> dict[str, Any]:
    from genip.checker.semantic import fit_data

    pairs = [(rule.id, text) for rule in policy.rules for text in rule.descriptors]
    return fit_data(policy.version or 0, pairs, background)


def model_data() -> dict[str, Any]:
    """The semantic model fitted on the shipped policy and background (what the build script writes)."""
    return _fit(Policy.from_json((DATA / "policy.json").read_text(encoding="utf-8")), _background())


@cache
def default_policy() -> Policy:
    """The policy shipped with Gen-IP (`data/policy.json`) and its model (`data/semantic_model.json`)."""
    from genip.checker.semantic import SemanticModel

    return Policy.from_json((DATA / "policy.json").read_text(encoding="utf-8"), model=SemanticModel.shipped)
