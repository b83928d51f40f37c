"""`GET /config`: the chain id, contract addresses and presets the web page needs for its wallet calls, and
the server's facts it renders its forms from (kinds with their accepted suffixes, tiers with their terms,
uses, the upload limit): the page copies none of them. Also where the checker's review page is, when the
API was told (`GENIP_CHECKER_REVIEW_URL`): the page links checker accounts there; it never sees a prompt."""

from typing import cast, get_args

from fastapi import APIRouter, HTTPException, Request

from api.deps import SettingsDep, core_settings
from api.routes.faucet import faucet_of
from api.routes.uploads import ALLOWED_SUFFIXES, MAX_UPLOAD_BYTES
from api.schemas import ChainConfig, Currency, Kind, KindConfig, TermsTemplate, Use
from api.schemas import Tier as TierName
from genip.chain.deployment import read_deployment
from genip.chain.types import AI_KINDS, WorkKind
from genip.errors import GenIPError
from genip.terms import Tier, terms_for, tier_refusal

__all__ = ["router"]

_ZERO = "0x" + "00" * 20

router = APIRouter(tags=["web"])


def _template(tier: Tier) -> TermsTemplate:
    terms = terms_for(tier)
    return TermsTemplate(
        tier=cast(TierName, tier.name.lower()),
        value=int(tier),
        kinds=[cast(Kind, k.name.lower()) for k in WorkKind if tier_refusal(tier, k) is None],
        commercial_use=terms.commercial_use,
        derivatives_allowed=terms.derivatives_allowed,
        transferable=terms.transferable,
        document_hash="0x" + terms.document_hash.hex(),
        document_uri=terms.document_uri,
        rev_share_bps=terms.rev_share_bps,
    )


def _kind(kind: WorkKind) -> KindConfig:
    return KindConfig(
        kind=cast(Kind, kind.name.lower()),
        value=int(kind),
        suffixes=sorted(ALLOWED_SUFFIXES[kind]),
        prompt_required=kind in AI_KINDS,
    )


@router.get(
    "/config",
    response_model=ChainConfig,
    summary="Chain, contracts and the server's facts for the web page",
    responses={
        503: {"description": "No deployment file: the API was started before the contracts were deployed."}
    },
)
def get_config(request: Request, api_settings: SettingsDep) -> ChainConfig:
    """Chain id and contract addresses of the deployment the API serves (from the deployment file); the
    currencies and terms presets of new offers; the kinds of work (their contract numbers, the file suffixes
    `POST /uploads` accepts, whether a prompt is required), the licence uses and the largest upload; the
    checker's review page, when the API was told where it is (the page links checker accounts to it)."""
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
        kinds=[_kind(kind) for kind in WorkKind],
        uses=list(get_args(Use)),
        max_upload_bytes=MAX_UPLOAD_BYTES,
        faucet=faucet_of(request) is not None,
        checker_review_url=api_settings.checker_review_url,
    )
