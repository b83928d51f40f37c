"""`MatchEngine`: registered image hashes in memory, kept current, answering "which work is this image?".

**Loading.** At start-up the engine reads every image asset's `perceptual_hash` (PDQ, `0x` + 64 hex) from
the indexer's database (`genip.db.models.Asset`, kind `image`, one chain or all), skipping all-zero hashes,
into a `HammingIndex` (FAISS binary flat by default). Index ids are row numbers into the engine's own arrays
of (chain id, asset id, creator), so one engine can serve several chains.

**Freshness.** `refresh()` reads only assets whose `asset_id` is above the largest one already loaded for
their chain (asset ids only grow, and the `(chain_id, asset_id)` primary key makes it an index range scan)
and appends them: no rebuild, so a newly indexed work matches as soon as the next `refresh()` runs. Callers
run it before each query (`match(..., refresh=True)`, the default; it is one cheap query) or on a timer.
Assets removed by a reorg rollback stay in the index until restart; callers that need certainty read the
asset row for the best candidate (the API's status query does).

**Matching.** The upload is decoded safely (`normalize.load_image`), hashed with PDQ in its 8 rotations and
flips (`hashing.hash_query`; too flat → `LowQualityImageError`), and the index returns every registered hash
within `match_distance` bits of any variant. Candidates come best first: smallest distance, then the oldest
asset (the first registration of a picture is the original).

**Confidence** is `1 - distance / 128`, clipped to [0, 1]: 1 for an identical hash, 0 at the distance two
unrelated pictures have on average (128 of 256 bits). It orders and explains; it is not a probability.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Self

import numpy as np
from sqlalchemy import Engine, and_, or_, select

from genip.db.engine import make_engine
from genip.db.models import Asset
from genip.matching.hashing import HASH_BYTES, QueryHash, hash_from_hex, hash_query
from genip.matching.index import HammingIndex, default_index
from genip.matching.normalize import load_image
from genip.settings import Settings

__all__ = ["Candidate", "MatchConfig", "MatchEngine", "confidence"]

_ZERO_HASH: Final = bytes(HASH_BYTES)
_UNRELATED_DISTANCE: Final = 128


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Thresholds and limits; defaults equal the `Settings` defaults (see README 'Image matching')."""

    match_distance: int = 48
    min_quality: int = 70
    max_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 64_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(
            match_distance=settings.match_distance,
            min_quality=settings.match_min_quality,
            max_bytes=settings.match_max_bytes,
            max_pixels=settings.match_max_pixels,
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A registered image within the match distance of the upload."""

    chain_id: int
    asset_id: int
    distance: int
    confidence: float
    creator: str
    dispute_status: str


def confidence(distance: int) -> float:
    """`1 - distance / 128` clipped to [0, 1] (see the module docstring)."""
    return max(0.0, min(1.0, 1.0 - distance / _UNRELATED_DISTANCE))


class MatchEngine:
    """Registered image hashes of one chain (or all) in an exact Hamming-radius index; see module doc."""

    def __init__(
        self,
        engine: Engine,
        *,
        chain_id: int | None = None,
        config: MatchConfig | None = None,
        index: HammingIndex | None = None,
    ) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.config = config or MatchConfig()
        self.index = index if index is not None else default_index()
        self._chain_ids: list[int] = []
        self._asset_ids: list[int] = []
        self._creators: list[str] = []
        self._disputes: list[str] = []
        self._last: dict[int, int] = {}
        self._lock = threading.Lock()
        self.refresh()

    @classmethod
    def from_settings(cls, settings: Settings, *, chain_id: int | None = None) -> Self:
        """An engine on the settings' database (`DATABASE_URL`, default SQLite) with its thresholds."""
        return cls(
            make_engine(settings.db_url), chain_id=chain_id, config=MatchConfig.from_settings(settings)
        )

    def __len__(self) -> int:
        return len(self._asset_ids)

    def refresh(self) -> int:
        """Append image assets registered since the last load; returns how many were added."""
        with self._lock:
            query = select(
                Asset.chain_id, Asset.asset_id, Asset.perceptual_hash, Asset.creator, Asset.dispute_status
            ).where(Asset.kind == "image")
            if self.chain_id is not None:
                query = query.where(
                    Asset.chain_id == self.chain_id, Asset.asset_id > self._last.get(self.chain_id, 0)
                )
            elif self._last:
                newer = [and_(Asset.chain_id == c, Asset.asset_id > a) for c, a in self._last.items()]
                query = query.where(or_(Asset.chain_id.not_in(list(self._last)), *newer))
            with self.engine.connect() as connection:
                rows = connection.execute(query.order_by(Asset.chain_id, Asset.asset_id)).all()
            return self._append(rows)

    def _append(self, rows: Iterable[tuple[int, int, str, str, str]]) -> int:
        codes: list[bytes] = []
        start = len(self._asset_ids)
        for chain_id, asset_id, perceptual_hash, creator, dispute in rows:
            self._last[chain_id] = max(self._last.get(chain_id, 0), asset_id)
            try:
                code = hash_from_hex(perceptual_hash)
            except ValueError:
                continue
            if code == _ZERO_HASH:
                continue
            codes.append(code)
            self._chain_ids.append(chain_id)
            self._asset_ids.append(asset_id)
            self._creators.append(creator)
            self._disputes.append(dispute)
        if codes:
            array = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(-1, HASH_BYTES)
            self.index.add(np.arange(start, start + len(codes), dtype=np.int64), array)
        return len(codes)

    def hash(self, image_bytes: bytes) -> QueryHash:
        """The query hashes of an uploaded file (safe decoding, 8 rotations/flips, quality check)."""
        image = load_image(image_bytes, max_bytes=self.config.max_bytes, max_pixels=self.config.max_pixels)
        return hash_query(image, min_quality=self.config.min_quality)

    def match_hash(
        self, query: QueryHash, *, limit: int = 10, distance: int | None = None
    ) -> list[Candidate]:
        """Registered images within `distance` (default `match_distance`) of any variant, best first."""
        radius = self.config.match_distance if distance is None else distance
        codes = np.frombuffer(b"".join(query.variants), dtype=np.uint8).reshape(-1, HASH_BYTES)
        hits = self.index.search(codes, radius)
        ranked = sorted(hits, key=lambda hit: (hit[1], self._chain_ids[hit[0]], self._asset_ids[hit[0]]))
        return [
            Candidate(
                chain_id=self._chain_ids[row],
                asset_id=self._asset_ids[row],
                distance=dist,
                confidence=confidence(dist),
                creator=self._creators[row],
                dispute_status=self._disputes[row],
            )
            for row, dist in ranked[:limit]
        ]

    def match(self, image_bytes: bytes, *, limit: int = 10, refresh: bool = True) -> list[Candidate]:
        """Registered works the uploaded image is (a copy of), best first; see the module docstring."""
        query = self.hash(image_bytes)
        if refresh:
            self.refresh()
        return self.match_hash(query, limit=limit)

    def near_duplicates(
        self, image_bytes: bytes, *, exclude_creator: str | None = None, limit: int = 10
    ) -> list[Candidate]:
        """Matches by other creators than `exclude_creator` (the registration check: warn or refuse)."""
        excluded = exclude_creator.lower() if exclude_creator else None
        found = self.match(image_bytes, limit=limit + 50)
        return [c for c in found if c.creator.lower() != excluded][:limit]
