"""Where the API reads a work's original from, for `GET /works/{id}/original` (`api.routes.originals`).

One function, so that where originals live (envelope-encrypted in the content store,
`genip.storage.originals`) is decided in one place. The route checks what this returns against the
committed sha256 before sending anything.
"""

from typing import TYPE_CHECKING

from fastapi import Request
from sqlalchemy.orm import Session

from api.deps import core_settings
from genip.db import models
from genip.errors import GenIPError
from genip.storage import ContentNotFoundError, ContentStore, StorageError, StorageUnavailableError

if TYPE_CHECKING:
    from genip.storage.originals import Keyring

__all__ = ["OriginalUnavailableError", "original_bytes", "with_credentials"]


class OriginalUnavailableError(GenIPError):
    """The original cannot be read now: its content is not indexed yet, or the store lacks it or is down."""


def original_bytes(request: Request, asset: models.Asset) -> bytes:
    """The bytes of `asset`'s original (not yet checked against its `content_hash`): the envelope-encrypted
    original under its media CID, decrypted (`genip.storage.originals.read_original`, which verifies them
    against the CID), or, for an original stored before sealing existed (no envelope: a store not migrated
    with `genip originals seal-store` yet), the plain object under that CID.

    OriginalUnavailableError when the asset's content is not indexed yet (no media CID) or the original
    cannot be read (missing, store down, no service key opens it, tampered ciphertext)."""
    from genip.storage.originals import OriginalNotSealedError, OriginalsError, read_original

    cid = asset.media_cid
    if not cid:
        raise OriginalUnavailableError(
            f"work {asset.asset_id}'s content is not indexed yet (status {asset.metadata_status}): "
            "try again soon"
        )
    store: ContentStore = request.app.state.store
    try:
        try:
            return read_original(request.app.state.engine, store, _keyring(request), cid)
        except OriginalNotSealedError:
            return store.get(cid)
    except ContentNotFoundError:
        raise OriginalUnavailableError(
            f"the content store holds no original of work {asset.asset_id}"
        ) from None
    except StorageUnavailableError:
        raise OriginalUnavailableError("the content store cannot be reached: try again soon") from None
    except OriginalsError as exc:  # no service key opens the envelope: the operator must fix the keys
        raise OriginalUnavailableError(
            f"the original of work {asset.asset_id} cannot be opened with the service keys: {exc}"
        ) from None
    except StorageError as exc:  # includes IntegrityError: the stored bytes are not the original's
        raise OriginalUnavailableError(
            f"the original of work {asset.asset_id} cannot be read from the content store "
            f"({type(exc).__name__})"
        ) from None


def _keyring(request: Request) -> "Keyring":
    """The service keys that unwrap originals' data keys (`GENIP_ORIGINALS_KEYS`, else the data directory's
    key file), loaded once per app."""
    from genip.storage.originals import Keyring

    keyring: Keyring | None = getattr(request.app.state, "originals_keyring", None)
    if keyring is None:
        keyring = Keyring.from_settings(core_settings(request))
        request.app.state.originals_keyring = keyring
    return keyring


# --- content credentials (issue #21 part 3) ---
def with_credentials(
    request: Request,
    session: Session,
    asset: models.Asset,
    data: bytes,
    media_type: str,
    license_id: int | None,
) -> bytes:
    """`data` (the checked original) with a Gen-IP C2PA manifest asserting its certificate and, for a licence
    holder, licence `license_id` (`genip.content.credentials`), signed with the key and certificate in
    `<data_dir>/c2pa/` (a self-signed demo chain is made there on first use; put the deployment's own
    `chain.pem` and `key.pem` there). `CredentialsError` when the format takes no manifest."""
    from genip.chain.deployment import read_deployment
    from genip.content.credentials import CredentialSigner, add_credentials

    settings = core_settings(request)
    try:
        registry: str | None = read_deployment(settings.deployment_path()).registry
    except (GenIPError, OSError, ValueError):
        registry = None
    certificate = {
        "chainId": asset.chain_id,
        "contract": registry,
        "tokenId": asset.asset_id,
        "contentSha256": asset.content_hash,
        "contentCid": asset.media_cid,
    }
    licence = None
    if license_id is not None:
        held = session.get(models.License, (asset.chain_id, license_id))
        offer = None if held is None else session.get(models.Offer, (asset.chain_id, held.offer_id))
        terms = None if offer is None else session.get(models.Terms, (asset.chain_id, offer.terms_id))
        licence = {
            "licenceId": license_id,
            "holder": None if held is None else held.holder,
            "termsHash": None if terms is None else terms.terms_hash,
            "expiresAt": None if held is None else held.expires_at,  # unix seconds; 0 = perpetual
        }
    signer = CredentialSigner.from_directory(settings.data_dir / "c2pa")
    title = asset.title or f"Gen-IP work {asset.asset_id}"
    return add_credentials(data, media_type, signer, title=title, certificate=certificate, licence=licence)
