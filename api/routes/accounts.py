"""`/accounts/{address}`: works created, licences held, balances and pending withdrawals."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.addresses import parse_address
from api.deps import ChainDep, SessionDep
from api.params import AddressPath
from api.queries.accounts import account
from api.schemas import AccountPublic, ErrorBody

__all__ = ["router"]

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get(
    "/{address}",
    response_model=AccountPublic,
    responses={400: {"model": ErrorBody, "description": "Malformed or wrongly checksummed address."}},
    summary="An account's works, licences and revenue",
    description=(
        "Works created (newest first, at most `limit`), counts of works created and owned, licences held "
        "(with validity as of the indexed block), revenue balances per currency and pending withdrawals "
        "(the withdrawable balance per currency). An address never seen answers with empty lists. "
        "Addresses are accepted checksummed or all lowercase."
    ),
)
def get_account(
    address: AddressPath,
    session: SessionDep,
    state: ChainDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> AccountPublic:
    """One account."""
    return account(session, state=state, address=parse_address(address), limit=limit)
