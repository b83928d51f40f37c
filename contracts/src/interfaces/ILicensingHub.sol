// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "./IGenIPRegistry.sol";
import {ILicenseToken} from "./ILicenseToken.sol";
import {LicenseTerms, LicenseUse, Standing, RevenueSource, Offer} from "../types/GenIPTypes.sol";

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
/// A referral fee (at most {MAX_REFERRAL_FEE_BPS}, set by the admin) is taken from a licence sale made through a
/// platform holding {REFERRER_ROLE}, before the platform fee, and credited to that platform.
///
/// Disputes are brought and ruled in the {IDisputeCourt} connected by {setCourt}; the court sets an asset's {Standing}
/// here. A credit meant for an asset whose standing is not Clear is held under the dispute that caused it
/// (each dispute holds its own funds, so a later dispute never touches what an earlier ruling decided). Held
/// funds are released by {releaseHeld}: to the asset's owner at that time once the dispute is cleared; to the
/// claimant once an upheld ruling is final (its appeal window has passed). An upheld or tainted asset keeps
/// holding its later revenue under the same dispute, so that revenue, too, goes to the claimant.
///
/// Offers belong to the owner who published them: when a certificate changes hands its earlier offers lapse
/// ({OfferLapsed}) and the new owner publishes their own, so a seller cannot leave cheap perpetual offers
/// behind for the buyer (nor a buyer inherit terms it never chose). Licences already sold stay valid.
/// (Should the certificate come back to the seller, the seller's own offers sell again: they are still theirs.)
///
/// A derivative inherits the shortest expiry of the parent licences it was registered under (and of its
/// parents' own expiries): from then on no new licences or derivatives can be had on it, and licences sold
/// on it never outlast it.
///
/// A failed prompt check has consequences: the registry reports every attestation here ({recordPromptCheck}),
/// and while the failed-check policy is on ({setFailedCheckPolicy}, on from deployment) no licence can be bought
/// on a work whose latest check failed ({PromptCheckFailed}). Licences already sold keep working, derivatives
/// included. (The registry refuses a passed check on a derivative while one of its ancestors' has failed.)
///
/// Generation licences (terms of tier {Tier-Generation}, which must allow derivatives): a licence on a resource
/// (a model, LoRA, workflow or prompt) that registers every work generated with it as a derivative of the
/// resource, so each work's revenue pays the resource its share up the royalty stack like any derivative's. Unlike
/// an Extended licence it is never used up: it registers any number of derivatives, one registration at a time
/// (still at most once per derivative, its parents distinct), while its holder holds it, it has not expired and
/// its asset is Clear (not disputed, upheld, tainted nor expired). Renouncing it or its expiry ends it; if its
/// terms make it transferable, whoever holds it may use it. {ILicenseToken-LicenseUsed} is emitted only when a
/// single-use licence is used up, never for a generation licence: the derivatives a generation licence
/// registered are the {DerivativeRegistered} events listing its id in `licenseIds`. The kind of work is not
/// stored on-chain, so the contracts cannot restrict Generation offers to models, workflows and prompts: the
/// off-chain layers do.
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
    /// @param referrer The platform the sale was made through (its fee is in {Credited}), or 0.
    event LicensePurchased(
        uint256 indexed licenseId,
        uint256 indexed offerId,
        uint256 indexed assetId,
        address buyer,
        address holder,
        address currency,
        uint256 price,
        uint64 expiresAt,
        address referrer
    );

    /// @notice A derivative was registered under licences on its parents (single-use licences are now used up for
    /// derivatives, each with its {ILicenseToken-LicenseUsed}; generation licences are not, and emit nothing
    /// else). `ancestorIds`/`ancestorShareBps` list every ancestor's absolute share of its revenue.
    /// @param expiresAt When the derivative's own rights end (the shortest parent licence); 0 = never.
    event DerivativeRegistered(
        uint256 indexed assetId,
        address indexed creator,
        uint256[] parentIds,
        uint256[] licenseIds,
        uint16[] parentShareBps,
        uint256[] ancestorIds,
        uint16[] ancestorShareBps,
        uint16 royaltyStackBps,
        uint8 depth,
        uint64 expiresAt
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

    /// @notice `amount` owed to `assetId` was held under dispute `disputeId`.
    event RevenueHeld(
        uint256 indexed assetId, uint256 indexed disputeId, address indexed currency, uint256 amount, uint256 sourceAssetId
    );

    /// @notice Funds of `assetId` held under `disputeId` were released to `account` (see the contract notes).
    event HeldReleased(
        uint256 indexed assetId, uint256 indexed disputeId, address indexed currency, address account, uint256 amount
    );

    /// @notice `account` withdrew `amount` to itself.
    event Withdrawn(address indexed account, address indexed currency, uint256 amount);

    /// @notice The dispute court set `assetId`'s standing (because of dispute `disputeId`; 0 when Clear).
    event StandingSet(uint256 indexed assetId, Standing standing, uint256 indexed disputeId);

    /// @notice The dispute court was connected (once, at deployment).
    event CourtSet(address indexed court);

    /// @notice The referral fee changed.
    event ReferralFeeSet(uint16 bps);

    /// @notice The platform fee or its recipient changed.
    event PlatformFeeSet(uint16 bps, address indexed recipient);

    /// @notice The admin switched the failed-check policy: while `enforced`, works whose prompt check failed
    /// sell no licences. Emitted by the constructor too (on).
    event FailedCheckPolicySet(bool enforced);

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
    error RevShareTooHigh(uint16 bps);
    /// @notice Terms of tier Generation must allow derivatives (these have `derivativesAllowed` false).
    error GenerationNeedsDerivatives();
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
    /// @notice `assetId`'s standing is `standing` (not Clear): no offers, licences or derivatives on it.
    error AssetNotClear(uint256 assetId, Standing standing);
    /// @notice `assetId`'s rights ended at `expiresAt` (a derivative under a time-limited licence).
    error AssetExpired(uint256 assetId, uint64 expiresAt);
    /// @notice Offer `offerId` was published by `seller`, who no longer owns the certificate (`owner` does).
    error OfferLapsed(uint256 offerId, address seller, address owner);
    /// @notice `referrer` is not a platform with {REFERRER_ROLE}.
    error NotAReferrer(address referrer);
    /// @notice A referral fee of `bps` is above the cap `maxBps`.
    error ReferralFeeTooHigh(uint16 bps, uint16 maxBps);
    /// @notice Nothing of `currency` is held for `assetId` under `disputeId`.
    error NothingHeld(uint256 assetId, uint256 disputeId, address currency);
    /// @notice Funds held under `disputeId` wait for its ruling (or for its appeal window to pass).
    error HeldUntilResolved(uint256 assetId, uint256 disputeId);
    /// @notice Only the dispute court may do this; `caller` is not it.
    error NotCourt(address caller);
    /// @notice The dispute court is already set to `court`.
    error CourtAlreadySet(address court);
    /// @notice Native currency arrived from someone other than a royalty sink being swept.
    error UnexpectedNativeTransfer(address sender);
    /// @notice Only the registry may do this; `caller` is not it.
    error NotRegistry(address caller);
    /// @notice `assetId`'s prompt check failed and the failed-check policy is on: no new licences on it.
    error PromptCheckFailed(uint256 assetId);

    // ─────────────────────────────── terms & offers ───────────────────────────────

    /// @notice Registers `terms` (or finds them) and returns their id; identical terms share one id. Terms of tier
    /// Generation must allow derivatives ({GenerationNeedsDerivatives}).
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
    /// @param referrer The platform that made the sale (holder of {REFERRER_ROLE}; it is credited the referral
    /// fee), or `address(0)`.
    function buyLicense(uint256 offerId, address holder, address referrer)
        external
        payable
        returns (uint256 licenseId);

    // ─────────────────────────────── derivatives ───────────────────────────────

    /// @notice Registers a derivative work under licences the caller holds, one per parent. Each licence must
    /// allow derivatives, be unexpired and, unless it is a generation licence, unused; each parent must be
    /// distinct and undisputed. Single-use licences are used up for derivatives (they still grant their other
    /// rights); generation licences stay usable for further derivatives.
    /// `salt` and `proof` open the registration commitment, as for {IGenIPRegistry-register}.
    function registerDerivative(
        uint256[] calldata licenseIds,
        IGenIPRegistry.Work calldata work,
        bytes32 salt,
        bytes32[] calldata proof
    ) external returns (uint256 assetId);

    // ─────────────────────────────── revenue ───────────────────────────────

    /// @notice Pays `amount` of `currency` to `assetId` (a game or an animation earning on it) and splits it.
    function payRevenue(uint256 assetId, address currency, uint256 amount) external payable;

    /// @notice Sweeps ERC-2981 royalties of `currency` that reached `assetId`'s royalty sink and splits them.
    /// Anyone may call; deploys the sink at its predicted address on first use.
    /// @return amount What was swept.
    function collectRoyalties(uint256 assetId, address currency) external returns (uint256 amount);

    /// @notice Sends the caller's whole balance of `currency` to the caller.
    function withdraw(address currency) external returns (uint256 amount);

    // ─────────────────────────────── prompt checks ───────────────────────────────

    /// @notice Records whether `assetId`'s latest prompt check `failed` (registry only, from its attestation).
    function recordPromptCheck(uint256 assetId, bool failed) external;

    /// @notice Switches the failed-check policy (admin only): while on, {buyLicense} refuses works whose latest
    /// prompt check failed. Licences already sold are never affected.
    function setFailedCheckPolicy(bool enforced) external;

    /// @notice Whether the failed-check policy is on.
    function failedCheckPolicy() external view returns (bool enforced);

    // ─────────────────────────────── disputes ───────────────────────────────

    /// @notice Sets `assetId`'s standing (dispute court only).
    function setStanding(uint256 assetId, Standing standing, uint256 disputeId) external;

    /// @notice Credits `assetId`'s funds of `currency` held under `disputeId` per that dispute's ruling: to the
    /// owner when cleared, to the claimant when upheld and final. Anyone may call.
    function releaseHeld(uint256 assetId, uint256 disputeId, address currency) external returns (uint256 amount);

    // ─────────────────────────────── admin ───────────────────────────────

    /// @notice Sets the platform fee (admin): at most {MAX_PLATFORM_FEE_BPS}, credited to `recipient`.
    function setPlatformFee(uint16 bps, address recipient) external;

    /// @notice Connects the dispute court (admin, once).
    function setCourt(address court) external;

    /// @notice Sets the referral fee (admin): at most {MAX_REFERRAL_FEE_BPS} of each referred licence sale.
    function setReferralFee(uint16 bps) external;

    // ─────────────────────────────── views ───────────────────────────────

    /// @notice Whether `account` may use `assetId` for `use` right now, and under which licence. The asset's
    /// owner is always licensed (licenseId 0): it holds the IP itself. (To register a derivative *with lineage*
    /// the owner still needs a licence token, like anyone, since {registerDerivative} links parents through
    /// licences.) For Derivative, a single-use licence already used for a derivative does not count (a generation
    /// licence counts however many derivatives it registered), and an expired asset licenses no derivative. An
    /// asset whose standing is not Clear licenses nobody for anything, its owner included (as {buyLicense} and
    /// {registerDerivative} refuse it). Among several valid licences the one that lasts longest is returned; the
    /// answer costs the same however many licences the account holds. Unknown assets answer (false, 0, 0).
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

    /// @notice Funds of `currency` held for `assetId` under dispute `disputeId`.
    function heldOf(uint256 assetId, uint256 disputeId, address currency) external view returns (uint256);

    /// @notice `assetId`'s standing and the dispute behind it (0 when Clear).
    function standingOf(uint256 assetId) external view returns (Standing standing, uint256 disputeId);

    /// @notice When `assetId`'s rights end (a derivative under a time-limited licence); 0 = never.
    function expiryOf(uint256 assetId) external view returns (uint64);

    /// @notice Offer `offerId` (reverts for unknown ids).
    function offer(uint256 offerId) external view returns (Offer memory);

    /// @notice Number of offers ever created; the newest offer id.
    function totalOffers() external view returns (uint256);

    /// @notice The enforced part of terms `termsId`: (commercialUse, derivativesAllowed, transferable,
    /// revShareBps). Reverts for unknown ids. Whether they are Generation terms is not returned (no room in the
    /// hub's code): the tier is in their {TermsRegistered} event, and each licence carries `generation`.
    function termsFlags(uint256 termsId)
        external
        view
        returns (bool commercialUse, bool derivativesAllowed, bool transferable, uint16 revShareBps);

    /// @notice Id of the terms whose `keccak256(abi.encode(terms))` is `termsHash`, or 0.
    function termsIdOf(bytes32 termsHash) external view returns (uint256);

    /// @notice The platform fee in basis points and who receives it.
    function platformFee() external view returns (uint16 bps, address recipient);

    /// @notice The referral fee in basis points.
    function referralFee() external view returns (uint16 bps);

    /// @notice The dispute court.
    function court() external view returns (address);

    /// @notice The certificate registry.
    function registry() external view returns (IGenIPRegistry);

    /// @notice The licence token (deployed by the hub).
    function licenseToken() external view returns (ILicenseToken);

    /// @notice The deterministic address ERC-2981 royalties of `assetId` are paid to.
    function royaltySinkOf(uint256 assetId) external view returns (address);
}
