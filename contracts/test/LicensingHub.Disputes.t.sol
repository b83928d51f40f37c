// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {LicenseUse, Standing} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";

/// @notice The hub's side of disputes: what a standing other than Clear blocks and holds, and where funds held
/// under a dispute go once the court has ruled. (The court's own rules are in DisputeCourt.t.sol.)
contract LicensingHubDisputesTest is Base {
    uint256 internal asset;
    uint256 internal offerId;

    function setUp() public override {
        super.setUp();
        asset = _register(alice);
        offerId = _offer(alice, asset, _derivativeTerms(1000), NATIVE, 1 ether, 0, 0);
    }

    // ─────────────────────────────── setStanding ───────────────────────────────

    function test_setStanding_revertsWhenCallerIsNotTheCourt() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotCourt.selector, admin));
        vm.prank(admin); // not even the admin
        hub.setStanding(asset, Standing.Upheld, 1);
    }

    function test_raise_setsTheStandingToDisputedAndEmits() public {
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.StandingSet(asset, Standing.Disputed, 1);
        uint256 disputeId = _raise(erin, asset);
        (Standing standing, uint256 id) = hub.standingOf(asset);
        assertEq(uint256(standing), uint256(Standing.Disputed), "disputed");
        assertEq(id, disputeId, "the dispute behind it");
    }

    function test_setCourt_revertsWhenAlreadySet() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.CourtAlreadySet.selector, address(court)));
        vm.prank(admin);
        hub.setCourt(stranger);
    }

    // ─────────────────────────────── while disputed ───────────────────────────────

    function test_buyLicense_revertsWhileDisputed() public {
        _raise(erin, asset);
        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, asset, Standing.Disputed));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, address(0));
    }

    function test_createOffer_revertsWhileDisputed() public {
        _raise(erin, asset);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, asset, Standing.Disputed));
        vm.prank(alice);
        hub.createOffer(asset, _derivativeTerms(0), NATIVE, 1, 0, 0);
    }

    function test_registerDerivative_revertsWhileAParentIsDisputed() public {
        uint256 licenseId = _buy(bob, offerId); // bought before the dispute
        _raise(erin, asset);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, asset, Standing.Disputed));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
    }

    function test_licenseStatus_isFalseForEveryoneWhileDisputed() public {
        _buy(bob, offerId);
        _raise(erin, asset);
        for (uint256 u; u < 3; ++u) {
            (bool licensed,,) = hub.licenseStatus(asset, bob, LicenseUse(u));
            assertFalse(licensed, "licensee");
            (licensed,,) = hub.licenseStatus(asset, alice, LicenseUse(u));
            assertFalse(licensed, "owner too");
        }
    }

    function test_payRevenue_holdsTheOwnersShareUnderTheDispute() public {
        uint256 disputeId = _raise(erin, asset);
        uint256 fee = _fee(1 ether);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenueHeld(asset, disputeId, NATIVE, 1 ether - fee, asset);
        _payNative(brand, asset, 1 ether);

        assertEq(hub.heldOf(asset, disputeId, NATIVE), 1 ether - fee, "held");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "owner not credited");
        assertEq(hub.balanceOf(treasury, NATIVE), fee, "the platform fee is not held");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_payRevenue_holdsADisputedAncestorsShareAndPaysTheRest() public {
        uint256 child = _derive(bob, asset, 1000);
        uint256 disputeId = _raise(erin, asset);
        uint256 bobBefore = hub.balanceOf(bob, NATIVE);
        uint256 net = 10_000 - _fee(10_000);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenueHeld(asset, disputeId, NATIVE, net / 10, child);
        _payNative(brand, child, 10_000);

        assertEq(hub.heldOf(asset, disputeId, NATIVE), net / 10, "ancestor's share held");
        assertEq(hub.heldOf(child, disputeId, NATIVE), 0, "child not disputed");
        assertEq(hub.balanceOf(bob, NATIVE) - bobBefore, net - net / 10, "child owner paid as usual");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_payRevenue_erc20IsHeldPerCurrency() public {
        uint256 disputeId = _raise(erin, asset);
        _payToken(brand, asset, 1000);
        _payNative(brand, asset, 2000);
        assertEq(hub.heldOf(asset, disputeId, address(usd)), 1000 - _fee(1000), "token held");
        assertEq(hub.heldOf(asset, disputeId, NATIVE), 2000 - _fee(2000), "native held");
        assertEq(_unaccounted(address(usd), _everyone()), 0, "token: balance == credits + held");
    }

    function test_releaseHeld_revertsWhileTheDisputeIsOpen() public {
        uint256 disputeId = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.HeldUntilResolved.selector, asset, disputeId));
        hub.releaseHeld(asset, disputeId, NATIVE);
    }

    function test_releaseHeld_revertsForAnUnknownDispute() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.HeldUntilResolved.selector, asset, 9));
        hub.releaseHeld(asset, 9, NATIVE);
    }

    // ─────────────────────────────── cleared ───────────────────────────────

    function test_releaseHeld_afterClearedPaysTheOwnerAtReleaseTime() public {
        uint256 disputeId = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        uint256 held = hub.heldOf(asset, disputeId, NATIVE);
        _resolve(disputeId, false);
        (Standing standing, uint256 id) = hub.standingOf(asset);
        assertEq(uint256(standing), uint256(Standing.Clear), "clear again");
        assertEq(id, 0, "no dispute behind a Clear standing");

        vm.prank(alice);
        registry.transferFrom(alice, dave, asset); // the owner "at that time" is dave

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.HeldReleased(asset, disputeId, NATIVE, dave, held);
        vm.prank(stranger); // anyone may release
        assertEq(hub.releaseHeld(asset, disputeId, NATIVE), held, "returned amount");

        assertEq(hub.balanceOf(dave, NATIVE), held, "current owner credited");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "former owner");
        assertEq(hub.heldOf(asset, disputeId, NATIVE), 0, "nothing held");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_resolve_clearedReopensTheAsset() public {
        uint256 disputeId = _raise(erin, asset);
        _resolve(disputeId, false);
        uint256 licenseId = _buy(bob, offerId);
        uint256 child = _registerDerivative(bob, toArray(licenseId));
        assertEq(registry.ownerOf(child), bob, "derivatives again");
        uint256 before = hub.balanceOf(alice, NATIVE);
        _payNative(brand, asset, 10_000);
        assertEq(hub.balanceOf(alice, NATIVE) - before, 10_000 - _fee(10_000), "revenue credited, not held");
        assertEq(hub.heldOf(asset, disputeId, NATIVE), 0, "nothing held");
    }

    function test_releaseHeld_revertsWhenNothingIsHeld() public {
        uint256 disputeId = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        _resolve(disputeId, false);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingHeld.selector, asset, disputeId, address(usd)));
        hub.releaseHeld(asset, disputeId, address(usd));

        hub.releaseHeld(asset, disputeId, NATIVE);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingHeld.selector, asset, disputeId, NATIVE));
        hub.releaseHeld(asset, disputeId, NATIVE);
    }

    // ─────────────────────────────── upheld ───────────────────────────────

    function test_releaseHeld_afterUpheldWaitsForTheAppealWindowThenPaysTheClaimant() public {
        uint256 disputeId = _raise(erin, asset);
        _payNative(brand, asset, 1 ether);
        _payToken(brand, asset, 500);
        _resolve(disputeId, true);
        _payNative(brand, asset, 10_000); // later revenue: held under the same dispute
        uint256 held = hub.heldOf(asset, disputeId, NATIVE);
        uint256 heldToken = hub.heldOf(asset, disputeId, address(usd));
        assertEq(held, 1 ether - _fee(1 ether) + 10_000 - _fee(10_000), "held before and after the ruling");

        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.HeldUntilResolved.selector, asset, disputeId));
        hub.releaseHeld(asset, disputeId, NATIVE);

        _finalise();
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.HeldReleased(asset, disputeId, NATIVE, erin, held);
        hub.releaseHeld(asset, disputeId, NATIVE);
        hub.releaseHeld(asset, disputeId, address(usd));
        assertEq(hub.balanceOf(erin, NATIVE), held, "held native to the claimant");
        assertEq(hub.balanceOf(erin, address(usd)), heldToken, "held token to the claimant");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "owner gets nothing");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits + held");
    }

    function test_resolve_upheldHoldsTheAssetsAncestorShareForTheClaimant() public {
        uint256 child = _derive(bob, asset, 1000);
        uint256 disputeId = _raise(erin, asset);
        _resolve(disputeId, true);
        _payNative(brand, child, 10_000);
        uint256 net = 10_000 - _fee(10_000);
        _finalise();
        hub.releaseHeld(asset, disputeId, NATIVE);
        assertEq(hub.balanceOf(erin, NATIVE), net / 10, "the upheld ancestor's share goes to the claimant");
    }

    function test_resolve_upheldKeepsTheAssetClosed() public {
        uint256 licenseId = _buy(bob, offerId);
        uint256 disputeId = _raise(erin, asset);
        _resolve(disputeId, true);
        _finalise();

        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, asset, Standing.Upheld));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, address(0));

        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, asset, Standing.Upheld));
        vm.prank(bob);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
    }

    function test_registerDerivative_revertsWhenAGrandparentIsUpheld() public {
        uint256 child = _derive(bob, asset, 1000);
        uint256 licenseId = _derivativeLicense(child, carol, 0);
        uint256 disputeId = _raise(erin, asset);
        _resolve(disputeId, true);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(carol, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, asset, Standing.Upheld));
        vm.prank(carol);
        hub.registerDerivative(toArray(licenseId), work, salt, _noProof());
    }

    function test_disputes_otherAssetsAreUnaffected() public {
        uint256 other = _register(bob);
        _raise(erin, asset);
        _payNative(brand, other, 10_000);
        assertEq(hub.balanceOf(bob, NATIVE), 10_000 - _fee(10_000), "credited");
        assertEq(hub.heldOf(other, 1, NATIVE), 0, "not held");
    }
}
