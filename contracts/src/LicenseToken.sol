// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {ILicenseToken} from "./interfaces/ILicenseToken.sol";
import {License, LicenseUse} from "./types/GenIPTypes.sol";

/// @title Gen-IP licence tokens
/// @notice See {ILicenseToken}. Deployed by the licensing hub, which is its only minter.
/// @dev Every ownership change goes through {_update}: it is the one place the transfer rule (non-transferable
/// licences never move once minted; burning is allowed), the (holder, asset) index and the per-use best licence
/// are kept. Invariants: `licenseId` is in `licensesOf(h, a)` iff `ownerOf(licenseId) == h` and
/// `licenseOf(licenseId).assetId == a`; `bestLicense(h, a, u)` is the longest-lasting licence of that set
/// fitting `u`, or 0. A best licence is re-chosen by scanning the set only when it leaves the set or stops
/// fitting (a write by its holder or the hub), so the status read stays constant-cost. A generation licence
/// (`License.generation`) is never marked used ({markUsed} leaves it as it is and emits nothing), so it keeps
/// fitting Derivative and stays its holder's best derivative licence however many derivatives it registered.
contract LicenseToken is ILicenseToken, ERC721 {
    using EnumerableSet for EnumerableSet.UintSet;

    /// @dev Per (holder, asset), the best licence id for each use (one slot).
    struct Best {
        uint64 display;
        uint64 commercial;
        uint64 derivative;
    }

    /// @inheritdoc ILicenseToken
    address public immutable hub;
    /// @dev Licences minted ({totalLicenses}). The count shares its slot with `_deployed`, set at deployment and
    /// never cleared, so the slot is never zero and no sale (the first included) pays for turning a zero slot
    /// non-zero (EIP-2200: 20 000 gas instead of 2 900).
    uint248 private _totalLicenses;
    bool private _deployed = true;

    mapping(uint256 licenseId => License) private _licenses;
    mapping(address holder => mapping(uint256 assetId => EnumerableSet.UintSet)) private _held;
    mapping(address holder => mapping(uint256 assetId => Best)) private _best;

    modifier onlyHub() {
        if (msg.sender != hub) revert NotHub(msg.sender);
        _;
    }

    constructor() ERC721("Gen-IP Licence", "GENIP-L") {
        hub = msg.sender;
    }

    /// @inheritdoc ILicenseToken
    function mint(address to, License calldata license) external onlyHub returns (uint256 licenseId) {
        unchecked {
            licenseId = ++_totalLicenses;
        }
        // The record in one SSTORE: the compiler copies a calldata struct field by field, each a read and a write
        // of the same slot. The layout is the struct's own (fields from the low bits up, in declaration order).
        uint256 packed = uint256(license.assetId) | uint256(license.offerId) << 64
            | uint256(license.expiresAt) << 128 | uint256(license.revShareBps) << 168
            | _flag(license.commercialUse) << 184 | _flag(license.derivativesAllowed) << 192
            | _flag(license.transferable) << 200 | _flag(license.usedForDerivative) << 208
            | _flag(license.generation) << 216;
        License storage record = _licenses[licenseId];
        assembly ("memory-safe") {
            sstore(record.slot, packed)
        }
        _mint(to, licenseId);
    }

    /// @inheritdoc ILicenseToken
    function markUsed(uint256 licenseId, uint256 derivativeId) external onlyHub {
        License storage l = _licenses[licenseId];
        if (l.generation) return; // reusable: never used up, no LicenseUsed (DerivativeRegistered lists it)
        l.usedForDerivative = true;
        address holder = _ownerOf(licenseId);
        uint256 assetId = l.assetId;
        Best storage best = _best[holder][assetId];
        if (best.derivative == licenseId) best.derivative = uint64(_rescan(holder, assetId, LicenseUse.Derivative));
        emit LicenseUsed(licenseId, derivativeId);
    }

    /// @inheritdoc ILicenseToken
    function renounce(uint256 licenseId) external {
        address holder = _requireOwned(licenseId);
        if (holder != msg.sender) revert NotLicenseHolder(licenseId, msg.sender, holder);
        emit LicenseRenounced(licenseId, _licenses[licenseId].assetId, holder);
        _burn(licenseId);
    }

    /// @inheritdoc ILicenseToken
    function totalLicenses() external view returns (uint256) {
        return _totalLicenses;
    }

    /// @inheritdoc ILicenseToken
    function licenseOf(uint256 licenseId) external view returns (License memory) {
        _requireOwned(licenseId);
        return _licenses[licenseId];
    }

    /// @inheritdoc ILicenseToken
    function licensesOf(address holder, uint256 assetId) external view returns (uint256[] memory) {
        return _held[holder][assetId].values();
    }

    /// @inheritdoc ILicenseToken
    function bestLicense(address holder, uint256 assetId, LicenseUse use) external view returns (uint256) {
        Best memory best = _best[holder][assetId];
        if (use == LicenseUse.Commercial) return best.commercial;
        if (use == LicenseUse.Derivative) return best.derivative;
        return best.display;
    }

    function _update(address to, uint256 licenseId, address auth) internal override returns (address from) {
        License storage license = _licenses[licenseId];
        from = super._update(to, licenseId, auth);
        if (from != address(0) && to != address(0) && !license.transferable) revert LicenseNotTransferable(licenseId);
        uint256 assetId = license.assetId;
        if (from != address(0)) {
            _held[from][assetId].remove(licenseId);
            Best storage best = _best[from][assetId];
            if (best.display == licenseId) best.display = uint64(_rescan(from, assetId, LicenseUse.Display));
            if (best.commercial == licenseId) best.commercial = uint64(_rescan(from, assetId, LicenseUse.Commercial));
            if (best.derivative == licenseId) best.derivative = uint64(_rescan(from, assetId, LicenseUse.Derivative));
        }
        if (to != address(0)) {
            _held[to][assetId].add(licenseId);
            // `best` is a memory copy of the slot: a second `Best memory` assigned from it would alias it, not
            // copy it, so what changed is tracked in `changed`.
            Best memory best = _best[to][assetId];
            bool changed;
            if (_lastsLonger(licenseId, best.display)) {
                best.display = uint64(licenseId);
                changed = true;
            }
            if (license.commercialUse && _lastsLonger(licenseId, best.commercial)) {
                best.commercial = uint64(licenseId);
                changed = true;
            }
            if (_fitsDerivative(license) && _lastsLonger(licenseId, best.derivative)) {
                best.derivative = uint64(licenseId);
                changed = true;
            }
            if (changed) _best[to][assetId] = best;
        }
    }

    /// @dev The longest-lasting licence `holder` holds on `assetId` that fits `use` (0 if none).
    function _rescan(address holder, uint256 assetId, LicenseUse use) private view returns (uint256 best) {
        EnumerableSet.UintSet storage held = _held[holder][assetId];
        uint256 n = held.length();
        for (uint256 i; i < n; ++i) {
            uint256 id = held.at(i);
            License storage l = _licenses[id];
            if (use == LicenseUse.Commercial && !l.commercialUse) continue;
            if (use == LicenseUse.Derivative && !_fitsDerivative(l)) continue;
            if (_lastsLonger(id, best)) best = id;
        }
    }

    function _fitsDerivative(License storage l) private view returns (bool) {
        return l.derivativesAllowed && !l.usedForDerivative;
    }

    function _flag(bool value) private pure returns (uint256) {
        return value ? 1 : 0;
    }

    /// @dev Whether licence `a` lasts longer than licence `b` (0: none). Perpetual (expiry 0) lasts longest.
    function _lastsLonger(uint256 a, uint256 b) private view returns (bool) {
        if (b == 0) return true;
        uint40 expB = _licenses[b].expiresAt;
        if (expB == 0) return false;
        uint40 expA = _licenses[a].expiresAt;
        return expA == 0 || expA > expB;
    }
}
