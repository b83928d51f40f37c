"""Fills assets' content fields (title, description, tags, media) from their metadata JSON in the store.

The chain commits to a metadata CID; the JSON itself lives in the content store (the embedded store or a Kubo
node). After each indexing step the filler reads a bounded number of pending assets' metadata, verifies it
(the store checks the bytes against the CID; here the JSON's own sha256 must equal the certificate's content
hash) and copies the searchable fields and the public face (preview CID, excerpt, card:
`genip.content.preview`) onto the asset row. Status per asset:

* `pending` — not read yet;
* `ok` — filled in;
* `missing` — not in the store (yet): retried after `retry_seconds`;
* `invalid` — the on-chain CID is malformed, or the JSON is not JSON / not metadata at all;
* `mismatch` — the JSON describes other content than the certificate: its fields are not shown.

Filling is idempotent and outside the chain data, so a reorg that removes an asset simply removes its row.
Whatever the JSON holds, what is copied fits the row on both databases (`scripts/fuzz_metadata.py` checks
it): text without NUL characters (Postgres text cannot hold them), a media CID only if it is one, a media
type only if it fits its column. Before, one such document made every fill raise, and the indexer with it.
"""

from typing import Any

from sqlalchemy import Engine, or_, select, update

from genip.content.canonical import parse_json
from genip.content.cid import parse_cid
from genip.content.errors import ContentError
from genip.content.metadata import WorkMetadata
from genip.db import models
from genip.rules import ContentStatus
from genip.storage import ContentStore, StorageError
from indexer.retries import Retries

__all__ = ["MetadataFiller"]

#: Width of the asset row's `media_cid` and `media_type` columns.
SHORT_COLUMN = 128


class MetadataFiller:
    def __init__(
        self,
        engine: Engine,
        chain_id: int,
        store: ContentStore,
        *,
        batch: int = 200,
        retry_seconds: float = 60,
    ) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.store = store
        self.batch = batch
        self._retries = Retries(retry_seconds)

    def fill(self) -> int:
        """Reads metadata for up to `batch` assets; returns how many were looked at."""
        statuses = self._retries.statuses()
        a = models.Asset
        with self.engine.connect() as c:
            rows = c.execute(
                select(a.asset_id, a.metadata_cid, a.content_hash)
                .where(a.chain_id == self.chain_id, or_(*(a.metadata_status == s for s in statuses)))
                .order_by(a.asset_id)
                .limit(self.batch)
            ).all()
        for asset_id, cid, content_hash in rows:
            values = self._read(cid, content_hash)
            with self.engine.begin() as c:
                c.execute(
                    update(a)
                    .where(a.chain_id == self.chain_id, a.asset_id == asset_id, a.metadata_cid == cid)
                    .values(**values)
                )
        return len(rows)

    def _read(self, cid: str, content_hash: str) -> dict[str, Any]:
        try:
            data = self.store.get(cid)
        except StorageError:  # not there (yet), or the store is down: try again later
            return {"metadata_status": ContentStatus.MISSING}
        except ContentError:  # not a CID at all: whoever registered it wrote garbage on-chain
            return {"metadata_status": ContentStatus.INVALID}
        try:
            document = parse_json(data)
        except ContentError:
            return {"metadata_status": ContentStatus.INVALID}
        if not isinstance(document, dict):
            return {"metadata_status": ContentStatus.INVALID}
        try:
            meta = WorkMetadata.from_bytes(data)
        except ContentError:
            # Not Gen-IP metadata: show the plain ERC-721 fields; there is nothing to check them against.
            return {
                "metadata_status": ContentStatus.OK,
                "title": _text(document.get("name"), 200),
                "description": _text(document.get("description"), 10_000),
                "tags": None,
                "media_cid": _ipfs(document.get("image")) or _ipfs(document.get("animation_url")),
                "media_type": None,
                "metadata_json": document,
            }
        if "0x" + meta.content.sha256.hex() != content_hash:
            return {"metadata_status": ContentStatus.MISMATCH, "metadata_json": document}
        values: dict[str, Any] = {
            "metadata_status": ContentStatus.OK,
            "title": _text(meta.name),
            "description": _text(meta.description),
            "tags": list(meta.tags),
            "media_cid": meta.content.cid,
            "media_type": _short(meta.media_type),
            "metadata_json": document,
        }
        if meta.preview_cid is not None or meta.excerpt is not None or meta.card is not None or meta.examples:
            # Metadata written before previews names none: then the row keeps what
            # `genip originals seal-store` derived for it.
            card = _json_safe(meta.card)
            if meta.examples:  # a prompt-kind work's example outputs' previews ride in its card
                card = {**(card or {}), "examples": [c for c in map(_short, meta.examples) if c]}
            values |= {
                "preview_cid": _short(meta.preview_cid),
                "excerpt": _text(meta.excerpt, 2_000),
                "card": card,
            }
        return values


def _text(value: Any, limit: int | None = None) -> str | None:
    """A JSON string as column text: NUL characters dropped, cut to `limit`; `None` for anything else."""
    return (value.replace("\x00", "")[:limit] or None) if isinstance(value, str) else None


def _json_safe(card: Any) -> dict[str, Any] | None:
    """A card for the JSON column: without NUL characters anywhere (Postgres JSON text cannot hold them)."""
    return _clean(card) if isinstance(card, dict) else None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _short(value: Any) -> str | None:
    """`value` as text for a `SHORT_COLUMN`-wide column, or `None` if it does not fit (cut, it would lie)."""
    text = _text(value)
    return text if text is not None and len(text) <= SHORT_COLUMN else None


def _ipfs(uri: Any) -> str | None:
    """The CID of an `ipfs://<cid>` URI, if it is a CID (anything else would not fit, or name nothing)."""
    if not isinstance(uri, str) or not uri.startswith("ipfs://"):
        return None
    try:
        parse_cid(cid := uri.removeprefix("ipfs://"))
    except ContentError:
        return None
    return cid
