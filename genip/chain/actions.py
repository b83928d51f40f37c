"""One function per on-chain action of the Gen-IP story.

Every function signs with the given account, waits for success (`TransactionFailedError` otherwise) and
returns an `Outcome`: the id the action produced (asset, offer, licence, dispute, amount) and the receipt of
its last transaction.

**Registration is commit → reveal** (contracts v2). `register`, `register_derivative`, `register_for` and
`register_by_platform` each do the whole protected registration: a fresh random 32-byte salt, `commit(leaf)`
with `leaf = keccak256(abi.encode(creator, contentHash, salt))`, a wait until the chain is past the commit's
block, then the reveal with the salt and an empty proof. `register_batch_by_platform` commits one Merkle root
(OpenZeppelin sorted-pair tree over the leaves, not re-hashed) and reveals every work with its proof in one
transaction. On anvil the wait mines one empty block (`evm_mine`: anvil mines only on demand, and gas is
estimated at the head, which must already be past the commit); on other chains `eth_blockNumber` is polled.
Callers watch the steps through `on_step(step, receipt)`: `"committed"` (the commit's receipt), `"waiting"`
(no receipt), `"registered"` (the reveal's).

**Disputes** go to the court (`client.court`): `raise_dispute` pays the bond `bondOf(currency)` (native as
value; ERC-20 approved to the court first when the allowance is short).
"""

import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import RPCEndpoint, TxReceipt

from genip.chain.client import GenIPClient, contract_at
from genip.chain.explain import explain
from genip.chain.signing import new_nonce
from genip.chain.tx import ZERO_ADDRESS, send
from genip.chain.types import UNLIMITED_WORKS, LicenseTerms, Work
from genip.errors import ChainError, TransactionFailedError
from genip.prompts import merkle_proof, merkle_root

__all__ = [
    "COMMIT_POLL_SECONDS",
    "COMMIT_WAIT_TIMEOUT",
    "Outcome",
    "StepCallback",
    "answer_dispute",
    "approve_hub",
    "authorization_epoch",
    "authorize_platform",
    "authorize_platform_by_sig",
    "batch_skips",
    "buy_license",
    "clear_taint",
    "commit",
    "create_offer",
    "invalidate_nonce",
    "new_nonce",
    "new_salt",
    "pay_revenue",
    "propagate_taint",
    "raise_dispute",
    "register",
    "register_batch_by_platform",
    "register_by_platform",
    "register_derivative",
    "register_for",
    "registration_leaf",
    "release_held",
    "renounce_license",
    "resolve_dispute",
    "reverse_dispute",
    "revoke_platform",
    "set_offer_paused",
    "settle_dispute",
    "wait_past_block",
    "withdraw",
    "withdraw_bond",
]

#: Seconds between `eth_blockNumber` polls while waiting for the block after a commit.
COMMIT_POLL_SECONDS = 1.0
#: Most seconds to wait for that block before giving up (the commitment stays usable for 7 days).
COMMIT_WAIT_TIMEOUT = 600.0

#: `on_step(step, receipt)`: "committed" (commit receipt), "waiting" (None), "registered" (reveal receipt).
StepCallback = Callable[[str, TxReceipt | None], None]


class Outcome(NamedTuple):
    """What an action produced (`value`: an id or an amount) and its (last) transaction receipt."""

    value: int
    receipt: TxReceipt


def _event_arg(contract: Contract, event: str, receipt: TxReceipt, arg: str) -> int:
    """Argument `arg` of the first `event` emitted by `contract` in `receipt`."""
    for log in getattr(contract.events, event)().process_receipt(receipt, errors=DISCARD):
        value: Any = log["args"][arg]
        return int(value)
    raise ChainError(f"transaction {receipt['transactionHash'].hex()} emitted no {event}")


def _step(on_step: StepCallback | None, step: str, receipt: TxReceipt | None) -> None:
    if on_step is not None:
        on_step(step, receipt)


def _native(currency: str) -> bool:
    return int(currency, 16) == 0


# ─────────────────────────────── registration ───────────────────────────────


def new_salt() -> bytes:
    """A fresh random 32-byte registration salt (the OS's CSPRNG)."""
    return secrets.token_bytes(32)


def registration_leaf(creator: str, content_hash: bytes, salt: bytes) -> bytes:
    """`registrationLeaf`: `keccak256(abi.encode(creator, contentHash, salt))`."""
    encoded = abi_encode(
        ["address", "bytes32", "bytes32"], [to_checksum_address(creator), content_hash, salt]
    )
    return bytes(Web3.keccak(encoded))


def commit(client: GenIPClient, sender: LocalAccount, root: bytes) -> TxReceipt:
    """Commit to a registration leaf or to the Merkle root of many."""
    return send(client.w3, sender, client.registry.functions.commit(root), action="commit")


def _is_dev_chain(w3: Web3) -> bool:
    try:
        version = str(w3.client_version).lower()
    except Exception:  # some providers refuse web3_clientVersion
        return False
    return version.startswith(("anvil", "hardhat", "ganache"))


def wait_past_block(
    w3: Web3, block: int, *, poll: float = COMMIT_POLL_SECONDS, timeout: float = COMMIT_WAIT_TIMEOUT
) -> None:
    """Return once the chain's head is past `block`: at once when it already is; on a dev chain that mines
    only on demand (anvil) by mining one empty block (`evm_mine`), since gas estimation runs at the head and
    would still see the commit's block; else by polling `eth_blockNumber`."""
    if int(w3.eth.block_number) > block:
        return
    if _is_dev_chain(w3):
        w3.provider.make_request(RPCEndpoint("evm_mine"), [])
        if int(w3.eth.block_number) > block:
            return
    deadline = time.monotonic() + timeout
    while int(w3.eth.block_number) <= block:
        if time.monotonic() > deadline:
            raise ChainError(f"the chain did not get past block {block} within {timeout:.0f}s")
        time.sleep(poll)


def _refuse_registered(client: GenIPClient, work: Work, action: str) -> None:
    """Refuse content already certified before spending a commit on it (the reveal would revert)."""
    existing = int(client.registry.functions.assetOf(work.content_hash).call())
    if existing:
        args = {"contentHash": work.content_hash, "existingAssetId": existing}
        raise TransactionFailedError(
            action,
            f"ContentAlreadyRegistered(contentHash=0x{work.content_hash.hex()}, existingAssetId={existing})",
            error="ContentAlreadyRegistered",
            error_args=args,
            explanation=explain("ContentAlreadyRegistered", args),
        )


def _commit_then(
    client: GenIPClient,
    sender: LocalAccount,
    root: bytes,
    reveal: Callable[[], TxReceipt],
    on_step: StepCallback | None,
) -> TxReceipt:
    committed = commit(client, sender, root)
    _step(on_step, "committed", committed)
    _step(on_step, "waiting", None)
    wait_past_block(client.w3, int(committed["blockNumber"]))
    receipt = reveal()
    _step(on_step, "registered", receipt)
    return receipt


def register(
    client: GenIPClient,
    creator: LocalAccount,
    work: Work,
    *,
    salt: bytes | None = None,
    on_step: StepCallback | None = None,
) -> Outcome:
    """Register `work` from `creator` (commit its leaf, wait a block, reveal); the value is the asset id."""
    _refuse_registered(client, work, "register")
    salt = salt or new_salt()
    leaf = registration_leaf(creator.address, work.content_hash, salt)
    call = client.registry.functions.register(work.as_tuple(), salt, [])
    receipt = _commit_then(
        client, creator, leaf, lambda: send(client.w3, creator, call, action="register"), on_step
    )
    return Outcome(_event_arg(client.registry, "WorkRegistered", receipt, "assetId"), receipt)


def register_derivative(
    client: GenIPClient,
    creator: LocalAccount,
    license_ids: list[int],
    work: Work,
    *,
    salt: bytes | None = None,
    on_step: StepCallback | None = None,
) -> Outcome:
    """Register `work` as a derivative under `license_ids` (one per parent), committed first like `register`;
    the value is its asset id."""
    _refuse_registered(client, work, "registerDerivative")
    salt = salt or new_salt()
    leaf = registration_leaf(creator.address, work.content_hash, salt)
    call = client.hub.functions.registerDerivative(license_ids, work.as_tuple(), salt, [])
    receipt = _commit_then(
        client, creator, leaf, lambda: send(client.w3, creator, call, action="registerDerivative"), on_step
    )
    return Outcome(_event_arg(client.hub, "DerivativeRegistered", receipt, "assetId"), receipt)


def register_for(
    client: GenIPClient,
    sender: LocalAccount,
    *,
    creator: str,
    work: Work,
    nonce: int,
    deadline: int,
    signature: bytes,
    salt: bytes | None = None,
    on_step: StepCallback | None = None,
) -> Outcome:
    """Register `work` for `creator` with their EIP-712 `signature` (`signing.sign_register`), paid by
    `sender`, who commits the creator's leaf first; the value is the asset id."""
    _refuse_registered(client, work, "registerFor")
    salt = salt or new_salt()
    leaf = registration_leaf(creator, work.content_hash, salt)
    call = client.registry.functions.registerFor(
        to_checksum_address(creator), work.as_tuple(), salt, [], nonce, deadline, signature
    )
    receipt = _commit_then(
        client, sender, leaf, lambda: send(client.w3, sender, call, action="registerFor"), on_step
    )
    return Outcome(_event_arg(client.registry, "WorkRegistered", receipt, "assetId"), receipt)


def invalidate_nonce(client: GenIPClient, creator: LocalAccount, nonce: int) -> TxReceipt:
    """Cancel `creator`'s signature nonce `nonce` (bit `nonce & 255` of word `nonce >> 8`)."""
    call = client.registry.functions.invalidateNonces(nonce >> 8, 1 << (nonce & 0xFF))
    return send(client.w3, creator, call, action="invalidateNonces")


def authorize_platform(
    client: GenIPClient,
    creator: LocalAccount,
    platform: str,
    *,
    expires_at: int = 0,
    max_works: int = UNLIMITED_WORKS,
) -> TxReceipt:
    """Let `platform` register works for `creator` until `expires_at` (0: no time limit), at most `max_works`
    of them (`UNLIMITED_WORKS`: no count limit). Replaces any earlier authorisation."""
    call = client.registry.functions.authorizePlatform(to_checksum_address(platform), expires_at, max_works)
    return send(client.w3, creator, call, action="authorizePlatform")


def revoke_platform(client: GenIPClient, creator: LocalAccount, platform: str) -> TxReceipt:
    """Withdraw `platform`'s authorisation (both limits 0)."""
    call = client.registry.functions.authorizePlatform(to_checksum_address(platform), 0, 0)
    return send(client.w3, creator, call, action="revoking the platform")


def authorize_platform_by_sig(
    client: GenIPClient,
    sender: LocalAccount,
    *,
    creator: str,
    platform: str,
    expires_at: int,
    max_works: int,
    epoch: int,
    nonce: int,
    deadline: int,
    signature: bytes,
) -> TxReceipt:
    """`authorize_platform` with the creator's EIP-712 signature (`signing.sign_authorize_platform`), sent and
    paid by `sender` (typically the platform)."""
    call = client.registry.functions.authorizePlatformBySig(
        to_checksum_address(creator),
        to_checksum_address(platform),
        expires_at,
        max_works,
        epoch,
        nonce,
        deadline,
        signature,
    )
    return send(client.w3, sender, call, action="authorizePlatformBySig")


def authorization_epoch(client: GenIPClient, creator: str, platform: str) -> int:
    """The (creator, platform) authorisation's current epoch, which a new signature must name."""
    auth = client.registry.functions.platformAuthorization(
        to_checksum_address(creator), to_checksum_address(platform)
    ).call()
    return int(auth[2])


def register_by_platform(
    client: GenIPClient,
    platform: LocalAccount,
    *,
    creator: str,
    work: Work,
    salt: bytes | None = None,
    on_step: StepCallback | None = None,
) -> Outcome:
    """Register `work` for `creator` under `platform`'s authorisation (commit, wait, reveal); the value is
    the asset id."""
    _refuse_registered(client, work, "registerByPlatform")
    salt = salt or new_salt()
    leaf = registration_leaf(creator, work.content_hash, salt)
    call = client.registry.functions.registerByPlatform(
        to_checksum_address(creator), work.as_tuple(), salt, []
    )
    receipt = _commit_then(
        client, platform, leaf, lambda: send(client.w3, platform, call, action="registerByPlatform"), on_step
    )
    return Outcome(_event_arg(client.registry, "WorkRegistered", receipt, "assetId"), receipt)


def register_batch_by_platform(
    client: GenIPClient,
    platform: LocalAccount,
    items: Sequence[tuple[str, Work]],
    *,
    on_step: StepCallback | None = None,
) -> tuple[list[int | None], TxReceipt, TxReceipt]:
    """Register many `(creator, work)` items under `platform`'s authorisations: one commit of the Merkle root
    over every item's leaf (each with a fresh salt), then one `registerBatchByPlatform` with each proof.
    Returns each item's new asset id in item order (None for an item the registry skipped: its content already
    registered, no current authorisation from its creator, ...; `batch_skips` says why), the commit's receipt
    and the batch's receipt."""
    if not items:
        raise ChainError("a batch needs at least one work")
    salts = [new_salt() for _ in items]
    leaves = [registration_leaf(c, w.content_hash, s) for (c, w), s in zip(items, salts, strict=True)]
    root = merkle_root(leaves)
    batch = [
        (to_checksum_address(c), w.as_tuple(), s, merkle_proof(leaves, i) if len(leaves) > 1 else [])
        for i, ((c, w), s) in enumerate(zip(items, salts, strict=True))
    ]
    call = client.registry.functions.registerBatchByPlatform(batch)
    committed: list[TxReceipt] = []

    def remember(step: str, receipt: TxReceipt | None) -> None:
        if step == "committed" and receipt is not None:
            committed.append(receipt)
        _step(on_step, step, receipt)

    receipt = _commit_then(
        client,
        platform,
        root,
        lambda: send(client.w3, platform, call, action="registerBatchByPlatform"),
        remember,
    )
    skipped = {index for index, _reason in batch_skips(client, receipt)}
    registered = iter(
        int(log["args"]["assetId"])
        for log in client.registry.events.WorkRegistered().process_receipt(receipt, errors=DISCARD)
    )
    ids = [None if i in skipped else next(registered) for i in range(len(items))]
    return ids, committed[0], receipt


def batch_skips(client: GenIPClient, receipt: TxReceipt) -> list[tuple[int, str]]:
    """The items a `registerBatchByPlatform` skipped: (index, the reason in words)."""
    skips: list[tuple[int, str]] = []
    entries: list[Any] = list(client.registry.abi)
    errors = {_selector_of(entry): str(entry["name"]) for entry in entries if entry.get("type") == "error"}
    registry = client.registry.functions
    platform = to_checksum_address(receipt["from"])
    for log in client.registry.events.BatchItemSkipped().process_receipt(receipt, errors=DISCARD):
        name = errors.get(bytes(log["args"]["reason"]), "an unknown reason")
        creator, content_hash = log["args"]["creator"], bytes(log["args"]["contentHash"])
        args = {  # what the error's message needs, from the event and the chain now
            "creator": creator,
            "platform": platform,
            "contentHash": content_hash,
            "existingAssetId": int(registry.assetOf(content_hash).call()),
            "expiresAt": int(registry.platformAuthorization(creator, platform).call()[0]),
        }
        skips.append((int(log["args"]["index"]), explain(name, args) or name))
    return skips


def _selector_of(abi_entry: Any) -> bytes:
    """The 4-byte selector of an ABI function or error entry."""
    signature = f"{abi_entry['name']}({','.join(i['type'] for i in abi_entry.get('inputs', []))})"
    return bytes(Web3.keccak(text=signature)[:4])


# ─────────────────────────────── offers and licences ───────────────────────────────


def create_offer(
    client: GenIPClient,
    owner: LocalAccount,
    asset_id: int,
    terms: LicenseTerms,
    *,
    price: int,
    currency: str = ZERO_ADDRESS,
    duration: int = 0,
    supply_cap: int = 0,
) -> Outcome:
    """Publish an offer on `asset_id`; the value is the offer id."""
    call = client.hub.functions.createOffer(asset_id, terms.as_tuple(), currency, price, duration, supply_cap)
    receipt = send(client.w3, owner, call, action="createOffer")
    return Outcome(_event_arg(client.hub, "OfferCreated", receipt, "offerId"), receipt)


def set_offer_paused(client: GenIPClient, owner: LocalAccount, offer_id: int, paused: bool) -> TxReceipt:
    """Pause (`paused=True`) or resume offer `offer_id` of an asset `owner` owns."""
    call = client.hub.functions.setOfferPaused(offer_id, paused)
    return send(client.w3, owner, call, action="pauseOffer" if paused else "resumeOffer")


def approve_hub(client: GenIPClient, owner: LocalAccount, token: str, amount: int) -> TxReceipt:
    """Let the hub take up to `amount` of ERC-20 `token` from `owner`."""
    erc20 = contract_at(client.w3, "DemoToken", token)
    call = erc20.functions.approve(client.hub.address, amount)
    return send(client.w3, owner, call, action="approve")


def buy_license(
    client: GenIPClient,
    buyer: LocalAccount,
    offer_id: int,
    *,
    holder: str | None = None,
    referrer: str | None = None,
) -> Outcome:
    """Buy a licence under `offer_id` for `holder` (default the buyer), optionally through `referrer` (a
    platform holding REFERRER_ROLE, credited the referral fee); native offers send the price as value, ERC-20
    offers need `approve_hub` first. The value is the licence id."""
    offer = client.hub.functions.offer(offer_id).call()
    currency, price = offer[3], offer[4]  # (seller, assetId, duration, currency, price, …)
    value = price if _native(currency) else 0
    call = client.hub.functions.buyLicense(
        offer_id,
        to_checksum_address(holder or buyer.address),
        to_checksum_address(referrer) if referrer else ZERO_ADDRESS,
    )
    receipt = send(client.w3, buyer, call, value=value, action="buyLicense")
    return Outcome(_event_arg(client.hub, "LicensePurchased", receipt, "licenseId"), receipt)


def renounce_license(client: GenIPClient, holder: LocalAccount, license_id: int) -> TxReceipt:
    """Burn licence `license_id` that `holder` holds (it grants nothing afterwards)."""
    return send(client.w3, holder, client.license_token.functions.renounce(license_id), action="renounce")


# ─────────────────────────────── money ───────────────────────────────


def pay_revenue(
    client: GenIPClient, payer: LocalAccount, asset_id: int, amount: int, *, currency: str = ZERO_ADDRESS
) -> Outcome:
    """Pay `amount` of `currency` to `asset_id` (ERC-20 needs `approve_hub`); the value is the fee taken."""
    value = amount if _native(currency) else 0
    call = client.hub.functions.payRevenue(asset_id, currency, amount)
    receipt = send(client.w3, payer, call, value=value, action="payRevenue")
    return Outcome(_event_arg(client.hub, "RevenuePaid", receipt, "fee"), receipt)


def withdraw(client: GenIPClient, account: LocalAccount, *, currency: str = ZERO_ADDRESS) -> Outcome:
    """Withdraw `account`'s whole balance of `currency`; the value is the amount sent."""
    receipt = send(client.w3, account, client.hub.functions.withdraw(currency), action="withdraw")
    return Outcome(_event_arg(client.hub, "Withdrawn", receipt, "amount"), receipt)


def release_held(
    client: GenIPClient,
    account: LocalAccount,
    asset_id: int,
    dispute_id: int,
    currency: str = ZERO_ADDRESS,
) -> Outcome:
    """Release what `asset_id` holds under `dispute_id` in `currency` (to the owner once cleared, to the
    claimant once an upheld ruling is final); anyone may send it. The value is the amount released."""
    call = client.hub.functions.releaseHeld(asset_id, dispute_id, currency)
    receipt = send(client.w3, account, call, action="releaseHeld")
    return Outcome(_event_arg(client.hub, "HeldReleased", receipt, "amount"), receipt)


# ─────────────────────────────── the court ───────────────────────────────


def raise_dispute(
    client: GenIPClient,
    claimant: LocalAccount,
    asset_id: int,
    evidence_hash: bytes,
    *,
    claimant_asset_id: int = 0,
    bond_currency: str = ZERO_ADDRESS,
) -> Outcome:
    """Raise a claim against `asset_id`, bonding `bondOf(bond_currency)`; `claimant_asset_id` is the
    claimant's own earlier registration the asset copies (0: none). The value is the dispute id."""
    court = client.court
    bond, _accepted = court.functions.bondOf(bond_currency).call()
    value = int(bond) if _native(bond_currency) else 0
    if not _native(bond_currency) and bond:
        erc20 = contract_at(client.w3, "DemoToken", bond_currency)
        if int(erc20.functions.allowance(claimant.address, court.address).call()) < int(bond):
            send(client.w3, claimant, erc20.functions.approve(court.address, int(bond)), action="approve")
    raise_ = getattr(court.functions, "raise")  # a Python keyword
    call = raise_(asset_id, evidence_hash, claimant_asset_id, bond_currency)
    receipt = send(client.w3, claimant, call, value=value, action="raise dispute")
    return Outcome(_event_arg(court, "DisputeRaised", receipt, "disputeId"), receipt)


def answer_dispute(
    client: GenIPClient, owner: LocalAccount, dispute_id: int, answer_hash: bytes
) -> TxReceipt:
    """The disputed asset's owner answers `dispute_id` (within the response window)."""
    call = client.court.functions.answer(dispute_id, answer_hash)
    return send(client.w3, owner, call, action="answer dispute")


def resolve_dispute(
    client: GenIPClient, arbiter: LocalAccount, dispute_id: int, *, upheld: bool, resolution_hash: bytes
) -> TxReceipt:
    """Rule on `dispute_id` (ARBITER_ROLE, after the response window)."""
    call = client.court.functions.resolve(dispute_id, upheld, resolution_hash)
    return send(client.w3, arbiter, call, action="resolve dispute")


def reverse_dispute(
    client: GenIPClient, admin: LocalAccount, dispute_id: int, reason_hash: bytes
) -> TxReceipt:
    """Reverse an upheld ruling within its appeal window (the court's admin)."""
    call = client.court.functions.reverse(dispute_id, reason_hash)
    return send(client.w3, admin, call, action="reverse dispute")


def settle_dispute(client: GenIPClient, account: LocalAccount, dispute_id: int) -> TxReceipt:
    """Refund the claimant's bond once an upheld ruling is final (anyone may send it)."""
    return send(client.w3, account, client.court.functions.settle(dispute_id), action="settle dispute")


def propagate_taint(client: GenIPClient, account: LocalAccount, asset_id: int, ancestor_id: int) -> TxReceipt:
    """Taint `asset_id` because its ancestor `ancestor_id` is upheld (anyone may send it)."""
    call = client.court.functions.propagateTaint(asset_id, ancestor_id)
    return send(client.w3, account, call, action="propagate taint")


def clear_taint(client: GenIPClient, account: LocalAccount, asset_id: int) -> TxReceipt:
    """Lift `asset_id`'s taint once the ruling that caused it was reversed (anyone may send it)."""
    return send(client.w3, account, client.court.functions.clearTaint(asset_id), action="clear taint")


def withdraw_bond(client: GenIPClient, account: LocalAccount, *, currency: str = ZERO_ADDRESS) -> Outcome:
    """Withdraw `account`'s awarded bonds of `currency` from the court; the value is the amount sent."""
    receipt = send(client.w3, account, client.court.functions.withdraw(currency), action="withdraw bond")
    return Outcome(_event_arg(client.court, "BondWithdrawn", receipt, "amount"), receipt)
