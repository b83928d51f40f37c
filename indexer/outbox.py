"""The indexer's side of the webhook outbox (`genip.webhooks.events`): which contract events become webhook
events, and when a licence's expiry is noticed.

**When.** The indexer only ever indexes blocks at least `confirmations` behind the head, and writes a batch's
events with its rows and cursor in one transaction, so an event exists exactly when its block is indexed: none
for blocks above the confirmation depth, none lost in a crash. A reorg rollback calls `rolled_back` in the
rollback's transaction (drop what was never sent, retract what was).

**Expiry at chain time.** Nothing on the chain happens when a licence expires; its expiry passes when a
block's timestamp reaches `expires_at` (`genip.rules.is_expired`). Each batch moves the indexed chain time
from the stored cursor block's timestamp `t0` to the batch's last block's `t1`; the licences with `t0 <
expires_at <= t1` (not renounced) expired in between, and their `license.expired` events belong to the batch's
last block (`observed_block`): a reorg of that block retracts them, and the new fork's blocks expire them
again. So the precision is one batch (a block or a few when following the chain), and a licence that expires
while no block is mined is announced with the first block after it.

Events are derived after the batch's handlers ran, from the logs and the overlay (for the asset's owner or the
dispute's claimant), on the main thread; the commit only writes them.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, select

from genip.db import models
from genip.webhooks.events import OutboxEvent, event_id, has_subscriptions, retract_after, write_events
from indexer.events import DecodedLog
from indexer.overlay import Overlay
from indexer.store import BlockRef

__all__ = ["Outbox"]

_Builder = Callable[[Overlay, DecodedLog], OutboxEvent]


def _event(
    ov: Overlay,
    log: DecodedLog,
    type_: str,
    data: dict[str, Any],
    *,
    assets: Iterable[int],
    accounts: Iterable[str | None],
) -> OutboxEvent:
    """A chain event's envelope (its id from the log's place, the block, the log's chain facts in `data`)
    around what its builder says; subscriptions filter on `assets` and `accounts` (falsy ones dropped)."""
    return OutboxEvent(
        id=event_id(ov.chain_id, log.block_hash, log.log_index, type_),
        type=type_,
        timestamp=log.timestamp,
        block_number=log.block_number,
        data={
            **data,
            "chain_id": ov.chain_id,
            "block_number": log.block_number,
            "block_hash": log.block_hash,
            "log_index": log.log_index,
            "tx_hash": log.tx_hash,
        },
        assets=_assets(*assets),
        accounts=_accounts(*accounts),
    )


def _owner(ov: Overlay, asset_id: int) -> str | None:
    row = ov.get("assets", asset_id)
    return None if row is None else str(row["owner"])


def _accounts(*accounts: str | None) -> frozenset[str]:
    return frozenset(a for a in accounts if a)


def _assets(*ids: int) -> frozenset[int]:
    return frozenset(i for i in ids if i)


def work_registered(ov: Overlay, log: DecodedLog) -> OutboxEvent:
    a = log.args
    asset = ov.require("assets", a["assetId"])
    return _event(
        ov,
        log,
        "work.registered",
        {
            "asset_id": a["assetId"],
            "creator": a["creator"],
            "registrar": a["registrar"],
            "kind": asset["kind"],
            "content_hash": a["contentHash"],
            "perceptual_hash": a["perceptualHash"],
            "metadata_cid": a["metadataCid"],
        },
        assets=(a["assetId"],),
        accounts=(a["creator"], a["registrar"]),
    )


def license_purchased(ov: Overlay, log: DecodedLog) -> OutboxEvent:
    a = log.args
    licence = ov.require("licenses", a["licenseId"])
    owner = _owner(ov, a["assetId"])
    return _event(
        ov,
        log,
        "license.purchased",
        {
            "license_id": a["licenseId"],
            "asset_id": a["assetId"],
            "offer_id": a["offerId"],
            "buyer": a["buyer"],
            "holder": a["holder"],
            "asset_owner": owner,
            "tier": licence["tier"],
            "currency": a["currency"],
            "price": str(a["price"]),  # uint256: a string, as JSON numbers lose precision past 2**53
            "expires_at": a["expiresAt"],
        },
        assets=(a["assetId"],),
        accounts=(a["buyer"], a["holder"], owner),
    )


def dispute_raised(ov: Overlay, log: DecodedLog) -> OutboxEvent:
    a = log.args
    owner = _owner(ov, a["assetId"])
    return _event(
        ov,
        log,
        "dispute.raised",
        {
            "dispute_id": a["disputeId"],
            "asset_id": a["assetId"],
            "asset_owner": owner,
            "claimant": a["claimant"],
            "claimant_asset_id": a["claimantAssetId"] or None,
            "evidence_hash": a["evidenceHash"],
            "answer_deadline": a["answerDeadline"],
        },
        assets=(a["assetId"], a["claimantAssetId"]),
        accounts=(a["claimant"], owner),
    )


def dispute_resolved(ov: Overlay, log: DecodedLog) -> OutboxEvent:
    a = log.args
    dispute = ov.require("disputes", a["disputeId"])
    owner = _owner(ov, a["assetId"])
    return _event(
        ov,
        log,
        "dispute.resolved",
        {
            "dispute_id": a["disputeId"],
            "asset_id": a["assetId"],
            "asset_owner": owner,
            "claimant": dispute["claimant"],
            "upheld": a["upheld"],
            "arbiter": a["arbiter"],
            "resolution_hash": a["resolutionHash"],
            "final_at": a["finalAt"],
        },
        assets=(a["assetId"], dispute["claimant_asset_id"]),
        accounts=(dispute["claimant"], owner),
    )


#: Contract events that become webhook events.
BUILDERS: dict[str, _Builder] = {
    "GenIPRegistry.WorkRegistered": work_registered,
    "LicensingHub.LicensePurchased": license_purchased,
    "DisputeCourt.DisputeRaised": dispute_raised,
    "DisputeCourt.DisputeResolved": dispute_resolved,
}


class Outbox:
    """Derives a batch's webhook events and writes them in its transaction (see module doc)."""

    def __init__(self, chain_id: int, engine: Engine) -> None:
        self.chain_id = chain_id
        self.engine = engine

    def derive(self, logs: Sequence[DecodedLog], overlay: Overlay) -> list[OutboxEvent]:
        """The events of a batch's logs, after its handlers ran on `overlay`; none while no subscription
        exists (a backfill of millions of licences builds no event nobody asked for)."""
        relevant = [log for log in logs if log.event in BUILDERS]
        if not relevant:
            return []
        with self.engine.connect() as c:
            if not has_subscriptions(c, self.chain_id):
                return []
        return [BUILDERS[log.event](overlay, log) for log in relevant if log.event is not None]

    def clock(self, c: Connection) -> int | None:
        """The indexed chain time: the stored cursor block's timestamp (None before the first batch)."""
        cur, b = models.Cursor, models.Block
        found = c.execute(
            select(b.timestamp)
            .join(cur, and_(cur.chain_id == b.chain_id, cur.block_number == b.number))
            .where(b.chain_id == self.chain_id)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def write(
        self, c: Connection, events: Sequence[OutboxEvent], *, since: int | None, last: BlockRef
    ) -> int:
        """Writes a batch's events and the licence expiries its chain time passed; after the batch's rows,
        in its transaction. Returns the number of deliveries queued."""
        if not has_subscriptions(c, self.chain_id):
            return 0
        expired = self._expired(c, since, last) if since is not None and last.timestamp > since else []
        return write_events(c, self.chain_id, [*events, *expired])

    def rolled_back(self, c: Connection, block: int) -> int:
        """In the rollback's transaction: drops or retracts the events of blocks after `block`."""
        return retract_after(c, self.chain_id, block)

    def _expired(self, c: Connection, since: int, last: BlockRef) -> list[OutboxEvent]:
        lic, asset = models.License, models.Asset
        rows = c.execute(
            select(lic.license_id, lic.asset_id, lic.holder, lic.buyer, lic.expires_at, lic.tier, asset.owner)
            .join(asset, and_(asset.chain_id == lic.chain_id, asset.asset_id == lic.asset_id), isouter=True)
            .where(
                lic.chain_id == self.chain_id,
                lic.expires_at > since,
                lic.expires_at <= last.timestamp,
                lic.expires_at != 0,
                lic.renounced.is_(False),
            )
            .order_by(lic.expires_at, lic.license_id)
        ).all()
        return [
            OutboxEvent(
                id=event_id(self.chain_id, last.hash, "license.expired", r.license_id),
                type="license.expired",
                timestamp=r.expires_at,
                block_number=last.number,
                data={
                    "license_id": r.license_id,
                    "asset_id": r.asset_id,
                    "holder": r.holder,
                    "asset_owner": r.owner,
                    "tier": r.tier,
                    "expires_at": r.expires_at,
                    "chain_id": self.chain_id,
                    "observed_block": {"number": last.number, "hash": last.hash, "timestamp": last.timestamp},
                },
                assets=_assets(r.asset_id),
                accounts=_accounts(r.holder, r.owner),
            )
            for r in rows
        ]


def copy_marked(
    asset: models.Asset, original_id: int, original_creator: str, match: dict[str, Any]
) -> OutboxEvent:
    """`copy.marked`: the provenance step found `asset` to be a possible copy of `original_id` (written with
    its provenance row, `indexer.provenance`). Bound to the copy's registration block, so a reorg removing
    the copy retracts it; the same finding written again keeps its id."""
    chain_id = asset.chain_id
    return OutboxEvent(
        id=event_id(chain_id, "copy.marked", asset.asset_id, asset.content_hash, original_id),
        type="copy.marked",
        timestamp=asset.registered_at,
        block_number=asset.block_number,
        data={
            "asset_id": asset.asset_id,
            "creator": asset.creator,
            "asset_owner": asset.owner,
            "content_hash": asset.content_hash,
            "original_id": original_id,
            "original_creator": original_creator,
            "match": match,
            "chain_id": chain_id,
            "block_number": asset.block_number,
            "tx_hash": asset.tx_hash,
        },
        assets=_assets(asset.asset_id, original_id),
        accounts=_accounts(asset.creator, asset.owner, original_creator),
    )
