"""Uploads with an owner: who stored what through `POST /uploads` and `POST /uploads/examples`, how much an
owner may upload per day, and the sweeper that removes uploads nobody registered.

**Owners.** Every upload belongs to the platform whose API key sent it or to the wallet that signed it
(`Owner`); the API records it (`record_upload`, table `uploads`, migration 0018) before the bytes are stored.

**Quotas** (`Quota`, `quota_wait`): per owner, at most `count` uploads and `bytes` bytes in any rolling
`window` (a day); a platform has its own, larger quota. The rows already recorded decide, so every API process
sees the same figures. Over quota, the answer is how many seconds until the oldest upload in the window leaves
it (the API's `Retry-After`). Two requests of one owner checked at the same instant may both pass (the check
and the record are not one transaction): an owner can overshoot by the uploads it has in flight, no more.

**Registered.** An upload is registered once an indexed asset commits to its CID: a work's original is the
asset's `media_cid`, an example output's preview is listed in the asset's metadata (`genip.preview.examples`).
The sweeper records that (`registered_at`, the asset) when it meets the upload.

**The sweeper** (`sweep`; `genip uploads sweep`, see `cli.uploads`): every upload older than the TTL that is
neither registered nor swept is either found registered now (marked so), or marked swept and its bytes removed
from the content store: for a work, its sealed ciphertext (and envelope), its preview and its record
`<data dir>/uploads/<cid>.json`; for an example, its preview and `<data dir>/uploads/examples/<cid>.json`.
A CID is never removed while an asset commits to it (as media, metadata, preview or example) or another upload
not swept holds it: two owners may upload the same bytes, and one's registration or fresh upload keeps them.
The TTL must exceed the time from upload to indexed registration (minutes); the default is a day.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from genip.db import models
from genip.storage.base import ContentStore, StorageError

__all__ = [
    "DEFAULT_TTL",
    "EXAMPLES_FOLDER",
    "EXAMPLE_KIND",
    "WINDOW",
    "Owner",
    "Quota",
    "SweepReport",
    "committing_asset",
    "forget_upload",
    "quota_wait",
    "record_upload",
    "sweep",
    "usage",
]

#: How long an upload may wait for its registration before the sweeper removes it.
DEFAULT_TTL: Final = timedelta(hours=24)
#: The rolling window quotas count uploads in.
WINDOW: Final = timedelta(days=1)
#: `uploads.kind` of an example output's preview (`POST /uploads/examples`).
EXAMPLE_KIND: Final = "example"
#: Where `POST /uploads/examples` keeps its records, under the uploads folder.
EXAMPLES_FOLDER: Final = "examples"


@dataclass(frozen=True, slots=True)
class Owner:
    """Who an upload belongs to: a platform (its id) or a wallet (its checksummed address)."""

    platform_id: int | None = None
    wallet: str | None = None

    def __post_init__(self) -> None:
        if (self.platform_id is None) == (self.wallet is None):
            raise ValueError("an upload's owner is a platform or a wallet, exactly one")

    def __str__(self) -> str:
        return f"platform {self.platform_id}" if self.platform_id is not None else f"wallet {self.wallet}"


@dataclass(frozen=True, slots=True)
class Quota:
    """At most `count` uploads and `bytes` bytes per `window`."""

    count: int
    bytes: int
    window: timedelta = WINDOW


def _mine(owner: Owner) -> ColumnElement[bool]:
    u = models.Upload
    return u.platform_id == owner.platform_id if owner.platform_id is not None else u.wallet == owner.wallet


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def usage(conn: Connection, owner: Owner, since: datetime) -> tuple[int, int, datetime | None]:
    """How many uploads and bytes `owner` recorded since `since`, and when the oldest of them was."""
    u = models.Upload
    count, total, oldest = conn.execute(
        select(func.count(), func.coalesce(func.sum(u.size), 0), func.min(u.created_at)).where(
            _mine(owner), u.created_at > since
        )
    ).one()
    return int(count), int(total), None if oldest is None else _aware(oldest)


def quota_wait(conn: Connection, owner: Owner, quota: Quota, size: int, now: datetime | None = None) -> int:
    """0 when `owner` may upload `size` more bytes now under `quota`; otherwise the whole seconds until enough
    of its uploads have left the window (at least 1). A file larger than the whole byte quota waits a full
    window."""
    now = now or datetime.now(UTC)
    count, total, oldest = usage(conn, owner, now - quota.window)
    if count + 1 <= quota.count and total + size <= quota.bytes:
        return 0
    if oldest is None or size > quota.bytes:
        return int(quota.window.total_seconds())
    u = models.Upload
    times = conn.execute(
        select(u.created_at, u.size)
        .where(_mine(owner), u.created_at > now - quota.window)
        .order_by(u.created_at)
    ).all()
    # the first moment the uploads still in the window fit one more of `size` bytes
    left_count, left_bytes = count, total
    for created, stored in times:
        left_count, left_bytes = left_count - 1, left_bytes - int(stored)
        if left_count + 1 <= quota.count and left_bytes + size <= quota.bytes:
            leaves = _aware(created) + quota.window
            return max(1, int((leaves - now).total_seconds()) + 1)
    return int(quota.window.total_seconds())


def record_upload(
    conn: Connection,
    owner: Owner,
    *,
    kind: str,
    cid: str,
    sha256: str,
    size: int,
    preview_cid: str | None = None,
    now: datetime | None = None,
) -> int:
    """Record an upload of `owner` (before its bytes are stored, so the sweeper sees it); its id."""
    u = models.Upload
    result = conn.execute(
        insert(u)
        .values(
            kind=kind,
            cid=cid,
            preview_cid=preview_cid,
            sha256=sha256,
            size=size,
            platform_id=owner.platform_id,
            wallet=owner.wallet,
            created_at=now or datetime.now(UTC),
        )
        .returning(u.id)
    )
    return int(result.scalar_one())


def forget_upload(conn: Connection, upload_id: int) -> None:
    """Drop the record of an upload whose bytes could not be stored (it does not count against the quota)."""
    conn.execute(delete(models.Upload).where(models.Upload.id == upload_id))


def committing_asset(conn: Connection, cid: str, *, example: bool = False) -> tuple[int, int] | None:
    """(chain id, asset id) of an indexed asset that commits to `cid`, or None. With `example`, also an asset
    whose metadata lists `cid` among its example previews (a text search of the metadata: CIDs are unique
    base32 words)."""
    a = models.Asset
    found = or_(a.media_cid == cid, a.preview_cid == cid, a.metadata_cid == cid)
    if example:
        found = or_(found, cast(a.metadata_json, String).like(f'%"{cid}"%'))
    row = conn.execute(select(a.chain_id, a.asset_id).where(found).order_by(a.chain_id, a.asset_id)).first()
    return None if row is None else (int(row[0]), int(row[1]))


def _held(conn: Connection, cid: str, upload_id: int) -> bool:
    """Whether an asset commits to `cid` or another upload not swept holds it."""
    u = models.Upload
    other = conn.execute(
        select(u.id)
        .where(or_(u.cid == cid, u.preview_cid == cid), u.swept_at.is_(None), u.id != upload_id)
        .limit(1)
    ).first()
    return other is not None or committing_asset(conn, cid, example=True) is not None


@dataclass
class SweepReport:
    """What one `sweep` did: uploads found registered, swept, store objects removed, CIDs kept because
    something else holds them, and failures (CID, message) it went past."""

    registered: int = 0
    swept: int = 0
    removed: int = 0
    kept: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "registered": self.registered,
            "swept": self.swept,
            "removed": self.removed,
            "kept": self.kept,
            "failed": [{"cid": c, "error": e} for c, e in self.failed],
        }


def sweep(
    engine: Engine,
    store: ContentStore,
    uploads_dir: Path,
    *,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
    limit: int = 10_000,
) -> SweepReport:
    """Mark registered, or sweep, up to `limit` uploads older than `ttl` (see the module description). Safe to
    run in several processes at once: each upload is claimed by a conditional update before anything is
    removed."""
    now = now or datetime.now(UTC)
    u = models.Upload
    report = SweepReport()
    with engine.connect() as c:
        due = c.execute(
            select(u.id, u.kind, u.cid, u.preview_cid)
            .where(u.registered_at.is_(None), u.swept_at.is_(None), u.created_at < now - ttl)
            .order_by(u.id)
            .limit(limit)
        ).all()
    for upload_id, kind, cid, preview_cid in due:
        example = kind == EXAMPLE_KIND
        with engine.begin() as c:
            asset = committing_asset(c, cid, example=example)
            if asset is not None:
                c.execute(
                    update(u)
                    .where(u.id == upload_id, u.registered_at.is_(None))
                    .values(registered_at=now, asset_chain_id=asset[0], asset_id=asset[1])
                )
                report.registered += 1
                continue
            claimed = c.execute(
                update(u)
                .where(u.id == upload_id, u.swept_at.is_(None), u.registered_at.is_(None))
                .values(swept_at=now)
            ).rowcount
        if not claimed:
            continue  # another sweeper took it
        report.swept += 1
        for held_cid, record in (
            (cid, uploads_dir / EXAMPLES_FOLDER / f"{cid}.json" if example else uploads_dir / f"{cid}.json"),
            (preview_cid, None),
        ):
            if held_cid is None:
                continue
            try:
                _remove(engine, store, held_cid, upload_id, record, original=not example and held_cid == cid)
            except _Kept:
                report.kept += 1
            except (StorageError, OSError) as exc:
                report.failed.append((held_cid, str(exc)))
            else:
                report.removed += 1
    return report


class _Kept(Exception):
    """The CID is held by an asset or another upload: nothing removed."""


def _remove(
    engine: Engine, store: ContentStore, cid: str, upload_id: int, record: Path | None, *, original: bool
) -> None:
    """Remove `cid` (an original: its sealed ciphertext and envelope) and its record, unless held."""
    s = models.SealedOriginal
    with engine.begin() as c:
        if _held(c, cid, upload_id):
            raise _Kept
        sealed = c.execute(select(s.sealed_cid).where(s.original_cid == cid)).scalar() if original else None
        if sealed is not None:
            c.execute(delete(s).where(s.original_cid == cid))
    if sealed is not None:
        store.remove(sealed)
    store.remove(cid)  # a plaintext copy, if one was ever stored (an example's preview is one)
    if record is not None:
        record.unlink(missing_ok=True)
