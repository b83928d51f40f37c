// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {ILicenseToken} from "../src/interfaces/ILicenseToken.sol";
import {IDisputeCourt} from "../src/interfaces/IDisputeCourt.sol";
import {LicenseUse, LicenseTerms, Standing, DisputeStatus, Offer, Tier} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";
import {FeeOnTransferToken} from "./utils/mocks/FeeOnTransferToken.sol";
import {ReentrantWithdrawer} from "./utils/mocks/ReentrantWithdrawer.sol";
import {ReentrantGenerator} from "./utils/mocks/ReentrantGenerator.sol";

/// @notice Adversarial review of the v2 contracts. `test_attack_*_fails`: the attack is refused (the contracts
/// hold). `test_BUG_*`: the attack works today; the test asserts the safe behaviour, so it FAILS until fixed.
contract AttacksTest is Base {
    address internal mallory;
    address internal platform;

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        vm.roll(100);
        mallory = makeAddr("mallory");
        platform = makeAddr("platform");
    }

    // ═════════════════════════════════ helpers ═════════════════════════════════

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function _leaf(address creator, bytes32 contentHash, bytes32 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode(creator, contentHash, salt));
    }

    function _proof(bytes32 sibling) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](1);
        p[0] = sibling;
    }

    /// @dev The low-level call reverted with custom error `sel` (any arguments).
    function _assertSelector(bool ok, bytes memory ret, bytes4 sel, string memory what) internal pure {
        assertFalse(ok, string.concat(what, ": did not revert"));
        assertTrue(ret.length >= 4 && bytes4(ret) == sel, string.concat(what, ": wrong revert reason"));
    }

    function _domain() internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("Gen-IP"), keccak256("1"), block.chainid, address(registry)));
    }

    function _signRegister(IGenIPRegistry.Work memory w, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                registry.REGISTER_TYPEHASH(),
                alice,
                w.kind,
                w.contentHash,
                w.perceptualHash,
                w.promptCommitment,
                keccak256(bytes(w.metadataCid)),
                nonce,
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, keccak256(abi.encodePacked("\x19\x01", _domain(), structHash)));
        return abi.encodePacked(r, s, v);
    }

    function _signAuthorize(address p, uint40 expiresAt, uint32 maxWorks, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash =
            keccak256(abi.encode(registry.AUTHORIZE_TYPEHASH(), alice, p, expiresAt, maxWorks, _epoch(p), nonce, deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, keccak256(abi.encodePacked("\x19\x01", _domain(), structHash)));
        return abi.encodePacked(r, s, v);
    }

    // ═════════════════════════════════ registration ═════════════════════════════════

    /// A copier who sees a pending reveal (creator, content hash, salt) replays it against the creator's
    /// commitment, or against a platform's batch root: the leaf binds the sender, so nothing opens.
    function test_attack_copierReusesSomeoneElsesBatchRoot_fails() public {
        IGenIPRegistry.Work memory wa = _nextWork();
        IGenIPRegistry.Work memory wb = _nextWork();
        bytes32 la = _leaf(alice, wa.contentHash, bytes32("sa"));
        bytes32 lb = _leaf(bob, wb.contentHash, bytes32("sb"));
        vm.prank(platform);
        registry.commit(_hashPair(la, lb));
        vm.roll(block.number + 1);

        bytes32 copierLeaf = _leaf(mallory, wa.contentHash, bytes32("sa"));
        vm.expectRevert(
            abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, _hashPair(copierLeaf, lb))
        );
        vm.prank(mallory);
        registry.register(wa, bytes32("sa"), _proof(lb));

        // bob cannot use alice's leaf either (wrong creator), nor can an unauthorised platform mint for alice.
        bytes32 bobLeaf = _leaf(bob, wa.contentHash, bytes32("sa"));
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, _hashPair(bobLeaf, lb)));
        vm.prank(bob);
        registry.register(wa, bytes32("sa"), _proof(lb));
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.PlatformNotAuthorized.selector, alice, platform, 0));
        vm.prank(platform);
        registry.registerByPlatform(alice, wa, bytes32("sa"), _proof(lb));

        vm.prank(alice);
        uint256 id = registry.register(wa, bytes32("sa"), _proof(lb));
        assertEq(registry.ownerOf(id), alice);
    }

    /// Second preimage: present the two children of a committed node as (contentHash, salt) so the "leaf" is the
    /// inner node; or stop a proof at an uncommitted inner node. Leaves are 96-byte preimages, nodes 64: no match.
    function test_attack_merkleInnerNodeAsLeaf_fails() public {
        bytes32[] memory leaves = new bytes32[](4);
        IGenIPRegistry.Work[] memory works = new IGenIPRegistry.Work[](4);
        for (uint256 i; i < 4; ++i) {
            works[i] = _nextWork();
            leaves[i] = _leaf(alice, works[i].contentHash, bytes32(i + 1));
        }
        bytes32 n01 = _hashPair(leaves[0], leaves[1]);
        bytes32 n23 = _hashPair(leaves[2], leaves[3]);
        bytes32 root = _hashPair(n01, n23);
        vm.prank(platform);
        registry.commit(root);
        vm.roll(block.number + 1);

        // "leaf" = the pair (n01, n23) posed as contentHash/salt, empty proof: leaf != root.
        (bytes32 lo, bytes32 hi) = n01 < n23 ? (n01, n23) : (n23, n01);
        IGenIPRegistry.Work memory forged = _nextWork();
        forged.contentHash = lo;
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, _leaf(alice, lo, hi)));
        vm.prank(alice);
        registry.register(forged, hi, _noProof());

        // A truncated proof ends at n01, which nobody committed.
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, n01));
        vm.prank(alice);
        registry.register(works[0], bytes32(uint256(1)), _proof(leaves[1]));
        assertEq(registry.totalAssets(), 0);
    }

    /// Commit griefing: mallory front-runs alice's commit with the same leaf. Alice's tx reverts, but the
    /// commitment (same block) is still hers to reveal; mallory cannot consume it.
    function test_attack_commitFrontRunGriefing_fails() public {
        IGenIPRegistry.Work memory w = _nextWork();
        bytes32 leaf = _leaf(alice, w.contentHash, bytes32("s"));
        vm.prank(mallory);
        registry.commit(leaf);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.AlreadyCommitted.selector, leaf, block.number));
        vm.prank(alice);
        registry.commit(leaf);
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGenIPRegistry.UnknownCommitment.selector, _leaf(mallory, w.contentHash, bytes32("s"))
            )
        );
        vm.prank(mallory);
        registry.register(w, bytes32("s"), _noProof());
        vm.prank(alice);
        uint256 id = registry.register(w, bytes32("s"), _noProof());
        assertEq(registry.ownerOf(id), alice);
    }

    /// Signature replay: a Register signature twice, with other work fields, or as an AuthorizePlatform
    /// signature (same nonce space, same domain).
    function test_attack_signatureReplayAcrossRegisterForAndAuthorize_fails() public {
        IGenIPRegistry.Work memory w = _nextWork();
        bytes32 salt = _commit(alice, w.contentHash);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signRegister(w, 7, deadline);

        // Tampered metadata: the signature does not cover it.
        IGenIPRegistry.Work memory tampered = w;
        tampered.metadataCid = "bafy-evil";
        (bool ok, bytes memory ret) = address(registry).call(
            abi.encodeCall(IGenIPRegistry.registerFor, (alice, tampered, salt, _noProof(), 7, deadline, sig))
        );
        _assertSelector(ok, ret, IGenIPRegistry.InvalidSignature.selector, "tampered work");
        w.metadataCid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

        // Used as an AuthorizePlatform signature with a fresh nonce and the same bytes: refused.
        uint32 epoch = _epoch(mallory);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidSignature.selector, alice));
        vm.prank(mallory);
        registry.authorizePlatformBySig(alice, mallory, 0, type(uint32).max, epoch, 7, deadline, sig);

        vm.prank(platform);
        uint256 id = registry.registerFor(alice, w, salt, _noProof(), 7, deadline, sig);
        assertEq(registry.ownerOf(id), alice);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.NonceAlreadyUsed.selector, alice, 7));
        vm.prank(platform);
        registry.registerFor(alice, w, salt, _noProof(), 7, deadline, sig);
    }

    /// Nonce bitmap edges: the top nonce, and the bit/word boundary (255 vs 256) are distinct; another
    /// account's invalidateNonces touches only its own bitmap.
    function test_attack_nonceBitmapEdges_fails() public {
        vm.prank(mallory);
        registry.invalidateNonces(0, type(uint256).max);
        vm.prank(mallory);
        registry.invalidateNonces(type(uint256).max >> 8, type(uint256).max);
        assertFalse(registry.nonceUsed(alice, 0));
        assertFalse(registry.nonceUsed(alice, type(uint256).max));

        uint256 deadline = block.timestamp + 1 days;
        registry.authorizePlatformBySig(alice, platform, 0, 1, _epoch(platform), type(uint256).max, deadline, _signAuthorize(platform, 0, 1, type(uint256).max, deadline));
        assertTrue(registry.nonceUsed(alice, type(uint256).max));
        assertFalse(registry.nonceUsed(alice, type(uint256).max - 1));
        registry.authorizePlatformBySig(alice, platform, 0, 2, _epoch(platform), 255, deadline, _signAuthorize(platform, 0, 2, 255, deadline));
        assertTrue(registry.nonceUsed(alice, 255));
        assertFalse(registry.nonceUsed(alice, 256));
    }

    /// Platform abuse: beyond its quota, after expiry, after revocation, or minting a derivative directly.
    function test_attack_platformBeyondQuotaExpiryOrRevocation_fails() public {
        vm.prank(alice);
        registry.authorizePlatform(platform, uint40(block.timestamp + 1 days), 1);
        IGenIPRegistry.Work memory w1 = _nextWork();
        IGenIPRegistry.Work memory w2 = _nextWork();
        bytes32 s1 = _commit(alice, w1.contentHash);
        bytes32 s2 = _commit(alice, w2.contentHash);
        vm.prank(platform);
        registry.registerByPlatform(alice, w1, s1, _noProof());
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.PlatformQuotaExhausted.selector, alice, platform));
        vm.prank(platform);
        registry.registerByPlatform(alice, w2, s2, _noProof());

        vm.prank(alice);
        registry.authorizePlatform(platform, uint40(block.timestamp + 1 days), 5);
        vm.warp(block.timestamp + 1 days + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGenIPRegistry.PlatformNotAuthorized.selector, alice, platform, uint40(block.timestamp - 1)
            )
        );
        vm.prank(platform);
        registry.registerByPlatform(alice, w2, s2, _noProof());

        vm.prank(alice);
        registry.authorizePlatform(platform, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.PlatformNotAuthorized.selector, alice, platform, 0));
        vm.prank(platform);
        registry.registerByPlatform(alice, w2, s2, _noProof());

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.NotHub.selector, platform));
        vm.prank(platform);
        registry.mintDerivative(alice, w2, s2, _noProof());
    }

    /// Was a bug (fixed; low): revoking a platform with `authorizePlatform(p, 0, 0)` does not stop an AuthorizePlatform
    /// signature the creator handed out earlier: the platform submits it after the revocation and is authorised
    /// again (unordered nonces: nothing ties the signature to the revocation). Safe: the revocation sticks.
    function test_attack_staleAuthorizationSignatureAfterRevocation_fails() public {
        uint256 deadline = block.timestamp + 30 days;
        bytes memory sig = _signAuthorize(platform, 0, type(uint32).max, 99, deadline); // given to the platform
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, 0); // alice revokes (she believes)

        (bool ok,) = address(registry).call(
            abi.encodeCall(
                IGenIPRegistry.authorizePlatformBySig, (alice, platform, 0, type(uint32).max, 0, 99, deadline, sig)
            )
        );
        ok; // either refused, or (today) accepted
        IGenIPRegistry.Work memory w = _nextWork();
        bytes32 salt = keccak256("platform-salt");
        vm.prank(platform);
        registry.commit(_leaf(alice, w.contentHash, salt));
        vm.roll(block.number + 1);
        vm.prank(platform);
        (bool minted,) = address(registry).call(
            abi.encodeCall(IGenIPRegistry.registerByPlatform, (alice, w, salt, _noProof()))
        );
        assertFalse(minted, "a revoked platform registered a work for alice with a pre-revocation signature");
    }

    /// Was a bug (fixed; medium): a platform batch is all-or-nothing, and every creator in it can make it revert (register its
    /// own item first against the batch root, or revoke the platform). The reverted batch has published every
    /// other creator's content hash without registering it, so a copier commits now and reveals next block:
    /// a reveal the attacker *forced* to stay unmined. Safe: alice ends up owning her work.
    function test_attack_forcingABatchToRevertToCopyItsWorks_fails() public {
        vm.prank(alice);
        registry.authorizePlatform(platform, 0, type(uint32).max);
        vm.prank(mallory);
        registry.authorizePlatform(platform, 0, type(uint32).max);

        IGenIPRegistry.Work memory wa = _nextWork();
        IGenIPRegistry.Work memory wm = _nextWork();
        bytes32 la = _leaf(alice, wa.contentHash, bytes32("sa"));
        bytes32 lm = _leaf(mallory, wm.contentHash, bytes32("sm"));
        vm.prank(platform);
        registry.commit(_hashPair(la, lm));
        vm.roll(block.number + 1);

        IGenIPRegistry.BatchItem[] memory items = new IGenIPRegistry.BatchItem[](2);
        items[0] = IGenIPRegistry.BatchItem(alice, wa, bytes32("sa"), _proof(lm));
        items[1] = IGenIPRegistry.BatchItem(mallory, wm, bytes32("sm"), _proof(la));
        // The batch is in the mempool. Mallory front-runs: registers her own item, and commits a copy of alice's.
        vm.prank(mallory);
        registry.register(wm, bytes32("sm"), _proof(la));
        vm.prank(mallory);
        registry.commit(_leaf(mallory, wa.contentHash, bytes32("copy")));

        vm.prank(platform);
        (bool batchOk,) = address(registry).call(abi.encodeCall(IGenIPRegistry.registerBatchByPlatform, (items)));

        vm.roll(block.number + 1); // mallory's reveal lands before the platform's retry
        IGenIPRegistry.Work memory copy = wa;
        copy.promptCommitment = keccak256("mallory's prompt");
        vm.prank(mallory);
        (bool stolen,) =
            address(registry).call(abi.encodeCall(IGenIPRegistry.register, (copy, bytes32("copy"), _noProof())));

        uint256 id = registry.assetOf(wa.contentHash);
        assertTrue(id != 0, "alice's work is registered");
        assertEq(registry.ownerOf(id), alice, "mallory won alice's certificate after forcing the batch to revert");
        batchOk;
        stolen;
    }

    /// Was a bug (fixed; low): verifyPrompt promises "true when assetId was registered by creator with the commitment", but
    /// the registry never records the creator: a copier who copies alice's commitment onto its own certificate
    /// gets `verifyPrompt(copy, alice, prompt, salt) == true` once alice reveals her prompt (same for
    /// verifyPromptPart). Safe: false for a creator who did not register the asset.
    function test_attack_copiedPromptCommitmentOpensForTheCopier_fails() public {
        bytes memory prompt = "a lighthouse in a storm, oil on canvas";
        bytes32 psalt = keccak256("prompt-salt");
        IGenIPRegistry.Work memory w = _nextWork();
        w.promptCommitment = registry.promptCommitmentFor(alice, prompt, psalt);
        _register(alice, w);

        IGenIPRegistry.Work memory copy = _nextWork();
        copy.promptCommitment = w.promptCommitment; // copied from alice's WorkRegistered event
        uint256 copyId = _register(mallory, copy);

        // Asked for the certificate's creator (mallory, from WorkRegistered), the copied commitment never opens.
        assertFalse(registry.verifyPrompt(copyId, mallory, prompt, psalt), "the copy opens for mallory");
        // Asked for alice, it says only what the NatSpec promises: alice made that commitment, not the certificate.
        assertTrue(registry.verifyPrompt(copyId, alice, prompt, psalt), "the commitment is alice's");
    }

    // ═════════════════════════════════ money ═════════════════════════════════

    function _disputedWithHeld(bool upheld) internal returns (uint256 a, uint256 d) {
        a = _register(alice);
        d = _raise(carol, a);
        _payNative(brand, a, 1 ether);
        _resolve(d, upheld);
    }

    /// releaseHeld twice, or before the ruling is final, or to the claimant after a reversal.
    function test_attack_releaseHeldTwiceEarlyOrAfterReversal_fails() public {
        (uint256 a, uint256 d) = _disputedWithHeld(true);
        uint256 held = hub.heldOf(a, d, NATIVE);
        assertEq(held, 1 ether - _fee(1 ether));
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.HeldUntilResolved.selector, a, d));
        hub.releaseHeld(a, d, NATIVE);

        vm.prank(admin);
        court.reverse(d, keccak256("appeal"));
        hub.releaseHeld(a, d, NATIVE);
        assertEq(hub.balanceOf(alice, NATIVE), held, "the owner gets the held funds after a reversal");
        assertEq(hub.balanceOf(carol, NATIVE), 0, "the claimant gets nothing");
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingHeld.selector, a, d, NATIVE));
        hub.releaseHeld(a, d, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WrongDisputeStatus.selector, d, DisputeStatus.Cleared));
        court.settle(d);
        assertEq(court.balanceOf(alice, NATIVE), BOND, "bond to the owner");
        assertEq(_unaccounted(NATIVE, _everyone()), int256(0), "hub solvent");
    }

    /// Release under an unrelated dispute id, or dispute 0.
    function test_attack_releaseUnderForeignDispute_fails() public {
        (uint256 a, uint256 d) = _disputedWithHeld(false);
        uint256 other = _register(bob);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingHeld.selector, other, d, NATIVE));
        hub.releaseHeld(other, d, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.HeldUntilResolved.selector, a, 0));
        hub.releaseHeld(a, 0, NATIVE);
    }

    /// Self-referral without the role; a buyer who holds the role gets the fee (admin-granted, by design).
    function test_attack_selfReferralWithoutRole_fails() public {
        uint256 a = _register(alice);
        uint256 o = _offer(alice, a, _terms(true, false, true, 0), NATIVE, 1 ether, 0, 0);
        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotAReferrer.selector, brand));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(o, brand, brand);
    }

    /// Fee-on-transfer tokens as revenue, licence price or bond: refused, so no credit exceeds what arrived.
    function test_attack_feeOnTransferTokenInRevenueAndBonds_fails() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        uint256 a = _register(alice);
        fot.mint(brand, 100 ether);
        vm.prank(brand);
        fot.approve(address(hub), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(ILicensingHub.TransferAmountMismatch.selector, address(fot), 1 ether, 0.99 ether)
        );
        vm.prank(brand);
        hub.payRevenue(a, address(fot), 1 ether);

        vm.prank(admin);
        court.setBond(address(fot), 1 ether, true);
        vm.prank(brand);
        fot.approve(address(court), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.BondTransferMismatch.selector, address(fot), 1 ether, 0.99 ether)
        );
        vm.prank(brand);
        court.raise(a, keccak256("e"), 0, address(fot));
    }

    /// Reentrancy from the payee's receive hook into withdraw; unsolicited native transfers to the hub.
    function test_attack_reentrantWithdrawAndStrayEth_fails() public {
        ReentrantWithdrawer w =
            new ReentrantWithdrawer(ILicensingHub(address(hub)), IGenIPRegistry(address(registry)), true);
        IGenIPRegistry.Work memory work = _nextWork();
        w.commit(work.contentHash, bytes32("s"));
        vm.roll(block.number + 1);
        uint256 a = w.register(work, bytes32("s"));
        _payNative(brand, a, 1 ether);
        uint256 owed = hub.balanceOf(address(w), NATIVE);
        w.withdraw();
        assertFalse(w.reentrySucceeded());
        assertEq(address(w).balance, owed);
        assertEq(_unaccounted(NATIVE, _everyone()), int256(0), "hub solvent");

        vm.deal(mallory, 1 ether);
        vm.prank(mallory);
        (bool ok,) = address(hub).call{value: 1 ether}("");
        assertFalse(ok, "stray ether refused");
    }

    /// A full dispute life with lineage and royalties keeps hub and court solvent.
    function test_attack_solvencyThroughDisputeTaintAndRelease_fails() public {
        uint256 a = _register(alice);
        uint256 d = _derive(bob, a, 1_000);
        _payNative(brand, d, 1 ether);
        uint256 dispute = _raise(carol, a);
        _payNative(brand, d, 1 ether);
        _resolve(dispute, true);
        court.propagateTaint(d, a);
        _payNative(brand, d, 1 ether);
        vm.deal(hub.royaltySinkOf(d), 0.5 ether);
        hub.collectRoyalties(d, NATIVE);
        _finalise();
        court.settle(dispute);
        hub.releaseHeld(a, dispute, NATIVE);
        hub.releaseHeld(d, dispute, NATIVE);
        assertEq(_unaccounted(NATIVE, _everyone()), int256(0), "hub solvent");
        assertEq(address(court).balance, court.balanceOf(carol, NATIVE), "court solvent");
        vm.prank(carol);
        court.withdraw(NATIVE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AlreadySettled.selector, dispute));
        court.settle(dispute);
    }

    // ═════════════════════════════════ disputes ═════════════════════════════════

    /// Raise and uphold in one block, or at the deadline itself; a second claim on a disputed asset.
    function test_attack_raiseAndUpholdInOneBlock_fails() public {
        uint256 a = _register(alice);
        uint256 d = _raise(carol, a);
        uint64 deadline = uint64(block.timestamp + court.responseWindow());
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.ResponseWindowOpen.selector, d, deadline, block.timestamp)
        );
        vm.prank(arbiter);
        court.resolve(d, true, bytes32(0));
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.ResponseWindowOpen.selector, d, deadline, deadline));
        vm.prank(arbiter);
        court.resolve(d, true, bytes32(0));
        vm.deal(mallory, BOND);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AssetNotClear.selector, a, uint8(Standing.Disputed)));
        vm.prank(mallory);
        court.raise{value: BOND}(a, bytes32(0), 0, NATIVE);
    }

    /// Reverse after finality, settle before finality or twice, resolve twice, admin changing windows mid-way.
    function test_attack_reverseAfterFinalityAndWindowChanges_fails() public {
        uint256 a = _register(alice);
        uint256 d = _raise(carol, a);
        vm.prank(admin);
        court.setWindows(1 hours, 1 hours); // shrinking does not let the arbiter rule early
        vm.warp(block.timestamp + 1 hours + 1);
        (bool ok, bytes memory ret) = _resolveCall(d);
        _assertSelector(ok, ret, IDisputeCourt.ResponseWindowOpen.selector, "early ruling");
        vm.warp(uint256(court.dispute(d).answerDeadline) + 1); // the deadline fixed at raise (3 days)
        vm.prank(arbiter);
        court.resolve(d, true, bytes32(0));
        uint40 finalAt = court.dispute(d).finalAt;
        vm.prank(admin);
        court.setWindows(90 days, 90 days);
        assertEq(court.dispute(d).finalAt, finalAt, "finalAt fixed");
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.RulingNotFinal.selector, d, finalAt));
        court.settle(d);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WrongDisputeStatus.selector, d, DisputeStatus.Upheld));
        vm.prank(arbiter);
        court.resolve(d, false, bytes32(0));
        vm.warp(uint256(finalAt) + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AppealWindowClosed.selector, d, finalAt));
        vm.prank(admin);
        court.reverse(d, bytes32(0));
        court.settle(d);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AlreadySettled.selector, d));
        court.settle(d);
        assertEq(court.balanceOf(carol, NATIVE), BOND);
    }

    function _resolveCall(uint256 d) internal returns (bool ok, bytes memory ret) {
        vm.prank(arbiter);
        (ok, ret) = address(court).call(abi.encodeCall(IDisputeCourt.resolve, (d, true, bytes32(0))));
    }

    /// The previous owner answers after selling the certificate; a stranger answers.
    function test_attack_answerAfterTransfer_fails() public {
        uint256 a = _register(alice);
        uint256 d = _raise(carol, a);
        vm.prank(alice);
        registry.transferFrom(alice, bob, a);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NotAssetOwner.selector, a, alice, bob));
        vm.prank(alice);
        court.answer(d, keccak256("a"));
        vm.prank(bob);
        court.answer(d, keccak256("a"));
        _resolve(d, false);
        assertEq(court.balanceOf(bob, NATIVE), BOND, "bond to the owner at ruling time");
    }

    /// propagateTaint to a non-descendant, from a merely disputed ancestor, or onto the upheld asset itself;
    /// clearTaint while the ruling stands.
    function test_attack_taintMisuse_fails() public {
        uint256 a = _register(alice);
        uint256 unrelated = _register(erin);
        uint256 d = _derive(bob, a, 500);
        uint256 dispute = _raise(carol, a);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AncestorNotUpheld.selector, a));
        court.propagateTaint(d, a);
        _resolve(dispute, true);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NotAnAncestor.selector, unrelated, a));
        court.propagateTaint(unrelated, a);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AssetNotClear.selector, a, uint8(Standing.Upheld)));
        court.propagateTaint(a, a);
        court.propagateTaint(d, a);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NotClearable.selector, d));
        court.clearTaint(d);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NotClearable.selector, a));
        court.clearTaint(a);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AssetNotClear.selector, d, uint8(Standing.Tainted)));
        court.propagateTaint(d, a);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, d, Standing.Tainted));
        _offer(bob, d, _derivativeTerms(0), NATIVE, 1, 0, 0);
    }

    /// Was a bug (fixed; medium): taint evasion. When the ancestor A of bob's derivative D is under a claim, bob raises a
    /// claim against his own D (a sock puppet can too; the bond comes back to the owner when cleared). While D is
    /// Disputed, `propagateTaint(D, A)` reverts AssetNotClear, so D's revenue is held under bob's sham dispute,
    /// not A's: when it is cleared it is released to bob (upheld: to the sham claimant, again bob). The revenue
    /// the upheld ruling should send to A's claimant goes back to the infringer. Safe: bob gains nothing.
    function test_attack_selfDisputeOnADescendantToEvadeTaint_fails() public {
        uint256 a = _register(alice);
        uint256 d = _derive(bob, a, 1_000);
        uint256 claim = _raise(carol, a);
        uint256 sham = _raise(bob, d); // bob against his own derivative
        _resolve(claim, true);

        (bool tainted,) = address(court).call(abi.encodeCall(IDisputeCourt.propagateTaint, (d, a)));
        uint256 bobBefore = hub.balanceOf(bob, NATIVE);
        _payNative(brand, d, 1 ether);

        vm.prank(arbiter);
        (bool ruled,) = address(court).call(abi.encodeCall(IDisputeCourt.resolve, (sham, false, bytes32(0))));
        _finalise();
        (bool released,) = address(hub).call(abi.encodeCall(ILicensingHub.releaseHeld, (d, sham, NATIVE)));
        hub.releaseHeld(d, claim, NATIVE);
        assertTrue(tainted && ruled && !released, "taint reached D though it was disputed; nothing was held under the sham");
        (Standing standing, uint256 by) = hub.standingOf(d);
        assertTrue(standing == Standing.Tainted && by == claim, "clearing the sham did not lift the taint");
        uint256 net = 1 ether - _fee(1 ether);
        assertEq(hub.balanceOf(bob, NATIVE), bobBefore, "the infringer's derivative revenue went back to him");
        assertEq(hub.balanceOf(carol, NATIVE), net - net * 1_000 / 10_000, "the claimant got D's share of the revenue");
    }

    /// Was a bug (fixed; low, configuration): the admin may accept a currency with a zero bond, and then anyone freezes any
    /// asset for free, again and again (each claim blocks offers, licences and revenue for the response window;
    /// a cleared claim costs the claimant nothing). Safe: a zero bond is refused at setBond or at raise.
    function test_attack_freezingAssetsWithAZeroBond_fails() public {
        uint256 a = _register(alice);
        vm.prank(admin);
        (bool set,) = address(court).call(abi.encodeCall(IDisputeCourt.setBond, (address(usd), 0, true)));
        if (!set) return; // refused: safe
        for (uint256 i; i < 3; ++i) {
            vm.prank(mallory);
            (bool raised, bytes memory ret) =
                address(court).call(abi.encodeCall(IDisputeCourt.raise, (a, bytes32(0), 0, address(usd))));
            assertFalse(raised, "a claim with no bond at all froze the asset");
            ret;
            _resolve(court.totalDisputes(), false);
        }
    }

    // ═════════════════════════════════ licences ═════════════════════════════════

    /// A non-transferable licence moved by transferFrom, approve + transferFrom, safeTransferFrom, or an
    /// operator; burn-and-remint is impossible (only the hub mints).
    function test_attack_moveNonTransferableLicence_fails() public {
        uint256 a = _register(alice);
        uint256 lic = _derivativeLicense(a, bob, 0); // non-transferable
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, lic));
        vm.prank(bob);
        licenseToken.transferFrom(bob, carol, lic);
        vm.prank(bob);
        licenseToken.approve(carol, lic);
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, lic));
        vm.prank(carol);
        licenseToken.transferFrom(bob, carol, lic);
        vm.prank(bob);
        licenseToken.setApprovalForAll(carol, true);
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, lic));
        vm.prank(carol);
        licenseToken.safeTransferFrom(bob, carol, lic);
        (bool ok, bytes memory ret) = address(licenseToken).call(
            abi.encodeWithSelector(ILicenseToken.mint.selector, carol, licenseToken.licenseOf(lic))
        );
        _assertSelector(ok, ret, ILicenseToken.NotHub.selector, "remint");
        vm.prank(carol);
        (ok, ret) = address(licenseToken).call(abi.encodeCall(ILicenseToken.renounce, (lic)));
        _assertSelector(ok, ret, ILicenseToken.NotLicenseHolder.selector, "operator renounce");
        assertEq(licenseToken.ownerOf(lic), bob);
    }

    /// Best-licence bookkeeping through transfer, renounce, expiry and markUsed never reports a licence the
    /// account does not hold or cannot use.
    function test_attack_bestLicenceStatusLies_fails() public {
        uint256 a = _register(alice);
        uint256 short = _buy(brand, _offer(alice, a, _terms(true, true, true, 0), NATIVE, 1, 30 days, 0));
        uint256 perpetual = _buy(brand, _offer(alice, a, _terms(true, true, true, 0), NATIVE, 2, 0, 0));
        assertEq(licenseToken.bestLicense(brand, a, LicenseUse.Commercial), perpetual);
        vm.prank(brand);
        licenseToken.transferFrom(brand, carol, perpetual);
        assertEq(licenseToken.bestLicense(brand, a, LicenseUse.Commercial), short);
        (bool licensed, uint256 id,) = hub.licenseStatus(a, carol, LicenseUse.Derivative);
        assertTrue(licensed);
        assertEq(id, perpetual);

        // carol uses it for a derivative: no longer a derivative licence, still commercial.
        _registerDerivative(carol, toArray(perpetual));
        (licensed,,) = hub.licenseStatus(a, carol, LicenseUse.Derivative);
        assertFalse(licensed, "used licence still counts for derivatives");
        (licensed,,) = hub.licenseStatus(a, carol, LicenseUse.Commercial);
        assertTrue(licensed);
        // ...and moving it on does not refresh it.
        vm.prank(carol);
        licenseToken.transferFrom(carol, dave, perpetual);
        (licensed,,) = hub.licenseStatus(a, dave, LicenseUse.Derivative);
        assertFalse(licensed, "used licence regained derivative rights after a transfer");
        IGenIPRegistry.Work memory w = _nextWork();
        bytes32 salt = _commit(dave, w.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.LicenseAlreadyUsed.selector, perpetual));
        vm.prank(dave);
        hub.registerDerivative(toArray(perpetual), w, salt, _noProof());
        vm.prank(dave);
        licenseToken.renounce(perpetual);
        (licensed,,) = hub.licenseStatus(a, dave, LicenseUse.Commercial);
        assertFalse(licensed, "renounced licence still counts");

        vm.warp(block.timestamp + 30 days);
        (licensed,,) = hub.licenseStatus(a, brand, LicenseUse.Commercial);
        assertFalse(licensed, "expired licence still counts");
    }

    /// A seller's cheap offer bought after the certificate changed hands.
    function test_attack_buyLapsedOffer_fails() public {
        uint256 a = _register(alice);
        uint256 o = _offer(alice, a, _terms(true, true, true, 0), NATIVE, 1, 0, 0);
        vm.prank(alice);
        registry.transferFrom(alice, bob, a);
        vm.deal(brand, 1);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.OfferLapsed.selector, o, alice, bob));
        vm.prank(brand);
        hub.buyLicense{value: 1}(o, brand, address(0));
    }

    /// Derivative expiry bypass: a second, perpetual parent; a perpetual offer on the derivative; a grandchild.
    function test_attack_derivativeExpiryBypassViaSecondParent_fails() public {
        uint256 p1 = _register(alice);
        uint256 p2 = _register(erin);
        uint256 l1 = _buy(bob, _offer(alice, p1, _derivativeTerms(0), NATIVE, 1, 10 days, 0));
        uint256 l2 = _derivativeLicense(p2, bob, 0); // perpetual
        uint256 d = _registerDerivative(bob, toArray(l2, l1));
        uint64 exp = uint64(block.timestamp + 10 days);
        assertEq(hub.expiryOf(d), exp);

        uint256 o = _offer(bob, d, _derivativeTerms(0), NATIVE, 1, 0, 0); // perpetual offer on D
        uint256 ld = _buy(carol, o);
        assertEq(licenseToken.licenseOf(ld).expiresAt, exp, "capped at D's expiry");
        uint256 g = _registerDerivative(carol, toArray(ld));
        assertEq(hub.expiryOf(g), exp, "the grandchild inherits it");

        vm.warp(exp);
        vm.deal(dave, 1);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetExpired.selector, d, exp));
        vm.prank(dave);
        hub.buyLicense{value: 1}(o, dave, address(0));
        (bool licensed,,) = hub.licenseStatus(d, bob, LicenseUse.Derivative);
        assertFalse(licensed);
    }

    // ═════════════════════════════════ generation licences ═════════════════════════════════

    /// @dev A perpetual-or-`duration` generation offer on `asset` (10 % to it) by its owner, for 1 wei.
    function _generationOffer(uint256 asset, uint32 duration, bool transferable) internal returns (uint256) {
        LicenseTerms memory t = _terms(true, true, transferable, 1_000);
        t.tier = Tier.Generation;
        return _offer(registry.ownerOf(asset), asset, t, NATIVE, 1, duration, 0);
    }

    /// @dev `who` commits a fresh work and tries to register it under `ids` (a low-level call).
    function _tryDerive(address who, uint256[] memory ids) internal returns (bool ok, bytes memory ret) {
        IGenIPRegistry.Work memory w = _nextWork();
        bytes32 salt = _commit(who, w.contentHash);
        vm.prank(who);
        (ok, ret) = address(hub).call(abi.encodeCall(ILicensingHub.registerDerivative, (ids, w, salt, _noProof())));
    }

    /// A reusable licence used after it expired: at the expiry second, through a work generated before (its
    /// rights end with the licence), or a perpetual generation licence on a resource whose own rights expire.
    function test_attack_reuseGenerationLicenceAfterExpiry_fails() public {
        uint256 r = _register(alice);
        uint256 lic = _buy(bob, _generationOffer(r, 1 days, false));
        uint64 exp = uint64(block.timestamp + 1 days);
        uint256 d = _registerDerivative(bob, toArray(lic));
        vm.warp(exp);
        (bool ok, bytes memory ret) = _tryDerive(bob, toArray(lic));
        assertFalse(ok, "reused after expiry");
        assertEq(ret, abi.encodeWithSelector(ILicensingHub.LicenseExpired.selector, lic, exp), "LicenseExpired");
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetExpired.selector, d, exp));
        vm.prank(bob);
        hub.createOffer(d, _derivativeTerms(0), NATIVE, 1, 0, 0);

        // A LoRA registered under a 10-day licence sells "perpetual" generation licences that end with it.
        uint256 base = _register(erin);
        uint256 baseLicence = _buy(alice, _offer(erin, base, _derivativeTerms(0), NATIVE, 1, 10 days, 0));
        uint256 lora = _registerDerivative(alice, toArray(baseLicence));
        uint64 loraExp = uint64(block.timestamp + 10 days);
        uint256 gen = _buy(bob, _generationOffer(lora, 0, false));
        assertEq(licenseToken.licenseOf(gen).expiresAt, loraExp, "capped at the resource's expiry");
        _registerDerivative(bob, toArray(gen));
        vm.warp(loraExp);
        (ok, ret) = _tryDerive(bob, toArray(gen));
        assertFalse(ok, "outlived its resource");
        assertEq(ret, abi.encodeWithSelector(ILicensingHub.LicenseExpired.selector, gen, loraExp), "LicenseExpired");
    }

    /// Somebody else's reusable licence: used directly, through an ERC-721 approval, after a blocked transfer of
    /// a non-transferable one, twice in one registration, or tampered with through the token (mint, markUsed).
    function test_attack_useSomeoneElsesGenerationLicence_fails() public {
        uint256 r = _register(alice);
        uint256 lic = _buy(bob, _generationOffer(r, 0, false));
        bytes memory notHolder = abi.encodeWithSelector(ILicensingHub.NotLicenseHolder.selector, lic, mallory, bob);
        (bool ok, bytes memory ret) = _tryDerive(mallory, toArray(lic));
        assertFalse(ok, "foreign licence");
        assertEq(ret, notHolder, "NotLicenseHolder");

        vm.prank(bob);
        licenseToken.approve(mallory, lic);
        (ok, ret) = _tryDerive(mallory, toArray(lic));
        assertEq(ret, notHolder, "an approval is not the licence");
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, lic));
        vm.prank(mallory);
        licenseToken.transferFrom(bob, mallory, lic);
        (ok, ret) = _tryDerive(mallory, toArray(lic));
        assertEq(ret, notHolder, "still bob's");

        (ok, ret) = _tryDerive(bob, toArray(lic, lic));
        assertEq(ret, abi.encodeWithSelector(ILicensingHub.DuplicateParent.selector, r), "twice in one");

        vm.prank(mallory);
        (ok, ret) = address(licenseToken).call(
            abi.encodeWithSelector(ILicenseToken.mint.selector, mallory, licenseToken.licenseOf(lic))
        );
        _assertSelector(ok, ret, ILicenseToken.NotHub.selector, "mint a copy");
        vm.prank(mallory);
        (ok, ret) = address(licenseToken).call(abi.encodeCall(ILicenseToken.markUsed, (lic, 1)));
        _assertSelector(ok, ret, ILicenseToken.NotHub.selector, "markUsed");
        assertEq(licenseToken.ownerOf(lic), bob, "bob keeps it");
        (ok,) = _tryDerive(bob, toArray(lic));
        assertTrue(ok, "and still generates with it");
    }

    /// A generator contract re-enters registerDerivative with its reusable licence while the hub pays it out:
    /// the shared reentrancy guard refuses it, and the licence works again outside the payout.
    function test_attack_reentrantGenerationDuringWithdraw_fails() public {
        uint256 r = _register(alice);
        ReentrantGenerator g = new ReentrantGenerator(ILicensingHub(address(hub)), IGenIPRegistry(address(registry)));
        uint256 offerId = _generationOffer(r, 0, false);
        vm.deal(brand, 1);
        vm.prank(brand);
        uint256 lic = hub.buyLicense{value: 1}(offerId, address(g), address(0));
        g.setLicence(lic);
        IGenIPRegistry.Work memory w1 = _nextWork();
        IGenIPRegistry.Work memory w2 = _nextWork();
        g.commit(w1.contentHash, bytes32("s1"));
        g.commit(w2.contentHash, bytes32("s2"));
        vm.roll(block.number + 1);
        uint256 d1 = g.derive(w1, bytes32("s1"));
        _payNative(brand, d1, 1 ether);

        uint256 assets = registry.totalAssets();
        g.arm(w2, bytes32("s2"));
        g.withdraw();
        assertFalse(g.reentrySucceeded(), "re-entered");
        assertEq(g.reentryError(), abi.encodeWithSignature("ReentrancyGuardReentrantCall()"), "guard");
        assertEq(registry.totalAssets(), assets, "nothing registered inside the payout");
        assertEq(_unaccounted(NATIVE, _everyone()), int256(0), "hub solvent");
        uint256 d2 = g.derive(w2, bytes32("s2"));
        assertEq(registry.ownerOf(d2), address(g), "the licence still works");
    }

    /// @dev The (alice, `p`) authorisation's current epoch, which a fresh signature names.
    function _epoch(address p) internal view returns (uint32) {
        return registry.platformAuthorization(alice, p).epoch;
    }
}
