// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {LicenseUse, Standing, Offer} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";
import {FeeOnTransferToken} from "./utils/mocks/FeeOnTransferToken.sol";

/// @notice Pays with Solidity's `transfer` and `send`, which forward only the 2 300-gas stipend, as many
/// marketplaces pay ERC-2981 royalties.
contract StipendPayer {
    function payByTransfer(address to) external payable {
        payable(to).transfer(msg.value);
    }

    function payBySend(address to) external payable returns (bool) {
        return payable(to).send(msg.value);
    }
}

/// @notice One test (or a few) per finding of the v1 review, each of which fails on the v1 design.
contract RegressionsTest is Base {
    address internal mallory;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        mallory = makeAddr("mallory");
    }

    // ─────────── 1. front-running a registration (v1: `register(work)` was first come, first served) ───────────

    function test_regression_aCopierReplayingAPendingRegisterCannotWinTheCertificate() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash); // alice's reveal is now in the mempool

        // The copier replays alice's call as is: no commitment of theirs.
        bytes32 copierLeaf = registry.registrationLeaf(mallory, work.contentHash, salt);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, copierLeaf));
        vm.prank(mallory);
        registry.register(work, salt, _noProof());

        // The copier commits now and reveals in the same block (ahead of alice): too new.
        vm.prank(mallory);
        registry.commit(copierLeaf);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.CommitmentTooNew.selector, copierLeaf, block.number));
        vm.prank(mallory);
        registry.register(work, salt, _noProof());

        // Alice's reveal, mined in that block, wins.
        vm.prank(alice);
        uint256 id = registry.register(work, salt, _noProof());
        assertEq(registry.ownerOf(id), alice, "the creator owns it");

        // And a block later the copier's own commitment is worthless.
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IGenIPRegistry.ContentAlreadyRegistered.selector, work.contentHash, id)
        );
        vm.prank(mallory);
        registry.register(work, salt, _noProof());
    }

    function test_regression_aCopierCannotUseTheCreatorsCommittedLeaf() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        bytes32 aliceLeaf = registry.registrationLeaf(alice, work.contentHash, salt);
        (uint64 committedIn,) = registry.commitmentOf(aliceLeaf);
        assertGt(committedIn, 0, "alice's leaf is committed");

        // With alice's salt the copier's leaf is another hash: the leaf binds its creator.
        bytes32 copierLeaf = registry.registrationLeaf(mallory, work.contentHash, salt);
        assertTrue(copierLeaf != aliceLeaf, "leaf binds the creator");
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, copierLeaf));
        vm.prank(mallory);
        registry.register(work, salt, _noProof());
    }

    function test_regression_aPlatformRelayingRegisterForCannotRedirectTheCertificate() public {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        bytes32 malloryLeaf = registry.registrationLeaf(mallory, work.contentHash, salt);
        vm.prank(mallory);
        registry.commit(malloryLeaf); // even with a commitment for itself
        vm.roll(block.number + 1);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(alice, work, 1, deadline);

        // Naming itself as the creator: the signature is alice's, not mallory's.
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidSignature.selector, mallory));
        vm.prank(mallory);
        registry.registerFor(mallory, work, salt, _noProof(), 1, deadline, sig);

        // Relayed as signed, the certificate goes to alice.
        vm.prank(mallory);
        uint256 id = registry.registerFor(alice, work, salt, _noProof(), 1, deadline, sig);
        assertEq(registry.ownerOf(id), alice, "relayed to the creator");
    }

    function test_regression_aUsedNonceDoesNotBlockOthersAndInvalidateNoncesCancels() public {
        // v1 nonces were sequential: using 6 first made 5 unusable. Unordered, both work.
        _registerForWithNonce(6);
        _registerForWithNonce(5);
        assertTrue(registry.nonceUsed(alice, 5) && registry.nonceUsed(alice, 6), "both used");

        vm.expectEmit(true, true, true, true, address(registry));
        emit IGenIPRegistry.NoncesInvalidated(alice, 0, 1 << 7);
        vm.prank(alice);
        registry.invalidateNonces(0, 1 << 7);
        assertTrue(registry.nonceUsed(alice, 7), "cancelled");
        assertFalse(registry.nonceUsed(alice, 8), "only the masked bit");

        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        bytes memory sig = _signRegister(alice, work, 7, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.NonceAlreadyUsed.selector, alice, 7));
        registry.registerFor(alice, work, salt, _noProof(), 7, block.timestamp, sig);
    }

    function _registerForWithNonce(uint256 nonce) internal {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(alice, work.contentHash);
        bytes memory sig = _signRegister(alice, work, nonce, block.timestamp);
        registry.registerFor(alice, work, salt, _noProof(), nonce, block.timestamp, sig);
    }

    function test_regression_aPendingDerivativesContentCannotBeRegisteredAsARootBySomeoneElse() public {
        uint256 root = _register(alice);
        uint256 licenseId = _derivativeLicense(root, bob, 1000);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash); // bob's registerDerivative is pending

        bytes32 copierLeaf = registry.registrationLeaf(mallory, work.contentHash, salt);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, copierLeaf));
        vm.prank(mallory);
        registry.register(work, salt, _noProof());
        vm.prank(mallory);
        registry.commit(copierLeaf);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.CommitmentTooNew.selector, copierLeaf, block.number));
        vm.prank(mallory);
        registry.register(work, salt, _noProof());

        vm.prank(bob);
        uint256 child = hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
        assertEq(registry.ownerOf(child), bob, "the derivative's creator");
        assertEq(hub.royaltyStack(child), 1000, "with its lineage");
    }

    // ─────────── 2. one held pot per asset (v1: a later dispute decided an earlier one's funds) ───────────

    function test_regression_aLaterUpheldDisputeDoesNotTakeAnEarlierClearedDisputesHeldFunds() public {
        uint256 asset = _register(alice);
        uint256 first = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        uint256 heldFirst = hub.heldOf(asset, first, NATIVE);
        _resolve(first, false); // cleared, but nobody released yet

        uint256 second = _raise(dave, asset);
        _payNative(brand, asset, 2 ether);
        _resolve(second, true);
        _finalise();

        hub.releaseHeld(asset, first, NATIVE);
        hub.releaseHeld(asset, second, NATIVE);
        assertEq(hub.balanceOf(alice, NATIVE), heldFirst, "the first dispute's funds go to the owner");
        assertEq(hub.balanceOf(dave, NATIVE), 2 ether - _fee(2 ether), "the second's to its claimant");
        assertEq(hub.balanceOf(erin, NATIVE), 0, "the first claimant gets nothing");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    // ─────────── 3. the royalty sink must take a 2 300-gas payment once deployed (v1: an EIP-1167 clone) ───────────

    function test_regression_aDeployedSinkAcceptsTransferAndSendWithinTheStipend() public {
        uint256 asset = _register(alice);
        address sink = hub.royaltySinkOf(asset);
        StipendPayer payer = new StipendPayer();
        vm.deal(address(this), 3 ether);

        payer.payByTransfer{value: 1 ether}(sink); // before deployment: no code, accepted anyway
        hub.collectRoyalties(asset, NATIVE); // deploys the sink
        assertTrue(sink.code.length > 0, "deployed");

        payer.payByTransfer{value: 1 ether}(sink);
        assertTrue(payer.payBySend{value: 1 ether}(sink), "send accepted");
        assertEq(sink.balance, 2 ether, "both arrived");
        assertEq(hub.collectRoyalties(asset, NATIVE), 2 ether, "and sweep");
        assertEq(hub.balanceOf(alice, NATIVE), 3 * (1 ether - _fee(1 ether)), "owner credited thrice");
    }

    // ─────────── 4. fee-on-transfer royalties (v1: refused, locking them in the sink) ───────────

    function test_regression_feeOnTransferRoyaltiesAreSplitByWhatArrived() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        uint256 asset = _register(alice);
        address sink = hub.royaltySinkOf(asset);
        fot.mint(sink, 1_000_000);

        uint256 arrived = 1_000_000 - 1_000_000 * fot.FEE_BPS() / 10_000;
        assertEq(hub.collectRoyalties(asset, address(fot)), arrived, "what arrived, not what was sent");
        assertEq(fot.balanceOf(address(hub)), arrived, "hub holds it");
        assertEq(
            hub.balanceOf(alice, address(fot)) + hub.balanceOf(treasury, address(fot)), arrived, "split adds up"
        );
        assertEq(hub.balanceOf(treasury, address(fot)), _fee(arrived), "fee of what arrived");
        assertEq(_unaccounted(address(fot), _everyone()), 0, "hub balance == credits");
    }

    // ─────────── 5. prompt commitments (v1: keccak(salt ‖ prompt), no creator, no domain) ───────────

    function test_regression_aMerklePromptRootsChildrenDoNotVerifyAsAFlatPrompt() public {
        bytes32 salt = keccak256("salt");
        bytes32 left = keccak256(bytes.concat(keccak256(abi.encode(alice, "prompt", salt, bytes("a cat")))));
        bytes32 right = keccak256(bytes.concat(keccak256(abi.encode(alice, "seed", salt, bytes("42")))));
        (bytes32 a, bytes32 b) = left < right ? (left, right) : (right, left);
        IGenIPRegistry.Work memory work = _nextWork();
        work.promptCommitment = keccak256(abi.encodePacked(a, b)); // the Merkle root
        uint256 id = _register(alice, work);

        // v1: verifyPrompt(id, prompt = b, salt = a) matched keccak(a ‖ b), "proving" a prompt never made.
        assertFalse(registry.verifyPrompt(id, alice, abi.encodePacked(b), a), "child as prompt and salt");
        assertFalse(registry.verifyPrompt(id, alice, abi.encodePacked(a, b), bytes32(0)), "children as the prompt");
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = right;
        assertTrue(registry.verifyPromptPart(id, alice, "prompt", "a cat", salt, proof), "the part itself proves");
    }

    function test_regression_aPromptCommitmentCopiedOntoAnotherCreatorsCertificateDoesNotVerify() public {
        bytes memory prompt = "a lighthouse in a storm";
        bytes32 salt = keccak256("salt");
        IGenIPRegistry.Work memory original = _nextWork();
        original.promptCommitment = registry.promptCommitmentFor(alice, prompt, salt);
        uint256 aliceId = _register(alice, original);

        IGenIPRegistry.Work memory copy = _nextWork();
        copy.promptCommitment = original.promptCommitment; // mallory copies it, and later learns the prompt
        uint256 malloryId = _register(mallory, copy);

        assertTrue(registry.verifyPrompt(aliceId, alice, prompt, salt), "alice's own");
        assertFalse(registry.verifyPrompt(malloryId, mallory, prompt, salt), "not for the copier");
    }

    // ─────────── 6. derivative expiry (v1: a derivative under a 30-day licence lived and sold forever) ───────────

    function test_regression_aDerivativeUnderA30DayLicenceStopsAtDay30() public {
        uint256 root = _register(alice);
        uint256 licenseId = _buy(bob, _offer(alice, root, _derivativeTerms(1000), NATIVE, 1, 30 days, 0));
        uint64 end = uint64(block.timestamp + 30 days);
        uint256 child = _registerDerivative(bob, toArray(licenseId));
        assertEq(hub.expiryOf(child), end, "inherits the licence's expiry");

        // Licences sold on it, perpetual or longer, are capped at its end.
        uint256 perpetual = _offer(bob, child, _derivativeTerms(0), NATIVE, 1, 0, 0);
        uint256 longer = _offer(bob, child, _derivativeTerms(0), NATIVE, 1, 90 days, 0);
        vm.warp(block.timestamp + 10 days);
        uint256 l1 = _buy(carol, perpetual);
        uint256 l2 = _buy(dave, longer);
        assertEq(licenseToken.licenseOf(l1).expiresAt, end, "perpetual capped");
        assertEq(licenseToken.licenseOf(l2).expiresAt, end, "90 days capped");
        (bool licensed,,) = hub.licenseStatus(child, carol, LicenseUse.Derivative);
        assertTrue(licensed, "before the end");

        vm.warp(end);
        vm.deal(erin, 1);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetExpired.selector, child, end));
        vm.prank(erin);
        hub.buyLicense{value: 1}(perpetual, erin, address(0));
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetExpired.selector, child, end));
        vm.prank(bob);
        hub.createOffer(child, _derivativeTerms(0), NATIVE, 1, 0, 0);

        // Deriving from it: every licence on it ended with it.
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(carol, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.LicenseExpired.selector, l1, end));
        vm.prank(carol);
        hub.registerDerivative(toArray(l1), work, salt, _noProof());

        (licensed,,) = hub.licenseStatus(child, carol, LicenseUse.Derivative);
        assertFalse(licensed, "no derivative licence after the end");
        (licensed,,) = hub.licenseStatus(child, dave, LicenseUse.Commercial);
        assertFalse(licensed, "no licence outlasts it");
    }

    function testFuzz_regression_licencesOnADerivativeNeverOutlastIt(uint32 parentDuration, uint32 duration, uint32 at)
        public
    {
        parentDuration = uint32(bound(parentDuration, 1, 365 days));
        duration = uint32(bound(duration, 0, 730 days));
        uint256 root = _register(alice);
        uint256 parentLicence = _buy(bob, _offer(alice, root, _derivativeTerms(0), NATIVE, 1, parentDuration, 0));
        uint64 end = uint64(block.timestamp + parentDuration);
        uint256 child = _registerDerivative(bob, toArray(parentLicence));
        assertEq(hub.expiryOf(child), end, "expiry");
        uint256 offerId = _offer(bob, child, _derivativeTerms(0), NATIVE, 1, duration, 0);
        vm.warp(block.timestamp + bound(at, 0, parentDuration - 1));
        uint256 l = _buy(carol, offerId);
        uint64 expected = duration == 0 || block.timestamp + duration > end ? end : uint64(block.timestamp + duration);
        assertEq(licenseToken.licenseOf(l).expiresAt, expected, "min(own duration, the derivative's end)");
    }

    // ─────────── 7. licence status cost (v1: a loop over every licence the holder was given) ───────────

    function test_regression_licenseStatusCostsTheSameWith300GiftedLicences() public {
        uint256 asset = _register(alice);
        uint256 cheap = _offer(alice, asset, _terms(true, true, false, 0), NATIVE, 0, 1 days, 0);
        _gift(cheap, brand, 1);
        uint256 oneLicence = _statusGas(asset, brand);

        _gift(cheap, brand, 299);
        uint256 many = _statusGas(asset, brand);
        assertEq(licenseToken.licensesOf(brand, asset).length, 300, "300 licences");
        assertLe(oneLicence, 30_000, "bounded with one");
        assertLe(many, 30_000, "bounded with 300");
        assertLe(many, oneLicence + 2_000, "does not grow with the count");
    }

    function test_regression_renounceWorksAndTheBestLicenceIsReChosen() public {
        uint256 asset = _register(alice);
        uint256 short = _buy(brand, _offer(alice, asset, _terms(true, true, false, 0), NATIVE, 1, 10 days, 0));
        uint256 long = _buy(brand, _offer(alice, asset, _terms(true, true, false, 0), NATIVE, 1, 30 days, 0));
        _assertBest(asset, brand, LicenseUse.Commercial, long);

        // Non-transferable, yet its holder can give it up.
        vm.expectEmit(true, true, true, true, address(licenseToken));
        emit LicenseRenounced(long, asset, brand);
        vm.prank(brand);
        licenseToken.renounce(long);
        _assertBest(asset, brand, LicenseUse.Commercial, short);
        assertEq(licenseToken.balanceOf(brand), 1, "burned");

        vm.expectRevert(abi.encodeWithSelector(NotLicenseHolder.selector, short, stranger, brand));
        vm.prank(stranger);
        licenseToken.renounce(short);

        vm.prank(brand);
        licenseToken.renounce(short);
        (bool licensed, uint256 id,) = hub.licenseStatus(asset, brand, LicenseUse.Display);
        assertFalse(licensed, "nothing left");
        assertEq(id, 0, "no licence");
    }

    function test_regression_theBestLicenceIsReChosenAfterTransferAndMarkUsed() public {
        uint256 asset = _register(alice);
        uint256 kept = _buy(brand, _offer(alice, asset, _terms(true, true, false, 0), NATIVE, 1, 10 days, 0));
        uint256 moved = _buy(brand, _offer(alice, asset, _terms(true, true, true, 0), NATIVE, 1, 0, 0));
        _assertBest(asset, brand, LicenseUse.Derivative, moved);

        vm.prank(brand);
        licenseToken.transferFrom(brand, carol, moved);
        _assertBest(asset, brand, LicenseUse.Derivative, kept);
        _assertBest(asset, carol, LicenseUse.Derivative, moved);

        _registerDerivative(brand, toArray(kept)); // uses `kept` up for derivatives
        (bool licensed,,) = hub.licenseStatus(asset, brand, LicenseUse.Derivative);
        assertFalse(licensed, "no unused derivative licence left");
        _assertBest(asset, brand, LicenseUse.Commercial, kept);
    }

    // ─────────── 8. disputed assets license nothing (v1: licenseStatus ignored disputes) ───────────

    function test_regression_licenseStatusForDerivativesIsFalseWhileDisputed() public {
        uint256 asset = _register(alice);
        uint256 licenseId = _derivativeLicense(asset, brand, 0);
        _assertBest(asset, brand, LicenseUse.Derivative, licenseId);

        uint256 disputeId = _raise(erin, asset);
        (bool licensed,,) = hub.licenseStatus(asset, brand, LicenseUse.Derivative);
        assertFalse(licensed, "disputed");
        _resolve(disputeId, false);
        (licensed,,) = hub.licenseStatus(asset, brand, LicenseUse.Derivative);
        assertTrue(licensed, "cleared");
    }

    // ─────────── 9. offers lapse with the certificate (v1: the buyer inherited the seller's offers) ───────────

    function test_regression_offersLapseWhenTheCertificateChangesHands() public {
        uint256 asset = _register(alice);
        uint256 old = _offer(alice, asset, _terms(true, true, false, 0), NATIVE, 1, 0, 0);
        vm.prank(alice);
        registry.transferFrom(alice, bob, asset);

        vm.deal(brand, 1);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.OfferLapsed.selector, old, alice, bob));
        vm.prank(brand);
        hub.buyLicense{value: 1}(old, brand, address(0));

        uint256 fresh = _offer(bob, asset, _terms(true, true, false, 0), NATIVE, 1 ether, 0, 0);
        Offer memory o = hub.offer(fresh);
        assertEq(o.seller, bob, "the new owner's offer");
        _buy(brand, fresh);
        assertEq(hub.balanceOf(bob, NATIVE), 1 ether - _fee(1 ether), "the new owner is paid");
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    event LicenseRenounced(uint256 indexed licenseId, uint256 indexed assetId, address indexed holder);

    error NotLicenseHolder(uint256 licenseId, address caller, address holder);

    /// @dev `count` licences under `offerId` bought by a stranger for `holder` (who never asked).
    function _gift(uint256 offerId, address holder, uint256 count) internal {
        for (uint256 i; i < count; ++i) {
            vm.prank(stranger);
            hub.buyLicense(offerId, holder, address(0));
        }
    }

    function _statusGas(uint256 asset, address holder) internal view returns (uint256 used) {
        uint256 before = gasleft();
        (bool licensed,,) = hub.licenseStatus(asset, holder, LicenseUse.Derivative);
        used = before - gasleft();
        assertTrue(licensed, "licensed");
    }

    function _assertBest(uint256 asset, address holder, LicenseUse use, uint256 expected) internal view {
        (bool licensed, uint256 id,) = hub.licenseStatus(asset, holder, use);
        assertTrue(licensed, "licensed");
        assertEq(id, expected, "best licence");
    }

    function _signRegister(address creator, IGenIPRegistry.Work memory work, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                registry.REGISTER_TYPEHASH(),
                creator,
                work.kind,
                work.contentHash,
                work.perceptualHash,
                work.promptCommitment,
                keccak256(bytes(work.metadataCid)),
                nonce,
                deadline
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
}
