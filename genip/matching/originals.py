"""Which registered work is the original of another, and the evidence a claimant takes to the dispute court.

**The rule** (`is_possible_original` for one pair, `possible_original` over all matches; written only here;
`role_of` names what any matching work is to another, as a `genip.rules.MatchRole`):
a registered image B is a *possible original* of a registered image A when B matches A (the engine's stages
and thresholds), B was registered **earlier** (an earlier block, or the same block and a smaller asset id:
ids follow registration order), by **another creator**, and B is not one of A's licensed ancestors (a
derivative is expected to look like its parents). Over all of A's matches the candidate is the **earliest**
(DESIGN.md: "the earliest registration is the original. Later near-duplicates by other creators are recorded
as possible copies"): when that is A's own creator's work, or one of A's ancestors, A has no possible
original, even if someone else's work sits between the two (another derivative of the same ancestor, or a
re-upload of it). The API's asset detail (`possible_original`) and copy evidence (its
`possible_original` flag for the pair) both ask these functions.

**Comparing two registered works** uses what was stored for each, never the media again: the on-chain PDQ
(`assets.perceptual_hash`) and, when the indexer's media step ran, the pHash-256, 16x16 thumbnail and ORB
keypoints in `match_hashes` (`StoredHashes`). `stored_query` turns one work's hashes into an engine query
(the thumbnail in its 8 rotations/flips; the hashes as stored, one orientation, since the work's pixels are
not re-read), so the engine's exact index finds its matches; `compare` measures one pair with the same
stages in the same order as `MatchEngine.match_hash` (a hash within its distance, the smaller distance of
PDQ and pHash; else thumbnails at the correlation threshold, the original's centre views included
(`genip.matching.thumbnails.zoomed`: a centred crop); else keypoint inliers), so both answers agree. A
mirrored copy is therefore found through the thumbnails (when stored), not through PDQ.

**Evidence** (`copy_evidence`): a canonical JSON document of both works (id, creator, block, content hash,
PDQ) and the measure; `evidence_hash` is keccak256 of its UTF-8 bytes (sorted keys, no spaces), the bytes32
a claimant passes to `DisputeCourt.raise` as `evidenceHash`. Anyone holding the document (the API serves it)
can recompute the hash; it holds nothing that changes after registration (no standing, no owner), so the
same pair always gives the same hash.
"""

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from eth_hash.auto import keccak

from genip.matching.engine import Candidate, MatchConfig, confidence
from genip.matching.features import MIN_INLIERS, Features, verify
from genip.matching.perceptual import DIHEDRAL, HASH_BYTES, QueryHash, hash_from_hex
from genip.matching.thumbnails import THUMB_BYTES, THUMB_SIDE, unit_vectors, zoomed
from genip.rules import MatchRole

__all__ = [
    "EVIDENCE_VERSION",
    "Evidence",
    "Measure",
    "Registration",
    "StoredHashes",
    "compare",
    "copy_evidence",
    "is_possible_original",
    "possible_original",
    "role_of",
    "stored_query",
]

#: Names the evidence document's shape; a later change of shape changes it (and so every hash).
EVIDENCE_VERSION: Final = "genip-copy-evidence/1"
_ZERO_HASH: Final = bytes(HASH_BYTES)
_METHOD_WORDS: Final = {"pdq": "PDQ", "phash": "pHash"}


@dataclass(frozen=True, slots=True)
class Registration:
    """What the rule needs to know about a registered work."""

    chain_id: int
    asset_id: int
    creator: str
    block_number: int

    def earlier_than(self, other: "Registration") -> bool:
        """Registered before `other`: an earlier block, or the same block and a smaller id."""
        return (self.block_number, self.asset_id) < (other.block_number, other.asset_id)


def role_of(
    other: Registration,
    work: Registration,
    *,
    work_ancestors: Collection[int] = (),
    other_ancestors: Collection[int] = (),
) -> MatchRole | None:
    """What `other`, which matches `work`, is to it: one of its ancestors, a derivative of it (when
    `other_ancestors` are given), another work of its creator, or else by another creator its `original`
    (registered earlier) or a `possible_copy` (later); None for the work itself or a work of another chain."""
    if other.chain_id != work.chain_id or other.asset_id == work.asset_id:
        return None
    if other.asset_id in work_ancestors:
        return MatchRole.ANCESTOR
    if work.asset_id in other_ancestors:
        return MatchRole.DERIVATIVE
    if other.creator.lower() == work.creator.lower():
        return MatchRole.SAME_CREATOR
    return MatchRole.ORIGINAL if other.earlier_than(work) else MatchRole.POSSIBLE_COPY


def is_possible_original(
    candidate: Registration, copy: Registration, *, copy_ancestors: Collection[int] = ()
) -> bool:
    """THE rule: `candidate`, which matches `copy`, is a possible original of it when it was registered
    earlier, by another creator, on the same chain, and is not one of `copy`'s ancestors (see module doc):
    its role is `original`."""
    return role_of(candidate, copy, work_ancestors=copy_ancestors) is MatchRole.ORIGINAL


def possible_original(
    copy: Registration,
    matches: Sequence[tuple[Candidate, Registration]],
    *,
    copy_ancestors: Collection[int] = (),
) -> tuple[Candidate, Registration] | None:
    """The possible original of `copy` among the works that match it (any order): the EARLIEST of them
    registered before it, when `is_possible_original` holds for it; None when there is none, or when the
    earliest is one of `copy`'s ancestors (a derivative, and any later work that looks like its ancestor, is
    expected to look like it) or by `copy`'s own creator (a re-upload of one's own earlier work is not a copy
    of a later copy by someone else)."""
    earlier = [
        (found, registration)
        for found, registration in matches
        if registration.chain_id == copy.chain_id and registration.earlier_than(copy)
    ]
    if not earlier:
        return None
    found, registration = min(earlier, key=lambda m: (m[1].block_number, m[1].asset_id))
    if not is_possible_original(registration, copy, copy_ancestors=copy_ancestors):
        return None
    return found, registration


@dataclass(frozen=True, slots=True)
class StoredHashes:
    """A registered image's stored hashes: the on-chain PDQ and, when the media step ran, the media's."""

    pdq: bytes | None
    phash: bytes | None = None
    thumb: bytes | None = None
    features: Features | None = None

    @classmethod
    def from_rows(cls, perceptual_hash: str, media: dict[str, bytes]) -> "StoredHashes":
        """From `assets.perceptual_hash` (0x hex) and the asset's `match_hashes` codes by kind."""
        try:
            pdq: bytes | None = hash_from_hex(perceptual_hash)
        except ValueError:
            pdq = None
        features = None
        if "orb" in media:
            try:
                features = Features.from_bytes(media["orb"])
            except ValueError:
                features = None
        phash = media.get("phash")
        thumb = media.get("thumb")
        return cls(
            pdq=None if pdq == _ZERO_HASH else pdq,
            phash=phash if phash is not None and len(phash) == HASH_BYTES else None,
            thumb=thumb if thumb is not None and len(thumb) == THUMB_BYTES else None,
            features=features if features is not None and len(features) >= 4 else None,
        )

    @property
    def usable(self) -> bool:
        """Something to match with."""
        return any(x is not None for x in (self.pdq, self.phash, self.thumb, self.features))


def _thumb_variants(thumb: bytes) -> tuple[bytes, ...]:
    from PIL import Image

    small = Image.frombytes("L", (THUMB_SIDE, THUMB_SIDE), thumb)
    return tuple((small if m is None else small.transpose(m)).tobytes() for m in DIHEDRAL)


def stored_query(hashes: StoredHashes) -> QueryHash:
    """An engine query from a registered work's stored hashes (see module doc). A work without a PDQ gets an
    all-ones PDQ variant, 128 bits from a random hash on average: it matches nothing within 48 bits."""
    return QueryHash(
        variants=(hashes.pdq if hashes.pdq is not None else b"\xff" * HASH_BYTES,),
        quality=100,
        phash_variants=(hashes.phash,) if hashes.phash is not None else (),
        features=hashes.features,
        thumbnails=_thumb_variants(hashes.thumb) if hashes.thumb is not None else (),
    )


@dataclass(frozen=True, slots=True)
class Measure:
    """How one registered work matches another: the engine's `method` and what measured it."""

    method: str
    distance: int | None = None
    correlation: float | None = None
    inliers: int | None = None

    @property
    def confidence(self) -> float:
        if self.distance is not None:
            return confidence(self.distance)
        if self.correlation is not None:
            return self.correlation
        return min(1.0, (self.inliers or 0) / (4 * MIN_INLIERS))

    def words(self) -> str:
        """ "PDQ distance 2 bits", "thumbnail correlation 0.995", "41 matching keypoints"."""
        if self.distance is not None:
            bits = "bit" if self.distance == 1 else "bits"
            return f"{_METHOD_WORDS.get(self.method, self.method)} distance {self.distance} {bits}"
        if self.correlation is not None:
            return f"thumbnail correlation {self.correlation:.3f}"
        return f"{self.inliers} matching keypoints"


def _bits(a: bytes, b: bytes) -> int:
    return int(np.bitwise_count(np.frombuffer(a, np.uint8) ^ np.frombuffer(b, np.uint8)).sum())


def compare(copy: StoredHashes, original: StoredHashes, config: MatchConfig | None = None) -> Measure | None:
    """How `copy` matches `original` by the engine's stages, thresholds and order; None when it does not."""
    config = config or MatchConfig()
    hashes: list[tuple[int, str]] = []
    if copy.pdq is not None and original.pdq is not None:
        hashes.append((_bits(copy.pdq, original.pdq), "pdq"))
    if copy.phash is not None and original.phash is not None:
        hashes.append((_bits(copy.phash, original.phash), "phash"))
    within = [
        (d, m) for d, m in hashes if d <= (config.match_distance if m == "pdq" else config.phash_distance)
    ]
    if within:
        distance, method = min(within)
        return Measure(method, distance=distance)
    if config.thumbnails and copy.thumb is not None and original.thumb is not None:
        turned = _thumb_variants(copy.thumb)
        views = zoomed(original.thumb)  # as the engine stores the original: whole and its centre views
        vectors, usable = unit_vectors([*turned, *views])
        queries, stored = vectors[: len(turned)][usable[: len(turned)]], vectors[len(turned) :]
        if usable[len(turned)] and len(queries):
            correlation = float((queries @ stored.T).max())
            if correlation >= config.thumbnail_correlation:
                return Measure("thumb", correlation=round(correlation, 4))
    if config.crops and copy.features is not None and original.features is not None:
        inliers = verify(copy.features, original.features)
        if inliers >= MIN_INLIERS:
            return Measure("orb", inliers=inliers)
    return None


@dataclass(frozen=True, slots=True)
class Evidence:
    """The canonical document, its hash (the on-chain `evidenceHash`) and the sentence saying it."""

    document: dict[str, Any]
    evidence_hash: str
    sentence: str
    possible_original: bool


def _work(registration: Registration, content_hash: str, perceptual_hash: str) -> dict[str, Any]:
    return {
        "asset_id": registration.asset_id,
        "creator": registration.creator.lower(),
        "block_number": registration.block_number,
        "content_hash": content_hash.lower(),
        "perceptual_hash": perceptual_hash.lower(),
    }


def _when(copy: Registration, original: Registration) -> str:
    gap = copy.block_number - original.block_number
    if gap == 0:
        return "registered in the same block"
    blocks = "block" if abs(gap) == 1 else "blocks"
    return f"registered {abs(gap)} {blocks} {'later' if gap > 0 else 'earlier'}"


def copy_evidence(
    *,
    copy: Registration,
    copy_hashes: tuple[str, str],
    original: Registration,
    original_hashes: tuple[str, str],
    measure: Measure,
    copy_ancestors: Collection[int] = (),
) -> Evidence:
    """The evidence that `copy` copies `original` (`*_hashes`: content hash, PDQ as 0x hex)."""
    document = {
        "version": EVIDENCE_VERSION,
        "chain_id": copy.chain_id,
        "copy": _work(copy, *copy_hashes),
        "original": _work(original, *original_hashes),
        "match": {
            "method": measure.method,
            "distance": measure.distance,
            "correlation": measure.correlation,
            "inliers": measure.inliers,
        },
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = "0x" + keccak(canonical.encode("utf-8")).hex()
    same = copy.creator.lower() == original.creator.lower()
    sentence = (
        f"#{copy.asset_id} matches #{original.asset_id} ({measure.words()}), {_when(copy, original)} "
        f"{'by the same creator' if same else 'by another creator'}"
    )
    flagged = is_possible_original(original, copy, copy_ancestors=copy_ancestors)
    return Evidence(document, digest, sentence, flagged)
