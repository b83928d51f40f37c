"""Types of the compiled SimHash counts built from simhash.c by simhash_build.py (cffi)."""

from typing import Any

import cffi

class _Lib:
    def genip_ascii_words(self, text: Any, len: int, out: Any) -> int: ...
    def genip_simhash_counts(self, text: Any, len: int, counts: Any) -> int: ...

ffi: cffi.FFI
lib: _Lib
