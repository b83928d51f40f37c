// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DisputeStatus} from "../types/GenIPTypes.sol";

/// @title Gen-IP dispute court: claims anyone can bring against a certificate
/// @notice The life of a claim:
///   1. Anyone raises a claim against an asset whose standing is Clear ({raise}), with an evidence hash (the
///      evidence document lives off-chain), optionally their own earlier registration the asset copies
///      (`claimantAssetId`), and a bond in a currency the admin accepts ({setBond}). The asset is Disputed at
///      once: no new offers, licences or derivatives, its revenue held under this dispute.
///   2. The asset's owner may answer ({answer}) until the response window ends.
///   3. Only after the response window can an arbiter rule ({resolve}): never raise-and-uphold in one block.
///      Cleared (the claim fails): the asset is Clear again, its held funds go to its owner, and the claimant's
///      bond goes to the owner as well (compensation for the revenue that was held). Upheld: the asset stays
///      closed for good and its held and later revenue goes to the claimant once the ruling is final.
///   4. An upheld ruling is final {appealWindow} seconds after it was made. Until then the admin (itself behind
///      the two-step, delayed admin transfer) may reverse it ({reverse}): the dispute becomes Cleared, as in
///      step 3. Once final, {settle} refunds the claimant's bond.
///   5. An upheld ruling taints the asset's descendants (as Story tags derivatives of infringing IP): anyone may
///      propagate it to any descendant ({propagateTaint}) that is clear or under a claim of its own, whose licence
///      sales and derivatives then revert and whose revenue is held under the same dispute, and goes where that
///      dispute's funds go: to the claimant when final, back to the descendant's owner if the ruling is reversed
///      ({clearTaint}, which puts back the descendant's own open claim, if any). A descendant's own claim,
///      however it is ruled, never lifts the taint (it decides only the funds held under that claim), so a
///      sham claim by an owner against its own derivative cannot shield the derivative's revenue.
/// Money rule: the court's balance of each currency equals the bonds of disputes not yet settled plus what
/// {withdraw} still owes. Bonds are the only value the court holds; revenue stays in the hub.
interface IDisputeCourt {
    /// @notice One claim. `answerDeadline`: until when the owner may answer (the arbiter rules only after it).
    /// `finalAt`: when the ruling is final (upheld: the end of its appeal window; cleared: the ruling's time);
    /// 0 while open. Both are fixed when they are set, so a later change of the windows moves neither.
    struct Dispute {
        uint64 assetId;
        uint64 claimantAssetId;
        uint40 answerDeadline;
        uint40 finalAt;
        DisputeStatus status;
        bool answered;
        bool settled;
        address claimant;
        address bondCurrency;
        uint96 bond;
        bytes32 evidenceHash;
    }

    /// @notice `claimant` raised dispute `disputeId` against `assetId`, bonding `bond` of `bondCurrency`.
    /// @param claimantAssetId The claimant's own earlier registration the asset copies, or 0.
    /// @param answerDeadline Until when the owner may answer; the arbiter may rule only after it.
    event DisputeRaised(
        uint256 indexed disputeId,
        uint256 indexed assetId,
        address indexed claimant,
        uint256 claimantAssetId,
        bytes32 evidenceHash,
        address bondCurrency,
        uint256 bond,
        uint64 answerDeadline
    );

    /// @notice The asset's owner answered dispute `disputeId`.
    event DisputeAnswered(uint256 indexed disputeId, uint256 indexed assetId, address indexed owner, bytes32 answerHash);

    /// @notice An arbiter ruled on dispute `disputeId`. When upheld, the ruling is final at `finalAt`.
    event DisputeResolved(
        uint256 indexed disputeId,
        uint256 indexed assetId,
        address indexed arbiter,
        bool upheld,
        bytes32 resolutionHash,
        uint64 finalAt
    );

    /// @notice The admin reversed upheld dispute `disputeId` within its appeal window: it is Cleared.
    event DisputeReversed(uint256 indexed disputeId, uint256 indexed assetId, address indexed admin, bytes32 reasonHash);

    /// @notice The bond of dispute `disputeId` was credited to `account`.
    event BondAwarded(uint256 indexed disputeId, address indexed account, address currency, uint256 amount);

    /// @notice `assetId` was tainted by upheld dispute `disputeId` against its ancestor `ancestorId`.
    event TaintPropagated(uint256 indexed assetId, uint256 indexed disputeId, uint256 indexed ancestorId);

    /// @notice `assetId`'s taint by dispute `disputeId` was lifted (that ruling was reversed).
    event TaintCleared(uint256 indexed assetId, uint256 indexed disputeId);

    /// @notice The bond for claims in `currency` is now `amount` (`accepted` false: that currency is refused).
    event BondSet(address indexed currency, uint256 amount, bool accepted);

    /// @notice The response and appeal windows changed.
    event WindowsSet(uint32 responseWindow, uint32 appealWindow);

    /// @notice `account` withdrew `amount` of awarded bonds.
    event BondWithdrawn(address indexed account, address indexed currency, uint256 amount);

    error UnknownAsset(uint256 assetId);
    error UnknownDispute(uint256 disputeId);
    /// @notice Claims against `assetId` are not possible while its standing is `standing` (not Clear).
    error AssetNotClear(uint256 assetId, uint8 standing);
    /// @notice `claimantAssetId` cannot be evidence against `assetId` (unknown, or the asset itself).
    error InvalidClaimantAsset(uint256 assetId, uint256 claimantAssetId);
    /// @notice Bonds in `currency` are not accepted.
    error BondCurrencyNotAccepted(address currency);
    /// @notice Native value sent does not match: `expected` wei were due, `sent` came.
    error WrongBond(uint256 expected, uint256 sent);
    /// @notice An ERC-20 bond transfer delivered `received` instead of `expected`.
    error BondTransferMismatch(address currency, uint256 expected, uint256 received);
    /// @notice Dispute `disputeId` is `status`, not what this step needs.
    error WrongDisputeStatus(uint256 disputeId, DisputeStatus status);
    /// @notice `caller` does not own the disputed asset (`owner` does).
    error NotAssetOwner(uint256 assetId, address caller, address owner);
    /// @notice The owner could answer until `answerDeadline`; now is `timestamp`.
    error ResponseWindowClosed(uint256 disputeId, uint64 answerDeadline, uint256 timestamp);
    /// @notice The arbiter may rule only after `answerDeadline`; now is `timestamp`.
    error ResponseWindowOpen(uint256 disputeId, uint64 answerDeadline, uint256 timestamp);
    /// @notice The upheld ruling became final at `finalAt`; it can no longer be reversed.
    error AppealWindowClosed(uint256 disputeId, uint64 finalAt);
    /// @notice The upheld ruling becomes final at `finalAt`; its bond is settled after that.
    error RulingNotFinal(uint256 disputeId, uint64 finalAt);
    error AlreadySettled(uint256 disputeId);
    /// @notice `ancestorId` is not an ancestor of `assetId`.
    error NotAnAncestor(uint256 assetId, uint256 ancestorId);
    /// @notice `ancestorId`'s standing is not Upheld.
    error AncestorNotUpheld(uint256 ancestorId);
    /// @notice `assetId` is not tainted by a reversed ruling.
    error NotClearable(uint256 assetId);
    /// @notice A window of `seconds_` is outside [`min`, `max`].
    error WindowOutOfRange(uint32 seconds_, uint32 min, uint32 max);
    error NothingToWithdraw(address account, address currency);
    error ZeroAddress();
    /// @notice An accepted currency needs a bond above zero, or anyone could freeze any asset for free.
    error ZeroBond(address currency);

    /// @notice Raises a claim against `assetId` with the bond {bondOf}(`bondCurrency`) (native: as value; ERC-20:
    /// approve the court first).
    function raise(uint256 assetId, bytes32 evidenceHash, uint256 claimantAssetId, address bondCurrency)
        external
        payable
        returns (uint256 disputeId);

    /// @notice The asset's owner (or an operator approved for all) answers `disputeId` within the response window.
    function answer(uint256 disputeId, bytes32 answerHash) external;

    /// @notice Rules on `disputeId` (ARBITER_ROLE, after the response window).
    function resolve(uint256 disputeId, bool upheld, bytes32 resolutionHash) external;

    /// @notice Reverses upheld `disputeId` within its appeal window (admin).
    function reverse(uint256 disputeId, bytes32 reasonHash) external;

    /// @notice Refunds the claimant's bond of upheld `disputeId` once the ruling is final. Anyone may call.
    function settle(uint256 disputeId) external;

    /// @notice Taints `assetId` because its ancestor `ancestorId` is Upheld. Anyone may call.
    function propagateTaint(uint256 assetId, uint256 ancestorId) external;

    /// @notice Lifts `assetId`'s taint once the dispute that caused it was reversed. Anyone may call.
    function clearTaint(uint256 assetId) external;

    /// @notice Sends the caller's awarded bonds of `currency` to the caller.
    function withdraw(address currency) external returns (uint256 amount);

    /// @notice Sets the bond for claims in `currency` (admin; above zero when accepted); `accepted` false refuses
    /// the currency.
    function setBond(address currency, uint96 amount, bool accepted) external;

    /// @notice Sets the response and appeal windows (admin), each between 1 hour and 90 days.
    function setWindows(uint32 responseWindow, uint32 appealWindow) external;

    /// @notice Dispute `disputeId` (reverts for unknown ids).
    function dispute(uint256 disputeId) external view returns (Dispute memory);

    /// @notice How dispute `disputeId` stands for the funds it holds: its status, whether the ruling is final
    /// (Cleared always is; Upheld after its appeal window), and the claimant.
    function outcome(uint256 disputeId) external view returns (DisputeStatus status, bool final_, address claimant);

    /// @notice The bond for claims in `currency`, and whether that currency is accepted.
    function bondOf(address currency) external view returns (uint96 amount, bool accepted);

    /// @notice Awarded bonds `account` can withdraw in `currency`.
    function balanceOf(address account, address currency) external view returns (uint256);

    /// @notice Number of disputes ever raised; the newest id.
    function totalDisputes() external view returns (uint256);

    /// @notice Seconds the owner has to answer a claim.
    function responseWindow() external view returns (uint32);

    /// @notice Seconds after an upheld ruling during which the admin may reverse it.
    function appealWindow() external view returns (uint32);
}
