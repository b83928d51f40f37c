"""Certify on upload, in bulk: platform registrations and the relayer that puts them on-chain.

A platform asks (`POST /platform/registrations`, `accept`) to certify up to `MAX_ITEMS` works per request,
each for a creator who authorised the platform on-chain (`authorizePlatform`) or who signed the work
(`registerFor`: nonce, deadline, EIP-712 signature). Each work becomes one `platform_registrations` row,
unique per (platform, the platform's own `reference_id`): a retried request adds nothing and answers the rows
it made.

The relayer (`Relayer`, `genip platform relay`) is the only holder of the platform's funded key. Each round:

1. **claim** up to `batch_size` accepted works (`FOR UPDATE SKIP LOCKED` on Postgres), give each a fresh salt
   and write the batch's Merkle root and each work's proof *before* anything is sent: a lost salt could never
   be revealed. One relayer per platform (one key, one nonce sequence): on Postgres it holds an advisory lock
   (`hold_lock`, taken by `genip platform relay`); on SQLite run one;
2. **commit** each claimed root not yet committed: a root the registry already knows (`commitmentOf`: the
   relayer died after sending the commit) is not committed again → `committed`;
3. **register** each committed batch, after the commit's block: works whose content the registry already
   certifies (`assetOf`) are settled from the chain's own `WorkRegistered` log (registered by this batch
   before a crash → `registered` once; by anyone before it → `failed`); the rest go out in one
   `registerBatchByPlatform` (authorised works; the registry skips bad items and says why: `batch_skips`) and
   one `registerFor` per signed work → `registered` or `failed` with the reason;
4. **index**: registered works whose asset the indexer has stored → `indexed`; a work that came with its
   prompt sealed to the checker (`SealedPrompt`) has it submitted for the check first (`prompt_submissions`,
   as `POST /prompts/{asset}` stores a creator's), now that the asset exists.

**Prompts.** Every registration submits its prompt to the checker (issue #18), platform ones too: an item
carries the prompt and salt that open its commitment, sealed by the platform's side (`genip_sdk.prompts.
seal_prompt`) to the checker's public key, so neither the API nor the relayer can read it. The API requires it
whenever it has a checker key (an item without one never reaches `accept`) and checks its form and key id;
only an API without a checker key, which cannot check, passes items without one (`prompt` None: nothing to
submit). The sealed bytes wait in the row's `work` JSON (key `sealed_prompt`; a column of its own would
need a migration) until the asset is indexed, and are then stored as a pending submission of the work's
creator for its prompt commitment. The checker opens it and checks it against that commitment like any other:
one that does not open it is `rejected`. The platform key stands in for the creator's EIP-712 signature of
`POST /prompts/{asset}`: the creator authorised the platform (or signed the work), and the commitment binds
the creator, so a wrong prompt can only be rejected, never pass for another's. A work that already has a
submission (the creator sent one) keeps it.

Every state change is written with a `registration.updated` outbox event (`genip.webhooks.events`) in the same
transaction, delivered only to the platform's own webhook subscriptions (`webhook_subscriptions.platform_id`);
its id is derived from (row, state), so it is written once per state. Not chain-bound: a registration a reorg
removes is not retracted (the indexer's `work.registered` is).
"""

import base64
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from sqlalchemy import Connection, Engine, Row, and_, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from web3.logs import DISCARD
from web3.types import TxReceipt

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.chain.types import Work, WorkKind
from genip.checker.submissions import SubmissionExists, SubmissionStore
from genip.db import models
from genip.errors import ChainError, GenIPError, TransactionFailedError
from genip.platforms import PlatformView
from genip.prompts import merkle_proof, merkle_root
from genip.webhooks.events import OutboxEvent, event_id, write_events

__all__ = [
    "DEFAULT_BATCH",
    "MAX_ITEMS",
    "REGISTRATION_UPDATED",
    "Accepted",
    "CreatorSignature",
    "RegistrationItem",
    "RelayError",
    "Relayer",
    "Round",
    "SealedPrompt",
    "State",
    "accept",
    "registration_event",
    "work_from_json",
    "work_to_json",
]

log = logging.getLogger(__name__)

_COLUMNS: Final = models.PlatformRegistration.__table__.c

#: Most works per `POST /platform/registrations`.
MAX_ITEMS: Final = 100
#: Most works per commit and `registerBatchByPlatform` (gas grows with each; 100 fits a block easily).
DEFAULT_BATCH: Final = 100
#: Postgres advisory lock key of a platform's relayer: this plus the platform id.
_LOCK_BASE: Final = 0x47454E4950 << 24
#: The webhook event type of every state change.
REGISTRATION_UPDATED: Final = "registration.updated"


class State:
    """`platform_registrations.state`."""

    ACCEPTED: Final = "accepted"
    COMMITTED: Final = "committed"
    REGISTERED: Final = "registered"
    INDEXED: Final = "indexed"
    FAILED: Final = "failed"

    ALL: Final = ("accepted", "committed", "registered", "indexed", "failed")


class RelayError(GenIPError):
    """The relayer cannot run (its key is not the platform's wallet, the platform is removed, ...)."""


@dataclass(frozen=True, slots=True)
class CreatorSignature:
    """A creator's EIP-712 `registerFor` signature over the work (`genip.chain.signing.sign_register`)."""

    nonce: int
    deadline: int
    signature: bytes


@dataclass(frozen=True, slots=True)
class SealedPrompt:
    """The work's prompt (and salt) sealed to the checker's public key `key_id`, as `POST /prompts/{asset}`
    takes it (`genip.checker.submissions.decode_sealed` bounds it); nobody but the checker can open it."""

    sealed: bytes = field(repr=False)
    key_id: str


@dataclass(frozen=True, slots=True)
class RegistrationItem:
    """One work a platform asks to certify, checked by the caller (the API)."""

    reference_id: str
    creator: str
    work: Work
    signature: CreatorSignature | None = None
    prompt: SealedPrompt | None = None  # None only from an API without a checker key (module docstring)


@dataclass(frozen=True, slots=True)
class Accepted:
    """What `accept` did with one item: `outcome` "created", "existing" (the same reference already held
    this work) or "conflict" (`error` says why); `row` the registration (None for a conflict)."""

    outcome: str
    row: Row[Any] | None
    error: str | None = None


@dataclass
class Round:
    """What one relayer round moved, by state reached."""

    committed: int = 0
    registered: int = 0
    indexed: int = 0
    failed: int = 0
    prompts: int = 0  # sealed prompts submitted for the check (not a state)
    errors: list[str] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return self.committed + self.registered + self.indexed + self.failed


def work_to_json(work: Work) -> dict[str, Any]:
    """The `work` column: the on-chain struct, hashes as 0x hex."""
    return {
        "kind": work.kind.name.lower(),
        "content_hash": "0x" + work.content_hash.hex(),
        "perceptual_hash": "0x" + work.perceptual_hash.hex(),
        "prompt_commitment": "0x" + work.prompt_commitment.hex(),
        "metadata_cid": work.metadata_cid,
    }


def work_from_json(data: dict[str, Any]) -> Work:
    return Work(
        kind=WorkKind[str(data["kind"]).upper()],
        content_hash=bytes.fromhex(str(data["content_hash"])[2:]),
        perceptual_hash=bytes.fromhex(str(data["perceptual_hash"])[2:]),
        prompt_commitment=bytes.fromhex(str(data["prompt_commitment"])[2:]),
        metadata_cid=str(data["metadata_cid"]),
    )


def _stored_work(item: RegistrationItem) -> dict[str, Any]:
    """The `work` column of a new row: the on-chain struct, and the sealed prompt until it is submitted."""
    stored = work_to_json(item.work)
    if item.prompt is not None:
        stored["sealed_prompt"] = {
            "sealed": base64.b64encode(item.prompt.sealed).decode(),
            "key_id": item.prompt.key_id,
        }
    return stored


def _signature_to_json(sig: CreatorSignature | None) -> dict[str, Any] | None:
    if sig is None:
        return None
    return {"nonce": str(sig.nonce), "deadline": sig.deadline, "signature": "0x" + sig.signature.hex()}


def _now() -> datetime:
    return datetime.now(UTC)


# ─────────────────────────────── events ───────────────────────────────


def registration_event(row: models.PlatformRegistration | Any, when: datetime) -> OutboxEvent:
    """The `registration.updated` event of `row` in its current state (one id per row and state)."""
    data = {
        "id": row.id,
        "reference_id": row.reference_id,
        "state": row.state,
        "error": row.error,
        "creator": row.creator,
        "content_hash": row.content_hash,
        "metadata_cid": (row.work or {}).get("metadata_cid"),
        "asset_id": row.asset_id,
        "commit_tx": row.commit_tx,
        "register_tx": row.register_tx,
        "chain_id": row.chain_id,
    }
    return OutboxEvent(
        id=event_id(row.chain_id, REGISTRATION_UPDATED, row.id, row.state),
        type=REGISTRATION_UPDATED,
        data=data,
        timestamp=int(when.timestamp()),
        block_number=None,
        assets=frozenset({row.asset_id} if row.asset_id else ()),
        accounts=frozenset({row.creator}),
        platform=row.platform_id,  # delivered to the platform's own subscriptions only
    )


def _move(c: Connection, ids: Iterable[int], **values: Any) -> list[Any]:
    """Sets `values` (with a fresh `updated_at`) on the rows `ids` and writes their events; the rows."""
    ids = list(ids)
    if not ids:
        return []
    r = models.PlatformRegistration
    now = _now()
    c.execute(update(r).where(r.id.in_(ids)).values(updated_at=now, **values))
    rows = c.execute(select(*_COLUMNS).where(r.id.in_(ids)).order_by(r.id)).all()
    if "state" in values and rows:
        write_events(c, rows[0].chain_id, [registration_event(row, now) for row in rows], now=now)
    return list(rows)


# ─────────────────────────────── accepting ───────────────────────────────


def accept(engine: Engine, platform: PlatformView, items: Sequence[RegistrationItem]) -> list[Accepted]:
    """Stores the items (`_accept`); a concurrent request that inserted one of the same references first
    makes this one run again, and then find them."""
    try:
        return _accept(engine, platform, items)
    except IntegrityError:
        return _accept(engine, platform, items)


def _accept(engine: Engine, platform: PlatformView, items: Sequence[RegistrationItem]) -> list[Accepted]:
    """Stores each item as an accepted registration of `platform` (in one transaction), idempotent on its
    `reference_id`: an item whose reference already exists answers that row ("existing", or "conflict" when
    it named another work or creator); an item whose content the platform already has in flight under
    another reference, or twice in this request, is a "conflict"."""
    r = models.PlatformRegistration
    now = _now()
    results: list[Accepted] = []
    with engine.begin() as c:
        refs = [i.reference_id for i in items]
        hashes = ["0x" + i.work.content_hash.hex() for i in items]
        known = {
            row.reference_id: row
            for row in c.execute(
                select(*_COLUMNS).where(r.platform_id == platform.id, r.reference_id.in_(refs))
            ).all()
        }
        busy = {
            row.content_hash: row.reference_id
            for row in c.execute(
                select(r.content_hash, r.reference_id).where(
                    r.platform_id == platform.id, r.content_hash.in_(hashes), r.state != State.FAILED
                )
            ).all()
        }
        fresh: list[dict[str, Any]] = []
        pending: list[int] = []  # index in results of each fresh row
        seen_refs: dict[str, int] = {}
        for item, content_hash in zip(items, hashes, strict=True):
            old = known.get(item.reference_id)
            if old is not None:
                if old.content_hash == content_hash and old.creator == to_checksum_address(item.creator):
                    results.append(Accepted("existing", old))
                else:
                    results.append(
                        Accepted(
                            "conflict", None, f"reference {item.reference_id!r} already names another work"
                        )
                    )
                continue
            if item.reference_id in seen_refs:
                results.append(Accepted("conflict", None, f"reference {item.reference_id!r} is given twice"))
                continue
            other = busy.get(content_hash)
            if other is not None:
                results.append(
                    Accepted("conflict", None, f"this content is already submitted as reference {other!r}")
                )
                continue
            busy[content_hash] = item.reference_id
            seen_refs[item.reference_id] = len(results)
            pending.append(len(results))
            results.append(Accepted("created", None))
            fresh.append(
                {
                    "chain_id": platform.chain_id,
                    "platform_id": platform.id,
                    "reference_id": item.reference_id,
                    "creator": to_checksum_address(item.creator),
                    "content_hash": content_hash,
                    "work": _stored_work(item),
                    "signature": _signature_to_json(item.signature),
                    "state": State.ACCEPTED,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if fresh:
            c.execute(insert(models.PlatformRegistration), fresh)
            made = {
                row.reference_id: row
                for row in c.execute(
                    select(*_COLUMNS).where(
                        r.platform_id == platform.id, r.reference_id.in_([f["reference_id"] for f in fresh])
                    )
                ).all()
            }
            for index in pending:
                ref = items[index].reference_id
                results[index] = Accepted("created", made[ref])
            write_events(
                c, platform.chain_id, [registration_event(row, now) for row in made.values()], now=now
            )
    return results


# ─────────────────────────────── the relayer ───────────────────────────────


def _refused(exc: TransactionFailedError) -> bool:
    """Whether the chain refused the transaction for what it says (mined and reverted, or a revert in
    estimation), rather than the node failing to take it (retried next round)."""
    return exc.tx_hash is not None or exc.error is not None or "revert" in exc.reason.lower()


#: Test hook: called with "commit-sent" / "batch-sent" right after a transaction was mined and before the
#: database hears of it (a crash there is what the relayer must survive).
CrashHook = Callable[[str], None]


class Relayer:
    """Moves one platform's registrations through commit, registration and indexing (see module doc)."""

    def __init__(
        self,
        engine: Engine,
        client: GenIPClient,
        account: LocalAccount,
        platform: PlatformView,
        *,
        batch_size: int = DEFAULT_BATCH,
        crash_hook: CrashHook | None = None,
    ) -> None:
        if not 1 <= batch_size <= MAX_ITEMS:
            raise RelayError(f"a batch holds 1 to {MAX_ITEMS} works, not {batch_size}")
        self.engine = engine
        self.client = client
        self.account = account
        self.platform = platform
        self.batch_size = batch_size
        self._crash = crash_hook or (lambda _step: None)
        self._lock: Connection | None = None

    def check(self) -> None:
        """Refuses to run for a removed platform, on another chain, or with a key that is not its wallet
        (creators authorise the platform's wallet: another key's batches would all be skipped)."""
        if self.platform.removed_at is not None:
            raise RelayError(f"platform {self.platform.name!r} is removed")
        if self.platform.chain_id != self.client.deployment.chain_id:
            raise RelayError(
                f"platform {self.platform.name!r} is on chain {self.platform.chain_id}, "
                f"the deployment on chain {self.client.deployment.chain_id}"
            )
        if to_checksum_address(self.account.address) != to_checksum_address(self.platform.wallet):
            raise RelayError(
                f"the relayer's key is {self.account.address}, but platform {self.platform.name!r} has "
                f"wallet {self.platform.wallet}: creators authorise that wallet, so relay with its key"
            )

    def hold_lock(self) -> None:
        """On Postgres, takes the platform's advisory lock for as long as this relayer lives (`RelayError`
        when another relayer holds it): two relayers of one platform would race on the same batches. On
        SQLite (one writer, one process) run a single relayer."""
        if self.engine.dialect.name != "postgresql" or self._lock is not None:
            return
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _LOCK_BASE + self.platform.id})
        if not got.scalar():
            conn.close()
            raise RelayError(f"another relayer already runs for platform {self.platform.name!r}")
        conn.commit()
        self._lock = conn

    def run_once(self) -> Round:
        """One round: claim, commit, register, index (each step resumes what a crash left)."""
        done = Round()
        self._claim()
        self._commit(done)
        self._register(done)
        self._index(done)
        return done

    # 1. claim

    def _claim(self) -> None:
        r = models.PlatformRegistration
        with self.engine.begin() as c:
            query = (
                select(r.id, r.creator, r.content_hash)
                .where(r.platform_id == self.platform.id, r.state == State.ACCEPTED, r.batch_root.is_(None))
                .order_by(r.id)
                .limit(self.batch_size)
            )
            if c.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = c.execute(query).all()
            if not rows:
                return
            salts = [actions.new_salt() for _ in rows]
            leaves = [
                actions.registration_leaf(row.creator, bytes.fromhex(row.content_hash[2:]), salt)
                for row, salt in zip(rows, salts, strict=True)
            ]
            root = "0x" + merkle_root(leaves).hex()
            for i, (row, salt) in enumerate(zip(rows, salts, strict=True)):
                proof = ["0x" + p.hex() for p in merkle_proof(leaves, i)] if len(leaves) > 1 else []
                c.execute(
                    update(r)
                    .where(r.id == row.id)
                    .values(salt="0x" + salt.hex(), batch_root=root, proof=proof)
                )

    # 2. commit

    def _roots(self, state: str) -> list[str]:
        r = models.PlatformRegistration
        with self.engine.connect() as c:
            rows = c.execute(
                select(r.batch_root)
                .where(r.platform_id == self.platform.id, r.state == state, r.batch_root.is_not(None))
                .group_by(r.batch_root)
                .order_by(r.batch_root)
            ).all()
        return [str(root) for (root,) in rows]

    def _rows(self, root: str, state: str) -> list[Any]:
        r = models.PlatformRegistration
        with self.engine.connect() as c:
            return list(
                c.execute(
                    select(*_COLUMNS)
                    .where(r.platform_id == self.platform.id, r.batch_root == root, r.state == state)
                    .order_by(r.id)
                ).all()
            )

    def _commit(self, done: Round) -> None:
        registry = self.client.registry.functions
        for root in self._roots(State.ACCEPTED):
            root_bytes = bytes.fromhex(root[2:])
            block = int(registry.commitmentOf(root_bytes).call()[0])
            tx: str | None = None
            if block == 0:
                try:
                    receipt = actions.commit(self.client, self.account, root_bytes)
                except TransactionFailedError as exc:
                    if exc.error != "AlreadyCommitted":
                        done.errors.append(str(exc))
                        continue
                    block = int(registry.commitmentOf(root_bytes).call()[0])
                else:
                    self._crash("commit-sent")
                    block, tx = int(receipt["blockNumber"]), receipt["transactionHash"].to_0x_hex()
            ids = [row.id for row in self._rows(root, State.ACCEPTED)]
            with self.engine.begin() as c:
                values: dict[str, Any] = {"state": State.COMMITTED, "commit_block": block}
                if tx is not None:
                    values["commit_tx"] = tx
                done.committed += len(_move(c, ids, **values))

    # 3. register

    def _register(self, done: Round) -> None:
        for root in self._roots(State.COMMITTED):
            rows = self._rows(root, State.COMMITTED)
            if not rows:
                continue
            try:
                actions.wait_past_block(self.client.w3, max(int(row.commit_block or 0) for row in rows))
                pending = self._settle_known(rows, done)
                batch = [row for row in pending if row.signature is None]
                if batch:
                    self._send_batch(batch, done)
                for row in pending:
                    if row.signature is not None:
                        self._send_signed(row, done)
            except (
                ChainError,
                OSError,
            ) as exc:  # the chain is away: the rows stay committed for the next round
                done.errors.append(str(exc))

    def _settle_known(self, rows: Sequence[Any], done: Round) -> list[Any]:
        """Rows whose content the registry already certifies are settled from its `WorkRegistered` log;
        returns the others."""
        registry = self.client.registry
        pending = []
        for row in rows:
            existing = int(registry.functions.assetOf(bytes.fromhex(row.content_hash[2:])).call())
            if not existing:
                pending.append(row)
                continue
            logs = registry.events.WorkRegistered().get_logs(
                from_block=int(row.commit_block or 0),
                argument_filters={"assetId": existing},
            )
            ours = [lg for lg in logs if to_checksum_address(lg["args"]["creator"]) == row.creator]
            with self.engine.begin() as c:
                if ours:
                    tx = ours[0]["transactionHash"].to_0x_hex()
                    _move(c, [row.id], state=State.REGISTERED, asset_id=existing, register_tx=tx, error=None)
                    done.registered += 1
                else:
                    why = f"this content is already registered as asset {existing}"
                    _move(c, [row.id], state=State.FAILED, asset_id=None, error=why)
                    done.failed += 1
        return pending

    def _send_batch(self, rows: Sequence[Any], done: Round) -> None:
        items = [
            (
                to_checksum_address(row.creator),
                work_from_json(row.work).as_tuple(),
                bytes.fromhex(row.salt[2:]),
                [bytes.fromhex(p[2:]) for p in row.proof or []],
            )
            for row in rows
        ]
        call = self.client.registry.functions.registerBatchByPlatform(items)
        try:
            receipt = send(self.client.w3, self.account, call, action="registerBatchByPlatform")
        except TransactionFailedError as exc:
            if not _refused(exc):  # not sent (the node is unwell, a nonce race): retry next round
                raise
            with self.engine.begin() as c:
                done.failed += len(_move(c, [row.id for row in rows], state=State.FAILED, error=str(exc)))
            return
        self._crash("batch-sent")
        self._record_batch(rows, receipt, done)

    def _record_batch(self, rows: Sequence[Any], receipt: TxReceipt, done: Round) -> None:
        skipped = dict(actions.batch_skips(self.client, receipt))
        minted = {
            "0x" + bytes(lg["args"]["contentHash"]).hex(): int(lg["args"]["assetId"])
            for lg in self.client.registry.events.WorkRegistered().process_receipt(receipt, errors=DISCARD)
        }
        tx = receipt["transactionHash"].to_0x_hex()
        with self.engine.begin() as c:
            for index, row in enumerate(rows):
                asset = minted.get(row.content_hash)
                if asset is not None:
                    _move(c, [row.id], state=State.REGISTERED, asset_id=asset, register_tx=tx, error=None)
                    done.registered += 1
                else:
                    why = skipped.get(index, "the registry did not register it")
                    _move(c, [row.id], state=State.FAILED, register_tx=tx, error=why)
                    done.failed += 1

    def _send_signed(self, row: Any, done: Round) -> None:
        sig = row.signature
        call = self.client.registry.functions.registerFor(
            to_checksum_address(row.creator),
            work_from_json(row.work).as_tuple(),
            bytes.fromhex(row.salt[2:]),
            [bytes.fromhex(p[2:]) for p in row.proof or []],
            int(sig["nonce"]),
            int(sig["deadline"]),
            bytes.fromhex(str(sig["signature"])[2:]),
        )
        try:
            receipt = send(self.client.w3, self.account, call, action="registerFor")
        except TransactionFailedError as exc:
            if not _refused(exc):
                raise
            with self.engine.begin() as c:
                _move(c, [row.id], state=State.FAILED, error=str(exc))
            done.failed += 1
            return
        self._crash("batch-sent")
        self._record_batch([row], receipt, done)

    # 4. index

    def _index(self, done: Round) -> None:
        r, a = models.PlatformRegistration, models.Asset
        with self.engine.connect() as c:
            found = c.execute(
                select(r.id, a.tx_hash, r.chain_id, r.asset_id, r.creator, r.work)
                .join(a, and_(a.chain_id == r.chain_id, a.asset_id == r.asset_id))
                .where(r.platform_id == self.platform.id, r.state == State.REGISTERED)
                .order_by(r.id)
            ).all()
        if not found:
            return
        # Prompts first, then the rows move on: a crash in between submits again next round (and finds the
        # submission made), never skips one.
        store = SubmissionStore(self.engine)
        for row in found:
            prompt = (row.work or {}).get("sealed_prompt")
            if not prompt:
                continue
            try:
                store.submit(
                    chain_id=row.chain_id,
                    asset_id=row.asset_id,
                    creator=row.creator,
                    commitment=str(row.work["prompt_commitment"]),
                    sealed=base64.b64decode(prompt["sealed"]),
                    key_id=str(prompt["key_id"]),
                )
                done.prompts += 1
            except SubmissionExists:
                pass  # submitted already: by an earlier round, or by the creator
        with self.engine.begin() as c:
            missing_tx = or_(r.register_tx.is_(None))
            for row in found:
                c.execute(update(r).where(r.id == row.id, missing_tx).values(register_tx=row.tx_hash))
            ids = [row.id for row in found]
            done.indexed += len(_move(c, ids, state=State.INDEXED))
