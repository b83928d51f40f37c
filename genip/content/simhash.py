"""SimHash-64 of a text over case-folded word 3-shingles: the text fingerprint (`genip.content.fingerprint`).

**The definition** is `simhash64_reference`, the original pure-Python code, kept unchanged as the oracle:
the text is canonicalised (`canonical.normalize_text`), case-folded and split into words (`\\w+`,
Unicode-aware); every run of three consecutive words joined by spaces (or the whole text if it has fewer) is
hashed with BLAKE2b-64 and read big-endian, and each bit of the result is set when more than half of the
shingles have it set. The value is committed on-chain, so every implementation must give exactly these
bits; a hypothesis test holds them to it on random (Unicode) texts.

**The fast path** (`simhash64`) gets the same words from chunks of about `CHUNK_CHARS` characters, each
cut just before a space (U+0020). That cut is safe for every step: a space cannot end a `\\r\\n` pair nor
start a byte-order mark; Unicode normalisation never composes across a space (it is a starter with
NFC_Quick_Check=Yes, so NFC of the whole is NFC of the pieces); case folding is per code point; and a space
is not a word character, so no word spans two chunks. Each chunk's last two words are carried into the next,
so no shingle is lost. ASCII chunks are split into words in C (`\\w` is `[A-Za-z0-9_]` there and case
folding lowers `A-Z`), others by `re`; the words, joined by spaces, go to the compiled loop (`simhash.c`,
built by `simhash_build.py` through cffi), which hashes every shingle and counts the set bits with the GIL
released. Without the compiled part, the Python fallback does the same with C-level iterators (`zip`,
`map`, `hashlib.blake2b`) and counts bits with `numpy.bincount` per byte.

Chunks keep memory near the size of the text (the reference held a Python string per word: +578 MiB for
50 MB), and no call of the fingerprint holds the GIL for long, whichever thread runs it.

`scripts/bench_fingerprint.py` (2 shared cores; the reference is `simhash64_reference`, same run, same
text): 10 MB in 0.89 s against 19.9 s (22x), 50 MB in 4.6 s against 84 s (18x), with 6-7 MiB of extra
memory against 126 and 578 MiB; the Python fallback 7-10x.
"""

import functools
import hashlib
import operator
import re
from collections.abc import Iterator
from typing import Final

import numpy as np
import numpy.typing as npt

from genip.content.canonical import normalize_text

try:  # the compiled counts (setup.py builds them from simhash.c when the package is installed)
    from genip.content._simhash import ffi as _ffi
    from genip.content._simhash import lib as _lib

    COMPILED = True
except ImportError:  # pragma: no cover - a copy of the sources that was never installed
    COMPILED = False

__all__ = ["CHUNK_CHARS", "COMPILED", "simhash64", "simhash64_reference"]

#: Characters of case-folded text split into words at a time (about 40 000 words of English).
CHUNK_CHARS: Final = 256 * 1024

_SHINGLE: Final = 3
_WORD: Final = re.compile(r"\w+")
_BLAKE2B_64: Final = functools.partial(hashlib.blake2b, digest_size=8)
_DIGEST: Final = operator.methodcaller("digest")
#: _BIT_OF_BYTE[v, k]: bit k of the byte value v.
_BIT_OF_BYTE: Final = (np.arange(256)[:, None] >> np.arange(8)) & 1


def simhash64_reference(text: str) -> int:
    """SimHash-64 of `text` over case-folded word 3-shingles; 0 for text without words (the definition)."""
    words = _WORD.findall(normalize_text(text).casefold())
    if not words:
        return 0
    count = max(1, len(words) - _SHINGLE + 1)
    weights = [0] * 64
    for i in range(count):
        shingle = " ".join(words[i : i + _SHINGLE]).encode("utf-8")
        value = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def simhash64(text: str, *, compiled: bool = COMPILED, chunk_chars: int = CHUNK_CHARS) -> int:
    """SimHash-64 of `text`, equal to `simhash64_reference(text)` (see the module docstring).

    `compiled=False` takes the Python fallback; tests compare both paths with the reference, with small
    `chunk_chars` too so that chunk boundaries fall everywhere.
    """
    counts = np.zeros(64, dtype=np.int64)
    shingles = 0
    tail = b""  # the last two words so far, joined by a space
    for chunk in _chunks(text, chunk_chars):
        words = _words(normalize_text(chunk), compiled)
        if not words:
            continue
        data = tail + b" " + words if tail else words
        shingles += _compiled_counts(data, counts) if compiled else _python_counts(data, counts)
        tail = b" ".join(data.rsplit(b" ", _SHINGLE - 1)[-(_SHINGLE - 1) :])
    if shingles == 0:  # fewer than three words in all: the one shingle is the whole text
        return int.from_bytes(_BLAKE2B_64(tail).digest(), "big") if tail else 0
    return sum(1 << bit for bit in range(64) if 2 * int(counts[bit]) > shingles)


def _chunks(text: str, size: int) -> Iterator[str]:
    """`text` in pieces of about `size` characters, each but the first starting with a space (U+0020)."""
    start = 0
    while len(text) - start > size:
        space = text.find(" ", start + size)
        if space < 0:
            break
        yield text[start:space]
        start = space
    yield text[start:]


def _words(chunk: str, compiled: bool) -> bytes:
    """The case-folded `\\w+` words of `chunk`, UTF-8, joined by single spaces (ASCII: in C when built)."""
    if compiled and chunk.isascii():
        data = chunk.encode("ascii")
        out = bytearray(len(data))
        length = _lib.genip_ascii_words(data, len(data), _ffi.from_buffer("uint8_t[]", out))
        return bytes(memoryview(out)[:length])
    return " ".join(_WORD.findall(chunk.casefold())).encode("utf-8")


def _compiled_counts(data: bytes, counts: npt.NDArray[np.int64]) -> int:
    """Adds each bit's count over the 3-shingles of the space-joined words `data` to `counts`; the number
    of shingles."""
    return int(_lib.genip_simhash_counts(data, len(data), _ffi.cast("int64_t *", counts.ctypes.data)))


def _python_counts(data: bytes, counts: npt.NDArray[np.int64]) -> int:
    """`_compiled_counts` without the compiled part: hashes through C-level iterators, bits by bincount."""
    words = data.split(b" ")
    shingles = map(b" ".join, zip(words, words[1:], words[2:], strict=False))
    digests = b"".join(map(_DIGEST, map(_BLAKE2B_64, shingles)))
    # Column j holds byte j of each big-endian digest, i.e. bits 63-8j .. 56-8j of the value.
    columns = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8)
    for j in range(8):
        ones = np.bincount(columns[:, j], minlength=256) @ _BIT_OF_BYTE
        counts[(7 - j) * 8 : (8 - j) * 8] += ones
    return int(columns.shape[0])
