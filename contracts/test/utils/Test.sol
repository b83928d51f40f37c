// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Vm, vm} from "./Vm.sol";

/// @notice Minimal test base: assertions that revert with both values, `bound`, and named addresses.
abstract contract Test {
    using Strings for uint256;
    using Strings for address;

    error AssertionFailed(string message);

    // ─────────────────────────────── assertions ───────────────────────────────

    function fail(string memory message) internal pure {
        revert AssertionFailed(message);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(message);
    }

    function assertTrue(bool condition) internal pure {
        assertTrue(condition, "expected true");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) fail(message);
    }

    function assertFalse(bool condition) internal pure {
        assertFalse(condition, "expected false");
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, ": ", a.toString(), " != ", b.toString()));
    }

    function assertEq(uint256 a, uint256 b) internal pure {
        assertEq(a, b, "uint mismatch");
    }

    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, ": ", Strings.toStringSigned(a), " != ", Strings.toStringSigned(b)));
    }

    function assertEq(address a, address b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, ": ", a.toHexString(), " != ", b.toHexString()));
    }

    function assertEq(address a, address b) internal pure {
        assertEq(a, b, "address mismatch");
    }

    function assertEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a != b) {
            fail(string.concat(message, ": ", uint256(a).toHexString(32), " != ", uint256(b).toHexString(32)));
        }
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        assertEq(a, b, "bytes32 mismatch");
    }

    function assertEq(bool a, bool b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, ": ", a ? "true" : "false", " != ", b ? "true" : "false"));
    }

    function assertEq(bool a, bool b) internal pure {
        assertEq(a, b, "bool mismatch");
    }

    function assertEq(bytes memory a, bytes memory b, string memory message) internal pure {
        if (keccak256(a) != keccak256(b)) fail(string.concat(message, ": bytes differ"));
    }

    function assertEq(string memory a, string memory b, string memory message) internal pure {
        if (keccak256(bytes(a)) != keccak256(bytes(b))) fail(string.concat(message, ": '", a, "' != '", b, "'"));
    }

    function assertEq(uint256[] memory a, uint256[] memory b, string memory message) internal pure {
        assertEq(a.length, b.length, string.concat(message, " (length)"));
        for (uint256 i; i < a.length; ++i) {
            assertEq(a[i], b[i], string.concat(message, " [", i.toString(), "]"));
        }
    }

    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) fail(string.concat(message, ": ", a.toString(), " > ", b.toString()));
    }

    function assertGt(uint256 a, uint256 b, string memory message) internal pure {
        if (a <= b) fail(string.concat(message, ": ", a.toString(), " <= ", b.toString()));
    }

    /// @dev Asserts that a low-level call failed with exactly one of `allowed` as its revert data. For the few
    /// places where the spec leaves two reasonable errors open (noted at each use).
    function assertRevertedWithOneOf(
        bool success,
        bytes memory returnData,
        bytes[] memory allowed,
        string memory message
    ) internal pure {
        assertFalse(success, string.concat(message, ": call did not revert"));
        for (uint256 i; i < allowed.length; ++i) {
            if (keccak256(returnData) == keccak256(allowed[i])) return;
        }
        fail(string.concat(message, ": unexpected revert data"));
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    /// @dev `x` mapped into [min, max] (forge-std's `bound`, without the log line).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (min == 0 && max == type(uint256).max) return x;
        return min + (x % (max - min + 1));
    }

    /// @dev A labelled address derived from `name`, with its private key.
    function makeAddrAndKey(string memory name) internal returns (address account, uint256 privateKey) {
        privateKey = uint256(keccak256(abi.encodePacked(name)));
        account = vm.addr(privateKey);
        vm.label(account, name);
    }

    function makeAddr(string memory name) internal returns (address account) {
        (account,) = makeAddrAndKey(name);
    }

    function toArray(uint256 a) internal pure returns (uint256[] memory arr) {
        arr = new uint256[](1);
        arr[0] = a;
    }

    function toArray(uint256 a, uint256 b) internal pure returns (uint256[] memory arr) {
        arr = new uint256[](2);
        arr[0] = a;
        arr[1] = b;
    }

    function toArray(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory arr) {
        arr = new uint256[](3);
        arr[0] = a;
        arr[1] = b;
        arr[2] = c;
    }
}
