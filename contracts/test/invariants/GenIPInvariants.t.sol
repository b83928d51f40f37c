// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {License, LicenseUse} from "../../src/types/GenIPTypes.sol";

import {Base} from "../utils/Base.sol";
import {vm} from "../utils/Vm.sol";
import {IMintableERC20} from "../utils/Interfaces.sol";
import {Handler} from "./Handler.sol";

/// @notice The system-wide rules, checked after every call of random sequences driven through {Handler}:
///   1. money: for each currency, the hub holds exactly the unwithdrawn credits plus the funds held under every
///      (asset, dispute); the court holds exactly the bonds of unsettled disputes plus the awarded balances;
///   2. no licence without its price: what buyers paid equals what LicensePurchased reports;
///   3. every royalty stack is at most 100 %, and is the sum of the ancestors' shares;
///   4. one certificate per content hash, and none without an earlier commitment to its creator's leaf (a copier
///      never wins a pending work);
///   5. an asset that is Disputed, Upheld or Tainted never sells a licence nor gets a derivative.
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
        address referrer = makeAddr("referrer");
        vm.startPrank(admin);
        hub.grantRole(keccak256("REFERRER_ROLE"), referrer);
        hub.setReferralFee(300);
        vm.stopPrank();
        handler = new Handler(registry, hub, court, usd, [arbiter, treasury, admin, referrer], cast);
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

    /// @dev The handler's actions do succeed (an invariant over refused calls only would prove nothing): one
    /// scripted pass through registration, sales, a derivative, an upheld dispute with taint, and payouts.
    function test_handler_drivesEveryActionToSuccess() public {
        handler.commit(0, 1, false); // alice, one leaf
        handler.commit(1, 2, true); // bob, a two-leaf root
        handler.register(0, 0, 2);
        handler.register(0, 0, 3);
        handler.register(0, 0, 4);
        handler.createOffer(0, 0, 1 ether, 0, 0, 1000, 7); // on asset 1: commercial, derivatives
        handler.buyLicense(2, 0); // carol
        handler.registerDerivative(2, 0, 1, 9);
        handler.payRevenue(3, 3, 0, 1 ether); // on the derivative
        handler.raise(0, 4); // against asset 1, by erin
        handler.answer(0);
        handler.resolve(0, true);
        handler.propagateTaint(3);
        handler.payRevenue(3, 3, 0, 1 ether);
        handler.warp(10 days);
        handler.releaseHeld(0, 0);
        handler.settle(0);
        handler.withdraw(0, 0);
        handler.withdrawBond(4);
        string[13] memory names = [
            "commit", "register", "createOffer", "registerDerivative", "payRevenue", "raise", "answer", "resolve",
            "propagateTaint", "releaseHeld", "settle", "withdraw", "withdrawBond"
        ];
        for (uint256 i; i < names.length; ++i) {
            assertGt(handler.calls(keccak256(bytes(names[i]))), 0, names[i]);
        }
        assertEq(registry.totalAssets(), 4, "three roots and a derivative");
        invariant_hubBalanceEqualsCreditsPlusHeld();
        invariant_courtBalanceEqualsUnsettledBondsPlusAwards();
        invariant_noCertificateWithoutAnEarlierCommitment();
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
            uint256[2][] memory keys = handler.heldKeys();
            for (uint256 k; k < keys.length; ++k) {
                owed += hub.heldOf(keys[k][0], keys[k][1], currency);
            }
            uint256 holding =
                currency == NATIVE ? address(hub).balance : IMintableERC20(currency).balanceOf(address(hub));
            assertEq(holding, owed, "hub balance == credits + held");
            assertEq(holding, handler.ghostIn(currency) - handler.ghostOut(currency), "hub balance == in - out");
        }
    }

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_courtBalanceEqualsUnsettledBondsPlusAwards() public view {
        uint256 unsettled;
        uint256 n = court.totalDisputes();
        assertEq(n, handler.disputeCount(), "every dispute was raised by the handler");
        for (uint256 id = 1; id <= n; ++id) {
            if (!court.dispute(id).settled) unsettled += court.dispute(id).bond;
        }
        uint256 awarded;
        address[] memory cast = handler.actors();
        for (uint256 i; i < cast.length; ++i) {
            awarded += court.balanceOf(cast[i], NATIVE);
        }
        assertEq(address(court).balance, unsettled + awarded, "court balance == unsettled bonds + awards");
        assertEq(
            address(court).balance,
            handler.ghostBondsIn(NATIVE) - handler.ghostBondsOut(NATIVE),
            "court balance == bonds in - out"
        );
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

    /// Generation licences are never used up, always allow derivatives, and keep their holder's best
    /// derivative licence on their asset set (the best-licence bookkeeping never drops a reusable licence).
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_generationLicencesAreNeverUsedUp() public view {
        uint256 n = licenseToken.totalLicenses();
        for (uint256 id = 1; id <= n; ++id) {
            License memory l = licenseToken.licenseOf(id); // the handler never renounces
            if (!l.generation) continue;
            assertTrue(l.derivativesAllowed, "generation implies derivatives");
            assertFalse(l.usedForDerivative, "generation licence used up");
            address holder = licenseToken.ownerOf(id);
            assertTrue(
                licenseToken.bestLicense(holder, l.assetId, LicenseUse.Derivative) != 0, "best derivative licence lost"
            );
        }
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

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_noCertificateWithoutAnEarlierCommitment() public view {
        assertEq(handler.ghostMintedWithoutCommitment(), 0, "minted without an earlier commitment");
        assertEq(handler.ghostCopierWins(), 0, "a copier took a pending work");
        uint256 n = registry.totalAssets();
        for (uint256 id = 1; id <= n; ++id) {
            bytes32 leaf = handler.ghostLeafOf(id);
            assertTrue(leaf != bytes32(0), "every certificate had a leaf");
            assertTrue(handler.ghostCommittedAt(leaf) != 0, "that leaf was committed");
            if (handler.ghostLeafAlone(id)) {
                (uint64 blockNumber,) = registry.commitmentOf(leaf);
                assertEq(uint256(blockNumber), 0, "a leaf committed alone is consumed");
            }
        }
    }

    // ─────────────────────────────── 5. standing ───────────────────────────────

    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_notClearAssetsNeverSell() public view {
        assertEq(handler.ghostSoldWhileNotClear(), 0, "a licence or derivative on an asset that was not Clear");
    }

    /// The handler's Generation offers (flags bit 8) sell licences that register more than one derivative.
    function test_handler_generationLicenceRegistersMoreThanOnce() public {
        handler.commit(0, 1, false);
        handler.register(0, 0, 2);
        handler.createOffer(0, 0, 1 ether, 0, 0, 1000, 15); // commercial, derivatives, Generation
        handler.buyLicense(2, 0); // carol
        assertTrue(licenseToken.licenseOf(1).generation, "a generation licence");
        handler.registerDerivative(2, 0, 1, 9);
        handler.registerDerivative(2, 0, 1, 10);
        assertEq(registry.totalAssets(), 3, "two derivatives under one licence");
        assertEq(handler.calls(keccak256("registerDerivative")), 2, "both succeeded");
        invariant_generationLicencesAreNeverUsedUp();
        invariant_hubBalanceEqualsCreditsPlusHeld();
    }

    function _accounts() internal view returns (address[] memory a) {
        address[] memory cast = handler.actors();
        a = new address[](cast.length + 2);
        for (uint256 i; i < cast.length; ++i) {
            a[i] = cast[i];
        }
        a[cast.length] = treasury;
        a[cast.length + 1] = handler.referrer();
    }
}
