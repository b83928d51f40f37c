"""cffi build script for `genip.matching._popcount` (the C scan in `popcount_scan.c`).

Run by setuptools while the package is installed (`setup.py`'s `cffi_modules`; `make setup` does it through
`uv sync`). Compiled with the machine's C compiler; the AVX-512 and AVX2 loops are chosen at run time, so
one build runs on any x86-64 CPU, and other CPUs get the portable loop.
"""

from pathlib import Path

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef(
    """
    int64_t genip_scan(const uint64_t *words, int64_t stride, int64_t n, const uint64_t *queries,
                       int64_t nq, int32_t radius, int filter_words, int64_t *positions, int32_t *distances,
                       int64_t capacity, int level);
    int genip_scan_level(void);
    """
)
ffibuilder.set_source(
    "genip.matching._popcount",
    (Path(__file__).parent / "popcount_scan.c").read_text(),
    extra_compile_args=["-O3", "-std=c11"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
