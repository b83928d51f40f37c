// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Per-asset ERC-2981 royalty receiver
/// @notice Marketplaces pay secondary-sale royalties of a certificate to its sink (a minimal clone at a
/// predictable address). Receiving costs nothing beyond the transfer; the hub sweeps the sink and splits the
/// funds as the asset's revenue.
interface IRoyaltySink {
    error NotHub(address caller);

    /// @notice Sends the sink's whole balance of `currency` (`address(0)` = native) to the hub (hub only).
    function sweep(address currency) external returns (uint256 amount);
}
