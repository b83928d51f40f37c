// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "./IGenIPRegistry.sol";
import {ILicenseToken} from "./ILicenseToken.sol";
import {LicenseTerms, LicenseUse, DisputeStatus, RevenueSource, Offer} from "../types/GenIPTypes.sol";

/// @title Gen-IP licensing hub: offers, licences, derivatives, revenue and disputes
/// @notice Money rules (the invariant every function keeps): payments are pulled, never pushed. Every value that
/// reaches the hub is credited at once to account balances, or held for a disputed asset, so for each currency
/// `balance of the hub == sum of unwithdrawn credits + sum of held funds`. `address(0)` is the native currency.
///
/// Revenue split of any amount paid to asset D (licence sale, direct payment, ERC-2981 royalty):
///   1. the platform fee, `amount * platformFeeBps / 10 000`, goes to the fee recipient;
///   2. of the rest (`net`), each ancestor A of D gets `net * share(A, D) / 10 000`, rounded down;
///   3. D's owner gets what is left, rounding dust included, so the split always adds up to `amount`.
/// Shares stack absolutely: when D is registered under a licence on parent P whose terms carry `r`, then
/// `share(P, D) += r` and, for every ancestor A of P, `share(A, D) += share(A, P)`. D's royalty stack is the sum
/// of its ancestors' shares and never exceeds 100 %. An ancestor reached by several paths is paid once, with
/// the sum of what each path owes it. Lineage is bounded: at most {MAX_PARENTS} parents, {MAX_ANCESTORS}
/// distinct ancestors and depth {MAX_DEPTH}.
///
/// A credit meant for an asset under an open dispute is held; when the dispute is cleared it is released to the
/// asset's owner at that time; when it is upheld it goes to the recipient the arbiter named (the rightful
/// claimant), as does any later revenue of that asset.
interface ILicensingHub {
    // ─────────────────────────────── events ───────────────────────────────

    /// @notice New licence terms were registered under `termsId` (ids start at 1).
    event TermsRegistered(uint256 indexed termsId, bytes32 indexed termsHash, LicenseTerms terms);

    /// @notice `assetId`'s owner published an offer.
    event OfferCreated(
        uint256 indexed offerId,
        uint256 indexed assetId,
        uint256 indexed termsId,
        address currency,
        uint256 price,
        uint32 duration,
        uint32 supplyCap,
        address creator
    );

    /// @notice An offer was paused or resumed.
    event OfferPauseSet(uint256 indexed offerId, uint256 indexed assetId, bool paused);

    /// @notice A licence token was minted to `holder` for `price` paid by `buyer`.
    /// @param expiresAt 0 = perpetual.
    event LicensePurchased(
        uint256 indexed licenseId,
        uint256 indexed offerId,
        uint256 indexed assetId,
        address buyer,
        address holder,
        address currency,
        uint256 price,
        uint64 expiresAt
    );

    /// @notice A derivative was registered under licences on its parents (the licences are now used up for
    /// derivatives). `ancestorIds`/`ancestorShareBps` list every ancestor's absolute share of its revenue.
    event DerivativeRegistered(
        uint256 indexed assetId,
        address indexed creator,
        uint256[] parentIds,
        uint256[] licenseIds,
        uint16[] parentShareBps,
        uint256[] ancestorIds,
        uint16[] ancestorShareBps,
        uint16 royaltyStackBps,
        uint8 depth
    );

    /// @notice `amount` was paid to `assetId` and split; `fee` of it went to the platform.
    event RevenuePaid(
        uint256 indexed assetId,
        address indexed payer,
        address indexed currency,
        uint256 amount,
        uint256 fee,
        RevenueSource source
    );

    /// @notice `account`'s withdrawable balance grew by `amount`.
    /// @param assetId The asset whose share this is (0 for the platform fee).
    /// @param sourceAssetId The asset the revenue was paid to (0 when releasing held funds).
    event Credited(
        address indexed account,
        address indexed currency,
        uint256 indexed assetId,
        uint256 amount,
        uint256 sourceAssetId
    );

    /// @notice `amount` owed to disputed `assetId` was held.
    event RevenueHeld(uint256 indexed assetId, address indexed currency, uint256 amount, uint256 sourceAssetId);

    /// @notice Held funds of `assetId` were released to `account` (see the contract notes).
    event HeldReleased(uint256 indexed assetId, address indexed currency, address indexed account, uint256 amount);

    /// @notice `account` withdrew `amount` to itself.
    event Withdrawn(address indexed account, address indexed currency, uint256 amount);

    /// @notice An arbiter flagged `assetId`.
    event DisputeRaised(uint256 indexed assetId, address indexed arbiter, bytes32 evidenceHash);

    /// @notice An arbiter resolved `assetId`'s dispute. When upheld, `recipient` receives its held and future
    /// owner revenue.
    event DisputeResolved(
        uint256 indexed assetId, address indexed arbiter, bool upheld, address recipient, bytes32 resolutionHash
    );

    /// @notice The platform fee or its recipient changed.
    event PlatformFeeSet(uint16 bps, address indexed recipient);

    /// @notice The per-asset ERC-2981 royalty receiver was deployed at its predicted address.
    event RoyaltySinkDeployed(uint256 indexed assetId, address sink);

    // ─────────────────────────────── errors ───────────────────────────────

    error NotAssetOwner(uint256 assetId, address caller, address owner);
    error UnknownAsset(uint256 assetId);
    error UnknownOffer(uint256 offerId);
    error UnknownTerms(uint256 termsId);
    error UnknownLicense(uint256 licenseId);
    error OfferNotActive(uint256 offerId);
    error OfferSoldOut(uint256 offerId, uint32 supplyCap);
    /// @notice The offer's price does not fit its storage (uint96).
    error PriceTooHigh(uint256 price);
    /// @notice Native value sent does not match: `expected` wei were due, `sent` came.
    error WrongPayment(uint256 expected, uint256 sent);
    /// @notice An ERC-20 transfer delivered `received` instead of `expected` (fee-on-transfer tokens are refused).
    error TransferAmountMismatch(address currency, uint256 expected, uint256 received);
    error AssetDisputed(uint256 assetId, DisputeStatus status);
    error RevShareTooHigh(uint16 bps);
    error FeeTooHigh(uint16 bps, uint16 maxBps);
    error ZeroAddress();
    error ZeroAmount();
    error NoParents();
    error TooManyParents(uint256 count, uint256 max);
    error NotLicenseHolder(uint256 licenseId, address caller, address holder);
    error LicenseExpired(uint256 licenseId, uint64 expiresAt);
    error DerivativesNotAllowed(uint256 licenseId);
    error LicenseAlreadyUsed(uint256 licenseId);
    error DuplicateParent(uint256 parentId);
    error RoyaltyStackTooHigh(uint256 stackBps);
    error LineageTooDeep(uint256 depth, uint256 maxDepth);
    error TooManyAncestors(uint256 count, uint256 maxAncestors);
    error NothingToWithdraw(address account, address currency);
    error DisputeAlreadyOpen(uint256 assetId);
    error NoOpenDispute(uint256 assetId);
    error NothingHeld(uint256 assetId, address currency);
    error HeldUntilResolved(uint256 assetId);
    /// @notice Native currency arrived from someone other than a royalty sink being swept.
    error UnexpectedNativeTransfer(address sender);

    // ─────────────────────────────── terms & offers ───────────────────────────────

    /// @notice Registers `terms` (or finds them) and returns their id; identical terms share one id.
    function registerTerms(LicenseTerms calldata terms) external returns (uint256 termsId);

    /// @notice Publishes an offer on `assetId`. Caller: the certificate's owner or an operator approved for all.
    /// @param currency `address(0)` for the native currency, else an ERC-20.
    /// @param duration Licence lifetime in seconds from purchase; 0 = perpetual.
    /// @param supplyCap Maximum licences sold under this offer; 0 = unlimited.
    function createOffer(
        uint256 assetId,
        LicenseTerms calldata terms,
        address currency,
        uint256 price,
        uint32 duration,
        uint32 supplyCap
    ) external returns (uint256 offerId);

    /// @notice Pauses or resumes an offer (asset owner or operator).
    function setOfferPaused(uint256 offerId, bool paused) external;

    /// @notice Buys a licence under `offerId` for `holder` (a brand may buy for its agency or studio: the payer
    /// and the holder can differ). Native offers take exactly the price as value; ERC-20 offers take it by
    /// `transferFrom` (approve the hub first) and no value.
    function buyLicense(uint256 offerId, address holder) external payable returns (uint256 licenseId);

    // ─────────────────────────────── derivatives ───────────────────────────────

    /// @notice Registers a derivative work under licences the caller holds, one per parent. Each licence must
    /// allow derivatives, be unexpired and unused; each parent must be distinct and undisputed. The licences
    /// are used up for derivatives (they still grant their other rights).
    function registerDerivative(uint256[] calldata licenseIds, IGenIPRegistry.Work calldata work)
        external
        returns (uint256 assetId);

    // ─────────────────────────────── revenue ───────────────────────────────

    /// @notice Pays `amount` of `currency` to `assetId` (a game or an animation earning on it) and splits it.
    function payRevenue(uint256 assetId, address currency, uint256 amount) external payable;

    /// @notice Sweeps ERC-2981 royalties of `currency` that reached `assetId`'s royalty sink and splits them.
    /// Anyone may call; deploys the sink at its predicted address on first use.
    /// @return amount What was swept.
    function collectRoyalties(uint256 assetId, address currency) external returns (uint256 amount);

    /// @notice Sends the caller's whole balance of `currency` to the caller.
    function withdraw(address currency) external returns (uint256 amount);

    // ─────────────────────────────── disputes ───────────────────────────────

    /// @notice Flags `assetId` (arbiter only): new licences and derivatives on it revert, its revenue is held.
    function raiseDispute(uint256 assetId, bytes32 evidenceHash) external;

    /// @notice Resolves `assetId`'s open dispute (arbiter only). Cleared: held funds go to the owner on
    /// {releaseHeld}. Upheld: they, and the asset's future owner revenue, go to `recipient`; the asset stays
    /// closed to new licences and derivatives.
    function resolveDispute(uint256 assetId, bool upheld, address recipient, bytes32 resolutionHash) external;

    /// @notice Credits `assetId`'s held funds of `currency` per its resolved dispute. Anyone may call.
    function releaseHeld(uint256 assetId, address currency) external returns (uint256 amount);

    // ─────────────────────────────── admin ───────────────────────────────

    /// @notice Sets the platform fee (admin): at most {MAX_PLATFORM_FEE_BPS}, credited to `recipient`.
    function setPlatformFee(uint16 bps, address recipient) external;

    // ─────────────────────────────── views ───────────────────────────────

    /// @notice Whether `account` may use `assetId` for `use` right now, and under which licence. The asset's
    /// owner is always licensed (licenseId 0): it holds the IP itself. (To register a derivative *with lineage*
    /// the owner still needs a licence token, like anyone, since {registerDerivative} links parents through
    /// licences.) For Derivative, a licence already used for a derivative does not count. Among several valid
    /// licences the one that lasts longest is returned. Unknown assets answer (false, 0, 0).
    function licenseStatus(uint256 assetId, address account, LicenseUse use)
        external
        view
        returns (bool licensed, uint256 licenseId, uint64 expiresAt);

    /// @notice `assetId`'s ancestors and their absolute shares (basis points) of its revenue.
    function ancestry(uint256 assetId)
        external
        view
        returns (uint256[] memory ancestorIds, uint16[] memory shareBps);

    /// @notice Sum of `assetId`'s ancestors' shares, in basis points.
    function royaltyStack(uint256 assetId) external view returns (uint16);

    /// @notice Withdrawable balance of `account` in `currency`.
    function balanceOf(address account, address currency) external view returns (uint256);

    /// @notice Funds of `currency` held for disputed `assetId`.
    function heldOf(uint256 assetId, address currency) external view returns (uint256);

    /// @notice Dispute state of `assetId`.
    function disputeOf(uint256 assetId) external view returns (DisputeStatus status, address recipient);

    /// @notice Offer `offerId` (reverts for unknown ids).
    function offer(uint256 offerId) external view returns (Offer memory);

    /// @notice Number of offers ever created; the newest offer id.
    function totalOffers() external view returns (uint256);

    /// @notice The enforced part of terms `termsId`: (commercialUse, derivativesAllowed, transferable,
    /// revShareBps). Reverts for unknown ids.
    function termsFlags(uint256 termsId)
        external
        view
        returns (bool commercialUse, bool derivativesAllowed, bool transferable, uint16 revShareBps);

    /// @notice Id of the terms whose `keccak256(abi.encode(terms))` is `termsHash`, or 0.
    function termsIdOf(bytes32 termsHash) external view returns (uint256);

    /// @notice The platform fee in basis points and who receives it.
    function platformFee() external view returns (uint16 bps, address recipient);

    /// @notice The certificate registry.
    function registry() external view returns (IGenIPRegistry);

    /// @notice The licence token (deployed by the hub).
    function licenseToken() external view returns (ILicenseToken);

    /// @notice The deterministic address ERC-2981 royalties of `assetId` are paid to.
    function royaltySinkOf(uint256 assetId) external view returns (address);
}
