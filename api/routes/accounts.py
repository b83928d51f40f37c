"""`/accounts/{address}`: works created, licences held, balances and pending withdrawals;
`/accounts/{address}/revenue`: revenue per work over time."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.addresses import parse_address
from api.deps import ChainDep, SessionDep
from api.params import AddressPath
from api.queries.accounts import account
from api.queries.licences import revenue_series
from api.schemas import AccountPublic, ErrorBody, RevenueSeries

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


@router.get(
    "/{address}/revenue",
    response_model=RevenueSeries,
    responses={400: {"model": ErrorBody, "description": "Malformed or wrongly checksummed address."}},
    summary="Revenue per work over time, for the works an account created",
    description=(
        "Every payment to each work the account created (licence sales, direct payments, royalties; "
        "before the platform fee and the ancestors' shares), per work and currency, oldest first, with "
        "the running total. Block times the index does not keep are interpolated and marked `approximate`."
    ),
)
def get_revenue(address: AddressPath, session: SessionDep, state: ChainDep) -> RevenueSeries:
    """Revenue series of one account's works."""
    return revenue_series(session, state=state, address=parse_address(address))
