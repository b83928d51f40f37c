// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Royalty-sink proxies that take plain payments without running the implementation
/// @notice A sink is a minimal proxy deployed with CREATE2 at a predictable address. Unlike an EIP-1167 clone,
/// whose every call (plain ETH included) DELEGATECALLs the implementation — 2 600 gas for a cold address, more
/// than the 2 300-gas stipend of Solidity's `transfer` and `send` — this proxy first checks the calldata: empty
/// calldata (a plain payment) stops at once and accepts the value (19 gas); anything else is delegated as
/// EIP-1167 does.
/// Runtime (52 bytes):
///   36 15 60 32 57        CALLDATASIZE ISZERO PUSH1 0x32 JUMPI    plain payment → jump to STOP
///   <EIP-1167 body>       CALLDATACOPY, DELEGATECALL to the implementation, return or revert its data
///                         (its internal jump target moved from 0x2b to 0x30)
///   5b 00                 JUMPDEST STOP
/// Init code (10 bytes): `3d 60 34 80 60 0a 3d 39 81 f3` copies the 52-byte runtime and returns it.
library SinkProxy {
    error SinkDeployFailed(bytes32 salt);

    /// @notice The init code of a proxy to `implementation`.
    function initCode(address implementation) internal pure returns (bytes memory) {
        return abi.encodePacked(
            hex"3d603480600a3d3981f3",
            hex"3615603257363d3d373d3d3d363d73",
            implementation,
            hex"5af43d82803e903d91603057fd5bf35b00"
        );
    }

    /// @notice Deploys a proxy to `implementation` at the CREATE2 address for `salt`.
    function deploy(address implementation, bytes32 salt) internal returns (address proxy) {
        bytes memory code = initCode(implementation);
        assembly ("memory-safe") {
            proxy := create2(0, add(code, 0x20), mload(code), salt)
        }
        if (proxy == address(0)) revert SinkDeployFailed(salt);
    }

    /// @notice The address a proxy with init code hash `codeHash` gets from `deployer` for `salt`.
    function predict(address deployer, bytes32 salt, bytes32 codeHash) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), deployer, salt, codeHash)))));
    }
}
