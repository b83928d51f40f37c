"""Types of the compiled scan built from popcount_scan.c by popcount_build.py (cffi)."""

from typing import Any

import cffi

class _Lib:
    def genip_scan(
        self,
        words: Any,
        stride: int,
        n: int,
        queries: Any,
        nq: int,
        radius: int,
        filter_words: int,
        positions: Any,
        distances: Any,
        capacity: int,
        level: int,
    ) -> int: ...
    def genip_scan_level(self) -> int: ...

ffi: cffi.FFI
lib: _Lib
