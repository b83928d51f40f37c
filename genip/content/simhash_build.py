"""cffi build script for `genip.content._simhash` (the SimHash-64 bit counts in `simhash.c`).

Run by setuptools while the package is installed (`setup.py`'s `cffi_modules`; `make setup` does it through
`uv sync`), like the matching scan (`genip/matching/popcount_build.py`). Without it `genip.content.simhash`
falls back to its Python path (same answers, several times slower).
"""

from pathlib import Path

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef(
    """
    int64_t genip_ascii_words(const uint8_t *text, int64_t len, uint8_t *out);
    int64_t genip_simhash_counts(const uint8_t *text, int64_t len, int64_t *counts);
    """
)
ffibuilder.set_source(
    "genip.content._simhash",
    (Path(__file__).parent / "simhash.c").read_text(),
    extra_compile_args=["-O3", "-std=c11"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
