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
  "Greg Rutkowsky", "Mickie Mouse" and "Disnay" match while "phone" is not "iPhone"; such a hit takes the
  rule's outcome (a living artist's name fails);
* beyond that budget, a *look-alike* tier compares how runs of words sound
  (`genip.checker.folding.sound_key`: ph/f, gh/g, th/t, c/k/q, z/s, y/ee/i, oo/u, v/b, doubled letters
  and a final silent e): the same sound from 4 letters ("nyke", "pikachoo", "iphon", "arendel", "gibli",
  "marbel"), one more edit from 6 ("pikchu", "ghbli"), two from 10, keeping the first letter (and under 10
  letters the last), so dropped and doubled letters and phonetic spellings are caught. A look-alike always
  goes to `needs_review`, never to `fail`: a creator is never failed on a guess;
* real words are not names: a word of the lexicon (`data/lexicon.json`: the words of nine languages' word
  lists that lie near a name, built by `scripts/build_semantic_model.py --lexicon`) is never a misspelling
  or look-alike on its own ("thanks" is not "Thanos", "batsman" not "Batman", "leggo" not "LEGO"); a
  misspelt multi-word name made only of such words is a look-alike for review, never a fail ("James Dean"
  for "James Jean"); words that do not line up with the name's must not be real words ("bad man" is not
  "Batman") and words that do line up must each be within one edit ("micky maus", not "princess in");
  lined up means by spelling or by sound, transpositions included ("james jaen", "jame jean");
* one edit the typo budget does not cover (a name of 4-5 letters, or an edit at the ends of a 6-7 letter
  one), a transposition included, keeping the first letter and under 7 letters the last ("loisch",
  "pixer", "nkie", "pokemom") unless the edit is two neighbouring letters swapped ("lwop", "loihs"), is a
  look-alike when no word of the run is a real word;
* letters that look alike are read back as the letter meant, as a look-alike for review only: a capital I
  or a 1 beside small letters as an l ("Ioish", "1oish"; folding alone makes them an i), "rn" as "m" and "vv"
  as "w" ("vvlop"); a hit counts only when it rests on a word that reading changed;
* v6 adds three shapes of one edit, all look-alikes for review: a name of several words with one word spelled
  exactly and the edit in another that keeps its first letter and stops short or is not a real word ("Sam
  Yan", "Peter Parke"; `_anchored`); a one-word name of 5-6 letters with its last letter changed or dropped,
  beside a context word of its rule or a style cue ("Ghibl style", "art by Mickeu"; `_end_edit`, `_CUES`);
  and, for the semantic model, a prompt word the descriptors lack read as the descriptor word that sounds
  the same ("Marbel" as "Marvel", "frozzen" as "frozen"; `Policy._respelled`). It also drops look-alikes
  of real words: the edits of a several-word name may not pile up in a word that is a name on its own, nor
  may its words fail to line up ("pixel style" is not "Pixar style", "a diagonally" not "Diagon Alley";
  `_named_aligned`), and one common word one sound but two letters from the name's, beside an exact word,
  is that word ("marble style" is not "Marvel style"; `_aligned`); and the sound key hears a final "ee" as
  i ("Yoshee") and a non-rhotic "er" as a ("Spida-Man", "Avengas");
* v7 matches names written in other scripts, curated in policy.json per item (Japanese katakana and
  kanji, Chinese, Korean, Russian: "ピカチュウ", "迪士尼", "피카츄", "Человек-паук"), as whole names and
  with the rule's outcome (`_script_match`): Cyrillic word by word in any Russian case form ("Грега
  Рутковского"), Korean word by word with particles after the last word ("샘 양의"), Chinese and Japanese
  anywhere in the joined CJK text from three characters, a short katakana name not inside a longer
  katakana word ("レゴ" is not in "レゴリス"); two-character Chinese names are left out (漫威 is inside
  浪漫威尼斯). These names stay out of the Latin tiers and the lexicon's digest. v7 also reads spoken
  spellings back (`_spoken`, `Policy._spoken_hits`), for review only: long vowels written double, "ou" and
  "ai" ("Harii Pottaa", "Aifon", "Naik"), in a word spelled as romaji the vowels katakana adds and r for l
  ("Loisshu", "jiburi"), a dropped h ("Agrid"), and a conjunction of another language as "and" ("Anna et
  Elza"); a hit counts when it rests on a changed word that is not a common word, its words then sound
  exactly like the name, and, on a name under 5 letters, a context word or style cue ("fuu" among them)
  is present;
* v8 reads a name's word with an ending of some language or a word compounded onto it as that word
  (`Policy._inflected_hits`, `_stem`: "Legos", "Batmana", "Rutkowskiego", "Disneyesque", "Legosteinen",
  "Pikachufigur", "babyyoda"); an exact name so read keeps the rule's outcome, and a common word that reads so
  ("marion", "ironisch") needs a context word of the rule. Words only the Polish or Dutch word lists hold
  ("pikach", "hogwart", "rutowski": those lists hold millions of forms and surnames) are common words only in
  a prompt of those languages (`_Lexicon`, `_rare_language`). A rule's `cued` names, a common word or first
  name ("Frozen", "Elsa", "Olaf", "Coke"), count only beside one of their words, for review (`_cued`).
  Names in Greek, Hebrew, Arabic, Indic and Thai scripts are found inside the runs of their script
  (`_script_runs`), a living artist's two-word name also family name first ("Miyazaki Hayao"), Spanish
  respellings read back ("Espáiderman", "Áyron"), and Cyrillic or Greek letters inside a Latin word read as
  the Latin ones they look like (`genip.checker.folding`: "Batman" with a Cyrillic B);
* v9 matches a name written in another script also respelled, by its script's sound key
  (`genip.checker.scripts`, `_script_near`), for review only: kana with long vowels, small kana, voicing,
  hiragana and "ei" folded ("ピクサ", "ミツキーマウス", "すーぱーまりお", "ダースベーダー"; three kana only
  before a style cue), Cyrillic with э as plain e, voicing, doubled letters folded ("Бетмэн", "ЛЕГГО"), Hangul
  with aspiration and y-vowels folded ("피카추"), Chinese characters by their readings ("皮卡秋",
  "吉普力"; a kanji form the dictionary lacks left open: "宮﨑駿"), Arabic letter forms ("ديزنى"). It reads
  the Turkish ş as sh (`genip.checker.folding`: "Loiş") and Dutch "tsj", "sj", "oe" as spoken
  ("Pikatsjoe"); and in place of a word of a several-word name, a common word that sounds different from
  its first letter names someone else, as does any common word in a living artist's name written family
  name first ("James Dean", "blue jeans, James"; `_someone_else`). After a tenth blind set: characters
  drawn like katakana read as those ("ディズ二ー"), a doubled l in Hangul, a Latin look-alike letter in a
  Cyrillic word read as Cyrillic (`genip.checker.folding`), one kana off in a kana name of eight, cued
  names in other scripts, in a Polish prompt j as the English y;
* a rule's `context` words (policy.json: "bricks", "minifig" for LEGO) let a real word that sounds exactly
  like a name be a look-alike beside them ("leggo bricks"; "leggo my eggo" stays clean);
* a rule's `unless` words show that a bare word means something else: a hit resting on that word alone
  ("Nike", "Amano") is dropped when the prompt holds one of them ("statue of Nike, Greek goddess", "Amano
  shrimp in an aquarium") and none of the rule's context words; a fuller match ("Nike swoosh", "Yoshitaka
  Amano") stands. This is per rule data, not code, so operators add cases without a release.

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

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from genip.checker.folding import fold, is_cjk, sound_key
from genip.checker.scripts import (
    KANA_LOOKALIKES,
    arabic_key,
    cyrillic_key,
    han_readings,
    hangul_key,
    kana_key,
)

if TYPE_CHECKING:
    from genip.checker.semantic import SemanticModel

__all__ = [
    "DATA",
    "Hit",
    "Outcome",
    "Policy",
    "PolicyResult",
    "Rule",
    "default_policy",
    "fold",
    "lexicon_data",
    "model_data",
    "names_digest",
]

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
    context: frozenset[str] = frozenset()
    """Folded words that make a real-word look-alike of a name worth a review ("leggo" beside "bricks")."""
    unless: tuple[tuple[str, frozenset[str]], ...] = ()
    """(folded word, words): a hit resting on that word alone is dropped when the prompt holds one of the
    words ("Nike" beside "goddess" is the Greek goddess, "Amano" beside "shrimp" the shrimp)."""
    cued: tuple[tuple[str, frozenset[str]], ...] = ()
    """(name, folded words): a name that is also a common word or first name ("Frozen", "Elsa"), a hit only
    beside one of its words ("Frozen 2 poster", "Elsa, ice queen"), and then for review; misspelt
    ("Frozzen", "Elza") the rule's context words count too."""


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


def _lookalike_edits(length: int) -> int:
    """Edits between sound keys that the look-alike tier allows for a name of `length` letters (-1: none):
    from 4 letters the same sound ("nyke"), from 6 one edit more, from 10 two."""
    return 2 if length >= 10 else 1 if length >= 6 else 0 if length >= 4 else -1


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
    key: str
    parts: int
    near: int
    part_keys: tuple[str, ...]
    part_words: tuple[str, ...]
    named: tuple[bool, ...] = ()
    """Which of its words are a name of the rule on their own ("pixar" in "Pixar style")."""
    cues: frozenset[str] | None = None
    """For a cued name (`Rule.cued`), the words one of which must be in the prompt."""


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of whole prompt words: where it starts, its words, the letters joined and their sound key, the
    words' own sound keys, and whether all or some of its words are common words of some language
    (`data/lexicon.json`)."""

    start: int
    words: tuple[str, ...]
    joined: str
    key: str
    keys: tuple[str, ...]
    common: bool
    partly_common: bool
    known: tuple[bool, ...] = ()
    """Which of its words are common words."""

    @property
    def count(self) -> int:
        return len(self.words)

    @property
    def matched(self) -> str:
        return " ".join(self.words)


_RANK = {Outcome.FAIL: 0, Outcome.NEEDS_REVIEW: 1, Outcome.PASS: 2}


def _aligned(run: "_Run", name: _Name) -> bool:
    """Each word of the run within one edit (transpositions included) of the name's word, by spelling or by
    sound ("jaen" for "jean", "jame" for "james", "micky" for "mickey"; two letters from 8: "yoshikata").
    When one word of two differs and it is a common word, by sound only if it sounds the same: "marble
    style" is one sound and two letters from "Marvel style", a real word next to an exact one, not a guess
    (with three words, two exact ones carry it: "name does arts")."""
    known = run.known or (False,) * run.count
    differ = sum(w != nw for w, nw in zip(run.words, name.part_words, strict=True))
    for k, nk, w, nw, common in zip(run.keys, name.part_keys, run.words, name.part_words, known, strict=True):
        budget = 2 if len(nw) >= 8 else 1
        if OSA.distance(w, nw, score_cutoff=budget) <= budget:
            continue
        if OSA.distance(k, nk, score_cutoff=1) > (0 if common and differ == 1 and run.count == 2 else 1):
            return False
    return True


def _named_aligned(run: "_Run", name: _Name) -> bool:
    """The run's words line up with the name's: each starts like its word or sounds within one edit of it
    ("a diagonally" is not "Diagon Alley"), and a word of the name that is a name on its own is within that
    word's reach (one edit, by spelling or sound, two letters from 8), so the edits of "Pixar style" do not
    pile up in its one distinctive word: "pixel style" is not "Pixar style"; "Harry Potta" is Harry Potter."""
    lined = zip(run.words, name.part_words, run.keys, name.part_keys, name.named, strict=False)
    for w, nw, k, nk, named in lined:
        budget = 2 if len(nw) >= 8 else 1
        near = OSA.distance(w, nw, score_cutoff=budget) <= budget or OSA.distance(k, nk, score_cutoff=1) <= 1
        if not near and (named or w[0] != nw[0]):
            return False
    return True


def _someone_else(run: "_Run", name: _Name) -> bool:
    """The run names someone or something else (v9): in place of one of a several-word name's words, a
    common word that sounds different from its first letter ("James Dean" is not "James Jean"; "Carla
    Ortiz", one sound with "Karla Ortiz", and "Harry Botter", b and p a voiced pair, stay), or, in a
    living artist's name written family name first,
    any common word but the name's own ("blue jeans, James" is not "Jean James")."""
    if name.parts < 2 or run.count != name.parts or not any(run.known):
        return False
    family_first = tuple(fold(name.text))[::-1] == name.part_words != name.part_words[::-1]
    lined = zip(run.words, name.part_words, run.keys, name.part_keys, run.known, strict=True)
    return any(
        common and w != nw and (family_first or k[:1].translate(_VOICED) != nk[:1].translate(_VOICED))
        for w, nw, k, nk, common in lined
    )


_VOICED = str.maketrans("bdgvz", "ptkfs")
"""A voiced first sound and its unvoiced pair are one sound for `_someone_else` ("Harry Botter" is still
Harry Potter)."""


def _better(hit: Hit, than: Hit | None) -> bool:
    if than is None:
        return True
    mine = (_RANK[hit.outcome], hit.kind != "name", hit.edits)
    return mine < (_RANK[than.outcome], than.kind != "name", than.edits)


class Policy:
    """A set of rules, ready to check prompts."""

    def __init__(
        self,
        rules: list[Rule],
        *,
        version: int | None = None,
        model: "Callable[[], SemanticModel] | None" = None,
        lexicon: "frozenset[str] | None" = None,
        synonyms: tuple[tuple[str, ...], ...] = (),
    ) -> None:
        """`model` loads the semantic model on the first check; by default it is fitted on the rules'
        descriptors (no descriptors: names only). `lexicon`: common words that never make a look-alike
        (default: `data/lexicon.json`); `synonyms`: groups of descriptor words the model treats as one
        (the first names the group)."""
        self.rules = rules
        self.version = version
        self.synonyms = synonyms
        self._load_model = model or self._fit_model
        self._model: SemanticModel | None = None
        self._by_id = {rule.id: rule for rule in rules}
        self.lexicon = _lexicon() if lexicon is None else lexicon
        self._rare = _rare_words() if lexicon is None else frozenset()
        self._names: list[_Name] = []
        self._scripted: list[tuple[Rule, str, tuple[str, ...], frozenset[str] | None]] = []
        for rule in rules:
            alone = {"".join(fold(name)) for name in rule.names}
            cues = dict(rule.cued)
            seen: set[tuple[str, ...]] = set()
            for name, parts in _name_forms(rule, (*rule.names, *cues)):
                squashed = "".join(parts)
                if squashed and not squashed.isascii():
                    self._scripted.append((rule, name, tuple(parts), cues.get(name)))
                elif squashed and tuple(parts) not in seen:  # a transliteration may spell a Latin name
                    seen.add(tuple(parts))
                    self._names.append(
                        _Name(
                            rule,
                            name,
                            squashed,
                            _allowed_edits(len(squashed)),
                            sound_key(squashed),
                            len(parts),
                            _lookalike_edits(len(squashed)),
                            tuple(sound_key(part) for part in parts),
                            tuple(parts),
                            tuple(len(parts) > 1 and part in alone for part in parts),
                            cues.get(name),
                        )
                    )
        self._squashed = [n.squashed for n in self._names]
        self._keys = [n.key for n in self._names]
        self._longest = max((len(n.squashed) for n in self._names), default=0) + 2
        self._descriptor_words = frozenset(w for r in rules for text in r.descriptors for w in fold(text))
        self._respellings = _respellings(rules)
        self._stems = _stem_index(self._names)
        self._cues = {(n.rule.id, n.text): n for n in self._names if n.cues is not None}

    @classmethod
    def from_file(cls, path: Path) -> "Policy":
        return cls.from_json(path.read_text(encoding="utf-8"))

    @classmethod
    def from_json(
        cls,
        text: str,
        *,
        model: "Callable[[], SemanticModel] | None" = None,
        lexicon: "frozenset[str] | None" = None,
    ) -> "Policy":
        data = json.loads(text)
        rules = [
            Rule(
                r["id"],
                r["category"],
                Outcome(r["outcome"]),
                tuple(r["names"]),
                tuple(r.get("descriptors", ())),
                frozenset(w for text in r.get("context", ()) for w in fold(text)),
                tuple(
                    (" ".join(fold(word)), frozenset(w for text in words for w in fold(text)))
                    for word, words in r.get("unless", {}).items()
                ),
                tuple(
                    (name, frozenset(w for text in words for w in fold(text)))
                    for name, words in r.get("cued", {}).items()
                ),
            )
            for r in data["rules"]
        ]
        synonyms = tuple(tuple(group) for group in data.get("synonyms", ()))
        return cls(rules, version=data.get("version"), model=model, lexicon=lexicon, synonyms=synonyms)

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
        prompt = _APOSTROPHE_ENDING.sub("", prompt)
        words = fold(prompt)
        present = set(words) | {w[:-1] for w in words if len(w) > 3 and w.endswith("s")}
        language = _rare_language(prompt, words) if self._rare else ""
        lexicon = self.lexicon if not self._rare or language else _Lexicon(self.lexicon, self._rare)
        hits: dict[str, Hit] = {}
        for hit in self._name_hits(words, present, lexicon=lexicon):
            if _better(hit, hits.get(hit.rule)) and not _negated(self._by_id[hit.rule], hit.matched, present):
                hits[hit.rule] = hit
        for hit in self._script_hits(words, present):
            if _better(hit, hits.get(hit.rule)):
                hits[hit.rule] = hit
        for hit in self._script_hits(words, present, near=True, skip=set(hits)):
            if hit.rule not in hits and not _negated(self._by_id[hit.rule], hit.matched, present):
                hits[hit.rule] = hit
        for hit in [
            *self._glyph_hits(prompt, words, present, lexicon),
            *self._spoken_hits(words, present, lexicon),
            *self._inflected_hits(words, present, lexicon, language),
        ]:
            if hit.rule not in hits and not _negated(self._by_id[hit.rule], hit.matched, present):
                hits[hit.rule] = hit
        if semantic and any(rule.descriptors for rule in self.rules):
            for s in self.model.score(self._respelled(words)):
                rule = self._by_id.get(s.rule)
                if rule is None or rule.id in hits or _negated(rule, s.matched, present):
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

    def _respelled(self, words: list[str]) -> list[str]:
        """The prompt's words for the semantic model, a word it does not hold spelled as the descriptor word
        that sounds the same (`_respellings`: "frozzen" as "frozen", "marbel" as "marvel"), unless it is a
        common word near a name (the lexicon): the model's own fuzzy match forgives letters, not sounds."""
        return [
            self._respellings.get(sound_key(w), w)
            if len(w) >= _RESPELL_MIN and w not in self._descriptor_words and w not in self.lexicon
            else w
            for w in words
        ]

    def _script_hits(
        self, words: list[str], present: "set[str]", near: bool = False, skip: "set[str] | None" = None
    ) -> list[Hit]:
        """Hits on names written in other scripts: exact names (`_script_match`), which take the rule's
        outcome, or with `near` (v9) respelled names (`_script_near`), look-alikes for review. A cued name
        (v9: "Эльза") counts only beside one of its words, and then for review, as in Latin letters."""
        if not self._scripted or all(w.isascii() for w in words):
            return []
        runs = _cjk_runs(words) + _script_runs(words)
        hits: list[Hit] = []
        for rule, text, parts, cues in self._scripted:
            if skip and rule.id in skip:
                continue
            if near:
                matched = _script_near(parts, words, runs, present, cues is not None)
            else:
                matched = _script_match(parts, words, runs)
            if matched is None:
                continue
            if cues is not None and cues.isdisjoint(present.difference(matched.split())):
                continue
            if near or cues is not None:
                hits.append(
                    Hit(rule.id, rule.category, Outcome.NEEDS_REVIEW, text, matched, int(near), "lookalike")
                )
            else:
                hits.append(Hit(rule.id, rule.category, rule.outcome, text, matched, 0))
        return hits

    def _spoken_hits(
        self, words: list[str], present: "set[str] | frozenset[str]", lexicon: "_Words | None" = None
    ) -> list[Hit]:
        """Look-alike hits on the prompt read with spoken spellings undone (`_spoken`: Japanese romaji
        "Loisshu", "jiburi", a Spanish "Naik", "Aifon", a conjunction of another language "Anna et Elsa"),
        with and without r read as l: only hits resting on a word the reading changed, that is not a common
        word near a name, and whose words then sound exactly like the name (or changed only by the
        conjunction) count, always for review."""
        out: list[Hit] = []
        seen: set[tuple[str, ...]] = set()
        readings = ((False, False, False), (True, False, False), (False, True, False), (False, False, True))
        for liquid, aspirate, diphthong in readings:
            common = self.lexicon if lexicon is None else lexicon
            variant = [w if w in common else _spoken(w, liquid, aspirate, diphthong) for w in words]
            if variant == words or tuple(variant) in seen:
                continue
            seen.add(tuple(variant))
            at = {i for i, (v, w) in enumerate(zip(variant, words, strict=True)) if v != w}
            changed = {variant[i] for i in at}
            for h in self._name_hits(variant, present, words, at, lexicon):
                got = h.matched.split()
                if not changed & set(got):
                    continue
                name = fold(h.name)
                rule = self._by_id[h.rule]
                if len("".join(name)) < 5 and (rule.context | _CUES).isdisjoint(present):
                    continue
                if sound_key("".join(got)) != sound_key("".join(name)) and not (
                    "and" in got and "and" in name and h.kind == "name"
                ):
                    continue
                out.append(
                    Hit(h.rule, h.category, Outcome.NEEDS_REVIEW, h.name, h.matched, h.edits, "lookalike")
                )
        return out

    def _inflected_hits(
        self, words: list[str], present: "set[str] | frozenset[str]", lexicon: "_Words", language: str = ""
    ) -> list[Hit]:
        """Hits on the prompt read with a name's endings and compound words undone (`_stem`, v8): a word
        that is a name's word plus an ending of some language ("Batmana", "Rutkowskiego", "Legos",
        "Disneyesque") or plus a word it is compounded with ("Legosteinen", "Pikachufigur",
        "Disneyprinzessin") is read as that word. Only hits resting on a word so read, as a word of the name
        hit, count; one that then spells the whole name exactly keeps the rule's outcome (an inflected name is
        the name), anything else is a look-alike for review. A word that is a common word of English, French,
        German, Spanish, Italian or Portuguese ("marion", "hulks", "ironisch"; the lexicon holds them), or of
        Dutch in a Dutch prompt, is left as it is unless the prompt holds a context word of that name's rule
        or, in a Polish prompt, the ending is Polish ("Grega")."""
        # the Polish list holds the names' own case forms ("batmana", "disneya"): not common words for this
        # reading, while a Dutch word stays one in a Dutch prompt ("vaderfiguur" is a father figure)
        common = lexicon if language == "nl" else _Lexicon(self.lexicon, self._rare)
        endings = _POLISH_ENDINGS if language == "pl" else frozenset()  # "Grega" is Greg's in Polish
        variant = [_stem(w, self._stems, common, present, endings) for w in words]
        if language == "pl":  # j writes the English y ("Disneja" is Disney's, as "Disneya") (v9)
            for i, w in enumerate(words):
                y = w.replace("j", "y")
                stem = _stem(y, self._stems, common, present, endings) if y != w and variant[i] == w else y
                if stem != y:
                    variant[i] = stem
        at = {i for i, (v, w) in enumerate(zip(variant, words, strict=True)) if v != w}
        if not at:
            return []
        changed = {variant[i] for i in at}
        out: list[Hit] = []
        for h in self._name_hits(variant, present | changed, words, at, lexicon):
            got = set(h.matched.split()) & changed
            name = fold(h.name)
            if not got or not got <= {*name, "".join(name)}:  # rests on a word read as a word of that name
                continue
            if h.edits and h.kind != "name":  # spelled within its budget, not only sounding alike ("wally")
                continue
            if h.edits or h.kind != "name":
                h = Hit(h.rule, h.category, Outcome.NEEDS_REVIEW, h.name, h.matched, h.edits, "lookalike")
            out.append(h)
        return out

    def _glyph_hits(
        self,
        prompt: str,
        words: list[str],
        present: "set[str] | frozenset[str]",
        lexicon: "_Words | None" = None,
    ) -> list[Hit]:
        """Look-alike hits on the prompt read with its homoglyphs undone (`_homoglyphs`: "Ioish" with a
        capital I for the l, "1oish", "rn" for "m", "vv" for "w"): only hits resting on a word the reading
        changed count, and always for review (a capital I is usually an I). v10: the reading must then spell
        the name or sound exactly like it ("Ioissh", "VVlopp"); a reading a letter off that sounds different
        is two guesses ("Irish" read "lrish", one letter off Loish)."""
        variant = _homoglyphs(prompt)
        if variant == words:
            return []
        changed = set(variant) - set(words)
        return [
            Hit(h.rule, h.category, Outcome.NEEDS_REVIEW, h.name, h.matched, h.edits, "lookalike")
            for h in self._name_hits(variant, present, lexicon=lexicon)
            if changed & set(h.matched.split())
            and (h.edits == 0 or sound_key("".join(h.matched.split())) == sound_key("".join(fold(h.name))))
        ]

    def _runs(
        self,
        words: list[str],
        originals: "list[str] | None" = None,
        touching: "set[int] | None" = None,
        lexicon: "_Words | None" = None,
    ) -> list[_Run]:
        """`originals`: the words as written, when `words` is a reading of them word for word (`_spoken`):
        whether a word is a common one is asked of what was written ("naik", not "nik"); `touching`: only
        the runs holding one of these words."""
        runs: list[_Run] = []
        keys = [sound_key(w) for w in words]
        lexicon = self.lexicon if lexicon is None else lexicon
        known = [w in lexicon for w in originals or words]
        first, last = (min(touching), max(touching)) if touching else (0, len(words))
        for start in range(min(last + 1, len(words))):
            joined = ""
            for end in range(start, len(words)):
                joined += words[end]
                if len(joined) > self._longest:
                    break
                if touching is not None and (end < first or touching.isdisjoint(range(start, end + 1))):
                    continue
                common = known[start : end + 1]
                runs.append(
                    _Run(
                        start,
                        tuple(words[start : end + 1]),
                        joined,
                        sound_key(joined),
                        tuple(keys[start : end + 1]),
                        all(common),
                        any(common),
                        tuple(common),
                    )
                )
        return runs

    def _name_hits(
        self,
        words: list[str],
        present: "set[str] | frozenset[str]" = frozenset(),
        originals: "list[str] | None" = None,
        touching: "set[int] | None" = None,
        lexicon: "_Words | None" = None,
    ) -> list[Hit]:
        """Name hits in two tiers (see the module docstring): spelled, within the name's typo budget and
        with the rule's outcome; and look-alike, by sound key, always for review. `present`: the prompt's
        words (and their singulars), for the rules' context words."""
        runs = self._runs(words, originals, touching, lexicon) if self._names else []
        if not runs:
            return []
        spelled = process.cdist(
            [r.joined for r in runs], self._squashed, scorer=OSA.distance, score_cutoff=2, dtype=np.int32
        )
        sounded = process.cdist(
            [r.key for r in runs], self._keys, scorer=OSA.distance, score_cutoff=2, dtype=np.int32
        )
        found: list[Hit] = []
        for i, j in zip(*np.nonzero(spelled <= 2), strict=True):
            name = self._names[j]
            cued = not (name.rule.context | _CUES).isdisjoint(present)
            hit = _spelled(runs[i], name, int(spelled[i, j]), cued)
            if hit is not None and not _someone_else(runs[i], name):
                found.append(hit)
        for i, j in zip(*np.nonzero(sounded <= 2), strict=True):
            name = self._names[j]
            hit = _sounded(runs[i], name, int(sounded[i, j]), bool(name.rule.context & present))
            if hit is not None and not _someone_else(runs[i], name):
                found.append(hit)
        return [_transliterated(c) for h in found if (c := _cued(h, self._cues, present)) is not None]


class _Lexicon:
    """The lexicon less the words only Polish's or Dutch's word lists hold (`data/lexicon.json` "rare"), for a
    prompt not in those languages: their lists carry millions of inflected forms and surnames ("pikach",
    "rutowski", "hogwart", "batmana"), which would otherwise shield misspellings in any language."""

    __slots__ = ("rare", "words")

    def __init__(self, words: "frozenset[str]", rare: "frozenset[str]") -> None:
        self.words = words
        self.rare = rare

    def __contains__(self, word: object) -> bool:
        return word in self.words and word not in self.rare


_Words = frozenset[str] | _Lexicon


_POLISH_LETTERS = re.compile("[ąćęłńśźż]", re.IGNORECASE)
# small words of Polish and Dutch: one of the first of each pair, or two of the second, mark the language
_POLISH_WORDS = (
    frozenset("sie stylu styl oraz jest przy dla ktory ktora ktore zdjecie obraz".split()),  # noqa: SIM905
    frozenset("w z ze na do pod nad od po".split()),  # noqa: SIM905
)
_DUTCH_WORDS = (
    frozenset(
        """het een zijn naar wordt achtergrond stijl ook niet uit schilderij tekening meisje jongen
        zonsondergang kleurrijk tussen boven naast mooie oude nieuwe grote kleine""".split()  # noqa: SIM905
    ),
    frozenset("met bij voor aan de van en op onder".split()),  # noqa: SIM905
)


def _marked(present: "set[str]", marks: "tuple[frozenset[str], frozenset[str]]") -> bool:
    return not marks[0].isdisjoint(present) or len(marks[1] & present) >= 2


def _rare_language(prompt: str, words: list[str]) -> str:
    """Whether a prompt looks Polish ("pl": its letters or small words) or Dutch ("nl": its small words), else
    ""."""
    present = set(words)
    if _POLISH_LETTERS.search(prompt) or _marked(present, _POLISH_WORDS):
        return "pl"
    return "nl" if _marked(present, _DUTCH_WORDS) else ""


# Endings a name takes in other languages (folded): plurals and possessives; German, Dutch and Nordic cases
# and articles; Polish, Czech and Slovak cases and adjectives ("Batmana", "Rutkowskiego", "Batmanowy");
# Finnish, Hungarian and Turkish cases ("Disneyn", "Batmannal", "Batmanin"); adjectives of style
# ("Disneyesque", "Ghibliesque", "disneyano", "pixariano"); diminutives and Japanese honorifics ("Batmancito",
# "Pikachuchan", "Miyazakisensei")
_ENDINGS = frozenset(
    """s es e en n er ern ens et ene erne ets ar arna or orna isch ische ischen ischer isches je tje tjes
    jes achtig achtige sk ske a u y i ie em om ow owie ami ach owi owy owa owe owego owej owym owymi
    owych owski owska owskie owskiego ego emu im ich ym ymi ovi uv ova ovo ovy ove ovsky ovska ovske lla
    lle ssa sta in ia ille ista ksi ja na lta nak nek val vel ban ben ot hoz hez rol tol nal nel un nin
    nun yi yu da de ta te la le lar ler lari leri dan den ano ana anos anas iano iana esco esca eschi
    esche ien ienne iens iennes esque eske esk ish like ified ify fied ish ism ismo ista istas iste ito
    ita itos itas inho inha zinho zinha verse mania cito cita citos citas ino ini etto etta chen lein
    chan kun san sama sensei""".split()  # noqa: SIM905
)
_POLISH_ENDINGS = frozenset(
    """a u e y i em om ie ow owi owie ami ach ego emu im ich ym ymi owy owa owe owego owej owym owymi owych
    owski owska owskie owskiego""".split()  # noqa: SIM905
)
# Words a name is compounded with in German, Dutch and the Nordic languages, or joined to in English
# ("Legosteinen", "Pikachufigur", "Disneyprinzessin", "Legoklossar", "batmansuit"); the rules' context words
# and the style cues count too
_HEADS = frozenset(
    """stein steine steinen steinchen steen stenen steentjes steentje blokjes blokken klossar klosser
    klodser brikker kloss klods figur figuren figurchen figuur figuurtjes figuurtje figurer figurine
    figurines mannchen mannetje mannetjes poppetje gubbe gubbar prinzessin prinzessinnen prinses
    prinsessen prinsessa prinsesse film filme filmen films filmer movie movies serie stil stijl bild
    bilder beeld welt wereld verden varlden universum universe park schloss kasteel slott slot burg set
    sets held helden heldin hero heroes heroine kostum kostume kostuum kostuums kostym kostyme kostymer
    costume costumes suit outfit maske masker mask helm helmet schuh schuhe schoen schoenen sko skor
    skoen sneaker sneakers shoes shoe logo logos flasche flaschen fles flessen flaske flaskor dose dosen
    blik spielzeug speelgoed legetoj leksaker leker toy toys party feest fest torte taart kuchen kake
    kaka cake motiv motief fan fans fanart comic comics strip karte karten kaart kaarten kort card cards
    plusch knuffel kuscheltier stofftier plush zeichnung tekening teckning tegning drawing stadt stad
    city town land landschaft figure figures character characters kleid kleider jurk jurkje klanning
    kjole dress charakter personage poster plakat tasse becher mok shirt tshirt hoodie art artwork style
    styled""".split()  # noqa: SIM905
)
# Words a name is joined after ("babyyoda", "minipikachu", "chibibatman")
_PREFIXES = ("baby", "mini", "mega", "super", "chibi", "kawaii", "lil", "cyber", "neo", "retro", "lego")


def _stem_index(names: "list[_Name]") -> "dict[str, tuple[tuple[str, frozenset[str], bool], ...]]":
    """A name's words of 4+ letters (and a several-word name's letters joined, "spiderman", "cocacola"), by
    their first four letters, longest first, each with its rule's context words and whether it is a whole
    name ("yoda", not "logo" of "Apple logo"), for `_stem`."""
    index: dict[str, dict[str, tuple[set[str], list[bool]]]] = {}
    for name in names:
        words = [w for w in name.part_words if len(w) >= 4 and w.isalpha()]
        if name.parts > 1 and name.squashed.isalpha():
            words.append(name.squashed)
        for w in words:
            context, whole = index.setdefault(w[:4], {}).setdefault(w, (set(), [False]))
            context.update(name.rule.context)
            whole[0] = whole[0] or w == name.squashed
    return {
        k: tuple(sorted(((w, frozenset(c), b[0]) for w, (c, b) in v.items()), key=lambda p: -len(p[0])))
        for k, v in index.items()
    }


def _stem(
    word: str,
    index: "dict[str, tuple[tuple[str, frozenset[str], bool], ...]]",
    lexicon: "_Words",
    present: "set[str] | frozenset[str] | None" = None,
    endings: "frozenset[str]" = frozenset(),
) -> str:
    """The name's word that `word` is, with an ending or a compounded word undone (see
    `Policy._inflected_hits`), or `word` itself; a word of `lexicon` only beside a context word of the
    name's rule (`present`: the prompt's words; None: always, to find the words the lexicon must hold) or
    when its ending is one of `endings` (the prompt's language's own)."""
    if len(word) < 5 or not word.isascii() or not word.isalpha():
        return word
    if any(word == w for w, _, _ in index.get(word[:4], ())):
        return word
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            rest = word[len(prefix) :]
            for stem, context, whole in index.get(rest[:4], ()):
                if rest == stem and whole:
                    if present is not None and word in lexicon and context.isdisjoint(present):
                        return word
                    return stem
    for stem, context, _ in index.get(word[:4], ()):
        if not word.startswith(stem) or len(word) == len(stem):
            continue
        rest = word[len(stem) :]
        if not (rest in _ENDINGS or rest in _HEADS or rest in context or rest in _CUES):
            continue
        if present is not None and word in lexicon and context.isdisjoint(present) and rest not in endings:
            return word
        return stem
    return word


def _transliterated(hit: Hit) -> Hit:
    """A hit on a Cyrillic name read in Latin letters (`_name_forms`) is a look-alike for review: a
    respelling, whose neighbours are other names' ("Sam Yan" is one edit from "Sem Yan")."""
    if hit.kind == "lookalike" or not _CYRILLIC.search(hit.name):
        return hit
    return Hit(hit.rule, hit.category, Outcome.NEEDS_REVIEW, hit.name, hit.matched, hit.edits, "lookalike")


def _cued(hit: Hit, cued: "dict[tuple[str, str], _Name]", present: "set[str] | frozenset[str]") -> Hit | None:
    """A hit on a cued name (`Rule.cued`) only beside one of its words (misspelt, or a look-alike, also beside
    a context word of its rule), and then for review; any other hit as it is."""
    name = cued.get((hit.rule, hit.name))
    if name is None or name.cues is None:
        return hit
    matched = hit.matched.split()
    words = name.cues if "".join(matched) == name.squashed else name.cues | name.rule.context
    if words.isdisjoint(set(present).difference(matched)):
        return None
    return Hit(hit.rule, hit.category, Outcome.NEEDS_REVIEW, hit.name, hit.matched, hit.edits, "lookalike")


def _name_forms(rule: Rule, names: "tuple[str, ...]") -> "list[tuple[str, list[str]]]":
    """Each name with its folded words and (v8), for a living artist's name of two words, those words the
    other way round too: family name first, as Japanese, Chinese, Korean and Hungarian write it and many
    prompts copy ("Miyazaki Hayao", "Amano Yoshitaka", "Rutkowski Greg"); a name in Cyrillic also in Latin
    letters as Russian and Ukrainian speakers write it, from 6 letters (`_TRANSLIT`: "Chelovek-pauk",
    "Betmen", "Garri Potter"), so that the Latin tiers match it and its misspellings."""
    out: list[tuple[str, list[str]]] = []
    words = {w for name in names if "".join(fold(name)).isascii() for w in fold(name)}
    for name in names:
        parts = fold(name)
        out.append((name, parts))
        if parts and all(_CYRILLIC.match(ch) for ch in "".join(parts)):
            latin = [p.translate(_TRANSLIT) for p in parts]
            # from 6 letters (a shorter one is a word of some language: "valli", "naik"), and not a word
            # the rule's Latin names hold only within a longer name ("marvel" of "Marvel Comics")
            if len("".join(latin)) >= 6 and "".join(latin) not in words:
                out.append((name, latin))
        if rule.category == "living_artist" and len(parts) == 2 and "".join(parts).isascii():
            out.append((name, parts[::-1]))
    return out


#: v10: a Polish case ending written after an apostrophe (or a typographic one), as Polish does after a
#: foreign name whose last letter is not read as written ("Harry'ego Pottera", "Mickey'emu Potterowi"):
#: dropped, so the name's words stay side by side ("harry pottera" is within Harry Potter's typo budget,
#: "harry ego pottera" was not). Only the endings of two or three letters after a word of three letters or
#: more: a single letter after an apostrophe may be the name's own ("Artger'm", "L'ego").
_APOSTROPHE_ENDING = re.compile(
    r"(?<=[^\W\d_]{3})['\u2019\u2018\u02bc](?:ego|emu|owi)(?![^\W\d_])", re.IGNORECASE
)
_CAPITAL_I = re.compile(r"(?<![A-Za-z])I(?=[a-z])|(?<=[a-z])I|(?<=[a-z])1|1(?=[a-z])")
_GLYPH_PAIRS = (("rn", "m"), ("vv", "w"))


def _homoglyphs(prompt: str) -> list[str]:
    """The prompt's words read with letters that look alike swapped back: a capital I or a 1 beside small
    letters as an l ("Ioish", "1oish" → "loish"; fold would make them an i), "rn" as "m" and "vv" as "w"
    ("Marnio", "vvlop"). The reading is a guess, so what it finds is only ever a look-alike."""
    return [_glyph_word(w) for w in fold(_CAPITAL_I.sub("l", prompt))]


def _glyph_word(word: str) -> str:
    for seen, meant in _GLYPH_PAIRS:
        word = word.replace(seen, meant)
    return word


def _lookalike(run: _Run, name: _Name, edits: int) -> Hit:
    rule = name.rule
    return Hit(rule.id, rule.category, Outcome.NEEDS_REVIEW, name.text, run.matched, edits, "lookalike")


def _ends_kept(joined: str, target: str) -> bool:
    """Same first letter and, under 7 letters, same last: "pixer" for "pixar", not "maria" for "mario"; from
    7 letters the last may be the edit ("pokemom" for "pokemon": a short name's last letter carries too much
    of it, a longer one's does not; real words are kept out by the lexicon before this is asked)."""
    return joined[0] == target[0] and (len(target) >= 7 or joined[-1] == target[-1])


def _swapped(joined: str, target: str) -> bool:
    """Two neighbouring letters swapped, wherever they are ("loihs", "lwop", "wlpo" for "loish" and "wlop"):
    asked of a run one edit from the name, so the same letters in the same number mean a transposition."""
    return len(joined) == len(target) and sorted(joined) == sorted(target)


_CUES = frozenset(
    {
        "style",
        "styled",
        "by",
        "fan",
        "fanart",
        "inspired",
        "cosplay",
        "estilo",
        "stil",
        "stile",
        "styl",
        "stylu",
        "stijl",
        "tyyli",
        "poster",
        "fuu",
    }
)
"""Words that show a prompt is asking for someone's style or a character (any rule): with one of them, an
end edit on a one-word name of 5-6 letters is worth a review ("Ghibl style"), see `_spelled`."""


def _anchored(run: _Run, name: _Name) -> bool:
    """A run of a several-word name, word for word, with one word (3+ letters) spelled exactly and the one
    edit in another word that keeps its first letter and either stops short ("Sam Yan", "Mickey Mous") or is
    not a real word: the exact word anchors the guess, so the edited word may be a real one when it is
    the name's word cut short, but "iron mat" (a real word, changed) is not "Iron Man"."""
    if run.count != name.parts or run.count < 2:
        return False
    pairs = list(zip(run.words, name.part_words, run.known or (True,) * run.count, strict=True))
    if not any(w == nw and len(w) >= 3 for w, nw, _ in pairs):
        return False
    return all(w == nw or (w[0] == nw[0] and (nw.startswith(w) or not known)) for w, nw, known in pairs)


def _end_edit(run: _Run, name: _Name) -> bool:
    """One word and a one-word name of 5-6 letters, the same but for the last letter, changed or dropped
    ("ghiblo", "ghibl", "mickeu", "batma", "gothan"); one added is left out, as it makes other names and
    words ("pixart", "yoshio"), and a doubled one is the sound tier's."""
    joined, target = run.joined, name.squashed
    if run.count != 1 or name.parts != 1 or not 5 <= len(target) <= 6 or run.partly_common:
        return False
    return joined.startswith(target[:-1]) and len(joined) <= len(target)


def _negated(rule: Rule, matched: str, present: "set[str] | frozenset[str]") -> bool:
    """Whether a hit on `rule` that matched `matched` rests on a word the prompt's context shows to mean
    something else (the rule's `unless`: "Nike" with "goddess"); a fuller match ("Nike swoosh") stands, and
    so does a bare word beside one of the rule's own context words ("Nike sneakers on a statue"). A match
    of that word with words that are themselves among the words showing the other meaning is that word
    (v9: "ghibli wind", two letters from "Ghiblified", is the desert wind)."""
    got = set(matched.split())
    return rule.context.isdisjoint(present) and any(
        (matched == word or (word in got and got - {word} <= words)) and not words.isdisjoint(present)
        for word, words in rule.unless
    )


def _spelled(run: _Run, name: _Name, edits: int, cued: bool = False) -> Hit | None:
    """A run within the name's typo budget (an inner edit under 8 letters) takes the rule's outcome, unless
    it is made of real words: one word ("thanks", "barman") or words that do not line up with the name's
    ("cola bottle") are those words; lined-up real words ("James Dean") are a look-alike for review.
    Beyond the budget, one edit (a transposition included) on a name of 4+ letters, keeping its first
    letter (and its last under 7 letters) unless it swaps two neighbouring letters ("lwop"), is a look-alike
    when no word of the run is a real word ("loisch", "pixer", "pokemom", "loihs"); a real word is left to
    `_sounded` (same sound and a context word). Two more shapes of that one edit are look-alikes: on a name
    of several words, one word spelled exactly and the other dropping its last letters or not a real word
    (`_anchored`: "Sam Yan", "Peter Parke"); on a one-word name of 5-6 letters, its last letter changed,
    dropped or doubled when the prompt is `cued` (a context word of the rule or a style cue, `_CUES`:
    "Ghibl style", "art by Mickeu")."""
    short = len(name.squashed) < 8
    if edits > name.edits or (edits and short and not _inner_edit(run.joined, name.squashed)):
        if edits != 1 or len(name.squashed) < 4:
            return None
        anchored = _anchored(run, name)
        if not (
            anchored
            or _ends_kept(run.joined, name.squashed)
            or _swapped(run.joined, name.squashed)
            or (cued and _end_edit(run, name))
        ):
            return None
        if run.count not in (1, name.parts) or (run.count > 1 and not _aligned(run, name)):
            return None
        if run.partly_common and not anchored:
            return None
        return _lookalike(run, name, edits)
    if edits and run.common:
        if run.count == 1 or run.count != name.parts or not _aligned(run, name):
            return None
        return _lookalike(run, name, edits)
    if edits and run.count == name.parts > 1 and not _named_aligned(run, name):
        return None
    if edits > 1 and run.count == 1 and name.parts > 1 and not _spread(run.joined, name.part_words):
        return None
    rule = name.rule
    return Hit(rule.id, rule.category, rule.outcome, name.text, run.matched, edits)


def _spread(joined: str, parts: tuple[str, ...]) -> bool:
    """Whether one word written for a name of several words splits into pieces, one per name word, each
    within one edit of its word (two for a word of 10+ letters): two typos on a joined name are spread over
    its words ("mikeymause" for "Mickey Mouse"), not both in one short word ("spiderweb" is not "Spider-Gwen":
    "web" is two edits from "gwen"). The same holds for sound keys (`_sounded`, with the words' keys)."""
    reach = {0}  # where the pieces written so far may end
    for part in parts:
        cap = max(1, _allowed_edits(len(part)))
        reach = {
            end
            for start in reach
            for end in range(start + max(1, len(part) - cap), min(len(joined), start + len(part) + cap) + 1)
            if OSA.distance(joined[start:end], part, score_cutoff=cap) <= cap
        }
    return len(joined) in reach


def _sounded(run: _Run, name: _Name, near: int, context: bool = False) -> Hit | None:
    """A run whose sound key is within `_lookalike_edits` of the name's, keeping the first letter (and the
    last under 10 letters): a look-alike for review. A real word alone is that word ("batsman", "site");
    words that do not line up with the name's must not be real words ("bad man" is not "Batman"); words that
    do must each be within one edit ("micky maus", but not "princess in" for "Princess Peach"). A real word
    that sounds exactly like the name is a look-alike beside one of the rule's context words."""
    if near > name.near or (run.count == 1 and run.common and (near or not context)):
        return None
    if _CYRILLIC.match(name.text):  # a name read in Latin letters is a respelling already: by spelling only
        return None
    if near and run.count not in (1, name.parts) and run.partly_common:
        return None
    if near and run.count == name.parts > 1 and not _aligned(run, name):
        return None
    if near > 1 and run.count == 1 and name.parts > 1 and not _spread(run.key, name.part_keys):
        return None
    if run.key[0] != name.key[0] or (near and len(name.squashed) < 10 and run.key[-1] != name.key[-1]):
        return None
    return _lookalike(run, name, OSA.distance(run.joined, name.squashed))


_CONJUNCTIONS = frozenset({"et", "y", "und", "e", "en", "i", "og", "och", "ve"})
_SPOKEN = (
    (re.compile(r"([aeiou])\1+"), r"\1"),  # long vowels: "poutoreeto", "harii", "pottaa"
    (re.compile(r"ou"), "o"),
    (re.compile(r"t?sj"), lambda m: "ch" if m[0] == "tsj" else "sh"),  # Dutch "tsj", "sj" (v9): "Pikatsjoe"
    (re.compile(r"oe"), "u"),  # Dutch "oe" (v9)
    (re.compile(r"ai|ay(?=[^aeiouy])"), "i"),  # "Aifon", "Naik", "Ayron": the English long i in Spanish
    (re.compile(r"^e(?=s[^aeiouy])"), ""),  # the e Spanish and Portuguese put before s and a consonant (v8)
)
_ROMAJI = (
    (re.compile(r"(?<=[bdgkmpstzfh])u(?=[bdgkmpstzfhrnwy])"), ""),  # a vowel katakana adds: "jiburi"
    (re.compile(r"(?<=[skfh])u$|(?<=[td])o$"), ""),  # and at the end: "Loisshu", "Rutto"
    (re.compile(r"^ji"), "gi"),
)
# a word spelled as romaji: syllables of a consonant (or sh, ch, ts; a small tsu doubles it), an optional y,
# vowels, and an n before a consonant or at the end ("jiburi", "loisshu"; not "suscite")
_ROMAJI_WORD = re.compile(
    r"(?:(?:([kstpgdbcfhjmlr])(?=\1))?(?:sh|ch|ts|[bdfghjklmnprstwz])?y?[aeiou]+(?:n(?![aeiouy]))?)+"
)


def _spoken(word: str, liquid: bool = False, aspirate: bool = False, diphthong: bool = False) -> str:
    """A folded word with spoken spellings undone (v7): a conjunction of another language as "and", and in a
    word of 4+ letters long vowels written double, "ou" for o and "ai" for the long i ("aifon", "naik");
    a word spelled as romaji (`_ROMAJI_WORD`) also loses the vowels katakana adds after a consonant and reads
    "ji" as a hard g, and with `liquid` r as l ("jiburi" → "gibli"), romaji having one letter for both;
    `aspirate` gives back the h that French and Spanish speakers drop or write as j ("Ari", "Jari" →
    "hari"); with `diphthong` (v8) "ei" is the English long a as Spanish writes it ("Veider" → "vader")."""
    if word in _CONJUNCTIONS:
        return "and"
    if len(word) < (3 if aspirate else 4) or not word.isascii() or not word.isalpha():
        return word
    romaji = _ROMAJI_WORD.fullmatch(word) is not None
    if diphthong and len(word) >= 6:  # "veider", not "weill"
        word = word.replace("ei", "a")
    for pattern, repl in _SPOKEN + (_ROMAJI if romaji else ()):
        word = pattern.sub(repl, word)
    if aspirate and word[0] in "aeiouj":
        word = "h" + (word[1:] if word[0] == "j" else word)
    return word.replace("r", "l") if liquid and romaji else word


_KATAKANA = re.compile("[\u30a0-\u30ff]")
_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэіґ", "abvgdeziyklmnoprstufyeig", strict=True)),
        **{"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": ""},  # noqa: RUF001
        **{"ю": "yu", "я": "ya", "ї": "yi", "є": "ye", "-": ""},
    }
)
_HANGUL = re.compile("[\uac00-\ud7af]")
_KO_PARTICLES = frozenset(
    "의 은 는 이 가 을 를 와 과 로 으로 에 에서 도 만 처럼 같은 풍 풍의 스타일 스타일의 스타일로".split()  # noqa: SIM905
) | {""}
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_HAN = re.compile("[\u4e00-\u9fff]{2}")
_ZH_CUES = tuple(
    "风格 風格 画风 畫風 风 風 式 标志 標誌 商标 商標 品牌 公司 英雄 漫画 漫畫".split()  # noqa: SIM905
    + "电影 電影 宇宙 鞋 球鞋 积木 積木 人物 角色 logo".split()  # noqa: SIM905
)
"""What may follow a two-character Chinese name (v8): style, logo, trademark, brand, company, heroes,
comics, film, universe, shoes, bricks, characters (simplified and traditional)."""


def _zh_cues_after(run: str, name: str) -> list[str]:
    """The first cue of `_ZH_CUES` right after a place `name` occurs in `run` (none: []): a two-character
    name counts only followed by one ("漫威风格", "耐克标志", "王凌风格"), since two characters so often sit
    inside ordinary words ("浪漫威尼斯" is romantic Venice, "忍耐克服" to endure and overcome)."""
    at = run.find(name)
    while at >= 0:
        after = run[at + len(name) :]
        cue = next((cue for cue in _ZH_CUES if after.startswith(cue)), None)
        if cue is not None:
            return [cue]
        at = run.find(name, at + 1)
    return []


_RU_STEM = re.compile("(?:ии|ыи|ои)$|(?<=[аеоуэюя])и$|[аяь]$")
_RU_ENDINGS = frozenset(
    "_ а я у ю е ом ем ои еи ы и ов ев ам ям ами ями ах ях ого его ому ему им ым ых их ую ая ое ии ыи".split()  # noqa: RUF001, SIM905
)
_RU_KEYED_ENDINGS = frozenset(cyrillic_key(e) for e in _RU_ENDINGS - {"_"}) | {""}


def _cjk_runs(words: list[str]) -> list[str]:
    """The prompt's Chinese, Japanese and Korean text, neighbouring CJK words joined (spaces and punctuation
    between them dropped: "詹姆斯·吉恩风格" → "詹姆斯吉恩风格")."""
    runs: list[str] = []
    joining = False
    for w in words:
        if is_cjk(w):
            if joining:
                runs[-1] += w
            else:
                runs.append(w)
        joining = is_cjk(w)
    return runs


_SCRIPTS = (
    ("greek", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("hebrew", re.compile("[\u0590-\u05ff]")),
    ("arabic", re.compile("[\u0600-\u06ff]")),
    ("indic", re.compile("[\u0900-\u0dff]")),
    ("thai", re.compile("[\u0e00-\u0e7f]")),
)


def _script(word: str) -> str:
    """Which of the scripts matched as runs (v8: Greek, Hebrew, Arabic, Indic, Thai) a folded word is in, or
    ""."""
    return next((name for name, pattern in _SCRIPTS if pattern.match(word)), "")


def _script_runs(words: list[str]) -> list[str]:
    """The prompt's Greek, Hebrew, Arabic, Indic and Thai text, neighbouring words of one script joined
    without their spaces (an Arabic or Hebrew prefix, a Thai word without spaces, a Greek article all leave
    the name inside the run: "وباتمان", "ปิกาจูในทุ่ง"), each run starting with a marker of its script so
    that runs of two scripts never meet."""
    runs: list[str] = []
    last = ""
    for w in words:
        script = _script(w)
        if script and script == last:
            runs[-1] += w
        elif script:
            runs.append(w)
        last = script
    return runs


def _ru_form(word: str, name_word: str) -> bool:
    """A folded Cyrillic prompt word is the name's word or one of its case forms ("Рутковского" for
    "Рутковский", "Человека-паука" for "Человек-паук", "Диснея" for "Дисней"): the name's word less its
    ending, plus a Russian case ending; a foreign name in -o or -i stays as it is ("Мария" is not "Марио")."""
    if word == name_word:
        return True
    stem = _RU_STEM.sub("", name_word) if len(name_word) >= 4 else name_word
    return word.startswith(stem) and (word[len(stem) :] or "_") in _RU_ENDINGS


def _script_match(parts: tuple[str, ...], words: list[str], runs: list[str]) -> str | None:
    """Where a name written in another script occurs in the prompt, as a whole name (v7): Cyrillic word by
    word in any case form (`_ru_form`); Korean word by word, its last word followed by particles or nothing
    ("샘 양의"), a one-word name starting a word; Chinese and Japanese (no spaces) anywhere in the joined CJK
    text, from three characters, and a katakana name under four not inside a longer katakana word ("レゴ" is
    not in "レゴリス")."""
    squashed = "".join(parts)
    if _CYRILLIC.match(squashed) or _HANGUL.match(squashed):
        n = len(parts)
        last = parts[-1]
        for i in range(len(words) - n + 1):
            got = words[i : i + n]
            if _CYRILLIC.match(squashed):
                ok = all(_ru_form(w, p) for w, p in zip(got, parts, strict=True))
            else:
                rest = got[-1][len(last) :]
                ok = got[:-1] == list(parts[:-1]) and got[-1].startswith(last)
                ok = ok and (len(squashed) >= 3 or rest in _KO_PARTICLES)
            if ok:
                return " ".join(got)
        return None
    if _script(squashed):
        return next((squashed for run in runs if len(squashed) >= 3 and squashed in run), None)
    if len(squashed) == 2 and _HAN.fullmatch(squashed):
        return next((squashed + cue for run in runs for cue in _zh_cues_after(run, squashed)), None)
    if len(squashed) < 2 or (len(squashed) < 3 and not _KATAKANA.fullmatch(squashed[0])):
        return None
    for run in runs:
        at = run.find(squashed)
        while at >= 0:
            end = at + len(squashed)
            edges = (run[at - 1] if at else "") + (run[end] if end < len(run) else "")
            if (
                len(squashed) >= 4
                or not all(_KATAKANA.match(ch) for ch in squashed)
                or not _KATAKANA.search(edges)
            ):
                return squashed
            at = run.find(squashed, at + 1)
    return None


_NEAR_MIN = 3
"""Fewest characters (of its key) a name in another script needs to be matched respelled (v9)."""


def _script_near(
    parts: tuple[str, ...],
    words: list[str],
    runs: list[str],
    present: "set[str] | frozenset[str]",
    cued: bool = False,
) -> str | None:
    """Where a name written in another script occurs respelled, by its script's sound key
    (`genip.checker.scripts`, v9), from three characters of the key, its first letter or character as
    written: Cyrillic word by word in any case form, a name whose key is under five letters or has a word
    under three only beside a Russian style cue (`_RU_CUES`: "легко" is easy, not "Лего") unless it is a
    `cued` name, which has cues of its own; Korean word by
    word as in `_script_match`; Arabic inside a run of its script; kana and Chinese characters inside the
    joined CJK text (`_kana_near`, `_han_near`)."""
    squashed = "".join(parts)
    n = len(parts)
    if _CYRILLIC.match(squashed) or _HANGUL.match(squashed):
        cyrillic = _CYRILLIC.match(squashed) is not None
        if (len(cyrillic_key(squashed)) if cyrillic else len(squashed)) < _NEAR_MIN:
            return None
        short = len(cyrillic_key(squashed)) < 5 or min(len(cyrillic_key(p)) for p in parts) < 3
        if cyrillic and short and not cued and _RU_CUES.isdisjoint(present):
            return None
        for i in range(len(words) - n + 1):
            got = words[i : i + n]
            if got[0][:1] != parts[0][:1]:
                continue
            if cyrillic:
                ok = all(_ru_near(w, p) for w, p in zip(got, parts, strict=True))
            else:
                last = hangul_key(parts[-1])
                ok = [hangul_key(w) for w in got[:-1]] == [hangul_key(p) for p in parts[:-1]]
                ok = ok and hangul_key(got[-1])[: len(last)] == last
                ok = ok and got[-1][len(parts[-1]) :] in _KO_PARTICLES
            if ok:
                return " ".join(got)
        return None
    if _script(squashed) == "arabic":
        key = arabic_key(squashed)
        return next((squashed for run in runs if len(key) >= _NEAR_MIN and key in arabic_key(run)), None)
    if all(_KANA.match(ch) for ch in squashed):
        return _kana_near(squashed, runs)
    if len(squashed) >= _NEAR_MIN and all(_HAN_CHAR.match(ch) for ch in squashed):
        return _han_near(squashed, runs)
    return None


_RU_CUES = frozenset(
    "стиле стиль стилистике логотип логотипом логотипа лого бренд бренда марки фанарт".split()  # noqa: SIM905
    + "косплей персонаж постер мультфильм фильма героя комикс комикса".split()  # noqa: SIM905
)
"""Words beside which a short Cyrillic name counts respelled (v9): style, logo, brand, fan art, cosplay,
character, poster, cartoon, film, hero, comic."""


_KANA = re.compile("[\u3041-\u30ff]")
_HIRAGANA = re.compile("[\u3041-\u309f]")
_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _ru_near(word: str, name_word: str) -> bool:
    """`_ru_form` on sound keys: a Cyrillic word is a respelling of the name's word or of one of its case
    forms."""
    key = cyrillic_key(word)
    if key == cyrillic_key(name_word):
        return True
    stem = cyrillic_key(_RU_STEM.sub("", name_word) if len(name_word) >= 4 else name_word)
    return key.startswith(stem) and key[len(stem) :] in _RU_KEYED_ENDINGS


_KANA_CUES = ("風", "ふう", "スタイル", "調", "っぽい")
"""What must follow a respelled kana name of three characters (v9): style ("ピクサ風"); a short respelling
alone is as often a given name ("ミツキ" is Mitsuki, not "ミッキー")."""
_PARTICLES = frozenset("のがをはにともでへや")
"""The hiragana particles that may stand right before a name written in hiragana (v9)."""


def _kana_near(name: str, runs: list[str]) -> str | None:
    """A kana name by its key in the joined CJK text: in katakana (a key under four characters not inside a
    longer katakana word and before a style cue, `_KANA_CUES`), or, from five, in hiragana as a word of its
    own (after no other hiragana than a particle: "すーぱーまりお", not "おしえたい"); and from eight
    characters of the key also one kana off, in katakana, as a whole word ("グレッグ・ルトコウスキー": a
    Polish w heard as u, not f)."""
    key, _ = kana_key(name)
    if len(key) < _NEAR_MIN:
        return None
    for run in runs:
        run_key, origins = _run_kana_key(run)
        for at, end, exact in _kana_spans(key, run_key):
            first, last = origins[at], origins[end - 1] + 1
            while last < len(run) and run[last] in "ー・":  # a long-vowel mark the key dropped
                last += 1
            found = run[first:last]
            edges = run[first - 1 : first] + run[last : last + 1]
            if all(_KATAKANA.match(ch) or ch in KANA_LOOKALIKES for ch in found):
                if exact and len(key) >= 4:
                    return found
                if not _KATAKANA.search(edges) and (not exact or run[last:].startswith(_KANA_CUES)):
                    return found
            elif exact and len(key) >= 5 and all(_HIRAGANA.match(ch) or ch == "ー" for ch in found):
                before = run[first - 1 : first]
                if not _HIRAGANA.match(before) or before in _PARTICLES:
                    return found
    return None


@lru_cache(maxsize=256)
def _run_kana_key(run: str) -> tuple[str, tuple[int, ...]]:
    """`kana_key` of a prompt's CJK run, computed once per run for all names."""
    return kana_key(run)


def _kana_spans(key: str, run_key: str) -> "Iterator[tuple[int, int, bool]]":
    """Where `key` is in `run_key` (start, end, exact), then, for a key of eight or more, the spans one
    edit from it that start with its first character."""
    at = run_key.find(key)
    while at >= 0:
        yield at, at + len(key), True
        at = run_key.find(key, at + 1)
    if len(key) < 8:
        return
    at = run_key.find(key[0])
    while at >= 0:
        for size in (len(key) - 1, len(key), len(key) + 1):
            window = run_key[at : at + size]
            if len(window) == size and OSA.distance(window, key, score_cutoff=1) == 1:
                yield at, at + size, False
        at = run_key.find(key[0], at + 1)


def _han_near(name: str, runs: list[str]) -> str | None:
    """A name in Chinese characters written with all but one of its characters as they are, that one
    another character of the same reading ("皮卡秋" for "皮卡丘", "平果" for "苹果") or one the dictionary
    lacks (an old form: "宮﨑駿"); with two or more so replaced it is ordinary text of the same sounds
    ("冰雪起源", the origin of ice and snow, is not "冰雪奇缘")."""
    readings = [han_readings(ch) for ch in name]
    n = len(name)
    for run in runs:
        # one character differs, so the first or the second is the name's
        starts = {m.start() for m in re.finditer(re.escape(name[0]), run)}
        starts |= {m.start() - 1 for m in re.finditer(re.escape(name[1]), run) if m.start()}
        for at in sorted(starts):
            window = run[at : at + n]
            if len(window) != n or window == name:
                continue
            differ = [(ch, want) for ch, want, w in zip(window, readings, name, strict=True) if ch != w]
            if len(differ) == 1:
                ch, want = differ[0]
                got = han_readings(ch)
                if _HAN_CHAR.match(ch) and (got == {ch} or not got.isdisjoint(want)):
                    return window
    return None


_RESPELL_MIN = 5


def _respellings(rules: "list[Rule]") -> dict[str, str]:
    """Sound key → a descriptor word of 5+ letters with that key (the first in order, if several), for
    `Policy._respelled`: a phonetic spelling of a descriptor word ("frozzen", "marbel") reaches the semantic
    model as the word itself. A word that is a descriptor on its own ("Weasley", "Spidey") is a name in all
    but name, left to the name tiers and their lexicon ("speedy" is not "Spidey")."""
    alone = {w for rule in rules for text in rule.descriptors if len(ws := fold(text)) == 1 for w in ws}
    out: dict[str, str] = {}
    for rule in rules:
        for text in rule.descriptors:
            for word in fold(text):
                if len(word) >= _RESPELL_MIN and word.isascii() and word.isalpha() and word not in alone:
                    out.setdefault(sound_key(word), word)
    return out


@cache
def _lexicon_file() -> dict[str, Any]:
    """`data/lexicon.json`, read once for both of its lists."""
    data: dict[str, Any] = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    return data


@cache
def _lexicon() -> frozenset[str]:
    return frozenset(_lexicon_file()["words"]) | _rare_words()


@cache
def _rare_words() -> frozenset[str]:
    return frozenset(_lexicon_file().get("rare", ()))


def _background() -> list[str]:
    prompts: list[str] = json.loads((DATA / "background.json").read_text(encoding="utf-8"))["prompts"]
    return prompts


def _fit(policy: Policy, background: list[str]) -> dict[str, Any]:
    from genip.checker.semantic import fit_data

    pairs = [(rule.id, text) for rule in policy.rules for text in rule.descriptors]
    return fit_data(policy.version or 0, pairs, background, policy.synonyms)


def model_data() -> dict[str, Any]:
    """The semantic model fitted on the shipped policy and background (what the build script writes)."""
    return _fit(Policy.from_json((DATA / "policy.json").read_text(encoding="utf-8")), _background())


DICTIONARIES = (
    "american-english",
    "british-english",
    "french",
    "ngerman",
    "spanish",
    "italian",
    "portuguese",
    "dutch",
    "polish",
)
"""Word lists (Debian's wamerican, wbritish, wfrench, wngerman, wspanish, witalian, wportuguese, wdutch and
wpolish, in /usr/share/dict) the lexicon is drawn from."""


RARE_LISTS = frozenset({"polish", "dutch"})
"""Word lists whose words count as common only in a prompt of their language (`_rare_language`): they hold
millions of inflected forms and surnames, among them the names' own ("batmana", "hogwart")."""


def names_digest(policy: Policy) -> str:
    """What a lexicon depends on: the policy's names and their sound keys (a change to either, or to
    `sound_key`, calls for a rebuild; tests/checker/test_policy.py checks it)."""
    names = sorted({(n.squashed, n.key) for n in policy._names})
    return hashlib.sha256(json.dumps(names).encode()).hexdigest()[:16]


def lexicon_data(policy: Policy, paths: "list[Path]") -> dict[str, Any]:
    """The common words near the policy's names (what `data/lexicon.json` holds): every word of the word lists
    at `paths` whose letters are within one edit of a name or a word of one (two from 8 letters, or from 6
    when the whole name allows two) or whose sound key is within one edit of theirs (two from 10, or from 6
    when the whole name allows two), and every word that reads as a name's word with an ending or a compounded
    word (`_stem`: "marion", "ironisch", "stars"). Only those can turn a run of real words into a look-alike,
    so only those are shipped (tens of thousands of words instead of millions); "rare" names those only the
    Polish or Dutch list holds (`RARE_LISTS`)."""
    budget: dict[str, tuple[int, int]] = {}  # word or name -> (spelling edits, sound edits) it can absorb
    for n in policy._names:
        for w in [*fold(n.text), n.squashed]:
            if len(w) >= 3:
                cap = 2 if len(w) >= 6 else 1  # two edits from a short word is just another word
                own = (
                    min(max(2 if len(w) >= 8 else 1, n.edits), cap),
                    min(max(2 if len(w) >= 10 else 1, n.near), cap),
                )
                old = budget.get(w, (0, 0))
                budget[w] = (max(own[0], old[0]), max(own[1], old[1]))
    targets = sorted(budget)
    keys = [sound_key(t) for t in targets]
    stems = _stem_index(policy._names)  # and the words a name's word with an ending or a head would read as
    spelled_budget = np.array([budget[t][0] for t in targets])
    sounded_budget = np.array([budget[t][1] for t in targets])
    vocabulary: set[str] = set()
    broad: set[str] = set()  # the words of the lists that are not RARE_LISTS
    for path in paths:
        found: set[str] = set()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            found.update(w for w in fold(line.split("/")[0]) if len(w) >= 2 and w.isalpha())
        vocabulary |= found
        if path.name not in RARE_LISTS:
            broad |= found
    words = sorted(vocabulary)
    kept: list[str] = []
    chunk = 20_000
    for at in range(0, len(words), chunk):
        part = words[at : at + chunk]
        spelled = process.cdist(part, targets, scorer=OSA.distance, score_cutoff=2, dtype=np.int32)
        near = [bool((row <= spelled_budget).any()) for row in spelled]
        rest = [i for i in range(len(part)) if not near[i]]
        if rest:
            sounded = process.cdist(
                [sound_key(part[i]) for i in rest], keys, scorer=OSA.distance, score_cutoff=2, dtype=np.int32
            )
            for i in np.nonzero((sounded <= sounded_budget).any(axis=1))[0].tolist():
                near[rest[i]] = True
        kept.extend(w for w, n in zip(part, near, strict=True) if n or _stem(w, stems, frozenset()) != w)
    return {
        "built_for": names_digest(policy),
        "notes": "Common words of English, French, German, Spanish, Italian, Portuguese, Dutch and Polish "
        "that lie near a name of the policy: a run made only of them is never a look-alike, and a misspelt "
        "name made only of them is for review, not a fail ('James Dean' is not 'James Jean'). 'rare': more "
        "such words, those only the Polish or Dutch list holds, common only in a prompt of those languages. "
        "Built by "
        "scripts/build_semantic_model.py --lexicon from Debian's word lists.",
        "sources": [path.name for path in paths],
        "words": [w for w in kept if w in broad],
        "rare": [w for w in kept if w not in broad],
    }


@cache
def default_policy() -> Policy:
    """The policy shipped with Gen-IP (`data/policy.json`) and its model (`data/semantic_model.json`)."""
    from genip.checker.semantic import SemanticModel

    return Policy.from_json((DATA / "policy.json").read_text(encoding="utf-8"), model=SemanticModel.shipped)
