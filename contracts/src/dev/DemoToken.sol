// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Demo stablecoin for local chains
/// @notice Anyone can mint. Used by the demo marketplace and tests as an ERC-20 licence currency; never deploy
/// it anywhere value is real.
contract DemoToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints `amount` to `to`. Open to anyone: demo use only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
