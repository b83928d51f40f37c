"""`/disputes`: one claim brought in the dispute court, by its court id."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from api.deps import ChainDep, SessionDep
from api.queries.disputes import dispute_detail
from api.schemas import MAX_ASSET_ID, DisputePublic, ErrorBody

__all__ = ["DISPUTE_DESCRIPTION", "router"]

router = APIRouter(prefix="/disputes", tags=["disputes"])

DISPUTE_DESCRIPTION = """
A claim against a certificate, as the DisputeCourt records it. Anyone raises one with a bond (`bond` of
`bond_currency`) and an evidence hash, optionally naming their own earlier registration the asset copies
(`claimant_asset_id`). The asset's owner may answer until `answer_deadline`; an arbiter rules only after it.

* `status`: `open`, `cleared` (the claim failed — or an upheld ruling was `reversed` by the admin within its
  appeal window) or `upheld`. An upheld ruling is `final` at `final_at`, the end of its appeal window; a
  cleared one at once.
* Money: the asset's revenue is `held` under the dispute while it is open (and for good once upheld), then
  released by anyone to the owner (cleared) or the claimant (upheld and final). The bond goes to the owner
  when cleared, back to the claimant once an upheld ruling is settled (`bond_awarded_to`).
* Taint: an upheld ruling can be propagated to the asset's descendants (`tainted`), whose sales stop and
  whose revenue is held under the same dispute.

Times are ISO 8601 (UTC) of the chain's clock; `final` and `answer_open` are judged at the indexed block.
"""


@router.get(
    "/{dispute_id}",
    response_model=DisputePublic,
    responses={404: {"model": ErrorBody, "description": "No dispute with this id on the served chain."}},
    summary="One dispute",
    description=DISPUTE_DESCRIPTION,
)
def get_dispute(
    dispute_id: Annotated[int, Path(ge=0, le=MAX_ASSET_ID, description="The court's dispute id.")],
    session: SessionDep,
    state: ChainDep,
) -> DisputePublic:
    """A dispute with its deadlines, bond, ruling, taints and held funds."""
    found = dispute_detail(session, state=state, dispute_id=dispute_id)
    if found is None:
        raise HTTPException(404, f"dispute {dispute_id} does not exist on chain {state.chain_id}")
    return found
