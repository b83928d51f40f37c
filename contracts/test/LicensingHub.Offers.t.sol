// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {LicenseTerms, Offer} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Licence terms and offers: registration, dedup, publication, pause.
contract LicensingHubOffersTest is Base {
    uint256 internal asset;

    function setUp() public override {
        super.setUp();
        asset = _register(alice);
    }

    // ─────────────────────────────── registerTerms ───────────────────────────────

    function test_registerTerms_assignsIdsFromOneAndEmits() public {
        LicenseTerms memory terms = _terms(true, false, false, 0);
        bytes32 termsHash = keccak256(abi.encode(terms));

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.TermsRegistered(1, termsHash, terms);
        vm.prank(stranger); // anyone may register terms
        assertEq(hub.registerTerms(terms), 1, "first id");

        assertEq(hub.termsIdOf(termsHash), 1, "termsIdOf");
        assertEq(hub.registerTerms(_terms(true, true, false, 500)), 2, "second id");
    }

    function test_registerTerms_returnsTheSameIdForIdenticalTermsWithoutReemitting() public {
        LicenseTerms memory terms = _terms(true, true, true, 1234);
        uint256 id = hub.registerTerms(terms);

        vm.recordLogs();
        assertEq(hub.registerTerms(terms), id, "same id");
        assertEq(vm.getRecordedLogs().length, 0, "no event for known terms");

        terms.documentUri = "ipfs://bafkreiother";
        assertEq(hub.registerTerms(terms), id + 1, "any field difference is new terms");
    }

    function test_termsFlags_returnsTheEnforcedFields() public {
        uint256 id = hub.registerTerms(_terms(true, false, true, 777));
        (bool commercialUse, bool derivativesAllowed, bool transferable, uint16 revShareBps) = hub.termsFlags(id);
        assertTrue(commercialUse, "commercialUse");
        assertFalse(derivativesAllowed, "derivativesAllowed");
        assertTrue(transferable, "transferable");
        assertEq(revShareBps, 777, "revShareBps");
    }

    function test_termsFlags_revertsForUnknownTerms() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownTerms.selector, 1));
        hub.termsFlags(1);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownTerms.selector, 0));
        hub.termsFlags(0);
    }

    function test_termsIdOf_returnsZeroForUnknownTerms() public view {
        assertEq(hub.termsIdOf(keccak256("nothing")), 0, "termsIdOf");
    }

    function test_registerTerms_acceptsRevShareOfExactly100Percent() public {
        uint256 id = hub.registerTerms(_terms(true, true, false, 10_000));
        (,,, uint16 revShareBps) = hub.termsFlags(id);
        assertEq(revShareBps, 10_000, "100 %");
    }

    function test_registerTerms_revertsWhenRevShareAbove100Percent() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.RevShareTooHigh.selector, uint16(10_001)));
        hub.registerTerms(_terms(true, true, false, 10_001));
    }

    // ─────────────────────────────── createOffer ───────────────────────────────

    function test_createOffer_storesTheOfferAndEmits() public {
        LicenseTerms memory terms = _terms(true, false, false, 0);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.OfferCreated(1, asset, 1, address(usd), 25e6, 30 days, 100, alice);
        vm.prank(alice);
        uint256 offerId = hub.createOffer(asset, terms, address(usd), 25e6, 30 days, 100);

        assertEq(offerId, 1, "offer ids start at 1");
        assertEq(hub.totalOffers(), 1, "totalOffers");
        Offer memory o = hub.offer(offerId);
        assertEq(o.assetId, asset, "assetId");
        assertEq(o.termsId, 1, "termsId");
        assertEq(o.currency, address(usd), "currency");
        assertEq(o.price, 25e6, "price");
        assertEq(o.duration, 30 days, "duration");
        assertEq(o.supplyCap, 100, "supplyCap");
        assertEq(o.sold, 0, "sold");
        assertFalse(o.paused, "paused");
        assertEq(hub.termsIdOf(keccak256(abi.encode(terms))), 1, "terms registered on first use");
    }

    function test_createOffer_reusesTheTermsIdOfIdenticalTerms() public {
        uint256 other = _register(bob);
        uint256 o1 = _offer(alice, asset, _derivativeTerms(500), NATIVE, 1 ether, 0, 0);
        uint256 o2 = _offer(bob, other, _derivativeTerms(500), address(usd), 5e6, 0, 0);
        assertEq(hub.offer(o1).termsId, hub.offer(o2).termsId, "shared terms id");
        assertEq(o2, o1 + 1, "offer ids increase");
    }

    function test_createOffer_allowsAnApprovedOperator() public {
        vm.prank(alice);
        registry.setApprovalForAll(bob, true);
        uint256 offerId = _offer(bob, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        assertEq(hub.offer(offerId).assetId, asset, "offer by operator");
    }

    function test_createOffer_revertsWhenCallerIsNotTheOwner() public {
        LicenseTerms memory terms = _terms(true, false, false, 0);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotAssetOwner.selector, asset, bob, alice));
        vm.prank(bob);
        hub.createOffer(asset, terms, NATIVE, 1 ether, 0, 0);
    }

    function test_createOffer_revertsWhenOnlyApprovedForTheSingleToken() public {
        LicenseTerms memory terms = _terms(true, false, false, 0);
        vm.prank(alice);
        registry.approve(bob, asset); // per-token approval is not operator approval
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotAssetOwner.selector, asset, bob, alice));
        vm.prank(bob);
        hub.createOffer(asset, terms, NATIVE, 1 ether, 0, 0);
    }

    function test_createOffer_revertsForUnknownAsset() public {
        LicenseTerms memory terms = _terms(true, false, false, 0);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownAsset.selector, 99));
        vm.prank(alice);
        hub.createOffer(99, terms, NATIVE, 1 ether, 0, 0);
    }

    function test_createOffer_acceptsTheLargestUint96Price() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, type(uint96).max, 0, 0);
        assertEq(hub.offer(offerId).price, type(uint96).max, "price");
    }

    function test_createOffer_revertsWhenPriceDoesNotFitUint96() public {
        LicenseTerms memory terms = _terms(true, false, false, 0);
        uint256 price = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.PriceTooHigh.selector, price));
        vm.prank(alice);
        hub.createOffer(asset, terms, NATIVE, price, 0, 0);
    }

    function test_createOffer_revertsWhenRevShareAbove100Percent() public {
        LicenseTerms memory terms = _terms(true, true, false, 10_001);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.RevShareTooHigh.selector, uint16(10_001)));
        vm.prank(alice);
        hub.createOffer(asset, terms, NATIVE, 1 ether, 0, 0);
    }

    function testFuzz_createOffer_storesAnyPriceDurationAndCap(uint256 price, uint32 duration, uint32 supplyCap)
        public
    {
        LicenseTerms memory terms = _terms(true, false, false, 0);
        vm.prank(alice);
        if (price > type(uint96).max) {
            vm.expectRevert(abi.encodeWithSelector(ILicensingHub.PriceTooHigh.selector, price));
            hub.createOffer(asset, terms, NATIVE, price, duration, supplyCap);
            return;
        }
        uint256 offerId = hub.createOffer(asset, terms, NATIVE, price, duration, supplyCap);
        Offer memory o = hub.offer(offerId);
        assertEq(o.price, price, "price");
        assertEq(o.duration, duration, "duration");
        assertEq(o.supplyCap, supplyCap, "supplyCap");
    }

    function test_offer_revertsForUnknownOffer() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownOffer.selector, 1));
        hub.offer(1);
    }

    // ─────────────────────────────── setOfferPaused ───────────────────────────────

    function test_setOfferPaused_pausesAndResumesSales() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.OfferPauseSet(offerId, asset, true);
        vm.prank(alice);
        hub.setOfferPaused(offerId, true);
        assertTrue(hub.offer(offerId).paused, "paused");

        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.OfferNotActive.selector, offerId));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, address(0));

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.OfferPauseSet(offerId, asset, false);
        vm.prank(alice);
        hub.setOfferPaused(offerId, false);
        vm.prank(brand);
        assertEq(hub.buyLicense{value: 1 ether}(offerId, brand, address(0)), 1, "sold after resume");
    }

    function test_setOfferPaused_revertsWhenCallerIsNotTheOwner() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotAssetOwner.selector, asset, bob, alice));
        vm.prank(bob);
        hub.setOfferPaused(offerId, true);
    }

    function test_setOfferPaused_followsTheCertificateOwner() public {
        uint256 offerId = _offer(alice, asset, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        vm.prank(alice);
        registry.transferFrom(alice, bob, asset);

        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotAssetOwner.selector, asset, alice, bob));
        vm.prank(alice);
        hub.setOfferPaused(offerId, true);

        vm.prank(bob);
        hub.setOfferPaused(offerId, true);
        assertTrue(hub.offer(offerId).paused, "paused by the new owner");
    }

    function test_setOfferPaused_revertsForUnknownOffer() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownOffer.selector, 7));
        vm.prank(alice);
        hub.setOfferPaused(7, true);
    }
}
