// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WorkKind, CheckOutcome} from "../types/GenIPTypes.sol";

/// @title Gen-IP certificate registry
/// @notice Every registered AI-made work is an ERC-721 certificate. The registry enforces exactly what must be
/// enforced on-chain: one certificate per exact content hash (sha256 of the work's bytes), ownership, and the
/// prompt commitment that checkers attest against. Everything else (kind, metadata CID, perceptual hash) is
/// emitted in {WorkRegistered} for indexers and never stored.
/// @dev Asset ids start at 1 and increase by one per registration, derivatives included.
interface IGenIPRegistry {
    /// @notice The registration data of one work, as signed by its creator for {registerFor}.
    /// @param kind A {WorkKind} value.
    /// @param contentHash sha256 of the work's bytes; unique across the registry.
    /// @param perceptualHash Perceptual fingerprint (256-bit PDQ for images); zero when the kind has none.
    /// @param promptCommitment Commitment to the prompt that made the work (see {verifyPrompt}); never zero.
    /// @param metadataCid IPFS CID of the ERC-721 metadata JSON.
    struct Work {
        uint8 kind;
        bytes32 contentHash;
        bytes32 perceptualHash;
        bytes32 promptCommitment;
        string metadataCid;
    }

    /// @notice A certificate was minted to `creator` for the work with `contentHash`.
    /// @param registrar Who sent the transaction: the creator, a platform paying gas ({registerFor}), or the
    /// licensing hub for derivatives.
    event WorkRegistered(
        uint256 indexed assetId,
        address indexed creator,
        bytes32 indexed contentHash,
        uint8 kind,
        bytes32 perceptualHash,
        bytes32 promptCommitment,
        string metadataCid,
        address registrar
    );

    /// @notice A checker recorded the outcome of the prompt check for `assetId`.
    event PromptCheckAttested(
        uint256 indexed assetId, address indexed checker, CheckOutcome outcome, bytes32 reportHash
    );

    /// @notice The licensing hub was connected (once, at deployment).
    event HubSet(address indexed hub);

    /// @notice The ERC-2981 royalty rate for secondary sales of certificates changed.
    /// @param assetId The asset whose rate changed, or 0 for the default rate.
    event RoyaltyRateSet(uint256 indexed assetId, uint16 bps);

    /// @notice The base of {tokenURI} changed.
    event BaseURISet(string baseURI);

    /// @notice The exact content is already certified by `existingAssetId`.
    error ContentAlreadyRegistered(bytes32 contentHash, uint256 existingAssetId);
    /// @notice `kind` is not a {WorkKind}.
    error InvalidWorkKind(uint8 kind);
    /// @notice The content hash is zero.
    error ZeroContentHash();
    /// @notice Every work must commit to the prompt that made it.
    error MissingPromptCommitment(bytes32 contentHash);
    /// @notice The signature for {registerFor} expired at `deadline` (now is `timestamp`).
    error SignatureExpired(uint256 deadline, uint256 timestamp);
    /// @notice The signature for {registerFor} is not `creator`'s.
    error InvalidSignature(address creator);
    /// @notice Only the licensing hub may do this; `caller` is not it.
    error NotHub(address caller);
    /// @notice The hub is already set to `hub`.
    error HubAlreadySet(address hub);
    /// @notice The hub address is zero.
    error ZeroHub();
    /// @notice `outcome` is not a final check outcome (Passed or Failed).
    error InvalidCheckOutcome(CheckOutcome outcome);
    /// @notice A royalty rate of `bps` is above the cap `maxBps`.
    error RoyaltyRateTooHigh(uint16 bps, uint16 maxBps);
    /// @notice `caller` neither owns `assetId` (owned by `owner`) nor is approved for all of the owner's tokens.
    error NotAssetOwner(uint256 assetId, address caller, address owner);

    /// @notice Registers a work and mints its certificate to the caller.
    /// @return assetId The new certificate's id.
    function register(Work calldata work) external returns (uint256 assetId);

    /// @notice Registers a work for `creator`, who signed it (EIP-712, {REGISTER_TYPEHASH}); anyone may send it,
    /// so a platform can pay gas and certify on upload. The certificate goes to `creator`.
    /// @param nonce Must equal {nonces}(creator); it is consumed.
    /// @param deadline Unix time after which the signature is refused.
    /// @param signature ECDSA signature, or an ERC-1271 one when `creator` is a contract wallet.
    function registerFor(
        address creator,
        Work calldata work,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 assetId);

    /// @notice Mints a derivative's certificate to `creator`. Only the licensing hub, after it checked the
    /// licences, calls this.
    function mintDerivative(address creator, Work calldata work) external returns (uint256 assetId);

    /// @notice Records that `assetId`'s prompt passed or failed the copyright / artist-style check.
    /// Only accounts with {CHECKER_ROLE}. A later attestation replaces an earlier one.
    /// @param reportHash Hash of the checker's report (kept off-chain).
    function attestPromptCheck(uint256 assetId, CheckOutcome outcome, bytes32 reportHash) external;

    /// @notice Connects the licensing hub. Admin only, once.
    function setHub(address hub) external;

    /// @notice Sets the default ERC-2981 rate (admin) — at most {MAX_ROYALTY_BPS}.
    function setDefaultRoyaltyRate(uint16 bps) external;

    /// @notice Sets `assetId`'s own ERC-2981 rate (its owner) — at most {MAX_ROYALTY_BPS}; 0 uses the default.
    function setRoyaltyRate(uint256 assetId, uint16 bps) external;

    /// @notice Sets the base of {tokenURI} (admin); token URIs are `baseURI + assetId`.
    function setBaseURI(string calldata baseURI) external;

    /// @notice The certificate id for an exact content hash, or 0 when none.
    function assetOf(bytes32 contentHash) external view returns (uint256);

    /// @notice The prompt commitment `assetId` was registered with.
    function promptCommitment(uint256 assetId) external view returns (bytes32);

    /// @notice The latest prompt-check outcome for `assetId`.
    function promptCheck(uint256 assetId) external view returns (CheckOutcome);

    /// @notice True when `keccak256(abi.encodePacked(salt, prompt))` equals `assetId`'s prompt commitment.
    function verifyPrompt(uint256 assetId, bytes calldata prompt, bytes32 salt) external view returns (bool);

    /// @notice True when part `part` (e.g. "model") with value `value` and salt `salt` is a leaf of the Merkle
    /// tree whose root is `assetId`'s prompt commitment, for commitments made over the prompt's parts (prompt,
    /// negative prompt, seed, model, workflow), so one part can be revealed without the others.
    /// @dev Leaf = `keccak256(bytes.concat(keccak256(abi.encode(part, salt, value))))` (hashed twice, so an inner
    /// node can never pass for a leaf); pairs are hashed in sorted order, as OpenZeppelin's {MerkleProof}.
    function verifyPromptPart(
        uint256 assetId,
        string calldata part,
        bytes calldata value,
        bytes32 salt,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Number of certificates ever minted; the newest asset id.
    function totalAssets() external view returns (uint256);

    /// @notice The connected licensing hub.
    function hub() external view returns (address);

    /// @notice EIP-712 type hash of `Register(address creator,uint8 kind,bytes32 contentHash,
    /// bytes32 perceptualHash,bytes32 promptCommitment,string metadataCid,uint256 nonce,uint256 deadline)`,
    /// under the domain (name "Gen-IP", version "1", chain id, this registry).
    function REGISTER_TYPEHASH() external view returns (bytes32);

    /// @notice Current nonce of `owner` for {registerFor}.
    function nonces(address owner) external view returns (uint256);
}
