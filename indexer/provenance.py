"""Marks possible copies: for each image asset, the earlier registration by another creator it may copy.

DESIGN.md: "the earliest registration is the original. Later near-duplicates by other creators are recorded
as possible copies". This step runs after the media step (`indexer.media`): an image asset is checked once
its media hashes are final (`media_status` ok, invalid or mismatch; or its metadata could not be read, leaving
the on-chain PDQ alone), with `genip.matching.provenance.find_original` on a `MatchEngine` the step keeps, and
gets one `provenance` row per registered content: its possible original (NULL when none), how the two match
and their registration blocks. Up to `batch` assets per step, oldest first.

**Order.** Assets are checked oldest first, so an original is normally checked before its copies. When an
older asset's media arrive late (its media step was retried), its copies may have been checked without it:
checking it then clears the rows of the later works that match it, which are checked again on the next step.
A row whose original a reorg removed is cleared the same way. Rows are written in one transaction per asset.
"""

from dataclasses import replace
from typing import TYPE_CHECKING, Final

from sqlalchemy import Engine, and_, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from genip.db import models
from genip.rules import ContentStatus
from genip.settings import Settings
from genip.webhooks.events import write_events
from indexer.outbox import copy_marked

if TYPE_CHECKING:  # the image stack loads with the first image to check: `genip index --once` starts at once
    from genip.matching.engine import MatchEngine

__all__ = ["ProvenanceFinder"]

#: Media states after which an image's stored hashes no longer change.
_FINAL_MEDIA: Final = (ContentStatus.OK, ContentStatus.INVALID, ContentStatus.MISMATCH)
#: Metadata states that leave an image without media hashes for good: its on-chain PDQ is all there is.
_NO_MEDIA: Final = (ContentStatus.INVALID, ContentStatus.MISMATCH)


class ProvenanceFinder:
    """Fills `provenance` for one chain (see module doc)."""

    def __init__(self, engine: Engine, chain_id: int, settings: Settings, *, batch: int = 50) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.settings = settings  # the matching thresholds (`GENIP_MATCH_*`), as the API's
        self.batch = batch
        self._matcher: MatchEngine | None = None

    def _engine(self) -> "MatchEngine":
        if self._matcher is None:  # loads every image hash of the chain: only once an image needs checking
            from genip.matching.engine import MatchConfig, MatchEngine

            # Stage by stage (`genip.matching.provenance.matching_works` asks each stage itself, and the rule
            # takes the first stage with an original): the engine's own lookup runs only the hash stage.
            config = replace(MatchConfig.from_settings(self.settings), every_stage=False)
            self._matcher = MatchEngine(self.engine, chain_id=self.chain_id, config=config)
        return self._matcher

    def fill(self) -> int:
        """Checks up to `batch` image assets; returns how many."""
        a, p = models.Asset, models.Provenance
        self._forget_vanished_originals()
        checked = exists().where(
            p.chain_id == a.chain_id, p.asset_id == a.asset_id, p.content_hash == a.content_hash
        )
        with Session(self.engine) as session:
            assets = (
                session.execute(
                    select(a)
                    .where(
                        a.chain_id == self.chain_id,
                        a.kind == "image",
                        or_(a.media_status.in_(_FINAL_MEDIA), a.metadata_status.in_(_NO_MEDIA)),
                        ~checked,
                    )
                    .order_by(a.block_number, a.asset_id)
                    .limit(self.batch)
                )
                .scalars()
                .all()
            )
            newest = session.execute(select(func.max(p.asset_id)).where(p.chain_id == self.chain_id)).scalar()
        for asset in assets:
            self._check(asset, late=newest is not None and newest > asset.asset_id)
        return len(assets)

    def _check(self, asset: models.Asset, *, late: bool) -> None:
        """Finds the asset's possible original and writes its row (and, when `late`, clears later works')."""
        from genip.matching.originals import stored_query
        from genip.matching.provenance import find_original, matching_works, stored_hashes

        matcher = self._engine()
        later: set[int] = set()
        with self.engine.connect() as c:
            found = find_original(matcher, c, asset)
            if late:  # works registered after it may have been checked without it: check them again
                hashes = stored_hashes(c, asset)
                creator = asset.creator.lower()
                if hashes.usable:
                    later = {
                        w.asset_id
                        for stage in matching_works(matcher, stored_query(hashes))
                        for w in stage
                        if w.chain_id == asset.chain_id
                        and w.asset_id > asset.asset_id
                        and w.creator.lower() != creator
                    }
        p = models.Provenance
        row: dict[str, object] = {
            "chain_id": asset.chain_id,
            "asset_id": asset.asset_id,
            "content_hash": asset.content_hash,
            "block_number": asset.block_number,
        }
        if found is not None:
            m = found.measure
            row |= {
                "original_id": found.registration.asset_id,
                "original_block": found.registration.block_number,
                "method": m.method,
                "distance": m.distance,
                "correlation": None if m.correlation is None else round(m.correlation, 4),
                "inliers": m.inliers,
            }
        with self.engine.begin() as w:
            w.execute(delete(p).where(p.chain_id == asset.chain_id, p.asset_id == asset.asset_id))
            w.execute(insert(p), [row])
            if found is not None:  # with its row: the `copy.marked` webhook (`indexer.outbox`)
                match = {k: row[k] for k in ("method", "distance", "correlation", "inliers")}
                event = copy_marked(asset, found.registration.asset_id, found.registration.creator, match)
                write_events(w, asset.chain_id, [event])
            if later:
                w.execute(delete(p).where(p.chain_id == asset.chain_id, p.asset_id.in_(sorted(later))))

    def _forget_vanished_originals(self) -> None:
        """Clears rows whose original is no longer registered (a reorg removed it): they are checked again."""
        a, p = models.Asset, models.Provenance
        gone = ~exists().where(a.chain_id == p.chain_id, a.asset_id == p.original_id)
        with self.engine.begin() as c:
            c.execute(delete(p).where(and_(p.chain_id == self.chain_id, p.original_id.is_not(None), gone)))
