"""Migrating a content store from plaintext originals to sealed ones (`genip originals seal-store`).

Before originals were sealed (`genip.storage.originals`), every work's bytes sat in the store in the clear,
under the CID its metadata names. This step finds those originals — every asset's `media_cid` in the
database and every upload `POST /uploads` kept a record of (`<data dir>/uploads/<cid>.json`) — and for each
one the store still holds in the clear: copies it out (verified against its CID), seals it, derives the
public face the asset lacks (works registered before previews existed: the preview is stored and recorded
on the asset row; the on-chain metadata cannot change), and only then removes the plaintext (`remove`: an
unlink locally, an unpin on Kubo). Originals already sealed get their missing preview from the sealed copy.

Idempotent and restartable: each original is handled on its own, plaintext removed last, so a crash leaves
either the plaintext (sealed again next run, under the same CID) or a sealed original.
"""

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from genip.chain.types import WorkKind
from genip.content.preview import Preview, derive_preview
from genip.db import models
from genip.storage.base import StorageError
from genip.storage.originals import Originals, envelope_of

__all__ = ["Original", "SealReport", "plaintext_candidates", "seal_store"]


@dataclass(frozen=True, slots=True)
class Original:
    """An original the store may hold in the clear: its CID and kind, the asset it is the work of (if
    registered and indexed), its format details and the creator's model (for cards)."""

    cid: str
    kind: WorkKind
    asset: tuple[int, int] | None = None  # (chain id, asset id)
    details: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    has_preview: bool = True


@dataclass
class SealReport:
    """What `seal_store` did: originals sealed now, already sealed, not found at all, previews derived,
    and failures (CID and message) it went past."""

    sealed: int = 0
    already: int = 0
    absent: int = 0
    previews: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def plaintext_candidates(originals: Originals, uploads_dir: Path | None) -> list[Original]:
    """Every original the database and the upload records know, one entry per CID (an asset first)."""
    a = models.Asset
    found: dict[str, Original] = {}
    with originals.engine.connect() as c:
        rows = c.execute(
            select(
                a.chain_id, a.asset_id, a.kind, a.media_cid, a.metadata_json, a.preview_cid, a.excerpt, a.card
            )
            .where(a.media_cid.is_not(None), a.metadata_status == "ok")
            .order_by(a.chain_id, a.asset_id)
        ).all()
    for chain_id, asset_id, kind, cid, document, preview_cid, excerpt, card in rows:
        g = (document or {}).get("genip") or {}
        details = g.get("details")
        try:
            work_kind = WorkKind[str(kind).upper()]
        except KeyError:
            continue
        if cid not in found:
            found[cid] = Original(
                cid,
                work_kind,
                (chain_id, asset_id),
                details if isinstance(details, dict) else {},
                g.get("model") if isinstance(g.get("model"), str) else None,
                has_preview=any(v is not None for v in (preview_cid, excerpt, card)),
            )
    for record in sorted(uploads_dir.glob("*.json")) if uploads_dir and uploads_dir.is_dir() else []:
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            cid, kind = str(data["cid"]), WorkKind[str(data["kind"]).upper()]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.setdefault(cid, Original(cid, kind, details=data.get("details") or {}))
    return list(found.values())


def seal_store(
    originals: Originals,
    uploads_dir: Path | None,
    *,
    on_total: Callable[[int], None] | None = None,
    on_item: Callable[[Original], None] | None = None,
) -> SealReport:
    """Seal every plaintext original `originals.store` holds and derive missing previews (module docstring).
    `on_total` hears how many originals will be looked at, `on_item` each one when done."""
    candidates = plaintext_candidates(originals, uploads_dir)
    if on_total is not None:
        on_total(len(candidates))
    report = SealReport()
    for original in candidates:
        try:
            _seal_one(originals, original, report)
        except (StorageError, OSError, ValueError) as exc:
            report.failed.append((original.cid, str(exc)))
        if on_item is not None:
            on_item(original)
    return report


def _seal_one(originals: Originals, original: Original, report: SealReport) -> None:
    store = originals.store
    sealed = envelope_of(originals.engine, original.cid)
    if store.has(original.cid):
        with tempfile.TemporaryDirectory(prefix="genip-seal-store-") as folder:
            plain = Path(folder) / "original"
            with store.open(original.cid) as stream, plain.open("wb") as out:
                shutil.copyfileobj(stream, out)  # verified against the CID when read to the end
            if sealed is None or not store.has(sealed.sealed_cid):
                originals.seal(plain)
                report.sealed += 1
            else:
                report.already += 1
            _face(originals, original, plain, report)
        store.remove(original.cid)
        return
    if sealed is None:
        report.absent += 1
        return
    report.already += 1
    if original.asset is not None and not original.has_preview:
        with tempfile.TemporaryDirectory(prefix="genip-seal-store-") as folder:
            plain = Path(folder) / "original"
            plain.write_bytes(originals.read(original.cid))
            _face(originals, original, plain, report)


def _face(originals: Originals, original: Original, plain: Path, report: SealReport) -> None:
    """Derive and record the public face of a registered work that has none."""
    if original.asset is None or original.has_preview:
        return
    preview: Preview = derive_preview(
        original.kind, plain, original.details, size=plain.stat().st_size, model=original.model
    )
    preview_cid = originals.store.put(preview.image) if preview.image is not None else None
    chain_id, asset_id = original.asset
    a = models.Asset
    with originals.engine.begin() as c:
        c.execute(
            update(a)
            .where(a.chain_id == chain_id, a.asset_id == asset_id, a.media_cid == original.cid)
            .values(preview_cid=preview_cid, excerpt=preview.excerpt, card=preview.card)
        )
    report.previews += 1
