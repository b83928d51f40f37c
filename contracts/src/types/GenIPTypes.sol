// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice What kind of work a certificate is for. Stored nowhere on-chain (only emitted); validated on entry.
enum WorkKind {
    Image,
    Text,
    Model, // model weights, LoRA adapters, checkpoints
    Workflow, // ComfyUI-style graphs and similar pipelines
    Prompt,
    Other
}

/// @notice Licence tiers. Standard: commercial use of the work. Extended: build your own IP on it (one derivative
/// per licence). Generation: generate works with the licensed resource (a model, LoRA, workflow or prompt); every
/// work generated is registered as a derivative under the same licence, so its revenue flows up to the resource.
/// @dev The contracts enforce only what the tier changes in the packed flags: Generation terms must allow
/// derivatives, and a licence bought under them is reusable for derivatives (see {License-generation}).
/// Standard and Extended are not enforced on-chain beyond their flags (as before Generation existed). Which kinds
/// of work may carry Generation offers (models, workflows, prompts) is NOT checked on-chain: the work kind is not
/// stored (only emitted), so the off-chain layers (CLI, API, web page) refuse Generation offers on other kinds.
enum Tier {
    Standard,
    Extended,
    Generation
}

/// @notice Outcome of the off-chain copyright / artist-style check of an asset's prompt.
enum CheckOutcome {
    Unchecked,
    Passed,
    Failed
}

/// @notice What a licence is asked about: any valid licence (display), commercial use, or building derivatives.
enum LicenseUse {
    Display,
    Commercial,
    Derivative
}

/// @notice State of one dispute (a claim against an asset). Open and Upheld hold the asset's revenue under the
/// dispute's id; Cleared releases it to the owner; Upheld, once its appeal window has passed, to the claimant.
enum DisputeStatus {
    None,
    Open,
    Cleared,
    Upheld
}

/// @notice An asset's standing in the licensing hub. Anything but `Clear` stops new offers, licence sales and
/// derivatives on the asset and holds its revenue under the dispute that caused it.
/// @dev `Disputed`: a claim against the asset is open. `Upheld`: a claim against it was upheld. `Tainted`: a claim
/// against one of its ancestors was upheld and someone propagated it (see {IDisputeCourt-propagateTaint}).
enum Standing {
    Clear,
    Disputed,
    Upheld,
    Tainted
}

/// @notice Where a revenue payment came from.
enum RevenueSource {
    LicenseSale,
    Direct,
    Royalty
}

/// @notice Licence terms, addressed by `keccak256(abi.encode(terms))` and shared across offers.
/// @param tier Standard, Extended or Generation (Generation requires `derivativesAllowed`).
/// @param commercialUse The licensee may use the work commercially.
/// @param derivativesAllowed The licensee may register one derivative work under this licence (any number under
/// Generation terms).
/// @param transferable The licence token may be transferred to another account.
/// @param revShareBps Share (basis points of 10 000) of every derivative's revenue owed to the licensed asset.
/// @param documentHash sha256 of the full terms document (territory, channels, print-run caps live there).
/// @param documentUri Where the document is, e.g. `ipfs://<cid>`.
struct LicenseTerms {
    Tier tier;
    bool commercialUse;
    bool derivativesAllowed;
    bool transferable;
    uint16 revShareBps;
    bytes32 documentHash;
    string documentUri;
}

/// @notice The part of a licence the contracts enforce, packed in one storage slot.
/// @param assetId The licensed asset (certificate id).
/// @param offerId The offer it was bought under.
/// @param expiresAt Unix time it stops being valid; 0 = perpetual.
/// @param revShareBps Share of a derivative's revenue owed to the asset when this licence registers one.
/// @param usedForDerivative A single-use derivative licence was used up. Never set on a generation licence.
/// @param generation Bought under Generation terms: the licence registers any number of derivatives (one
/// registration at a time) while it is held, unexpired and its asset Clear; it is never used up. Last field, so
/// positional readers of the first eight fields are unaffected; the struct still fits one slot (224 bits).
struct License {
    uint64 assetId;
    uint64 offerId;
    uint40 expiresAt;
    uint16 revShareBps;
    bool commercialUse;
    bool derivativesAllowed;
    bool transferable;
    bool usedForDerivative;
    bool generation;
}

/// @notice A published licence offer, packed in three storage slots.
/// @param seller Who owned the certificate when the offer was published. An offer sells only while its seller
/// still owns the certificate: when the certificate changes hands its offers lapse (see {ILicensingHub}).
/// @param duration Licence lifetime in seconds from purchase; 0 = perpetual.
/// @param supplyCap Maximum licences sold; 0 = unlimited.
struct Offer {
    address seller;
    uint64 assetId;
    uint32 duration;
    address currency;
    uint96 price;
    uint64 termsId;
    uint32 supplyCap;
    uint32 sold;
    bool paused;
}

/// @dev Basis-point denominator shared by fees, revenue shares and royalty stacks.
uint16 constant BPS = 10_000;
