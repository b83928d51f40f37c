"""The fast text fingerprint (compiled, and its Python fallback) gives exactly the reference's bits, since the
value is committed on-chain; one pixel cap holds for every decoded image."""

import hashlib
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from genip.chain.types import WorkKind
from genip.content.fingerprint import (
    MAX_IMAGE_PIXELS,
    TooManyPixelsError,
    check_image_pixels,
    fingerprint_work,
    pdq_fingerprint_file,
    text_fingerprint,
)
from genip.content.formats import prepare_work
from genip.content.simhash import COMPILED, simhash64, simhash64_reference
from genip.settings import Settings

#: Words whose case folds change length or split into two words (`İ` folds to `i` + a combining dot, which
#: `\w` does not match), scripts without case, combining marks that NFC composes (also right after a space,
#: where the fast path cuts its chunks), Hangul jamo, and punctuation between them.
TRICKY = [
    "İstanbul", "Straße", "ﬁle", "ΣΊΣΥΦΟΣ", "東京", "naïve", "e\u0301", "\u0301x", "\u0308\u0301", "_",
    "x" * 130, "٣٤", "\u1100\u1161\u11a8", "\u2000", "Å", "\ufeff",
]  # fmt: skip
SEPARATORS = [" ", "  ", "\n", "\r\n", "\r", "\t", ", ", ". ", "\u00a0", "\u3000", "—", "\u2028", "'", ""]

words = st.one_of(st.sampled_from(TRICKY), st.text(min_size=1, max_size=12))
texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=400),  # ASCII: tokenised in C
    st.tuples(
        st.sampled_from(["", "\ufeff", " ", "\r"]),
        st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=80),
    ).map(lambda start_pairs: start_pairs[0] + "".join(word + sep for word, sep in start_pairs[1])),
)
paths = [False, True] if COMPILED else [False]


def test_the_compiled_part_is_built() -> None:
    assert COMPILED, "genip/content/_simhash is not built: run `make setup` (setup.py builds it with cffi)"


@settings(max_examples=400, deadline=None)
@given(text=texts, chunk_chars=st.sampled_from([1, 7, 64, 1 << 18]))
@example(text="", chunk_chars=1)
@example(text="a", chunk_chars=1)
@example(text="a b", chunk_chars=1)
@example(text="İİİ ß ß", chunk_chars=1)
def test_fast_paths_equal_the_reference(text: str, chunk_chars: int) -> None:
    expected = simhash64_reference(text)
    for compiled in paths:
        assert simhash64(text, compiled=compiled, chunk_chars=chunk_chars) == expected


@pytest.mark.parametrize("length", [1, 63, 64, 120, 124, 125, 126, 127, 128, 129, 255, 256, 257, 1000])
def test_shingles_of_every_block_length_hash_as_hashlib_does(length: int) -> None:
    # Shingles around BLAKE2b's 128-byte block: "a b <word>" is `length` bytes long.
    text = "a b " + "w" * max(1, length - 4)
    shingle = text.encode()
    value = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
    assert simhash64_reference(text) == value
    for compiled in paths:
        assert simhash64(text, compiled=compiled) == value


def test_a_long_text_across_many_chunks() -> None:
    body = " ".join(f"{TRICKY[i % len(TRICKY)]}{i % 97}" for i in range(60_000))
    expected = simhash64_reference(body)
    for compiled in paths:
        assert simhash64(body, compiled=compiled, chunk_chars=4096) == expected
        assert simhash64(body, compiled=compiled) == expected


def test_the_committed_value_of_a_known_text_does_not_change() -> None:
    # Pinned when the fast path replaced the reference: a change here changes every text's on-chain hash.
    text = "The lighthouse keeper counted the ships each night, writing their names in a ledger."
    assert text_fingerprint(text).hex() == "662188181c00c865" + "00" * 24


# ── one pixel cap ──


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces `width` x `height` grey pixels (its data is truncated: never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))


def test_the_cap_is_the_settings_default() -> None:
    assert Settings().match_max_pixels == MAX_IMAGE_PIXELS == 64_000_000


@pytest.mark.parametrize(("width", "height"), [(8000, 8001), (20_000, 10_000)])
def test_images_over_the_cap_are_refused_from_the_header(tmp_path: Path, width: int, height: int) -> None:
    # 8000 x 8001 is one row over the 64 M cap; 200 M pixels is over Pillow's own guard (179 M) as well.
    path = tmp_path / "big.png"
    path.write_bytes(png_header_only(width, height))
    with pytest.raises(TooManyPixelsError, match=r"big\.png"):
        check_image_pixels(path)
    with pytest.raises(TooManyPixelsError, match=r"big\.png"):
        pdq_fingerprint_file(path)


def test_the_cap_applies_to_registration_and_may_be_lowered(tmp_path: Path) -> None:
    path = tmp_path / "small.png"
    Image.new("RGB", (40, 30), (10, 200, 30)).save(path)
    prepared = prepare_work(path, WorkKind.IMAGE)
    assert fingerprint_work(prepared) is not None
    check_image_pixels(path, max_pixels=1200)
    with pytest.raises(TooManyPixelsError, match=r"40x30, 1,200 pixels: more than the 1,199 allowed"):
        fingerprint_work(prepared, max_pixels=1199)


def test_an_unreadable_file_is_left_to_the_decoder(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"not an image")
    check_image_pixels(path)  # no error: decoding it reports it


# ── the benchmark ──

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench_fingerprint.py"


def test_a_tiny_benchmark_run_compares_every_path_with_the_reference() -> None:
    out = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "0.02"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    (row,) = report["results"]
    values = {row[path]["value"] for path in ("reference", "python", "compiled")}
    assert len(values) == 1 and row["compiled"]["speedup"] > 1
