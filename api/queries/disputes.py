"""Claims brought in the dispute court: one dispute, or every dispute against an asset.

A dispute's row is the court's record (`genip.db.models.Dispute`); its taints and held funds come from their
own tables in one query each, whatever the number of disputes. Whether a ruling is `final` and whether the
owner may still `answer` depend on the time, so they are judged against the cursor block's timestamp (the
chain's clock), like licence expiry, by `genip.rules` (`ruling_final`, `answer_open`).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.queries.chain import ChainState
from api.schemas import DisputePublic, DisputesPublic, HeldPublic, TaintPublic
from genip import rules
from genip.db import models

__all__ = ["asset_disputes", "asset_disputes_page", "dispute_detail", "iso_time", "public_disputes"]


def iso_time(seconds: int | None) -> str | None:
    """Unix seconds as ISO 8601 in UTC (`2026-11-24T10:00:00Z`); None stays None."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def public_disputes(
    session: Session, *, state: ChainState, disputes: Sequence[models.Dispute]
) -> list[DisputePublic]:
    """The wire form of `disputes` (in the given order), with their taints and held funds."""
    if not disputes:
        return []
    chain = state.chain_id
    ids = [d.dispute_id for d in disputes]
    taints: dict[int, list[TaintPublic]] = defaultdict(list)
    for t in session.execute(
        select(models.Taint)
        .where(models.Taint.chain_id == chain, models.Taint.dispute_id.in_(ids))
        .order_by(models.Taint.asset_id)
    ).scalars():
        taints[t.dispute_id].append(
            TaintPublic(
                asset_id=t.asset_id,
                ancestor_id=t.ancestor_id,
                status="cleared" if t.status == "cleared" else "active",
                propagated_block=t.propagated_block,
                cleared_block=t.cleared_block,
            )
        )
    held: dict[int, list[HeldPublic]] = defaultdict(list)
    for h in session.execute(
        select(models.Held)
        .where(models.Held.chain_id == chain, models.Held.dispute_id.in_(ids))
        .order_by(models.Held.asset_id, models.Held.currency)
    ).scalars():
        held[h.dispute_id].append(
            HeldPublic(
                asset_id=h.asset_id,
                currency=h.currency,
                amount=str(h.amount),
                released=str(h.released),
                released_to=h.released_to,
            )
        )
    now = state.timestamp
    return [
        DisputePublic(
            dispute_id=d.dispute_id,
            asset_id=d.asset_id,
            claimant=d.claimant,
            claimant_asset_id=d.claimant_asset_id or None,
            evidence_hash=d.evidence_hash,
            bond_currency=d.bond_currency,
            bond=str(d.bond),
            status=rules.DisputeState(d.status).value,
            reversed=d.reversed,
            final=rules.ruling_final(d.status, d.final_at, now),
            raised_at=iso_time(d.raised_at) or "",
            answer_deadline=iso_time(d.answer_deadline) or "",
            answer_open=rules.answer_open(d.status, d.answered, d.answer_deadline, now),
            answered=d.answered,
            answer_hash=d.answer_hash,
            arbiter=d.arbiter,
            resolution_hash=d.resolution_hash,
            resolved_at=iso_time(d.resolved_at),
            final_at=iso_time(d.final_at),
            reversal_hash=d.reversal_hash,
            bond_awarded_to=d.bond_awarded_to,
            raised_block=d.raised_block,
            resolved_block=d.resolved_block,
            reversed_block=d.reversed_block,
            tainted=taints.get(d.dispute_id, []),
            held=held.get(d.dispute_id, []),
        )
        for d in disputes
    ]


def dispute_detail(session: Session, *, state: ChainState, dispute_id: int) -> DisputePublic | None:
    """One dispute by its court id, or None when there is none."""
    found = session.get(models.Dispute, (state.chain_id, dispute_id))
    if found is None:
        return None
    return public_disputes(session, state=state, disputes=[found])[0]


def asset_disputes(session: Session, *, state: ChainState, asset_id: int) -> list[DisputePublic]:
    """Every dispute against `asset_id`, newest first."""
    rows = (
        session.execute(
            select(models.Dispute)
            .where(models.Dispute.chain_id == state.chain_id, models.Dispute.asset_id == asset_id)
            .order_by(models.Dispute.dispute_id.desc())
        )
        .scalars()
        .all()
    )
    return public_disputes(session, state=state, disputes=rows)


def asset_disputes_page(session: Session, *, state: ChainState, asset_id: int) -> DisputesPublic:
    """`asset_disputes` as a response body."""
    data = asset_disputes(session, state=state, asset_id=asset_id)
    return DisputesPublic(data=data, count=len(data), as_of_block=state.block_number)
