"""Image matching: "is this image a registered work, and is this account licensed?"

Modules: `normalize` (safe decoding: size, format and pixel caps; EXIF, alpha, RGB, downscale), `perceptual`
(PDQ-256 in 8 rotations/flips, flat images refused), `index` (exact Hamming-radius indexes: a compiled
popcount scan, FAISS binary flat), `engine` (`MatchEngine`: loads registered hashes
from the database, `refresh()` adds new ones, `match()`), `verdict` (licensed / unlicensed / unregistered /
disputed, with a pluggable licence-status lookup), `originals` (the possible-original rule: an earlier
registration by another creator that matches; copy evidence and its hash for the dispute court).

    GenIPError
    └── MatchingError
        ├── ImageRefusedError
        │   ├── ImageTooLargeError
        │   ├── DecompressionBombError
        │   └── NotAnImageError
        └── LowQualityImageError
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genip.matching.engine import Candidate, MatchConfig, MatchEngine, confidence
    from genip.matching.errors import (
        DecompressionBombError,
        ImageRefusedError,
        ImageTooLargeError,
        LowQualityImageError,
        MatchingError,
        NotAnImageError,
    )
    from genip.matching.index import FaissFlatIndex, HammingIndex, PopcountScanIndex
    from genip.matching.normalize import load_image
    from genip.matching.perceptual import QueryHash, hash_query
    from genip.matching.verdict import Decision, LicenceStatus, LicenceStatusLookup, Verdict, Weighed, decide

#: Where each name lives. The package loads a module (numpy, OpenCV, FAISS behind it) only when one of its
#: names is first used, so that `genip.matching.errors` costs nothing to import (the indexer and the CLI
#: import it on paths that never match an image). The function `verdict` is not here: its module has its name.
_HOMES = {
    "Candidate": "engine",
    "MatchConfig": "engine",
    "MatchEngine": "engine",
    "confidence": "engine",
    "DecompressionBombError": "errors",
    "ImageRefusedError": "errors",
    "ImageTooLargeError": "errors",
    "LowQualityImageError": "errors",
    "MatchingError": "errors",
    "NotAnImageError": "errors",
    "FaissFlatIndex": "index",
    "HammingIndex": "index",
    "PopcountScanIndex": "index",
    "load_image": "normalize",
    "QueryHash": "perceptual",
    "hash_query": "perceptual",
    "Decision": "verdict",
    "LicenceStatus": "verdict",
    "LicenceStatusLookup": "verdict",
    "Verdict": "verdict",
    "Weighed": "verdict",
    "decide": "verdict",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


__all__ = [
    "Candidate",
    "Decision",
    "DecompressionBombError",
    "FaissFlatIndex",
    "HammingIndex",
    "ImageRefusedError",
    "ImageTooLargeError",
    "LicenceStatus",
    "LicenceStatusLookup",
    "LowQualityImageError",
    "MatchConfig",
    "MatchEngine",
    "MatchingError",
    "NotAnImageError",
    "PopcountScanIndex",
    "QueryHash",
    "Verdict",
    "Weighed",
    "confidence",
    "decide",
    "hash_query",
    "load_image",
]
