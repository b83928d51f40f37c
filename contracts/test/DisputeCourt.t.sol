// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IDisputeCourt} from "../src/interfaces/IDisputeCourt.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {DisputeStatus, Standing} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";
import {ReentrantWithdrawer} from "./utils/mocks/ReentrantWithdrawer.sol";

/// @notice The dispute court: the life of a claim (raise, answer, resolve, reverse, settle), bonds, taint.
contract DisputeCourtTest is Base {
    bytes32 internal constant EVIDENCE = keccak256("evidence");

    uint256 internal asset;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        asset = _register(alice);
    }

    // ─────────────────────────────── raise ───────────────────────────────

    function test_raise_recordsTheClaimTakesTheBondAndEmits() public {
        uint64 deadline = uint64(block.timestamp + 3 days);
        vm.deal(erin, BOND);
        vm.expectEmit(true, true, true, true, address(court));
        emit IDisputeCourt.DisputeRaised(1, asset, erin, 0, EVIDENCE, NATIVE, BOND, deadline);
        vm.prank(erin);
        uint256 id = court.raise{value: BOND}(asset, EVIDENCE, 0, NATIVE);

        IDisputeCourt.Dispute memory d = court.dispute(id);
        assertEq(id, 1, "first id");
        assertEq(court.totalDisputes(), 1, "total");
        assertEq(uint256(d.status), uint256(DisputeStatus.Open), "open");
        assertEq(d.claimant, erin, "claimant");
        assertEq(uint256(d.bond), BOND, "bond");
        assertEq(uint256(d.answerDeadline), deadline, "deadline");
        assertEq(address(court).balance, BOND, "bond held by the court");
    }

    function test_raise_revertsWhenTheBondIsWrong() public {
        vm.deal(erin, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WrongBond.selector, BOND, BOND - 1));
        vm.prank(erin);
        court.raise{value: BOND - 1}(asset, EVIDENCE, 0, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WrongBond.selector, BOND, BOND + 1));
        vm.prank(erin);
        court.raise{value: BOND + 1}(asset, EVIDENCE, 0, NATIVE);
    }

    function test_raise_revertsForAnUnacceptedCurrency() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.BondCurrencyNotAccepted.selector, address(usd)));
        vm.prank(erin);
        court.raise(asset, EVIDENCE, 0, address(usd));
    }

    function test_raise_takesAnERC20BondOnceAccepted() public {
        vm.prank(admin);
        court.setBond(address(usd), 50e6, true);
        usd.mint(erin, 50e6);
        vm.prank(erin);
        usd.approve(address(court), 50e6);
        vm.prank(erin);
        court.raise(asset, EVIDENCE, 0, address(usd));
        assertEq(usd.balanceOf(address(court)), 50e6, "bond pulled");
    }

    function test_raise_revertsWhileTheAssetIsNotClear() public {
        _raise(erin, asset);
        vm.deal(dave, BOND);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AssetNotClear.selector, asset, uint8(Standing.Disputed)));
        vm.prank(dave);
        court.raise{value: BOND}(asset, EVIDENCE, 0, NATIVE);
    }

    function test_raise_revertsForUnknownAssetsAndBadClaimantAssets() public {
        vm.deal(erin, BOND);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.UnknownAsset.selector, 99));
        vm.prank(erin);
        court.raise{value: BOND}(99, EVIDENCE, 0, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.InvalidClaimantAsset.selector, asset, asset));
        vm.prank(erin);
        court.raise{value: BOND}(asset, EVIDENCE, asset, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.InvalidClaimantAsset.selector, asset, 2));
        vm.prank(erin);
        court.raise{value: BOND}(asset, EVIDENCE, 2, NATIVE);
    }

    function testFuzz_raise_takesExactlyTheBondSet(uint96 bond, uint96 sent) public {
        bond = uint96(bound(bond, 1, 100 ether)); // an accepted currency needs a bond above zero
        sent = uint96(bound(sent, 0, 100 ether));
        vm.prank(admin);
        court.setBond(NATIVE, bond, true);
        vm.deal(erin, sent);
        vm.prank(erin);
        if (sent != bond) {
            vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WrongBond.selector, bond, sent));
            court.raise{value: sent}(asset, EVIDENCE, 0, NATIVE);
            return;
        }
        uint256 id = court.raise{value: sent}(asset, EVIDENCE, 0, NATIVE);
        assertEq(uint256(court.dispute(id).bond), bond, "bond recorded");
        assertEq(address(court).balance, bond, "bond held");
        _resolve(id, false);
        assertEq(court.balanceOf(alice, NATIVE), bond, "awarded in full to the owner");
    }

    // ─────────────────────────────── answer ───────────────────────────────

    function test_answer_byTheOwnerWithinTheWindow() public {
        uint256 id = _raise(erin, asset);
        vm.expectEmit(true, true, true, true, address(court));
        emit IDisputeCourt.DisputeAnswered(id, asset, alice, keccak256("answer"));
        vm.prank(alice);
        court.answer(id, keccak256("answer"));
        assertTrue(court.dispute(id).answered, "answered");
    }

    function test_answer_revertsWhenCallerIsNotTheOwner() public {
        uint256 id = _raise(erin, asset);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NotAssetOwner.selector, asset, erin, alice));
        vm.prank(erin);
        court.answer(id, keccak256("answer"));
    }

    function test_answer_revertsAfterTheWindow() public {
        uint256 id = _raise(erin, asset);
        uint64 deadline = court.dispute(id).answerDeadline;
        vm.warp(deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.ResponseWindowClosed.selector, id, deadline, block.timestamp)
        );
        vm.prank(alice);
        court.answer(id, keccak256("answer"));
    }

    // ─────────────────────────────── resolve ───────────────────────────────

    function test_resolve_revertsInTheRaiseBlockAndUntilTheWindowCloses() public {
        uint256 id = _raise(erin, asset);
        uint64 deadline = court.dispute(id).answerDeadline;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.ResponseWindowOpen.selector, id, deadline, block.timestamp)
        );
        vm.prank(arbiter);
        court.resolve(id, true, keccak256("ruling"));

        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.ResponseWindowOpen.selector, id, deadline, deadline));
        vm.prank(arbiter);
        court.resolve(id, true, keccak256("ruling"));
    }

    function test_resolve_revertsWithoutTheArbiterRole() public {
        uint256 id = _raise(erin, asset);
        vm.warp(block.timestamp + 3 days + 1);
        bytes32 role = court.ARBITER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        court.resolve(id, true, keccak256("ruling"));
    }

    function test_resolve_revertsForAnUnknownOrAlreadyRuledDispute() public {
        vm.prank(arbiter);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.UnknownDispute.selector, 7));
        court.resolve(7, true, keccak256("ruling"));
        uint256 id = _raise(erin, asset);
        _resolve(id, false);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WrongDisputeStatus.selector, id, DisputeStatus.Cleared));
        vm.prank(arbiter);
        court.resolve(id, true, keccak256("ruling"));
    }

    function test_resolve_clearedAwardsTheBondAndHeldFundsToTheOwner() public {
        uint256 id = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        vm.expectEmit(true, true, true, true, address(court));
        emit IDisputeCourt.BondAwarded(id, alice, NATIVE, BOND);
        _resolve(id, false);

        (DisputeStatus status, bool final_, address claimant) = court.outcome(id);
        assertEq(uint256(status), uint256(DisputeStatus.Cleared), "cleared");
        assertTrue(final_, "cleared is final");
        assertEq(claimant, erin, "claimant");
        assertEq(court.balanceOf(alice, NATIVE), BOND, "bond to the owner");
        hub.releaseHeld(asset, id, NATIVE);
        assertEq(hub.balanceOf(alice, NATIVE), 1 ether - _fee(1 ether), "held funds to the owner");

        vm.prank(alice);
        assertEq(court.withdraw(NATIVE), BOND, "withdrawn");
        assertEq(alice.balance, BOND, "received");
        assertEq(address(court).balance, 0, "court empty");
    }

    function test_resolve_upheldHoldsRevenueUntilFinalThenPaysTheClaimant() public {
        uint256 id = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        vm.warp(block.timestamp + 3 days + 1);
        uint64 finalAt = uint64(block.timestamp + 7 days);
        vm.expectEmit(true, true, true, true, address(court));
        emit IDisputeCourt.DisputeResolved(id, asset, arbiter, true, keccak256("ruling"), finalAt);
        vm.prank(arbiter);
        court.resolve(id, true, keccak256("ruling"));
        _payNative(brand, asset, 1 ether); // later revenue is held too

        (, bool final_,) = court.outcome(id);
        assertFalse(final_, "not final in the appeal window");
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.HeldUntilResolved.selector, asset, id));
        hub.releaseHeld(asset, id, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.RulingNotFinal.selector, id, finalAt));
        court.settle(id);

        vm.warp(finalAt + 1);
        hub.releaseHeld(asset, id, NATIVE);
        assertEq(hub.balanceOf(erin, NATIVE), 2 * (1 ether - _fee(1 ether)), "held and later revenue");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "owner gets nothing");
        court.settle(id);
        assertEq(court.balanceOf(erin, NATIVE), BOND, "bond refunded to the claimant");
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AlreadySettled.selector, id));
        court.settle(id);
    }

    // ─────────────────────────────── reverse ───────────────────────────────

    function test_reverse_withinTheAppealWindowClearsAndPaysTheOwner() public {
        uint256 id = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        _resolve(id, true);
        vm.expectEmit(true, true, true, true, address(court));
        emit IDisputeCourt.DisputeReversed(id, asset, admin, keccak256("reason"));
        vm.prank(admin);
        court.reverse(id, keccak256("reason"));

        (Standing standing,) = hub.standingOf(asset);
        assertEq(uint256(standing), uint256(Standing.Clear), "clear");
        assertEq(court.balanceOf(alice, NATIVE), BOND, "bond to the owner");
        hub.releaseHeld(asset, id, NATIVE);
        assertEq(hub.balanceOf(alice, NATIVE), 1 ether - _fee(1 ether), "held funds to the owner");
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WrongDisputeStatus.selector, id, DisputeStatus.Cleared));
        court.settle(id);
    }

    function test_reverse_revertsAfterTheAppealWindowOrForNonAdmins() public {
        uint256 id = _raise(erin, asset);
        _resolve(id, true);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, arbiter, bytes32(0))
        );
        vm.prank(arbiter);
        court.reverse(id, keccak256("reason"));

        uint64 finalAt = court.dispute(id).finalAt;
        vm.warp(finalAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AppealWindowClosed.selector, id, finalAt));
        vm.prank(admin);
        court.reverse(id, keccak256("reason"));
    }

    // ─────────────────────────────── taint ───────────────────────────────

    function test_propagateTaint_blocksADescendantsSalesAndHoldsItsRevenueForTheClaimant() public {
        uint256 child = _derive(bob, asset, 1000);
        uint256 grandchild = _derive(carol, child, 0);
        uint256 offerId = _offer(carol, grandchild, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        uint256 id = _raise(erin, asset);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.AncestorNotUpheld.selector, asset));
        court.propagateTaint(grandchild, asset);
        _resolve(id, true);

        vm.expectEmit(true, true, true, true, address(court));
        emit IDisputeCourt.TaintPropagated(grandchild, id, asset);
        vm.prank(stranger); // anyone
        court.propagateTaint(grandchild, asset);
        (Standing standing, uint256 by) = hub.standingOf(grandchild);
        assertEq(uint256(standing), uint256(Standing.Tainted), "tainted");
        assertEq(by, id, "by the upheld dispute");

        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, grandchild, Standing.Tainted));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, address(0));

        uint256 carolBefore = hub.balanceOf(carol, NATIVE);
        _payNative(brand, grandchild, 10_000);
        assertEq(hub.balanceOf(carol, NATIVE), carolBefore, "the tainted owner is not paid");
        assertEq(hub.heldOf(grandchild, id, NATIVE), 10_000 - _fee(10_000) - (10_000 - _fee(10_000)) / 10, "held");
        _finalise();
        hub.releaseHeld(grandchild, id, NATIVE);
        assertGt(hub.balanceOf(erin, NATIVE), 0, "to the claimant once final");
    }

    function test_propagateTaint_revertsForAnAssetThatIsNotADescendant() public {
        uint256 other = _register(bob);
        uint256 id = _raise(erin, asset);
        _resolve(id, true);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NotAnAncestor.selector, other, asset));
        court.propagateTaint(other, asset);
    }

    function test_clearTaint_afterTheRulingIsReversedGivesHeldFundsBack() public {
        uint256 child = _derive(bob, asset, 0);
        uint256 id = _raise(erin, asset);
        _resolve(id, true);
        court.propagateTaint(child, asset);
        _payNative(brand, child, 10_000);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NotClearable.selector, child));
        court.clearTaint(child);

        vm.prank(admin);
        court.reverse(id, keccak256("reason"));
        vm.expectEmit(true, true, true, true, address(court));
        emit IDisputeCourt.TaintCleared(child, id);
        court.clearTaint(child);
        (Standing standing,) = hub.standingOf(child);
        assertEq(uint256(standing), uint256(Standing.Clear), "clear");
        uint256 bobBefore = hub.balanceOf(bob, NATIVE);
        hub.releaseHeld(child, id, NATIVE);
        assertEq(hub.balanceOf(bob, NATIVE) - bobBefore, 10_000 - _fee(10_000), "back to the descendant's owner");
    }

    function test_propagateTaint_reachesADescendantUnderItsOwnClaim_andLiftingItPutsThatClaimBack() public {
        uint256 child = _derive(bob, asset, 0);
        uint256 upheld = _raise(erin, asset);
        uint256 own = _raise(carol, child); // a claim of the child's own, still open
        _resolve(upheld, true);
        court.propagateTaint(child, asset); // an own claim does not shield the child
        (Standing standing, uint256 by) = hub.standingOf(child);
        assertTrue(standing == Standing.Tainted && by == upheld, "tainted by the ancestor's ruling");

        vm.prank(admin);
        court.reverse(upheld, keccak256("reason"));
        court.clearTaint(child);
        (standing, by) = hub.standingOf(child);
        assertTrue(standing == Standing.Disputed && by == own, "its own open claim is back");
        vm.prank(arbiter);
        court.resolve(own, false, keccak256("ruling")); // the response window passed during the first ruling
        (standing,) = hub.standingOf(child);
        assertEq(uint256(standing), uint256(Standing.Clear), "clear once its own claim is cleared");
    }

    // ─────────────────────────────── withdraw ───────────────────────────────

    function test_withdraw_revertsWhenNothingIsOwed() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.NothingToWithdraw.selector, stranger, NATIVE));
        vm.prank(stranger);
        court.withdraw(NATIVE);
    }

    function test_withdraw_aReentrantOwnerIsPaidItsBondOnlyOnce() public {
        ReentrantWithdrawer attacker = new ReentrantWithdrawer(hub, registry, true);
        attacker.setTarget(address(court));
        bytes32 salt = keccak256("attacker salt");
        attacker.commit(_work(666).contentHash, salt);
        vm.roll(block.number + 1);
        uint256 attackerAsset = attacker.register(_work(666), salt);
        _raise(dave, asset); // another bond sits in the court
        uint256 id = _raise(erin, attackerAsset);
        _resolve(id, false); // the attacker is awarded erin's bond

        attacker.withdraw();
        assertFalse(attacker.reentrySucceeded(), "re-entrant withdrawal refused");
        assertGt(attacker.reentryAttempts(), 0, "it did try");
        assertEq(address(attacker).balance, BOND, "paid once");
        assertEq(address(court).balance, BOND, "dave's bond untouched");
        assertEq(court.balanceOf(address(attacker), NATIVE), 0, "balance cleared");
    }

    function test_withdraw_aReentrantClaimantIsRefundedOnlyOnce() public {
        ReentrantWithdrawer claimant = new ReentrantWithdrawer(hub, registry, false);
        claimant.setTarget(address(court));
        _raise(dave, _register(bob)); // another bond sits in the court
        vm.deal(address(claimant), BOND);
        vm.prank(address(claimant));
        uint256 id = court.raise{value: BOND}(asset, EVIDENCE, 0, NATIVE);
        _resolve(id, true);
        _finalise();
        court.settle(id);

        vm.expectRevert(); // its re-entry reverts, so the whole payout does
        claimant.withdraw();
        assertEq(court.balanceOf(address(claimant), NATIVE), BOND, "credit kept");
        assertEq(address(court).balance, 2 * BOND, "nothing left the court");
    }

    // ─────────────────────────────── admin ───────────────────────────────

    function test_setWindows_acceptsTheBoundsAndRefusesOutside() public {
        vm.startPrank(admin);
        court.setWindows(1 hours, 90 days);
        assertEq(court.responseWindow(), 1 hours, "response");
        assertEq(court.appealWindow(), 90 days, "appeal");
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WindowOutOfRange.selector, 1 hours - 1, 1 hours, 90 days));
        court.setWindows(1 hours - 1, 1 days);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.WindowOutOfRange.selector, 90 days + 1, 1 hours, 90 days));
        court.setWindows(1 days, 90 days + 1);
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, arbiter, bytes32(0))
        );
        vm.prank(arbiter);
        court.setWindows(1 days, 1 days);
    }

    function testFuzz_setWindows_movesOnlyLaterDeadlines(uint32 response, uint32 appeal) public {
        response = uint32(bound(response, 1 hours, 90 days));
        appeal = uint32(bound(appeal, 1 hours, 90 days));
        uint256 before = _raise(erin, asset);
        uint64 oldDeadline = court.dispute(before).answerDeadline;
        vm.prank(admin);
        court.setWindows(response, appeal);
        assertEq(court.dispute(before).answerDeadline, oldDeadline, "fixed when raised");
        uint256 other = _register(bob);
        uint256 id = _raise(dave, other);
        assertEq(court.dispute(id).answerDeadline, block.timestamp + response, "new response window");
        vm.warp(block.timestamp + response + 1);
        vm.prank(arbiter);
        court.resolve(id, true, keccak256("ruling"));
        assertEq(court.dispute(id).finalAt, block.timestamp + appeal, "new appeal window");
    }
}
