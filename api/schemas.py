"""Wire shapes of the API (pydantic), kept apart from the table models in `genip.db.models`.

Amounts (uint256 prices, balances) are decimal strings so that JavaScript clients keep every digit.
Addresses are EIP-55 checksummed; hashes lowercase `0x` hex.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.params import (
    ADDRESS_DESCRIPTION,
    ADDRESS_FORMAT,
    ADDRESS_PATTERN,
    CID_PATTERN,
    OPTIONAL_ADDRESS_PATTERN,
    JsonInt,
)

__all__ = [
    "AccountPublic",
    "AssetPublic",
    "AssetStatus",
    "AssetSummary",
    "AssetsPublic",
    "BalancePublic",
    "BondBalancePublic",
    "ChainConfig",
    "ChainHealth",
    "CopyEvidence",
    "CopyMatch",
    "CopyOfWork",
    "Currency",
    "DisputePublic",
    "DisputeStatus",
    "DisputesPublic",
    "EdgePublic",
    "ErrorBody",
    "ExampleUploaded",
    "Facets",
    "HealthPublic",
    "HeldPublic",
    "KindConfig",
    "LicenseCounts",
    "LicenseHeld",
    "LicensePublic",
    "LicenseStatus",
    "LicenseStatusBatch",
    "LineageEdge",
    "LineageNode",
    "LineagePublic",
    "MetadataRequest",
    "MetadataStored",
    "NearDuplicate",
    "OfferPublic",
    "PerceptualHashOut",
    "PossibleCopy",
    "PossibleOriginal",
    "PromptCheckPublic",
    "RevenuePoint",
    "RevenueSeries",
    "Standing",
    "StatusItem",
    "StatusRequest",
    "TaintPublic",
    "TermsPublic",
    "TermsTemplate",
    "UploadResult",
    "Use",
    "WorkRef",
    "WorkRevenue",
]

Use = Literal["display", "commercial", "derivative"]
#: The hub's standing of an asset (`standingOf`).
Standing = Literal["clear", "disputed", "upheld", "tainted"]
#: What the licence rules make of an asset: its standing (clear reads `active`, or `expired` once a
#: derivative's rights ended), or `unregistered`.
AssetStatus = Literal["active", "expired", "disputed", "upheld", "tainted", "unregistered"]
CheckState = Literal["unchecked", "pending", "under_review", "passed", "failed"]
SaleRefusal = Literal["paused", "disputed", "check_failed", "expired", "lapsed", "sold_out"]
DisputeStatus = Literal["open", "cleared", "upheld"]
Kind = Literal["image", "text", "model", "workflow", "prompt", "other"]
Tier = Literal["standard", "extended", "generation"]

MAX_BATCH = 1_000
MAX_ASSET_ID = 2**63 - 1


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorBody(BaseModel):
    """What was wrong with the request (or why it could not be answered)."""

    detail: str = Field(description="A sentence naming the parameter and the value that was wrong.")


class FieldIssue(BaseModel):
    """One problem FastAPI's request validation found (an entry of its default 422 body)."""

    loc: list[str | int] = Field(description="Where: the part of the request, then the field.")
    msg: str
    type: str


class UnprocessableBody(BaseModel):
    """A 422: the route's own sentence, or, when the request's shape is wrong (a missing form field, say),
    the list of problems FastAPI's request validation found."""

    detail: str | list[FieldIssue] = Field(
        description="A sentence naming what was wrong, or the request validation's list of problems."
    )


# ─────────────────────────────── assets ───────────────────────────────


class AssetSummary(_Out):
    """An asset as listed in search results."""

    asset_id: int
    chain_id: int
    kind: str
    title: str | None
    description: str | None
    tags: list[Any] | None
    creator: str
    owner: str
    registered_at: int = Field(description="Unix time of the registering block.")
    block_number: int
    metadata_cid: str
    media_cid: str | None = Field(
        description="CID of the original (committed by the certificate; sealed at rest, never served by "
        "`/ipfs`: licence holders download it from `GET /works/{id}/original`)."
    )
    media_type: str | None
    preview_cid: str | None = Field(
        default=None,
        description="The public face of an image: a watermarked preview at most 1 024 px (`/ipfs/{cid}`).",
    )
    excerpt: str | None = Field(
        default=None, description="The public face of a text: its first ~500 characters."
    )
    card: dict[str, Any] | None = Field(
        default=None,
        description="The public face of a model, workflow, prompt or other work: base model, trigger words, "
        "node types, size... (never a prompt's text). A prompt-kind work's `examples` lists the CIDs of its "
        "example outputs' watermarked previews (`/ipfs/{cid}`).",
    )
    is_derivative: bool
    children_count: int
    licenses_sold: int
    standing: str = Field(
        description="The hub's standing: clear, disputed (an open claim), upheld (a claim was upheld) or "
        "tainted (a claim against an ancestor was upheld). Only clear assets sell licences or take "
        "derivatives."
    )
    asset_status: AssetStatus = Field(
        description="What the licence rules make of it (as `/licenses/status`): active, expired, disputed, "
        "upheld or tainted."
    )
    expires_at: int = Field(
        description="When a derivative's rights end (unix time; the shortest parent licence); 0 = never."
    )
    purchasable: bool = Field(
        description="A licence can be bought now: the asset is clear, not delisted by a failed prompt check "
        "and not expired, and one of its offers is purchasable."
    )
    check_state: CheckState = Field(
        description="Its prompt check: unchecked (no usable prompt submitted), pending (submitted, no "
        "verdict on-chain yet), under_review (flagged by the policy; a person decides), passed, or failed "
        "(while the hub's failed-check policy is on, a failed work sells no new licences and search leaves "
        "it out unless asked; licences already sold keep working)."
    )
    min_price: str | None = Field(
        default=None,
        description="Its price (raw amount): the lowest among its available offers matching the offer "
        "filters in `min_price_currency` — the first currency of those offers, the native coin first, then "
        "by address (currencies are never compared with each other).",
    )
    min_price_currency: str | None = Field(default=None, description="The currency of `min_price`.")
    min_price_display: str | None = Field(
        default=None,
        description="`min_price` in the currency's units with its symbol, exact (`0.2364375 ETH`); null "
        "for a currency the server does not know.",
    )
    orientation: str | None = Field(default=None, description="Images: landscape, portrait or square.")
    size_class: str | None = Field(
        default=None,
        description="Images: small (< 1 024 px), medium, large (≥ 2 048 px), by the longer side.",
    )
    colour: str | None = Field(default=None, description="Images: the dominant colour's name.")
    image_width: int | None = Field(default=None, description="Images: width in pixels.")
    image_height: int | None = Field(default=None, description="Images: height in pixels.")
    base_model: str | None = Field(default=None, description="Models: the base model (a LoRA's `baseModel`).")
    rank: float | None = Field(default=None, description="Text relevance (higher is better) when `q` is set.")
    copy_of: int | None = Field(
        default=None,
        description="A possible copy: the earlier registration by another creator it may copy (not one of "
        "its ancestors), as the indexer recorded it; null otherwise. Search lists possible copies only with "
        "`include_copies`.",
    )


class Facets(BaseModel):
    """Counts of the matching assets (all pages) by kind, available tier, standing and derivatives."""

    kind: dict[str, int]
    tier: dict[str, int]
    standing: dict[str, int]
    has_derivatives: dict[str, int]
    currency: dict[str, int] = Field(
        default_factory=dict,
        description="Assets with an available offer (matching the offer filters) by currency.",
    )
    orientation: dict[str, int] = Field(default_factory=dict, description="Images by orientation.")
    size: dict[str, int] = Field(default_factory=dict, description="Images by size class.")
    colour: dict[str, int] = Field(default_factory=dict, description="Images by dominant colour.")
    base_model: dict[str, int] = Field(default_factory=dict, description="Models by base model.")


class AssetsPublic(BaseModel):
    """One page of search results."""

    data: list[AssetSummary]
    count: int = Field(description="Matching assets over all pages.")
    limit: int
    offset: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    facets: Facets | None
    as_of_block: int
    corrected_q: str | None = Field(
        default=None,
        description="What was searched when words of `q` matched nothing and were corrected to indexed words "
        "(a typo: `catt` → `cat`); null when `q` was searched as given.",
    )


class TermsPublic(_Out):
    """Licence terms (addressed on-chain by their hash)."""

    terms_id: int
    terms_hash: str
    tier: str
    commercial_use: bool
    derivatives_allowed: bool
    transferable: bool
    rev_share_bps: int
    document_hash: str
    document_uri: str


class OfferPublic(BaseModel):
    """A licence offer with its terms."""

    offer_id: int
    seller: str = Field(description="Who published the offer (the certificate's owner then).")
    tier: str
    currency: str
    price: str
    duration: int = Field(
        description="Seconds a licence lasts; 0 = perpetual. On an expiring derivative licences end at its "
        "expiry at the latest."
    )
    supply_cap: int = Field(description="Most licences sold under this offer; 0 = unlimited.")
    sold: int
    paused: bool
    available: bool = Field(
        description="Not paused, not sold out, and the asset not disputed (an open claim, an upheld one or a "
        "taint)."
    )
    lapsed: bool = Field(description="The seller no longer owns the certificate: the offer cannot be bought.")
    purchasable: bool = Field(
        description="`buyLicense` would succeed now: available, not lapsed, and the asset clear, not "
        "delisted by a failed prompt check and not expired."
    )
    refusal: SaleRefusal | None = Field(
        default=None,
        description="Why `buyLicense` would refuse it now, the first of its checks to fail (paused, "
        "disputed, check_failed, expired, lapsed, sold_out); null when purchasable.",
    )
    terms: TermsPublic | None


class PromptCheckPublic(BaseModel):
    """The latest prompt-check attestation (the prompt itself is never stored or served)."""

    status: str = Field(description="unchecked, passed or failed.")
    checker: str | None
    report_hash: str | None
    block_number: int | None


class TaintPublic(BaseModel):
    """A descendant tainted by an upheld dispute against its ancestor."""

    asset_id: int
    ancestor_id: int
    status: Literal["active", "cleared"]
    propagated_block: int
    cleared_block: int | None


class HeldPublic(BaseModel):
    """Revenue of an asset held under a dispute, in one currency (zero address = native)."""

    asset_id: int
    currency: str
    amount: str = Field(description="Still held.")
    released: str = Field(description="Paid out by `releaseHeld`.")
    released_to: str | None


class DisputePublic(BaseModel):
    """A claim brought in the dispute court. Times are ISO 8601 (UTC) of the chain's clock."""

    dispute_id: int
    asset_id: int
    claimant: str
    claimant_asset_id: int | None = Field(
        description="The claimant's own earlier registration the asset is said to copy; null when none named."
    )
    evidence_hash: str
    bond_currency: str
    bond: str
    status: DisputeStatus = Field(
        description="open, cleared (the claim failed, or an upheld ruling was reversed) or upheld."
    )
    reversed: bool = Field(description="An upheld ruling was reversed by the admin (status is then cleared).")
    final: bool = Field(
        description="The ruling stands for good (cleared; upheld after its appeal window): held funds can be "
        "released."
    )
    raised_at: str
    answer_deadline: str = Field(
        description="Until when the owner may answer; the arbiter rules only after it."
    )
    answer_open: bool = Field(description="Unanswered and before the deadline: the owner may still answer.")
    answered: bool = Field(description="Whether the asset's owner answered.")
    answer_hash: str | None
    arbiter: str | None
    resolution_hash: str | None
    resolved_at: str | None
    final_at: str | None = Field(
        description="When the ruling is final: the end of the appeal window when upheld; null while open."
    )
    reversal_hash: str | None
    bond_awarded_to: str | None = Field(
        description="Who the bond went to: the owner when cleared, the claimant once an upheld ruling "
        "settled."
    )
    raised_block: int
    resolved_block: int | None
    reversed_block: int | None
    tainted: list[TaintPublic] = Field(description="Descendants this dispute tainted.")
    held: list[HeldPublic] = Field(description="Revenue held under this dispute, per asset and currency.")


class DisputesPublic(BaseModel):
    """An asset's disputes, newest first."""

    data: list[DisputePublic]
    count: int
    as_of_block: int


class LicenseCounts(BaseModel):
    """Licences sold on the asset."""

    total: int
    valid: int = Field(description="Not expired as of the indexed block.")
    by_tier: dict[str, int]


class EdgePublic(BaseModel):
    """A parent or child of the asset and the revenue share on the edge."""

    asset_id: int
    title: str | None
    share_bps: int
    license_id: int


MatchMethod = Literal["pdq", "phash", "thumb", "orb"]


class PossibleOriginal(BaseModel):
    """An earlier registration by another creator whose image matches this one (not one of its ancestors)."""

    asset_id: int
    title: str | None
    creator: str
    owner: str = Field(description="Who holds the original's certificate now (who may report the copy).")
    block_number: int = Field(description="The original's registration block (earlier than this asset's).")
    method: MatchMethod = Field(
        description="The matching stage that found it: on-chain PDQ, the media's pHash-256, the 16x16 "
        "thumbnail or ORB keypoints (see `POST /match`)."
    )
    distance: int | None = Field(description="Bits apart, for pdq and phash; null otherwise.")
    correlation: float | None = Field(default=None, description="For thumb: thumbnail correlation.")
    inliers: int | None = Field(default=None, description="For orb: keypoints that line up.")


class PossibleCopy(BaseModel):
    """A later registration by another creator recorded as a possible copy of this work (not a derivative of
    it)."""

    asset_id: int
    title: str | None
    creator: str
    owner: str
    block_number: int = Field(description="The copy's registration block (later than this asset's).")
    method: MatchMethod = Field(description="The matching stage that found it (as `possible_original`).")
    distance: int | None = Field(description="Bits apart, for pdq and phash; null otherwise.")
    correlation: float | None = Field(default=None, description="For thumb: thumbnail correlation.")
    inliers: int | None = Field(default=None, description="For orb: keypoints that line up.")
    blocks_later: int = Field(description="Blocks between this work's registration and the copy's.")
    asset_status: AssetStatus = Field(
        description="The copy's status under the licence rules (a claim brought against it shows here)."
    )


# --- made with (issue #21): begin ---
class MadeWithResource(BaseModel):
    """A model, LoRA, VAE or embedding the file's generation metadata names."""

    kind: str = Field(description="checkpoint, unet, lora, vae, embedding or other.")
    name: str | None
    hash: str | None = Field(description="As written: A1111's AutoV2 short hash (10 hex digits) or a sha256.")
    registered: list[int] = Field(
        default_factory=list,
        description="Registered works whose content sha256 starts with `hash` (at most 3); empty: the "
        "resource is unknown here; more than one: the short hash is ambiguous.",
    )


class MadeWithC2pa(BaseModel):
    """The file's C2PA content credentials, as c2pa-python read and validated them (no trust list configured
    by default: every signer is then `trusted: false`)."""

    claim_generator: str | None
    title: str | None
    actions: list[str]
    digital_source_type: str | None
    software_agents: list[str]
    ingredients: list[str] = Field(description="Ingredient titles.")
    signer: str | None = Field(description="The signing certificate's common name.")
    issuer: str | None
    signature_valid: bool | None
    binding_matches: bool | None = Field(description="Whether the manifest's hard binding matches the file.")
    trusted: bool
    failures: list[str] = Field(description="c2pa's failure codes, e.g. assertion.dataHash.mismatch.")
    state: str = Field(
        description="valid, signature does not verify, binding does not match the file, manifest altered, "
        "or unchecked."
    )


class MadeWithGeneration(BaseModel):
    """Stable-Diffusion-style generation metadata (never the prompt, negative prompt or seed: only whether the
    file carries them)."""

    tool: str = Field(description="A1111 or ComfyUI.")
    prompt_in_file: bool
    steps: int | None
    sampler: str | None
    resources: list[MadeWithResource]
    node_types: list[str]


class MadeWithPublic(BaseModel):
    """What the registered file says about how it was made: evidence, shown as such, never a verdict. Read
    by the indexer from the registered original itself (`source: file`); before that, what the registrant's
    client recorded at registration (`genip.madeWith` of the metadata, `source: claimed`)."""

    source: Literal["file", "claimed"] = Field(
        default="file",
        description="file: read from the registered file (or the upload, for /match); claimed: the "
        "registrant's metadata says so and the indexer has not read the file yet. Claims the file does not "
        'bear out are notes: "the registrant\'s metadata claims …, which the registered file does not show".',
    )
    summary: str = Field(description="The facts in plain words.")
    c2pa: MadeWithC2pa | None
    generation: list[MadeWithGeneration]
    notes: list[str] = Field(description="What could not be read, or does not agree.")


# --- made with (issue #21): end ---


class AssetPublic(AssetSummary):
    """The certificate of one asset with everything indexed about it (never the prompt)."""

    registrar: str
    tx_hash: str
    content_hash: str
    perceptual_hash: str
    prompt_commitment: str
    royalty_bps: int | None
    royalty_sink: str | None
    royalty_stack_bps: int
    depth: int
    metadata_status: str = Field(description="pending, ok, missing, invalid or mismatch.")
    metadata: dict[str, Any] | None
    prompt_check: PromptCheckPublic
    standing_dispute_id: int | None = Field(
        description="The dispute behind a standing other than clear (for tainted: the ancestor's); null "
        "when clear."
    )
    disputes: list[DisputePublic] = Field(description="Every claim brought against this asset, newest first.")
    offers: list[OfferPublic]
    licenses: LicenseCounts
    parents: list[EdgePublic]
    children: list[EdgePublic] = Field(description="The first 100 children; `children_count` has them all.")
    possible_original: PossibleOriginal | None = Field(
        default=None,
        description="For images: an EARLIER registration by ANOTHER creator (not an ancestor) that matches "
        "this image with the matching engine's stages and thresholds, the best match first; null when none, "
        "or not an image. Its owner can report this asset as a copy (`GET "
        "/assets/{id}/copy-evidence?original=`).",
    )
    possible_copies: list[PossibleCopy] = Field(
        default_factory=list,
        description="Later registrations by other creators recorded as possible copies of this work (the "
        "indexer's provenance step), newest first, at most 100; its owner can report each "
        "(`GET /assets/{copy}/copy-evidence?original={id}`).",
    )
    made_with: MadeWithPublic | None = Field(
        default=None,
        description="What the file says about how it was made (C2PA, A1111/ComfyUI); null: nothing.",
    )
    declared_not_derived_from: list["DeclaredNotDerivedFrom"] = Field(
        default_factory=list,
        description="Registered works its file names as resources that its creator declared it is NOT "
        "derived from, with their reasons (the metadata's `genip.declaredNotDerivedFrom`): a declaration, "
        'shown as such ("declared not derived from #N: reason").',
    )
    as_of_block: int


class DeclaredNotDerivedFrom(BaseModel):
    """A creator's declaration that their work is not derived from a registered work its file names."""

    asset_id: int
    title: str | None = Field(description="The named work's title (null: unknown here or not read yet).")
    reason: str
    message: str = Field(description="In words: `declared not derived from #N ('Title'): reason`.")


class WorkRef(BaseModel):
    """One side of a copy-evidence comparison."""

    asset_id: int
    title: str | None
    creator: str
    owner: str
    block_number: int = Field(description="Registration block.")
    content_hash: str
    perceptual_hash: str


class CopyMatch(BaseModel):
    """How the asset matches the original, measured on their stored hashes."""

    method: MatchMethod
    distance: int | None = Field(description="Bits apart (pdq, phash); null otherwise.")
    correlation: float | None = Field(description="Thumbnail correlation (thumb); null otherwise.")
    inliers: int | None = Field(description="Keypoints that line up (orb); null otherwise.")
    confidence: float = Field(description="As in `POST /match`: orders, not a probability.")


class CopyEvidence(BaseModel):
    """Match evidence between a registered work and an earlier one it is said to copy."""

    asset: WorkRef = Field(description="The work said to be a copy.")
    original: WorkRef = Field(description="The work said to be copied.")
    earlier_asset_id: int = Field(description="Whichever of the two was registered first.")
    blocks_later: int = Field(
        description="Registration block of `asset` minus that of `original` (negative: asset is older)."
    )
    same_creator: bool
    possible_original: bool = Field(
        description="The rule holds: `original` is earlier, by another creator, and not an ancestor of "
        "`asset`."
    )
    match: CopyMatch
    sentence: str = Field(description="The evidence in plain words.")
    evidence: dict[str, Any] = Field(
        description="The canonical evidence document (what `evidence_hash` hashes): both works' ids, "
        "creators, blocks, content hashes and PDQ, and the match."
    )
    evidence_hash: str = Field(
        description="keccak256 of the document as canonical JSON (UTF-8, sorted keys, no spaces): pass it "
        "as `evidenceHash` to `DisputeCourt.raise`. Stable: the same pair always gives the same hash."
    )
    as_of_block: int


class LineageNode(BaseModel):
    """An asset in a lineage graph."""

    asset_id: int
    title: str | None
    kind: str
    creator: str
    owner: str
    depth: int
    relation: Literal["self", "ancestor", "descendant"]
    effective_share_bps: int | None = Field(
        description="For ancestors: the absolute share of this asset's revenue the ancestor is owed."
    )


class LineageEdge(BaseModel):
    """A derivative edge: `child_id` was registered under a licence on `parent_id`."""

    child_id: int
    parent_id: int
    share_bps: int = Field(description="Share of the child's revenue owed to the parent on this edge.")
    license_id: int


class LineagePublic(BaseModel):
    """Ancestors and descendants of an asset as a graph."""

    asset_id: int
    royalty_stack_bps: int
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = Field(description="True when descendants were cut at the node limit.")
    as_of_block: int


# ─────────────────────────────── licences ───────────────────────────────


class StatusItem(BaseModel):
    """One (asset, account, use) question."""

    model_config = ConfigDict(extra="forbid")

    asset: JsonInt = Field(ge=0, le=MAX_ASSET_ID)
    account: str = Field(
        pattern=ADDRESS_PATTERN, description=ADDRESS_DESCRIPTION, json_schema_extra={"format": ADDRESS_FORMAT}
    )
    use: Use = "display"


class StatusRequest(BaseModel):
    """Up to 1 000 questions answered in one call."""

    model_config = ConfigDict(extra="forbid")

    items: list[StatusItem] = Field(max_length=MAX_BATCH)


class LicenseStatus(BaseModel):
    """Whether `account` may use `asset` for `use`, true as of block `as_of_block`."""

    asset: int
    account: str
    use: Use
    licensed: bool
    license_ids: list[int] = Field(description="Valid licences of the account fit for the use.")
    expires_at: int | None = Field(
        description="When the right ends (unix time, chain clock); 0 = perpetual; null when not licensed."
    )
    as_of_block: int
    asset_status: AssetStatus


class LicenseStatusBatch(BaseModel):
    """Answers in the order of the questions."""

    as_of_block: int
    data: list[LicenseStatus]


# ─────────────────────────────── accounts ───────────────────────────────


class LicenseHeld(_Out):
    """A licence token held by the account."""

    license_id: int
    asset_id: int
    tier: str
    commercial_use: bool
    derivatives_allowed: bool
    expires_at: int = Field(description="0 = perpetual.")
    used_for_derivative: int | None
    referrer: str | None = Field(description="The platform that referred the sale, if any.")
    valid: bool = Field(description="Not expired as of the indexed block.")
    # What the dashboard shows of each licence (the work, the sale, renewal, the document).
    offer_id: int = Field(default=0, description="The offer it was bought under.")
    title: str | None = Field(default=None, description="The work's title.")
    kind: str | None = Field(default=None, description="The work's kind.")
    media_type: str | None = Field(default=None, description="The work's media type.")
    preview_cid: str | None = Field(default=None, description="The work's public preview, when it has one.")
    price: str = Field(default="0", description="Price paid, in base units of `currency`.")
    currency: str = Field(default="0x" + "00" * 20, description="Currency paid in (zero address: native).")
    purchased_at: int = Field(default=0, description="Unix time of the purchase block.")
    renewable: bool = Field(
        default=False,
        description="Not yet expired, with an end date, and its offer still sells: buying under `offer_id` "
        "again renews it (a new licence that runs from its own purchase).",
    )
    document_url: str = Field(default="", description="Its licence document (PDF).")


class LicensePublic(BaseModel):
    """One licence as its document states it: the parties, the work, the terms, the sale and where it stands
    as of the indexed block (its PDF is `GET /licenses/{license_id}/document`)."""

    license_id: int
    chain_id: int
    asset_id: int
    title: str | None
    kind: str
    content_hash: str = Field(description="The work's committed sha256.")
    media_cid: str | None = Field(description="CID of the work's original, as its metadata records it.")
    creator: str
    licensor: str = Field(description="Who owned the certificate when the licence was bought (the seller).")
    licensee: str = Field(description="The licence token's holder as of the indexed block.")
    buyer: str = Field(description="Who paid.")
    offer_id: int
    tier: str
    commercial_use: bool
    derivatives_allowed: bool
    transferable: bool
    rev_share_bps: int
    document_hash: str | None = Field(description="sha256 of the terms document (the Terms Record's).")
    document_uri: str | None
    price: str = Field(description="Price paid, in base units of `currency`.")
    price_display: str = Field(description="The exact price with its symbol, e.g. `0.2364375 ETH`.")
    currency: str
    currency_symbol: str
    currency_decimals: int
    tx_hash: str
    block_number: int
    purchased_at: int
    expires_at: int = Field(description="0 = perpetual.")
    expires: str = Field(description="The expiry in words: `2026-12-09 14:00 UTC`, or `never expires`.")
    renounced: bool
    used_for_derivative: int | None
    valid: bool = Field(description="Held and not expired as of the indexed block.")
    document_url: str = Field(description="The licence document (PDF).")
    as_of_block: int


class RevenuePoint(BaseModel):
    """One payment to a work."""

    block_number: int
    timestamp: int = Field(description="Unix time of the block (see `approximate`).")
    approximate: bool = Field(
        description="The index keeps no time for this block: `timestamp` is interpolated between the "
        "nearest blocks whose time it knows (licence sales, registrations, recent blocks)."
    )
    source: str = Field(description="license_sale, direct or royalty.")
    amount: str = Field(description="Paid to the work, in base units (before the platform fee and shares).")
    cumulative: str = Field(description="Paid to the work in this currency up to and including this payment.")


class WorkRevenue(BaseModel):
    """What one work earned in one currency, payment by payment, oldest first."""

    asset_id: int
    title: str | None
    currency: str
    total: str = Field(description="Everything paid to the work in this currency, base units.")
    payments: int
    points: list[RevenuePoint] = Field(description="The payments, oldest first (the latest 500 at most).")


class RevenueSeries(BaseModel):
    """Revenue per work over time for the works an account created (`GET /accounts/{address}/revenue`)."""

    address: str
    works: list[WorkRevenue] = Field(description="Works with revenue, by asset id then currency.")
    as_of_block: int


class BalancePublic(BaseModel):
    """Revenue credited to the account in one currency (zero address = native coin)."""

    currency: str
    credited: str
    withdrawn: str
    balance: str = Field(description="Withdrawable now: the pending withdrawal in this currency.")


class BondBalancePublic(BaseModel):
    """Bonds the dispute court awarded to the account in one currency."""

    currency: str
    credited: str
    withdrawn: str
    balance: str = Field(description="Withdrawable from the court now.")


class CopyOfWork(BaseModel):
    """A possible copy of a work the account owns, and whether a claim against it is open."""

    asset_id: int = Field(description="The possible copy.")
    title: str | None
    creator: str
    owner: str
    block_number: int
    original_id: int = Field(description="The account's work it may copy.")
    original_title: str | None
    method: MatchMethod = Field(description="The matching stage that found it (as `possible_original`).")
    distance: int | None = Field(description="Bits apart, for pdq and phash; null otherwise.")
    correlation: float | None = Field(default=None, description="For thumb: thumbnail correlation.")
    inliers: int | None = Field(default=None, description="For orb: keypoints that line up.")
    blocks_later: int = Field(description="Blocks between the original's registration and the copy's.")
    asset_status: AssetStatus = Field(description="The copy's status under the licence rules.")
    claim_open: bool = Field(description="A claim against the copy is open in the dispute court.")
    open_claim_id: int | None = Field(description="The newest open claim against the copy; null when none.")
    claimable: bool = Field(
        description="A claim can be brought against the copy now (the court takes claims on clear works "
        "only)."
    )


class AccountPublic(BaseModel):
    """What an account created, holds and is owed."""

    address: str
    works_created: list[AssetSummary]
    works_created_count: int
    works_owned_count: int
    licenses_held: list[LicenseHeld]
    licenses_held_count: int
    balances: list[BalancePublic]
    pending_withdrawals: dict[str, str] = Field(description="Currency → amount withdrawable (balance > 0).")
    bond_balances: list["BondBalancePublic"] = Field(
        description="Dispute bonds the court awarded to the account (withdrawn from the court, not the hub)."
    )
    copies_of_my_works: list[CopyOfWork] = Field(
        default_factory=list,
        description="Possible copies of works the account owns (as the indexer recorded them), newest first, "
        "at most `limit`: its owner may bring a claim with the evidence of "
        "`GET /assets/{copy}/copy-evidence?original=`.",
    )
    copies_of_my_works_count: int = Field(default=0, description="Possible copies of the account's works.")
    as_of_block: int


# ─────────────────────────────── health ───────────────────────────────


class ChainHealth(BaseModel):
    """Indexer progress on one chain."""

    chain_id: int
    block_number: int
    head_block: int
    lag: int = Field(description="head_block - block_number.")
    updated_at: str | None
    last_error: str | None
    last_error_at: str | None


class HealthPublic(BaseModel):
    """Whether the API can answer, and how far behind the chain its data is."""

    status: Literal["ok", "unavailable"]
    database: bool
    chains: list[ChainHealth]
    detail: str | None = None


# ─────────────────────────────── the web page's endpoints ───────────────────────────────


class Currency(BaseModel):
    """A currency offers can be priced in."""

    address: str = Field(description="ERC-20 address; the zero address is the chain's native coin.")
    symbol: str
    decimals: int


class TermsTemplate(BaseModel):
    """A tier's preset terms for new offers: the `LicenseTerms` the page sends to `createOffer`, on the
    shipped plain-language document."""

    tier: Tier
    value: int = Field(description="The tier as the contracts number it (`LicenseTerms.tier`).")
    kinds: list[Kind] = Field(
        description="The kinds of work an offer of this tier may be made on (generation: models, workflows "
        "and prompts; the contracts do not know a work's kind, so the API and the CLI say it)."
    )
    commercial_use: bool
    derivatives_allowed: bool
    transferable: bool
    document_hash: str
    document_uri: str
    rev_share_bps: int = Field(
        description="The preset's revenue share on each derivative (the default an offer starts from; 0 "
        "when the tier allows no derivatives)."
    )


class KindConfig(BaseModel):
    """A kind of work as the contracts number it and as `POST /uploads` accepts it."""

    kind: Kind
    value: int = Field(description="The kind as the contracts number it (`Work.kind`).")
    suffixes: list[str] = Field(description="File name endings `POST /uploads` accepts for it, sorted.")
    prompt_required: bool = Field(description="AI output (image, text): registering it needs its prompt.")


class ChainConfig(BaseModel):
    """What the page needs to talk to the chain through the user's wallet, and the server's facts it
    renders forms from (kinds, tiers, uses, upload limits), so that the page copies none of them."""

    chain_id: int
    chain_id_hex: str
    registry: str
    hub: str
    license_token: str
    court: str = Field(description="The DisputeCourt: claims are raised, answered and ruled there.")
    demo_token: str | None
    deploy_block: int
    fee_bps: int
    currencies: list[Currency]
    terms: dict[str, TermsTemplate] = Field(description="Terms presets by tier, for new offers.")
    kinds: list[KindConfig] = Field(description="Every kind of work, in the contracts' order.")
    uses: list[Use] = Field(description="The uses a licence is checked for (`/licenses/status`).")
    max_upload_bytes: int = Field(description="Largest file `POST /uploads` accepts.")
    faucet: bool = Field(
        default=False, description="Demo mode: `POST /faucet` sends a new wallet test ETH (and gUSD)."
    )
    checker_review_url: str | None = Field(
        default=None,
        description="The checker's own review page (`genip checker review serve`), on another origin: the "
        "page links accounts holding CHECKER_ROLE to it. Null when the API was given none "
        "(`GENIP_CHECKER_REVIEW_URL`).",
    )


class PerceptualHashOut(BaseModel):
    """The perceptual fingerprint that will be committed on-chain."""

    algorithm: str
    value: str
    quality: int | None


class NearDuplicate(BaseModel):
    """A registered work by another creator that looks like the upload (registering it needs a licence)."""

    asset_id: int
    distance: int | None = Field(
        description="Bits that differ from the upload (best rotation/flip); null for a crop match."
    )
    title: str | None = None
    creator: str | None = None
    media_cid: str | None = Field(
        default=None,
        description="CID of the work's original (sealed, not served); null until its metadata is read.",
    )
    preview_cid: str | None = Field(
        default=None, description="The work's watermarked preview, for its thumbnail (`/ipfs/{preview_cid}`)."
    )
    message: str = Field(default="", description="The warning to show, naming the certificate.")


class UploadResult(BaseModel):
    """A stored work and the numbers its registration commits to."""

    kind: str
    cid: str
    sha256: str
    size: int
    media_type: str
    perceptual_hash: PerceptualHashOut | None
    details: dict[str, Any]
    preview_cid: str | None = Field(
        default=None,
        description="An image's watermarked preview (`/ipfs/{cid}`); the original is stored sealed.",
    )
    excerpt: str | None = Field(default=None, description="A text's excerpt, its public face.")
    card: dict[str, Any] | None = Field(default=None, description="A model's, workflow's or prompt's card.")
    near_duplicates: list[NearDuplicate] = Field(
        description="Registered images of other creators within the match distance, best first: a warning "
        "(register as a derivative under a licence instead). Empty for other kinds, or when the database "
        "cannot be read (the check is skipped, never an error)."
    )
    resources_used: list["ResourceUsed"] = Field(
        default_factory=list,
        description="Registered works the file names as the resources that made it (a model or LoRA by its "
        "file hash, a workflow by its canonical hash, a prompt-kind work by its text: `genip.resources`), "
        "each with its live offers that license derivatives. Register the work as a derivative under a "
        "licence on each (buy one in the same flow), or declare it not derived from one in `POST /metadata` "
        "`not_derived_from`. Empty for other kinds or when nothing registered is named.",
    )
    resource_notes: list[str] = Field(
        default_factory=list,
        description="What the file names that is unknown here, ambiguous (a short hash starting several "
        "works' content hashes: none is proposed) or conflicting: evidence, never a refusal.",
    )


class PromptHashes(BaseModel):
    """Content hashes of registered prompt-kind works with one sha256 prefix (k-anonymity lookup)."""

    prefix: str
    content_hashes: list[str] = Field(description="0x hex, sorted; compare your prompt's sha256 locally.")
    works: list["ResourceUsed"] = Field(
        default_factory=list,
        description="Those works as resources (`hash` is the content hash), with their offers that license "
        "derivatives in the order `POST /uploads` gives them: keep the one whose `hash` your prompt's is.",
    )
    as_of_block: int


class ResourceOfferOut(BaseModel):
    """A live offer on a resource that licenses derivatives."""

    offer_id: int
    tier: Literal["generation", "extended"] = Field(
        description="generation: one licence registers any number of derivatives until it expires; "
        "extended: one derivative per licence."
    )
    price: str = Field(description="In the currency's base units (decimal string).")
    currency: str = Field(description="ERC-20 address; the zero address is the chain's native coin.")
    duration: int = Field(description="Seconds a licence lasts; 0 = perpetual.")
    rev_share_bps: int = Field(description="Share of every derivative's revenue owed to the resource.")


class ResourceUsed(BaseModel):
    """A registered work an uploaded file names as a resource that made it."""

    asset_id: int
    kind: Kind
    title: str | None
    creator: str
    owner: str
    named_as: str = Field(description="How the file names it, e.g. `LoRA 'Retro Poster'`.")
    matched_by: Literal["sha256", "addnet", "workflow", "prompt"] = Field(
        description="sha256: a model by (a prefix of at least 10 hex digits of) its file sha256; addnet: a "
        "safetensors model by (a prefix of at least 12 hex digits of) A1111's addnet hash, as the indexer "
        "computed it from the registered file; workflow: "
        "the embedded ComfyUI graph's canonical hash; prompt: the embedded prompt's text (compared as a "
        "sha256, never kept)."
    )
    hash: str = Field(description="The registered work's content sha256 (0x hex).")
    offers: list[ResourceOfferOut] = Field(
        description="Its live offers that license derivatives: generation first, then extended, cheapest "
        "first."
    )


class MetadataRequest(BaseModel):
    """The description of an uploaded work; the prompt is only present as its salted commitment."""

    content_cid: str = Field(
        pattern=CID_PATTERN,
        description="CID answered by `POST /uploads`.",
    )
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5_000)
    tags: list[str] = Field(default_factory=list, max_length=32)
    prompt_commitment: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="keccak256(salt ‖ prompt).")
    creator: str | None = Field(
        default=None,
        pattern=OPTIONAL_ADDRESS_PATTERN,
        description="The registering wallet's address (empty: none).",
        json_schema_extra={"format": ADDRESS_FORMAT},
    )
    model: str | None = Field(default=None, max_length=200)
    tool: str | None = Field(default=None, max_length=200)
    examples: list[Annotated[str, Field(pattern=CID_PATTERN)]] = Field(
        default_factory=list,
        max_length=4,
        description="A prompt-kind work's example outputs: preview CIDs from `POST /uploads/examples`.",
    )
    not_derived_from: list["NotDerivedFromIn"] = Field(
        default_factory=list,
        max_length=16,
        description="Registered works the file names as resources (`POST /uploads` `resources_used`) that "
        "the work is declared NOT derived from, each with a reason: written into the metadata as "
        "`genip.declaredNotDerivedFrom` and shown on the work's page.",
    )


class NotDerivedFromIn(BaseModel):
    """A declaration that the work is not derived from a registered work its file names."""

    asset_id: int = Field(ge=1, le=MAX_ASSET_ID)
    reason: str = Field(min_length=1, max_length=280, description="Why, in the creator's words.")


class ExampleUploaded(BaseModel):
    """The watermarked preview derived from an example output (the example itself is not kept)."""

    preview_cid: str = Field(description="The preview's CID (`/ipfs/{cid}`), for `POST /metadata` examples.")


class MetadataStored(BaseModel):
    """Where the metadata is stored and what it says."""

    metadata_cid: str
    metadata: dict[str, Any]


# ─────────────────────────────── similar works ───────────────────────────────


class SimilarWork(BaseModel):
    """A registered work that looks like the asked one (the matching engine's measure)."""

    asset_id: int
    title: str | None
    kind: str
    creator: str
    media_cid: str | None
    media_type: str | None
    preview_cid: str | None = Field(default=None, description="Its watermarked preview, for the thumbnail.")
    standing: str
    method: str = Field(
        description="What matched: pdq, phash (hash distance) or thumb (thumbnail correlation)."
    )
    distance: int | None = Field(description="Bits between the two hashes (pdq or phash); null for thumb.")
    likeness: str = Field(description="How close, in words.")


class SimilarWorks(BaseModel):
    """Works near one asset, closest first."""

    asset_id: int
    data: list[SimilarWork]
    as_of_block: int
