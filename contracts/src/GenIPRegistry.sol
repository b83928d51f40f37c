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
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IGenIPRegistry} from "./interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "./interfaces/ILicensingHub.sol";
import {WorkKind, CheckOutcome, BPS} from "./types/GenIPTypes.sol";

/// @title Gen-IP certificate registry
/// @notice See {IGenIPRegistry}. Storage per certificate: its owner (ERC-721), its prompt commitment, the
/// content-hash index, and, once attested, the prompt-check outcome. Nothing else.
/// @dev Invariant (do not break it in an override): `assetOf(h) == id` iff certificate `id` was registered
/// with content hash `h`; every id in `[1, totalAssets()]` has exactly one content hash.
contract GenIPRegistry is IGenIPRegistry, ERC721, IERC2981, AccessControlDefaultAdminRules, EIP712, Nonces {
    /// @notice Role allowed to attest prompt checks.
    bytes32 public constant CHECKER_ROLE = keccak256("CHECKER_ROLE");

    /// @inheritdoc IGenIPRegistry
    bytes32 public constant REGISTER_TYPEHASH = keccak256(
        "Register(address creator,uint8 kind,bytes32 contentHash,bytes32 perceptualHash,bytes32 promptCommitment,string metadataCid,uint256 nonce,uint256 deadline)"
    );

    /// @notice Cap on ERC-2981 royalty rates (10 %).
    uint16 public constant MAX_ROYALTY_BPS = 1_000;

    /// @inheritdoc IGenIPRegistry
    address public hub;
    /// @inheritdoc IGenIPRegistry
    uint256 public totalAssets;
    /// @notice ERC-2981 rate used by assets that set none.
    uint16 public defaultRoyaltyBps = 500;
    string private _baseTokenURI;

    mapping(bytes32 contentHash => uint256 assetId) private _assetOf;
    mapping(uint256 assetId => bytes32) private _promptCommitment;
    mapping(uint256 assetId => CheckOutcome) private _promptCheck;
    mapping(uint256 assetId => uint16 bps) private _royaltyBps;

    constructor(address admin, uint48 adminDelay)
        ERC721("Gen-IP Certificate", "GENIP")
        AccessControlDefaultAdminRules(adminDelay, admin)
        EIP712("Gen-IP", "1")
    {}

    // ─────────────────────────────── registration ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function register(Work calldata work) external returns (uint256) {
        return _register(msg.sender, work);
    }

    /// @inheritdoc IGenIPRegistry
    function registerFor(
        address creator,
        Work calldata work,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256) {
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        _useCheckedNonce(creator, nonce);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
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
            )
        );
        if (!SignatureChecker.isValidSignatureNow(creator, digest, signature)) revert InvalidSignature(creator);
        return _register(creator, work);
    }

    /// @inheritdoc IGenIPRegistry
    function mintDerivative(address creator, Work calldata work) external returns (uint256) {
        if (msg.sender != hub) revert NotHub(msg.sender);
        return _register(creator, work);
    }

    /// @dev The one place certificates are created.
    function _register(address creator, Work calldata work) private returns (uint256 assetId) {
        if (work.kind > uint8(type(WorkKind).max)) revert InvalidWorkKind(work.kind);
        if (work.contentHash == bytes32(0)) revert ZeroContentHash();
        if (work.promptCommitment == bytes32(0)) revert MissingPromptCommitment(work.contentHash);
        uint256 existing = _assetOf[work.contentHash];
        if (existing != 0) revert ContentAlreadyRegistered(work.contentHash, existing);

        unchecked {
            assetId = ++totalAssets;
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

    // ─────────────────────────────── prompt checks ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function attestPromptCheck(uint256 assetId, CheckOutcome outcome, bytes32 reportHash)
        external
        onlyRole(CHECKER_ROLE)
    {
        _requireOwned(assetId);
        if (outcome == CheckOutcome.Unchecked) revert InvalidCheckOutcome(outcome);
        _promptCheck[assetId] = outcome;
        emit PromptCheckAttested(assetId, msg.sender, outcome, reportHash);
    }

    /// @inheritdoc IGenIPRegistry
    function verifyPrompt(uint256 assetId, bytes calldata prompt, bytes32 salt) external view returns (bool) {
        return _promptCommitment[assetId] != bytes32(0)
            && keccak256(abi.encodePacked(salt, prompt)) == _promptCommitment[assetId];
    }

    /// @inheritdoc IGenIPRegistry
    function verifyPromptPart(
        uint256 assetId,
        string calldata part,
        bytes calldata value,
        bytes32 salt,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 root = _promptCommitment[assetId];
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(part, salt, value))));
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    // ─────────────────────────────── admin & royalties ───────────────────────────────

    /// @inheritdoc IGenIPRegistry
    function setHub(address newHub) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (hub != address(0)) revert HubAlreadySet(hub);
        if (newHub == address(0)) revert ZeroHub();
        hub = newHub;
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
        receiver = ILicensingHub(hub).royaltySinkOf(assetId);
        royaltyAmount = salePrice * bps / BPS;
    }

    // ─────────────────────────────── views ───────────────────────────────

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
    function nonces(address owner) public view override(IGenIPRegistry, Nonces) returns (uint256) {
        return super.nonces(owner);
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
