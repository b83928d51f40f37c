// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Commitments (ages, re-commits, Merkle batches) and platform authorisations (by transaction and by
/// signature, expiry, quota, revocation, all-or-nothing batches).
contract GenIPRegistryPlatformsTest is Base {
    address internal platform;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        platform = makeAddr("platform");
    }

    // ─────────────────────────────── commit ───────────────────────────────

    function test_commit_recordsBlockAndTimeAndEmits() public {
        bytes32 root = keccak256("root");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGenIPRegistry.RegistrationCommitted(root, alice);
        vm.prank(alice);
        registry.commit(root);
        (uint64 blockNumber, uint64 timestamp) = registry.commitmentOf(root);
        assertEq(blockNumber, block.number, "block");
        assertEq(timestamp, block.timestamp, "time");
    }

    function test_commit_griefingByReCommittingARootKeepsTheEarliest() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        bytes32 leaf = registry.registrationLeaf(alice, work.contentHash, salt);
        (uint64 first,) = registry.commitmentOf(leaf);

        vm.warp(block.timestamp + 6 days); // a griefer tries to restart the clock, or to make it "too new"
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.AlreadyCommitted.selector, leaf, first));
        vm.prank(stranger);
        registry.commit(leaf);
        (uint64 still,) = registry.commitmentOf(leaf);
        assertEq(still, first, "earliest kept");
        vm.prank(alice);
        registry.register(work, salt, _noProof()); // still usable by its creator
    }

    function test_commit_revertsForZero() public {
        vm.expectRevert(IGenIPRegistry.ZeroCommitment.selector);
        registry.commit(bytes32(0));
    }

    function test_register_revertsWhenTheCommitmentExpired() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        bytes32 leaf = registry.registrationLeaf(alice, work.contentHash, salt);
        (, uint64 at) = registry.commitmentOf(leaf);
        vm.warp(at + 7 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.CommitmentExpired.selector, leaf, at));
        vm.prank(alice);
        registry.register(work, salt, _noProof());
    }

    function testFuzz_register_acceptsACommitmentUpToItsMaximumAge(uint256 age) public {
        age = bound(age, 0, 14 days);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        bytes32 leaf = registry.registrationLeaf(alice, work.contentHash, salt);
        vm.warp(block.timestamp + age);
        bool expired = age > registry.MAX_COMMITMENT_AGE();
        vm.prank(alice);
        if (expired) {
            vm.expectRevert(
                abi.encodeWithSelector(IGenIPRegistry.CommitmentExpired.selector, leaf, block.timestamp - age)
            );
        }
        registry.register(work, salt, _noProof());
    }

    function test_register_consumesALeafCommittedAlone() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        vm.prank(alice);
        registry.register(work, salt, _noProof());
        (uint64 blockNumber,) = registry.commitmentOf(registry.registrationLeaf(alice, work.contentHash, salt));
        assertEq(blockNumber, 0, "consumed");
    }

    // ─────────────────────────────── platform authorisation ───────────────────────────────

    /// With a time limit, an exhausted quota says so. (Without one, (0, 0) is also the revoked state, so it
    /// reads PlatformNotAuthorized(creator, platform, 0): see test_registerByPlatform_exhaustedUnlimitedInTime.)
    function test_registerByPlatform_mintsToTheCreatorAndCountsTheQuota() public {
        uint40 expiresAt = uint40(block.timestamp + 30 days);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IGenIPRegistry.PlatformAuthorized(alice, platform, expiresAt, 2);
        vm.prank(alice);
        registry.authorizePlatform(platform, expiresAt, 2);

        _byPlatform(alice);
        assertEq(registry.platformAuthorization(alice, platform).remaining, 1, "one left");
        uint256 id = _byPlatform(alice);
        assertEq(registry.ownerOf(id), alice, "to the creator");

        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.PlatformQuotaExhausted.selector, alice, platform));
        vm.prank(platform);
        registry.registerByPlatform(alice, work, salt, _noProof());
    }

    function test_registerByPlatform_exhaustedUnlimitedInTime() public {
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, 1);
        _byPlatform(alice);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.PlatformNotAuthorized.selector, alice, platform, 0));
        vm.prank(platform);
        registry.registerByPlatform(alice, work, salt, _noProof());
    }

    function test_registerByPlatform_unlimitedQuotaIsNotCounted() public {
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, type(uint32).max);
        _byPlatform(alice);
        assertEq(registry.platformAuthorization(alice, platform).remaining, type(uint32).max, "unlimited");
    }

    function test_registerByPlatform_revertsWithoutAuthorisationAfterExpiryAndAfterRevocation() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.PlatformNotAuthorized.selector, alice, platform, 0));
        vm.prank(platform);
        registry.registerByPlatform(alice, work, salt, _noProof());

        uint40 expiresAt = uint40(block.timestamp + 1 days);
        vm.prank(alice);
        registry.authorizePlatform(platform, expiresAt, type(uint32).max);
        vm.warp(expiresAt + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IGenIPRegistry.PlatformNotAuthorized.selector, alice, platform, expiresAt)
        );
        vm.prank(platform);
        registry.registerByPlatform(alice, work, salt, _noProof());

        vm.prank(alice);
        registry.authorizePlatform(platform, 0, type(uint32).max);
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, 0); // revoke
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.PlatformNotAuthorized.selector, alice, platform, 0));
        vm.prank(platform);
        registry.registerByPlatform(alice, work, salt, _noProof());
    }

    function test_authorizePlatform_revertsForSelf() public {
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.SelfAuthorization.selector, alice));
        vm.prank(alice);
        registry.authorizePlatform(alice, 0, 1);
    }

    function test_authorizePlatformBySig_authorisesWithOneSignatureOnce() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signAuthorize(platform, 0, 5, 42, deadline);
        vm.prank(stranger); // anyone relays it
        registry.authorizePlatformBySig(alice, platform, 0, 5, _epoch(platform), 42, deadline, sig);
        assertEq(registry.platformAuthorization(alice, platform).remaining, 5, "authorised");
        assertTrue(registry.nonceUsed(alice, 42), "nonce used");

        // Replayed, it names an epoch that has passed (the authorisation it made moved the epoch on).
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.StaleAuthorization.selector, alice, platform, 0, 1));
        registry.authorizePlatformBySig(alice, platform, 0, 5, 0, 42, deadline, sig);
        // Changing what was signed breaks the signature.
        bytes memory sig43 = _signAuthorize(platform, 0, 5, 43, deadline);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidSignature.selector, alice));
        registry.authorizePlatformBySig(alice, platform, 0, 500, 1, 43, deadline, sig43);
    }

    function test_authorizePlatformBySig_aRevocationVoidsSignaturesGivenBeforeIt() public {
        uint256 deadline = block.timestamp + 30 days;
        bytes memory sig = _signAuthorize(platform, 0, type(uint32).max, 7, deadline); // epoch 0
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, 0); // revoked: epoch 1
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.StaleAuthorization.selector, alice, platform, 0, 1));
        registry.authorizePlatformBySig(alice, platform, 0, type(uint32).max, 0, 7, deadline, sig);
        assertFalse(registry.nonceUsed(alice, 7), "nothing consumed");
    }

    function test_authorizePlatformBySig_revertsAfterTheDeadline() public {
        uint256 deadline = block.timestamp - 1;
        bytes memory sig = _signAuthorize(platform, 0, 5, 1, deadline);
        uint32 epoch = _epoch(platform);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.SignatureExpired.selector, deadline, block.timestamp));
        registry.authorizePlatformBySig(alice, platform, 0, 5, epoch, 1, deadline, sig);
    }

    // ─────────────────────────────── batches ───────────────────────────────

    function test_registerBatchByPlatform_registersFourWorksProvedAgainstOneRoot() public {
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, type(uint32).max);
        IGenIPRegistry.BatchItem[] memory items = _batch(4);
        vm.roll(block.number + 1);

        vm.prank(platform);
        uint256 first = registry.registerBatchByPlatform(items);
        assertEq(first, 1, "first id");
        assertEq(registry.totalAssets(), 4, "four");
        for (uint256 i; i < 4; ++i) {
            assertEq(registry.ownerOf(first + i), alice, "to the creator");
            assertEq(registry.assetOf(items[i].work.contentHash), first + i, "consecutive ids");
        }
    }

    function test_registerBatchByPlatform_skipsWhatCannotBeRegisteredAndRegistersTheRest() public {
        vm.prank(alice);
        registry.authorizePlatform(platform, uint40(block.timestamp + 1 days), 2); // two short
        IGenIPRegistry.BatchItem[] memory items = _batch(4);
        items[1].salt = keccak256("wrong"); // this one's proof leads to no commitment
        vm.roll(block.number + 1);

        vm.recordLogs();
        vm.prank(platform);
        uint256 first = registry.registerBatchByPlatform(items);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(first, 1, "ids start after the last one");
        assertEq(registry.totalAssets(), 2, "items 0 and 2 registered, in batch order");
        assertEq(registry.assetOf(items[0].work.contentHash), 1, "item 0 is #1");
        assertEq(registry.assetOf(items[2].work.contentHash), 2, "item 2 is #2");
        assertEq(registry.assetOf(items[1].work.contentHash), 0, "item 1 skipped");
        assertEq(registry.assetOf(items[3].work.contentHash), 0, "item 3 skipped");
        bytes32 skipped = keccak256("BatchItemSkipped(uint256,address,bytes32,bytes4)");
        assertEq(_countLogs(logs, address(registry), skipped), 2, "two skips reported");
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != skipped) continue;
            uint256 index = uint256(logs[i].topics[1]);
            bytes4 reason = abi.decode(logs[i].data, (bytes4));
            if (index == 1) assertEq(reason, IGenIPRegistry.UnknownCommitment.selector, "item 1: no commitment");
            else assertEq(reason, IGenIPRegistry.PlatformQuotaExhausted.selector, "item 3: quota used up");
        }
        assertEq(registry.platformAuthorization(alice, platform).remaining, 0, "quota counted for registered items only");
    }

    function test_registerBatchByPlatform_skipsEverythingInTheCommitBlock() public {
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, type(uint32).max);
        IGenIPRegistry.BatchItem[] memory items = _batch(4);
        vm.prank(platform);
        registry.registerBatchByPlatform(items);
        assertEq(registry.totalAssets(), 0, "nothing registered in the block of the commit");
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    function _byPlatform(address creator) internal returns (uint256 id) {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(creator, work.contentHash);
        vm.prank(platform);
        id = registry.registerByPlatform(creator, work, salt, _noProof());
    }

    /// @dev Four of alice's works under one committed root ((L0 L1)(L2 L3)), committed by the platform.
    function _batch(uint256 n) internal returns (IGenIPRegistry.BatchItem[] memory items) {
        require(n == 4, "four");
        items = new IGenIPRegistry.BatchItem[](4);
        bytes32[4] memory leaves;
        for (uint256 i; i < 4; ++i) {
            items[i].creator = alice;
            items[i].work = _nextWork();
            items[i].salt = keccak256(abi.encode("batch", i));
            leaves[i] = registry.registrationLeaf(alice, items[i].work.contentHash, items[i].salt);
        }
        bytes32 n01 = _hashPair(leaves[0], leaves[1]);
        bytes32 n23 = _hashPair(leaves[2], leaves[3]);
        for (uint256 i; i < 4; ++i) {
            items[i].proof = new bytes32[](2);
            items[i].proof[0] = leaves[i ^ 1];
            items[i].proof[1] = i < 2 ? n23 : n01;
        }
        vm.prank(platform);
        registry.commit(_hashPair(n01, n23));
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function _signAuthorize(address platform_, uint40 expiresAt, uint32 maxWorks, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                registry.AUTHORIZE_TYPEHASH(), alice, platform_, expiresAt, maxWorks, _epoch(platform_), nonce, deadline
            )
        );
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Gen-IP"),
                keccak256("1"),
                block.chainid,
                address(registry)
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        return abi.encodePacked(r, s, v);
    }

    /// @dev The (alice, `p`) authorisation's current epoch, which a fresh signature names.
    function _epoch(address p) internal view returns (uint32) {
        return registry.platformAuthorization(alice, p).epoch;
    }
}
