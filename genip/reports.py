"""Reports and takedowns: a platform reports a post (`POST /reports`), the reported work's owner resolves it.

**What a report is.** A platform sends a post's id, the uploaded image (or its PDQ hash) and the uploader's
account; the API matches it like `POST /match` and stores the answer here: the verdict, the work it rests on
(`asset_id`) and every candidate. A report is about a *use on the platform* (a post), not about another
registered work. Its audience is the platform that made it and the current owner of the work it rests on
(the owner of the certificate at the time of reading, so a sold certificate hands its reports on).

**Unregistered uploads are stored too** (verdict `unregistered`, no work, `state` `closed`): the platform
gets one answer shape and a report id for every post it reported; nobody can resolve such a report and no
owner ever sees it.

**Resolution.** The owner answers once, with `keep` (the use is fine), `flag` (show it as unlicensed) or
`take_down`; `resolve_report` records it and writes the `report.resolved` event into the webhook outbox in
the same transaction (the report is not chain data, so its event is written with the row that made it, as
`copy.marked` is with its provenance row). Only the reporting platform's subscriptions receive it
(`OutboxEvent.platform`): a report names one platform's user and post. A resolved report stays resolved
(a second answer is refused): the platform has acted on the first.

**A claim from a report.** A report can only become a claim in the dispute court when there is a registered
work to bring it against: the uploader's own registration that the match found as a `possible_copy` of the
reported work (`claim_asset_id`; the uploader is its creator or owner). The claim is then the court's
ordinary claim against that work, naming the reported work as the claimant's earlier registration, with the
report's evidence hash: keccak256 of the report's evidence document (`evidence`: the report, the upload's
hashes, both works' ids and content hashes, and the match), canonical JSON with sorted keys and no spaces,
UTF-8, as `genip.matching.originals.copy_evidence` hashes. When the uploader has no such registration the post
is not a registered work: there is nothing to claim against, and the owner's remedy is the takedown decision.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from eth_hash.auto import keccak
from sqlalchemy import Connection, Engine, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from genip.db import models
from genip.errors import GenIPError, NotFoundError
from genip.webhooks.events import OutboxEvent, event_id, write_events

__all__ = [
    "ACTIONS",
    "NewReport",
    "NotOwnerError",
    "ReportConflictError",
    "ReportView",
    "claim_target",
    "evidence_hash",
    "get_report",
    "reports_of_owner",
    "resolve_report",
    "resolved_event",
    "store_report",
]

#: What an owner may decide about a reported post.
ACTIONS: Final = ("keep", "flag", "take_down")
RESOLVED: Final = "report.resolved"


class ReportConflictError(GenIPError):
    """The report cannot be resolved: it is resolved already, or it rests on no registered work."""


class NotOwnerError(GenIPError):
    """Someone other than the reported work's current owner tried to resolve a report."""


@dataclass(frozen=True)
class NewReport:
    """What the API decided about a reported post, to be stored."""

    chain_id: int
    platform_id: int
    post_id: str
    uploader: str | None
    source: str  # image, hashes
    pdq: str  # 64 hex digits
    phash: str | None
    verdict: str
    asset_id: int | None
    claim_asset_id: int | None
    candidates: list[dict[str, Any]]
    note: str | None


@dataclass(frozen=True)
class ReportView:
    """A stored report with its platform's name, the reported work's title and current owner."""

    id: int
    chain_id: int
    platform_id: int
    platform: str
    post_id: str
    uploader: str | None
    source: str
    pdq: str
    phash: str | None
    verdict: str
    asset_id: int | None
    title: str | None
    owner: str | None
    claim_asset_id: int | None
    candidates: list[dict[str, Any]]
    note: str | None
    evidence: dict[str, Any] | None
    evidence_hash: str | None
    created_at: datetime
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None

    @property
    def state(self) -> str:
        """`open` (awaiting the owner), `resolved`, or `closed` (nothing to resolve: no registered work)."""
        if self.resolution is not None:
            return "resolved"
        return "closed" if self.asset_id is None else "open"


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back (stored in UTC)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def claim_target(
    candidates: Sequence[Mapping[str, Any]],
    rests_on: int | None,
    uploader: str | None,
    owners: Mapping[int, str],
) -> int | None:
    """The uploader's registered work a claim can be brought against: a candidate that is a possible copy of
    the work the report rests on, created or owned (`owners`: asset id -> current owner) by the uploader."""
    if rests_on is None or uploader is None:
        return None
    who = uploader.lower()
    for c in candidates:
        if c.get("role") != "possible_copy" or c.get("copy_of") != rests_on:
            continue
        asset = int(c["asset_id"])
        if str(c.get("creator", "")).lower() == who or owners.get(asset, "").lower() == who:
            return asset
    return None


def evidence_hash(document: Mapping[str, Any]) -> str:
    """keccak256 of `document` as canonical JSON (sorted keys, no spaces, UTF-8), `0x` hex."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "0x" + keccak(canonical.encode("utf-8")).hex()


def _evidence(c: Connection, report_id: int, new: NewReport, platform: str, at: datetime) -> dict[str, Any]:
    assert new.asset_id is not None and new.claim_asset_id is not None
    a = models.Asset
    rows = {
        r.asset_id: r
        for r in c.execute(
            select(a.asset_id, a.content_hash, a.creator, a.block_number).where(
                a.chain_id == new.chain_id, a.asset_id.in_([new.asset_id, new.claim_asset_id])
            )
        )
    }

    def work(asset_id: int) -> dict[str, Any]:
        row = rows.get(asset_id)
        return {
            "asset_id": asset_id,
            "content_hash": None if row is None else row.content_hash,
            "creator": None if row is None else row.creator,
            "block_number": None if row is None else row.block_number,
        }

    match = next((dict(m) for m in new.candidates if m.get("asset_id") == new.claim_asset_id), {})
    return {
        "kind": "genip.report",
        "chain_id": new.chain_id,
        "report_id": report_id,
        "platform": platform,
        "post_id": new.post_id,
        "uploader": new.uploader,
        "reported_at": at.isoformat().replace("+00:00", "Z"),
        "upload": {"pdq": new.pdq, "phash": new.phash},
        "work": work(new.asset_id),
        "copy": work(new.claim_asset_id),
        "match": {k: match.get(k) for k in ("method", "distance", "correlation", "inliers", "confidence")},
    }


def _select() -> Any:
    r, p, a = models.Report, models.Platform, models.Asset
    return (
        select(*r.__table__.c, p.name.label("platform_name"), a.owner.label("owner"), a.title.label("title"))
        .join(p, p.id == r.platform_id)
        .join(a, and_(a.chain_id == r.chain_id, a.asset_id == r.asset_id), isouter=True)
    )


def _view(row: Any) -> ReportView:
    r = row
    created_at = _aware(r.created_at)
    assert created_at is not None
    return ReportView(
        id=r.id,
        chain_id=r.chain_id,
        platform_id=r.platform_id,
        platform=row.platform_name,
        post_id=r.post_id,
        uploader=r.uploader,
        source=r.source,
        pdq=r.pdq,
        phash=r.phash,
        verdict=r.verdict,
        asset_id=r.asset_id,
        title=row.title,
        owner=row.owner,
        claim_asset_id=r.claim_asset_id,
        candidates=list(r.candidates or []),
        note=r.note,
        evidence=r.evidence,
        evidence_hash=r.evidence_hash,
        created_at=created_at,
        resolution=r.resolution,
        resolved_by=r.resolved_by,
        resolved_at=_aware(r.resolved_at),
    )


def _read(c: Connection, report_id: int) -> ReportView | None:
    row = c.execute(_select().where(models.Report.id == report_id)).first()
    return None if row is None else _view(row)


def get_report(engine: Engine, chain_id: int, report_id: int) -> ReportView | None:
    """The report of that id on the chain, or None."""
    with engine.connect() as c:
        found = _read(c, report_id)
    return found if found is not None and found.chain_id == chain_id else None


def store_report(engine: Engine, new: NewReport, *, now: datetime | None = None) -> tuple[ReportView, bool]:
    """Stores a report; returns it and whether it is new. The same post with the same upload reported again
    by the same platform is the report already stored (a platform's retry creates nothing)."""
    now = now or datetime.now(UTC)
    r = models.Report
    same = and_(r.platform_id == new.platform_id, r.post_id == new.post_id, r.pdq == new.pdq)
    with engine.connect() as c:
        existing = c.execute(select(r.id).where(same)).scalar()
    if existing is None:
        try:
            with engine.begin() as c:
                report_id = int(
                    c.execute(
                        insert(r).returning(r.id),
                        [
                            {
                                "chain_id": new.chain_id,
                                "platform_id": new.platform_id,
                                "post_id": new.post_id,
                                "uploader": new.uploader,
                                "source": new.source,
                                "pdq": new.pdq,
                                "phash": new.phash,
                                "verdict": new.verdict,
                                "asset_id": new.asset_id,
                                "claim_asset_id": new.claim_asset_id,
                                "candidates": new.candidates,
                                "note": new.note,
                                "created_at": now,
                            }
                        ],
                    ).scalar_one()
                )
                if new.claim_asset_id is not None:
                    platform = c.execute(
                        select(models.Platform.name).where(models.Platform.id == new.platform_id)
                    ).scalar_one()
                    document = _evidence(c, report_id, new, platform, now)
                    c.execute(
                        update(r)
                        .where(r.id == report_id)
                        .values(evidence=document, evidence_hash=evidence_hash(document))
                    )
        except IntegrityError:  # the same report, stored meanwhile by a concurrent retry
            with engine.connect() as c:
                existing = c.execute(select(r.id).where(same)).scalar_one()
        else:
            with engine.connect() as c:
                view = _read(c, report_id)
            assert view is not None
            return view, True
    with engine.connect() as c:
        view = _read(c, int(existing))
    assert view is not None
    return view, False


def reports_of_owner(
    engine: Engine, chain_id: int, owner: str, *, limit: int = 100, before: int | None = None
) -> list[ReportView]:
    """Reports about the works `owner` owns now, newest first (`before`: report ids below it)."""
    r, a = models.Report, models.Asset
    query = _select().where(r.chain_id == chain_id, a.owner == owner).order_by(r.id.desc()).limit(limit)
    if before is not None:
        query = query.where(r.id < before)
    with engine.connect() as c:
        return [_view(row) for row in c.execute(query)]


def resolved_event(report: ReportView) -> OutboxEvent:
    """The `report.resolved` event of a resolved report, for the reporting platform's subscriptions."""
    assert report.resolution is not None and report.resolved_at is not None
    accounts = {a for a in (report.owner, report.uploader) if a}
    return OutboxEvent(
        id=event_id(report.chain_id, RESOLVED, report.id),
        type=RESOLVED,
        data={
            "report_id": report.id,
            "chain_id": report.chain_id,
            "platform": report.platform,
            "post_id": report.post_id,
            "uploader": report.uploader,
            "action": report.resolution,
            "verdict": report.verdict,
            "asset_id": report.asset_id,
            "claim_asset_id": report.claim_asset_id,
            "resolved_by": report.resolved_by,
            "resolved_at": report.resolved_at.isoformat().replace("+00:00", "Z"),
        },
        timestamp=int(report.resolved_at.timestamp()),
        block_number=None,
        assets=frozenset({report.asset_id} if report.asset_id is not None else ()),
        accounts=frozenset(accounts),
        platform=report.platform_id,
    )


def resolve_report(
    engine: Engine, chain_id: int, report_id: int, *, action: str, by: str, now: datetime | None = None
) -> ReportView:
    """Records the owner's `action` on a report and, in the same transaction, its `report.resolved` event.

    NotFoundError: no such report on the chain; ReportConflictError: resolved already, or about no registered
    work; NotOwnerError: `by` does not own the reported work now."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
    now = now or datetime.now(UTC)
    r = models.Report
    with engine.begin() as c:
        found = _read(c, report_id)
        if found is None or found.chain_id != chain_id:
            raise NotFoundError(f"no report {report_id} on chain {chain_id}")
        if found.asset_id is None:
            raise ReportConflictError(f"report {report_id} matched no registered work: nothing to resolve")
        if found.resolution is not None:
            raise ReportConflictError(f"report {report_id} was already resolved ({found.resolution})")
        if found.owner is None or found.owner.lower() != by.lower():
            raise NotOwnerError(f"only the owner of work {found.asset_id} may resolve report {report_id}")
        done = c.execute(
            update(r)
            .where(r.id == report_id, r.resolution.is_(None))
            .values(resolution=action, resolved_by=found.owner, resolved_at=now)
        )
        if done.rowcount != 1:  # resolved meanwhile by a concurrent request
            raise ReportConflictError(f"report {report_id} was already resolved")
        resolved = _read(c, report_id)
        assert resolved is not None
        write_events(c, chain_id, [resolved_event(resolved)], now=now)
    return resolved
