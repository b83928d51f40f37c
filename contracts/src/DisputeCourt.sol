// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IDisputeCourt} from "./interfaces/IDisputeCourt.sol";
import {ILicensingHub} from "./interfaces/ILicensingHub.sol";
import {DisputeStatus, Standing} from "./types/GenIPTypes.sol";

/// @title Gen-IP dispute court
/// @notice See {IDisputeCourt}. Connected to the licensing hub once ({ILicensingHub-setCourt}); it sets the
/// hub's asset standings.
/// @dev NEVER break the bond invariant in an override: for every currency, the court's balance equals the bonds
/// of unsettled disputes plus the sum of `_balances`. Bonds enter only in {raise}, move to `_balances` only in
/// {_award} (once per dispute: `settled`), and leave only through {withdraw}.
contract DisputeCourt is IDisputeCourt, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to rule on disputes.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    uint32 public constant MIN_WINDOW = 1 hours;
    uint32 public constant MAX_WINDOW = 90 days;

    /// @dev A bond setting per currency (one slot).
    struct BondSetting {
        uint96 amount;
        bool accepted;
    }

    ILicensingHub public immutable hub;
    IERC721 public immutable certificates;

    /// @inheritdoc IDisputeCourt
    uint32 public responseWindow = 3 days;
    /// @inheritdoc IDisputeCourt
    uint32 public appealWindow = 7 days;
    /// @inheritdoc IDisputeCourt
    uint256 public totalDisputes;

    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(address currency => BondSetting) private _bonds;
    mapping(address account => mapping(address currency => uint256)) private _balances;
    /// @dev The asset's own open dispute (0 when none), so lifting a taint can put it back.
    mapping(uint256 assetId => uint256 disputeId) private _openDisputeOf;

    constructor(ILicensingHub hub_, address admin, uint48 adminDelay) AccessControlDefaultAdminRules(adminDelay, admin) {
        hub = hub_;
        certificates = IERC721(address(hub_.registry()));
    }

    // ─────────────────────────────── the life of a claim ───────────────────────────────

    /// @inheritdoc IDisputeCourt
    function raise(uint256 assetId, bytes32 evidenceHash, uint256 claimantAssetId, address bondCurrency)
        external
        payable
        nonReentrant
        returns (uint256 disputeId)
    {
        uint256 total = hub.registry().totalAssets();
        if (assetId == 0 || assetId > total) revert UnknownAsset(assetId);
        if (claimantAssetId == assetId || claimantAssetId > total) {
            revert InvalidClaimantAsset(assetId, claimantAssetId);
        }
        (Standing standing,) = hub.standingOf(assetId);
        if (standing != Standing.Clear) revert AssetNotClear(assetId, uint8(standing));
        BondSetting memory b = _bonds[bondCurrency];
        if (!b.accepted) revert BondCurrencyNotAccepted(bondCurrency);
        _collectBond(bondCurrency, b.amount);

        disputeId = ++totalDisputes;
        _disputes[disputeId] = Dispute({
            assetId: uint64(assetId),
            claimantAssetId: uint64(claimantAssetId),
            answerDeadline: uint40(block.timestamp + responseWindow),
            finalAt: 0,
            status: DisputeStatus.Open,
            answered: false,
            settled: false,
            claimant: msg.sender,
            bondCurrency: bondCurrency,
            bond: b.amount,
            evidenceHash: evidenceHash
        });
        _openDisputeOf[assetId] = disputeId;
        hub.setStanding(assetId, Standing.Disputed, disputeId);
        emit DisputeRaised(
            disputeId,
            assetId,
            msg.sender,
            claimantAssetId,
            evidenceHash,
            bondCurrency,
            b.amount,
            uint64(block.timestamp + responseWindow)
        );
    }

    /// @inheritdoc IDisputeCourt
    function answer(uint256 disputeId, bytes32 answerHash) external {
        Dispute storage d = _open(disputeId);
        uint256 assetId = d.assetId;
        address owner = certificates.ownerOf(assetId);
        if (msg.sender != owner && !certificates.isApprovedForAll(owner, msg.sender)) {
            revert NotAssetOwner(assetId, msg.sender, owner);
        }
        uint64 deadline = d.answerDeadline;
        if (block.timestamp > deadline) revert ResponseWindowClosed(disputeId, deadline, block.timestamp);
        d.answered = true;
        emit DisputeAnswered(disputeId, assetId, owner, answerHash);
    }

    /// @inheritdoc IDisputeCourt
    function resolve(uint256 disputeId, bool upheld, bytes32 resolutionHash)
        external
        nonReentrant
        onlyRole(ARBITER_ROLE)
    {
        Dispute storage d = _open(disputeId);
        uint64 deadline = d.answerDeadline;
        if (block.timestamp <= deadline) revert ResponseWindowOpen(disputeId, deadline, block.timestamp);
        uint256 assetId = d.assetId;
        uint64 finalAt = uint64(block.timestamp);
        delete _openDisputeOf[assetId];
        // A taint that arrived while this claim was open stays: this ruling decides only what this dispute held.
        bool tainted = _isTainted(assetId);
        if (upheld) {
            d.status = DisputeStatus.Upheld;
            finalAt += appealWindow;
            if (!tainted) hub.setStanding(assetId, Standing.Upheld, disputeId);
        } else {
            d.status = DisputeStatus.Cleared;
            if (!tainted) hub.setStanding(assetId, Standing.Clear, 0);
        }
        d.finalAt = uint40(finalAt);
        emit DisputeResolved(disputeId, assetId, msg.sender, upheld, resolutionHash, finalAt);
        if (!upheld) _award(disputeId, d, certificates.ownerOf(assetId));
    }

    /// @inheritdoc IDisputeCourt
    function reverse(uint256 disputeId, bytes32 reasonHash) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        Dispute storage d = _dispute(disputeId);
        if (d.status != DisputeStatus.Upheld) revert WrongDisputeStatus(disputeId, d.status);
        uint64 finalAt = d.finalAt;
        if (block.timestamp > finalAt) revert AppealWindowClosed(disputeId, finalAt);
        uint256 assetId = d.assetId;
        d.status = DisputeStatus.Cleared;
        d.finalAt = uint40(block.timestamp);
        if (!_isTainted(assetId)) hub.setStanding(assetId, Standing.Clear, 0);
        emit DisputeReversed(disputeId, assetId, msg.sender, reasonHash);
        _award(disputeId, d, certificates.ownerOf(assetId));
    }

    /// @inheritdoc IDisputeCourt
    function settle(uint256 disputeId) external nonReentrant {
        Dispute storage d = _dispute(disputeId);
        if (d.status != DisputeStatus.Upheld) revert WrongDisputeStatus(disputeId, d.status);
        uint64 finalAt = d.finalAt;
        if (block.timestamp <= finalAt) revert RulingNotFinal(disputeId, finalAt);
        _award(disputeId, d, d.claimant);
    }

    // ─────────────────────────────── taint ───────────────────────────────

    /// @inheritdoc IDisputeCourt
    function propagateTaint(uint256 assetId, uint256 ancestorId) external {
        (Standing ancestorStanding, uint256 disputeId) = hub.standingOf(ancestorId);
        if (ancestorStanding != Standing.Upheld) revert AncestorNotUpheld(ancestorId);
        (Standing standing,) = hub.standingOf(assetId);
        // A claim of the asset's own (even a sham one by its owner) must not shield it from an ancestor's ruling.
        if (standing != Standing.Clear && standing != Standing.Disputed) {
            revert AssetNotClear(assetId, uint8(standing));
        }
        (uint256[] memory ancestors,) = hub.ancestry(assetId);
        bool found;
        for (uint256 i; i < ancestors.length; ++i) {
            if (ancestors[i] == ancestorId) {
                found = true;
                break;
            }
        }
        if (!found) revert NotAnAncestor(assetId, ancestorId);
        hub.setStanding(assetId, Standing.Tainted, disputeId);
        emit TaintPropagated(assetId, disputeId, ancestorId);
    }

    /// @inheritdoc IDisputeCourt
    function clearTaint(uint256 assetId) external {
        (Standing standing, uint256 disputeId) = hub.standingOf(assetId);
        if (standing != Standing.Tainted || _disputes[disputeId].status != DisputeStatus.Cleared) {
            revert NotClearable(assetId);
        }
        uint256 own = _openDisputeOf[assetId];
        if (own != 0) hub.setStanding(assetId, Standing.Disputed, own);
        else hub.setStanding(assetId, Standing.Clear, 0);
        emit TaintCleared(assetId, disputeId);
    }

    // ─────────────────────────────── money ───────────────────────────────

    /// @inheritdoc IDisputeCourt
    function withdraw(address currency) external nonReentrant returns (uint256 amount) {
        amount = _balances[msg.sender][currency];
        if (amount == 0) revert NothingToWithdraw(msg.sender, currency);
        _balances[msg.sender][currency] = 0;
        emit BondWithdrawn(msg.sender, currency, amount);
        if (currency == address(0)) Address.sendValue(payable(msg.sender), amount);
        else IERC20(currency).safeTransfer(msg.sender, amount);
    }

    function _collectBond(address currency, uint256 amount) private {
        if (currency == address(0)) {
            if (msg.value != amount) revert WrongBond(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert WrongBond(0, msg.value);
        if (amount == 0) return;
        IERC20 token = IERC20(currency);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert BondTransferMismatch(currency, amount, received);
    }

    /// @dev Credits dispute `disputeId`'s bond to `account`, once.
    function _award(uint256 disputeId, Dispute storage d, address account) private {
        if (d.settled) revert AlreadySettled(disputeId);
        d.settled = true;
        uint256 amount = d.bond;
        if (amount == 0) return;
        address currency = d.bondCurrency;
        _balances[account][currency] += amount;
        emit BondAwarded(disputeId, account, currency, amount);
    }

    // ─────────────────────────────── admin ───────────────────────────────

    /// @inheritdoc IDisputeCourt
    function setBond(address currency, uint96 amount, bool accepted) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (accepted && amount == 0) revert ZeroBond(currency);
        _bonds[currency] = BondSetting(amount, accepted);
        emit BondSet(currency, amount, accepted);
    }

    /// @inheritdoc IDisputeCourt
    function setWindows(uint32 response, uint32 appeal) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (response < MIN_WINDOW || response > MAX_WINDOW) revert WindowOutOfRange(response, MIN_WINDOW, MAX_WINDOW);
        if (appeal < MIN_WINDOW || appeal > MAX_WINDOW) revert WindowOutOfRange(appeal, MIN_WINDOW, MAX_WINDOW);
        responseWindow = response;
        appealWindow = appeal;
        emit WindowsSet(response, appeal);
    }

    // ─────────────────────────────── views ───────────────────────────────

    /// @inheritdoc IDisputeCourt
    function dispute(uint256 disputeId) external view returns (Dispute memory) {
        return _dispute(disputeId);
    }

    /// @inheritdoc IDisputeCourt
    function outcome(uint256 disputeId) external view returns (DisputeStatus status, bool final_, address claimant) {
        Dispute storage d = _disputes[disputeId];
        status = d.status;
        final_ = status == DisputeStatus.Cleared
            || (status == DisputeStatus.Upheld && block.timestamp > d.finalAt);
        claimant = d.claimant;
    }

    /// @inheritdoc IDisputeCourt
    function bondOf(address currency) external view returns (uint96 amount, bool accepted) {
        BondSetting memory b = _bonds[currency];
        return (b.amount, b.accepted);
    }

    /// @inheritdoc IDisputeCourt
    function balanceOf(address account, address currency) external view returns (uint256) {
        return _balances[account][currency];
    }

    function _isTainted(uint256 assetId) private view returns (bool) {
        (Standing standing,) = hub.standingOf(assetId);
        return standing == Standing.Tainted;
    }

    function _dispute(uint256 disputeId) private view returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.status == DisputeStatus.None) revert UnknownDispute(disputeId);
    }

    function _open(uint256 disputeId) private view returns (Dispute storage d) {
        d = _dispute(disputeId);
        if (d.status != DisputeStatus.Open) revert WrongDisputeStatus(disputeId, d.status);
    }
}
