// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Base} from "../utils/Base.sol";
import {vm} from "../utils/Vm.sol";
import {IMintableERC20} from "../utils/Interfaces.sol";
import {Handler} from "./Handler.sol";

/// @notice The system-wide rules, checked after every call of random sequences driven through {Handler}:
///   1. money: for each currency, the hub holds exactly the unwithdrawn credits plus the held funds;
///   2. no licence without its price: what buyers paid equals what LicensePurchased reports;
///   3. every royalty stack is at most 100 %, and is the sum of the ancestors' shares;
///   4. one certificate per content hash.
/// The handler catches every refusal, so a revert is the handler's own check failing (money received on
/// withdrawal, a sink refusing a royalty): invariants run with fail-on-revert.
contract GenIPInvariantsTest is Base {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    Handler internal handler;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        address[] memory cast = new address[](5);
        cast[0] = alice;
        cast[1] = bob;
        cast[2] = carol;
        cast[3] = dave;
        cast[4] = erin;
        handler = new Handler(registry, hub, usd, arbiter, treasury, cast);
        vm.label(address(handler), "handler");
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector({addr: address(handler), selectors: handler.selectors()});
    }

    // ─────────────────────────────── 1. money ───────────────────────────────

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_hubBalanceEqualsCreditsPlusHeld() public view {
        address[2] memory currencies = handler.currencies();
        address[] memory accounts = _accounts();
        for (uint256 c; c < 2; ++c) {
            address currency = currencies[c];
            uint256 owed;
            for (uint256 i; i < accounts.length; ++i) {
                owed += hub.balanceOf(accounts[i], currency);
            }
            uint256 n = registry.totalAssets();
            for (uint256 id = 1; id <= n; ++id) {
                owed += hub.heldOf(id, currency);
            }
            uint256 holding =
                currency == NATIVE ? address(hub).balance : IMintableERC20(currency).balanceOf(address(hub));
            assertEq(holding, owed, "hub balance == credits + held");
            assertEq(holding, handler.ghostIn(currency) - handler.ghostOut(currency), "hub balance == in - out");
        }
    }

    // ─────────────────────────────── 2. licences ───────────────────────────────

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_noLicenceWithoutItsPricePaid() public view {
        address[2] memory currencies = handler.currencies();
        for (uint256 c; c < 2; ++c) {
            assertEq(
                handler.ghostPricePaid(currencies[c]),
                handler.ghostPurchasedPrice(currencies[c]),
                "paid == LicensePurchased prices"
            );
        }
        address[] memory accounts = _accounts();
        uint256 tokens;
        for (uint256 i; i < accounts.length; ++i) {
            tokens += licenseToken.balanceOf(accounts[i]);
        }
        assertEq(tokens, handler.licencesBought(), "one licence token per paid purchase");
    }

    // ─────────────────────────────── 3. royalty stacks ───────────────────────────────

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_royaltyStackNeverExceeds100Percent() public view {
        uint256 n = registry.totalAssets();
        for (uint256 id = 1; id <= n; ++id) {
            uint256 stack = hub.royaltyStack(id);
            assertLe(stack, 10_000, "stack <= 100 %");
            (uint256[] memory ancestors, uint16[] memory shares) = hub.ancestry(id);
            assertLe(ancestors.length, 32, "ancestors <= MAX_ANCESTORS");
            uint256 sum;
            for (uint256 i; i < shares.length; ++i) {
                sum += shares[i];
            }
            assertEq(sum, stack, "stack == sum of ancestor shares");
        }
    }

    // ─────────────────────────────── 4. content hashes ───────────────────────────────

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_contentHashesAreUnique() public view {
        uint256 n = handler.assetCount();
        assertEq(registry.totalAssets(), n, "every certificate was recorded by the handler");
        for (uint256 i; i < n; ++i) {
            assertEq(registry.assetOf(handler.contentHashes(i)), handler.assetIds(i), "assetOf maps back");
            assertEq(handler.assetIds(i), i + 1, "ids are 1..n in order");
        }
    }

    function _accounts() internal view returns (address[] memory a) {
        address[] memory cast = handler.actors();
        a = new address[](cast.length + 1);
        for (uint256 i; i < cast.length; ++i) {
            a[i] = cast[i];
        }
        a[cast.length] = treasury;
    }
}
