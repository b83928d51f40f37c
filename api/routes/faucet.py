"""`POST /faucet`: demo mode only, a fixed small amount of test ETH (and demo gUSD) for a new wallet.

On when the API has `GENIP_FAUCET_KEY` (only `genip demo` sets it) and the deployment is on a local
development chain; off, it answers 403 and `GET /config` says `faucet: false`, so the page shows no
button. One grant per address per `GENIP_FAUCET_INTERVAL` seconds (429 with `Retry-After`).
The sending is `genip.faucet`'s.
"""

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.addresses import parse_address
from api.deps import core_settings
from api.params import ADDRESS_DESCRIPTION, ADDRESS_FORMAT, ADDRESS_PATTERN
from api.schemas import ErrorBody
from api.settings import ApiSettings
from genip.chain.deployment import read_deployment
from genip.errors import GenIPError
from genip.faucet import DEV_CHAIN_IDS, Faucet, FaucetError, FaucetRateLimitedError

__all__ = ["FaucetGrantPublic", "FaucetRequest", "faucet_of", "router"]

router = APIRouter(tags=["web"])


class FaucetRequest(BaseModel):
    """The wallet to fund."""

    address: str = Field(
        pattern=ADDRESS_PATTERN,
        description=ADDRESS_DESCRIPTION,
        json_schema_extra={"format": ADDRESS_FORMAT},
    )


class FaucetGrantPublic(BaseModel):
    """What the faucet sent."""

    address: str
    eth_wei: str = Field(description="Wei sent, as a decimal string.")
    token: str | None = Field(description="The demo token minted to the address, if any.")
    token_units: str = Field(description="Token base units minted, as a decimal string.")
    tx_hashes: list[str]
    block_number: int


def faucet_of(request: Request) -> Faucet | None:
    """The app's faucet, built on first use; `None` unless the settings hold a key and the deployment is on
    a development chain."""
    app = request.app
    if hasattr(app.state, "faucet"):
        found: Faucet | None = app.state.faucet
        return found
    settings: ApiSettings = app.state.settings
    faucet: Faucet | None = None
    if settings.faucet_key is not None and settings.faucet_key.get_secret_value().strip():
        core = core_settings(request)
        try:
            deployment = read_deployment(core.deployment_path())
        except (GenIPError, OSError, ValueError):
            return None  # not remembered: the deployment may appear later
        if deployment.chain_id in DEV_CHAIN_IDS:
            faucet = Faucet(
                key=settings.faucet_key,
                rpc_url=core.rpc_url or deployment.rpc_url,
                chain_id=deployment.chain_id,
                token=deployment.demo_token,
                interval=settings.faucet_interval,
            )
    app.state.faucet = faucet
    return faucet


@router.post(
    "/faucet",
    response_model=FaucetGrantPublic,
    summary="Demo only: test ETH (and gUSD) for a new wallet",
    responses={
        400: {"model": ErrorBody, "description": "Malformed address."},
        403: {"model": ErrorBody, "description": "The faucet is off: it runs only in demo mode."},
        429: {"model": ErrorBody, "description": "This address was funded recently (see Retry-After)."},
        503: {"model": ErrorBody, "description": "The chain cannot be reached or refused the transfer."},
    },
)
async def fund(request: Request, body: Annotated[FaucetRequest, Body()]) -> FaucetGrantPublic | JSONResponse:
    """Send the fixed amounts to `address` and answer the transactions once mined."""
    faucet = faucet_of(request)
    if faucet is None:
        raise HTTPException(403, "the faucet is off: it runs only in demo mode")
    address = parse_address(body.address, field="address")
    try:
        grant = await run_in_threadpool(faucet.grant, address)
    except FaucetRateLimitedError as exc:
        return JSONResponse(
            {"detail": str(exc)}, status_code=429, headers={"Retry-After": str(exc.retry_after)}
        )
    except FaucetError as exc:
        raise HTTPException(503, str(exc)) from None
    return FaucetGrantPublic(
        address=grant.address,
        eth_wei=str(grant.eth_wei),
        token=grant.token,
        token_units=str(grant.token_units),
        tx_hashes=list(grant.tx_hashes),
        block_number=grant.block_number,
    )
