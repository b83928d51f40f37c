// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../../../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../../../src/interfaces/ILicensingHub.sol";

/// @notice A creator contract that, when paid by `target` (the hub, or the dispute court: both have
/// `withdraw(address currency)`), calls `withdraw` again from its `receive` hook, trying to be paid twice.
contract ReentrantWithdrawer {
    ILicensingHub public immutable hub;
    IGenIPRegistry public immutable registry;
    /// @dev true: swallow the re-entrant call's failure so the outer withdrawal can still finish.
    bool public immutable catchReentry;
    /// @dev Whose `withdraw` is called (the hub unless changed).
    address public target;

    uint256 public reentryAttempts;
    bool public reentrySucceeded;
    bytes public reentryError;

    constructor(ILicensingHub hub_, IGenIPRegistry registry_, bool catchReentry_) {
        hub = hub_;
        registry = registry_;
        catchReentry = catchReentry_;
        target = address(hub_);
    }

    function setTarget(address target_) external {
        target = target_;
    }

    /// @dev Commits this contract's registration leaf (reveal with {register} in a later block).
    function commit(bytes32 contentHash, bytes32 salt) external {
        registry.commit(registry.registrationLeaf(address(this), contentHash, salt));
    }

    function register(IGenIPRegistry.Work calldata work, bytes32 salt) external returns (uint256) {
        return registry.register(work, salt, new bytes32[](0));
    }

    function withdraw() external returns (uint256) {
        return ILicensingHub(target).withdraw(address(0));
    }

    receive() external payable {
        if (reentryAttempts > 0) return;
        reentryAttempts++;
        if (catchReentry) {
            try ILicensingHub(target).withdraw(address(0)) {
                reentrySucceeded = true;
            } catch (bytes memory err) {
                reentryError = err;
            }
        } else {
            ILicensingHub(target).withdraw(address(0));
            reentrySucceeded = true;
        }
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }
}
