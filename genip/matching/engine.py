"""`MatchEngine`: registered image hashes in memory, kept current, answering "which work is this image?".

**Loading.** At start-up the engine reads every image asset's `perceptual_hash` (PDQ, `0x` + 64 hex) from
the indexer's database (`genip.db.models.Asset`, kind `image`, one chain or all), skipping all-zero hashes,
into a `HammingIndex` (FAISS flat by default), and every pHash-256 the indexer computed from the assets'
media (`genip.db.models.MatchHash`, joined to its asset on chain, id and content hash) into a second one.
Index ids are row numbers into the engine's own row tables of (chain id, asset id, creator, dispute), so
one engine can serve several chains.

**Freshness.** `refresh()` reads only assets whose `asset_id` is above the largest one already loaded for
their chain (asset ids only grow, and the `(chain_id, asset_id)` primary key makes it an index range scan),
and only match hashes whose `id` is above the largest loaded (ids only grow), and appends them: no rebuild,
so a newly indexed work matches as soon as the next `refresh()` runs. Callers run it before each query
(`match(..., refresh=True)`, the default; two cheap queries) or on a timer. Assets removed by a reorg
rollback stay in the index until restart; callers that need certainty read the asset row for the best
candidate (the API's status query does).

**Matching.** The upload is decoded safely (`normalize.load_image`), hashed with PDQ and pHash-256 in its 8
rotations and flips (`hashing.hash_query`; too flat → `LowQualityImageError`), and the indexes return every
registered hash within `match_distance` (PDQ) or `match_phash_distance` (pHash) bits of any variant. An asset
found by both hashes is listed once, with the smaller distance and the hash that gave it (`method`).

**Thumbnails**: a change of light that clips highlights, or a pattern whose DCT coefficients sit at their
median, can flip a third of both hashes' bits. The upload's 16x16 grey thumbnails (8 rotations/flips) are
correlated with every image's thumbnail the indexer stored, and with its centre views for centred crops
(`genip.matching.thumbnails`, exact); a work at `thumbnail_correlation` or more is a candidate with
`method="thumb"`, `distance=None` and its `correlation`. The stage reads every stored vector (3 per image,
1 KiB each) per lookup: ~12 ms at 10 000 images, ~80 ms at 100 000 (`genip.matching.thumbnails`;
`thumbnails=False` turns it off).

**Crops** (`crops=True`, the default): global hashes do not survive a crop, so the engine also keeps the ORB
keypoints the indexer extracted from each image's media (`genip.matching.features`). The upload's
descriptors are looked up in a descriptor index (exact Hamming radius `MAX_DESCRIPTOR_DISTANCE`); the assets
with the most and closest descriptor hits (up to `CROP_CANDIDATES`, `crop_matches`) are verified
geometrically, and those with at least `MIN_INLIERS` inliers are candidates with `method="orb"`,
`distance=None` and their `inliers`. This stage scans every stored descriptor (256 per image) for each of
the upload's 256 (`scripts/bench_match_latency.py --crops`, the compiled scan at full width: 10 ms at 1 000
images, 116 ms at 10 000; FAISS 39 and 670 ms), so it suits registries up to some tens of thousands of
images; beyond that it wants an inverted index (a visual vocabulary), and `crops=False` turns it off.

**Every stage runs** (`every_stage=True`, the default): the verdict weighs every candidate
(`genip.matching.verdict`), and a work one stage misses may be the one that decides it. A 5 % crop of a
licensed derivative (a tinted picture) is within the hash distances of the original's copies but not of the
derivative, which only its keypoints find; when the crop stage waited for "no hash matched", the licence on
the derivative was never seen (`scripts/bench_match_robustness.py`, verdict section). Candidates come best
first and once per asset: hash matches by smallest distance, then the thumbnail stage's other matches by
correlation, then the crop stage's other matches by most inliers, ties to the oldest asset (the first
registration of a picture is the original). The cost: an upload a hash matches now pays the thumbnail and
crop stages that an upload nothing matched (most of a platform's) already paid, so the slowest lookup is as
slow as before and a matched one as slow as an unmatched one (with the crop scan: 24 ms p50 at 1 000 images,
0.32 s at 10 000, against under 1 ms when a hash match stopped the lookup; one 2-core machine at load 7,
where `scripts/bench_match_latency.py --crops` measured the scan at 10 and 116 ms idle). `every_stage=False`
runs a stage only when the ones before it found nothing (the indexer's provenance step, which asks each
stage in turn itself).

**Confidence** is `1 - distance / 128`, clipped to [0, 1]: 1 for an identical hash, 0 at the distance two
unrelated pictures have on average (128 of 256 bits). It orders and explains; it is not a probability.
"""

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Self

import numpy as np
from sqlalchemy import ColumnElement, Engine, and_, select, true

from genip.db.engine import make_engine
from genip.db.models import Asset, MatchHash
from genip.matching.features import MAX_DESCRIPTOR_DISTANCE, MIN_INLIERS, Features, verify
from genip.matching.index import HammingIndex, default_index
from genip.matching.normalize import load_image
from genip.matching.perceptual import HASH_BYTES, QueryHash, hash_from_hex, hash_query
from genip.matching.thumbnails import ThumbnailIndex, unit_vectors, zoomed
from genip.settings import Settings

__all__ = ["CROP_CANDIDATES", "Candidate", "MatchConfig", "MatchEngine", "confidence"]

_ZERO_HASH: Final = bytes(HASH_BYTES)
_UNRELATED_DISTANCE: Final = 128
#: Assets with the most (closeness-weighted) descriptor hits that the crop stage verifies geometrically.
CROP_CANDIDATES: Final = 5


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Thresholds and limits; defaults equal the `Settings` defaults (see README 'Image matching')."""

    match_distance: int = 48
    phash_distance: int = 44
    thumbnail_correlation: float = 0.98
    thumbnails: bool = True
    crops: bool = True
    #: Run the thumbnail and crop stages even when an earlier stage matched (see the module docstring).
    every_stage: bool = True
    min_quality: int = 70
    max_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 64_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(
            match_distance=settings.match_distance,
            phash_distance=settings.match_phash_distance,
            thumbnail_correlation=settings.match_thumbnail_correlation,
            thumbnails=settings.match_thumbnails,
            crops=settings.match_crops,
            every_stage=settings.match_every_stage,
            min_quality=settings.match_min_quality,
            max_bytes=settings.match_max_bytes,
            max_pixels=settings.match_max_pixels,
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A registered image within the match distance of the upload."""

    chain_id: int
    asset_id: int
    #: Bits between the upload's and the work's hash (`method` pdq or phash); None for thumb and orb.
    distance: int | None
    confidence: float
    creator: str
    standing: str
    #: What matched: "pdq" (the registered hash), "phash" (computed from the media), "thumb" (thumbnail
    #: correlation) or "orb" (keypoints).
    method: str = "pdq"
    #: For a crop match: inliers of the transform mapping the upload onto the work.
    inliers: int | None = None
    #: For a thumbnail match: correlation of the upload's thumbnail with the work's.
    correlation: float | None = None

    @property
    def likeness(self) -> str:
        """How close it is, in words: "12 bits apart" or "a crop of it (40 matching keypoints)"."""
        if self.correlation is not None:
            return f"its light or colours changed (thumbnails correlate at {self.correlation:.3f})"
        if self.distance is None:
            return f"a crop or edit of it ({self.inliers} matching keypoints)"
        return f"{self.distance} bits apart"


class _Rows:
    """What an index id stands for: parallel lists of chain id, asset id, creator and standing."""

    def __init__(self) -> None:
        self.chain_ids: list[int] = []
        self.asset_ids: list[int] = []
        self.creators: list[str] = []
        self.disputes: list[str] = []

    def __len__(self) -> int:
        return len(self.asset_ids)

    def append(self, chain_id: int, asset_id: int, creator: str, dispute: str) -> None:
        self.chain_ids.append(chain_id)
        self.asset_ids.append(asset_id)
        self.creators.append(creator)
        self.disputes.append(dispute)

    def candidate(
        self,
        row: int,
        method: str,
        confidence: float,
        *,
        distance: int | None = None,
        inliers: int | None = None,
        correlation: float | None = None,
    ) -> Candidate:
        """The asset of `row` as a candidate, with what measured the match (`distance` for a hash,
        `inliers` for keypoints, `correlation` for thumbnails)."""
        return Candidate(
            chain_id=self.chain_ids[row],
            asset_id=self.asset_ids[row],
            distance=distance,
            confidence=confidence,
            creator=self.creators[row],
            standing=self.disputes[row],
            method=method,
            inliers=inliers,
            correlation=correlation,
        )


def confidence(distance: int) -> float:
    """`1 - distance / 128` clipped to [0, 1] (see the module docstring)."""
    return max(0.0, min(1.0, 1.0 - distance / _UNRELATED_DISTANCE))


def _others(ranked: list[Candidate], found: list[Candidate]) -> list[Candidate]:
    """The candidates of `found` whose asset is not in `ranked` already (a later stage adds no duplicate)."""
    seen = {(c.chain_id, c.asset_id) for c in ranked}
    return [c for c in found if (c.chain_id, c.asset_id) not in seen]


def _add(index: HammingIndex, start: int, codes: list[bytes]) -> None:
    if codes:
        array = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(-1, HASH_BYTES)
        index.add(np.arange(start, start + len(codes), dtype=np.int64), array)


class MatchEngine:
    """Registered image hashes of one chain (or all) in an exact Hamming-radius index; see module doc."""

    def __init__(
        self,
        engine: Engine,
        *,
        chain_id: int | None = None,
        config: MatchConfig | None = None,
        index: HammingIndex | None = None,
        phash_index: HammingIndex | None = None,
    ) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.config = config or MatchConfig()
        self.index = index if index is not None else default_index()
        self.phash_index = phash_index if phash_index is not None else default_index()
        self._rows = _Rows()  # ids of `index`: one per asset
        self._phash_rows = _Rows()  # ids of `phash_index`: one per match hash
        self._crop_rows = _Rows()  # assets with keypoints, in `_features` order
        self._thumbnails = ThumbnailIndex()  # ids: rows of `_thumbnail_rows`
        self._thumbnail_rows = _Rows()
        self._features: list[Features] = []
        self._descriptors = default_index(prefix_bytes=HASH_BYTES)  # ids: descriptor numbers
        self._descriptor_owner = np.empty(0, dtype=np.int64)  # descriptor number -> crop row
        self._last: dict[int, int] = {}
        self._last_match_hash = 0
        self._lock = threading.Lock()
        self.refresh()

    @classmethod
    def from_settings(cls, settings: Settings, *, chain_id: int | None = None) -> Self:
        """An engine on the settings' database (`DATABASE_URL`, default SQLite) with its thresholds."""
        return cls(
            make_engine(settings.db_url), chain_id=chain_id, config=MatchConfig.from_settings(settings)
        )

    def __len__(self) -> int:
        return len(self._rows)

    def refresh(self) -> int:
        """Append image assets registered, and media hashes computed, since the last load; returns how many
        hashes were added."""
        with self._lock:
            query = select(
                Asset.chain_id, Asset.asset_id, Asset.perceptual_hash, Asset.creator, Asset.standing
            ).where(Asset.kind == "image")
            queries = [query.where(newer) for newer in self._newer()]
            media = (
                select(
                    MatchHash.id,
                    MatchHash.kind,
                    Asset.chain_id,
                    Asset.asset_id,
                    MatchHash.code,
                    Asset.creator,
                    Asset.standing,
                )
                .join(
                    Asset,
                    and_(
                        Asset.chain_id == MatchHash.chain_id,
                        Asset.asset_id == MatchHash.asset_id,
                        Asset.content_hash == MatchHash.content_hash,
                    ),
                )
                .where(MatchHash.id > self._last_match_hash, MatchHash.kind.in_(("phash", "orb", "thumb")))
            )
            if self.chain_id is not None:
                media = media.where(MatchHash.chain_id == self.chain_id)
            with self.engine.connect() as connection:
                rows = sorted(row for q in queries for row in connection.execute(q).all())
                media_rows = connection.execute(media.order_by(MatchHash.id)).all()
            return self._append(rows) + self._append_media(media_rows)

    def _newer(self) -> list[ColumnElement[bool]]:
        """Where assets not loaded yet are, as ranges of the assets' primary key (chain id, asset id): one
        statement each, so a refresh that finds nothing new reads an index, not every image row (an `OR`
        with `chain_id NOT IN (…)` made Postgres scan them all: 70 ms per lookup at 100 000 works)."""
        if self.chain_id is not None:
            return [and_(Asset.chain_id == self.chain_id, Asset.asset_id > self._last.get(self.chain_id, 0))]
        known = sorted(self._last)
        ranges: list[ColumnElement[bool]] = [
            and_(Asset.chain_id == c, Asset.asset_id > self._last[c]) for c in known
        ]
        bounds: list[int | None] = [None, *known, None]
        for low, high in itertools.pairwise(bounds):  # chains not seen yet: between and beyond the known
            parts = [] if low is None else [Asset.chain_id > low]
            parts += [] if high is None else [Asset.chain_id < high]
            ranges.append(and_(true(), *parts))
        return ranges

    def _append(self, rows: Iterable[tuple[int, int, str, str, str]]) -> int:
        codes: list[bytes] = []
        start = len(self._rows)
        for chain_id, asset_id, perceptual_hash, creator, dispute in rows:
            self._last[chain_id] = max(self._last.get(chain_id, 0), asset_id)
            try:
                code = hash_from_hex(perceptual_hash)
            except ValueError:
                continue
            if code == _ZERO_HASH:
                continue
            codes.append(code)
            self._rows.append(chain_id, asset_id, creator, dispute)
        _add(self.index, start, codes)
        return len(codes)

    def _append_media(self, rows: Iterable[tuple[int, str, int, int, bytes, str, str]]) -> int:
        codes: list[bytes] = []
        thumbnails: list[bytes] = []
        start = len(self._phash_rows)
        first_crop = len(self._features)
        first_thumbnail = len(self._thumbnail_rows)
        for row_id, kind, chain_id, asset_id, code, creator, dispute in rows:
            self._last_match_hash = max(self._last_match_hash, row_id)
            if kind == "thumb":
                thumbnails.append(bytes(code))
                self._thumbnail_rows.append(chain_id, asset_id, creator, dispute)
            elif kind == "orb":
                try:
                    features = Features.from_bytes(bytes(code))
                except ValueError:
                    continue
                if len(features) >= 4:
                    self._features.append(features)
                    self._crop_rows.append(chain_id, asset_id, creator, dispute)
            elif len(code) == HASH_BYTES:
                codes.append(bytes(code))
                self._phash_rows.append(chain_id, asset_id, creator, dispute)
        _add(self.phash_index, start, codes)
        if thumbnails:  # malformed or flat ones get a zero vector, which correlates with nothing
            views = [zoomed(t) for t in thumbnails]  # each image and its centre views, under its row
            images = np.arange(first_thumbnail, first_thumbnail + len(thumbnails), dtype=np.int64)
            ids = np.repeat(images, [len(v) for v in views])
            vectors, _usable = unit_vectors([view for image in views for view in image])
            self._thumbnails.add(ids, vectors)
        added = self._features[first_crop:]
        if added:  # one append of all new descriptors: loading many images stays linear
            first = len(self._descriptor_owner)
            owners = np.repeat(np.arange(first_crop, len(self._features)), [len(f) for f in added])
            self._descriptor_owner = np.concatenate([self._descriptor_owner, owners])
            descriptors = np.concatenate([f.descriptors for f in added])
            self._descriptors.add(np.arange(first, first + len(owners), dtype=np.int64), descriptors)
        return len(added) + len(codes) + len(thumbnails)

    def thumbnail_matches(self, thumbnails: tuple[bytes, ...]) -> list[Candidate]:
        """Registered images whose thumbnail, or one of its centre views, correlates with one of
        `thumbnails` (the upload's rotations and flips) at `thumbnail_correlation` or more, best first."""
        vectors, usable = unit_vectors(list(thumbnails))
        found = self._thumbnails.search(vectors[usable], self.config.thumbnail_correlation)
        rows = self._thumbnail_rows
        candidates = [rows.candidate(row, "thumb", corr, correlation=corr) for row, corr in found]
        return sorted(candidates, key=lambda c: (-(c.correlation or 0.0), c.chain_id, c.asset_id))

    def crop_matches(self, features: Features) -> list[Candidate]:
        """Registered images `features` is a crop (or another geometric edit) of, most inliers first.

        The `CROP_CANDIDATES` images verified are those whose descriptors the upload's come closest to: each
        stored descriptor within `MAX_DESCRIPTOR_DISTANCE` of one of the upload's votes for its image with
        weight `MAX_DESCRIPTOR_DISTANCE + 1 - distance`. Counting hits alone let pictures made of one corner
        repeated (a checkerboard: every descriptor near every other, and near many of any picture's at 50
        bits) outvote the work a crop came from, whose descriptors are nearer (within 30 bits)."""
        if len(features) < 4 or not self._features:
            return []
        hits = self._descriptors.search(features.descriptors, MAX_DESCRIPTOR_DISTANCE)
        if not hits:
            return []
        found_ids = np.fromiter((d for d, _ in hits), dtype=np.int64, count=len(hits))
        closeness = np.fromiter((MAX_DESCRIPTOR_DISTANCE + 1 - d for _, d in hits), dtype=np.float64)
        owners = self._descriptor_owner[found_ids]
        counts = np.bincount(owners, minlength=len(self._features))
        votes = np.bincount(owners, weights=closeness, minlength=len(self._features))
        found = []
        for row in np.argsort(-votes, kind="stable")[:CROP_CANDIDATES].tolist():
            if counts[row] < 4:
                continue
            inliers = verify(features, self._features[row])
            if inliers >= MIN_INLIERS:
                confidence = min(1.0, inliers / (4 * MIN_INLIERS))
                found.append(self._crop_rows.candidate(row, "orb", confidence, inliers=inliers))
        return sorted(found, key=lambda c: (-(c.inliers or 0), c.chain_id, c.asset_id))

    def hash(self, image_bytes: bytes) -> QueryHash:
        """The query hashes of an uploaded file (safe decoding, 8 rotations/flips, quality check)."""
        image = load_image(image_bytes, max_bytes=self.config.max_bytes, max_pixels=self.config.max_pixels)
        return hash_query(image, min_quality=self.config.min_quality)

    def match_hash(
        self, query: QueryHash, *, limit: int = 10, distance: int | None = None
    ) -> list[Candidate]:
        """Registered images within `distance` (default `match_distance`) of a PDQ variant, or within
        `phash_distance` of a pHash variant, best first; then the others the thumbnail stage, then the crop
        stage finds (with `every_stage` false: only when the stages before found nothing); once per asset."""
        radius = self.config.match_distance if distance is None else distance
        best: dict[tuple[int, int], Candidate] = {}
        searches = [(self.index, self._rows, query.variants, radius, "pdq")]
        if query.phash_variants and len(self._phash_rows):
            phash_radius = self.config.phash_distance
            searches.append((self.phash_index, self._phash_rows, query.phash_variants, phash_radius, "phash"))
        for index, rows, variants, limit_bits, method in searches:
            codes = np.frombuffer(b"".join(variants), dtype=np.uint8).reshape(-1, HASH_BYTES)
            for row, dist in index.search(codes, limit_bits):
                found = rows.candidate(row, method, confidence(dist), distance=dist)
                key = (found.chain_id, found.asset_id)
                if key not in best or dist < (best[key].distance or 0):
                    best[key] = found
        ranked = sorted(best.values(), key=lambda c: (c.distance or 0, c.chain_id, c.asset_id))
        if self.config.thumbnails and query.thumbnails and (self.config.every_stage or not ranked):
            ranked += _others(ranked, self.thumbnail_matches(query.thumbnails))
        if self.config.crops and query.features is not None and (self.config.every_stage or not ranked):
            ranked += _others(ranked, self.crop_matches(query.features))
        return ranked[:limit]

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
