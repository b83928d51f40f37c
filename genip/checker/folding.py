"""Folding a prompt into words the policy and the semantic model compare: case, accents and leetspeak undone.

The one place both read it (`genip.checker.policy`, `genip.checker.semantic`): a prompt that dodges the name
rules by spelling ("Gr3g Rutk0wski", "Ørsted") reaches both as the same words.
"""

import re
import unicodedata

__all__ = ["fold"]

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
