"""The prompt policy: does a prompt name a protected artist, a studio style, a character or a trademark?

Rules come from a data file (`data/policy.json`: id, category, outcome, names). Matching is built to survive
the ways people dodge filters, without firing on look-alikes:

* the prompt is folded: Unicode compatibility form, accents dropped (é → e, ø → o), case folded, common
  leetspeak undone inside words (0 → o, 1 → i, 3 → e, 4 → a, 5 → s, 7 → t, @ → a, $ → s); numbers on their
  own stay numbers;
* it is split into words on anything that is not a letter or digit, and a name matches a run of *whole words*
  whose letters, joined, spell the name — so "Greg-Rutkowski", "g r e g rutkowski" and "GregRutkowski" all
  match "Greg Rutkowski", while "scenario" never matches "Mario";
* small misspellings are allowed on long names only (one edit, transpositions included, from 8 letters, two
  from 12), so "Greg Rutkowsky" matches but short names must be exact ("phone" is not "iPhone").

Only the positive prompt is checked: a negative prompt ("no Disney style") asks for the opposite. Outcome:
`fail` if any failing rule fired, else `needs_review` if any review rule fired, else `pass`; every hit names
its rule.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path

from rapidfuzz.distance import OSA

__all__ = ["Hit", "Outcome", "Policy", "PolicyResult", "Rule", "default_policy", "fold"]


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


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fired: which name, the prompt words that matched it, and how many edits apart."""

    rule: str
    category: str
    outcome: Outcome
    name: str
    matched: str
    edits: int


@dataclass(frozen=True, slots=True)
class PolicyResult:
    outcome: Outcome
    hits: tuple[Hit, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "outcome": self.outcome.value,
            "hits": [
                {
                    "rule": h.rule,
                    "category": h.category,
                    "outcome": h.outcome.value,
                    "name": h.name,
                    "matched": h.matched,
                    "edits": h.edits,
                }
                for h in self.hits
            ],
        }


_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "þ": "th", "\u0131": "i"}
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
)
_WORDS = re.compile(r"[a-z0-9]+")


def fold(text: str) -> list[str]:
    """The words of `text` after folding case, accents and leetspeak (see the module docstring)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().translate(_LETTERS)
    words: list[str] = []
    for chunk in text.split():
        if any("a" <= ch <= "z" for ch in chunk):  # a word with letters: undo leetspeak inside it
            chunk = chunk.translate(_LEET)
        words.extend(_WORDS.findall(chunk))
    return words


def _allowed_edits(length: int) -> int:
    return 2 if length >= 12 else 1 if length >= 8 else 0


@dataclass(frozen=True, slots=True)
class _Name:
    rule: Rule
    text: str
    squashed: str
    edits: int


class Policy:
    """A set of rules, ready to check prompts."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
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
    def from_json(cls, text: str) -> "Policy":
        data = json.loads(text)
        return cls(
            [Rule(r["id"], r["category"], Outcome(r["outcome"]), tuple(r["names"])) for r in data["rules"]]
        )

    def check(self, prompt: str, negative_prompt: str = "") -> PolicyResult:
        """Checks the positive prompt (`negative_prompt` is accepted and deliberately ignored)."""
        del negative_prompt  # asking for the absence of something is not infringement
        words = fold(prompt)
        hits: dict[str, Hit] = {}
        for name in self._names:
            hit = self._find(words, name)
            if hit is not None and (name.rule.id not in hits or hit.edits < hits[name.rule.id].edits):
                hits[name.rule.id] = hit
        found = tuple(sorted(hits.values(), key=lambda h: (h.outcome != Outcome.FAIL, h.rule)))
        if any(h.outcome == Outcome.FAIL for h in found):
            outcome = Outcome.FAIL
        elif found:
            outcome = Outcome.NEEDS_REVIEW
        else:
            outcome = Outcome.PASS
        return PolicyResult(outcome, found)

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
                if edits <= slack and (best is None or edits < best.edits):
                    rule = name.rule
                    matched = " ".join(words[start : end + 1])
                    best = Hit(rule.id, rule.category, rule.outcome, name.text, matched, edits)
                    if edits == 0:
                        return best
        return best


@cache
def default_policy() -> Policy:
    """The policy shipped with Gen-IP (`genip/checker/data/policy.json`)."""
    return Policy.from_json(files("genip.checker").joinpath("data/policy.json").read_text(encoding="utf-8"))
