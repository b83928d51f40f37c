"""`GET /assets/{id}/copy-evidence?original=`: how a registered image matches an earlier one, in numbers, in
words, and as the hash a claimant passes to `DisputeCourt.raise`.

Both works are compared on their stored hashes (`genip.matching.originals.compare`: the engine's stages,
thresholds and order), so the answer is deterministic and needs no media read; the rule that names a
possible original is `genip.matching.originals.is_possible_original`, the one the asset detail uses.
"""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import ChainDep, SessionDep
from api.matcher import match_config
from api.schemas import MAX_ASSET_ID, CopyEvidence, CopyMatch, ErrorBody, UnprocessableBody, WorkRef
from genip.db import models
from genip.matching.originals import compare, copy_evidence
from genip.matching.provenance import ancestors_of, registration_of, stored_hashes

__all__ = ["DESCRIPTION", "router"]

router = APIRouter(prefix="/assets", tags=["disputes"])

DESCRIPTION = """
Match evidence that asset `asset_id` copies asset `original`, for a claimant about to bring a claim in the
dispute court (`raise(assetId, evidenceHash, claimantAssetId, bondCurrency)`).

Both works must be registered images. They are compared on what was stored for each — the on-chain PDQ, and
when the indexer's media step ran the media's pHash-256, 16x16 thumbnail and ORB keypoints — with the
matching engine's stages and thresholds (`POST /match`): a hash within its distance (the smaller of PDQ and
pHash), else thumbnail correlation, else keypoint inliers. `possible_original` is the rule the asset detail
uses: the original was registered earlier, by another creator, and is not an ancestor of the asset.

`evidence` is a canonical document (both works' ids, creators, registration blocks, content hashes and PDQ,
and the match); `evidence_hash` = keccak256 of it as JSON with sorted keys and no spaces, UTF-8. Pass the hash
as `evidenceHash`: anyone can fetch the same document and recompute it (nothing in it changes after the two
registrations).

Errors (JSON `detail`): 404 an unknown asset or original; 422 the same id twice, a work that is not an image
or has no usable hash, or two works that do not match.
"""

_404 = {"model": ErrorBody, "description": "No asset (or original) with this id on the served chain."}
_422 = {
    "model": UnprocessableBody,
    "description": "Same id twice, not an image, no usable hash, no match, or a missing or bad `original`.",
}


def _ref(asset: models.Asset) -> WorkRef:
    return WorkRef(
        asset_id=asset.asset_id,
        title=asset.title,
        creator=asset.creator,
        owner=asset.owner,
        block_number=asset.block_number,
        content_hash=asset.content_hash,
        perceptual_hash=asset.perceptual_hash,
    )


@router.get(
    "/{asset_id}/copy-evidence",
    response_model=CopyEvidence,
    responses={404: _404, 422: _422},
    summary="Match evidence that an asset copies another",
    description=DESCRIPTION,
)
async def get_copy_evidence(
    request: Request,
    asset_id: Annotated[int, Path(ge=0, le=MAX_ASSET_ID, description="The work said to be a copy.")],
    original: Annotated[int, Query(ge=0, le=MAX_ASSET_ID, description="The work said to be copied.")],
    session: SessionDep,
    state: ChainDep,
) -> CopyEvidence:
    """Compare two registered images and hash the evidence (see the description)."""
    if original == asset_id:
        raise HTTPException(422, f"original must be another asset than {asset_id}")
    works: list[models.Asset] = []
    for key, which in ((asset_id, "asset"), (original, "original")):
        found = session.get(models.Asset, (state.chain_id, key))
        if found is None:
            raise HTTPException(404, f"{which} {key} is not registered on chain {state.chain_id}")
        if found.kind != "image":
            raise HTTPException(422, f"{which} {key} is a {found.kind} work; copy evidence compares images")
        works.append(found)
    copy, source = works
    config = match_config(request.app)

    def measure() -> CopyEvidence:
        connection = session.connection()
        copy_hashes, source_hashes = stored_hashes(connection, copy), stored_hashes(connection, source)
        for which, asset, hashes in (("asset", copy, copy_hashes), ("original", source, source_hashes)):
            if not hashes.usable:
                raise HTTPException(422, f"{which} {asset.asset_id} has no usable perceptual hash")
        found = compare(copy_hashes, source_hashes, config)
        if found is None:
            raise HTTPException(
                422, f"asset {asset_id} does not match asset {original} within the matching thresholds"
            )
        evidence = copy_evidence(
            copy=registration_of(copy),
            copy_hashes=(copy.content_hash, copy.perceptual_hash),
            original=registration_of(source),
            original_hashes=(source.content_hash, source.perceptual_hash),
            measure=found,
            copy_ancestors=ancestors_of(connection, copy.chain_id, copy.asset_id),
        )
        earlier = min((copy.block_number, copy.asset_id), (source.block_number, source.asset_id))[1]
        return CopyEvidence(
            asset=_ref(copy),
            original=_ref(source),
            earlier_asset_id=earlier,
            blocks_later=copy.block_number - source.block_number,
            same_creator=copy.creator.lower() == source.creator.lower(),
            possible_original=evidence.possible_original,
            match=CopyMatch(
                method=found.method,  # type: ignore[arg-type]
                distance=found.distance,
                correlation=found.correlation,
                inliers=found.inliers,
                confidence=round(found.confidence, 4),
            ),
            sentence=evidence.sentence,
            evidence=evidence.document,
            evidence_hash=evidence.evidence_hash,
            as_of_block=state.block_number,
        )

    return await run_in_threadpool(measure)
