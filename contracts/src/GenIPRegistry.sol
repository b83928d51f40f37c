// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IGenIPRegistry} from "./interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "./interfaces/ILicensingHub.sol";
import {WorkKind, CheckOutcome, BPS} from "./types/GenIPTypes.sol";

/// @title Gen-IP certificate registry
/// @notice See {IGenIPRegistry}. Storage per certificate: its owner (ERC-721), its prompt commitment, the
/// content-hash index, and, once attested, the prompt-check outcome. Per registration in flight: one commitment.
/// @dev Invariant (do not break it in an override): `assetOf(h) == id` iff certificate `id` was registered
/// with content hash `h`; every id in `[1, totalAssets()]` has exactly one content hash, and was minted by
/// {_register} after {_useCommitment} accepted a commitment to its creator, content hash and salt.
contract GenIPRegistry is IGenIPRegistry, ERC721, IERC2981, AccessControlDefaultAdminRules, EIP712 {
    /// @notice Role allowed to attest prompt checks.
    bytes32 public constant CHECKER_ROLE = keccak256("CHECKER_ROLE");

    /// @inheritdoc IGenIPRegistry
    bytes32 public constant REGISTER_TYPEHASH = keccak256(
        "Register(address creator,uint8 kind,bytes32 contentHash,bytes32 perceptualHash,bytes32 promptCommitment,string metadataCid,uint256 nonce,uint256 deadline)"
    );

    /// @inheritdoc IGenIPRegistry
    bytes32 public constant AUTHORIZE_TYPEHASH = keccak256(
        "AuthorizePlatform(address creator,address platform,uint40 expiresAt,uint32 maxWorks,uint32 epoch,uint256 nonce,uint256 deadline)"
    );

    /// @notice Domain tag of single-prompt commitments ({promptCommitmentFor}).
    bytes32 public constant PROMPT_DOMAIN = keccak256("Gen-IP prompt commitment v2");

    /// @inheritdoc IGenIPRegistry
    uint256 public constant MAX_COMMITMENT_AGE = 7 days;

    /// @notice Cap on ERC-2981 royalty rates (10 %).
    uint16 public constant MAX_ROYALTY_BPS = 1_000;

    /// @notice ERC-2981 rate used by assets that set none (5 %).
    uint16 public constant INITIAL_ROYALTY_BPS = 500;

    /// @dev A commitment's block and time, one slot.
    struct Commitment {
        uint64 blockNumber;
        uint64 timestamp;
    }

    /// @dev The hub and the certificate count share one slot ({hub}, {totalAssets}): {mintDerivative} reads both
    /// with one SLOAD, and once the hub is set the slot is never zero, so no registration (the chain's first
    /// included) pays for turning a zero slot non-zero (EIP-2200: 20 000 gas instead of 2 900). 96 bits count
    /// more certificates than any chain can mint.
    address private _hub;
    uint96 private _totalAssets;
    /// @notice ERC-2981 rate used by assets that set none.
    uint16 public defaultRoyaltyBps = INITIAL_ROYALTY_BPS;
    string private _baseTokenURI;

    mapping(bytes32 contentHash => uint256 assetId) private _assetOf;
    mapping(uint256 assetId => bytes32) private _promptCommitment;
    mapping(uint256 assetId => CheckOutcome) private _promptCheck;
    mapping(uint256 assetId => uint16 bps) private _royaltyBps;
    mapping(bytes32 root => Commitment) private _commitments;
    mapping(address creator => mapping(uint256 word => uint256 bits)) private _nonceBitmap;
    mapping(address creator => mapping(address platform => PlatformAuthorization)) private _platforms;

    constructor(address admin, uint48 adminDelay)
        ERC721("Gen-IP Certificate", "GENIP")
        AccessControlDefaultAdminRules(adminDelay, admin)
        EIP712("Gen-IP", "1")
    {}

    // ─────────────────────────────── registration ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function commit(bytes32 root) external {
        if (root == bytes32(0)) revert ZeroCommitment();
        Commitment memory c = _commitments[root];
        if (c.blockNumber != 0) revert AlreadyCommitted(root, c.blockNumber);
        _commitments[root] = Commitment(uint64(block.number), uint64(block.timestamp));
        emit RegistrationCommitted(root, msg.sender);
    }

    /// @inheritdoc IGenIPRegistry
    function register(Work calldata work, bytes32 salt, bytes32[] calldata proof) external returns (uint256) {
        _useCommitment(msg.sender, work.contentHash, salt, proof);
        return _register(msg.sender, work);
    }

    /// @inheritdoc IGenIPRegistry
    function registerFor(
        address creator,
        Work calldata work,
        bytes32 salt,
        bytes32[] calldata proof,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256) {
        bytes32 structHash = keccak256(
            abi.encode(
                REGISTER_TYPEHASH,
                creator,
                work.kind,
                work.contentHash,
                work.perceptualHash,
                work.promptCommitment,
                keccak256(bytes(work.metadataCid)),
                nonce,
                deadline
            )
        );
        _useSignature(creator, structHash, nonce, deadline, signature);
        _useCommitment(creator, work.contentHash, salt, proof);
        return _register(creator, work);
    }

    /// @inheritdoc IGenIPRegistry
    function registerByPlatform(address creator, Work calldata work, bytes32 salt, bytes32[] calldata proof)
        external
        returns (uint256)
    {
        _usePlatformAuthorization(creator, msg.sender);
        _useCommitment(creator, work.contentHash, salt, proof);
        return _register(creator, work);
    }

    /// @inheritdoc IGenIPRegistry
    function registerBatchByPlatform(BatchItem[] calldata items) external returns (uint256 firstAssetId) {
        firstAssetId = _totalAssets + 1;
        for (uint256 i; i < items.length; ++i) {
            BatchItem calldata item = items[i];
            (bytes4 reason, bytes32 root) = _batchItemProblem(item, msg.sender);
            if (reason != bytes4(0)) {
                emit BatchItemSkipped(i, item.creator, item.work.contentHash, reason);
                continue;
            }
            _usePlatformAuthorization(item.creator, msg.sender);
            // {_batchItemProblem} just accepted the commitment at `root`: consume it as {_useCommitment} would,
            // without hashing the leaf and its proof a second time.
            if (item.proof.length == 0) delete _commitments[root];
            _register(item.creator, item.work);
        }
    }

    /// @dev Why `item` could not be registered by `platform` now (the selector of the error it would revert
    /// with), or 0, and the commitment root its proof leads to. Mirrors the checks of
    /// {_usePlatformAuthorization}, {_useCommitment} and {_register}, in their order.
    function _batchItemProblem(BatchItem calldata item, address platform)
        private
        view
        returns (bytes4 reason, bytes32 root)
    {
        PlatformAuthorization memory auth = _platforms[item.creator][platform];
        if (auth.remaining == 0) {
            return (auth.expiresAt == 0 ? PlatformNotAuthorized.selector : PlatformQuotaExhausted.selector, root);
        }
        if (auth.expiresAt != 0 && auth.expiresAt < block.timestamp) return (PlatformNotAuthorized.selector, root);
        Work calldata work = item.work;
        root = MerkleProof.processProofCalldata(item.proof, _leaf(item.creator, work.contentHash, item.salt));
        Commitment memory c = _commitments[root];
        if (c.blockNumber == 0) return (UnknownCommitment.selector, root);
        if (c.blockNumber >= block.number) return (CommitmentTooNew.selector, root);
        if (block.timestamp > c.timestamp + MAX_COMMITMENT_AGE) return (CommitmentExpired.selector, root);
        if (work.kind > uint8(type(WorkKind).max)) return (InvalidWorkKind.selector, root);
        if (work.contentHash == bytes32(0)) return (ZeroContentHash.selector, root);
        if (work.promptCommitment == bytes32(0)) return (MissingPromptCommitment.selector, root);
        if (_assetOf[work.contentHash] != 0) return (ContentAlreadyRegistered.selector, root);
    }

    /// @inheritdoc IGenIPRegistry
    function mintDerivative(address creator, Work calldata work, bytes32 salt, bytes32[] calldata proof)
        external
        returns (uint256)
    {
        if (msg.sender != _hub) revert NotHub(msg.sender);
        _useCommitment(creator, work.contentHash, salt, proof);
        return _register(creator, work);
    }

    /// @dev Accepts the commitment `proof` leads to from `creator`'s leaf: made in an earlier block, at most
    /// {MAX_COMMITMENT_AGE} ago. A leaf committed on its own (empty proof) is consumed; a batch root stays for
    /// its other leaves (each leaf can mint once anyway: its content hash is then taken).
    function _useCommitment(address creator, bytes32 contentHash, bytes32 salt, bytes32[] calldata proof) private {
        bytes32 root = MerkleProof.processProofCalldata(proof, _leaf(creator, contentHash, salt));
        Commitment memory c = _commitments[root];
        if (c.blockNumber == 0) revert UnknownCommitment(root);
        if (c.blockNumber >= block.number) revert CommitmentTooNew(root, c.blockNumber);
        if (block.timestamp > c.timestamp + MAX_COMMITMENT_AGE) revert CommitmentExpired(root, c.timestamp);
        if (proof.length == 0) delete _commitments[root];
    }

    /// @dev Checks `creator`'s EIP-712 signature over `structHash` and consumes its unordered `nonce`.
    function _useSignature(
        address creator,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        uint256 bit = 1 << (nonce & 0xff);
        mapping(uint256 => uint256) storage bitmap = _nonceBitmap[creator];
        uint256 bits = bitmap[nonce >> 8];
        if (bits & bit != 0) revert NonceAlreadyUsed(creator, nonce);
        bitmap[nonce >> 8] = bits | bit;
        if (!SignatureChecker.isValidSignatureNow(creator, _hashTypedDataV4(structHash), signature)) {
            revert InvalidSignature(creator);
        }
    }

    /// @dev Counts one registration by `platform` for `creator` against the creator's authorisation.
    function _usePlatformAuthorization(address creator, address platform) private {
        PlatformAuthorization storage auth = _platforms[creator][platform];
        uint40 expiresAt = auth.expiresAt;
        uint32 remaining = auth.remaining;
        if (remaining == 0) {
            if (expiresAt == 0) revert PlatformNotAuthorized(creator, platform, 0);
            revert PlatformQuotaExhausted(creator, platform);
        }
        if (expiresAt != 0 && expiresAt < block.timestamp) revert PlatformNotAuthorized(creator, platform, expiresAt);
        if (remaining != type(uint32).max) auth.remaining = remaining - 1;
    }

    /// @dev The one place certificates are created.
    function _register(address creator, Work calldata work) private returns (uint256 assetId) {
        if (work.kind > uint8(type(WorkKind).max)) revert InvalidWorkKind(work.kind);
        if (work.contentHash == bytes32(0)) revert ZeroContentHash();
        if (work.promptCommitment == bytes32(0)) revert MissingPromptCommitment(work.contentHash);
        uint256 existing = _assetOf[work.contentHash];
        if (existing != 0) revert ContentAlreadyRegistered(work.contentHash, existing);

        unchecked {
            assetId = ++_totalAssets;
        }
        _assetOf[work.contentHash] = assetId;
        _promptCommitment[assetId] = work.promptCommitment;
        _mint(creator, assetId);
        emit WorkRegistered(
            assetId,
            creator,
            work.contentHash,
            work.kind,
            work.perceptualHash,
            work.promptCommitment,
            work.metadataCid,
            msg.sender
        );
    }

    function _leaf(address creator, bytes32 contentHash, bytes32 salt) private pure returns (bytes32 leaf) {
        return keccak256(abi.encode(creator, contentHash, salt));
    }

    // ─────────────────────────────── platforms & nonces ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function authorizePlatform(address platform, uint40 expiresAt, uint32 maxWorks) external {
        _authorize(msg.sender, platform, expiresAt, maxWorks);
    }

    /// @inheritdoc IGenIPRegistry
    function authorizePlatformBySig(
        address creator,
        address platform,
        uint40 expiresAt,
        uint32 maxWorks,
        uint32 epoch,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        uint32 current = _platforms[creator][platform].epoch;
        if (epoch != current) revert StaleAuthorization(creator, platform, epoch, current);
        bytes32 structHash = keccak256(
            abi.encode(AUTHORIZE_TYPEHASH, creator, platform, expiresAt, maxWorks, epoch, nonce, deadline)
        );
        _useSignature(creator, structHash, nonce, deadline, signature);
        _authorize(creator, platform, expiresAt, maxWorks);
    }

    /// @dev Every change moves the epoch on, voiding signatures given for the previous one.
    function _authorize(address creator, address platform, uint40 expiresAt, uint32 maxWorks) private {
        if (platform == creator) revert SelfAuthorization(creator);
        PlatformAuthorization storage auth = _platforms[creator][platform];
        (auth.expiresAt, auth.remaining, auth.epoch) = (expiresAt, maxWorks, auth.epoch + 1);
        emit PlatformAuthorized(creator, platform, expiresAt, maxWorks);
    }

    /// @inheritdoc IGenIPRegistry
    function invalidateNonces(uint256 word, uint256 mask) external {
        _nonceBitmap[msg.sender][word] |= mask;
        emit NoncesInvalidated(msg.sender, word, mask);
    }

    // ─────────────────────────────── prompt checks ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function attestPromptCheck(uint256 assetId, CheckOutcome outcome, bytes32 reportHash)
        external
        onlyRole(CHECKER_ROLE)
    {
        address hub_ = _hub;
        if (hub_ == address(0)) revert ZeroHub();
        _requireOwned(assetId);
        if (outcome == CheckOutcome.Unchecked) revert InvalidCheckOutcome(outcome);
        if (outcome == CheckOutcome.Passed) {
            (uint256[] memory ancestors,) = ILicensingHub(hub_).ancestry(assetId);
            for (uint256 i; i < ancestors.length; ++i) {
                if (_promptCheck[ancestors[i]] == CheckOutcome.Failed) {
                    revert AncestorCheckFailed(assetId, ancestors[i]);
                }
            }
        }
        _promptCheck[assetId] = outcome;
        emit PromptCheckAttested(assetId, msg.sender, outcome, reportHash);
        ILicensingHub(hub_).recordPromptCheck(assetId, outcome == CheckOutcome.Failed);
    }

    /// @inheritdoc IGenIPRegistry
    function promptCommitmentFor(address creator, bytes calldata prompt, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(PROMPT_DOMAIN, creator, salt, keccak256(prompt)));
    }

    /// @inheritdoc IGenIPRegistry
    function verifyPrompt(uint256 assetId, address creator, bytes calldata prompt, bytes32 salt)
        external
        view
        returns (bool)
    {
        bytes32 stored = _promptCommitment[assetId];
        return stored != bytes32(0) && promptCommitmentFor(creator, prompt, salt) == stored;
    }

    /// @inheritdoc IGenIPRegistry
    function verifyPromptPart(
        uint256 assetId,
        address creator,
        string calldata part,
        bytes calldata value,
        bytes32 salt,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 root = _promptCommitment[assetId];
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(creator, part, salt, value))));
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    // ─────────────────────────────── admin & royalties ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function setHub(address newHub) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address current = _hub;
        if (current != address(0)) revert HubAlreadySet(current);
        if (newHub == address(0)) revert ZeroHub();
        _hub = newHub;
        emit HubSet(newHub);
    }

    /// @inheritdoc IGenIPRegistry
    function setDefaultRoyaltyRate(uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_ROYALTY_BPS) revert RoyaltyRateTooHigh(bps, MAX_ROYALTY_BPS);
        defaultRoyaltyBps = bps;
        emit RoyaltyRateSet(0, bps);
    }

    /// @inheritdoc IGenIPRegistry
    function setRoyaltyRate(uint256 assetId, uint16 bps) external {
        address owner = _requireOwned(assetId);
        if (msg.sender != owner && !isApprovedForAll(owner, msg.sender)) {
            revert NotAssetOwner(assetId, msg.sender, owner);
        }
        if (bps > MAX_ROYALTY_BPS) revert RoyaltyRateTooHigh(bps, MAX_ROYALTY_BPS);
        _royaltyBps[assetId] = bps;
        emit RoyaltyRateSet(assetId, bps);
    }

    /// @inheritdoc IGenIPRegistry
    function setBaseURI(string calldata baseURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _baseTokenURI = baseURI;
        emit BaseURISet(baseURI);
    }

    /// @notice ERC-2981: royalties go to the asset's sink, which the hub sweeps and splits like any revenue.
    function royaltyInfo(uint256 assetId, uint256 salePrice)
        external
        view
        returns (address receiver, uint256 royaltyAmount)
    {
        _requireOwned(assetId);
        uint16 bps = _royaltyBps[assetId];
        if (bps == 0) bps = defaultRoyaltyBps;
        receiver = ILicensingHub(_hub).royaltySinkOf(assetId);
        royaltyAmount = salePrice * bps / BPS;
    }

    // ─────────────────────────────── views ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function hub() external view returns (address) {
        return _hub;
    }

    /// @inheritdoc IGenIPRegistry
    function totalAssets() external view returns (uint256) {
        return _totalAssets;
    }

    /// @inheritdoc IGenIPRegistry
    function assetOf(bytes32 contentHash) external view returns (uint256) {
        return _assetOf[contentHash];
    }

    /// @inheritdoc IGenIPRegistry
    function promptCommitment(uint256 assetId) external view returns (bytes32) {
        return _promptCommitment[assetId];
    }

    /// @inheritdoc IGenIPRegistry
    function promptCheck(uint256 assetId) external view returns (CheckOutcome) {
        return _promptCheck[assetId];
    }

    /// @inheritdoc IGenIPRegistry
    function registrationLeaf(address creator, bytes32 contentHash, bytes32 salt) external pure returns (bytes32) {
        return _leaf(creator, contentHash, salt);
    }

    /// @inheritdoc IGenIPRegistry
    function commitmentOf(bytes32 root) external view returns (uint64 blockNumber, uint64 timestamp) {
        Commitment memory c = _commitments[root];
        return (c.blockNumber, c.timestamp);
    }

    /// @inheritdoc IGenIPRegistry
    function nonceUsed(address creator, uint256 nonce) external view returns (bool) {
        return _nonceBitmap[creator][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @inheritdoc IGenIPRegistry
    function platformAuthorization(address creator, address platform)
        external
        view
        returns (PlatformAuthorization memory)
    {
        return _platforms[creator][platform];
    }

    /// @notice `baseURI + assetId` (empty while no base URI is set). The metadata CID is in {WorkRegistered}.
    function tokenURI(uint256 assetId) public view override returns (string memory) {
        _requireOwned(assetId);
        string memory base = _baseTokenURI;
        return bytes(base).length == 0 ? "" : string.concat(base, Strings.toString(assetId));
    }

    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721, IERC165, AccessControlDefaultAdminRules)
        returns (bool)
    {
        return interfaceId == type(IERC2981).interfaceId || ERC721.supportsInterface(interfaceId)
            || AccessControlDefaultAdminRules.supportsInterface(interfaceId);
    }
}
