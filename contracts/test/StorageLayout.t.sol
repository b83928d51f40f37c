// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {LicenseToken} from "../src/LicenseToken.sol";
import {License, Standing, CheckOutcome} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// The packed storage of the gas round (hub state word and ancestry head, licence record, registry hub/count
/// slot) decoded by hand from the raw slots and compared with the getters, for every ancestry length up to
/// 16 parents (32 ancestors): anyone who reorders `AssetState` or `License` must update the shifts here too.
contract StorageLayoutTest is Base {
    uint256 internal constant ASSETS_SLOT = 10; // LicensingHub._assets
    uint256 internal constant ANCESTORS_SLOT = 11; // LicensingHub._ancestors

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
    }

    function _stateWord(uint256 assetId) internal view returns (uint256) {
        return uint256(vm.load(address(hub), keccak256(abi.encode(assetId, ASSETS_SLOT))));
    }

    function _ancestorWord(uint256 assetId, uint256 word) internal view returns (uint256) {
        bytes32 inner = keccak256(abi.encode(assetId, ANCESTORS_SLOT));
        return uint256(vm.load(address(hub), keccak256(abi.encode(word, inner))));
    }

    function _roots(uint256 n, uint16 base) internal returns (uint256[] memory ids, uint16[] memory shares) {
        ids = new uint256[](n);
        shares = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _register(alice);
            shares[i] = uint16(base + 3 * i);
        }
    }

    /// Decodes the state word by hand and checks it field for field, plus the spill words.
    function _checkRaw(uint256 asset, uint256[] memory ids, uint16[] memory shares, uint256 depth, uint256 expiry)
        internal
        view
    {
        uint256 w = _stateWord(asset);
        uint256 stack;
        for (uint256 i; i < shares.length; ++i) {
            stack += shares[i];
        }
        assertEq(w & 0xFFFF, stack, "stack bits");
        assertEq((w >> 16) & 0xFF, depth, "depth bits");
        assertEq((w >> 24) & 0xFF, ids.length, "count bits");
        assertEq((w >> 32) & ((1 << 40) - 1), expiry, "expiry bits");
        assertEq((w >> 72) & 0xFF, 0, "standing Clear");
        assertEq((w >> 80) & ((1 << 64) - 1), 0, "no dispute");
        assertEq((w >> 144) & 0xFF, 0, "no failed check");
        assertEq((w >> 152) & ((1 << 80) - 1), (ids[0] << 16) | shares[0], "head");
        assertEq(w >> 232, 0, "nothing above the head");
        uint256 words = (ids.length - 1 + 2) / 3;
        for (uint256 k; k < words; ++k) {
            uint256 word = _ancestorWord(asset, k);
            for (uint256 j; j < 3; ++j) {
                uint256 i = 1 + 3 * k + j;
                uint256 entry = (word >> (80 * j)) & ((1 << 80) - 1);
                if (i < ids.length) assertEq(entry, (ids[i] << 16) | shares[i], "spilled entry");
                else assertEq(entry, 0, "unused entry zero");
            }
            assertEq(word >> 240, 0, "top 16 bits of a word unused");
        }
        assertEq(_ancestorWord(asset, words), 0, "no word past the last");
        assertEq(hub.royaltyStack(asset), stack, "royaltyStack getter");
        assertEq(hub.expiryOf(asset), expiry, "expiryOf getter");
        (Standing s, uint256 d) = hub.standingOf(asset);
        assertEq(uint256(s), 0, "standing getter");
        assertEq(d, 0, "dispute getter");
        (uint256[] memory gotIds, uint16[] memory gotShares) = hub.ancestry(asset);
        assertEq(gotIds, ids, "ancestry ids");
        for (uint256 i; i < shares.length; ++i) {
            assertEq(gotShares[i], shares[i], "ancestry share");
        }
    }

    /// 1, 2, 3, 4, 7 and 16 parents; then a grandchild inheriting through the head.
    function test_everyListLength_rawAndGetters() public {
        uint256[6] memory lengths = [uint256(1), 2, 3, 4, 7, 16];
        for (uint256 t; t < lengths.length; ++t) {
            uint256 n = lengths[t];
            (uint256[] memory parents, uint16[] memory shares) = _roots(n, 101);
            uint256 child = _derive(bob, parents, shares);
            _checkRaw(child, parents, shares, 1, 0);

            uint256 grandchild = _derive(carol, child, 9);
            uint256[] memory ids = new uint256[](n + 1);
            uint16[] memory exp = new uint16[](n + 1);
            (ids[0], exp[0]) = (child, 9);
            for (uint256 i; i < n; ++i) {
                (ids[i + 1], exp[i + 1]) = (parents[i], shares[i]);
            }
            _checkRaw(grandchild, ids, exp, 2, 0);
        }
    }

    /// 16 parents, each a derivative of its own root: 32 ancestors (the maximum), heads of every parent inherited.
    function test_sixteenDerivativeParents_thirtyTwoAncestors_andPayment() public {
        uint256[] memory parents = new uint256[](16);
        uint16[] memory pshares = new uint16[](16);
        uint256[] memory rootsOf = new uint256[](16);
        for (uint256 i; i < 16; ++i) {
            rootsOf[i] = _register(alice);
            parents[i] = _derive(dave, rootsOf[i], uint16(40 + i));
            pshares[i] = uint16(60 + i);
        }
        uint256 child = _derive(bob, parents, pshares);
        uint256[] memory ids = new uint256[](32);
        uint16[] memory exp = new uint16[](32);
        for (uint256 i; i < 16; ++i) {
            (ids[2 * i], exp[2 * i]) = (parents[i], pshares[i]);
            (ids[2 * i + 1], exp[2 * i + 1]) = (rootsOf[i], uint16(40 + i));
        }
        _checkRaw(child, ids, exp, 2, 0);

        uint256 amount = 1 ether;
        uint256 net = amount - _fee(amount);
        vm.recordLogs();
        _payNative(stranger, child, amount);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 toAncestors;
        for (uint256 i; i < 32; ++i) {
            address owner = registry.ownerOf(ids[i]);
            (uint256 c,) = _credited(logs, owner, ids[i]);
            assertEq(c, net * exp[i] / 10_000, "ancestor cut");
            toAncestors += c;
        }
        (uint256 rest,) = _credited(logs, bob, child);
        assertEq(rest + toAncestors, net, "all of net credited");
    }

    /// The first parent is also an ancestor through the second parent: the merged share lands in the head.
    function test_headMergesShareReachedTwice() public {
        uint256 root = _register(alice);
        uint256 mid = _derive(dave, root, 300);
        uint16[] memory shares = new uint16[](2);
        (shares[0], shares[1]) = (200, 100);
        uint256 child = _derive(bob, toArray(root, mid), shares);
        uint256[] memory ids = toArray(root, mid);
        uint16[] memory exp = new uint16[](2);
        (exp[0], exp[1]) = (500, 100);
        _checkRaw(child, ids, exp, 2, 0);
    }

    /// Writes of standing, dispute id and the failed-check flag (compiler read-modify-write) leave the head intact,
    /// and the head's bits never leak into those fields.
    function test_disputeAndCheckWritesKeepTheHead() public {
        (uint256[] memory parents, uint16[] memory shares) = _roots(4, 500);
        uint256 child = _derive(bob, parents, shares);
        uint256 before = _stateWord(child);
        uint256 headBits = before >> 152;

        uint256 disputeId = _raise(stranger, child);
        (Standing s, uint256 d) = hub.standingOf(child);
        assertEq(uint256(s), uint256(Standing.Disputed), "disputed");
        assertEq(d, disputeId, "dispute id");
        assertEq(_stateWord(child) >> 152, headBits, "head kept by setStanding");
        _resolve(disputeId, false);
        (s, d) = hub.standingOf(child);
        assertEq(uint256(s), 0, "clear again");

        vm.prank(checker);
        registry.attestPromptCheck(child, CheckOutcome.Failed, keccak256("r"));
        assertEq(_stateWord(child) >> 152, headBits, "head kept by recordPromptCheck");
        assertEq((_stateWord(child) >> 144) & 0xFF, 1, "failed flag");
        (uint256[] memory got,) = hub.ancestry(child);
        assertEq(got, parents, "ancestry kept");
        assertEq(hub.royaltyStack(child), 500 + 503 + 506 + 509, "stack kept");
    }

    /// A derivative under an expiring licence: the expiry goes to bits 32..71 and nowhere else.
    function test_expiryBits() public {
        uint256 root = _register(alice);
        uint256 offerId = _offer(alice, root, _derivativeTerms(250), NATIVE, 1, 30 days, 0);
        uint256 lic = _buy(bob, offerId);
        uint256 child = _registerDerivative(bob, toArray(lic));
        uint16[] memory shares = new uint16[](1);
        shares[0] = 250;
        _checkRaw(child, toArray(root), shares, 1, 1_700_000_000 + 30 days);
    }

    /// The licence record: dirty calldata (a uint64 with high bits, a bool of 2) must not bleed into other fields.
    function test_licenceMint_dirtyCalldataReverts() public {
        LicenseToken token = new LicenseToken();
        License memory l;
        l.assetId = 7;
        l.offerId = 9;
        bytes memory data = abi.encodeCall(LicenseToken.mint, (bob, l));
        // word 1 of the args is license.assetId (after `to`): set bit 64
        assembly {
            let p := add(data, add(32, add(4, 32)))
            mstore(p, add(mload(p), shl(64, 1)))
        }
        (bool ok,) = address(token).call(data);
        assertFalse(ok, "dirty uint64 refused");
        bytes memory data2 = abi.encodeCall(LicenseToken.mint, (bob, l));
        assembly {
            let p := add(data2, add(32, add(4, mul(32, 5)))) // commercialUse
            mstore(p, 2)
        }
        (ok,) = address(token).call(data2);
        assertFalse(ok, "dirty bool refused");
        assertEq(token.totalLicenses(), 0, "nothing minted");
    }

    /// Raw licence slot == the record layout the compiler reads, and markUsed (compiler RMW) keeps the rest.
    function test_licenceRecordRawAndMarkUsed() public {
        uint256 root = _register(alice);
        uint256 offerId = _offer(alice, root, _derivativeTerms(321), NATIVE, 1, 10 days, 0);
        uint256 lic = _buy(bob, offerId);
        uint256 w = uint256(vm.load(address(licenseToken), keccak256(abi.encode(lic, uint256(7)))));
        assertEq(w & type(uint64).max, root, "assetId");
        assertEq((w >> 64) & type(uint64).max, offerId, "offerId");
        assertEq((w >> 128) & ((1 << 40) - 1), 1_700_000_000 + 10 days, "expiry");
        assertEq((w >> 168) & 0xFFFF, 321, "share");
        assertEq((w >> 184) & 0xFF, 1 | 2, "flags: commercial, derivatives (not transferable, used, generation)");
        assertEq(w >> 192, 0, "no neighbours: the holder's only licence on the asset");
        uint256 child = _registerDerivative(bob, toArray(lic));
        assertTrue(child != 0);
        uint256 w2 = uint256(vm.load(address(licenseToken), keccak256(abi.encode(lic, uint256(7)))));
        assertEq(w2, w | (8 << 184), "only the used flag changed");
        // slot 6: count | deployed flag at byte 31
        uint256 s6 = uint256(vm.load(address(licenseToken), bytes32(uint256(6))));
        assertEq(s6, (1 << 248) | 1, "count 1 and deployed");
        assertEq(licenseToken.totalLicenses(), 1, "getter");
    }

    /// Registry slot 11: hub in the low 160 bits, count above; getters agree.
    function test_registryHubCountSlot() public {
        _register(alice);
        _register(bob);
        uint256 s = uint256(vm.load(address(registry), bytes32(uint256(11))));
        assertEq(address(uint160(s)), address(hub), "hub bits");
        assertEq(s >> 160, 2, "count bits");
        assertEq(registry.hub(), address(hub), "hub getter");
        assertEq(registry.totalAssets(), 2, "count getter");
    }

    /// Batch: items proven by a multi-leaf root register and leave the root (as register() does); a platform
    /// cannot use another creator's lone leaf; a lone leaf consumed once.
    function test_batch_multiLeafRootAndForeignLeaves() public {
        address platform = makeAddr("platform");
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, type(uint32).max);
        vm.prank(bob);
        registry.authorizePlatform(platform, 0, 1);

        IGenIPRegistry.Work memory w1 = _nextWork();
        IGenIPRegistry.Work memory w2 = _nextWork();
        bytes32 s1 = _salt(alice, w1.contentHash);
        bytes32 s2 = _salt(alice, w2.contentHash);
        bytes32 l1 = registry.registrationLeaf(alice, w1.contentHash, s1);
        bytes32 l2 = registry.registrationLeaf(alice, w2.contentHash, s2);
        bytes32 root = l1 < l2 ? keccak256(abi.encode(l1, l2)) : keccak256(abi.encode(l2, l1));
        vm.prank(alice);
        registry.commit(root);
        // bob commits a lone leaf for w3; the platform tries it for alice (authorised) and for bob twice
        IGenIPRegistry.Work memory w3 = _nextWork();
        bytes32 s3 = _commit(bob, w3.contentHash);

        IGenIPRegistry.BatchItem[] memory items = new IGenIPRegistry.BatchItem[](5);
        items[0] = IGenIPRegistry.BatchItem(alice, w1, s1, new bytes32[](1));
        items[0].proof[0] = l2;
        items[1] = IGenIPRegistry.BatchItem(alice, w2, s2, new bytes32[](1));
        items[1].proof[0] = l1;
        items[2] = IGenIPRegistry.BatchItem(alice, w3, s3, new bytes32[](0)); // alice under bob's leaf
        items[3] = IGenIPRegistry.BatchItem(bob, w3, s3, new bytes32[](0));
        items[4] = IGenIPRegistry.BatchItem(bob, w3, s3, new bytes32[](0));
        vm.prank(platform);
        registry.registerBatchByPlatform(items);
        assertEq(registry.totalAssets(), 3, "w1, w2 and bob's w3");
        assertEq(registry.ownerOf(registry.assetOf(w3.contentHash)), bob, "w3 is bob's");
        (uint64 bn,) = registry.commitmentOf(root);
        assertTrue(bn != 0, "batch root kept");
        (bn,) = registry.commitmentOf(registry.registrationLeaf(bob, w3.contentHash, s3));
        assertEq(bn, 0, "bob's leaf consumed");
        assertEq(registry.platformAuthorization(bob, platform).remaining, 0, "bob's quota used once");
    }

    /// An ancestor kept only in the head (the first parent) that is Upheld blocks a grandchild: the standing check
    /// walks the parent's ancestry through the head.
    function test_upheldHeadAncestorBlocksGrandchild() public {
        uint256 root = _register(alice);
        uint256 other = _register(alice);
        uint16[] memory shares = new uint16[](2);
        (shares[0], shares[1]) = (100, 200);
        uint256 child = _derive(bob, toArray(root, other), shares);
        uint256 lic = _derivativeLicense(child, carol, 50);
        uint256 disputeId = _raise(stranger, root);
        _resolve(disputeId, true);
        (Standing s,) = hub.standingOf(child);
        assertEq(uint256(s), 0, "child itself still clear");
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(carol, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, root, Standing.Upheld));
        vm.prank(carol);
        hub.registerDerivative(toArray(lic), work, salt, _noProof());
    }
}
