// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WorkKind, CheckOutcome} from "../types/GenIPTypes.sol";

/// @title Gen-IP certificate registry
/// @notice Every registered AI-made work is an ERC-721 certificate. The registry enforces exactly what must be
/// enforced on-chain: one certificate per exact content hash (sha256 of the work's bytes), ownership, and the
/// prompt commitment that checkers attest against. Everything else (kind, metadata CID, perceptual hash) is
/// emitted in {WorkRegistered} for indexers and never stored.
///
/// Registration is commit, then reveal, so that nobody who sees a pending registration can win its certificate:
///   1. someone (the creator, or a platform for a whole batch) calls {commit} with a root: a registration leaf
///      `keccak256(abi.encode(creator, contentHash, salt))` ({registrationLeaf}), or the Merkle root of many
///      (pairs hashed in sorted order, as OpenZeppelin's {MerkleProof});
///   2. at least one block later and at most {MAX_COMMITMENT_AGE} seconds later, the work is registered with its
///      `salt` and the leaf's proof. The leaf binds the creator and the content hash to a secret salt, so a copier
///      who reads the reveal from the mempool can only commit now and reveal a block later, by which time the
///      content hash is taken. A commitment made for one creator can never mint to another.
/// The residual risk is the one every commit-reveal scheme has: a reveal left unmined in the mempool for more
/// than a block can be overtaken by a copier's own commit-and-reveal. Wallets should reveal at a normal fee.
/// @dev Asset ids start at 1 and increase by one per registration, derivatives included.
interface IGenIPRegistry {
    /// @notice The registration data of one work, as signed by its creator for {registerFor}.
    /// @param kind A {WorkKind} value.
    /// @param contentHash sha256 of the work's bytes; unique across the registry.
    /// @param perceptualHash Perceptual fingerprint (256-bit PDQ for images); zero when the kind has none.
    /// @param promptCommitment Commitment to the prompt that made the work, bound to its creator (see
    /// {verifyPrompt}); never zero.
    /// @param metadataCid IPFS CID of the ERC-721 metadata JSON.
    struct Work {
        uint8 kind;
        bytes32 contentHash;
        bytes32 perceptualHash;
        bytes32 promptCommitment;
        string metadataCid;
    }

    /// @notice One work of a platform's batch ({registerBatchByPlatform}).
    struct BatchItem {
        address creator;
        Work work;
        bytes32 salt;
        bytes32[] proof;
    }

    /// @notice What a creator allowed a platform to register on its behalf.
    /// @param expiresAt Unix time the authorisation ends; 0 = no time limit.
    /// @param remaining Works the platform may still register; `type(uint32).max` = no count limit.
    /// @param epoch Counts the changes of this (creator, platform) authorisation; an {authorizePlatformBySig}
    /// signature names the epoch it was given in, so any later change (a revocation above all) voids it.
    struct PlatformAuthorization {
        uint40 expiresAt;
        uint32 remaining;
        uint32 epoch;
    }

    /// @notice A certificate was minted to `creator` for the work with `contentHash`.
    /// @param registrar Who sent the transaction: the creator, a platform paying gas ({registerFor},
    /// {registerByPlatform}), or the licensing hub for derivatives.
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

    /// @notice Item `index` of a platform batch was not registered (`reason`: the selector of the error a single
    /// registration would have reverted with); the rest of the batch was.
    event BatchItemSkipped(uint256 indexed index, address indexed creator, bytes32 indexed contentHash, bytes4 reason);

    /// @notice `committer` committed to one registration leaf or to the Merkle root of a batch of them.
    event RegistrationCommitted(bytes32 indexed root, address indexed committer);

    /// @notice `creator` allowed `platform` to register works for it (both limits 0: revoked).
    event PlatformAuthorized(address indexed creator, address indexed platform, uint40 expiresAt, uint32 maxWorks);

    /// @notice `creator` cancelled the signature nonces set in `mask` of bitmap word `word`.
    event NoncesInvalidated(address indexed creator, uint256 indexed word, uint256 mask);

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
    /// @notice No commitment was made to `root` (the registration's leaf, or the root its proof leads to).
    error UnknownCommitment(bytes32 root);
    /// @notice `root` was committed in block `committedBlock`; the reveal must come in a later block.
    error CommitmentTooNew(bytes32 root, uint256 committedBlock);
    /// @notice `root` was committed at `committedAt`; it can be used until `committedAt + MAX_COMMITMENT_AGE`.
    error CommitmentExpired(bytes32 root, uint256 committedAt);
    /// @notice `root` is already committed (in block `committedBlock`); a commitment is never renewed.
    error AlreadyCommitted(bytes32 root, uint256 committedBlock);
    /// @notice The root is zero.
    error ZeroCommitment();
    /// @notice The signature expired at `deadline` (now is `timestamp`).
    error SignatureExpired(uint256 deadline, uint256 timestamp);
    /// @notice The signature is not `creator`'s.
    error InvalidSignature(address creator);
    /// @notice `creator`'s signature nonce `nonce` was used or cancelled.
    error NonceAlreadyUsed(address creator, uint256 nonce);
    /// @notice `platform` holds no current authorisation from `creator` (expired at `expiresAt`, or none).
    error PlatformNotAuthorized(address creator, address platform, uint40 expiresAt);
    /// @notice `platform` registered every work `creator` allowed it to.
    error PlatformQuotaExhausted(address creator, address platform);
    /// @notice The signature was given for authorisation epoch `signed`; the current epoch is `current`.
    error StaleAuthorization(address creator, address platform, uint32 signed, uint32 current);
    /// @notice A platform cannot authorise itself.
    error SelfAuthorization(address account);
    /// @notice Only the licensing hub may do this; `caller` is not it.
    error NotHub(address caller);
    /// @notice The hub is already set to `hub`.
    error HubAlreadySet(address hub);
    /// @notice The hub address is zero.
    error ZeroHub();
    /// @notice `outcome` is not a final check outcome (Passed or Failed).
    error InvalidCheckOutcome(CheckOutcome outcome);
    /// @notice `assetId`'s check cannot pass: the latest check of its ancestor `ancestorId` failed.
    error AncestorCheckFailed(uint256 assetId, uint256 ancestorId);
    /// @notice A royalty rate of `bps` is above the cap `maxBps`.
    error RoyaltyRateTooHigh(uint16 bps, uint16 maxBps);
    /// @notice `caller` neither owns `assetId` (owned by `owner`) nor is approved for all of the owner's tokens.
    error NotAssetOwner(uint256 assetId, address caller, address owner);

    // ─────────────────────────────── registration ───────────────────────────────

    /// @notice Commits to a registration leaf or to the Merkle root of many (see the contract notes). Anyone
    /// may commit; only whoever knows a leaf's creator, content hash and salt can use it.
    function commit(bytes32 root) external;

    /// @notice Registers a work and mints its certificate to the caller.
    /// @param salt The secret of the caller's registration leaf.
    /// @param proof The leaf's Merkle proof up to a committed root; empty when the leaf itself was committed
    /// (that commitment is then consumed).
    /// @return assetId The new certificate's id.
    function register(Work calldata work, bytes32 salt, bytes32[] calldata proof) external returns (uint256 assetId);

    /// @notice Registers a work for `creator`, who signed it (EIP-712, {REGISTER_TYPEHASH}); anyone may send it,
    /// so a platform can pay gas and certify on upload. The certificate goes to `creator`.
    /// @param nonce Any unused nonce of `creator` (unordered; see {invalidateNonces}); it is consumed.
    /// @param deadline Unix time after which the signature is refused.
    /// @param signature ECDSA signature, or an ERC-1271 one when `creator` is a contract wallet.
    function registerFor(
        address creator,
        Work calldata work,
        bytes32 salt,
        bytes32[] calldata proof,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 assetId);

    /// @notice Registers a work for `creator` under the caller's platform authorisation ({authorizePlatform});
    /// no signature per work. The certificate goes to `creator`.
    function registerByPlatform(address creator, Work calldata work, bytes32 salt, bytes32[] calldata proof)
        external
        returns (uint256 assetId);

    /// @notice {registerByPlatform} for many works in one transaction (typically proved against one committed
    /// Merkle root). An item that cannot be registered (its content already registered, no current authorisation
    /// from its creator, no usable commitment, an invalid work) is skipped with {BatchItemSkipped}, never
    /// reverting the batch: otherwise one creator of a batch could make it revert on purpose (by registering its
    /// own item first, or revoking the platform) and copy the others' works, whose hashes the failed batch made
    /// public, a block later.
    /// @return firstAssetId The first new id (`totalAssets() + 1` before the call); the registered items' ids are
    /// consecutive from it, in batch order.
    function registerBatchByPlatform(BatchItem[] calldata items) external returns (uint256 firstAssetId);

    /// @notice Mints a derivative's certificate to `creator`. Only the licensing hub, after it checked the
    /// licences, calls this; the registration commitment is checked as for {register}.
    function mintDerivative(address creator, Work calldata work, bytes32 salt, bytes32[] calldata proof)
        external
        returns (uint256 assetId);

    // ─────────────────────────────── platforms & nonces ───────────────────────────────

    /// @notice Lets `platform` register works for the caller until `expiresAt` (0: no time limit) and at most
    /// `maxWorks` of them (`type(uint32).max`: no count limit). Replaces any earlier authorisation; both 0 revokes.
    function authorizePlatform(address platform, uint40 expiresAt, uint32 maxWorks) external;

    /// @notice {authorizePlatform} with `creator`'s EIP-712 signature ({AUTHORIZE_TYPEHASH}) instead of its
    /// transaction, so a creator authorises a platform with one signature and no gas. The signature is for the
    /// authorisation's current `epoch` ({platformAuthorization}); any change since (a revocation by transaction
    /// above all) voids it.
    function authorizePlatformBySig(
        address creator,
        address platform,
        uint40 expiresAt,
        uint32 maxWorks,
        uint32 epoch,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Cancels the caller's unused signature nonces set in `mask` of bitmap word `word` (nonce =
    /// `word << 8 | bit`), so signatures given out with them can never be used.
    function invalidateNonces(uint256 word, uint256 mask) external;

    // ─────────────────────────────── prompt checks ───────────────────────────────

    /// @notice Records that `assetId`'s prompt passed or failed the copyright / artist-style check.
    /// Only accounts with {CHECKER_ROLE}. A later attestation replaces an earlier one. Every outcome is reported to
    /// the hub ({ILicensingHub-recordPromptCheck}), which enforces it: a failed work sells no licences while the
    /// hub's failed-check policy is on. A derivative cannot pass while the latest check of one of its ancestors
    /// (its parents and theirs, the hub's {ILicensingHub-ancestry}) failed: {AncestorCheckFailed}. Reverts with
    /// {ZeroHub} before the hub is set.
    /// @param reportHash Hash of the checker's report (kept off-chain).
    function attestPromptCheck(uint256 assetId, CheckOutcome outcome, bytes32 reportHash) external;

    // ─────────────────────────────── admin ───────────────────────────────

    /// @notice Connects the licensing hub. Admin only, once.
    function setHub(address hub) external;

    /// @notice Sets the default ERC-2981 rate (admin) — at most {MAX_ROYALTY_BPS}.
    function setDefaultRoyaltyRate(uint16 bps) external;

    /// @notice Sets `assetId`'s own ERC-2981 rate (its owner) — at most {MAX_ROYALTY_BPS}; 0 uses the default.
    function setRoyaltyRate(uint256 assetId, uint16 bps) external;

    /// @notice Sets the base of {tokenURI} (admin); token URIs are `baseURI + assetId`.
    function setBaseURI(string calldata baseURI) external;

    // ─────────────────────────────── views ───────────────────────────────

    /// @notice The certificate id for an exact content hash, or 0 when none.
    function assetOf(bytes32 contentHash) external view returns (uint256);

    /// @notice The prompt commitment `assetId` was registered with.
    function promptCommitment(uint256 assetId) external view returns (bytes32);

    /// @notice The latest prompt-check outcome for `assetId`.
    function promptCheck(uint256 assetId) external view returns (CheckOutcome);

    /// @notice The registration leaf binding `creator` and `contentHash` to `salt`:
    /// `keccak256(abi.encode(creator, contentHash, salt))`.
    function registrationLeaf(address creator, bytes32 contentHash, bytes32 salt) external pure returns (bytes32);

    /// @notice Block and time `root` was committed at (zeros when it was not, or was consumed).
    function commitmentOf(bytes32 root) external view returns (uint64 blockNumber, uint64 timestamp);

    /// @notice The single-prompt commitment of `creator` to `prompt` with `salt`:
    /// `keccak256(abi.encode(PROMPT_DOMAIN, creator, salt, keccak256(prompt)))`. Its 128-byte preimage can never
    /// have the shape of a Merkle node (64 bytes), and it names the creator, so a commitment copied onto another
    /// creator's certificate never opens there.
    function promptCommitmentFor(address creator, bytes calldata prompt, bytes32 salt)
        external
        pure
        returns (bytes32);

    /// @notice True when `assetId`'s prompt commitment opens to `prompt` and `salt` for `creator`
    /// ({promptCommitmentFor}). The registry does not store who registered an asset (that would cost every
    /// registration a storage slot): pass the certificate's creator from {WorkRegistered}. A commitment copied
    /// onto another creator's certificate then never opens, since it names the creator it was made for; asked
    /// with any other address, the answer only says that address made the commitment, not the certificate.
    function verifyPrompt(uint256 assetId, address creator, bytes calldata prompt, bytes32 salt)
        external
        view
        returns (bool);

    /// @notice True when part `part` (e.g. "model") with value `value` and salt `salt` is a leaf of the Merkle
    /// tree whose root is `assetId`'s prompt commitment, for commitments made over the prompt's parts (prompt,
    /// negative prompt, seed, model, workflow), so one part can be revealed without the others.
    /// @dev Leaf = `keccak256(bytes.concat(keccak256(abi.encode(creator, part, salt, value))))` (hashed twice, so
    /// an inner node can never pass for a leaf; the creator inside, so a copied root never opens for another
    /// creator); pairs are hashed in sorted order, as OpenZeppelin's {MerkleProof}.
    function verifyPromptPart(
        uint256 assetId,
        address creator,
        string calldata part,
        bytes calldata value,
        bytes32 salt,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Whether `creator`'s signature nonce `nonce` was used or cancelled.
    function nonceUsed(address creator, uint256 nonce) external view returns (bool);

    /// @notice What `creator` currently allows `platform` to do.
    function platformAuthorization(address creator, address platform)
        external
        view
        returns (PlatformAuthorization memory);

    /// @notice Number of certificates ever minted; the newest asset id.
    function totalAssets() external view returns (uint256);

    /// @notice The connected licensing hub.
    function hub() external view returns (address);

    /// @notice EIP-712 type hash of `Register(address creator,uint8 kind,bytes32 contentHash,
    /// bytes32 perceptualHash,bytes32 promptCommitment,string metadataCid,uint256 nonce,uint256 deadline)`,
    /// under the domain (name "Gen-IP", version "1", chain id, this registry).
    function REGISTER_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 type hash of `AuthorizePlatform(address creator,address platform,uint40 expiresAt,
    /// uint32 maxWorks,uint32 epoch,uint256 nonce,uint256 deadline)`.
    function AUTHORIZE_TYPEHASH() external view returns (bytes32);

    /// @notice Oldest a commitment may be when it is used, in seconds.
    function MAX_COMMITMENT_AGE() external view returns (uint256);
}
