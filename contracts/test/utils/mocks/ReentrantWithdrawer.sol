// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../../../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../../../src/interfaces/ILicensingHub.sol";

/// @notice A creator contract that, when the hub pays it, calls {ILicensingHub.withdraw} again from its
/// `receive` hook, trying to be paid twice.
contract ReentrantWithdrawer {
    ILicensingHub public immutable hub;
    IGenIPRegistry public immutable registry;
    /// @dev true: swallow the re-entrant call's failure so the outer withdrawal can still finish.
    bool public immutable catchReentry;

    uint256 public reentryAttempts;
    bool public reentrySucceeded;
    bytes public reentryError;

    constructor(ILicensingHub hub_, IGenIPRegistry registry_, bool catchReentry_) {
        hub = hub_;
        registry = registry_;
        catchReentry = catchReentry_;
    }

    function register(IGenIPRegistry.Work calldata work) external returns (uint256) {
        return registry.register(work);
    }

    function withdraw() external returns (uint256) {
        return hub.withdraw(address(0));
    }

    receive() external payable {
        if (reentryAttempts > 0) return;
        reentryAttempts++;
        if (catchReentry) {
            try hub.withdraw(address(0)) {
                reentrySucceeded = true;
            } catch (bytes memory err) {
                reentryError = err;
            }
        } else {
            hub.withdraw(address(0));
            reentrySucceeded = true;
        }
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }
}
