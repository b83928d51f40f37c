"""Tables of the indexed database.

Three families:

* **Chain mirror** — `raw_events` (every log of the Gen-IP contracts, keyed by chain id, block hash and log
  index), `blocks` (recent block hashes for reorg detection), `cursors` (how far each chain is indexed, in the
  same transaction as the rows it covers) and `undo_log` (before-images of derived rows changed in blocks that
  may still be reorganised).
* **Derived state** — assets, terms, offers, licences, lineage, balances, disputes… Each row is a pure
  function of the raw events up to the cursor; the indexer's handlers maintain them.
* **Content** — metadata read from the content store (title, description, tags) filled in on assets after
  the chain data, since it is not on-chain; and `match_hashes`, perceptual hashes computed from each image's
  media (verified against the certificate's content hash) for the matching engine's second opinion.

Every derived table carries `chain_id` in its key so one database can serve several chains.
"""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from genip.db.types import Address, Hash32, Uint256
from genip.rules import DEFAULT_ROYALTY_BPS

__all__ = [
    "Ancestor",
    "Asset",
    "Balance",
    "Base",
    "Block",
    "BondBalance",
    "ChainParams",
    "Credit",
    "Cursor",
    "DerivativeEdge",
    "Dispute",
    "DisputeBond",
    "Download",
    "Held",
    "License",
    "Offer",
    "Payment",
    "PlatformAuthorization",
    "PromptCheck",
    "PromptSubmission",
    "RawEvent",
    "Role",
    "Taint",
    "Terms",
    "UndoEntry",
    "UsedNonce",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
    "Withdrawal",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


# ─────────────────────────────── chain mirror ───────────────────────────────


class HexBytes(TypeDecorator[str]):
    """`0x…` hex in Python, raw bytes in the database (BYTEA on Postgres, BLOB on SQLite): half the size of
    hex text, and compared with memcmp rather than a text collation."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else bytes.fromhex(value[2:])

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else "0x" + bytes(value).hex()


class HexWords(TypeDecorator[str]):
    """Comma-separated `0x…` 32-byte words (a log's topics) in Python, their concatenated bytes in the
    database."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return bytes.fromhex("".join(word[2:] for word in value.split(",") if word))

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        raw = bytes(value)
        return ",".join("0x" + raw[i : i + 32].hex() for i in range(0, len(raw), 32))


class RawEvent(Base):
    """One log emitted by a Gen-IP contract, exactly as fetched. Hashes, topics and data are stored as bytes
    (migration 0005) and read back as lowercase `0x` hex; `block_number` has a BRIN index on Postgres (rows
    arrive in block order; rollbacks delete a block range)."""

    __tablename__ = "raw_events"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[str] = mapped_column(HexBytes(), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(HexBytes())
    address: Mapped[str] = mapped_column(Address())
    event: Mapped[str | None] = mapped_column(String(64))
    topics: Mapped[str] = mapped_column(HexWords())  # comma-separated hex topics
    data: Mapped[str] = mapped_column(HexBytes())

    __table_args__ = (Index("ix_raw_events_block", "chain_id", "block_number", postgresql_using="brin"),)


class Block(Base):
    """A block inside the reorg window: its hash and parent hash, checked against the chain when following."""

    __tablename__ = "blocks"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(Hash32())
    parent_hash: Mapped[str] = mapped_column(Hash32())
    timestamp: Mapped[int] = mapped_column(BigInteger)


class Cursor(Base):
    """How far a chain is indexed. Written in the same transaction as the rows it covers."""

    __tablename__ = "cursors"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(Hash32())
    head_block: Mapped[int] = mapped_column(BigInteger)
    # Blocks after this one were committed with undo entries; this block's hash is the reorg anchor.
    journal_from: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UndoEntry(Base):
    """Before-image of one derived row changed by a batch whose blocks may still be reorganised.

    `first_block`..`last_block` is the batch's block range. Rolling back past `last_block` restores `before`
    (or deletes the row when `before` is null) in reverse `seq` order, and moves the cursor to
    `first_block - 1`.
    """

    __tablename__ = "undo_log"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first_block: Mapped[int] = mapped_column(BigInteger)
    last_block: Mapped[int] = mapped_column(BigInteger)
    table_name: Mapped[str] = mapped_column(String(64))
    key: Mapped[dict[str, Any]] = mapped_column(JSON)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_undo_log_last_block", "chain_id", "last_block"),)


# ─────────────────────────────── derived state ───────────────────────────────


class ChainParams(Base):
    """Contract-wide settings as last emitted: platform and referral fees, default royalty rate, token URI
    base, hub, dispute court and its windows (the court's constructor emits none: until `WindowsSet` they are
    its defaults, 3 and 7 days)."""

    __tablename__ = "chain_params"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hub: Mapped[str | None] = mapped_column(Address())
    platform_fee_bps: Mapped[int] = mapped_column(Integer, default=0)
    fee_recipient: Mapped[str | None] = mapped_column(Address())
    default_royalty_bps: Mapped[int] = mapped_column(Integer, default=DEFAULT_ROYALTY_BPS)
    base_uri: Mapped[str | None] = mapped_column(Text)
    court: Mapped[str | None] = mapped_column(Address())
    referral_fee_bps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    response_window: Mapped[int] = mapped_column(BigInteger, default=259_200, server_default="259200")
    appeal_window: Mapped[int] = mapped_column(BigInteger, default=604_800, server_default="604800")
    # The hub's failed-check policy (`FailedCheckPolicySet`; on from deployment): a failed work sells nothing.
    failed_check_policy: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Asset(Base):
    """A certificate: the registered work, its owner, lineage summary, prompt-check state and standing.

    `standing` mirrors the hub's `standingOf`: clear, disputed (an open claim), upheld or tainted (an
    ancestor's claim was upheld), with the court dispute behind it in `standing_dispute_id` (0 when clear).
    `expires_at` is the hub's `expiryOf`: when a derivative's rights end (the shortest parent licence),
    0 = never."""

    __tablename__ = "assets"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    creator: Mapped[str] = mapped_column(Address(), index=True)
    owner: Mapped[str] = mapped_column(Address(), index=True)
    registrar: Mapped[str] = mapped_column(Address())
    kind: Mapped[str] = mapped_column(String(16), index=True)
    content_hash: Mapped[str] = mapped_column(Hash32(), index=True)
    perceptual_hash: Mapped[str] = mapped_column(Hash32())
    prompt_commitment: Mapped[str] = mapped_column(Hash32())
    metadata_cid: Mapped[str] = mapped_column(String(128))
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(Hash32())
    registered_at: Mapped[int] = mapped_column(BigInteger)  # unix time of the block
    is_derivative: Mapped[bool] = mapped_column(Boolean, default=False)
    royalty_stack_bps: Mapped[int] = mapped_column(Integer, default=0)
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    children_count: Mapped[int] = mapped_column(Integer, default=0)
    licenses_sold: Mapped[int] = mapped_column(Integer, default=0)
    royalty_bps: Mapped[int | None] = mapped_column(Integer)
    royalty_sink: Mapped[str | None] = mapped_column(Address())
    prompt_check: Mapped[str] = mapped_column(String(16), default="unchecked")
    prompt_checker: Mapped[str | None] = mapped_column(Address())
    prompt_report_hash: Mapped[str | None] = mapped_column(Hash32())
    prompt_check_block: Mapped[int | None] = mapped_column(BigInteger)
    standing: Mapped[str] = mapped_column(String(16), default="clear", server_default="clear", index=True)
    standing_dispute_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    expires_at: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Content fields, read from the metadata JSON in the content store after indexing.
    metadata_status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[Any] | None] = mapped_column(JSON)
    media_cid: Mapped[str | None] = mapped_column(String(128))
    media_type: Mapped[str | None] = mapped_column(String(128))
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Match hashes computed from the image's media (indexer.media): pending, ok, missing, mismatch, invalid.
    media_status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    # Shopping search (0014): the image's look, written by the indexer's media step (`genip.content.look`,
    # `rules.orientation`, `rules.size_class`). Not mapped: `base_model`, a generated column (a LoRA's or
    # checkpoint's base model from `metadata_json`), like Postgres's `search_vector`: the indexer's row
    # writes must never set it (`api.queries.search.BASE_MODEL` reads it).
    image_width: Mapped[int | None] = mapped_column(Integer)
    image_height: Mapped[int | None] = mapped_column(Integer)
    orientation: Mapped[str | None] = mapped_column(String(16))
    size_class: Mapped[str | None] = mapped_column(String(16))
    colour: Mapped[str | None] = mapped_column(String(16))
    # The public face from the metadata (`genip.content.preview`): an image preview's CID, a text's excerpt,
    # a model's / workflow's / prompt's card. The original behind `media_cid` is sealed (`sealed_originals`).
    preview_cid: Mapped[str | None] = mapped_column(String(128))
    excerpt: Mapped[str | None] = mapped_column(Text)
    card: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PromptCheck(Base):
    """Every prompt-check attestation (the asset row keeps the latest)."""

    __tablename__ = "prompt_checks"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[str] = mapped_column(Hash32(), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    checker: Mapped[str] = mapped_column(Address())
    outcome: Mapped[str] = mapped_column(String(16))
    report_hash: Mapped[str] = mapped_column(Hash32())
    block_number: Mapped[int] = mapped_column(BigInteger)


class Terms(Base):
    """Licence terms, addressed on-chain by the hash of their encoding."""

    __tablename__ = "terms"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    terms_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    terms_hash: Mapped[str] = mapped_column(Hash32())
    tier: Mapped[str] = mapped_column(String(16))
    commercial_use: Mapped[bool] = mapped_column(Boolean)
    derivatives_allowed: Mapped[bool] = mapped_column(Boolean)
    transferable: Mapped[bool] = mapped_column(Boolean)
    rev_share_bps: Mapped[int] = mapped_column(Integer)
    document_hash: Mapped[str] = mapped_column(Hash32())
    document_uri: Mapped[str] = mapped_column(Text)


class Offer(Base):
    """A licence offer on an asset."""

    __tablename__ = "offers"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    offer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    terms_id: Mapped[int] = mapped_column(BigInteger)
    tier: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(Address())
    price: Mapped[int] = mapped_column(Uint256())
    duration: Mapped[int] = mapped_column(BigInteger)
    supply_cap: Mapped[int] = mapped_column(BigInteger)
    sold: Mapped[int] = mapped_column(BigInteger, default=0)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    creator: Mapped[str] = mapped_column(Address())
    block_number: Mapped[int] = mapped_column(BigInteger)


class License(Base):
    """A licence token: who holds it, on which asset, for what, until when, sold through which referrer.

    A renounced (burned) licence keeps its row and its last `holder`, with `renounced` set: it no longer
    counts for anybody."""

    __tablename__ = "licenses"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    license_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    offer_id: Mapped[int] = mapped_column(BigInteger)
    holder: Mapped[str] = mapped_column(Address())
    buyer: Mapped[str] = mapped_column(Address())
    currency: Mapped[str] = mapped_column(Address())
    price: Mapped[int] = mapped_column(Uint256())
    expires_at: Mapped[int] = mapped_column(BigInteger)  # 0 = perpetual
    tier: Mapped[str] = mapped_column(String(16))
    commercial_use: Mapped[bool] = mapped_column(Boolean)
    derivatives_allowed: Mapped[bool] = mapped_column(Boolean)
    transferable: Mapped[bool] = mapped_column(Boolean)
    rev_share_bps: Mapped[int] = mapped_column(Integer)
    used_for_derivative: Mapped[int | None] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(Hash32())
    purchased_at: Mapped[int] = mapped_column(BigInteger)
    referrer: Mapped[str | None] = mapped_column(Address())  # null: sold without a referrer
    renounced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    renounced_block: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_licenses_holder_asset", "chain_id", "holder", "asset_id"),
        Index("ix_licenses_asset", "chain_id", "asset_id"),
    )


class DerivativeEdge(Base):
    """A derivative registered under a licence on a parent, with the revenue share the parent is owed."""

    __tablename__ = "derivative_edges"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    child_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    parent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    license_id: Mapped[int] = mapped_column(BigInteger)
    share_bps: Mapped[int] = mapped_column(Integer)


class Ancestor(Base):
    """An ancestor's absolute share of an asset's revenue (the flattened royalty stack)."""

    __tablename__ = "ancestors"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ancestor_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    share_bps: Mapped[int] = mapped_column(Integer)


class Payment(Base):
    """Revenue paid to an asset (licence sale, direct payment or royalty) before the split."""

    __tablename__ = "payments"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[str] = mapped_column(HexBytes(), primary_key=True)  # bytes since migration 0006
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    payer: Mapped[str] = mapped_column(Address())
    currency: Mapped[str] = mapped_column(Address())
    amount: Mapped[int] = mapped_column(Uint256())
    fee: Mapped[int] = mapped_column(Uint256())
    source: Mapped[str] = mapped_column(String(16))
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(HexBytes())


class Credit(Base):
    """One share of a payment: credited to an account, or held for a disputed asset (`account` null).

    The most written table (two rows per payment split): its block hash is stored as bytes and `account` has
    no index (migration 0006); an account's totals are in `balances`."""

    __tablename__ = "credits"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[str] = mapped_column(HexBytes(), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str | None] = mapped_column(Address())
    currency: Mapped[str] = mapped_column(Address())
    asset_id: Mapped[int] = mapped_column(BigInteger)  # 0 = platform fee
    source_asset_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(Uint256())
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    block_number: Mapped[int] = mapped_column(BigInteger)


class Balance(Base):
    """An account's withdrawable balance in one currency, as the hub holds it."""

    __tablename__ = "balances"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account: Mapped[str] = mapped_column(Address(), primary_key=True)
    currency: Mapped[str] = mapped_column(Address(), primary_key=True)
    credited: Mapped[int] = mapped_column(Uint256())
    withdrawn: Mapped[int] = mapped_column(Uint256())
    balance: Mapped[int] = mapped_column(Uint256())


class Held(Base):
    """Revenue of an asset held under one dispute in one currency (the hub's `heldOf(asset, dispute,
    currency)`): `amount` is what is still held, `released` what `releaseHeld` paid out, to `released_to`."""

    __tablename__ = "held"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    currency: Mapped[str] = mapped_column(Address(), primary_key=True)
    amount: Mapped[int] = mapped_column(Uint256())
    released: Mapped[int] = mapped_column(Uint256())
    released_to: Mapped[str | None] = mapped_column(Address())


class Withdrawal(Base):
    """A withdrawal from the hub."""

    __tablename__ = "withdrawals"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[str] = mapped_column(Hash32(), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(Address(), index=True)
    currency: Mapped[str] = mapped_column(Address())
    amount: Mapped[int] = mapped_column(Uint256())
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(Hash32())


class Dispute(Base):
    """One claim brought in the DisputeCourt (keyed by the court's dispute id).

    `status` is the court's: open, cleared or upheld; a reversed ruling is `cleared` with `reversed` set.
    Times (`answer_deadline`, `final_at`, `raised_at`, `resolved_at`) are unix seconds of the chain's clock;
    `final_at` is null while open. `bond_awarded_to`: who the bond went to (the owner when cleared, the
    claimant once an upheld ruling was settled)."""

    __tablename__ = "disputes"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    claimant: Mapped[str] = mapped_column(Address())
    claimant_asset_id: Mapped[int] = mapped_column(BigInteger)  # 0 = none named
    evidence_hash: Mapped[str] = mapped_column(Hash32())
    bond_currency: Mapped[str] = mapped_column(Address())
    bond: Mapped[int] = mapped_column(Uint256())
    answer_deadline: Mapped[int] = mapped_column(BigInteger)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    answer_hash: Mapped[str | None] = mapped_column(Hash32())
    status: Mapped[str] = mapped_column(String(16))
    reversed: Mapped[bool] = mapped_column(Boolean, default=False)
    reversal_hash: Mapped[str | None] = mapped_column(Hash32())
    reversed_by: Mapped[str | None] = mapped_column(Address())
    arbiter: Mapped[str | None] = mapped_column(Address())
    resolution_hash: Mapped[str | None] = mapped_column(Hash32())
    final_at: Mapped[int | None] = mapped_column(BigInteger)
    bond_awarded_to: Mapped[str | None] = mapped_column(Address())
    raised_at: Mapped[int] = mapped_column(BigInteger)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    raised_block: Mapped[int] = mapped_column(BigInteger)
    answered_block: Mapped[int | None] = mapped_column(BigInteger)
    resolved_block: Mapped[int | None] = mapped_column(BigInteger)
    reversed_block: Mapped[int | None] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(Hash32())

    __table_args__ = (Index("ix_disputes_asset", "chain_id", "asset_id"),)


class Taint(Base):
    """An asset tainted by an upheld dispute against one of its ancestors (`status` active, or cleared once
    the ruling was reversed and `clearTaint` ran)."""

    __tablename__ = "taints"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ancestor_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    propagated_block: Mapped[int] = mapped_column(BigInteger)
    cleared_block: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_taints_dispute", "chain_id", "dispute_id"),)


class DisputeBond(Base):
    """The bond the court asks for claims in one currency (`accepted` false: that currency is refused)."""

    __tablename__ = "dispute_bonds"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    currency: Mapped[str] = mapped_column(Address(), primary_key=True)
    amount: Mapped[int] = mapped_column(Uint256())
    accepted: Mapped[bool] = mapped_column(Boolean)


class BondBalance(Base):
    """Bonds the court awarded to an account in one currency, and what it withdrew (the court's
    `balanceOf`; kept apart from the hub's revenue balances)."""

    __tablename__ = "bond_balances"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account: Mapped[str] = mapped_column(Address(), primary_key=True)
    currency: Mapped[str] = mapped_column(Address(), primary_key=True)
    credited: Mapped[int] = mapped_column(Uint256())
    withdrawn: Mapped[int] = mapped_column(Uint256())
    balance: Mapped[int] = mapped_column(Uint256())


class PlatformAuthorization(Base):
    """A creator's standing authorisation of a platform to register works for them, as last granted
    (`expires_at` 0: no time limit; `max_works` 2**32-1: unlimited). The registry counts the works used
    without an event, so `max_works` is the grant, not what is left. Revoked grants have no row."""

    __tablename__ = "platform_authorizations"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    creator: Mapped[str] = mapped_column(Address(), primary_key=True)
    platform: Mapped[str] = mapped_column(Address(), primary_key=True, index=True)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    max_works: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)


class Role(Base):
    """An access-control role held on a Gen-IP contract (checkers, arbiters, admins)."""

    __tablename__ = "roles"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    contract: Mapped[str] = mapped_column(Address(), primary_key=True)
    role: Mapped[str] = mapped_column(Hash32(), primary_key=True)
    account: Mapped[str] = mapped_column(Address(), primary_key=True)
    granted_by: Mapped[str] = mapped_column(Address())
    block_number: Mapped[int] = mapped_column(BigInteger)


# ─────────────────────────────── private prompt submissions ───────────────────────────────


class PromptSubmission(Base):
    """A creator's prompt, submitted privately for the copyright / artist-style check.

    Not chain data: written by the API when the creator submits, and by the checker process. The prompt's
    parts arrive sealed by the creator to the checker's public key (`ciphertext`, a libsodium sealed box;
    `key_id` names the key): neither the API nor the database can open them. The checker opens them, checks
    them against the commitment (`scheme` is known from then on) and records the outcome; the report names
    the rules that fired, never the prompt's text.
    """

    __tablename__ = "prompt_submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    creator: Mapped[str] = mapped_column(Address())
    commitment: Mapped[str] = mapped_column(Hash32())
    scheme: Mapped[str | None] = mapped_column(String(16))  # "parts" or "single", once the checker opened it
    key_id: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[str | None] = mapped_column(String(32))  # only rows sealed before 0009 (AES-GCM)
    ciphertext: Mapped[str] = mapped_column(Text)  # base64
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, needs_review, attested, rejected
    outcome: Mapped[str | None] = mapped_column(String(16))  # pass, fail, needs_review
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report_hash: Mapped[str | None] = mapped_column(Hash32())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    attest_tx: Mapped[str | None] = mapped_column(Hash32())
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("chain_id", "asset_id", name="uq_prompt_submissions_asset"),)


# ─────────────────────────────── match hashes from media ───────────────────────────────


class MatchHash(Base):
    """A perceptual hash computed off-chain from an image asset's media, for matching (not chain data).

    Written by the indexer's media step (`indexer.media.MediaHasher`) after it read the media from the content
    store and checked its sha256 against the certificate's `content_hash`, which the row repeats: a row whose
    asset was removed by a reorg and re-registered under the same id with other content no longer joins its
    asset. `id` only grows and rows are written by the one indexer of a chain, so readers load what is new
    with `id > last seen`.
    """

    __tablename__ = "match_hashes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(Hash32())
    kind: Mapped[str] = mapped_column(String(16))  # "phash" (pHash-256), "thumb" (16x16 grey), "orb"
    code: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_match_hashes_asset", "chain_id", "asset_id"),)


class Provenance(Base):
    """Whether an image asset is a possible copy of an earlier registration, as the indexer found it.

    Written by the indexer's provenance step (`indexer.provenance`) once the asset's media step finished,
    one row per image asset and registered content: `original_id` is its possible original
    (`genip.matching.originals.possible_original`: the earliest earlier registration by another creator that
    matches it and is not one of its ancestors), NULL when it has none; `method`, `distance`, `correlation`
    and `inliers` say how the two match; `block_number` and `original_block` their registration order. A
    row whose asset was removed by a reorg and re-registered with other content no longer joins it
    (`content_hash`), so the step checks the new content again.
    """

    __tablename__ = "provenance"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    content_hash: Mapped[str] = mapped_column(Hash32())
    block_number: Mapped[int] = mapped_column(BigInteger)
    original_id: Mapped[int | None] = mapped_column(BigInteger)
    original_block: Mapped[int | None] = mapped_column(BigInteger)
    method: Mapped[str | None] = mapped_column(String(16))
    distance: Mapped[int | None] = mapped_column(Integer)
    correlation: Mapped[float | None] = mapped_column(Float)
    inliers: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_provenance_original", "chain_id", "original_id"),)


# ─────────────────────────────── the checker's review log ───────────────────────────────


class ReviewLog(Base):
    """One reviewer action on a prompt submission: `view` (the prompt was opened for a reviewer) or `decide`
    (a reviewer's pass or fail, with the reason, attested on-chain).

    Not chain data: written only by the checker process (`genip.checker.review`). Append-only — triggers
    refuse UPDATE and DELETE (0010) — and it never holds the prompt: `outcome` is the submission's outcome as
    shown (view) or decided (decide), `reason` the reviewer's words for a decision.
    """

    __tablename__ = "review_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(Integer)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    reviewer: Mapped[str] = mapped_column(Address())
    action: Mapped[str] = mapped_column(String(16))  # view, decide
    outcome: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_review_log_submission", "submission_id"),)


# ─────────────────────────────── wallet-signed requests and original downloads ──────────────────────────────


class UsedNonce(Base):
    """A nonce an account spent on a wallet-signed request (`api.wallet_auth`): each is accepted once. Not
    chain data; rows whose signature has expired (`expires_at`, unix seconds) are pruned (migration 0013)."""

    __tablename__ = "used_nonces"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account: Mapped[str] = mapped_column(Address(), primary_key=True)
    nonce: Mapped[str] = mapped_column(Hash32(), primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Download(Base):
    """One delivery of a work's original to a signed-in account (`GET /works/{id}/original`): who, which work
    and content, under what grant (`owner`, or `licence` with `license_id`), as of which indexed block, when.

    Not chain data: written by the API. Append-only — triggers refuse UPDATE and DELETE (migration 0013)."""

    __tablename__ = "downloads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    account: Mapped[str] = mapped_column(Address())
    grant: Mapped[str] = mapped_column(String(16))  # owner, licence
    license_id: Mapped[int | None] = mapped_column(BigInteger)  # null when the owner downloaded
    content_hash: Mapped[str] = mapped_column(Hash32())
    block_number: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_downloads_asset", "chain_id", "asset_id"),
        Index("ix_downloads_account", "chain_id", "account"),
    )


# ─────────────────────────────── sealed originals ───────────────────────────────


class SealedOriginal(Base):
    """The envelope of one original sealed at rest (`genip.storage.originals`): the content store holds only
    `sealed_cid` (AES-256-GCM ciphertext under a per-work data key); `wrapped_key` is that data key wrapped
    by the service key (a Fernet token, rewrapped by `genip originals rotate`). Keyed by the original's CID,
    which the certificate's metadata commits to. Not chain data: written where the original is stored.
    """

    __tablename__ = "sealed_originals"
    original_cid: Mapped[str] = mapped_column(String(128), primary_key=True)
    sealed_cid: Mapped[str] = mapped_column(String(128))
    wrapped_key: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# ─────────────────────────────── webhooks (migration 0016) ───────────────────────────────

#: An id column that autoincrements on both backends (SQLite only autoincrements INTEGER PRIMARY KEY).
_SERIAL = BigInteger().with_variant(Integer, "sqlite")


class WebhookSubscription(Base):
    """A URL subscribed to event types (`genip.webhooks.EVENT_TYPES`), optionally only for some assets and/or
    accounts. `secret` (a Standard Webhooks `whsec_…` key) signs every payload: shown once when created,
    needed in clear to sign, so whoever reads this table can forge payloads. Removed subscriptions keep their
    row (`removed_at`) so the delivery log still names them. Not chain data: written by `genip webhooks`."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list[Any]] = mapped_column(JSON)
    asset_ids: Mapped[list[Any] | None] = mapped_column(JSON)  # null: every asset
    accounts: Mapped[list[Any] | None] = mapped_column(JSON)  # lowercase addresses; null: every account
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    platform_id: Mapped[int | None] = mapped_column(BigInteger)  # null: the operator's (0017)

    __table_args__ = (Index("ix_webhook_subscriptions_chain", "chain_id", "removed_at"),)


class WebhookEvent(Base):
    """The outbox: one event that happened, written in the indexer's batch transaction (or with the row that
    made it, for `copy.marked`), only when some subscription wanted it. `id` is the Standard Webhooks
    `webhook-id` every delivery of it carries; `payload` the JSON body. Chain-bound events carry the block
    they belong to, so a reorg past it finds them; a retraction (`type` ending `.retracted`) has no block and
    names the event it retracts (`retracts`); `retracted_at` marks an event a reorg removed after it was sent.
    """

    __tablename__ = "webhook_events"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(48))
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    retracts: Mapped[str | None] = mapped_column(String(40))
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_webhook_events_block", "chain_id", "block_number"),)


class WebhookDelivery(Base):
    """One event owed to one subscription. `state`: pending (due at `next_attempt_at`, or in flight while
    `leased_until` is in the future), delivered, failed (`attempts` reached the maximum) or cancelled (a reorg
    removed the event, or the subscription was removed). `attempts` counts claims, so a worker that died
    mid-delivery used one up. A retraction's delivery waits while the delivery it `follows` is in flight."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    leased_by: Mapped[str | None] = mapped_column(String(80))
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    follows: Mapped[int | None] = mapped_column(BigInteger)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_subscription_event"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_event", "event_id"),
    )


class WebhookAttempt(Base):
    """The delivery log: one HTTP attempt of a delivery, by which worker, how long it took, the status it got
    or the error (never the secret, the signature or the response body)."""

    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[float] = mapped_column(Float)
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id"),)


#: `license.expired` events: the licences whose expiry a batch's chain time passed (`genip.webhooks.outbox`).
Index("ix_licenses_expiry", License.chain_id, License.expires_at)


# ─────────────────────────────── shopping search ───────────────────────────────


class SearchState(Base):
    """One row (`id` 1): `version` counts every write to `assets` and `provenance` (database triggers, 0014),
    so a cache of search answers keyed on the cursor and this version never outlives what it read."""

    __tablename__ = "search_state"
    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


# ─────────────────────────────── creator profiles ───────────────────────────────


class Profile(Base):
    """A creator's public profile, as their wallet signed it (`PUT /profiles/{address}`, EIP-712 over every
    field; the signature, nonce, expiry and chain it was signed for are kept). Not chain data (0015)."""

    __tablename__ = "profiles"
    account: Mapped[str] = mapped_column(Address(), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    bio: Mapped[str] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(JSON)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    nonce: Mapped[str] = mapped_column(Hash32())
    expiry: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(132))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- platforms: begin ---
class Platform(Base):
    """A platform that integrates over the API (`genip platform add`): its name and the wallet its referral
    fees go to. Removed platforms keep their row (`removed_at`) so what they did stays attributable (0017)."""

    __tablename__ = "platforms"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
    wallet: Mapped[str] = mapped_column(Address())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("chain_id", "name", name="uq_platforms_chain_name"),)


class PlatformKey(Base):
    """One API key of a platform (`genip.platforms`): the public `key_id` the key starts with and the
    SHA-256 `digest` of the whole key (the key itself is shown once and never stored). A rotated key keeps
    working until `expires_at`; a revoked one stops at `revoked_at` (0017)."""

    __tablename__ = "platform_keys"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    platform_id: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("key_id", name="uq_platform_keys_key_id"),
        Index("ix_platform_keys_platform", "platform_id"),
    )


# --- platforms: end ---


# --- upload owners: begin ---
class Upload(Base):
    """One file stored by `POST /uploads` (`kind` a work kind) or `POST /uploads/examples` (`kind`
    "example"), with its owner: the platform whose key sent it (`platform_id`) or the wallet that signed it
    (`wallet`). `cid` is what a registration commits to (a work's original; an example's preview),
    `preview_cid` a work's public face. `genip.uploads.sweep` marks it `registered_at` (with the asset) once
    an indexed asset commits to `cid`, or removes its bytes and marks it `swept_at` when none did within the
    TTL (0018)."""

    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    cid: Mapped[str] = mapped_column(String(128), index=True)
    preview_cid: Mapped[str | None] = mapped_column(String(128), index=True)
    sha256: Mapped[str] = mapped_column(Hash32())
    size: Mapped[int] = mapped_column(BigInteger)
    platform_id: Mapped[int | None] = mapped_column(BigInteger)
    wallet: Mapped[str | None] = mapped_column(Address())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    asset_chain_id: Mapped[int | None] = mapped_column(BigInteger)
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    swept_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_uploads_wallet", "wallet", "created_at"),
        Index("ix_uploads_platform", "platform_id", "created_at"),
    )


# --- upload owners: end ---


# --- hash export: begin ---
class HashSignal(Base):
    """One change of the exportable hashes (`GET /hashes`): a registered image's PDQ or pHash-256 became
    exportable (`op` "add") or stopped being so ("remove", e.g. a reorg rollback deleted its asset).

    Written only by the database triggers of migration 0019, in the transaction that changed `assets` or
    `match_hashes`, so the log is their exact history in order (`id` only grows). `signal_value` is lowercase
    hex without `0x`; `signal_type` "pdq" or "phash256"; `logged_at` seconds since the epoch.
    """

    __tablename__ = "hash_signals"
    __table_args__ = (Index("ix_hash_signals_asset", "chain_id", "asset_id"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int] = mapped_column(BigInteger)
    signal_type: Mapped[str] = mapped_column(String(16))
    signal_value: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8))
    logged_at: Mapped[float] = mapped_column(Float)


# --- hash export: end ---


# --- reports: begin ---
class Report(Base):
    """A post a platform reported (`POST /reports`, `genip.reports`): the upload's hashes and uploader, the
    verdict and the work it rests on (`asset_id`: that work's owner sees and resolves it), the uploader's own
    registered work a claim could be brought against (`claim_asset_id`, with the report's evidence document
    and its keccak256 hash) and the owner's resolution (keep, flag, take_down). Not chain data (0020)."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    platform_id: Mapped[int] = mapped_column(BigInteger)
    post_id: Mapped[str] = mapped_column(String(200))
    uploader: Mapped[str | None] = mapped_column(Address())
    source: Mapped[str] = mapped_column(String(8))  # image, hashes
    pdq: Mapped[str] = mapped_column(String(64))  # hex
    phash: Mapped[str | None] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    claim_asset_id: Mapped[int | None] = mapped_column(BigInteger)
    candidates: Mapped[list[Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evidence_hash: Mapped[str | None] = mapped_column(String(66))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(Address())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("platform_id", "post_id", "pdq", name="uq_reports_platform_post_pdq"),
        Index("ix_reports_asset", "chain_id", "asset_id"),
    )


# --- reports: end ---


# --- search facets: begin ---
class SearchFacet(Base):
    """How many assets of a chain have one combination of the facets search counts from the asset row
    (migration 0021: kept by triggers on `assets`; NULL stored as ''; `derived` and `failed` 0 or 1; rows
    may hold 0). `live_offers` mirrors the unmapped `assets.live_offers` (`,tier:currency,` pairs)."""

    __tablename__ = "search_facets"
    __table_args__ = (
        Index(
            "ux_search_facets_key",
            "chain_id",
            "kind",
            "standing",
            "derived",
            "orientation",
            "size_class",
            "colour",
            "base_model",
            "live_offers",
            "failed",
            unique=True,
        ),
    )
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    standing: Mapped[str] = mapped_column(String(16), primary_key=True)
    derived: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    orientation: Mapped[str] = mapped_column(Text, primary_key=True)
    size_class: Mapped[str] = mapped_column(Text, primary_key=True)
    colour: Mapped[str] = mapped_column(Text, primary_key=True)
    base_model: Mapped[str] = mapped_column(Text, primary_key=True)
    live_offers: Mapped[str] = mapped_column(Text, primary_key=True)
    failed: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


# --- search facets: end ---


# --- platform registrations: begin ---
class PlatformRegistration(Base):
    """One work a platform asked to certify (`POST /platform/registrations`), relayed on-chain by its relayer
    (`genip.relay`): the on-chain `work` struct (JSON), the creator and their optional `registerFor`
    signature, the state (accepted → committed → registered → indexed, or failed with `error`) and what a
    restarted relayer needs to resume (salt, batch root, proof, transactions). Not chain data (0022)."""

    __tablename__ = "platform_registrations"
    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    platform_id: Mapped[int] = mapped_column(BigInteger)
    reference_id: Mapped[str] = mapped_column(String(128))
    creator: Mapped[str] = mapped_column(Address())
    content_hash: Mapped[str] = mapped_column(Hash32())
    work: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    salt: Mapped[str | None] = mapped_column(Hash32())
    batch_root: Mapped[str | None] = mapped_column(Hash32())
    proof: Mapped[list[Any] | None] = mapped_column(JSON)
    commit_tx: Mapped[str | None] = mapped_column(Hash32())
    commit_block: Mapped[int | None] = mapped_column(BigInteger)
    register_tx: Mapped[str | None] = mapped_column(Hash32())
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("platform_id", "reference_id", name="uq_platform_registrations_reference"),
        Index("ix_platform_registrations_state", "platform_id", "state", "id"),
        Index("ix_platform_registrations_updated", "platform_id", "updated_at", "id"),
        Index("ix_platform_registrations_content", "chain_id", "content_hash"),
    )


# --- platform registrations: end ---


# --- made_with/addnet ---


class FileFacts(Base):
    """What the registered file itself says, derived by the indexer's media step (`indexer.media`) from the
    original it opened with the service keys and checked against the certificate's `content_hash`, which the
    row repeats (readers join on it, as for `MatchHash` and `Provenance`: a reorg that re-registers the id
    with other content hides the row until the step reads the new content).

    `made_with` (images): `genip.content.made_with.MadeWith.to_json()` of those bytes, `{}`-like when the file
    says nothing; the API prefers it to the registrant's `genip.madeWith` claims. `addnet_hash` (safetensors
    models): A1111's addnet hash, sha256 of the file after its 8-byte length and JSON header, 64 lower-case
    hex digits; `genip.resources` matches `Lora hashes` prefixes against it.
    """

    __tablename__ = "file_facts"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    content_hash: Mapped[str] = mapped_column(Hash32())
    made_with: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    addnet_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_file_facts_addnet", "addnet_hash"),)


# --- made_with/addnet: end ---
