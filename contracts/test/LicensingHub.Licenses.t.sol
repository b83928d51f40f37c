// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Errors, IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {ILicenseToken} from "../src/interfaces/ILicenseToken.sol";
import {License, LicenseTerms, LicenseUse, RevenueSource} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";
import {FeeOnTransferToken} from "./utils/mocks/FeeOnTransferToken.sol";

/// @notice Buying licences (native and ERC-20), the licence token, and licenseStatus.
contract LicensingHubLicensesTest is Base {
    uint256 internal asset;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        asset = _register(alice);
    }

    // ─────────────────────────────── buyLicense: native ───────────────────────────────

    function test_buyLicense_native_mintsTheLicenceToTheHolderAndEmits() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 30 days, 0);
        uint64 expiresAt = uint64(block.timestamp + 30 days);
        vm.deal(brand, 1 ether);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.LicensePurchased(1, offerId, asset, brand, erin, NATIVE, 1 ether, expiresAt, address(0));
        vm.prank(brand);
        uint256 licenseId = hub.buyLicense{value: 1 ether}(offerId, erin, address(0));

        assertEq(licenseId, 1, "licence ids start at 1");
        assertEq(licenseToken.ownerOf(licenseId), erin, "holder owns the token");
        assertEq(hub.offer(offerId).sold, 1, "sold");
        License memory l = licenseToken.licenseOf(licenseId);
        assertEq(l.assetId, asset, "assetId");
        assertEq(l.offerId, offerId, "offerId");
        assertEq(l.expiresAt, expiresAt, "expiresAt");
        assertTrue(l.commercialUse, "commercialUse");
        assertFalse(l.derivativesAllowed, "derivativesAllowed");
        assertFalse(l.transferable, "transferable");
        assertFalse(l.usedForDerivative, "unused");
        assertEq(licenseToken.licensesOf(erin, asset), toArray(licenseId), "licensesOf holder");
        assertEq(licenseToken.licensesOf(brand, asset).length, 0, "buyer holds nothing");
    }

    function test_buyLicense_native_creditsTheFeeAndTheOwner() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        uint256 fee = _fee(1 ether);
        vm.deal(brand, 1 ether);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenuePaid(asset, brand, NATIVE, 1 ether, fee, RevenueSource.LicenseSale);
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, address(0));

        assertEq(hub.balanceOf(treasury, NATIVE), fee, "fee");
        assertEq(hub.balanceOf(alice, NATIVE), 1 ether - fee, "owner");
        assertEq(address(hub).balance, 1 ether, "hub holds the price");
        assertEq(brand.balance, 0, "buyer paid");
    }

    function test_buyLicense_native_revertsWhenValueIsShort() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.WrongPayment.selector, 1 ether, 1 ether - 1));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether - 1}(offerId, brand, address(0));
    }

    function test_buyLicense_native_revertsWhenValueIsOver() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        vm.deal(brand, 2 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.WrongPayment.selector, 1 ether, 1 ether + 1));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether + 1}(offerId, brand, address(0));
    }

    function testFuzz_buyLicense_native_takesExactlyThePrice(uint96 price, uint256 sent) public {
        price = uint96(bound(price, 1, type(uint96).max));
        sent = bound(sent, 0, uint256(type(uint96).max) * 2);
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, price, 0, 0);
        vm.deal(brand, sent);

        if (sent != price) {
            vm.expectRevert(abi.encodeWithSelector(ILicensingHub.WrongPayment.selector, uint256(price), sent));
            vm.prank(brand);
            hub.buyLicense{value: sent}(offerId, brand, address(0));
            return;
        }
        vm.prank(brand);
        hub.buyLicense{value: sent}(offerId, brand, address(0));
        uint256 fee = uint256(price) * FEE_BPS / 10_000;
        assertEq(hub.balanceOf(treasury, NATIVE), fee, "fee");
        assertEq(hub.balanceOf(alice, NATIVE), price - fee, "owner");
        assertEq(address(hub).balance, price, "hub balance");
    }

    // ─────────────────────────────── buyLicense: ERC-20 ───────────────────────────────

    function test_buyLicense_erc20_pullsThePriceAndCredits() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), address(usd), 25e6, 0, 0);
        usd.mint(brand, 30e6);
        vm.prank(brand);
        usd.approve(address(hub), 25e6);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.LicensePurchased(1, offerId, asset, brand, brand, address(usd), 25e6, 0, address(0));
        vm.prank(brand);
        hub.buyLicense(offerId, brand, address(0));

        assertEq(usd.balanceOf(brand), 5e6, "buyer paid the price");
        assertEq(usd.balanceOf(address(hub)), 25e6, "hub holds it");
        assertEq(hub.balanceOf(treasury, address(usd)), _fee(25e6), "fee");
        assertEq(hub.balanceOf(alice, address(usd)), 25e6 - _fee(25e6), "owner");
    }

    function test_buyLicense_erc20_revertsWhenNativeValueIsSent() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), address(usd), 25e6, 0, 0);
        usd.mint(brand, 25e6);
        vm.prank(brand);
        usd.approve(address(hub), 25e6);
        vm.deal(brand, 1);

        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.WrongPayment.selector, 0, 1));
        vm.prank(brand);
        hub.buyLicense{value: 1}(offerId, brand, address(0));
    }

    function test_buyLicense_erc20_revertsWithoutAllowance() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), address(usd), 25e6, 0, 0);
        usd.mint(brand, 25e6);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 0, 25e6));
        vm.prank(brand);
        hub.buyLicense(offerId, brand, address(0));
    }

    function test_buyLicense_erc20_revertsForFeeOnTransferTokens() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), address(fot), 1000, 0, 0);
        fot.mint(brand, 1000);
        vm.prank(brand);
        fot.approve(address(hub), 1000);

        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.TransferAmountMismatch.selector, address(fot), 1000, 990));
        vm.prank(brand);
        hub.buyLicense(offerId, brand, address(0));
    }

    // ─────────────────────────────── buyLicense: offer state ───────────────────────────────

    function test_buyLicense_revertsForUnknownOffer() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownOffer.selector, 42));
        vm.prank(brand);
        hub.buyLicense(42, brand, address(0));
    }

    function test_buyLicense_revertsWhenSoldOut() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 2);
        _buy(brand, offerId);
        _buy(erin, offerId);
        assertEq(hub.offer(offerId).sold, 2, "sold");

        vm.deal(carol, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.OfferSoldOut.selector, offerId, uint32(2)));
        vm.prank(carol);
        hub.buyLicense{value: 1 ether}(offerId, carol, address(0));
    }

    function test_buyLicense_isUnlimitedWhenSupplyCapIsZero() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 0, 0);
        for (uint256 i; i < 10; ++i) {
            _buy(brand, offerId);
        }
        assertEq(hub.offer(offerId).sold, 10, "sold");
        assertEq(licenseToken.licensesOf(brand, asset).length, 10, "held");
    }

    function test_buyLicense_revertsForZeroHolder() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        vm.deal(brand, 1 ether);
        vm.prank(brand);
        (bool ok, bytes memory ret) =
            address(hub).call{value: 1 ether}(abi.encodeCall(ILicensingHub.buyLicense, (offerId, address(0), address(0))));
        // The spec's ZeroAddress, or the licence token's own ERC-721 check.
        bytes[] memory allowed = new bytes[](2);
        allowed[0] = abi.encodeWithSelector(ILicensingHub.ZeroAddress.selector);
        allowed[1] = abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0));
        assertRevertedWithOneOf(ok, ret, allowed, "zero holder");
    }

    function test_buyLicense_perpetualOfferHasNoExpiry() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        uint256 licenseId = _buy(brand, offerId);
        assertEq(licenseToken.licenseOf(licenseId).expiresAt, 0, "perpetual");
        vm.warp(block.timestamp + 100 * 365 days);
        (bool licensed, uint256 id, uint64 expiresAt) = hub.licenseStatus(asset, brand, LicenseUse.Commercial);
        assertTrue(licensed, "still licensed a century later");
        assertEq(id, licenseId, "licenseId");
        assertEq(expiresAt, 0, "expiresAt");
    }

    function testFuzz_buyLicense_expiresDurationAfterPurchase(uint32 duration, uint256 start, uint256 elapsed) public {
        duration = uint32(bound(duration, 1, type(uint32).max));
        start = bound(start, 1, type(uint40).max - uint256(type(uint32).max) - 1);
        vm.warp(start);
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, duration, 0);
        uint256 licenseId = _buy(brand, offerId);
        uint256 expiry = start + duration;
        assertEq(licenseToken.licenseOf(licenseId).expiresAt, expiry, "expiresAt");

        elapsed = bound(elapsed, 0, uint256(duration) * 2);
        vm.warp(start + elapsed);
        (bool licensed, uint256 id,) = hub.licenseStatus(asset, brand, LicenseUse.Display);
        assertEq(licensed, start + elapsed < expiry, "valid strictly before expiresAt");
        assertEq(id, licensed ? licenseId : 0, "licenseId");
    }

    // ─────────────────────────────── licenseStatus ───────────────────────────────

    function test_licenseStatus_ownerIsAlwaysLicensedWithIdZero() public view {
        for (uint8 use; use <= uint8(type(LicenseUse).max); ++use) {
            (bool licensed, uint256 licenseId, uint64 expiresAt) = hub.licenseStatus(asset, alice, LicenseUse(use));
            assertTrue(licensed, "owner licensed");
            assertEq(licenseId, 0, "licenseId 0");
            assertEq(expiresAt, 0, "no expiry");
        }
    }

    function test_licenseStatus_unknownAssetIsNotLicensedForAnyone() public view {
        for (uint256 unknown; unknown < 3; ++unknown) {
            uint256 id = unknown == 0 ? 0 : asset + unknown;
            (bool licensed, uint256 licenseId,) = hub.licenseStatus(id, alice, LicenseUse.Display);
            assertFalse(licensed, "unknown asset");
            assertEq(licenseId, 0, "no licence");
        }
    }

    function test_licenseStatus_followsTheCertificateOwner() public {
        vm.prank(alice);
        registry.transferFrom(alice, bob, asset);
        (bool licensed,,) = hub.licenseStatus(asset, bob, LicenseUse.Derivative);
        assertTrue(licensed, "new owner");
        (licensed,,) = hub.licenseStatus(asset, alice, LicenseUse.Display);
        assertFalse(licensed, "former owner");
    }

    function test_licenseStatus_strangerIsNotLicensed() public view {
        for (uint8 use; use <= uint8(type(LicenseUse).max); ++use) {
            (bool licensed, uint256 licenseId, uint64 expiresAt) = hub.licenseStatus(asset, stranger, LicenseUse(use));
            assertFalse(licensed, "stranger");
            assertEq(licenseId, 0, "licenseId");
            assertEq(expiresAt, 0, "expiresAt");
        }
    }

    function test_licenseStatus_displayOnlyLicenceGrantsDisplayOnly() public {
        uint256 licenseId = _buy(brand, _offer(alice, asset, _terms(false, false, false, 0), NATIVE, 1, 0, 0));
        _assertStatus(brand, LicenseUse.Display, true, licenseId);
        _assertStatus(brand, LicenseUse.Commercial, false, 0);
        _assertStatus(brand, LicenseUse.Derivative, false, 0);
    }

    function test_licenseStatus_commercialLicenceGrantsDisplayAndCommercial() public {
        uint256 licenseId = _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 0, 0));
        _assertStatus(brand, LicenseUse.Display, true, licenseId);
        _assertStatus(brand, LicenseUse.Commercial, true, licenseId);
        _assertStatus(brand, LicenseUse.Derivative, false, 0);
    }

    function test_licenseStatus_derivativeLicenceGrantsDerivative() public {
        uint256 licenseId = _buy(brand, _offer(alice, asset, _terms(false, true, false, 100), NATIVE, 1, 0, 0));
        _assertStatus(brand, LicenseUse.Display, true, licenseId);
        _assertStatus(brand, LicenseUse.Commercial, false, 0);
        _assertStatus(brand, LicenseUse.Derivative, true, licenseId);
    }

    function test_licenseStatus_licenceStopsAtItsExpiry() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 7 days, 0);
        uint256 licenseId = _buy(brand, offerId);
        uint64 expiry = uint64(block.timestamp + 7 days);

        vm.warp(expiry - 1);
        (bool licensed, uint256 id, uint64 expiresAt) = hub.licenseStatus(asset, brand, LicenseUse.Commercial);
        assertTrue(licensed, "valid the second before");
        assertEq(id, licenseId, "licenseId");
        assertEq(expiresAt, expiry, "expiresAt");

        vm.warp(expiry);
        (licensed, id, expiresAt) = hub.licenseStatus(asset, brand, LicenseUse.Commercial);
        assertFalse(licensed, "expired at expiresAt");
        assertEq(id, 0, "no licence");
    }

    function test_licenseStatus_returnsTheLongestLastingLicence() public {
        uint256 short = _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 10 days, 0));
        uint256 long = _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 30 days, 0));
        uint256 mid = _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 20 days, 0));
        assertEq(licenseToken.licensesOf(brand, asset).length, 3, "three licences held");
        assertTrue(short != mid, "distinct");

        (bool licensed, uint256 id, uint64 expiresAt) = hub.licenseStatus(asset, brand, LicenseUse.Commercial);
        assertTrue(licensed, "licensed");
        assertEq(id, long, "the 30-day licence");
        assertEq(expiresAt, block.timestamp + 30 days, "its expiry");

        uint256 perpetual = _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 0, 0));
        (, id, expiresAt) = hub.licenseStatus(asset, brand, LicenseUse.Commercial);
        assertEq(id, perpetual, "perpetual beats any expiry");
        assertEq(expiresAt, 0, "perpetual");
    }

    function test_licenseStatus_ignoresLicencesThatDoNotGrantTheUse() public {
        // A perpetual display-only licence and a shorter commercial one: Commercial must pick the latter.
        _buy(brand, _offer(alice, asset, _terms(false, false, false, 0), NATIVE, 1, 0, 0));
        uint256 commercial = _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 5 days, 0));
        (bool licensed, uint256 id,) = hub.licenseStatus(asset, brand, LicenseUse.Commercial);
        assertTrue(licensed, "licensed");
        assertEq(id, commercial, "the commercial licence");
    }

    function test_licenseStatus_isPerAsset() public {
        uint256 other = _register(bob);
        _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 0, 0));
        (bool licensed,,) = hub.licenseStatus(other, brand, LicenseUse.Display);
        assertFalse(licensed, "a licence on one asset says nothing of another");
    }

    // ─────────────────────────────── licence token ───────────────────────────────

    function test_licenseToken_nonTransferableLicenceCannotMove() public {
        uint256 licenseId = _buy(brand, _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1, 0, 0));

        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, licenseId));
        vm.prank(brand);
        licenseToken.transferFrom(brand, erin, licenseId);

        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, licenseId));
        vm.prank(brand);
        licenseToken.safeTransferFrom(brand, erin, licenseId);

        vm.prank(brand);
        licenseToken.setApprovalForAll(erin, true);
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, licenseId));
        vm.prank(erin);
        licenseToken.transferFrom(brand, erin, licenseId);

        assertEq(licenseToken.ownerOf(licenseId), brand, "still with the holder");
    }

    function test_licenseToken_transferableLicenceMovesWithItsRights() public {
        uint256 licenseId = _buy(brand, _offer(alice, asset, _terms(true, false, true, 0), NATIVE, 1, 0, 0));
        vm.prank(brand);
        licenseToken.transferFrom(brand, erin, licenseId);

        assertEq(licenseToken.ownerOf(licenseId), erin, "moved");
        assertEq(licenseToken.licensesOf(erin, asset), toArray(licenseId), "receiver's set");
        assertEq(licenseToken.licensesOf(brand, asset).length, 0, "sender's set emptied");
        _assertStatus(erin, LicenseUse.Commercial, true, licenseId);
        _assertStatus(brand, LicenseUse.Commercial, false, 0);
    }

    function test_licenseToken_mintRevertsWhenCallerIsNotHub() public {
        License memory l;
        l.assetId = uint64(asset);
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.NotHub.selector, alice));
        vm.prank(alice);
        licenseToken.mint(alice, l);
    }

    function test_licenseToken_markUsedRevertsWhenCallerIsNotHub() public {
        uint256 licenseId = _buy(brand, _offer(alice, asset, _terms(true, true, false, 0), NATIVE, 1, 0, 0));
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.NotHub.selector, brand));
        vm.prank(brand);
        licenseToken.markUsed(licenseId, 2);
    }

    function test_licenseToken_licenseOfRevertsForUnknownIds() public {
        vm.expectRevert();
        licenseToken.licenseOf(1);
    }

    function test_licenseToken_supportsERC721() public view {
        assertTrue(licenseToken.supportsInterface(type(IERC721).interfaceId), "ERC-721");
        assertTrue(licenseToken.supportsInterface(type(IERC165).interfaceId), "ERC-165");
        assertFalse(licenseToken.supportsInterface(0xffffffff), "0xffffffff");
    }

    function test_licenseToken_hubIsTheHub() public view {
        assertEq(licenseToken.hub(), address(hub), "hub");
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    function _assertStatus(address account, LicenseUse use, bool expectLicensed, uint256 expectId) internal view {
        (bool licensed, uint256 licenseId,) = hub.licenseStatus(asset, account, use);
        assertEq(licensed, expectLicensed, "licensed");
        assertEq(licenseId, expectId, "licenseId");
    }
}
