// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IGenIPRegistry} from "./interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "./interfaces/ILicensingHub.sol";
import {ILicenseToken} from "./interfaces/ILicenseToken.sol";
import {IRoyaltySink} from "./interfaces/IRoyaltySink.sol";
import {LicenseToken} from "./LicenseToken.sol";
import {RoyaltySink} from "./RoyaltySink.sol";
import {Ancestry} from "./libraries/Ancestry.sol";
import {
    LicenseTerms, License, Offer, LicenseUse, DisputeStatus, RevenueSource, BPS
} from "./types/GenIPTypes.sol";

/// @title Gen-IP licensing hub
/// @notice See {ILicensingHub} for the money rules (pull payments, the split, absolute royalty stacking,
/// disputes). The hub deploys its {LicenseToken} and {RoyaltySink} implementation itself.
/// @dev NEVER break the solvency invariant in an override: for every currency, the hub's balance equals the sum
/// of `_balances` plus the sum of `_held`. Value enters only through {_collect} and {collectRoyalties}, is
/// credited in full by {_distribute} in the same call, and leaves only through {withdraw}.
contract LicensingHub is ILicensingHub, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Ancestry for Ancestry.Builder;
    using Ancestry for mapping(uint256 => uint256);

    /// @notice Role allowed to raise and resolve disputes.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Cap on the platform fee (10 %).
    uint16 public constant MAX_PLATFORM_FEE_BPS = 1_000;
    /// @notice Most parents a derivative may have.
    uint256 public constant MAX_PARENTS = 16;
    /// @notice Most distinct ancestors an asset may have.
    uint256 public constant MAX_ANCESTORS = 32;
    /// @notice Deepest lineage: a root has depth 0, its derivative 1, and so on.
    uint256 public constant MAX_DEPTH = 8;

    /// @dev The enforced part of registered terms (one slot). `exists` tells registered ids apart.
    struct TermsFlags {
        bool exists;
        bool commercialUse;
        bool derivativesAllowed;
        bool transferable;
        uint16 revShareBps;
    }

    /// @dev Per-asset lineage summary and dispute state (one slot); ancestry entries live in `_ancestors`.
    struct AssetState {
        uint16 royaltyStackBps;
        uint8 depth;
        uint8 ancestorCount;
        DisputeStatus dispute;
        address disputeRecipient;
    }

    /// @inheritdoc ILicensingHub
    IGenIPRegistry public immutable registry;
    /// @inheritdoc ILicensingHub
    ILicenseToken public immutable licenseToken;
    /// @notice Implementation cloned for each asset's royalty sink.
    address public immutable sinkImplementation;

    uint16 private _feeBps;
    address private _feeRecipient;
    uint256 private _termsCount;
    /// @inheritdoc ILicensingHub
    uint256 public totalOffers;

    mapping(bytes32 termsHash => uint256 termsId) private _termsIdOf;
    mapping(uint256 termsId => TermsFlags) private _terms;
    mapping(uint256 offerId => Offer) private _offers;
    mapping(uint256 assetId => AssetState) private _assets;
    mapping(uint256 assetId => mapping(uint256 word => uint256)) private _ancestors;
    mapping(address account => mapping(address currency => uint256)) private _balances;
    mapping(uint256 assetId => mapping(address currency => uint256)) private _held;

    /// @dev The sink being swept: the only sender whose native transfers the hub accepts.
    address private transient _sweepingSink;

    constructor(IGenIPRegistry registry_, address admin, uint48 adminDelay, uint16 feeBps, address feeRecipient)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        registry = registry_;
        licenseToken = new LicenseToken();
        sinkImplementation = address(new RoyaltySink());
        _setPlatformFee(feeBps, feeRecipient);
    }

    /// @notice Accepts native currency only from a royalty sink during {collectRoyalties}.
    receive() external payable {
        if (msg.sender != _sweepingSink) revert UnexpectedNativeTransfer(msg.sender);
    }

    // ─────────────────────────────── terms & offers ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function registerTerms(LicenseTerms calldata terms) public returns (uint256 termsId) {
        bytes32 termsHash = keccak256(abi.encode(terms));
        termsId = _termsIdOf[termsHash];
        if (termsId != 0) return termsId;
        if (terms.revShareBps > BPS) revert RevShareTooHigh(terms.revShareBps);
        termsId = ++_termsCount;
        _termsIdOf[termsHash] = termsId;
        _terms[termsId] = TermsFlags({
            exists: true,
            commercialUse: terms.commercialUse,
            derivativesAllowed: terms.derivativesAllowed,
            transferable: terms.transferable,
            revShareBps: terms.revShareBps
        });
        emit TermsRegistered(termsId, termsHash, terms);
    }

    /// @inheritdoc ILicensingHub
    function createOffer(
        uint256 assetId,
        LicenseTerms calldata terms,
        address currency,
        uint256 price,
        uint32 duration,
        uint32 supplyCap
    ) external returns (uint256 offerId) {
        _requireOwnerOrOperator(assetId);
        _requireUndisputed(assetId);
        if (price > type(uint96).max) revert PriceTooHigh(price);
        uint256 termsId = registerTerms(terms);
        offerId = ++totalOffers;
        _offers[offerId] = Offer({
            assetId: uint64(assetId),
            termsId: uint64(termsId),
            duration: duration,
            supplyCap: supplyCap,
            sold: 0,
            paused: false,
            currency: currency,
            price: uint96(price)
        });
        emit OfferCreated(offerId, assetId, termsId, currency, price, duration, supplyCap, msg.sender);
    }

    /// @inheritdoc ILicensingHub
    function setOfferPaused(uint256 offerId, bool paused) external {
        Offer storage o = _offers[offerId];
        uint256 assetId = o.assetId;
        if (assetId == 0) revert UnknownOffer(offerId);
        _requireOwnerOrOperator(assetId);
        o.paused = paused;
        emit OfferPauseSet(offerId, assetId, paused);
    }

    /// @inheritdoc ILicensingHub
    function buyLicense(uint256 offerId, address holder) external payable nonReentrant returns (uint256 licenseId) {
        if (holder == address(0)) revert ZeroAddress();
        Offer memory o = _offers[offerId];
        if (o.assetId == 0) revert UnknownOffer(offerId);
        if (o.paused) revert OfferNotActive(offerId);
        _requireUndisputed(o.assetId);
        if (o.supplyCap != 0 && o.sold >= o.supplyCap) revert OfferSoldOut(offerId, o.supplyCap);
        _offers[offerId].sold = o.sold + 1;

        _collect(o.currency, o.price);

        TermsFlags memory t = _terms[o.termsId];
        uint40 expiresAt = o.duration == 0 ? 0 : uint40(block.timestamp + o.duration);
        licenseId = licenseToken.mint(
            holder,
            License({
                assetId: o.assetId,
                offerId: uint64(offerId),
                expiresAt: expiresAt,
                revShareBps: t.revShareBps,
                commercialUse: t.commercialUse,
                derivativesAllowed: t.derivativesAllowed,
                transferable: t.transferable,
                usedForDerivative: false
            })
        );
        emit LicensePurchased(licenseId, offerId, o.assetId, msg.sender, holder, o.currency, o.price, expiresAt);
        if (o.price != 0) _distribute(o.assetId, o.currency, o.price, RevenueSource.LicenseSale);
    }

    // ─────────────────────────────── derivatives ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function registerDerivative(uint256[] calldata licenseIds, IGenIPRegistry.Work calldata work)
        external
        nonReentrant
        returns (uint256 assetId)
    {
        uint256 n = licenseIds.length;
        if (n == 0) revert NoParents();
        if (n > MAX_PARENTS) revert TooManyParents(n, MAX_PARENTS);

        uint256[] memory parentIds = new uint256[](n);
        uint16[] memory parentShares = new uint16[](n);
        Ancestry.Builder memory b = Ancestry.builder(MAX_ANCESTORS);
        uint256 depth;

        for (uint256 i; i < n; ++i) {
            uint256 licenseId = licenseIds[i];
            License memory l = _usableForDerivative(licenseId);
            uint256 parent = l.assetId;
            for (uint256 j; j < i; ++j) {
                if (parentIds[j] == parent) revert DuplicateParent(parent);
            }
            _requireUndisputed(parent);
            parentIds[i] = parent;
            parentShares[i] = l.revShareBps;

            b.add(parent, l.revShareBps);
            AssetState memory p = _assets[parent];
            mapping(uint256 => uint256) storage words = _ancestors[parent];
            for (uint256 k; k < p.ancestorCount; ++k) {
                (uint256 ancestor, uint16 share) = words.at(k);
                b.add(ancestor, share);
            }
            if (p.depth + 1 > depth) depth = p.depth + 1;
        }
        if (depth > MAX_DEPTH) revert LineageTooDeep(depth, MAX_DEPTH);
        if (b.stack > BPS) revert RoyaltyStackTooHigh(b.stack);

        assetId = registry.mintDerivative(msg.sender, work);
        for (uint256 i; i < n; ++i) {
            licenseToken.markUsed(licenseIds[i], assetId);
        }
        _assets[assetId] = AssetState({
            royaltyStackBps: uint16(b.stack),
            depth: uint8(depth),
            ancestorCount: uint8(b.count),
            dispute: DisputeStatus.None,
            disputeRecipient: address(0)
        });
        b.store(_ancestors[assetId]);

        (uint256[] memory ancestorIds, uint16[] memory ancestorShares) = b.trimmed();
        emit DerivativeRegistered(
            assetId,
            msg.sender,
            parentIds,
            licenseIds,
            parentShares,
            ancestorIds,
            ancestorShares,
            uint16(b.stack),
            uint8(depth)
        );
    }

    /// @dev The caller's licence `licenseId`, checked usable for a derivative now.
    function _usableForDerivative(uint256 licenseId) private view returns (License memory l) {
        if (licenseId == 0 || licenseId > licenseToken.totalLicenses()) revert UnknownLicense(licenseId);
        l = licenseToken.licenseOf(licenseId);
        address holder = IERC721(address(licenseToken)).ownerOf(licenseId);
        if (holder != msg.sender) revert NotLicenseHolder(licenseId, msg.sender, holder);
        if (!l.derivativesAllowed) revert DerivativesNotAllowed(licenseId);
        if (l.usedForDerivative) revert LicenseAlreadyUsed(licenseId);
        if (l.expiresAt != 0 && l.expiresAt <= block.timestamp) revert LicenseExpired(licenseId, l.expiresAt);
    }

    // ─────────────────────────────── revenue ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function payRevenue(uint256 assetId, address currency, uint256 amount) external payable nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _requireAsset(assetId);
        _collect(currency, amount);
        _distribute(assetId, currency, amount, RevenueSource.Direct);
    }

    /// @inheritdoc ILicensingHub
    function collectRoyalties(uint256 assetId, address currency) external nonReentrant returns (uint256 amount) {
        _requireAsset(assetId);
        bytes32 salt = bytes32(assetId);
        address sink = Clones.predictDeterministicAddress(sinkImplementation, salt);
        if (sink.code.length == 0) {
            Clones.cloneDeterministic(sinkImplementation, salt);
            emit RoyaltySinkDeployed(assetId, sink);
        }
        uint256 before = _selfBalance(currency);
        _sweepingSink = sink;
        amount = IRoyaltySink(sink).sweep(currency);
        _sweepingSink = address(0);
        uint256 received = _selfBalance(currency) - before;
        if (received != amount) revert TransferAmountMismatch(currency, amount, received);
        if (amount != 0) _distribute(assetId, currency, amount, RevenueSource.Royalty);
    }

    /// @inheritdoc ILicensingHub
    function withdraw(address currency) external nonReentrant returns (uint256 amount) {
        amount = _balances[msg.sender][currency];
        if (amount == 0) revert NothingToWithdraw(msg.sender, currency);
        _balances[msg.sender][currency] = 0;
        emit Withdrawn(msg.sender, currency, amount);
        if (currency == address(0)) Address.sendValue(payable(msg.sender), amount);
        else IERC20(currency).safeTransfer(msg.sender, amount);
    }

    /// @dev Takes `amount` of `currency` from the caller: exact native value, or an exact ERC-20 transferFrom.
    function _collect(address currency, uint256 amount) private {
        if (currency == address(0)) {
            if (msg.value != amount) revert WrongPayment(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert WrongPayment(0, msg.value);
        if (amount == 0) return;
        IERC20 token = IERC20(currency);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert TransferAmountMismatch(currency, amount, received);
    }

    /// @dev Splits `amount` paid to `assetId`: platform fee, each ancestor's share of the rest, owner takes what
    /// is left. Credits add up to `amount` exactly.
    function _distribute(uint256 assetId, address currency, uint256 amount, RevenueSource source) private {
        uint256 fee = amount * _feeBps / BPS;
        emit RevenuePaid(assetId, msg.sender, currency, amount, fee, source);
        if (fee != 0) _creditAccount(_feeRecipient, currency, 0, fee, assetId);
        uint256 rest = _payAncestors(assetId, currency, amount - fee);
        _creditAsset(assetId, currency, rest, assetId);
    }

    /// @dev Credits each ancestor of `assetId` its share of `net`; returns what is left for the asset itself.
    function _payAncestors(uint256 assetId, address currency, uint256 net) private returns (uint256 rest) {
        rest = net;
        uint256 count = _assets[assetId].ancestorCount;
        for (uint256 i; i < count; ++i) {
            (uint256 ancestor, uint16 share) = _ancestors[assetId].at(i);
            uint256 cut = net * share / BPS;
            rest -= cut;
            _creditAsset(ancestor, currency, cut, assetId);
        }
    }

    function _creditAccount(address account, address currency, uint256 assetId, uint256 amount, uint256 source)
        private
    {
        _balances[account][currency] += amount;
        emit Credited(account, currency, assetId, amount, source);
    }

    /// @dev Credits `amount` owed to `assetId`: held while disputed, the arbiter's recipient once upheld, the
    /// certificate's owner otherwise.
    function _creditAsset(uint256 assetId, address currency, uint256 amount, uint256 sourceAssetId) private {
        if (amount == 0) return;
        AssetState storage s = _assets[assetId];
        DisputeStatus status = s.dispute;
        if (status == DisputeStatus.Open) {
            _held[assetId][currency] += amount;
            emit RevenueHeld(assetId, currency, amount, sourceAssetId);
            return;
        }
        address account = status == DisputeStatus.Upheld ? s.disputeRecipient : _certificates().ownerOf(assetId);
        _creditAccount(account, currency, assetId, amount, sourceAssetId);
    }

    // ─────────────────────────────── disputes ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function raiseDispute(uint256 assetId, bytes32 evidenceHash) external onlyRole(ARBITER_ROLE) {
        _requireAsset(assetId);
        AssetState storage s = _assets[assetId];
        if (s.dispute == DisputeStatus.Open) revert DisputeAlreadyOpen(assetId);
        if (s.dispute == DisputeStatus.Upheld) revert AssetDisputed(assetId, DisputeStatus.Upheld);
        s.dispute = DisputeStatus.Open;
        emit DisputeRaised(assetId, msg.sender, evidenceHash);
    }

    /// @inheritdoc ILicensingHub
    function resolveDispute(uint256 assetId, bool upheld, address recipient, bytes32 resolutionHash)
        external
        onlyRole(ARBITER_ROLE)
    {
        AssetState storage s = _assets[assetId];
        if (s.dispute != DisputeStatus.Open) revert NoOpenDispute(assetId);
        if (upheld) {
            if (recipient == address(0)) revert ZeroAddress();
            s.dispute = DisputeStatus.Upheld;
            s.disputeRecipient = recipient;
        } else {
            recipient = address(0);
            s.dispute = DisputeStatus.Cleared;
        }
        emit DisputeResolved(assetId, msg.sender, upheld, recipient, resolutionHash);
    }

    /// @inheritdoc ILicensingHub
    function releaseHeld(uint256 assetId, address currency) external nonReentrant returns (uint256 amount) {
        AssetState storage s = _assets[assetId];
        if (s.dispute == DisputeStatus.Open) revert HeldUntilResolved(assetId);
        amount = _held[assetId][currency];
        if (amount == 0) revert NothingHeld(assetId, currency);
        _held[assetId][currency] = 0;
        address account = s.dispute == DisputeStatus.Upheld ? s.disputeRecipient : _certificates().ownerOf(assetId);
        emit HeldReleased(assetId, currency, account, amount);
        _creditAccount(account, currency, assetId, amount, 0);
    }

    // ─────────────────────────────── admin ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function setPlatformFee(uint16 bps, address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPlatformFee(bps, recipient);
    }

    function _setPlatformFee(uint16 bps, address recipient) private {
        if (bps > MAX_PLATFORM_FEE_BPS) revert FeeTooHigh(bps, MAX_PLATFORM_FEE_BPS);
        if (recipient == address(0)) revert ZeroAddress();
        _feeBps = bps;
        _feeRecipient = recipient;
        emit PlatformFeeSet(bps, recipient);
    }

    // ─────────────────────────────── views ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function licenseStatus(uint256 assetId, address account, LicenseUse use)
        external
        view
        returns (bool licensed, uint256 licenseId, uint64 expiresAt)
    {
        if (assetId == 0 || assetId > registry.totalAssets()) return (false, 0, 0);
        if (_certificates().ownerOf(assetId) == account) return (true, 0, 0);
        uint256[] memory ids = licenseToken.licensesOf(account, assetId);
        for (uint256 i; i < ids.length; ++i) {
            License memory l = licenseToken.licenseOf(ids[i]);
            if (l.expiresAt != 0 && l.expiresAt <= block.timestamp) continue;
            if (use == LicenseUse.Commercial && !l.commercialUse) continue;
            if (use == LicenseUse.Derivative && (!l.derivativesAllowed || l.usedForDerivative)) continue;
            // Prefer perpetual, then the latest expiry.
            bool better = !licensed || (expiresAt != 0 && (l.expiresAt == 0 || l.expiresAt > expiresAt));
            if (better) (licensed, licenseId, expiresAt) = (true, ids[i], l.expiresAt);
        }
    }

    /// @inheritdoc ILicensingHub
    function ancestry(uint256 assetId) external view returns (uint256[] memory ancestorIds, uint16[] memory shareBps) {
        uint256 count = _assets[assetId].ancestorCount;
        ancestorIds = new uint256[](count);
        shareBps = new uint16[](count);
        mapping(uint256 => uint256) storage words = _ancestors[assetId];
        for (uint256 i; i < count; ++i) {
            (ancestorIds[i], shareBps[i]) = words.at(i);
        }
    }

    /// @inheritdoc ILicensingHub
    function royaltyStack(uint256 assetId) external view returns (uint16) {
        return _assets[assetId].royaltyStackBps;
    }

    /// @inheritdoc ILicensingHub
    function balanceOf(address account, address currency) external view returns (uint256) {
        return _balances[account][currency];
    }

    /// @inheritdoc ILicensingHub
    function heldOf(uint256 assetId, address currency) external view returns (uint256) {
        return _held[assetId][currency];
    }

    /// @inheritdoc ILicensingHub
    function disputeOf(uint256 assetId) external view returns (DisputeStatus status, address recipient) {
        AssetState storage s = _assets[assetId];
        return (s.dispute, s.disputeRecipient);
    }

    /// @inheritdoc ILicensingHub
    function royaltySinkOf(uint256 assetId) external view returns (address) {
        return Clones.predictDeterministicAddress(sinkImplementation, bytes32(assetId));
    }

    /// @inheritdoc ILicensingHub
    function offer(uint256 offerId) external view returns (Offer memory o) {
        o = _offers[offerId];
        if (o.assetId == 0) revert UnknownOffer(offerId);
    }

    /// @inheritdoc ILicensingHub
    function termsFlags(uint256 termsId)
        external
        view
        returns (bool commercialUse, bool derivativesAllowed, bool transferable, uint16 revShareBps)
    {
        TermsFlags memory t = _terms[termsId];
        if (!t.exists) revert UnknownTerms(termsId);
        return (t.commercialUse, t.derivativesAllowed, t.transferable, t.revShareBps);
    }

    /// @inheritdoc ILicensingHub
    function termsIdOf(bytes32 termsHash) external view returns (uint256) {
        return _termsIdOf[termsHash];
    }

    /// @inheritdoc ILicensingHub
    function platformFee() external view returns (uint16 bps, address recipient) {
        return (_feeBps, _feeRecipient);
    }

    // ─────────────────────────────── internals ───────────────────────────────

    function _requireAsset(uint256 assetId) private view {
        if (assetId == 0 || assetId > registry.totalAssets()) revert UnknownAsset(assetId);
    }

    function _requireUndisputed(uint256 assetId) private view {
        DisputeStatus status = _assets[assetId].dispute;
        if (status == DisputeStatus.Open || status == DisputeStatus.Upheld) revert AssetDisputed(assetId, status);
    }

    function _requireOwnerOrOperator(uint256 assetId) private view {
        _requireAsset(assetId);
        IERC721 certificates = _certificates();
        address owner = certificates.ownerOf(assetId);
        if (msg.sender != owner && !certificates.isApprovedForAll(owner, msg.sender)) {
            revert NotAssetOwner(assetId, msg.sender, owner);
        }
    }

    function _certificates() private view returns (IERC721) {
        return IERC721(address(registry));
    }

    function _selfBalance(address currency) private view returns (uint256) {
        return currency == address(0) ? address(this).balance : IERC20(currency).balanceOf(address(this));
    }
}
