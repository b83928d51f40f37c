// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IGenIPRegistry} from "./interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "./interfaces/ILicensingHub.sol";
import {ILicenseToken} from "./interfaces/ILicenseToken.sol";
import {IRoyaltySink} from "./interfaces/IRoyaltySink.sol";
import {IDisputeCourt} from "./interfaces/IDisputeCourt.sol";
import {LicenseToken} from "./LicenseToken.sol";
import {RoyaltySink} from "./RoyaltySink.sol";
import {Ancestry} from "./libraries/Ancestry.sol";
import {SinkProxy} from "./libraries/SinkProxy.sol";
import {RevenueSplit} from "./libraries/RevenueSplit.sol";
import {
    LicenseTerms, License, Offer, LicenseUse, DisputeStatus, Standing, RevenueSource, Tier, BPS
} from "./types/GenIPTypes.sol";

/// @title Gen-IP licensing hub
/// @notice See {ILicensingHub} for the money rules (pull payments, the split, absolute royalty stacking,
/// disputes, lapsing offers, derivative expiry). The hub deploys its {LicenseToken} and its {RoyaltySink}
/// implementation itself; the {DisputeCourt} is deployed beside it and connected once ({setCourt}).
/// @dev NEVER break the solvency invariant in an override: for every currency, the hub's balance equals the sum
/// of `_balances` plus the sum of `_held` (over assets and disputes). Value enters only through {_collect} and
/// {collectRoyalties}, is credited in full by {_distribute} in the same call, and leaves only through
/// {withdraw}. Held funds are keyed by the dispute that held them and leave that key only by {releaseHeld}, per
/// that dispute's final outcome.
contract LicensingHub is ILicensingHub, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Ancestry for Ancestry.Builder;
    using Ancestry for mapping(uint256 => uint256);

    /// @notice Role of platforms that may be named as a sale's referrer.
    bytes32 public constant REFERRER_ROLE = keccak256("REFERRER_ROLE");
    /// @notice Cap on the platform fee (10 %).
    uint16 public constant MAX_PLATFORM_FEE_BPS = 1_000;
    /// @notice Cap on the referral fee (5 %).
    uint16 public constant MAX_REFERRAL_FEE_BPS = 500;
    /// @notice Most parents a derivative may have.
    uint256 public constant MAX_PARENTS = 16;
    /// @notice Most distinct ancestors an asset may have.
    uint256 public constant MAX_ANCESTORS = 32;
    /// @notice Deepest lineage: a root has depth 0, its derivative 1, and so on.
    uint256 public constant MAX_DEPTH = 8;

    /// @dev A derivative's lineage while it is checked (memory only).
    struct Lineage {
        uint256[] parentIds;
        uint16[] parentShares;
        Ancestry.Builder builder;
        uint256 depth;
        uint40 expiresAt;
    }

    /// @dev The enforced part of registered terms (one slot). `exists` tells registered ids apart; `generation`:
    /// tier Generation (licences reusable for derivatives; implies `derivativesAllowed`).
    struct TermsFlags {
        bool exists;
        bool commercialUse;
        bool derivativesAllowed;
        bool transferable;
        uint16 revShareBps;
        bool generation;
    }

    /// @dev Per-asset lineage summary, expiry, standing and whether its latest prompt check failed (one slot,
    /// read by every sale anyway, so the failed-check policy costs a sale no extra storage read). The first
    /// ancestry entry (`ancestryHead`, see {Ancestry-store}) shares the slot, so a derivative of one root writes no
    /// other; the remaining entries live in `_ancestors`.
    struct AssetState {
        uint16 royaltyStackBps;
        uint8 depth;
        uint8 ancestorCount;
        uint40 expiresAt;
        Standing standing;
        uint64 disputeId;
        bool checkFailed;
        uint80 ancestryHead;
    }

    /// @inheritdoc ILicensingHub
    IGenIPRegistry public immutable registry;
    /// @inheritdoc ILicensingHub
    ILicenseToken public immutable licenseToken;
    /// @notice Implementation behind each asset's royalty-sink proxy.
    address public immutable sinkImplementation;
    bytes32 private immutable _sinkCodeHash;

    // The fee rates and their recipient share one slot: a split reads them together ({_distribute}).
    uint16 private _feeBps;
    uint16 private _referralBps;
    address private _feeRecipient;
    /// @inheritdoc ILicensingHub
    address public court;
    /// @inheritdoc ILicensingHub
    bool public failedCheckPolicy;
    uint256 private _termsCount;
    /// @inheritdoc ILicensingHub
    uint256 public totalOffers;

    mapping(bytes32 termsHash => uint256 termsId) private _termsIdOf;
    mapping(uint256 termsId => TermsFlags) private _terms;
    mapping(uint256 offerId => Offer) private _offers;
    mapping(uint256 assetId => AssetState) private _assets;
    mapping(uint256 assetId => mapping(uint256 word => uint256)) private _ancestors;
    mapping(address account => mapping(address currency => uint256)) private _balances;
    mapping(uint256 assetId => mapping(uint256 disputeId => mapping(address currency => uint256))) private _held;

    /// @dev The sink being swept: the only sender whose native transfers the hub accepts.
    address private transient _sweepingSink;

    constructor(IGenIPRegistry registry_, address admin, uint48 adminDelay, uint16 feeBps, address feeRecipient)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        registry = registry_;
        licenseToken = new LicenseToken();
        sinkImplementation = address(new RoyaltySink());
        _sinkCodeHash = keccak256(SinkProxy.initCode(sinkImplementation));
        _setPlatformFee(feeBps, feeRecipient);
        failedCheckPolicy = true;
        emit FailedCheckPolicySet(true);
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
        bool generation = terms.tier == Tier.Generation;
        bool derivativesAllowed = terms.derivativesAllowed;
        // No arguments: the name is the whole condition, and the hub's runtime code is about 120 bytes under the
        // EIP-170 limit (24 576), so its bytes go to rules, not to constant error data.
        if (generation && !derivativesAllowed) revert GenerationNeedsDerivatives();
        termsId = ++_termsCount;
        _termsIdOf[termsHash] = termsId;
        _terms[termsId] = TermsFlags({
            exists: true,
            commercialUse: terms.commercialUse,
            derivativesAllowed: derivativesAllowed,
            transferable: terms.transferable,
            revShareBps: terms.revShareBps,
            generation: generation
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
        address owner = _requireOwnerOrOperator(assetId);
        _requireClear(assetId, false);
        if (price > type(uint96).max) revert PriceTooHigh(price);
        uint256 termsId = registerTerms(terms);
        offerId = ++totalOffers;
        _offers[offerId] = Offer({
            seller: owner,
            assetId: uint64(assetId),
            duration: duration,
            currency: currency,
            price: uint96(price),
            termsId: uint64(termsId),
            supplyCap: supplyCap,
            sold: 0,
            paused: false
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
    function buyLicense(uint256 offerId, address holder, address referrer)
        external
        payable
        nonReentrant
        returns (uint256 licenseId)
    {
        if (holder == address(0)) revert ZeroAddress();
        Offer memory o = _offers[offerId];
        if (o.assetId == 0) revert UnknownOffer(offerId);
        if (o.paused) revert OfferNotActive(offerId);
        uint40 assetExpiry = _requireClear(o.assetId, true);
        address owner = _certificates().ownerOf(o.assetId);
        if (owner != o.seller) revert OfferLapsed(offerId, o.seller, owner);
        if (o.supplyCap != 0 && o.sold >= o.supplyCap) revert OfferSoldOut(offerId, o.supplyCap);
        if (referrer != address(0) && !hasRole(REFERRER_ROLE, referrer)) revert NotAReferrer(referrer);
        _offers[offerId].sold = o.sold + 1;

        _collect(o.currency, o.price);

        TermsFlags storage t = _terms[o.termsId];
        uint40 expiresAt = o.duration == 0 ? 0 : uint40(block.timestamp + o.duration);
        if (assetExpiry != 0 && (expiresAt == 0 || expiresAt > assetExpiry)) expiresAt = assetExpiry;
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
                usedForDerivative: false,
                generation: t.generation
            })
        );
        emit LicensePurchased(
            licenseId, offerId, o.assetId, msg.sender, holder, o.currency, o.price, expiresAt, referrer
        );
        if (o.price != 0) _distribute(o.assetId, o.currency, o.price, RevenueSource.LicenseSale, referrer);
    }

    // ─────────────────────────────── derivatives ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function registerDerivative(
        uint256[] calldata licenseIds,
        IGenIPRegistry.Work calldata work,
        bytes32 salt,
        bytes32[] calldata proof
    ) external nonReentrant returns (uint256 assetId) {
        Lineage memory lin = _lineage(licenseIds);
        assetId = registry.mintDerivative(msg.sender, work, salt, proof);
        // The token uses up single-use licences and leaves generation licences as they are (see {LicenseToken}).
        for (uint256 i; i < licenseIds.length; ++i) {
            licenseToken.markUsed(licenseIds[i], assetId);
        }
        _recordLineage(assetId, lin);

        Ancestry.Builder memory b = lin.builder;
        (uint256[] memory ancestorIds, uint16[] memory ancestorShares) = b.trimmed();
        emit DerivativeRegistered(
            assetId,
            msg.sender,
            lin.parentIds,
            licenseIds,
            lin.parentShares,
            ancestorIds,
            ancestorShares,
            uint16(b.stack),
            uint8(lin.depth),
            lin.expiresAt
        );
    }

    /// @dev A derivative's lineage under the caller's licences `licenseIds`, checked: every licence usable,
    /// parents distinct and Clear, no ancestor Upheld or Tainted, bounds kept.
    function _lineage(uint256[] calldata licenseIds) private view returns (Lineage memory lin) {
        uint256 n = licenseIds.length;
        if (n == 0) revert NoParents();
        if (n > MAX_PARENTS) revert TooManyParents(n, MAX_PARENTS);
        lin.parentIds = new uint256[](n);
        lin.parentShares = new uint16[](n);
        lin.builder = Ancestry.builder(MAX_ANCESTORS);
        Ancestry.Builder memory b = lin.builder;

        for (uint256 i; i < n; ++i) {
            License memory l = _usableForDerivative(licenseIds[i]);
            uint256 parent = l.assetId;
            for (uint256 j; j < i; ++j) {
                if (lin.parentIds[j] == parent) revert DuplicateParent(parent);
            }
            uint40 parentExpiry = _requireClear(parent, false);
            lin.parentIds[i] = parent;
            lin.parentShares[i] = l.revShareBps;
            lin.expiresAt = _sooner(_sooner(lin.expiresAt, l.expiresAt), parentExpiry);

            b.add(parent, l.revShareBps);
            AssetState storage p = _assets[parent];
            uint256 ancestorCount = p.ancestorCount;
            {
                uint256 depth = uint256(p.depth) + 1;
                if (depth > lin.depth) lin.depth = depth;
            }
            uint80 head = p.ancestryHead;
            mapping(uint256 => uint256) storage words = _ancestors[parent];
            for (uint256 k; k < ancestorCount; ++k) {
                (uint256 ancestor, uint16 share) = words.at(head, k);
                Standing standing = _assets[ancestor].standing;
                if (standing == Standing.Upheld || standing == Standing.Tainted) {
                    revert AssetNotClear(ancestor, standing);
                }
                b.add(ancestor, share);
            }
        }
        if (lin.depth > MAX_DEPTH) revert LineageTooDeep(lin.depth, MAX_DEPTH);
        if (b.stack > BPS) revert RoyaltyStackTooHigh(b.stack);
    }

    /// @dev Stores new derivative `assetId`'s ancestry and its whole state in one SSTORE, in {AssetState}'s layout
    /// (fields from the low bits up): stack, depth, count, expiry and the ancestry's head; standing Clear, no
    /// dispute, no failed check (zeros). A struct literal would be written field by field, each a read and a
    /// write of the slot, in more code than the hub has room for.
    function _recordLineage(uint256 assetId, Lineage memory lin) private {
        Ancestry.Builder memory b = lin.builder;
        uint256 state = uint256(uint16(b.stack)) | uint256(uint8(lin.depth)) << 16 | uint256(uint8(b.count)) << 24
            | uint256(lin.expiresAt) << 32 | uint256(b.store(_ancestors[assetId])) << 152;
        AssetState storage s = _assets[assetId];
        assembly ("memory-safe") {
            sstore(s.slot, state)
        }
    }

    /// @dev The sooner of two expiries, 0 meaning never.
    function _sooner(uint40 a, uint40 b) private pure returns (uint40) {
        if (a == 0) return b;
        if (b == 0) return a;
        return a < b ? a : b;
    }

    /// @dev The caller's licence `licenseId`, checked usable for a derivative now. A generation licence is never
    /// marked used, so the `usedForDerivative` check passes for it however often it was used.
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
        _distribute(assetId, currency, amount, RevenueSource.Direct, address(0));
    }

    /// @inheritdoc ILicensingHub
    function collectRoyalties(uint256 assetId, address currency) external nonReentrant returns (uint256 amount) {
        _requireAsset(assetId);
        bytes32 salt = bytes32(assetId);
        address sink = SinkProxy.predict(address(this), salt, _sinkCodeHash);
        if (sink.code.length == 0) {
            SinkProxy.deploy(sinkImplementation, salt);
            emit RoyaltySinkDeployed(assetId, sink);
        }
        uint256 before = _selfBalance(currency);
        _sweepingSink = sink;
        IRoyaltySink(sink).sweep(currency);
        _sweepingSink = address(0);
        // What arrived, not what the sink sent: a fee-on-transfer or rebasing token delivers less, and refusing
        // it would lock that asset's royalties in the sink for good.
        amount = _selfBalance(currency) - before;
        if (amount != 0) _distribute(assetId, currency, amount, RevenueSource.Royalty, address(0));
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

    /// @dev Splits `amount` paid to `assetId`: referral fee (when `referrer` is set), platform fee, each
    /// ancestor's share of the rest, owner takes what is left. Credits add up to `amount` exactly.
    function _distribute(uint256 assetId, address currency, uint256 amount, RevenueSource source, address referrer)
        private
    {
        (uint256 fee, uint256 referral, uint256 net) =
            RevenueSplit.fees(amount, _feeBps, _referralBps, referrer != address(0));
        emit RevenuePaid(assetId, msg.sender, currency, amount, fee, source);
        if (referral != 0) _creditAccount(referrer, currency, 0, referral, assetId);
        if (fee != 0) _creditAccount(_feeRecipient, currency, 0, fee, assetId);
        uint256 rest = _payAncestors(assetId, currency, net);
        _creditAsset(assetId, currency, rest, assetId);
    }

    /// @dev Credits each ancestor of `assetId` its share of `net`; returns what is left for the asset itself.
    function _payAncestors(uint256 assetId, address currency, uint256 net) private returns (uint256 rest) {
        rest = net;
        AssetState storage s = _assets[assetId];
        uint256 count = s.ancestorCount;
        uint80 head = s.ancestryHead;
        for (uint256 i; i < count; ++i) {
            (uint256 ancestor, uint16 share) = _ancestors[assetId].at(head, i);
            uint256 cut = RevenueSplit.cut(net, share);
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

    /// @dev Credits `amount` owed to `assetId`: to the certificate's owner while its standing is Clear, else
    /// held under the dispute behind its standing.
    function _creditAsset(uint256 assetId, address currency, uint256 amount, uint256 sourceAssetId) private {
        if (amount == 0) return;
        AssetState storage s = _assets[assetId];
        if (s.standing != Standing.Clear) {
            uint256 disputeId = s.disputeId;
            _held[assetId][disputeId][currency] += amount;
            emit RevenueHeld(assetId, disputeId, currency, amount, sourceAssetId);
            return;
        }
        _creditAccount(_certificates().ownerOf(assetId), currency, assetId, amount, sourceAssetId);
    }

    // ─────────────────────────────── prompt checks ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function recordPromptCheck(uint256 assetId, bool failed) external {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        _assets[assetId].checkFailed = failed;
    }

    /// @inheritdoc ILicensingHub
    function setFailedCheckPolicy(bool enforced) external onlyRole(DEFAULT_ADMIN_ROLE) {
        failedCheckPolicy = enforced;
        emit FailedCheckPolicySet(enforced);
    }

    // ─────────────────────────────── disputes ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function setStanding(uint256 assetId, Standing standing, uint256 disputeId) external {
        if (msg.sender != court) revert NotCourt(msg.sender);
        AssetState storage s = _assets[assetId];
        s.standing = standing;
        s.disputeId = uint64(disputeId);
        emit StandingSet(assetId, standing, disputeId);
    }

    /// @inheritdoc ILicensingHub
    function releaseHeld(uint256 assetId, uint256 disputeId, address currency)
        external
        nonReentrant
        returns (uint256 amount)
    {
        (DisputeStatus status, bool final_, address claimant) = IDisputeCourt(court).outcome(disputeId);
        if (!final_) revert HeldUntilResolved(assetId, disputeId);
        amount = _held[assetId][disputeId][currency];
        if (amount == 0) revert NothingHeld(assetId, disputeId, currency);
        _held[assetId][disputeId][currency] = 0;
        address account = status == DisputeStatus.Upheld ? claimant : _certificates().ownerOf(assetId);
        emit HeldReleased(assetId, disputeId, currency, account, amount);
        _creditAccount(account, currency, assetId, amount, 0);
    }

    // ─────────────────────────────── admin ───────────────────────────────

    /// @inheritdoc ILicensingHub
    function setPlatformFee(uint16 bps, address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPlatformFee(bps, recipient);
    }

    /// @inheritdoc ILicensingHub
    function setCourt(address newCourt) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (court != address(0)) revert CourtAlreadySet(court);
        if (newCourt == address(0)) revert ZeroAddress();
        court = newCourt;
        emit CourtSet(newCourt);
    }

    /// @inheritdoc ILicensingHub
    function setReferralFee(uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_REFERRAL_FEE_BPS) revert ReferralFeeTooHigh(bps, MAX_REFERRAL_FEE_BPS);
        _referralBps = bps;
        emit ReferralFeeSet(bps);
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
        AssetState storage s = _assets[assetId];
        if (s.standing != Standing.Clear) return (false, 0, 0);
        uint40 assetExpiry = s.expiresAt;
        if (use == LicenseUse.Derivative && assetExpiry != 0 && assetExpiry <= block.timestamp) return (false, 0, 0);
        if (_certificates().ownerOf(assetId) == account) return (true, 0, 0);
        licenseId = licenseToken.bestLicense(account, assetId, use);
        if (licenseId == 0) return (false, 0, 0);
        expiresAt = licenseToken.licenseOf(licenseId).expiresAt;
        if (expiresAt != 0 && expiresAt <= block.timestamp) return (false, 0, 0);
        licensed = true;
    }

    /// @inheritdoc ILicensingHub
    function ancestry(uint256 assetId) external view returns (uint256[] memory ancestorIds, uint16[] memory shareBps) {
        AssetState storage s = _assets[assetId];
        uint256 count = s.ancestorCount;
        uint80 head = s.ancestryHead;
        ancestorIds = new uint256[](count);
        shareBps = new uint16[](count);
        mapping(uint256 => uint256) storage words = _ancestors[assetId];
        for (uint256 i; i < count; ++i) {
            (ancestorIds[i], shareBps[i]) = words.at(head, i);
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
    function heldOf(uint256 assetId, uint256 disputeId, address currency) external view returns (uint256) {
        return _held[assetId][disputeId][currency];
    }

    /// @inheritdoc ILicensingHub
    function standingOf(uint256 assetId) external view returns (Standing standing, uint256 disputeId) {
        AssetState storage s = _assets[assetId];
        return (s.standing, s.disputeId);
    }

    /// @inheritdoc ILicensingHub
    function expiryOf(uint256 assetId) external view returns (uint64) {
        return _assets[assetId].expiresAt;
    }

    /// @inheritdoc ILicensingHub
    function royaltySinkOf(uint256 assetId) external view returns (address) {
        return SinkProxy.predict(address(this), bytes32(assetId), _sinkCodeHash);
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
        TermsFlags storage t = _terms[termsId];
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

    /// @inheritdoc ILicensingHub
    function referralFee() external view returns (uint16 bps) {
        return _referralBps;
    }

    // ─────────────────────────────── internals ───────────────────────────────

    function _requireAsset(uint256 assetId) private view {
        if (assetId == 0 || assetId > registry.totalAssets()) revert UnknownAsset(assetId);
    }

    /// @dev Reverts unless `assetId` may get new offers, licences and derivatives: standing Clear and rights
    /// not expired; for a `sale`, also a prompt check not failed while the failed-check policy is on (the policy
    /// flag is read only for a failed work: a sale of any other reads no more storage than before). Returns its
    /// expiry (0 = never).
    function _requireClear(uint256 assetId, bool sale) private view returns (uint40 expiresAt) {
        AssetState memory s = _assets[assetId];
        if (s.standing != Standing.Clear) revert AssetNotClear(assetId, s.standing);
        if (sale && s.checkFailed && failedCheckPolicy) revert PromptCheckFailed(assetId);
        expiresAt = s.expiresAt;
        if (expiresAt != 0 && expiresAt <= block.timestamp) revert AssetExpired(assetId, expiresAt);
    }

    function _requireOwnerOrOperator(uint256 assetId) private view returns (address owner) {
        _requireAsset(assetId);
        IERC721 certificates = _certificates();
        owner = certificates.ownerOf(assetId);
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
