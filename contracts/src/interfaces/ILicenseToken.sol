// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {License, LicenseUse} from "../types/GenIPTypes.sol";

/// @title Gen-IP licence tokens
/// @notice Each licence a brand buys is an ERC-721 token carrying the enforced part of its terms. Only the
/// licensing hub mints them and marks them used. Non-transferable licences can be minted but never moved; any
/// licence can be renounced (burned) by its holder, e.g. one somebody bought for it unasked. For each (holder,
/// asset) the token keeps the list of licence ids held and, per use, the one that lasts longest, so "does X hold
/// a valid licence on A for U" costs the same however many licences X was given.
interface ILicenseToken {
    /// @notice Single-use licence `licenseId` was used up registering derivative `derivativeId`. Never emitted
    /// for a generation licence (see {License-generation}): it is never used up, and the derivatives it registers
    /// are listed by the hub's `DerivativeRegistered` events (`licenseIds`).
    event LicenseUsed(uint256 indexed licenseId, uint256 indexed derivativeId);

    /// @notice `holder` gave up licence `licenseId` on `assetId` (it is burned).
    event LicenseRenounced(uint256 indexed licenseId, uint256 indexed assetId, address indexed holder);

    error NotHub(address caller);
    error LicenseNotTransferable(uint256 licenseId);
    /// @notice `caller` does not hold `licenseId` (`holder` does).
    error NotLicenseHolder(uint256 licenseId, address caller, address holder);
    /// @notice Every licence id up to `max` is taken (a licence's links to its neighbours are 32 bits wide).
    error LicenseIdsExhausted(uint256 max);

    /// @notice Mints licence `license` to `to` (hub only); returns its id (ids start at 1).
    function mint(address to, License calldata license) external returns (uint256 licenseId);

    /// @notice Marks single-use licence `licenseId` as used for derivative `derivativeId` (hub only). A generation
    /// licence is left as it is (no flag, no {LicenseUsed}): it stays usable for derivatives.
    function markUsed(uint256 licenseId, uint256 derivativeId) external;

    /// @notice Burns `licenseId`, which the caller holds.
    function renounce(uint256 licenseId) external;

    /// @notice The licence record of `licenseId` (reverts for unknown or renounced ids).
    function licenseOf(uint256 licenseId) external view returns (License memory);

    /// @notice The licence ids `holder` holds on `assetId`, newest first.
    function licensesOf(address holder, uint256 assetId) external view returns (uint256[] memory);

    /// @notice Among the licences `holder` holds on `assetId` that fit `use` (Commercial: commercial use;
    /// Derivative: derivatives allowed and not yet used; a generation licence is never used up, so it stays the
    /// best derivative licence after registering derivatives), the one that lasts longest (perpetual first); 0 if
    /// none.
    /// It may have expired: then every fitting licence has.
    function bestLicense(address holder, uint256 assetId, LicenseUse use) external view returns (uint256 licenseId);

    /// @notice Number of licences ever minted; the newest licence id (renounced ones included).
    function totalLicenses() external view returns (uint256);

    /// @notice The hub allowed to mint.
    function hub() external view returns (address);
}
