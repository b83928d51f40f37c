// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

import {ILicenseToken} from "./interfaces/ILicenseToken.sol";
import {License, LicenseUse} from "./types/GenIPTypes.sol";

/// @title Gen-IP licence tokens
/// @notice See {ILicenseToken}. Deployed by the licensing hub, which is its only minter.
/// @dev Every ownership change goes through {_update}: it is the one place the transfer rule (non-transferable
/// licences never move once minted; burning is allowed), the (holder, asset) list and the per-use best licence
/// are kept. The licences a holder holds on an asset form a doubly linked list, newest first, whose links live
/// in the licence records themselves and whose head lives beside the best licences in the (holder, asset) slot:
/// a sale writes one slot for the record and one for the (holder, asset) entry, where a set of ids would write
/// three more (length, element, index). Invariants: `licenseId` is in `licensesOf(h, a)` iff
/// `ownerOf(licenseId) == h` and `licenseOf(licenseId).assetId == a`; `bestLicense(h, a, u)` is the
/// longest-lasting licence of that list fitting `u`, or 0. A best licence is re-chosen by walking the list only
/// when it leaves the list or stops fitting (a write by its holder or the hub), so the status read stays
/// constant-cost. A generation licence (`License.generation`) is never marked used ({markUsed} leaves it as it
/// is and emits nothing), so it keeps fitting Derivative and stays its holder's best derivative licence however
/// many derivatives it registered. Links are 32 bits wide, so at most 2^32 - 1 licences are ever minted
/// ({LicenseIdsExhausted}).
contract LicenseToken is ILicenseToken, ERC721 {
    /// @dev Per (holder, asset), the best licence id for each use and the newest licence held (one slot).
    struct Best {
        uint64 display;
        uint64 commercial;
        uint64 derivative;
        uint64 head;
    }

    /// @dev A licence record (one slot): the fields of {License}, its five booleans as bits of `flags`, and its
    /// neighbours in its holder's list on its asset (0: none).
    struct Record {
        uint64 assetId;
        uint64 offerId;
        uint40 expiresAt;
        uint16 revShareBps;
        uint8 flags;
        uint32 prev;
        uint32 next;
    }

    uint8 private constant COMMERCIAL = 1;
    uint8 private constant DERIVATIVES = 2;
    uint8 private constant TRANSFERABLE = 4;
    uint8 private constant USED = 8;
    uint8 private constant GENERATION = 16;

    /// @inheritdoc ILicenseToken
    address public immutable hub;
    /// @dev Licences minted ({totalLicenses}). The count shares its slot with `_deployed`, set at deployment and
    /// never cleared, so the slot is never zero and no sale (the first included) pays for turning a zero slot
    /// non-zero (EIP-2200: 20 000 gas instead of 2 900).
    uint248 private _totalLicenses;
    bool private _deployed = true;

    mapping(uint256 licenseId => Record) private _records;
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
        if (licenseId > type(uint32).max) revert LicenseIdsExhausted(type(uint32).max);
        uint256 flags = _flag(license.commercialUse, COMMERCIAL) | _flag(license.derivativesAllowed, DERIVATIVES)
            | _flag(license.transferable, TRANSFERABLE) | _flag(license.usedForDerivative, USED)
            | _flag(license.generation, GENERATION);
        // The record in one SSTORE (links are set by {_update}); the layout is the struct's own (fields from the
        // low bits up, in declaration order).
        uint256 packed = uint256(license.assetId) | uint256(license.offerId) << 64 | uint256(license.expiresAt) << 128
            | uint256(license.revShareBps) << 168 | flags << 184;
        Record storage record = _records[licenseId];
        assembly ("memory-safe") {
            sstore(record.slot, packed)
        }
        _mint(to, licenseId);
    }

    /// @inheritdoc ILicenseToken
    function markUsed(uint256 licenseId, uint256 derivativeId) external onlyHub {
        Record storage r = _records[licenseId];
        uint8 flags = r.flags;
        if (flags & GENERATION != 0) return; // reusable: never used up, no LicenseUsed (DerivativeRegistered lists it)
        r.flags = flags | USED;
        Best storage best = _best[_ownerOf(licenseId)][r.assetId];
        if (best.derivative == licenseId) best.derivative = _rescan(best.head, LicenseUse.Derivative);
        emit LicenseUsed(licenseId, derivativeId);
    }

    /// @inheritdoc ILicenseToken
    function renounce(uint256 licenseId) external {
        address holder = _requireOwned(licenseId);
        if (holder != msg.sender) revert NotLicenseHolder(licenseId, msg.sender, holder);
        emit LicenseRenounced(licenseId, _records[licenseId].assetId, holder);
        _burn(licenseId);
    }

    /// @inheritdoc ILicenseToken
    function totalLicenses() external view returns (uint256) {
        return _totalLicenses;
    }

    /// @inheritdoc ILicenseToken
    function licenseOf(uint256 licenseId) external view returns (License memory) {
        _requireOwned(licenseId);
        Record memory r = _records[licenseId];
        return License({
            assetId: r.assetId,
            offerId: r.offerId,
            expiresAt: r.expiresAt,
            revShareBps: r.revShareBps,
            commercialUse: r.flags & COMMERCIAL != 0,
            derivativesAllowed: r.flags & DERIVATIVES != 0,
            transferable: r.flags & TRANSFERABLE != 0,
            usedForDerivative: r.flags & USED != 0,
            generation: r.flags & GENERATION != 0
        });
    }

    /// @inheritdoc ILicenseToken
    function licensesOf(address holder, uint256 assetId) external view returns (uint256[] memory ids) {
        uint256 head = _best[holder][assetId].head;
        uint256 n;
        for (uint256 id = head; id != 0; id = _records[id].next) {
            ++n;
        }
        ids = new uint256[](n);
        uint256 i;
        for (uint256 id = head; id != 0; id = _records[id].next) {
            ids[i++] = id;
        }
    }

    /// @inheritdoc ILicenseToken
    function bestLicense(address holder, uint256 assetId, LicenseUse use) external view returns (uint256) {
        Best memory best = _best[holder][assetId];
        if (use == LicenseUse.Commercial) return best.commercial;
        if (use == LicenseUse.Derivative) return best.derivative;
        return best.display;
    }

    function _update(address to, uint256 licenseId, address auth) internal override returns (address from) {
        from = super._update(to, licenseId, auth);
        Record storage record = _records[licenseId];
        if (from != address(0) && to != address(0) && record.flags & TRANSFERABLE == 0) {
            revert LicenseNotTransferable(licenseId);
        }
        uint256 assetId = record.assetId;
        if (from != address(0)) _unlink(from, assetId, licenseId, record);
        if (to != address(0)) _link(to, assetId, licenseId, record);
    }

    /// @dev Puts `licenseId` at the head of `holder`'s list on `assetId` and makes it a best licence where it
    /// lasts longer.
    function _link(address holder, uint256 assetId, uint256 licenseId, Record storage record) private {
        Best memory best = _best[holder][assetId];
        uint256 head = best.head;
        if (head != 0) {
            record.next = uint32(head);
            _records[head].prev = uint32(licenseId);
        }
        best.head = uint64(licenseId);
        if (_lastsLonger(licenseId, best.display)) best.display = uint64(licenseId);
        uint8 flags = record.flags;
        if (flags & COMMERCIAL != 0 && _lastsLonger(licenseId, best.commercial)) best.commercial = uint64(licenseId);
        if (_fitsDerivative(flags) && _lastsLonger(licenseId, best.derivative)) best.derivative = uint64(licenseId);
        _store(_best[holder][assetId], best);
    }

    /// @dev Takes `licenseId` out of `holder`'s list on `assetId` and re-chooses each best licence it was.
    function _unlink(address holder, uint256 assetId, uint256 licenseId, Record storage record) private {
        Best memory best = _best[holder][assetId];
        uint32 prev = record.prev;
        uint32 next = record.next;
        if (prev == 0) best.head = next;
        else _records[prev].next = next;
        if (next != 0) _records[next].prev = prev;
        record.prev = 0;
        record.next = 0;
        if (best.display == licenseId) best.display = _rescan(best.head, LicenseUse.Display);
        if (best.commercial == licenseId) best.commercial = _rescan(best.head, LicenseUse.Commercial);
        if (best.derivative == licenseId) best.derivative = _rescan(best.head, LicenseUse.Derivative);
        _store(_best[holder][assetId], best);
    }

    /// @dev Writes `best` to `slot` in one SSTORE (the compiler would read and write the slot once per field).
    function _store(Best storage slot, Best memory best) private {
        uint256 packed = uint256(best.display) | uint256(best.commercial) << 64 | uint256(best.derivative) << 128
            | uint256(best.head) << 192;
        assembly ("memory-safe") {
            sstore(slot.slot, packed)
        }
    }

    /// @dev The longest-lasting licence fitting `use` in the list starting at `head` (0 if none).
    function _rescan(uint256 head, LicenseUse use) private view returns (uint64 best) {
        for (uint256 id = head; id != 0; id = _records[id].next) {
            uint8 flags = _records[id].flags;
            if (use == LicenseUse.Commercial && flags & COMMERCIAL == 0) continue;
            if (use == LicenseUse.Derivative && !_fitsDerivative(flags)) continue;
            if (_lastsLonger(id, best)) best = uint64(id);
        }
    }

    function _fitsDerivative(uint8 flags) private pure returns (bool) {
        return flags & DERIVATIVES != 0 && flags & USED == 0;
    }

    function _flag(bool value, uint8 bit) private pure returns (uint256) {
        return value ? bit : 0;
    }

    /// @dev Whether licence `a` lasts longer than licence `b` (0: none). Perpetual (expiry 0) lasts longest.
    function _lastsLonger(uint256 a, uint256 b) private view returns (bool) {
        if (b == 0) return true;
        uint40 expB = _records[b].expiresAt;
        if (expB == 0) return false;
        uint40 expA = _records[a].expiresAt;
        return expA == 0 || expA > expB;
    }
}
