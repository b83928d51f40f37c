// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";

/// @notice The referral fee: taken from referred licence sales for platforms holding REFERRER_ROLE.
contract LicensingHubReferralTest is Base {
    address internal platform;
    uint256 internal asset;

    function setUp() public override {
        super.setUp();
        platform = makeAddr("platform");
        asset = _register(alice);
        vm.startPrank(admin);
        hub.grantRole(keccak256("REFERRER_ROLE"), platform);
        hub.setReferralFee(200); // 2 %
        vm.stopPrank();
    }

    function test_buyLicense_creditsTheReferrerItsFeeAndTheSplitAddsUp() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        vm.deal(brand, 1 ether);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.LicensePurchased(1, offerId, asset, brand, brand, NATIVE, 1 ether, 0, platform);
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, platform);

        uint256 referral = 1 ether * 200 / 10_000;
        assertEq(hub.balanceOf(platform, NATIVE), referral, "referrer");
        assertEq(hub.balanceOf(treasury, NATIVE), _fee(1 ether), "platform fee on the whole price");
        assertEq(hub.balanceOf(alice, NATIVE), 1 ether - referral - _fee(1 ether), "owner gets the rest");
        assertEq(_unaccounted(NATIVE, _withPlatform()), 0, "hub balance == credits");
    }

    function test_buyLicense_revertsWhenTheReferrerHasNoRole() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotAReferrer.selector, stranger));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, stranger);
    }

    function test_setReferralFee_acceptsTheCapAndRefusesAbove() public {
        uint16 max = uint16(hub.MAX_REFERRAL_FEE_BPS());
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.ReferralFeeSet(max);
        vm.prank(admin);
        hub.setReferralFee(max);
        assertEq(hub.referralFee(), max, "cap allowed");
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.ReferralFeeTooHigh.selector, max + 1, max));
        vm.prank(admin);
        hub.setReferralFee(max + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, platform, bytes32(0))
        );
        vm.prank(platform);
        hub.setReferralFee(1);
    }

    function testFuzz_buyLicense_referralSplitIsExactAndAddsUp(uint16 bps, uint96 price, uint16 revShare) public {
        bps = uint16(bound(bps, 0, hub.MAX_REFERRAL_FEE_BPS()));
        price = uint96(bound(price, 1, 1e30));
        revShare = uint16(bound(revShare, 0, 10_000));
        vm.prank(admin);
        hub.setReferralFee(bps);
        uint256 child = _derive(bob, asset, revShare);
        uint256 offerId = _offer(bob, child, _terms(true, false, false, 0), NATIVE, price, 0, 0);
        uint256 aliceBefore = hub.balanceOf(alice, NATIVE);
        uint256 bobBefore = hub.balanceOf(bob, NATIVE);
        uint256 feeBefore = hub.balanceOf(treasury, NATIVE);
        vm.deal(brand, price);
        vm.prank(brand);
        hub.buyLicense{value: price}(offerId, brand, platform);

        uint256 referral = uint256(price) * bps / 10_000;
        uint256 fee = _fee(price);
        uint256 net = price - referral - fee;
        uint256 toAlice = net * revShare / 10_000;
        assertEq(hub.balanceOf(platform, NATIVE), referral, "referrer: exact");
        assertEq(hub.balanceOf(treasury, NATIVE) - feeBefore, fee, "fee");
        assertEq(hub.balanceOf(alice, NATIVE) - aliceBefore, toAlice, "ancestor");
        assertEq(hub.balanceOf(bob, NATIVE) - bobBefore, net - toAlice, "owner: the rest");
        assertEq(_unaccounted(NATIVE, _withPlatform()), 0, "hub balance == credits");
    }

    function _withPlatform() internal view returns (address[] memory a) {
        address[] memory e = _everyone();
        a = new address[](e.length + 1);
        for (uint256 i; i < e.length; ++i) {
            a[i] = e[i];
        }
        a[e.length] = platform;
    }
}
