// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILicensingHub} from "../interfaces/ILicensingHub.sol";
import {RevenueSource} from "../types/GenIPTypes.sol";

/// @title Event emitter for indexer benchmarks
/// @notice Emits the licensing hub's own revenue events in bulk (one payment split = RevenuePaid + a fee
/// Credited + an owner Credited) so a benchmark can seed hundreds of thousands of real-shaped events quickly.
/// Never part of a deployment: the indexer is pointed at it as if it were the hub.
contract BenchEmitter {
    /// @notice Emits `count` payment splits numbered from `first`, over 1 000 assets, 1 000 accounts and two
    /// currencies.
    function emitPayments(uint256 first, uint256 count, address feeRecipient, address token) external {
        for (uint256 i = first; i < first + count; ++i) {
            uint256 assetId = i % 1_000 + 1;
            address account = address(uint160(0x10000 + i % 1_000));
            address currency = i % 2 == 0 ? address(0) : token;
            uint256 amount = 1e15 + i;
            uint256 fee = amount / 40;
            emit ILicensingHub.RevenuePaid(assetId, msg.sender, currency, amount, fee, RevenueSource.Direct);
            emit ILicensingHub.Credited(feeRecipient, currency, 0, fee, assetId);
            emit ILicensingHub.Credited(account, currency, assetId, amount - fee, assetId);
        }
    }
}
