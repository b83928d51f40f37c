"""The compiled parts of the package, each with a Python fallback where it is not built:

- the popcount scan behind the image-matching index (`genip/matching/popcount_scan.c`, through cffi);
- the SimHash-64 counts of the text fingerprint (`genip/content/simhash.c`, through cffi);
- the raw-event COPY rows of the indexer's backfill (`indexer/_rawrows.c`, a CPython extension).

Everything else about the package is declared in pyproject.toml.
"""

from setuptools import Extension, setup

setup(
    cffi_modules=["genip/matching/popcount_build.py:ffibuilder", "genip/content/simhash_build.py:ffibuilder"],
    ext_modules=[Extension("indexer._rawrows", ["indexer/_rawrows.c"], extra_compile_args=["-O2"])],
)
