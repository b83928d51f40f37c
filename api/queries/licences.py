"""One licence's facts for its document (`GET /licenses/{id}`, `GET /licenses/{id}/document`), and the
revenue of an account's works over time for the creator's dashboard (`GET /accounts/{address}/revenue`).

The licensor is the seller of the offer the licence was bought under: an offer lapses when the certificate
changes hands (`rules.offer_live`), so whoever made a purchasable offer owned the certificate at the purchase.

Revenue is what the design calls it: every payment to a work (licence sales, direct payments, royalties), as
the hub's `RevenuePaid` recorded it before the platform fee and the ancestors' shares. Payments carry a block
number but the index keeps block times only for recent blocks, licence purchases and registrations; a payment
in another block gets a time interpolated between the nearest blocks whose time is known, and says so
(`approximate`).
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.queries.chain import ChainState
from api.schemas import LicensePublic, RevenuePoint, RevenueSeries, WorkRevenue
from genip import rules
from genip.db import models
from genip.licence_document import LicenceFacts, expiry_words, price_words
from genip.money import NATIVE, Currency

__all__ = ["MAX_POINTS", "licence_facts", "licence_public", "revenue_series"]

A = models.Asset.__table__
L = models.License.__table__
O = models.Offer.__table__  # noqa: E741
T = models.Terms.__table__
P = models.Payment.__table__
B = models.Block.__table__

#: Payments listed per work and currency (the latest; the total counts them all).
MAX_POINTS = 500
#: Works whose revenue one answer lists.
MAX_WORKS = 100


def _currency(currencies: Mapping[str, Currency], address: str) -> Currency:
    """The currency at `address` as the server knows it (`api.currencies`); an unknown ERC-20 is stated in
    its base units."""
    found = {a.lower(): c for a, c in currencies.items()}.get(address.lower())
    if found is not None:
        return found
    if int(address, 16) == 0:
        return NATIVE
    return Currency(address, f"base units of the token {address}", 0)


def licence_facts(
    session: Session,
    *,
    state: ChainState,
    license_id: int,
    currencies: Mapping[str, Currency],
    base_url: str,
) -> LicenceFacts | None:
    """The facts of licence `license_id` on the indexed chain, or None when it is not indexed."""
    row = (
        session.execute(
            select(
                L,
                A.c.title,
                A.c.kind,
                A.c.content_hash,
                A.c.media_cid,
                A.c.creator,
                O.c.creator.label("licensor"),
                T.c.document_hash,
                T.c.document_uri,
            )
            .join(A, (A.c.chain_id == L.c.chain_id) & (A.c.asset_id == L.c.asset_id))
            .join(O, (O.c.chain_id == L.c.chain_id) & (O.c.offer_id == L.c.offer_id))
            .outerjoin(T, (T.c.chain_id == O.c.chain_id) & (T.c.terms_id == O.c.terms_id))
            .where(L.c.chain_id == state.chain_id, L.c.license_id == license_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    coin = _currency(currencies, row["currency"])
    base = base_url.rstrip("/")
    return LicenceFacts(
        license_id=int(row["license_id"]),
        chain_id=state.chain_id,
        asset_id=int(row["asset_id"]),
        title=row["title"],
        kind=str(row["kind"]),
        content_sha256=str(row["content_hash"]),
        media_cid=row["media_cid"],
        creator=str(row["creator"]),
        licensor=str(row["licensor"]),
        licensee=str(row["holder"]),
        buyer=str(row["buyer"]),
        offer_id=int(row["offer_id"]),
        tier=str(row["tier"]),
        commercial_use=bool(row["commercial_use"]),
        derivatives_allowed=bool(row["derivatives_allowed"]),
        transferable=bool(row["transferable"]),
        rev_share_bps=int(row["rev_share_bps"]),
        document_hash=row["document_hash"],
        document_uri=row["document_uri"],
        price=int(row["price"]),
        currency=str(row["currency"]),
        currency_symbol=coin.symbol,
        currency_decimals=coin.decimals,
        tx_hash=str(row["tx_hash"]),
        block_number=int(row["block_number"]),
        purchased_at=int(row["purchased_at"]),
        expires_at=int(row["expires_at"]),
        renounced=bool(row["renounced"]),
        used_for_derivative=row["used_for_derivative"],
        as_of_block=state.block_number,
        verify_url=f"{base}/licenses/{license_id}",
        page_url=f"{base}/#/work/{row['asset_id']}",
    )


def licence_public(facts: LicenceFacts, *, state: ChainState, document_url: str) -> LicensePublic:
    """The JSON answer of `GET /licenses/{id}` from the same facts as the document."""
    return LicensePublic(
        license_id=facts.license_id,
        chain_id=facts.chain_id,
        asset_id=facts.asset_id,
        title=facts.title,
        kind=facts.kind,
        content_hash=facts.content_sha256,
        media_cid=facts.media_cid,
        creator=facts.creator,
        licensor=facts.licensor,
        licensee=facts.licensee,
        buyer=facts.buyer,
        offer_id=facts.offer_id,
        tier=facts.tier,
        commercial_use=facts.commercial_use,
        derivatives_allowed=facts.derivatives_allowed,
        transferable=facts.transferable,
        rev_share_bps=facts.rev_share_bps,
        document_hash=facts.document_hash,
        document_uri=facts.document_uri,
        price=str(facts.price),
        price_display=price_words(facts.price, facts.currency_decimals, facts.currency_symbol),
        currency=facts.currency,
        currency_symbol=facts.currency_symbol,
        currency_decimals=facts.currency_decimals,
        tx_hash=facts.tx_hash,
        block_number=facts.block_number,
        purchased_at=facts.purchased_at,
        expires_at=facts.expires_at,
        expires=expiry_words(facts.expires_at),
        renounced=facts.renounced,
        used_for_derivative=facts.used_for_derivative,
        valid=rules.licence_valid(facts.expires_at, state.timestamp, renounced=facts.renounced),
        document_url=document_url,
        as_of_block=state.block_number,
    )


class _Clock:
    """Block → Unix time from the blocks whose time the index knows; others interpolated between them."""

    def __init__(self, known: dict[int, int]) -> None:
        self.known = known
        self.blocks = sorted(known)

    def at(self, block: int) -> tuple[int, bool]:
        """The time of `block` and whether it is approximate."""
        if block in self.known:
            return self.known[block], False
        i = bisect_left(self.blocks, block)
        if not self.blocks:
            return 0, True
        if i == 0:
            return self.known[self.blocks[0]], True
        if i == len(self.blocks):
            return self.known[self.blocks[-1]], True
        lo, hi = self.blocks[i - 1], self.blocks[i]
        t_lo, t_hi = self.known[lo], self.known[hi]
        return t_lo + (t_hi - t_lo) * (block - lo) // (hi - lo), True


def _clock(session: Session, state: ChainState, asset_ids: list[int]) -> _Clock:
    chain = state.chain_id
    known: dict[int, int] = {}
    for number, ts in session.execute(select(B.c.number, B.c.timestamp).where(B.c.chain_id == chain)):
        known[int(number)] = int(ts)
    for number, ts in session.execute(
        select(L.c.block_number, L.c.purchased_at).where(L.c.chain_id == chain, L.c.asset_id.in_(asset_ids))
    ):
        known[int(number)] = int(ts)
    for number, ts in session.execute(
        select(A.c.block_number, A.c.registered_at).where(A.c.chain_id == chain, A.c.asset_id.in_(asset_ids))
    ):
        known[int(number)] = int(ts)
    if state.block_number and state.timestamp:
        known.setdefault(state.block_number, state.timestamp)
    return _Clock(known)


def revenue_series(session: Session, *, state: ChainState, address: str) -> RevenueSeries:
    """Payments to the works `address` created, per work and currency, oldest first."""
    chain = state.chain_id
    works: dict[int, str | None] = {
        int(asset_id): title
        for asset_id, title in session.execute(
            select(A.c.asset_id, A.c.title)
            .where(A.c.chain_id == chain, A.c.creator == address)
            .order_by(A.c.asset_id.desc())
            .limit(MAX_WORKS)
        )
    }
    if not works:
        return RevenueSeries(address=address, works=[], as_of_block=state.block_number)
    rows = session.execute(
        select(P.c.asset_id, P.c.currency, P.c.amount, P.c.source, P.c.block_number)
        .where(P.c.chain_id == chain, P.c.asset_id.in_(list(works)))
        .order_by(P.c.asset_id, P.c.currency, P.c.block_number, P.c.log_index)
    ).all()
    grouped: dict[tuple[int, str], list[tuple[int, str, int]]] = defaultdict(list)
    for asset_id, currency, amount, source, block in rows:
        grouped[(int(asset_id), str(currency))].append((int(block), str(source), int(amount)))
    clock = _clock(session, state, sorted({key[0] for key in grouped}))
    out: list[WorkRevenue] = []
    for (asset_id, currency), payments in sorted(grouped.items()):
        total = 0
        points: list[RevenuePoint] = []
        for block, source, amount in payments:
            total += amount
            when, approximate = clock.at(block)
            points.append(
                RevenuePoint(
                    block_number=block,
                    timestamp=when,
                    approximate=approximate,
                    source=source,
                    amount=str(amount),
                    cumulative=str(total),
                )
            )
        out.append(
            WorkRevenue(
                asset_id=asset_id,
                title=works.get(asset_id),
                currency=currency,
                total=str(total),
                payments=len(payments),
                points=points[-MAX_POINTS:],
            )
        )
    return RevenueSeries(address=address, works=out, as_of_block=state.block_number)
