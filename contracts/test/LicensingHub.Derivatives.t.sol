// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {ILicenseToken} from "../src/interfaces/ILicenseToken.sol";
import {LicenseUse} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Registering derivatives: licence checks, lineage bounds, royalty stacks and ancestry.
contract LicensingHubDerivativesTest is Base {
    bytes32 internal constant DERIVATIVE_REGISTERED =
        keccak256(
            "DerivativeRegistered(uint256,address,uint256[],uint256[],uint16[],uint256[],uint16[],uint16,uint8,uint64)"
        );

    uint256 internal root;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        root = _register(alice);
    }

    // ─────────────────────────────── the happy path ───────────────────────────────

    function test_registerDerivative_mintsToTheCallerAndUsesTheLicence() public {
        uint256 licenseId = _derivativeLicense(root, bob, 1000);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);

        vm.expectEmit(true, true, true, true, address(licenseToken));
        emit ILicenseToken.LicenseUsed(licenseId, 2);
        vm.prank(bob);
        uint256 child = hub.registerDerivative(toArray(licenseId), work, salt, _noProof());

        assertEq(child, 2, "next asset id");
        assertEq(registry.ownerOf(child), bob, "derivative belongs to its creator");
        assertEq(registry.assetOf(work.contentHash), child, "content recorded");
        assertTrue(licenseToken.licenseOf(licenseId).usedForDerivative, "licence used");
        assertEq(licenseToken.ownerOf(licenseId), bob, "licence kept");
    }

    function test_registerDerivative_usedLicenceKeepsItsOtherRights() public {
        uint256 licenseId = _derivativeLicense(root, bob, 1000);
        _registerDerivative(bob, toArray(licenseId));

        (bool licensed, uint256 id,) = hub.licenseStatus(root, bob, LicenseUse.Derivative);
        assertFalse(licensed, "no longer a derivative licence");
        assertEq(id, 0, "none");
        (licensed, id,) = hub.licenseStatus(root, bob, LicenseUse.Commercial);
        assertTrue(licensed, "still commercial");
        assertEq(id, licenseId, "the used licence");
    }

    function test_registerDerivative_emitsLineageAndRecordsAncestry() public {
        uint256 licenseId = _derivativeLicense(root, bob, 1000);
        vm.recordLogs();
        uint256 child = _registerDerivative(bob, toArray(licenseId));

        Derived memory d = _derivedEvent(vm.getRecordedLogs());
        assertEq(d.assetId, child, "assetId");
        assertEq(d.creator, bob, "creator");
        assertEq(d.parentIds, toArray(root), "parentIds");
        assertEq(d.licenseIds, toArray(licenseId), "licenseIds");
        assertEq(d.parentShareBps.length, 1, "parentShareBps length");
        assertEq(d.parentShareBps[0], 1000, "parent share");
        assertEq(d.ancestorIds, toArray(root), "ancestorIds");
        assertEq(d.ancestorShareBps[0], 1000, "ancestor share");
        assertEq(d.royaltyStackBps, 1000, "stack");
        assertEq(d.depth, 1, "depth");

        (uint256[] memory ids, uint16[] memory shares) = hub.ancestry(child);
        assertEq(ids, toArray(root), "ancestry ids");
        assertEq(shares[0], 1000, "ancestry share");
        assertEq(hub.royaltyStack(child), 1000, "royaltyStack");
    }

    function test_ancestry_ofARootWorkIsEmpty() public view {
        (uint256[] memory ids, uint16[] memory shares) = hub.ancestry(root);
        assertEq(ids.length, 0, "no ancestors");
        assertEq(shares.length, 0, "no shares");
        assertEq(hub.royaltyStack(root), 0, "no stack");
    }

    function test_registerDerivative_withZeroRevShareStillRecordsTheParent() public {
        uint256 child = _derive(bob, root, 0);
        assertEq(hub.royaltyStack(child), 0, "stack");
        assertEq(registry.ownerOf(child), bob, "registered");
    }

    /// Stacking: every ancestor of a parent is owed the same share of the child as of the parent.
    function test_registerDerivative_stacksSharesAbsolutelyDownTheLineage() public {
        uint256 a = _derive(bob, root, 1000); // root 10 % of a
        uint256 b = _derive(carol, a, 500); // a 5 % of b, root 10 % of b
        (uint256[] memory ids, uint16[] memory shares) = hub.ancestry(b);
        assertEq(_shareOf(ids, shares, a), 500, "parent");
        assertEq(_shareOf(ids, shares, root), 1000, "grandparent, stacked");
        assertEq(ids.length, 2, "two ancestors");
        assertEq(hub.royaltyStack(b), 1500, "stack");
    }

    /// The decision the contract notes make: an ancestor reached by two paths appears once, owed the sum.
    function test_ancestry_diamondListsAnAncestorReachedTwiceOnceWithTheSumOfItsShares() public {
        uint256 a = _derive(bob, root, 1000);
        uint256 b = _derive(carol, root, 500);
        uint16[] memory rs = new uint16[](2);
        rs[0] = 2000;
        rs[1] = 300;
        vm.recordLogs();
        uint256 d = _derive(dave, toArray(a, b), rs);
        Derived memory ev = _derivedEvent(vm.getRecordedLogs());

        (uint256[] memory ids, uint16[] memory shares) = hub.ancestry(d);
        assertEq(ids.length, 3, "root listed once");
        assertEq(_shareOf(ids, shares, a), 2000, "a");
        assertEq(_shareOf(ids, shares, b), 300, "b");
        assertEq(_shareOf(ids, shares, root), 1500, "root: 1000 via a + 500 via b");
        assertEq(hub.royaltyStack(d), 3800, "stack");
        assertEq(ev.royaltyStackBps, 3800, "event stack");
        assertEq(ev.depth, 2, "depth is one more than the deepest parent");
        assertEq(ev.ancestorIds.length, 3, "event ancestors");
        assertEq(_shareOf(ev.ancestorIds, ev.ancestorShareBps, root), 1500, "event root share");
    }

    function test_registerDerivative_acceptsSixteenParents() public {
        assertEq(hub.MAX_PARENTS(), 16, "MAX_PARENTS");
        (uint256[] memory parents, uint16[] memory rs) = _roots(16, 100);
        uint256 child = _derive(bob, parents, rs);
        (uint256[] memory ids,) = hub.ancestry(child);
        assertEq(ids.length, 16, "sixteen ancestors");
        assertEq(hub.royaltyStack(child), 1600, "stack");
    }

    function test_registerDerivative_revertsWithSeventeenParents() public {
        (uint256[] memory parents,) = _roots(17, 100);
        uint256[] memory licenseIds = _licenses(parents, bob, 100);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.TooManyParents.selector, 17, 16));
        vm.prank(bob);
        hub.registerDerivative(licenseIds, work, salt, _noProof());
    }

    function test_registerDerivative_revertsWithNoParents() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(ILicensingHub.NoParents.selector);
        vm.prank(bob);
        hub.registerDerivative(new uint256[](0), work, salt, _noProof());
    }

    function test_registerDerivative_revertsForTwoLicencesOnTheSameParent() public {
        uint256 l1 = _derivativeLicense(root, bob, 100);
        uint256 l2 = _derivativeLicense(root, bob, 200);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.DuplicateParent.selector, root));
        vm.prank(bob);
        hub.registerDerivative(toArray(l1, l2), work, salt, _noProof());
    }

    // ─────────────────────────────── royalty stack bound ───────────────────────────────

    function test_registerDerivative_acceptsAStackOfExactly100Percent() public {
        uint256 other = _register(carol);
        uint16[] memory rs = new uint16[](2);
        rs[0] = 6000;
        rs[1] = 4000;
        uint256 child = _derive(bob, toArray(root, other), rs);
        assertEq(hub.royaltyStack(child), 10_000, "100 %");
    }

    function test_registerDerivative_revertsWhenTheStackExceeds100Percent() public {
        uint256 other = _register(carol);
        uint256 l1 = _derivativeLicense(root, bob, 6000);
        uint256 l2 = _derivativeLicense(other, bob, 5000);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.RoyaltyStackTooHigh.selector, 11_000));
        vm.prank(bob);
        hub.registerDerivative(toArray(l1, l2), work, salt, _noProof());
    }

    function test_registerDerivative_revertsWhenInheritedSharesPushTheStackOver100Percent() public {
        uint256 a = _derive(bob, root, 6000); // a's stack: 6000
        uint256 l = _derivativeLicense(a, carol, 4001); // 4001 + 6000 inherited
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(carol, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.RoyaltyStackTooHigh.selector, 10_001));
        vm.prank(carol);
        hub.registerDerivative(toArray(l), work, salt, _noProof());
    }

    /// Seven 100 %-stacked parents of one root: the root's summed share (70 000 bps) passes what a uint16 holds,
    /// and the refusal must still be the documented RoyaltyStackTooHigh(70 000), not an arithmetic panic.
    function test_registerDerivative_revertsWithRoyaltyStackTooHighWhenASharedAncestorsSumPassesUint16() public {
        uint256[] memory licenseIds = new uint256[](7);
        for (uint256 i; i < 7; ++i) {
            uint256 parent = _derive(bob, root, 10_000); // stack(parent) = 100 %, all owed to root
            licenseIds[i] = _derivativeLicense(parent, carol, 0);
        }
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(carol, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.RoyaltyStackTooHigh.selector, 70_000));
        vm.prank(carol);
        hub.registerDerivative(licenseIds, work, salt, _noProof());
    }

    function test_registerDerivative_mergesAParentThatIsAlsoAnAncestorOfAnotherParent() public {
        uint256 a = _derive(bob, root, 1000); // root 10 % of a
        uint16[] memory rs = new uint16[](2);
        rs[0] = 500; // on root directly
        rs[1] = 2000; // on a
        vm.recordLogs();
        uint256 d = _derive(carol, toArray(root, a), rs);
        Derived memory ev = _derivedEvent(vm.getRecordedLogs());
        (uint256[] memory ids, uint16[] memory shares) = hub.ancestry(d);
        assertEq(ids.length, 2, "root once, a once");
        assertEq(_shareOf(ids, shares, root), 1500, "root: 5 % direct + 10 % via a");
        assertEq(_shareOf(ids, shares, a), 2000, "a");
        assertEq(hub.royaltyStack(d), 3500, "stack");
        assertEq(ev.depth, 2, "depth follows the deeper parent");
    }

    // ─────────────────────────────── lineage bounds ───────────────────────────────

    function test_registerDerivative_revertsBeyondTheMaximumDepth() public {
        assertEq(hub.MAX_DEPTH(), 8, "MAX_DEPTH");
        uint256 tip = root;
        for (uint256 depth = 1; depth <= 8; ++depth) {
            vm.recordLogs();
            tip = _derive(bob, tip, 10);
            assertEq(_derivedEvent(vm.getRecordedLogs()).depth, depth, "depth");
        }
        assertEq(hub.royaltyStack(tip), 80, "eight levels of 0.1 %");

        uint256 l = _derivativeLicense(tip, bob, 10);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.LineageTooDeep.selector, 9, 8));
        vm.prank(bob);
        hub.registerDerivative(toArray(l), work, salt, _noProof());
    }

    function test_registerDerivative_acceptsExactlyTheMaximumNumberOfAncestors() public {
        assertEq(hub.MAX_ANCESTORS(), 32, "MAX_ANCESTORS");
        (uint256 left, uint256 right) = _twoWideDerivatives(16, 14); // 2 parents + 16 + 14 = 32 ancestors
        uint16[] memory rs = new uint16[](2);
        rs[0] = 10;
        rs[1] = 10;
        uint256 child = _derive(erin, toArray(left, right), rs);
        (uint256[] memory ids,) = hub.ancestry(child);
        assertEq(ids.length, 32, "thirty-two ancestors");
    }

    function test_registerDerivative_revertsWithTooManyAncestors() public {
        (uint256 left, uint256 right) = _twoWideDerivatives(16, 15); // 2 + 16 + 15 = 33 ancestors
        uint256 l1 = _derivativeLicense(left, erin, 10);
        uint256 l2 = _derivativeLicense(right, erin, 10);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(erin, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.TooManyAncestors.selector, 33, 32));
        vm.prank(erin);
        hub.registerDerivative(toArray(l1, l2), work, salt, _noProof());
    }

    // ─────────────────────────────── licence checks ───────────────────────────────

    function test_registerDerivative_revertsWhenCallerDoesNotHoldTheLicence() public {
        uint256 licenseId = _derivativeLicense(root, carol, 100);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotLicenseHolder.selector, licenseId, bob, carol));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
    }

    function test_registerDerivative_revertsForUnknownLicence() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownLicense.selector, 77));
        vm.prank(bob);
        hub.registerDerivative(toArray(77), work, salt, _noProof());
    }

    function test_registerDerivative_revertsWhenTheLicenceForbidsDerivatives() public {
        uint256 licenseId = _buy(bob, _offer(alice, root, _terms(true, false, false, 0), NATIVE, 1, 0, 0));
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.DerivativesNotAllowed.selector, licenseId));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
    }

    function test_registerDerivative_revertsWhenTheLicenceExpired() public {
        uint256 licenseId = _buy(bob, _offer(alice, root, _derivativeTerms(100), NATIVE, 1, 1 days, 0));
        uint64 expiresAt = uint64(block.timestamp + 1 days);
        vm.warp(expiresAt);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.LicenseExpired.selector, licenseId, expiresAt));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
    }

    function test_registerDerivative_acceptsATimedLicenceBeforeItExpires() public {
        uint256 licenseId = _buy(bob, _offer(alice, root, _derivativeTerms(100), NATIVE, 1, 1 days, 0));
        vm.warp(block.timestamp + 1 days - 1);
        uint256 child = _registerDerivative(bob, toArray(licenseId));
        assertEq(registry.ownerOf(child), bob, "registered");
    }

    function test_registerDerivative_revertsWhenTheLicenceWasAlreadyUsed() public {
        uint256 licenseId = _derivativeLicense(root, bob, 100);
        _registerDerivative(bob, toArray(licenseId));
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.LicenseAlreadyUsed.selector, licenseId));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
    }

    function test_registerDerivative_revertsForAlreadyRegisteredContent() public {
        uint256 licenseId = _derivativeLicense(root, bob, 100);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        uint256 existing = _register(carol, work);
        vm.expectRevert(
            abi.encodeWithSelector(IGenIPRegistry.ContentAlreadyRegistered.selector, work.contentHash, existing)
        );
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
        assertFalse(licenseToken.licenseOf(licenseId).usedForDerivative, "licence not used up");
    }

    function test_registerDerivative_acceptsATransferredLicence() public {
        uint256 offerId = _offer(alice, root, _terms(true, true, true, 250), NATIVE, 1, 0, 0);
        uint256 licenseId = _buy(brand, offerId);
        vm.prank(brand);
        licenseToken.transferFrom(brand, carol, licenseId);
        uint256 child = _registerDerivative(carol, toArray(licenseId));
        assertEq(registry.ownerOf(child), carol, "registered by the new holder");
        assertEq(hub.royaltyStack(child), 250, "stack");
    }

    function testFuzz_registerDerivative_stackIsTheSumOfParentSharesAndTheirStacks(uint16 r1, uint16 r2, uint16 rA)
        public
    {
        rA = uint16(bound(rA, 0, 10_000));
        r1 = uint16(bound(r1, 0, 10_000));
        r2 = uint16(bound(r2, 0, 10_000));
        uint256 a = _derive(bob, root, rA); // stack(a) = rA
        uint256 other = _register(carol); // stack 0
        uint256 l1 = _derivativeLicense(a, dave, r1);
        uint256 l2 = _derivativeLicense(other, dave, r2);
        uint256 expected = uint256(r1) + rA + r2;
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(dave, work.contentHash);

        vm.prank(dave);
        if (expected > 10_000) {
            vm.expectRevert(abi.encodeWithSelector(ILicensingHub.RoyaltyStackTooHigh.selector, expected));
            hub.registerDerivative(toArray(l1, l2), work, salt, _noProof());
            return;
        }
        uint256 child = hub.registerDerivative(toArray(l1, l2), work, salt, _noProof());
        assertEq(hub.royaltyStack(child), expected, "stack");
        (uint256[] memory ids, uint16[] memory shares) = hub.ancestry(child);
        assertEq(_shareOf(ids, shares, root), rA, "root");
        assertEq(_shareOf(ids, shares, a), r1, "a");
        assertEq(_shareOf(ids, shares, other), r2, "other");
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    struct Derived {
        uint256 assetId;
        address creator;
        uint256[] parentIds;
        uint256[] licenseIds;
        uint16[] parentShareBps;
        uint256[] ancestorIds;
        uint16[] ancestorShareBps;
        uint16 royaltyStackBps;
        uint8 depth;
        uint64 expiresAt;
    }

    function _derivedEvent(Vm.Log[] memory logs) internal view returns (Derived memory d) {
        uint256 found;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub) || logs[i].topics[0] != DERIVATIVE_REGISTERED) continue;
            ++found;
            d.assetId = uint256(logs[i].topics[1]);
            d.creator = address(uint160(uint256(logs[i].topics[2])));
            bytes memory data = logs[i].data;
            (d.parentIds, d.licenseIds, d.parentShareBps, d.ancestorIds, d.ancestorShareBps) =
                abi.decode(data, (uint256[], uint256[], uint16[], uint256[], uint16[]));
            // The static tail (stack, depth, expiresAt) sits in head words 5..7.
            uint256 stack;
            uint256 depth;
            uint256 expiresAt;
            assembly ("memory-safe") {
                stack := mload(add(data, 0xc0))
                depth := mload(add(data, 0xe0))
                expiresAt := mload(add(data, 0x100))
            }
            d.royaltyStackBps = uint16(stack);
            d.depth = uint8(depth);
            d.expiresAt = uint64(expiresAt);
        }
        assertEq(found, 1, "one DerivativeRegistered");
    }

    function _shareOf(uint256[] memory ids, uint16[] memory shares, uint256 id) internal pure returns (uint256 s) {
        assertEq(ids.length, shares.length, "ids and shares align");
        uint256 seen;
        for (uint256 i; i < ids.length; ++i) {
            if (ids[i] == id) {
                s = shares[i];
                ++seen;
            }
        }
        assertEq(seen, 1, "ancestor listed exactly once");
    }

    function _roots(uint256 n, uint16 revShareBps) internal returns (uint256[] memory ids, uint16[] memory rs) {
        ids = new uint256[](n);
        rs = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _register(alice);
            rs[i] = revShareBps;
        }
    }

    function _licenses(uint256[] memory parents, address buyer, uint16 revShareBps)
        internal
        returns (uint256[] memory licenseIds)
    {
        licenseIds = new uint256[](parents.length);
        for (uint256 i; i < parents.length; ++i) {
            licenseIds[i] = _derivativeLicense(parents[i], buyer, revShareBps);
        }
    }

    /// @dev Two derivatives, one over `nLeft` fresh roots and one over `nRight` others (0.1 % each).
    function _twoWideDerivatives(uint256 nLeft, uint256 nRight) internal returns (uint256 left, uint256 right) {
        (uint256[] memory p1, uint16[] memory r1) = _roots(nLeft, 10);
        left = _derive(bob, p1, r1);
        (uint256[] memory p2, uint16[] memory r2) = _roots(nRight, 10);
        right = _derive(carol, p2, r2);
    }
}
