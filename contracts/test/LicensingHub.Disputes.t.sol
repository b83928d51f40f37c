// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {DisputeStatus} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";

/// @notice Disputes: what an open dispute blocks and holds, and where held funds go once it is resolved.
contract LicensingHubDisputesTest is Base {
    bytes32 internal constant EVIDENCE = keccak256("evidence");
    bytes32 internal constant RESOLUTION = keccak256("resolution");

    uint256 internal asset;
    uint256 internal offerId;

    function setUp() public override {
        super.setUp();
        asset = _register(alice);
        offerId = _offer(alice, asset, _derivativeTerms(1000), NATIVE, 1 ether, 0, 0);
    }

    // ─────────────────────────────── raiseDispute ───────────────────────────────

    function test_raiseDispute_opensADisputeAndEmits() public {
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.DisputeRaised(asset, arbiter, EVIDENCE);
        _raise(asset);
        (DisputeStatus status, address recipient) = hub.disputeOf(asset);
        assertEq(uint256(status), uint256(DisputeStatus.Open), "open");
        assertEq(recipient, address(0), "no recipient yet");
    }

    function test_raiseDispute_revertsWithoutArbiterRole() public {
        bytes32 role = hub.ARBITER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin); // even the admin needs the role
        hub.raiseDispute(asset, EVIDENCE);
    }

    function test_raiseDispute_revertsWhenAlreadyOpen() public {
        _raise(asset);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.DisputeAlreadyOpen.selector, asset));
        vm.prank(arbiter);
        hub.raiseDispute(asset, EVIDENCE);
    }

    function test_raiseDispute_revertsForUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownAsset.selector, 99));
        vm.prank(arbiter);
        hub.raiseDispute(99, EVIDENCE);
    }

    // ─────────────────────────────── while open ───────────────────────────────

    function test_buyLicense_revertsWhileADisputeIsOpen() public {
        _raise(asset);
        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetDisputed.selector, asset, DisputeStatus.Open));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand);
    }

    function test_registerDerivative_revertsWhileAParentIsDisputed() public {
        uint256 licenseId = _buy(bob, offerId); // bought before the dispute
        _raise(asset);
        IGenIPRegistry.Work memory work = _nextWork();
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetDisputed.selector, asset, DisputeStatus.Open));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work);
    }

    function test_payRevenue_holdsTheOwnersShareWhileDisputed() public {
        _raise(asset);
        uint256 fee = _fee(1 ether);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenueHeld(asset, NATIVE, 1 ether - fee, asset);
        _payNative(brand, asset, 1 ether);

        assertEq(hub.heldOf(asset, NATIVE), 1 ether - fee, "held");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "owner not credited");
        assertEq(hub.balanceOf(treasury, NATIVE), fee, "the platform fee is not held");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_payRevenue_holdsADisputedAncestorsShareAndPaysTheRest() public {
        uint256 child = _derive(bob, asset, 1000);
        _raise(asset);
        uint256 bobBefore = hub.balanceOf(bob, NATIVE);
        uint256 net = 10_000 - _fee(10_000);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenueHeld(asset, NATIVE, net / 10, child);
        _payNative(brand, child, 10_000);

        assertEq(hub.heldOf(asset, NATIVE), net / 10, "ancestor's share held");
        assertEq(hub.heldOf(child, NATIVE), 0, "child not disputed");
        assertEq(hub.balanceOf(bob, NATIVE) - bobBefore, net - net / 10, "child owner paid as usual");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_payRevenue_erc20IsHeldPerCurrency() public {
        _raise(asset);
        _payToken(brand, asset, 1000);
        _payNative(brand, asset, 2000);
        assertEq(hub.heldOf(asset, address(usd)), 1000 - _fee(1000), "token held");
        assertEq(hub.heldOf(asset, NATIVE), 2000 - _fee(2000), "native held");
        assertEq(_unaccounted(address(usd), _everyone()), 0, "token: balance == credits + held");
    }

    function test_releaseHeld_revertsWhileTheDisputeIsOpen() public {
        _raise(asset);
        _payNative(brand, asset, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.HeldUntilResolved.selector, asset));
        hub.releaseHeld(asset, NATIVE);
    }

    // ─────────────────────────────── resolveDispute ───────────────────────────────

    function test_resolveDispute_revertsWithoutAnOpenDispute() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NoOpenDispute.selector, asset));
        vm.prank(arbiter);
        hub.resolveDispute(asset, false, address(0), RESOLUTION);

        _raise(asset);
        _resolve(asset, false, address(0));
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NoOpenDispute.selector, asset));
        vm.prank(arbiter);
        hub.resolveDispute(asset, true, erin, RESOLUTION);
    }

    function test_resolveDispute_revertsWithoutArbiterRole() public {
        _raise(asset);
        bytes32 role = hub.ARBITER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        hub.resolveDispute(asset, false, address(0), RESOLUTION);
    }

    function test_resolveDispute_upheldRevertsForZeroRecipient() public {
        _raise(asset);
        vm.expectRevert(ILicensingHub.ZeroAddress.selector);
        vm.prank(arbiter);
        hub.resolveDispute(asset, true, address(0), RESOLUTION);
    }

    // ─────────────────────────────── cleared ───────────────────────────────

    function test_resolveDispute_clearedReleasesHeldFundsToTheOwnerAtReleaseTime() public {
        _raise(asset);
        _payNative(brand, asset, 1 ether);
        uint256 held = hub.heldOf(asset, NATIVE);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.DisputeResolved(asset, arbiter, false, address(0), RESOLUTION);
        _resolve(asset, false, address(0));
        (DisputeStatus status,) = hub.disputeOf(asset);
        assertEq(uint256(status), uint256(DisputeStatus.Cleared), "cleared");

        vm.prank(alice);
        registry.transferFrom(alice, erin, asset); // the owner "at that time" is erin

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.HeldReleased(asset, NATIVE, erin, held);
        vm.prank(stranger); // anyone may release
        assertEq(hub.releaseHeld(asset, NATIVE), held, "returned amount");

        assertEq(hub.balanceOf(erin, NATIVE), held, "current owner credited");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "former owner");
        assertEq(hub.heldOf(asset, NATIVE), 0, "nothing held");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_resolveDispute_clearedReopensTheAsset() public {
        _raise(asset);
        _resolve(asset, false, address(0));
        uint256 licenseId = _buy(bob, offerId);
        uint256 child = _registerDerivative(bob, toArray(licenseId));
        assertEq(registry.ownerOf(child), bob, "derivatives again");
        uint256 before = hub.balanceOf(alice, NATIVE);
        _payNative(brand, asset, 10_000);
        assertEq(hub.balanceOf(alice, NATIVE) - before, 10_000 - _fee(10_000), "revenue credited, not held");
        assertEq(hub.heldOf(asset, NATIVE), 0, "nothing held");
    }

    function test_releaseHeld_revertsWhenNothingIsHeld() public {
        _raise(asset);
        _payNative(brand, asset, 1 ether);
        _resolve(asset, false, address(0));
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingHeld.selector, asset, address(usd)));
        hub.releaseHeld(asset, address(usd));

        hub.releaseHeld(asset, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingHeld.selector, asset, NATIVE));
        hub.releaseHeld(asset, NATIVE);
    }

    // ─────────────────────────────── upheld ───────────────────────────────

    function test_resolveDispute_upheldSendsHeldAndFutureRevenueToTheRecipient() public {
        _raise(asset);
        _payNative(brand, asset, 1 ether);
        _payToken(brand, asset, 500);
        uint256 held = hub.heldOf(asset, NATIVE);
        uint256 heldToken = hub.heldOf(asset, address(usd));

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.DisputeResolved(asset, arbiter, true, erin, RESOLUTION);
        _resolve(asset, true, erin);
        (DisputeStatus status, address recipient) = hub.disputeOf(asset);
        assertEq(uint256(status), uint256(DisputeStatus.Upheld), "upheld");
        assertEq(recipient, erin, "recipient");

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.HeldReleased(asset, NATIVE, erin, held);
        hub.releaseHeld(asset, NATIVE);
        hub.releaseHeld(asset, address(usd));
        assertEq(hub.balanceOf(erin, NATIVE), held, "held native to the claimant");
        assertEq(hub.balanceOf(erin, address(usd)), heldToken, "held token to the claimant");

        _payNative(brand, asset, 10_000);
        assertEq(hub.balanceOf(erin, NATIVE), held + 10_000 - _fee(10_000), "future revenue to the claimant");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "owner gets nothing");
        assertEq(hub.heldOf(asset, NATIVE), 0, "not held any more");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_resolveDispute_upheldDivertsTheAssetsAncestorShareToo() public {
        uint256 child = _derive(bob, asset, 1000);
        _raise(asset);
        _resolve(asset, true, erin);
        _payNative(brand, child, 10_000);
        uint256 net = 10_000 - _fee(10_000);
        assertEq(hub.balanceOf(erin, NATIVE), net / 10, "the disputed ancestor's share goes to the claimant");
    }

    function test_resolveDispute_upheldKeepsTheAssetClosed() public {
        uint256 licenseId = _buy(bob, offerId);
        _raise(asset);
        _resolve(asset, true, erin);

        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetDisputed.selector, asset, DisputeStatus.Upheld));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand);

        IGenIPRegistry.Work memory work = _nextWork();
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetDisputed.selector, asset, DisputeStatus.Upheld));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work);
    }

    function test_disputes_otherAssetsAreUnaffected() public {
        uint256 other = _register(bob);
        _raise(asset);
        _payNative(brand, other, 10_000);
        assertEq(hub.balanceOf(bob, NATIVE), 10_000 - _fee(10_000), "credited");
        assertEq(hub.heldOf(other, NATIVE), 0, "not held");
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    function _raise(uint256 id) internal {
        vm.prank(arbiter);
        hub.raiseDispute(id, EVIDENCE);
    }

    function _resolve(uint256 id, bool upheld, address recipient) internal {
        vm.prank(arbiter);
        hub.resolveDispute(id, upheld, recipient, RESOLUTION);
    }
}
