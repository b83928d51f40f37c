// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../../../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../../../src/interfaces/ILicensingHub.sol";

/// @notice A generator contract holding a generation licence that, when the hub pays it out, tries to register
/// one more work under the licence from its `receive` hook (a reentrant use of a reusable licence).
contract ReentrantGenerator {
    ILicensingHub public immutable hub;
    IGenIPRegistry public immutable registry;
    uint256 public licenseId;
    bool public reentrySucceeded;
    bytes public reentryError;

    IGenIPRegistry.Work internal _armedWork;
    bytes32 internal _armedSalt;
    bool internal _armed;

    constructor(ILicensingHub hub_, IGenIPRegistry registry_) {
        hub = hub_;
        registry = registry_;
    }

    function setLicence(uint256 licenseId_) external {
        licenseId = licenseId_;
    }

    /// @dev Commits this contract's registration leaf (reveal in a later block).
    function commit(bytes32 contentHash, bytes32 salt) external {
        registry.commit(registry.registrationLeaf(address(this), contentHash, salt));
    }

    function derive(IGenIPRegistry.Work calldata work, bytes32 salt) external returns (uint256) {
        return hub.registerDerivative(_ids(), work, salt, new bytes32[](0));
    }

    /// @dev The next native payment makes `receive` try to register `work` under the licence.
    function arm(IGenIPRegistry.Work calldata work, bytes32 salt) external {
        _armedWork = work;
        _armedSalt = salt;
        _armed = true;
    }

    function withdraw() external returns (uint256) {
        return hub.withdraw(address(0));
    }

    receive() external payable {
        if (!_armed) return;
        _armed = false;
        try hub.registerDerivative(_ids(), _armedWork, _armedSalt, new bytes32[](0)) {
            reentrySucceeded = true;
        } catch (bytes memory err) {
            reentryError = err;
        }
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }

    function _ids() internal view returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = licenseId;
    }
}
