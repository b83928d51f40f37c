// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {License} from "../types/GenIPTypes.sol";

/// @title Gen-IP licence tokens
/// @notice Each licence a brand buys is an ERC-721 token carrying the enforced part of its terms. Only the
/// licensing hub mints them and marks them used. Non-transferable licences can be minted but never moved
/// (nor burned). The token keeps, for each (holder, asset), the set of licence ids held, so that "does X
/// hold a valid licence on A" is answered on-chain without scanning.
interface ILicenseToken {
    /// @notice `licenseId` was used to register derivative `derivativeId`.
    event LicenseUsed(uint256 indexed licenseId, uint256 indexed derivativeId);

    error NotHub(address caller);
    error LicenseNotTransferable(uint256 licenseId);

    /// @notice Mints licence `license` to `to` (hub only); returns its id (ids start at 1).
    function mint(address to, License calldata license) external returns (uint256 licenseId);

    /// @notice Marks `licenseId` as used for derivative `derivativeId` (hub only).
    function markUsed(uint256 licenseId, uint256 derivativeId) external;

    /// @notice The licence record of `licenseId` (reverts for unknown ids).
    function licenseOf(uint256 licenseId) external view returns (License memory);

    /// @notice The licence ids `holder` holds on `assetId`.
    function licensesOf(address holder, uint256 assetId) external view returns (uint256[] memory);

    /// @notice Number of licences ever minted; the newest licence id (licences are never burned).
    function totalLicenses() external view returns (uint256);

    /// @notice The hub allowed to mint.
    function hub() external view returns (address);
}
