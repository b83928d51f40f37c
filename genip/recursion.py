"""A sane recursion limit for service processes, whatever the imports did to it.

py_ecc, imported by eth-account (through eth-keyfile), raises the interpreter's recursion limit to 100 000
when it is imported. The limit is also what stops C code that recurses through the interpreter, such as the
JSON decoder on nested arrays: at 100 000 it lets that recursion run past the thread's stack, and 200 KB of
`[` sent to the API crashed the whole process (a segfault in `_json`) instead of failing one request with
`RecursionError`. Nothing Gen-IP runs needs more than the default, so every service process (the API's app
factory, every `genip` command: the indexer, the checker, `serve`, the demo) calls
`restore_recursion_limit()` once its imports are done.
"""

import importlib
import sys
from contextlib import suppress
from typing import Final

__all__ = ["RECURSION_LIMIT", "restore_recursion_limit"]

#: The interpreter's own default, which a thread's stack (8 MiB on Linux) holds with room to spare.
RECURSION_LIMIT: Final = 1000


def restore_recursion_limit(limit: int = RECURSION_LIMIT) -> None:
    """Set the recursion limit to `limit`, after importing py_ecc if it is installed (so that its import,
    which raises the limit, cannot come later and undo this)."""
    with suppress(ImportError):
        importlib.import_module("py_ecc")
    sys.setrecursionlimit(limit)
