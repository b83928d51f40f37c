"""The one compiled part of the package: the popcount scan behind the image-matching index (cffi).

Everything else about the package is declared in pyproject.toml.
"""

from setuptools import setup

setup(cffi_modules=["genip/matching/popcount_build.py:ffibuilder"])
