"""`GET /config`: the chain id, contract addresses and presets the web page needs for its wallet calls."""

from fastapi import APIRouter, HTTPException, Request

from api.deps import core_settings
from api.routes.uploads import MAX_UPLOAD_BYTES
from api.schemas import ChainConfig, Currency, TermsTemplate
from genip.chain.deployment import read_deployment
from genip.errors import GenIPError
from genip.terms import Tier, terms_for

__all__ = ["router"]

_ZERO = "0x" + "00" * 20

router = APIRouter(tags=["web"])


def _template(tier: Tier) -> TermsTemplate:
    terms = terms_for(tier)
    return TermsTemplate(
        document_hash="0x" + terms.document_hash.hex(),
        document_uri=terms.document_uri,
        rev_share_bps=terms.rev_share_bps,
    )


@router.get(
    "/config",
    response_model=ChainConfig,
    summary="Chain and contracts for the web page",
    responses={
        503: {"description": "No deployment file: the API was started before the contracts were deployed."}
    },
)
def get_config(request: Request) -> ChainConfig:
    """Chain id and contract addresses of the deployment the API serves (from the deployment file)."""
    settings = core_settings(request)
    try:
        deployment = read_deployment(settings.deployment_path())
    except (GenIPError, OSError, ValueError) as exc:
        raise HTTPException(503, f"no deployment to point the page at: {exc}") from None
    currencies = [Currency(address=_ZERO, symbol="ETH", decimals=18)]
    if deployment.demo_token:
        currencies.append(Currency(address=deployment.demo_token, symbol="gUSD", decimals=6))
    return ChainConfig(
        chain_id=deployment.chain_id,
        chain_id_hex=hex(deployment.chain_id),
        registry=deployment.registry,
        hub=deployment.hub,
        license_token=deployment.license_token,
        court=deployment.court,
        demo_token=deployment.demo_token,
        deploy_block=deployment.deploy_block,
        fee_bps=deployment.fee_bps,
        currencies=currencies,
        terms={tier.name.lower(): _template(tier) for tier in Tier},
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )
