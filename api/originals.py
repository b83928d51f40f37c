"""Where the API reads a work's original from, for `GET /works/{id}/original` (`api.routes.originals`).

One function, so that where originals live (envelope-encrypted in the content store,
`genip.storage.originals`) is decided in one place. The route checks what this returns against the
committed sha256 before sending anything.
"""

from typing import TYPE_CHECKING

from fastapi import Request

from api.deps import core_settings
from genip.db import models
from genip.errors import GenIPError
from genip.storage import ContentNotFoundError, ContentStore, StorageError, StorageUnavailableError

if TYPE_CHECKING:
    from genip.storage.originals import Keyring

__all__ = ["OriginalUnavailableError", "original_bytes"]


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
