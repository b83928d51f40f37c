"""One asset's certificate, offers (with whether each is available and can be bought now: `genip.rules`),
licence counts, disputes, lineage, and the later works recorded as possible copies of it
(`api.queries.copies`), so that its owner sees them."""

from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.queries.chain import ChainState
from api.queries.copies import copies
from api.queries.disputes import asset_disputes
from api.queries.search import CHECK_STATE, SUMMARY_COLUMNS, check_policy
from api.schemas import (
    AssetPublic,
    EdgePublic,
    LicenseCounts,
    LineageEdge,
    LineageNode,
    LineagePublic,
    OfferPublic,
    PossibleCopy,
    PromptCheckPublic,
    TermsPublic,
)
from genip import rules
from genip.db import models

__all__ = ["LINEAGE_LIMIT", "asset_detail", "lineage"]

A = models.Asset.__table__
L = models.License.__table__
E = models.DerivativeEdge.__table__
AN = models.Ancestor.__table__

#: Most descendants a lineage graph lists (ancestors are bounded by the contract's depth limit).
LINEAGE_LIMIT = 500
_CHILDREN_LIMIT = 100
_COPIES_LIMIT = 100


def asset_detail(session: Session, *, state: ChainState, asset_id: int) -> AssetPublic | None:
    """Everything indexed about one asset, or None when there is no such asset."""
    chain = state.chain_id
    asset = session.get(models.Asset, (chain, asset_id))
    if asset is None:
        return None
    offers = session.execute(
        select(models.Offer, models.Terms)
        .outerjoin(
            models.Terms,
            (models.Terms.chain_id == models.Offer.chain_id)
            & (models.Terms.terms_id == models.Offer.terms_id),
        )
        .where(models.Offer.chain_id == chain, models.Offer.asset_id == asset_id)
        .order_by(models.Offer.offer_id)
    ).all()
    valid = rules.licence_valid_sql(L, state.timestamp)
    counts = session.execute(
        select(L.c.tier, func.count(), func.sum(case((valid, 1), else_=0)))
        .where(L.c.chain_id == chain, L.c.asset_id == asset_id)
        .group_by(L.c.tier)
    ).all()
    parent = A.alias("parent")
    parents = session.execute(
        select(E.c.parent_id, parent.c.title, E.c.share_bps, E.c.license_id)
        .outerjoin(parent, (parent.c.chain_id == E.c.chain_id) & (parent.c.asset_id == E.c.parent_id))
        .where(E.c.chain_id == chain, E.c.child_id == asset_id)
        .order_by(E.c.parent_id)
    ).all()
    children = session.execute(
        select(E.c.child_id, parent.c.title, E.c.share_bps, E.c.license_id)
        .outerjoin(parent, (parent.c.chain_id == E.c.chain_id) & (parent.c.asset_id == E.c.child_id))
        .where(E.c.chain_id == chain, E.c.parent_id == asset_id)
        .order_by(E.c.child_id)
        .limit(_CHILDREN_LIMIT)
    ).all()
    summary = {c.name: getattr(asset, c.name) for c in SUMMARY_COLUMNS if c.name != "check_state"}
    summary["check_state"] = session.execute(
        select(CHECK_STATE).where(A.c.chain_id == chain, A.c.asset_id == asset_id)
    ).scalar_one()
    policy = check_policy(session, chain)
    public_offers = [_offer(o, t, asset, state, policy) for o, t in offers]
    later, _ = copies(session, chain_id=chain, original_id=asset_id, limit=_COPIES_LIMIT)
    return AssetPublic(
        **summary,
        possible_copies=[
            PossibleCopy(
                asset_id=c.asset_id,
                title=c.title,
                creator=c.creator,
                owner=c.owner,
                block_number=c.block_number,
                method=c.method,  # type: ignore[arg-type]
                distance=c.distance,
                correlation=c.correlation,
                inliers=c.inliers,
                blocks_later=c.blocks_later,
                asset_status=rules.asset_status(c.standing, c.expires_at, state.timestamp).value,
            )
            for c in later
        ],
        asset_status=rules.asset_status(asset.standing, asset.expires_at, state.timestamp).value,
        purchasable=rules.asset_purchasable(
            asset, [o for o, _ in offers], state.timestamp, check_policy=policy
        ),
        registrar=asset.registrar,
        tx_hash=asset.tx_hash,
        content_hash=asset.content_hash,
        perceptual_hash=asset.perceptual_hash,
        prompt_commitment=asset.prompt_commitment,
        royalty_bps=asset.royalty_bps,
        royalty_sink=asset.royalty_sink,
        royalty_stack_bps=asset.royalty_stack_bps,
        depth=asset.depth,
        metadata_status=asset.metadata_status,
        metadata=asset.metadata_json,
        prompt_check=PromptCheckPublic(
            status=asset.prompt_check,
            checker=asset.prompt_checker,
            report_hash=asset.prompt_report_hash,
            block_number=asset.prompt_check_block,
        ),
        standing_dispute_id=asset.standing_dispute_id or None,
        disputes=asset_disputes(session, state=state, asset_id=asset_id),
        offers=public_offers,
        licenses=LicenseCounts(
            total=sum(int(n) for _, n, _ in counts),
            valid=sum(int(v or 0) for _, _, v in counts),
            by_tier={str(t): int(n) for t, n, _ in counts},
        ),
        parents=[EdgePublic(asset_id=i, title=t, share_bps=s, license_id=lic) for i, t, s, lic in parents],
        children=[EdgePublic(asset_id=i, title=t, share_bps=s, license_id=lic) for i, t, s, lic in children],
        as_of_block=state.block_number,
    )


def _offer(
    o: models.Offer, t: models.Terms | None, asset: models.Asset, state: ChainState, policy: bool
) -> OfferPublic:
    refusal = rules.sale_refusal(o, asset, state.timestamp, check_policy=policy)
    return OfferPublic(
        offer_id=o.offer_id,
        seller=o.creator,
        tier=o.tier,
        currency=o.currency,
        price=str(o.price),
        duration=o.duration,
        supply_cap=o.supply_cap,
        sold=o.sold,
        paused=o.paused,
        available=rules.offer_available(o, asset),
        lapsed=rules.offer_lapsed(o, asset),
        purchasable=refusal is None,
        refusal=None if refusal is None else refusal.value,
        terms=None if t is None else TermsPublic.model_validate(t),
    )


def lineage(session: Session, *, state: ChainState, asset_id: int) -> LineagePublic | None:
    """Ancestors (with their effective shares) and descendants of an asset; None when it does not exist."""
    chain = state.chain_id
    me = session.get(models.Asset, (chain, asset_id))
    if me is None:
        return None
    shares: dict[int, int] = {
        int(a): int(s)
        for a, s in session.execute(
            select(AN.c.ancestor_id, AN.c.share_bps).where(AN.c.chain_id == chain, AN.c.asset_id == asset_id)
        )
    }
    descendants = [
        int(d)
        for (d,) in session.execute(
            select(AN.c.asset_id)
            .where(AN.c.chain_id == chain, AN.c.ancestor_id == asset_id)
            .order_by(AN.c.asset_id)
            .limit(LINEAGE_LIMIT + 1)
        )
    ]
    truncated = len(descendants) > LINEAGE_LIMIT
    descendants = descendants[:LINEAGE_LIMIT]
    ids = [asset_id, *shares, *descendants]
    rows: dict[int, Any] = {
        int(r.asset_id): r
        for r in session.execute(
            select(A.c.asset_id, A.c.title, A.c.kind, A.c.creator, A.c.owner, A.c.depth).where(
                A.c.chain_id == chain, A.c.asset_id.in_(ids)
            )
        )
    }
    nodes = []
    for i in ids:
        r = rows.get(i)
        if r is None:
            continue
        relation: Literal["self", "ancestor", "descendant"] = (
            "self" if i == asset_id else "ancestor" if i in shares else "descendant"
        )
        nodes.append(
            LineageNode(
                asset_id=i,
                title=r.title,
                kind=r.kind,
                creator=r.creator,
                owner=r.owner,
                depth=r.depth,
                relation=relation,
                effective_share_bps=shares.get(i),
            )
        )
    children = [asset_id, *shares, *descendants]
    edges = [
        LineageEdge(child_id=c, parent_id=p, share_bps=s, license_id=lic)
        for c, p, s, lic in session.execute(
            select(E.c.child_id, E.c.parent_id, E.c.share_bps, E.c.license_id)
            .where(E.c.chain_id == chain, E.c.child_id.in_(children))
            .order_by(E.c.child_id, E.c.parent_id)
        )
        if p in rows
    ]
    return LineagePublic(
        asset_id=asset_id,
        royalty_stack_bps=me.royalty_stack_bps,
        nodes=nodes,
        edges=edges,
        truncated=truncated,
        as_of_block=state.block_number,
    )
