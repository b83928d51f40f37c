"""Image matching: "is this image a registered work, and is this account licensed?"

Modules: `normalize` (safe decoding: size, format and pixel caps; EXIF, alpha, RGB, downscale), `hashing`
(PDQ-256 in 8 rotations/flips, flat images refused), `index` (exact Hamming-radius indexes: a compiled
popcount scan, FAISS binary flat, multi-index hashing), `engine` (`MatchEngine`: loads registered hashes
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
from genip.matching.verdict import LicenceStatus, LicenceStatusLookup, Verdict, decide, verdict

__all__ = [
    "Candidate",
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
    "confidence",
    "decide",
    "hash_query",
    "load_image",
    "verdict",
]
