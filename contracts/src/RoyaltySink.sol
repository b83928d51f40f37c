// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IRoyaltySink} from "./interfaces/IRoyaltySink.sol";

/// @title Per-asset ERC-2981 royalty receiver
/// @notice See {IRoyaltySink}. The hub deploys one implementation and a minimal clone per asset (salt = asset
/// id); clones share the implementation's immutable `hub`. Receiving native currency runs no code beyond
/// accepting it, so it works with a 2 300-gas stipend.
contract RoyaltySink is IRoyaltySink {
    using SafeERC20 for IERC20;

    address public immutable hub;

    constructor() {
        hub = msg.sender;
    }

    receive() external payable {}

    /// @inheritdoc IRoyaltySink
    function sweep(address currency) external returns (uint256 amount) {
        if (msg.sender != hub) revert NotHub(msg.sender);
        if (currency == address(0)) {
            amount = address(this).balance;
            if (amount != 0) Address.sendValue(payable(hub), amount);
        } else {
            amount = IERC20(currency).balanceOf(address(this));
            if (amount != 0) IERC20(currency).safeTransfer(hub, amount);
        }
    }
}
