"""Folding a prompt into words the policy and the semantic model compare: case, accents and leetspeak undone.

The one place both read it (`genip.checker.policy`, `genip.checker.semantic`): a prompt that dodges the name
rules by spelling ("Gr3g Rutk0wski", "Ørsted") reaches both as the same words. Letters of other scripts are
kept as words of their own (Cyrillic, Greek; Chinese, Japanese and Korean as runs of characters, which
carry no spaces between words: `genip.checker.semantic` reads those as character pairs, see `is_cjk`), so a
description written in them can meet a descriptor written in them.
"""

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "is_cjk", "sound_key"]

_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "þ": "th", "\u0131": "i"}
)
# letters whose accent changes the sound, read before accents are dropped (v9): the s with a cedilla or comma
# is "sh" in Turkish, Romanian and Azerbaijani ("Loiş" is Loish)
_BEFORE_ACCENTS = str.maketrans({"ş": "sh", "Ş": "Sh", "ș": "sh", "Ș": "Sh"})
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
)
# A number with an ordinal or a unit ("15th", "3d", "4k", "35mm", "1080p"): digits, not leetspeak ("15th" is
# not "isth", a swapped "Sith")
_NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s|d|k|mm|cm|px|p|fps|x)")
# combining accents and the Devanagari nukta ("ज़" is "ज" written for a foreign sound); kana voicing marks and
# Hangul jamo stay
_ACCENTS = re.compile("[\u0300-\u036f\u093c]")
# Cyrillic and Greek letters that look like Latin ones, read as those inside a word that mixes them with Latin
# letters ("Batman" with a Cyrillic capital ve and a, "Nike" with a Greek capital nu): no Russian or Greek
# word does that, a dodge does (before case folding: a capital nu is an N, a small one a v)
_LOOKALIKES = "АВЕКМНОРСТУХІЈЅаеорсухіјѕԁһӏԛԝкΑΒΕΖΗΙΚΜΝΟΡΤΥΧαεικνορτυχ"
_HOMOGLYPHS = str.maketrans(_LOOKALIKES, "ABEKMHOPCTYXIJSaeopcyxijsdhlqwkABEZHIKMNOPTYXaeikvoptux")
_LATIN = re.compile("[A-Za-z]")
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")
_TO_CYRILLIC = str.maketrans("AaBEeKMHOoPpCcTyXx", "АаВЕеКМНОоРрСсТуХх")  # noqa: RUF001
_LOOKALIKE = re.compile(f"[{_LOOKALIKES}]")
# marks that belong inside a word of their script (Hebrew and Arabic points, Indic and Thai vowel signs), so
# "स्पाइडरमैन" stays one word
_MARKS = "\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0dff\u0e00-\u0e7f"
# ASCII words, then runs of other letters (a Latin word never runs into a Cyrillic or CJK one)
_WORDS = re.compile(rf"[a-z0-9]+|(?:[^\W\da-z_]|[{_MARKS}])+")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def is_cjk(word: str) -> bool:
    """Whether a folded word is in Chinese, Japanese or Korean characters (no spaces between its words)."""
    return _CJK.match(word) is not None


def fold(text: str) -> list[str]:
    """The words of `text` after folding case, accents and leetspeak (see the module docstring)."""
    text = unicodedata.normalize("NFC", text).translate(_BEFORE_ACCENTS)
    text = _ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    if _LOOKALIKE.search(text):
        text = " ".join(_mixed(chunk) if _LATIN.search(chunk) else chunk for chunk in text.split())
    text = unicodedata.normalize("NFC", text).casefold().translate(_LETTERS)
    words: list[str] = []
    for chunk in text.split():
        letters = any("a" <= ch <= "z" for ch in chunk)
        if letters and _NUMBER.fullmatch(chunk.strip(".,;:!?()[]{}\"'")) is None:  # undo leetspeak inside it
            chunk = chunk.translate(_LEET)
        words.extend(_WORDS.findall(chunk))
    return words


def _mixed(chunk: str) -> str:
    """A chunk of mixed Latin and Cyrillic or Greek letters: each run of letters that holds a Latin one has
    its look-alike Cyrillic and Greek letters read as Latin (a run wholly in another script stays as is),
    or (v9), when most of its letters are Cyrillic, its look-alike Latin letters read as Cyrillic (a Latin o
    in "Amano" written in Cyrillic)."""
    return re.sub(r"[^\W\d_]+", lambda m: _latin(m[0]), chunk)


def _latin(word: str) -> str:
    latin = len(_LATIN.findall(word))
    if not latin:
        return word
    if len(_CYRILLIC_LETTER.findall(word)) > latin:
        return word.translate(_TO_CYRILLIC)
    return word.translate(_HOMOGLYPHS)


_SPELLINGS = (
    ("tch", "ch"),
    ("ph", "f"),
    ("gh", "g"),
    ("kh", "k"),
    ("wh", "w"),
    ("rh", "r"),
    ("th", "t"),
    ("ck", "k"),
    ("qu", "kw"),
    ("q", "k"),
    ("x", "ks"),
    ("ch", "%"),  # one sound, kept apart from c/k so "pikachoo" meets "pikachu" but not "pikaku"
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "si"),
    ("c", "k"),
    ("z", "s"),
    ("ee", "i"),
    ("ea", "i"),
    ("ie", "i"),
    ("ey", "i"),
    ("y", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("ew", "u"),
    ("v", "b"),  # b/v sound alike in Spanish and blur in many accents: "Marbel" for "Marvel"
)
_DOUBLES = re.compile(r"(.)\1+")
_DOUBLE_CONSONANTS = re.compile(r"([^aeiouy])\1+")
# "er" before a consonant or at the end, as a non-rhotic accent says it and writes it ("Spida-Man", "Avengas",
# "Harry Potta", "Hamione"): one sound, "a"
_NON_RHOTIC = re.compile(r"er(?=[^aeiou]|$)")


@lru_cache(maxsize=1 << 16)
def sound_key(squashed: str) -> str:
    """How a folded, squashed word sounds, roughly, for look-alike names: ph/f, gh/g, th/t, ck/c/k/q, z/s,
    y/ee/ie/ey/i (a final "ee" too: "yoshee", "jedee"), oo/ou/u, x/ks and v/b spelled alike, "er" before a
    consonant or at the end as "a" (non-rhotic: "spidaman", "avengas", "potta"), doubled letters single and
    a final silent e dropped, so "pikachoo", "peekachu" and "pikatchu" all give the key of "pikachu",
    "iphon" that of "iphone" and "arendel" that of "arendelle". Deliberately small and English-leaning: it
    is a key for a second, reviewed tier of name matching (`genip.checker.policy`), never for a verdict."""
    key = _NON_RHOTIC.sub("a", _DOUBLE_CONSONANTS.sub(r"\1", squashed))
    for spelled, sound in _SPELLINGS:
        key = key.replace(spelled, sound)
    key = _DOUBLES.sub(r"\1", key)
    if len(key) > 3 and key.endswith("e"):
        key = key[:-1]
    return key
