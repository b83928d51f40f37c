"""`GET /works/{asset_id}/original`: a work's original, delivered only to its owner and licence holders.

The request is signed by the account's wallet (EIP-712, `api.wallet_auth`); the indexed state at the current
block decides (`genip.rules.may_download`); every delivery is logged (`downloads`) before a byte is sent; the
bytes are checked against the committed sha256 first.
"""

import hashlib
import mimetypes
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import ChainDep, SessionDep
from api.originals import OriginalUnavailableError, original_bytes, with_credentials
from api.queries.chain import chain_state
from api.routes.media import sniff
from api.schemas import MAX_ASSET_ID, ErrorBody
from api.wallet_auth import (
    COMMON_FIELDS,
    DOMAIN_NAME,
    DOMAIN_VERSION,
    HEADER_ACCOUNT,
    HEADER_EXPIRY,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    MAX_AHEAD,
    WalletAuthError,
    parse_signed,
    verify_signed,
)
from genip.content.credentials import CredentialsError
from genip.db import models
from genip.rules import DownloadGrant, DownloadRefusal, may_download

__all__ = ["DOWNLOAD_ACTION", "DOWNLOAD_FIELDS", "DOWNLOAD_TYPE", "download_message", "router"]

router = APIRouter(prefix="/works", tags=["originals"])

#: The EIP-712 struct a download request signs, and its fixed `action`.
DOWNLOAD_TYPE: Final = "OriginalDownload"
DOWNLOAD_ACTION: Final = "download original"
DOWNLOAD_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    COMMON_FIELDS[0],  # action
    COMMON_FIELDS[1],  # account
    ("assetId", "uint256"),
    COMMON_FIELDS[2],  # nonce
    COMMON_FIELDS[3],  # expiry
)


def download_message(account: str, asset_id: int, nonce: str, expiry: int) -> dict[str, Any]:
    """The `OriginalDownload` message `account` signs to download work `asset_id`."""
    return {
        "action": DOWNLOAD_ACTION,
        "account": account,
        "assetId": asset_id,
        "nonce": nonce,
        "expiry": expiry,
    }


DESCRIPTION = f"""
The original bytes of a work (the full-resolution image, the text, the model file, a prompt-kind work's
prompt), for its owner and the holders of a valid licence on it. Anonymous visitors see the public face only.

**Signing.** The request carries the account's EIP-712 signature in four headers (headers, not the query, so
a page can `fetch` the file and save it as a blob, and no signature lands in access logs):

* `{HEADER_ACCOUNT}`: the account (address);
* `{HEADER_NONCE}`: 32 random bytes, `0x` hex, used once;
* `{HEADER_EXPIRY}`: unix seconds (wall clock) after which the signature is refused; at most {MAX_AHEAD} s
  ahead;
* `{HEADER_SIGNATURE}`: `eth_signTypedData_v4` of domain
  `{{name: "{DOMAIN_NAME}", version: "{DOMAIN_VERSION}", chainId}}` (the served chain, `GET /config`),
  primary type `{DOWNLOAD_TYPE}(string action, address account, uint256 assetId, bytes32 nonce,
  uint256 expiry)`, `action` = `"{DOWNLOAD_ACTION}"`.

**Who gets it** (the indexed state at the cursor block, chain time): the certificate's owner, always; anybody
else holding a licence on the work that is not renounced and not expired, while the work is clear (not
disputed, upheld or tainted). Any licence tier fits.

**Answers.** 200 with the bytes (`Content-Disposition: attachment`, `X-Content-SHA256` = the committed
sha256 they were checked against, `X-Genip-Grant` = `owner` or `licence`, `X-Genip-License-Id`,
`X-Genip-Block`; never cached). 401: no, malformed, expired, too-far-future, replayed or wrong-signer
signature. 403 with `reason` `no_licence`, `licence_expired` or `disputed`. 404: no such work. 502: the stored
bytes do not hash to the committed sha256 (nothing is sent). 503: the original cannot be read now.

Every delivery is logged (account, work, owner or licence id, block, time) before it is sent; a signature is
spent when it is checked, even if the answer is a refusal.

**Content credentials** (`?credentials=true`): a JPEG, PNG or WebP original comes with a C2PA manifest signed
by the deployment (`<data_dir>/c2pa/chain.pem` and `key.pem`; a self-signed demo chain is made there if
absent) asserting `org.genip.certificate` (chain id, contract, token id, content sha256 and CID),
`org.genip.licence` (licence id, holder, terms hash, expiry; for a licence holder) and a `c2pa.opened` action
with `digitalSourceType` trainedAlgorithmicMedia, the original kept as its `parentOf` ingredient. The
manifest's hard binding covers the delivered bytes, so they no longer hash to the committed sha256
(`X-Content-SHA256`, asserted inside); `X-Delivered-SHA256` is theirs, `X-Genip-Credentials` is `c2pa`, or
`none` for other formats (delivered as they are).
"""


class DownloadRefused(BaseModel):
    """Why the signer may not download this original."""

    detail: str = Field(description="A sentence saying why.")
    reason: Literal["no_licence", "licence_expired", "disputed"]


AssetId = Annotated[int, Path(ge=0, le=MAX_ASSET_ID, description="Asset (certificate token) id.")]
_Account = Annotated[str | None, Header(alias=HEADER_ACCOUNT, description="The signing account.")]
_Nonce = Annotated[str | None, Header(alias=HEADER_NONCE, description="32 random bytes, 0x-hex.")]
_Expiry = Annotated[str | None, Header(alias=HEADER_EXPIRY, description="Unix seconds, wall clock.")]
_Signature = Annotated[
    str | None, Header(alias=HEADER_SIGNATURE, description="EIP-712 OriginalDownload signature.")
]
_Credentials = Annotated[
    bool,
    Query(description="Embed a C2PA manifest asserting the certificate and the licence (JPEG, PNG, WebP)."),
]


def _refusal_sentence(refusal: DownloadRefusal, account: str, asset: models.Asset, block: int) -> str:
    if refusal is DownloadRefusal.NO_LICENCE:
        return f"{account} holds no licence on work {asset.asset_id}: buy one to download the original"
    if refusal is DownloadRefusal.LICENCE_EXPIRED:
        return f"{account}'s licence on work {asset.asset_id} has expired (as of block {block})"
    return (
        f"work {asset.asset_id} is {asset.standing}: its original is not delivered to licence holders "
        "while a claim against it is open or upheld"
    )


def _filename(asset: models.Asset, media_type: str) -> str:
    suffix = mimetypes.guess_extension(media_type.split(";")[0].strip()) or ".bin"
    return f"genip-{asset.asset_id}{suffix}"


@router.get(
    "/{asset_id}/original",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        401: {"model": ErrorBody, "description": "No valid, fresh, unused wallet signature."},
        403: {"model": DownloadRefused, "description": "The signer may not have the original now."},
        404: {"model": ErrorBody, "description": "No such work on the served chain."},
        502: {"model": ErrorBody, "description": "The stored bytes do not match the committed sha256."},
        503: {"model": ErrorBody, "description": "The original cannot be read now."},
    },
    summary="The original of a work, for its owner and licence holders",
    description=DESCRIPTION,
)
def get_original(
    asset_id: AssetId,
    request: Request,
    session: SessionDep,
    state: ChainDep,
    x_genip_account: _Account = None,
    x_genip_nonce: _Nonce = None,
    x_genip_expiry: _Expiry = None,
    x_genip_signature: _Signature = None,
    credentials: _Credentials = False,
) -> Response:
    """Checks the signature, the licence rules and the bytes; logs the delivery; sends the original."""
    no_store = {"Cache-Control": "no-store, private"}
    try:
        signed = parse_signed(x_genip_account, x_genip_nonce, x_genip_expiry, x_genip_signature)
    except WalletAuthError as exc:
        raise HTTPException(401, str(exc), headers=no_store) from None
    if session.get(models.Asset, (state.chain_id, asset_id)) is None:
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {state.chain_id}")
    try:
        account = verify_signed(
            session,
            chain_id=state.chain_id,
            primary_type=DOWNLOAD_TYPE,
            fields=DOWNLOAD_FIELDS,
            message=download_message(signed.account, asset_id, signed.nonce, signed.expiry),
            signature=signed.signature,
        )
    except WalletAuthError as exc:
        raise HTTPException(401, str(exc), headers=no_store) from None

    # The nonce's commit ended the read transaction: the decision reads the state afresh, cursor first.
    now = chain_state(session, state.chain_id)
    asset = session.get(models.Asset, (now.chain_id, asset_id), populate_existing=True)
    if asset is None:  # removed by a reorg meanwhile
        raise HTTPException(404, f"asset {asset_id} is not registered on chain {now.chain_id}")
    L = models.License
    licences = session.scalars(
        select(L).where(L.chain_id == now.chain_id, L.asset_id == asset_id, L.holder == account)
    ).all()
    decision = may_download(asset, account, licences, now.timestamp)
    if isinstance(decision, DownloadRefusal):
        body = DownloadRefused(
            detail=_refusal_sentence(decision, account, asset, now.block_number), reason=decision.value
        )
        return JSONResponse(body.model_dump(), status_code=403, headers=no_store)

    try:
        data = original_bytes(request, asset)
    except OriginalUnavailableError as exc:
        raise HTTPException(503, str(exc), headers=no_store) from None
    if "0x" + hashlib.sha256(data).hexdigest() != asset.content_hash.lower():
        raise HTTPException(
            502,
            f"the stored original of work {asset_id} does not hash to its committed sha256: nothing was sent",
            headers=no_store,
        )
    _log(session, now.chain_id, asset, account, decision, now.block_number)
    media_type = asset.media_type or sniff(data[:512])
    headers = no_store | {
        "Content-Disposition": f'attachment; filename="{_filename(asset, media_type)}"',
        "X-Content-SHA256": asset.content_hash,
        "X-Genip-Grant": decision.grant,
        "X-Genip-Block": str(now.block_number),
    }
    if decision.license_id is not None:
        headers["X-Genip-License-Id"] = str(decision.license_id)
    if credentials:  # issue #21: a C2PA manifest asserting the certificate and the licence
        try:
            data = with_credentials(request, session, asset, data, media_type, decision.license_id)
            headers |= {"X-Genip-Credentials": "c2pa", "X-Delivered-SHA256": hashlib.sha256(data).hexdigest()}
        except CredentialsError:  # a format that takes no manifest: the original as it is
            headers["X-Genip-Credentials"] = "none"
    return Response(data, media_type=media_type, headers=headers)


def _log(
    session: SessionDep, chain_id: int, asset: models.Asset, account: str, grant: DownloadGrant, block: int
) -> None:
    session.add(
        models.Download(
            chain_id=chain_id,
            asset_id=asset.asset_id,
            account=account,
            grant=grant.grant,
            license_id=grant.license_id,
            content_hash=asset.content_hash,
            block_number=block,
            at=datetime.now(UTC),
        )
    )
    session.commit()
