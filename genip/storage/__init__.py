"""Content-addressed storage of works and their metadata: an embedded `LocalStore` (default) or a Kubo
node (`KuboStore`). Both name content by the same CID (`genip.content.cid`) and verify bytes on read.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Any

from genip.storage.base import (
    ContentNotFoundError,
    ContentStore,
    IntegrityError,
    Progress,
    StorageError,
    StorageUnavailableError,
    verifying_reader,
)
from genip.storage.local import LocalStore

__all__ = [
    "ContentNotFoundError",
    "ContentStore",
    "IntegrityError",
    "KuboStore",
    "LocalStore",
    "Progress",
    "StorageError",
    "StorageUnavailableError",
    "open_store",
    "verifying_reader",
]


if TYPE_CHECKING:
    from genip.storage.kubo import KuboStore


def __getattr__(name: str) -> Any:
    """`KuboStore` loads on first use: its HTTP client (httpx) costs more to import than the commands that
    never talk to a Kubo node may take to start."""
    if name == "KuboStore":
        from genip.storage.kubo import KuboStore

        return KuboStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(data_dir: Path, ipfs_api: str | None = None) -> ContentStore:
    """The store to use: the Kubo node at `ipfs_api` when set (`GENIP_IPFS_API`), else the embedded store
    in `<data_dir>/store`."""
    if ipfs_api:
        from genip.storage.kubo import KuboStore

        return KuboStore(ipfs_api)
    return LocalStore(data_dir / "store")
