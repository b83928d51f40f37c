"""The API's answers as typed dictionaries: the JSON exactly as returned (new fields the server adds appear
without an SDK release), with the fields this SDK's version knows typed for editors and type checkers."""

from typing import Any, Literal, NotRequired, TypedDict

__all__ = [
    "AssetStatus",
    "CheckerKey",
    "HashMatch",
    "HashPage",
    "HashSignal",
    "HashSignalMetadata",
    "LicenseStatus",
    "MatchCandidate",
    "MatchResult",
    "MetadataStored",
    "Registration",
    "RegistrationItem",
    "RegistrationsAccepted",
    "RegistrationsPage",
    "Report",
    "StatusQuery",
    "UploadResult",
    "Use",
    "Verdict",
    "WebhookDelivery",
    "WebhookSubscription",
]

Use = Literal["display", "commercial", "derivative"]
AssetStatus = Literal["active", "expired", "disputed", "upheld", "tainted", "unregistered"]
Verdict = Literal["licensed", "unlicensed", "unregistered", "disputed"]


class StatusQuery(TypedDict):
    """One question of a batch licence-status call."""

    asset: int
    account: str
    use: NotRequired[Use]


class LicenseStatus(TypedDict):
    """Whether `account` may use `asset` for `use`, true as of block `as_of_block`
    (`GET /licenses/status`)."""

    asset: int
    account: str
    use: Use
    licensed: bool
    license_ids: list[int]
    expires_at: int | None  # 0: perpetual; None: not licensed
    as_of_block: int
    asset_status: AssetStatus


class MatchCandidate(TypedDict):
    """A registered work the image (or hash) is close to, weighed by the verdict rule."""

    asset_id: int
    chain_id: int
    distance: int | None
    method: str
    confidence: float
    creator: str
    asset_status: str
    role: Literal["original", "possible_copy", "derivative"]
    copy_of: int | None
    license: LicenseStatus | None
    title: NotRequired[str | None]
    preview_cid: NotRequired[str | None]


class MatchResult(TypedDict):
    """`POST /match`: the candidates, the verdict and what it rests on."""

    candidates: list[MatchCandidate]
    verdict: Verdict
    rests_on: int | None
    status: LicenseStatus | None
    note: str | None


class HashMatch(MatchResult):
    """The answer for one hash of `POST /match/hashes`: `/match`'s fields, the item's position and its id."""

    index: int
    id: str | None


class HashSignalMetadata(TypedDict):
    """The registered work a hash belongs to."""

    chain_id: int
    asset_id: int
    content_hash: str
    registered_block: int
    owner: str | None
    creator: str | None
    title: str | None
    cid: str | None
    possible_copy_of: int | None


class HashSignal(TypedDict):
    """One update of the hash feed: `op` add or remove of (`signal_type`, `signal_value`); `key` identifies
    the record (`chain:asset:signal_type:signal_value`). `pdq` is HMA's `PdqSignal`; `phash256` is ours."""

    key: str
    op: Literal["add", "remove"]
    signal_type: Literal["pdq", "phash256"]
    signal_value: str
    metadata: HashSignalMetadata


class HashPage(TypedDict):
    """One page of `GET /hashes?since=`: its updates, the checkpoint to resume from, and whether more is
    there now."""

    format: str
    signals: list[HashSignal]
    next: str
    has_more: bool


class Registration(TypedDict, total=False):
    """A work the platform asked to certify, and where it stands."""

    id: int
    reference_id: str
    creator: str
    state: Literal["accepted", "committed", "registered", "indexed", "failed"]
    error: str | None
    content_hash: str
    metadata_cid: str
    asset_id: int | None
    commit_tx: str | None
    register_tx: str | None
    created_at: str
    updated_at: str


class CheckerKey(TypedDict):
    """`GET /prompts/checker-key`: the key prompts are sealed to (`genip_sdk.prompts.seal_prompt`)."""

    public_key: str
    key_id: str
    algorithm: str
    payload: str


class RegistrationItem(TypedDict, total=False):
    """The answer for one item of `register_works`: its position, HTTP-like status and registration."""

    index: int
    reference_id: str
    status: int
    error: str | None
    registration: Registration | None


class RegistrationsAccepted(TypedDict):
    """`POST /platform/registrations`: how many items were newly accepted, and every item's answer."""

    accepted: int
    items: list[RegistrationItem]


class RegistrationsPage(TypedDict):
    """`GET /platform/registrations`: registrations by last change, and the `since` to poll on with."""

    items: list[Registration]
    next_since: str | None


class Report(TypedDict, total=False):
    """A stored report (`POST /reports`): the verdict, the work it rests on, and the owner's decision."""

    id: int
    chain_id: int
    platform: str
    post_id: str
    uploader: str | None
    source: Literal["image", "hashes"]
    pdq: str
    verdict: Verdict
    asset_id: int | None
    title: str | None
    owner: str | None
    candidates: list[MatchCandidate]
    note: str | None
    state: Literal["open", "resolved", "closed"]
    resolution: Literal["keep", "flag", "take_down"] | None
    resolved_by: str | None
    resolved_at: str | None
    created_at: str
    claim: dict[str, Any] | None


class UploadResult(TypedDict, total=False):
    """`POST /uploads`: the stored work and the numbers its registration commits to."""

    kind: str
    cid: str
    sha256: str
    size: int
    media_type: str
    perceptual_hash: dict[str, Any] | None
    preview_cid: str | None
    near_duplicates: list[dict[str, Any]]


class MetadataStored(TypedDict):
    """`POST /metadata`: where a work's metadata JSON is stored (the CID a registration names) and what it
    says."""

    metadata_cid: str
    metadata: dict[str, Any]


class WebhookSubscription(TypedDict, total=False):
    """A webhook subscription; `secret` only in the answer that created it."""

    id: int
    url: str
    event_types: list[str]
    assets: list[int] | None
    accounts: list[str] | None
    created_at: str
    removed_at: str | None
    secret: str


class WebhookDelivery(TypedDict, total=False):
    """One event's delivery to a subscription (the same `webhook_id` on every retry and replay)."""

    id: int
    subscription_id: int
    webhook_id: str
    type: str
    state: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: str | None
    delivered_at: str | None
