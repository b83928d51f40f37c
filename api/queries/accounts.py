"""What an account created, holds and is owed (renounced licences are no longer held; dispute bonds the court
awarded are listed apart from the hub's balances, since they are withdrawn from the court), and the possible
copies of the works it owns (`api.queries.copies`), so that it can bring a claim against them."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.queries.chain import ChainState
from api.queries.copies import RecordedCopy, copies, copy_of
from api.queries.search import SUMMARY_COLUMNS, purchasable_offer, summary
from api.schemas import AccountPublic, BalancePublic, BondBalancePublic, CopyOfWork, LicenseHeld
from genip import rules
from genip.db import models

__all__ = ["account"]

A = models.Asset.__table__
L = models.License.__table__
O = models.Offer.__table__  # noqa: E741
PARAMS = models.ChainParams.__table__


def account(session: Session, *, state: ChainState, address: str, limit: int) -> AccountPublic:
    """The account page (lists capped at `limit`, newest first; counts are complete)."""
    chain = state.chain_id
    created = session.execute(
        select(*SUMMARY_COLUMNS, purchasable_offer(state.timestamp).label("purchasable"))
        .where(A.c.chain_id == chain, A.c.creator == address)
        .order_by(A.c.asset_id.desc())
        .limit(limit)
    ).all()
    marked = copy_of(session, chain, [row.asset_id for row in created])
    works = [summary(row._mapping, state, copy_of=marked.get(row.asset_id)) for row in created]
    created_count = session.execute(
        select(func.count()).where(A.c.chain_id == chain, A.c.creator == address)
    ).scalar_one()
    owned_count = session.execute(
        select(func.count()).where(A.c.chain_id == chain, A.c.owner == address)
    ).scalar_one()
    held = _licences_held(session, state=state, address=address, limit=limit)
    held_count = session.execute(
        select(func.count()).where(L.c.chain_id == chain, L.c.holder == address, rules.licence_held_sql(L))
    ).scalar_one()
    balances = [
        BalancePublic(
            currency=b.currency, credited=str(b.credited), withdrawn=str(b.withdrawn), balance=str(b.balance)
        )
        for b in session.execute(
            select(models.Balance)
            .where(models.Balance.chain_id == chain, models.Balance.account == address)
            .order_by(models.Balance.currency)
        ).scalars()
    ]
    bonds = [
        BondBalancePublic(
            currency=b.currency, credited=str(b.credited), withdrawn=str(b.withdrawn), balance=str(b.balance)
        )
        for b in session.execute(
            select(models.BondBalance)
            .where(models.BondBalance.chain_id == chain, models.BondBalance.account == address)
            .order_by(models.BondBalance.currency)
        ).scalars()
    ]
    found, copies_count = copies(session, chain_id=chain, owner=address, limit=limit)
    return AccountPublic(
        address=address,
        works_created=works,
        works_created_count=int(created_count),
        works_owned_count=int(owned_count),
        licenses_held=held,
        licenses_held_count=int(held_count),
        balances=balances,
        pending_withdrawals={b.currency: b.balance for b in balances if int(b.balance) > 0},
        bond_balances=bonds,
        copies_of_my_works=[_copy_of_work(c, state) for c in found],
        copies_of_my_works_count=copies_count,
        as_of_block=state.block_number,
    )


def _licences_held(session: Session, *, state: ChainState, address: str, limit: int) -> list[LicenseHeld]:
    """The licences `address` holds, newest first, with the work's title and preview, the sale, whether it can
    be renewed now (`rules.licence_renewable`: its offer still sells) and its document's URL."""
    offer = O.alias("renew_offer")
    work = A.alias("work")
    rows = session.execute(
        select(
            L.c.license_id,
            L.c.asset_id,
            L.c.offer_id,
            L.c.tier,
            L.c.commercial_use,
            L.c.derivatives_allowed,
            L.c.expires_at,
            L.c.used_for_derivative,
            L.c.referrer,
            L.c.price,
            L.c.currency,
            L.c.purchased_at,
            L.c.renounced,
            work.c.title,
            work.c.kind,
            work.c.media_type,
            work.c.preview_cid,
            rules.purchasable_sql(offer, work, state.timestamp, params=PARAMS).label("offer_purchasable"),
        )
        .join(work, (work.c.chain_id == L.c.chain_id) & (work.c.asset_id == L.c.asset_id))
        .join(offer, (offer.c.chain_id == L.c.chain_id) & (offer.c.offer_id == L.c.offer_id))
        .where(L.c.chain_id == state.chain_id, L.c.holder == address, rules.licence_held_sql(L))
        .order_by(L.c.license_id.desc())
        .limit(limit)
    ).mappings()
    held: list[LicenseHeld] = []
    for row in rows:
        fields = dict(row)
        renounced = bool(fields.pop("renounced"))
        purchasable = bool(fields.pop("offer_purchasable"))
        price = str(fields.pop("price"))
        held.append(
            LicenseHeld(
                **fields,
                price=price,
                valid=rules.licence_valid(row["expires_at"], state.timestamp, renounced=renounced),
                renewable=rules.licence_renewable(
                    row["expires_at"], state.timestamp, renounced=renounced, offer_purchasable=purchasable
                ),
                document_url=f"/licenses/{row['license_id']}/document",
            )
        )
    return held


def _copy_of_work(c: RecordedCopy, state: ChainState) -> CopyOfWork:
    return CopyOfWork(
        asset_id=c.asset_id,
        title=c.title,
        creator=c.creator,
        owner=c.owner,
        block_number=c.block_number,
        original_id=c.original_id,
        original_title=c.original_title,
        method=c.method,  # type: ignore[arg-type]
        distance=c.distance,
        correlation=c.correlation,
        inliers=c.inliers,
        blocks_later=c.blocks_later,
        asset_status=rules.asset_status(c.standing, c.expires_at, state.timestamp).value,
        claim_open=c.open_claim_id is not None,
        open_claim_id=c.open_claim_id,
        claimable=not rules.is_disputed(c.standing),
    )
