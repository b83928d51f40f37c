// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {ILicenseToken} from "./interfaces/ILicenseToken.sol";
import {License} from "./types/GenIPTypes.sol";

/// @title Gen-IP licence tokens
/// @notice See {ILicenseToken}. Deployed by the licensing hub, which is its only minter.
/// @dev Every ownership change goes through {_update}: it is the one place the transfer rule (non-transferable
/// licences never move once minted) and the (holder, asset) index are kept. Invariant: `licenseId` is in
/// `licensesOf(h, a)` iff `ownerOf(licenseId) == h` and `licenseOf(licenseId).assetId == a`.
contract LicenseToken is ILicenseToken, ERC721 {
    using EnumerableSet for EnumerableSet.UintSet;

    /// @inheritdoc ILicenseToken
    address public immutable hub;
    /// @inheritdoc ILicenseToken
    uint256 public totalLicenses;

    mapping(uint256 licenseId => License) private _licenses;
    mapping(address holder => mapping(uint256 assetId => EnumerableSet.UintSet)) private _held;

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
            licenseId = ++totalLicenses;
        }
        _licenses[licenseId] = license;
        _mint(to, licenseId);
    }

    /// @inheritdoc ILicenseToken
    function markUsed(uint256 licenseId, uint256 derivativeId) external onlyHub {
        _licenses[licenseId].usedForDerivative = true;
        emit LicenseUsed(licenseId, derivativeId);
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

    function _update(address to, uint256 licenseId, address auth) internal override returns (address from) {
        License storage license = _licenses[licenseId];
        from = super._update(to, licenseId, auth);
        if (from != address(0) && !license.transferable) revert LicenseNotTransferable(licenseId);
        uint256 assetId = license.assetId;
        if (from != address(0)) _held[from][assetId].remove(licenseId);
        if (to != address(0)) _held[to][assetId].add(licenseId);
    }
}
