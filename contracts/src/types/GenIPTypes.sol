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

/// @notice Licence tiers. Standard: commercial use of the work. Extended: build your own IP on it.
enum Tier {
    Standard,
    Extended
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

/// @notice Dispute state of an asset. Open holds the asset's incoming revenue; Upheld diverts it for good.
enum DisputeStatus {
    None,
    Open,
    Cleared,
    Upheld
}

/// @notice Where a revenue payment came from.
enum RevenueSource {
    LicenseSale,
    Direct,
    Royalty
}

/// @notice Licence terms, addressed by `keccak256(abi.encode(terms))` and shared across offers.
/// @param tier Standard or Extended.
/// @param commercialUse The licensee may use the work commercially.
/// @param derivativesAllowed The licensee may register one derivative work under this licence.
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
struct License {
    uint64 assetId;
    uint64 offerId;
    uint40 expiresAt;
    uint16 revShareBps;
    bool commercialUse;
    bool derivativesAllowed;
    bool transferable;
    bool usedForDerivative;
}

/// @notice A published licence offer, packed in two storage slots.
/// @param duration Licence lifetime in seconds from purchase; 0 = perpetual.
/// @param supplyCap Maximum licences sold; 0 = unlimited.
struct Offer {
    uint64 assetId;
    uint64 termsId;
    uint32 duration;
    uint32 supplyCap;
    uint32 sold;
    bool paused;
    address currency;
    uint96 price;
}

/// @dev Basis-point denominator shared by fees, revenue shares and royalty stacks.
uint16 constant BPS = 10_000;
