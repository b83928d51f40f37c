"""Sound keys of names written in other scripts (policy v9): what a respelling in Japanese kana, Cyrillic,
Korean Hangul, Chinese characters or Arabic keeps of the name it respells.

A name written in another script is respelled the way one writes it down by ear, and each script has its
own usual slips: in kana a long vowel written or not ("ピクサ" for "ピクサー"), a small kana written large
("ミツキー" for "ミッキー"), a voiced kana for an unvoiced one ("バッドマン"), hiragana for katakana
("すーぱーまりお"), "ei" for a long e ("ベイダー", "ベーダー"); in Cyrillic э for е, з for с, a doubled
letter ("Бетмэн", "Эльза", "ЛЕГГО"); in Hangul an aspirated consonant or a y-vowel ("피카추" for "피카츄");
in Chinese another character of the same sound ("皮卡秋" for "皮卡丘", "吉普力" for "吉卜力"), and in
Japanese an old form of a kanji ("天埜" for "天野"); in Arabic the letter forms that spelling varies on
("ديزنى" for "ديزني"). Each key folds a script's slips together, so a name and its respelling share a key;
`genip.checker.policy` matches keys where the exact name was not found, for review only.

Chinese characters are read with their Mandarin readings (pypinyin's dictionary, every reading of a
character with more than one), tones dropped and aspiration ignored (p/b, t/d, k/g, q/j, ch/zh, c/z, as
Chinese transliterations of foreign names use either), so two characters match when a reading of one is a
reading of the other.
"""  # noqa: RUF002

import re
import unicodedata
from functools import cache

__all__ = ["KANA_LOOKALIKES", "arabic_key", "cyrillic_key", "han_readings", "hangul_key", "kana_key"]

_HIRAGANA = re.compile("[\u3041-\u3096]")
_KATAKANA = re.compile("[\u30a1-\u30ff]")
KANA_LOOKALIKES = dict(zip("二口力工夕卜八一", "ニロカエタトハー", strict=True))
"""Chinese characters drawn like katakana (two, mouth, power...), read as those beside katakana (v9):
"ディズ二ー" with the character for two."""
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_VOICING_MARKS = "\u3099\u309a"
_SILENT = "ー・=･ \u30a0"
_E_ROW = frozenset("エケセテネヘメレ")
_O_ROW = frozenset("オコソトノホモヨロ")


def kana_key(text: str) -> tuple[str, tuple[int, ...]]:
    """`text` with its kana folded: hiragana as katakana, a character drawn like a katakana beside one as
    that katakana (`KANA_LOOKALIKES`), voicing marks, long-vowel marks and dots dropped,
    small kana as large, an イ after an e-sound and a ウ after an o-sound dropped (they lengthen the vowel);
    other characters kept. Also, per character of the key, where in `text` it came from."""
    key: list[str] = []
    origins: list[int] = []
    for i, ch in enumerate(text):
        if _HIRAGANA.match(ch):
            ch = chr(ord(ch) + 0x60)
        elif ch in KANA_LOOKALIKES and _KATAKANA.search(text[max(i - 1, 0) : i + 2]):
            ch = KANA_LOOKALIKES[ch]
        for c in unicodedata.normalize("NFD", ch):
            if c in _VOICING_MARKS or c in _SILENT:
                continue
            c = c.translate(_SMALL_KANA)
            if key and ((c == "イ" and key[-1] in _E_ROW) or (c == "ウ" and key[-1] in _O_ROW)):
                continue
            key.append(c)
            origins.append(i)
    return "".join(key), tuple(origins)


_CYRILLIC = str.maketrans(
    {"э": "е", "ё": "е", "й": "и", "ы": "и", "ъ": "", "ь": "", "б": "п", "в": "ф", "г": "к"}  # noqa: RUF001
    | {"д": "т", "ж": "ш", "з": "с", "-": ""}  # noqa: RUF001
)
_DOUBLED = re.compile(r"(.)\1+")


def cyrillic_key(word: str) -> str:
    """A folded Cyrillic word with э and ё as е, й and ы as и, a soft sign before о as и ("Марьо" is
    "Марио"), the soft and hard signs dropped, voiced
    consonants as unvoiced ones and doubled letters as one."""  # noqa: RUF002
    return _DOUBLED.sub(r"\1", word.replace("ьо", "ио").translate(_CYRILLIC))


_JAMO = str.maketrans(
    {
        "\u110f": "\u1100",  # initial kh, kk as k
        "\u1101": "\u1100",
        "\u1110": "\u1103",  # th, tt as t
        "\u1104": "\u1103",
        "\u1111": "\u1107",  # ph, pp as p
        "\u1108": "\u1107",
        "\u110e": "\u110c",  # ch, jj as j
        "\u110d": "\u110c",
        "\u110a": "\u1109",  # ss as s
        "\u1163": "\u1161",  # ya as a
        "\u1167": "\u1165",  # yeo as eo
        "\u116d": "\u1169",  # yo as o
        "\u1172": "\u116e",  # yu as u
        "\u1164": "\u1166",  # yae, ye, ae as e
        "\u1168": "\u1166",
        "\u1162": "\u1166",
    }
)


def hangul_key(syllables: str) -> tuple[str, ...]:
    """Each Hangul syllable of `syllables` as its letters (jamo), aspirated and tense consonants as plain
    ones, y-vowels as plain ones and ae as e, and a final l before an initial l dropped (the doubled l of a
    foreign word: "지블리" is "지브리"); one entry per syllable."""
    keys = [unicodedata.normalize("NFD", s).translate(_JAMO) for s in syllables]
    for i in range(len(keys) - 1):
        if keys[i].endswith("\u11af") and keys[i + 1].startswith("\u1105"):
            keys[i] = keys[i][:-1]
    return tuple(keys)


_ARABIC = str.maketrans({"ى": "ي", "ئ": "ي", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و", "ـ": ""})  # noqa: RUF001
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")


def arabic_key(text: str) -> str:
    """Arabic text with its letter forms folded (alef maqsura and hamza seats as ya, waw and alef, ta
    marbuta as ha), vowel points and the stretching tatweel dropped."""
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC)


_ASPIRATED = (("ch", "zh"), ("p", "b"), ("t", "d"), ("k", "g"), ("q", "j"), ("c", "z"))


@cache
def han_readings(ch: str) -> frozenset[str]:
    """The Mandarin readings of a Chinese character (tones dropped, aspiration ignored), or the character
    itself when it has none (kana, an unknown form)."""
    if not "\u3400" <= ch <= "\u9fff" and not "\uf900" <= ch <= "\ufaff":
        return frozenset({ch})
    from pypinyin import Style, pinyin  # its dictionary takes ~0.2 s to load: only once a prompt needs it

    readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="default")[0]
    out: set[str] = set()
    for r in readings:
        if r == ch:
            return frozenset({ch})
        for aspirated, plain in _ASPIRATED:
            if r.startswith(aspirated):
                r = plain + r[len(aspirated) :]
                break
        out.add(r)
    return frozenset(out)
