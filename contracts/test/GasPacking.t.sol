// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {GenIPRegistry} from "../src/GenIPRegistry.sol";
import {LicenseToken} from "../src/LicenseToken.sol";
import {License} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice The storage packing behind issue #14's gas goals reads back exactly what was written: the first
/// ancestry entry kept beside the asset's state, the hub address beside the certificate count, a licence record
/// written in one SSTORE, counters whose slots are never zero, and a platform batch that proves each commitment
/// once.
contract GasPackingTest is Base {
    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
    }

    // ─────────────────────────────── ancestry head ───────────────────────────────

    /// Ancestries of 1 to 7 entries: the head alone, the head and a partial word, a full word, a second word.
    /// A grandchild reads its parent's whole ancestry (head included) when it registers.
    function test_ancestry_readsBackInOrderAcrossTheHeadAndWordBoundaries() public {
        for (uint256 n = 1; n <= 7; ++n) {
            (uint256[] memory parents, uint16[] memory shares) = _distinctRoots(n);
            uint256 child = _derive(bob, parents, shares);
            _assertAncestry(child, parents, shares, "child");

            uint256 grandchild = _derive(carol, child, 7);
            uint256[] memory ids = new uint256[](n + 1);
            uint16[] memory expected = new uint16[](n + 1);
            (ids[0], expected[0]) = (child, 7);
            for (uint256 i; i < n; ++i) {
                (ids[i + 1], expected[i + 1]) = (parents[i], shares[i]);
            }
            _assertAncestry(grandchild, ids, expected, "grandchild");
        }
    }

    /// Every ancestor, the head included, is credited its share of a payment; the owner gets the rest.
    function test_payRevenue_creditsEveryAncestorOfAFiveParentLineage() public {
        (uint256[] memory parents, uint16[] memory shares) = _distinctRoots(5);
        uint256 child = _derive(bob, parents, shares);
        uint256 amount = 1 ether;
        uint256 net = amount - _fee(amount);

        vm.recordLogs();
        _payNative(stranger, child, amount);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256 toAncestors;
        for (uint256 i; i < parents.length; ++i) {
            (uint256 credited, uint256 count) = _creditedFrom(logs, alice, parents[i], child);
            assertEq(count, 1, "one credit per ancestor");
            assertEq(credited, net * shares[i] / 10_000, "the ancestor's share");
            toAncestors += credited;
        }
        (uint256 rest,) = _credited(logs, bob, child);
        assertEq(rest, net - toAncestors, "the owner gets the rest");
    }

    // ─────────────────────────────── registry: hub and count ───────────────────────────────

    /// Registering before and after the hub is set: the count and the hub, sharing a slot, never disturb each other.
    function test_hubAndTotalAssets_shareASlotWithoutDisturbingEachOther() public {
        GenIPRegistry fresh = new GenIPRegistry(admin, ADMIN_DELAY);
        _registerOn(fresh, alice);
        _registerOn(fresh, bob);
        assertEq(fresh.totalAssets(), 2, "counted without a hub");
        assertEq(fresh.hub(), address(0), "no hub yet");

        vm.prank(admin);
        fresh.setHub(address(hub));
        assertEq(fresh.hub(), address(hub), "hub set");
        assertEq(fresh.totalAssets(), 2, "count kept");

        assertEq(_registerOn(fresh, carol), 3, "next id");
        assertEq(fresh.totalAssets(), 3, "counted");
        assertEq(fresh.hub(), address(hub), "hub kept");
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.HubAlreadySet.selector, address(hub)));
        vm.prank(admin);
        fresh.setHub(makeAddr("another hub"));
    }

    /// The chain's first registration costs what any creator's first does: the count's slot is not zero then
    /// (it holds the hub), so it is updated, not created (a created slot would cost 17 100 gas more).
    function test_register_theFirstRegistrationPaysNoFreshSlotForTheCount() public {
        assertEq(registry.totalAssets(), 0, "nothing registered yet");
        IGenIPRegistry.Work memory first = _nextWork();
        IGenIPRegistry.Work memory second = _nextWork();
        bytes32 firstSalt = _commit(alice, first.contentHash);
        bytes32 secondSalt = _commit(bob, second.contentHash);

        vm.prank(alice);
        uint256 before = gasleft();
        registry.register(first, firstSalt, _noProof());
        uint256 firstGas = before - gasleft();
        vm.prank(bob);
        before = gasleft();
        registry.register(second, secondSalt, _noProof());
        uint256 secondGas = before - gasleft();

        assertLe(firstGas, secondGas + 10_000, "no fresh slot for the first registration");
    }

    // ─────────────────────────────── licence token ───────────────────────────────

    /// The record written in one SSTORE reads back field for field.
    function testFuzz_mint_storesEveryFieldOfTheRecord(License memory license, address to) public {
        vm.assume(to != address(0));
        LicenseToken token = new LicenseToken(); // this test is its hub
        uint256 id = token.mint(to, license);
        License memory stored = token.licenseOf(id);
        assertEq(stored.assetId, license.assetId, "assetId");
        assertEq(stored.offerId, license.offerId, "offerId");
        assertEq(stored.expiresAt, license.expiresAt, "expiresAt");
        assertEq(stored.revShareBps, license.revShareBps, "revShareBps");
        assertEq(stored.commercialUse, license.commercialUse, "commercialUse");
        assertEq(stored.derivativesAllowed, license.derivativesAllowed, "derivativesAllowed");
        assertEq(stored.transferable, license.transferable, "transferable");
        assertEq(stored.usedForDerivative, license.usedForDerivative, "usedForDerivative");
        assertEq(stored.generation, license.generation, "generation");
        assertEq(token.totalLicenses(), 1, "counted");
        assertEq(token.ownerOf(id), to, "minted to the holder");
    }

    /// The first licence ever minted costs what the second does: the count's slot is set at deployment.
    function test_mint_theFirstLicencePaysNoFreshSlotForTheCount() public {
        LicenseToken token = new LicenseToken();
        License memory license = License({
            assetId: 1,
            offerId: 1,
            expiresAt: 0,
            revShareBps: 500,
            commercialUse: true,
            derivativesAllowed: true,
            transferable: false,
            usedForDerivative: false,
            generation: false
        });
        uint256 before = gasleft();
        token.mint(bob, license);
        uint256 firstGas = before - gasleft();
        before = gasleft();
        token.mint(carol, license);
        uint256 secondGas = before - gasleft();

        assertEq(token.totalLicenses(), 2, "two");
        assertLe(firstGas, secondGas + 10_000, "no fresh slot for the first licence");
    }

    // ─────────────────────────────── platform batch ───────────────────────────────

    /// A lone leaf's commitment is consumed by the batch item it proves, so the same item again is skipped.
    function test_registerBatchByPlatform_consumesALoneLeafAndSkipsItsRepeat() public {
        address platform = makeAddr("platform");
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, type(uint32).max);
        IGenIPRegistry.BatchItem[] memory items = new IGenIPRegistry.BatchItem[](2);
        items[0].creator = alice;
        items[0].work = _nextWork();
        items[0].salt = _commit(alice, items[0].work.contentHash);
        items[1] = items[0];
        bytes32 leaf = registry.registrationLeaf(alice, items[0].work.contentHash, items[0].salt);

        vm.recordLogs();
        vm.prank(platform);
        uint256 first = registry.registerBatchByPlatform(items);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(registry.assetOf(items[0].work.contentHash), first, "registered once");
        assertEq(registry.totalAssets(), 1, "one certificate");
        (uint64 blockNumber, uint64 timestamp) = registry.commitmentOf(leaf);
        assertEq(uint256(blockNumber) + timestamp, 0, "the lone leaf's commitment is consumed");
        bytes32 skipped = keccak256("BatchItemSkipped(uint256,address,bytes32,bytes4)");
        assertEq(_countLogs(logs, address(registry), skipped), 1, "the repeat is skipped");
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != skipped) continue;
            assertEq(uint256(logs[i].topics[1]), 1, "item 1");
            bytes4 reason = abi.decode(logs[i].data, (bytes4));
            assertEq(reason, IGenIPRegistry.UnknownCommitment.selector, "its commitment is gone");
        }
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    /// @dev `n` roots of alice's with distinct derivative shares 100, 110, 120, ...
    function _distinctRoots(uint256 n) internal returns (uint256[] memory ids, uint16[] memory shares) {
        ids = new uint256[](n);
        shares = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _register(alice);
            shares[i] = uint16(100 + 10 * i);
        }
    }

    function _assertAncestry(uint256 asset, uint256[] memory ids, uint16[] memory shares, string memory what)
        internal
        view
    {
        (uint256[] memory gotIds, uint16[] memory gotShares) = hub.ancestry(asset);
        assertEq(gotIds, ids, what);
        assertEq(gotShares.length, shares.length, what);
        for (uint256 i; i < shares.length; ++i) {
            assertEq(gotShares[i], shares[i], what);
        }
    }

    /// @dev Sum and count of `Credited` logs for (account, assetId) whose source asset is `source`.
    function _creditedFrom(Vm.Log[] memory logs, address account, uint256 assetId, uint256 source)
        internal
        view
        returns (uint256 total, uint256 count)
    {
        bytes32 sig = keccak256("Credited(address,address,uint256,uint256,uint256)");
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(hub) || l.topics.length != 4 || l.topics[0] != sig) continue;
            if (address(uint160(uint256(l.topics[1]))) != account || uint256(l.topics[3]) != assetId) continue;
            (uint256 amount, uint256 from) = abi.decode(l.data, (uint256, uint256));
            if (from != source) continue;
            total += amount;
            ++count;
        }
    }

    /// @dev Commit (on `target`), next block, register `creator`'s next work on `target`.
    function _registerOn(GenIPRegistry target, address creator) internal returns (uint256 assetId) {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _salt(creator, work.contentHash);
        bytes32 leaf = target.registrationLeaf(creator, work.contentHash, salt);
        vm.prank(creator);
        target.commit(leaf);
        vm.roll(block.number + 1);
        vm.prank(creator);
        assetId = target.register(work, salt, _noProof());
    }
}
