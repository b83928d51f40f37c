"""Similar works (`GET /assets/{id}/similar`): registered images near an image asset, by the matching engine.

The asked asset's own hashes are the query — its registered PDQ hash, and the pHash-256 and thumbnail the
indexer's media step stored — searched with `SIMILAR_DISTANCE`, a wider radius than the copy threshold (a
"looks like" strip, not a copy verdict; unrelated images sit about 128 of 256 bits apart). Left out: the
asset itself, rows a reorg removed, and, unless asked, works the indexer recorded as possible copies (as
search does). Other kinds have no image to compare: their list is empty.
"""

from typing import Final

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.matcher import lookup_radius
from api.queries.chain import ChainState
from api.queries.copies import copy_of
from api.schemas import SimilarWork, SimilarWorks
from genip.db import models
from genip.matching.perceptual import QueryHash

__all__ = ["SIMILAR_DISTANCE", "similar_works"]

#: PDQ bits within which a registered image counts as similar (copies are within 48).
SIMILAR_DISTANCE: Final = 80


def similar_works(
    app: FastAPI,
    session: Session,
    state: ChainState,
    asset: models.Asset,
    *,
    limit: int,
    include_copies: bool,
) -> SimilarWorks:
    """Up to `limit` works near `asset`, closest first."""
    out = SimilarWorks(asset_id=asset.asset_id, data=[], as_of_block=state.block_number)
    if asset.kind != "image" or int(asset.perceptual_hash, 16) == 0:
        return out
    m = models.MatchHash
    codes = {
        kind: bytes(code)
        for kind, code in session.execute(
            select(m.kind, m.code).where(
                m.chain_id == asset.chain_id,
                m.asset_id == asset.asset_id,
                m.content_hash == asset.content_hash,
                m.kind.in_(("phash", "thumb")),
            )
        )
    }
    query = QueryHash(
        variants=(bytes.fromhex(asset.perceptual_hash[2:]),),
        quality=100,
        phash_variants=(codes["phash"],) if "phash" in codes else (),
        thumbnails=(codes["thumb"],) if "thumb" in codes else (),
    )
    found = [
        c
        for c in lookup_radius(app, query, distance=SIMILAR_DISTANCE, limit=limit + 50)
        if c.chain_id == asset.chain_id and c.asset_id != asset.asset_id
    ]
    ids = [c.asset_id for c in found]
    copies = set() if include_copies else set(copy_of(session, asset.chain_id, ids))
    a = models.Asset
    rows = {
        r.asset_id: r
        for r in session.execute(
            select(
                a.asset_id, a.title, a.kind, a.creator, a.media_cid, a.media_type, a.preview_cid, a.standing
            ).where(a.chain_id == asset.chain_id, a.asset_id.in_(ids))
        )
    }
    for c in found:
        row = rows.get(c.asset_id)
        if row is None or c.asset_id in copies:
            continue
        out.data.append(
            SimilarWork(
                asset_id=c.asset_id,
                title=row.title,
                kind=row.kind,
                creator=row.creator,
                media_cid=row.media_cid,
                media_type=row.media_type,
                preview_cid=row.preview_cid,
                standing=row.standing,
                method=c.method,
                distance=c.distance,
                likeness=c.likeness,
            )
        )
        if len(out.data) == limit:
            break
    return out
