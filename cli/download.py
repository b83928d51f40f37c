"""`genip license download ASSET [-o PATH]`: the original of a work you own or hold a licence on.

Signs the request with the account's wallet key (keystore `--account`, or GENIP_PRIVATE_KEY), as the API's
`GET /works/{id}/original` asks (EIP-712 `OriginalDownload`, a fresh nonce, a 5-minute expiry: see
`api.wallet_auth`), sends it to the API (`--api`, GENIP_API_URL, else the running demo's of this data
directory), and writes the file only once the chain itself vouches for the bytes: the registry's
`assetOf(sha256)` must be this asset (the API's word is not taken for it).
"""

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import AccountOption, JsonOption, open_client, settings_of, signer
from cli.output import emit
from genip.errors import GenIPError

__all__ = ["SIGNATURE_VALIDITY", "download"]

#: Seconds the download signature stays valid (the API accepts at most ten minutes).
SIGNATURE_VALIDITY = 300


def _filename(disposition: str | None, asset: int) -> str:
    """The file name the API suggests (`attachment; filename="genip-7.png"`), without any folder part."""
    if disposition and 'filename="' in disposition:
        name = disposition.split('filename="', 1)[1].split('"', 1)[0]
        name = Path(name).name
        if name and name not in (".", ".."):
            return name
    return f"genip-{asset}"


def _refusal(code: int, response: Any) -> GenIPError:
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    return GenIPError(f"the API refused the download ({code}): {detail or 'no detail'}")


def download(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write it (default: the API's file name, here)."),
    ] = None,
    api: Annotated[
        str | None,
        typer.Option("--api", envvar="GENIP_API_URL", help="Base URL of the Gen-IP API."),
    ] = None,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Download the original of a work you own or hold a valid licence on, signed with your wallet; the file
    is written only when its sha256 is the one the certificate commits to."""
    import hashlib
    import time

    import httpx

    from api.routes.originals import DOWNLOAD_FIELDS, DOWNLOAD_TYPE, download_message
    from api.wallet_auth import (
        HEADER_ACCOUNT,
        HEADER_EXPIRY,
        HEADER_NONCE,
        HEADER_SIGNATURE,
        new_nonce,
        sign_typed_data,
        typed_data,
    )
    from cli.prompt import DEFAULT_API, api_url

    settings = settings_of(ctx)
    base = (api or api_url(settings) or DEFAULT_API).rstrip("/")
    client = open_client(settings)
    who = signer(settings, account)
    nonce, expiry = new_nonce(), int(time.time()) + SIGNATURE_VALIDITY
    message = download_message(who.address, asset, nonce, expiry)
    document = typed_data(client.deployment.chain_id, DOWNLOAD_TYPE, DOWNLOAD_FIELDS, message)
    headers = {
        HEADER_ACCOUNT: who.address,
        HEADER_NONCE: nonce,
        HEADER_EXPIRY: str(expiry),
        HEADER_SIGNATURE: sign_typed_data(document, who.key),
    }
    try:
        response = httpx.get(f"{base}/works/{asset}/original", headers=headers, timeout=300.0)
    except httpx.HTTPError as exc:
        raise GenIPError(f"the API at {base} cannot be reached ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise _refusal(response.status_code, response)
    data = response.content
    digest = hashlib.sha256(data).digest()
    committed_to = int(client.registry.functions.assetOf(digest).call())
    if committed_to != asset:
        raise GenIPError(
            f"the bytes the API sent (sha256 0x{digest.hex()[:16]}…) are not what asset {asset}'s "
            "certificate commits to: nothing was written"
        )
    target = output or Path(_filename(response.headers.get("content-disposition"), asset))
    if target.is_dir():
        target = target / _filename(response.headers.get("content-disposition"), asset)
    partial = target.with_name(target.name + ".part")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise GenIPError(f"cannot write {target}: {exc.strerror or type(exc).__name__}") from None
    license_id = response.headers.get("x-genip-license-id")
    result = {
        "asset_id": asset,
        "path": str(target),
        "bytes": len(data),
        "sha256": "0x" + digest.hex(),
        "sha256_verified": True,
        "grant": response.headers.get("x-genip-grant"),
        "license_id": int(license_id) if license_id else None,
        "as_of_block": int(response.headers.get("x-genip-block", "0")),
    }
    emit(result, as_json=as_json, title=f"Original of asset {asset}: sha256 verified")
