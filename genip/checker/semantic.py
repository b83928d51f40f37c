"""Semantic matching: does a prompt *describe* a protected artist, character or brand without naming it?

Each rule of the policy carries a few short descriptors ("Polish fantasy illustrator", "Witcher 3 cover").
The model is a soft TF-IDF over folded, lightly stemmed words (Cohen, Ravikumar & Fienberg's SoftTFIDF):
every descriptor word gets an inverse-document-frequency weight fitted on the descriptors plus a background
corpus of generic prompt wording (`data/background.json`), so "fantasy", "painting" or "portrait" weigh
little and "Witcher", "Polish" or "swoosh" weigh a lot. A descriptor's score is the weighted share of its
words found in the prompt, a word counting as found when the prompt holds it or a spelling close to it
(normalised Indel similarity ≥ 0.85 on words of 5+ letters: "Witchr", "illustrater"); a descriptor of two
or more words needs two of them. A rule's score is its best descriptor's. Synonym groups from the policy
("illustrator", "painter", "cartoonist", "ilustradora", "Zeichnerin" → "artist"; "teen", "kid" → "boy";
"rodent", "souris", "muis" → "mouse"; "Japan" → "Japanese") are folded into one word before fitting and
scoring, so a paraphrase need not use the descriptor's own word or language; a hit shows the prompt's words
that matched. The articles and prepositions of eight languages are dropped (`STOPWORDS`). A quoted
descriptor is a phrase (a title or slogan of common words: "toy story", "just do it", "the boy who lived"):
it scores 1 only where the prompt holds its words in that order, so "a story about a toy" is not Toy Story.

Why not a neural sentence embedding: none ships its weights inside a PyPI wheel we could pin (model2vec,
fastembed and sentence-transformers fetch them from the Hugging Face hub at run time, which the checker must
never do), and a bag of descriptor words is what operators can read and tune. The fitted model is a JSON
file (`data/semantic_model.json`, about 650 kB for ~2 700 descriptors and phrases, built by
`scripts/build_semantic_model.py`, naming the policy version it was fitted on); it loads in a few
milliseconds on the first check and adds about 0.2 ms to a check (`scripts/bench_prompt_policy.py`).

Limits, stated plainly: it is lexical. A paraphrase is caught only as far as it shares distinctive words
(or their synonyms) with a descriptor: "a teen bitten by a radioactive spider" is caught because a
descriptor says "teen bitten by radioactive spider", not because the model knows who that is. A paraphrase
in another language is caught only where its words reach a descriptor through the synonym groups (French,
German, Spanish, Italian, Portuguese, Dutch, Polish, Russian) or a descriptor was written in that language
(Japanese, Chinese and Korean have no synonyms: their descriptors are written out). Chinese, Japanese and
Korean text has no spaces between words, so there the words compared are overlapping character pairs
("電気ネズミ" → 電気, 気ネ, ネズ, ズミ): a CJK descriptor matches when most of its pairs occur anywhere in the
prompt. Scores are evidence for a human, never a verdict: semantic hits send the prompt to `needs_review`
(names remain the only automatic `fail`).
"""

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Indel

__all__ = [
    "MODEL_VERSION",
    "REVIEW_THRESHOLD",
    "SemanticHit",
    "SemanticModel",
    "content_words",
]

MODEL_VERSION = 4
"""2: synonym groups (`"synonyms"`, stem → the group's stem) folded into the fit and into scoring; 3: words
of other scripts kept, Chinese, Japanese and Korean read as character pairs; 4: function words of seven more
languages dropped (`STOPWORDS`)."""
REVIEW_THRESHOLD = 0.8
"""A descriptor scoring at least this sends the prompt to review (tuned on the `tune` half of the labelled
prompts in tests/checker/data/prompts.jsonl; figures are reported on the `test` half)."""
FUZZY_SIMILARITY = 0.85
FUZZY_MIN_LENGTH = 5

STOPWORDS = frozenset(
    """a an the of in on at by for with from to and or but as into onto over under near like inspired
    style styled styles art artwork arts image picture render rendering drawn made known famous who whose
    that this these those is are was were be been his her their its he she they it one some very
    highly detailed high quality 4k 8k hd masterpiece trending best
    le la les un une des du de au aux et ou dans sur avec pour par qui que dont sa ses leur
    el los las una unos unas del al y o con por para cuyo cuya su sus estilo
    il lo gli uno di della dello dei degli delle alla allo nel nella per che suo sua stile
    um uma da dos das na em com seu sua
    der die das den dem ein eine einen einem einer eines und oder mit von vom im zum zur auf fur stil
    het een voor dat stijl ze od styl stylu
    famoso famosa famosi celebre beruhmt beruhmte beruhmten bekannt bekannte bekannten beroemd beroemde
    bekend slynny slynnego в с и на из от по для со к у о за""".split()  # noqa: SIM905, RUF001
)
"""English function words and generic art words, and the articles, prepositions, style words and "famous" of
French, Spanish, Italian, Portuguese, German, Dutch, Polish and Russian ("de", "der", "estilo", "stijl",
"berühmte"), so that a paraphrase in those languages is scored on its content words. Latin single letters
and words that are also English content words ("do", "am", "son", "van", "sin") are kept."""

_SPLIT = re.compile(r"[a-z0-9]+")


_RUSSIAN_ENDING = re.compile(
    "(ого|его|ому|ему|ыми|ими|ами|ями|ых|их|ым|им|ой|ей|ои|еи|ом|ем|ах|ях|ов|ев|ая|яя|ое|ее|ые|ие|ый|ий|ыи|ии|ую|юю"  # noqa: RUF001
    "|а|я|о|е|ы|и|у|ю|й)$"  # noqa: RUF001
)


def _stem(word: str) -> str:
    """A light English stem: plurals and common verb endings ("covers" → "cover", "painted" → "paint"); a
    Cyrillic word loses its case ending ("яблока", "яблоко" → "яблок"; adjectives too, their й folded to и:
    "польского", "польский" → "польск")."""
    if len(word) > 4 and "\u0400" <= word[0] <= "\u04ff":
        return _RUSSIAN_ENDING.sub("", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _pairs(word: str) -> list[str]:
    """A run of Chinese, Japanese or Korean characters as its overlapping character pairs ("電気ネズミ" →
    電気, 気ネ, ネズ, ズミ): those scripts put no spaces between words, so pairs are the words compared."""
    return [word[i : i + 2] for i in range(len(word) - 1)] or [word]


def content_words(words: Iterable[str], synonyms: Mapping[str, str] | None = None) -> list[str]:
    """Stems of the folded `words` that carry meaning (stopwords and lone digits dropped), each replaced by
    its synonym group's stem when `synonyms` maps it ("painter" → "artist"); a run of CJK characters gives
    its character pairs."""
    from genip.checker.folding import is_cjk

    stems: list[str] = []
    for w in words:
        if is_cjk(w):
            stems.extend(_pairs(w))
        elif w not in STOPWORDS and not w.isdigit():
            stems.append(_stem(w))
    if synonyms:
        return [synonyms.get(w, w) for w in stems]
    return stems


def synonym_map(groups: Iterable[Sequence[str]]) -> dict[str, str]:
    """Each member's stem → the stem of its group's first word (groups of single folded words)."""
    from genip.checker.folding import fold

    out: dict[str, str] = {}
    for group in groups:
        stems = [_stem(" ".join(fold(word))) for word in group]
        for stem in stems[1:]:
            if stem != stems[0]:
                out.setdefault(stem, stems[0])
    return out


@dataclass(frozen=True, slots=True)
class SemanticHit:
    """A rule whose descriptor the prompt came close to: which descriptor, its score, and the words found."""

    rule: str
    descriptor: str
    score: float
    matched: str


@dataclass(frozen=True, slots=True)
class _Descriptor:
    rule: str
    text: str
    words: tuple[tuple[str, float], ...]
    total: float


class SemanticModel:
    """Descriptor words with their IDF weights, ready to score prompts."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("model_version") != MODEL_VERSION:
            from genip.errors import ConfigError

            raise ConfigError(
                f"semantic model version {data.get('model_version')!r}, expected {MODEL_VERSION}"
            )
        self.policy_version: int = data["policy_version"]
        self.threshold: float = data.get("threshold", REVIEW_THRESHOLD)
        self._descriptors: list[_Descriptor] = []
        self._holding: dict[str, list[int]] = {}  # descriptor word -> the descriptors holding it
        for i, d in enumerate(data["descriptors"]):
            words = tuple((w, float(x)) for w, x in d["words"])
            self._descriptors.append(_Descriptor(d["rule"], d["text"], words, sum(x for _, x in words)))
            for w, _ in words:
                self._holding.setdefault(w, []).append(i)
        # quoted descriptors: phrases matched word for word ("House of Mouse"), by their first word
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for d in data.get("phrases", ()):
            phrase: tuple[str, ...] = tuple(d["phrase"])
            self._phrases.setdefault(phrase[0], []).append((phrase, d["rule"], d["text"]))
        self._synonyms: dict[str, str] = dict(data.get("synonyms", {}))
        self._vocabulary = sorted({w for d in self._descriptors for w, _ in d.words})
        self._known = frozenset(self._vocabulary)
        # fuzzy matching compares prompt words with every descriptor word and every synonym of one
        self._surface = {w: w for w in self._vocabulary} | {
            member: group for member, group in self._synonyms.items() if group in self._known
        }
        self._long = sorted(w for w in self._surface if len(w) >= FUZZY_MIN_LENGTH)
        # a word the model knows is compared with descriptor words only, so "watercolor" stays a medium and
        # is not taken for "watercolorist" (an artist); an unknown one with synonyms too ("illustrater")
        self._long_plain = [w for w in self._vocabulary if len(w) >= FUZZY_MIN_LENGTH]
        self._by_length: dict[tuple[int, bool], list[str]] = {}

    @classmethod
    def fit(
        cls, policy_version: int, descriptors: Sequence[tuple[str, str]], background: Sequence[str]
    ) -> "SemanticModel":
        """Fits IDF weights on the descriptors (`(rule id, text)` pairs) and the background lines."""
        return cls(fit_data(policy_version, descriptors, background))

    @classmethod
    def shipped(cls) -> "SemanticModel":
        """The model shipped with Gen-IP (`genip/checker/data/semantic_model.json`)."""
        text = files("genip.checker").joinpath("data/semantic_model.json").read_text(encoding="utf-8")
        return cls(json.loads(text))

    def _near_length(self, length: int, *, plain: bool) -> list[str]:
        """The words fuzzy matching compares a prompt word of `length` letters with: only those whose length
        allows the similarity (twice the common letters over all letters ≥ 0.85 needs the longer word at most
        1.35 times the shorter), kept per length once computed."""
        key = (length, plain)
        if key not in self._by_length:
            ratio = 2 / FUZZY_SIMILARITY - 1
            self._by_length[key] = [
                w
                for w in (self._long_plain if plain else self._long)
                if length / ratio - 1e-9 <= len(w) <= length * ratio + 1e-9
            ]
        return self._by_length[key]

    def _found(self, prompt_words: Sequence[str]) -> dict[str, tuple[float, str]]:
        """Each descriptor word the prompt holds (or nearly holds, or holds a synonym of): its similarity and
        the prompt's word. A prompt word counts for every descriptor word close to it ("youtube" for
        "youtube" and "youtuber")."""
        found: dict[str, tuple[float, str]] = {}
        for word in prompt_words:
            group = self._synonyms.get(word, word)
            if group in self._known:
                found[group] = (1.0, word)
            if len(word) < FUZZY_MIN_LENGTH:
                continue
            close = process.extract(
                word,
                self._near_length(len(word), plain=word in self._surface),
                scorer=Indel.normalized_similarity,
                score_cutoff=FUZZY_SIMILARITY,
                limit=None,
            )
            for surface, similarity, _ in close:
                known = self._surface[surface]
                if similarity > found.get(known, (0.0, ""))[0]:
                    found[known] = (float(similarity), word)
        return found

    def score(self, folded_words: Sequence[str]) -> list[SemanticHit]:
        """Every rule's best descriptor at or above the threshold, best first: a quoted descriptor (a phrase)
        scores 1 where the prompt holds its words in a row."""
        best: dict[str, SemanticHit] = {}
        for i, word in enumerate(folded_words):
            for phrase, rule, text in self._phrases.get(word, ()):
                if tuple(folded_words[i : i + len(phrase)]) == phrase:
                    best[rule] = SemanticHit(rule, text, 1.0, " ".join(phrase))
        found = self._found(content_words(folded_words))
        if not found:
            return sorted(best.values(), key=lambda h: (-h.score, h.rule))
        candidates = sorted({i for word in found for i in self._holding.get(word, ())})
        for d in (self._descriptors[i] for i in candidates):
            got = [(w, x, found[w]) for w, x in d.words if w in found]
            if not got or (len(d.words) > 1 and len(got) < 2):
                continue
            score = sum(x * sim for _, x, (sim, _) in got) / d.total
            if score >= self.threshold and (d.rule not in best or score > best[d.rule].score):
                matched = " ".join(word for _, _, (_, word) in got)
                best[d.rule] = SemanticHit(d.rule, d.text, round(score, 3), matched)
        return sorted(best.values(), key=lambda h: (-h.score, h.rule))


def fit_data(
    policy_version: int,
    descriptors: Sequence[tuple[str, str]],
    background: Sequence[str],
    synonyms: Iterable[Sequence[str]] = (),
) -> dict[str, Any]:
    """The JSON of a fitted model (what `scripts/build_semantic_model.py` writes); `synonyms` are groups of
    words scored as one (the first names the group)."""
    from genip.checker.folding import fold, is_cjk

    groups = synonym_map(synonyms)
    documents = [set(content_words(fold(text), groups)) for _, text in descriptors]
    documents += [set(content_words(fold(line), groups)) for line in background if line.strip()]
    df: dict[str, int] = {}
    for doc in documents:
        for word in doc:
            df[word] = df.get(word, 0) + 1
    n = len(documents)
    out = []
    phrases = []
    for rule, text in descriptors:
        if len(text) > 2 and text[0] == text[-1] == '"':
            phrase = fold(text)
            if len(phrase) > 1 and not any(is_cjk(w) for w in phrase):
                phrases.append({"rule": rule, "text": text.strip('"'), "phrase": phrase})
                continue
        words = list(dict.fromkeys(content_words(fold(text), groups)))
        if words:
            weighted = [[w, round(math.log((n + 1) / (df[w] + 1)) + 1.0, 4)] for w in words]
            out.append({"rule": rule, "text": text, "words": weighted})
    return {
        "model_version": MODEL_VERSION,
        "policy_version": policy_version,
        "threshold": REVIEW_THRESHOLD,
        "documents": n,
        "synonyms": dict(sorted(groups.items())),
        "descriptors": out,
        "phrases": phrases,
    }
