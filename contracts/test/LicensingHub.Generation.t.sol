// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {ILicenseToken} from "../src/interfaces/ILicenseToken.sol";
import {License, LicenseTerms, LicenseUse, Standing, Tier, WorkKind} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice The Generation tier (issue #21 part 2): a licence on a resource (model, LoRA, workflow, prompt) that
/// registers every work generated with it as a derivative, any number of times, while it is held, unexpired and
/// its resource Clear. Extended licences stay single-use.
contract LicensingHubGenerationTest is Base {
    bytes32 internal constant DERIVATIVE_REGISTERED = keccak256(
        "DerivativeRegistered(uint256,address,uint256[],uint256[],uint16[],uint256[],uint16[],uint16,uint8,uint64)"
    );
    bytes32 internal constant LICENSE_USED = keccak256("LicenseUsed(uint256,uint256)");
    uint256 internal constant PRICE = 0.5 ether;

    /// @dev alice's LoRA: the resource generation licences are sold on.
    uint256 internal resource;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        resource = _register(alice, _modelWork());
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    function _modelWork() internal returns (IGenIPRegistry.Work memory w) {
        w = _nextWork();
        w.kind = uint8(WorkKind.Model);
    }

    function _generationTerms(bool transferable, uint16 revShareBps) internal pure returns (LicenseTerms memory t) {
        t = _terms(true, true, transferable, revShareBps);
        t.tier = Tier.Generation;
    }

    /// @dev `holder` buys a generation licence on `assetId` (its owner publishes the offer) for PRICE.
    function _generationLicense(address holder, uint256 assetId, uint16 revShareBps, uint32 duration, bool transferable)
        internal
        returns (uint256)
    {
        address owner = registry.ownerOf(assetId);
        LicenseTerms memory t = _generationTerms(transferable, revShareBps);
        return _buy(holder, _offer(owner, assetId, t, NATIVE, PRICE, duration, 0));
    }

    /// @dev `creator` tries to register a fresh work under `licenseIds`; it must revert with `err` and change
    /// nothing (no new asset).
    function _refusedDerivative(address creator, uint256[] memory licenseIds, bytes memory err) internal {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(creator, work.contentHash);
        uint256 before = registry.totalAssets();
        vm.expectRevert(err);
        vm.prank(creator);
        hub.registerDerivative(licenseIds, work, salt, _noProof());
        assertEq(registry.totalAssets(), before, "no asset registered");
    }

    /// @dev The `licenseIds` and `parentIds` of the one DerivativeRegistered in `logs`.
    function _registered(Vm.Log[] memory logs) internal view returns (uint256[] memory parents, uint256[] memory ids) {
        uint256 found;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub) || logs[i].topics[0] != DERIVATIVE_REGISTERED) continue;
            ++found;
            (parents, ids) = abi.decode(logs[i].data, (uint256[], uint256[]));
        }
        assertEq(found, 1, "one DerivativeRegistered");
    }

    function _cut(uint256 amount, uint16 bps) internal pure returns (uint256) {
        return amount * bps / 10_000;
    }

    // ─────────────────────────────── terms ───────────────────────────────

    /// The tier is part of the terms' identity and their TermsRegistered event; the enforced flags carry it to
    /// the licences sold (the hub has no separate view for it: its code is near the size limit).
    function test_registerTerms_generationTermsAreTheirOwnTerms() public {
        LicenseTerms memory t = _generationTerms(false, 1500);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.TermsRegistered(1, keccak256(abi.encode(t)), t);
        uint256 gen = hub.registerTerms(t);
        uint256 ext = hub.registerTerms(_derivativeTerms(1500));
        assertTrue(gen != ext, "a different terms id than the same Extended terms");
        (bool commercial, bool derivatives, bool transferable, uint16 share) = hub.termsFlags(gen);
        assertTrue(commercial && derivatives && !transferable, "flags");
        assertEq(share, 1500, "share");
    }

    function test_registerTerms_generationWithoutDerivativesReverts() public {
        LicenseTerms memory t = _generationTerms(false, 1000);
        t.derivativesAllowed = false;
        bytes memory err = abi.encodeWithSelector(ILicensingHub.GenerationNeedsDerivatives.selector);
        vm.expectRevert(err);
        hub.registerTerms(t);
        assertEq(hub.termsIdOf(keccak256(abi.encode(t))), 0, "not registered");

        uint256 offers = hub.totalOffers();
        vm.expectRevert(err);
        vm.prank(alice);
        hub.createOffer(resource, t, NATIVE, PRICE, 0, 0);
        assertEq(hub.totalOffers(), offers, "no offer");
    }

    function test_registerTerms_standardAndExtendedKeepTheirRules() public {
        // Neither tier is enforced beyond its flags, as before Generation existed: a Standard tier with
        // derivatives, or an Extended one without, still sells (the off-chain templates keep them apart), and
        // neither sells a generation licence.
        LicenseTerms memory t = _terms(true, true, false, 0);
        t.tier = Tier.Standard;
        uint256 l1 = _buy(bob, _offer(alice, resource, t, NATIVE, 1, 0, 0));
        t.tier = Tier.Extended;
        t.derivativesAllowed = false;
        uint256 l2 = _buy(bob, _offer(alice, resource, t, NATIVE, 1, 0, 0));
        assertFalse(licenseToken.licenseOf(l1).generation, "standard + derivatives");
        assertFalse(licenseToken.licenseOf(l2).generation, "extended without derivatives");
        _registerDerivative(bob, toArray(l1));
        assertTrue(licenseToken.licenseOf(l1).usedForDerivative, "single-use");
    }

    function test_buyLicense_underGenerationTermsMintsAReusableLicence() public {
        uint256 l = _generationLicense(bob, resource, 1500, 0, false);
        License memory lic = licenseToken.licenseOf(l);
        assertTrue(lic.generation, "generation");
        assertTrue(lic.derivativesAllowed, "derivatives");
        assertFalse(lic.usedForDerivative, "unused");
        assertEq(lic.revShareBps, 1500, "share");
        assertFalse(licenseToken.licenseOf(_derivativeLicense(resource, bob, 0)).generation, "extended: not");
    }

    // ─────────────────────────────── many derivatives under one licence ───────────────────────────────

    function test_generationLicence_registersThreeDerivatives() public {
        uint256 l = _generationLicense(bob, resource, 1500, 0, false);
        uint256[] memory works = new uint256[](3);
        for (uint256 i; i < 3; ++i) {
            vm.recordLogs();
            works[i] = _registerDerivative(bob, toArray(l));
            Vm.Log[] memory logs = vm.getRecordedLogs();
            (uint256[] memory parents, uint256[] memory ids) = _registered(logs);
            assertEq(parents, toArray(resource), "parent: the resource");
            assertEq(ids, toArray(l), "DerivativeRegistered lists the licence");
            assertEq(_countLogs(logs, address(licenseToken), LICENSE_USED), 0, "no LicenseUsed");

            assertEq(registry.ownerOf(works[i]), bob, "bob's work");
            (uint256[] memory anc, uint16[] memory shares) = hub.ancestry(works[i]);
            assertEq(anc, toArray(resource), "ancestry");
            assertEq(shares[0], 1500, "share");
            assertEq(hub.royaltyStack(works[i]), 1500, "stack");
            assertEq(hub.expiryOf(works[i]), 0, "perpetual");
        }
        assertTrue(works[0] != works[1] && works[1] != works[2], "three works");
        assertFalse(licenseToken.licenseOf(l).usedForDerivative, "never used up");
        assertEq(licenseToken.bestLicense(bob, resource, LicenseUse.Derivative), l, "still the best");
        (bool licensed, uint256 id, uint64 exp) = hub.licenseStatus(resource, bob, LicenseUse.Derivative);
        assertTrue(licensed, "still licensed for derivatives");
        assertEq(id, l, "under it");
        assertEq(exp, 0, "perpetual");
    }

    /// Each derivative's revenue pays the resource owner its share exactly (fee first, then the share of the
    /// rest, rounded down), the derivative's owner the remainder, and the stack carries it one level further.
    function test_generationLicence_revenueOfEachDerivativeReachesTheResourceOwner() public {
        uint16 r = 1500;
        uint256[4] memory targets;
        {
            uint256 l = _generationLicense(bob, resource, r, 0, false);
            for (uint256 i; i < 3; ++i) {
                targets[i] = _registerDerivative(bob, toArray(l));
            }
        }
        // carol builds on the second work under an Extended licence from bob (5 %): the resource is owed 15 % of
        // it too.
        targets[3] = _registerDerivative(carol, toArray(_derivativeLicense(targets[1], carol, 500)));
        assertEq(hub.royaltyStack(targets[3]), 2000, "stacked");

        address[4] memory who = [alice, bob, carol, treasury];
        uint256[4] memory before;
        for (uint256 j; j < 4; ++j) {
            before[j] = hub.balanceOf(who[j], NATIVE);
        }
        uint256[4] memory amounts = [uint256(1 ether + 3), 7777, 123_456_789_012_345, 2 ether + 1];
        uint256[4] memory owed; // alice, bob, carol, treasury
        for (uint256 i; i < 4; ++i) {
            _payNative(brand, targets[i], amounts[i]);
            uint256 net = amounts[i] - _fee(amounts[i]);
            owed[3] += _fee(amounts[i]);
            owed[0] += _cut(net, r);
            if (i < 3) {
                owed[1] += net - _cut(net, r);
            } else {
                owed[1] += _cut(net, 500);
                owed[2] += net - _cut(net, r) - _cut(net, 500);
            }
        }
        assertEq(hub.balanceOf(alice, NATIVE) - before[0], owed[0], "resource owner, to the wei");
        assertEq(hub.balanceOf(bob, NATIVE) - before[1], owed[1], "bob");
        assertEq(hub.balanceOf(carol, NATIVE) - before[2], owed[2], "carol");
        assertEq(hub.balanceOf(treasury, NATIVE) - before[3], owed[3], "fees");
        assertEq(_unaccounted(NATIVE, _everyone()), int256(0), "hub solvent");
    }

    // ─────────────────────────────── what ends it ───────────────────────────────

    function test_generationLicence_expiryStopsNewDerivatives() public {
        uint256 l = _generationLicense(bob, resource, 1000, 10 days, false);
        uint64 exp = uint64(block.timestamp + 10 days);
        uint256 d1 = _registerDerivative(bob, toArray(l));
        assertEq(hub.expiryOf(d1), exp, "a derivative lasts as long as the licence");
        vm.warp(exp - 1);
        uint256 d2 = _registerDerivative(bob, toArray(l));

        vm.warp(exp);
        _refusedDerivative(bob, toArray(l), abi.encodeWithSelector(ILicensingHub.LicenseExpired.selector, l, exp));
        (bool licensed,,) = hub.licenseStatus(resource, bob, LicenseUse.Derivative);
        assertFalse(licensed, "expired");
        assertEq(registry.ownerOf(d1), bob, "earlier works stay registered");
        assertEq(registry.ownerOf(d2), bob, "earlier works stay registered");
    }

    function test_generationLicence_renouncedStopsNewDerivativesButKeepsEarlierOnesPaying() public {
        uint256 l = _generationLicense(bob, resource, 1000, 0, false);
        uint256 d1 = _registerDerivative(bob, toArray(l));
        vm.prank(bob);
        licenseToken.renounce(l);
        assertEq(licenseToken.bestLicense(bob, resource, LicenseUse.Derivative), 0, "no best licence");
        _refusedDerivative(
            bob, toArray(l), abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, l)
        );
        uint256 a0 = hub.balanceOf(alice, NATIVE);
        _payNative(brand, d1, 10_000);
        assertEq(hub.balanceOf(alice, NATIVE) - a0, _cut(10_000 - _fee(10_000), 1000), "lineage kept");
    }

    function test_generationLicence_nonTransferableStaysWithItsHolder() public {
        uint256 l = _generationLicense(bob, resource, 1000, 0, false);
        _registerDerivative(bob, toArray(l));
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, l));
        vm.prank(bob);
        licenseToken.transferFrom(bob, carol, l);
        _refusedDerivative(
            carol, toArray(l), abi.encodeWithSelector(ILicensingHub.NotLicenseHolder.selector, l, carol, bob)
        );
        _registerDerivative(bob, toArray(l)); // bob's right is untouched
    }

    function test_generationLicence_transferableMovesTheRightToGenerate() public {
        uint256 l = _generationLicense(bob, resource, 1000, 0, true);
        _registerDerivative(bob, toArray(l));
        vm.prank(bob);
        licenseToken.transferFrom(bob, carol, l);

        _refusedDerivative(
            bob, toArray(l), abi.encodeWithSelector(ILicensingHub.NotLicenseHolder.selector, l, bob, carol)
        );
        assertEq(licenseToken.bestLicense(bob, resource, LicenseUse.Derivative), 0, "bob: none");
        assertEq(licenseToken.bestLicense(carol, resource, LicenseUse.Derivative), l, "carol: it, though used");
        uint256 d = _registerDerivative(carol, toArray(l));
        assertEq(registry.ownerOf(d), carol, "carol generates with it");
        _registerDerivative(carol, toArray(l));
        assertEq(licenseToken.bestLicense(carol, resource, LicenseUse.Derivative), l, "still carol's best");
    }

    function test_generationLicence_refusedWhileTheResourceIsDisputedAndAgainOnceCleared() public {
        uint256 l = _generationLicense(bob, resource, 1000, 0, false);
        _registerDerivative(bob, toArray(l));
        uint256 dispute = _raise(carol, resource);
        _refusedDerivative(
            bob, toArray(l), abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, resource, Standing.Disputed)
        );
        (bool licensed,,) = hub.licenseStatus(resource, bob, LicenseUse.Derivative);
        assertFalse(licensed, "not while disputed");
        _resolve(dispute, false);
        _registerDerivative(bob, toArray(l));
    }

    function test_generationLicence_refusedOnceTheResourceIsUpheld() public {
        uint256 l = _generationLicense(bob, resource, 1000, 0, false);
        _registerDerivative(bob, toArray(l));
        _resolve(_raise(carol, resource), true);
        _refusedDerivative(
            bob, toArray(l), abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, resource, Standing.Upheld)
        );
    }

    /// A LoRA fine-tuned from erin's base model: an upheld claim on the base stops new works under a generation
    /// licence on the LoRA, first through the ancestor check, then through the LoRA's own taint.
    function test_generationLicence_refusedWhenTheResourcesAncestorIsUpheldOrItIsTainted() public {
        uint256 base = _register(erin, _modelWork());
        uint256 lora = _derive(alice, base, 1000);
        uint256 l = _generationLicense(bob, lora, 1000, 0, false);
        _registerDerivative(bob, toArray(l));

        uint256 dispute = _raise(carol, base);
        _resolve(dispute, true);
        _refusedDerivative(
            bob, toArray(l), abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, base, Standing.Upheld)
        );
        court.propagateTaint(lora, base);
        _refusedDerivative(
            bob, toArray(l), abi.encodeWithSelector(ILicensingHub.AssetNotClear.selector, lora, Standing.Tainted)
        );
    }

    function test_generationLicence_onceInOneRegistration() public {
        uint256 l = _generationLicense(bob, resource, 1000, 0, false);
        bytes memory err = abi.encodeWithSelector(ILicensingHub.DuplicateParent.selector, resource);
        _refusedDerivative(bob, toArray(l, l), err);
    }

    // ─────────────────────────────── mixed with single-use licences ───────────────────────────────

    /// One registration under a generation licence and an Extended one: only the Extended one is used up (and
    /// emits LicenseUsed), whichever order they come in.
    function test_generationLicence_besideAnExtendedLicenceOnlyTheExtendedIsUsedUp() public {
        uint256 other = _register(erin);
        uint256 l = _generationLicense(bob, resource, 1000, 0, false);
        uint256[2] memory orders = [uint256(0), 1];
        for (uint256 k; k < orders.length; ++k) {
            uint256 e = _derivativeLicense(other, bob, 500);
            uint256[] memory ids = k == 0 ? toArray(l, e) : toArray(e, l);
            IGenIPRegistry.Work memory work = _nextWork();
            bytes32 salt = _commit(bob, work.contentHash);
            vm.expectEmit(true, true, true, true, address(licenseToken));
            emit ILicenseToken.LicenseUsed(e, registry.totalAssets() + 1);
            vm.recordLogs();
            vm.prank(bob);
            uint256 d = hub.registerDerivative(ids, work, salt, _noProof());
            Vm.Log[] memory logs = vm.getRecordedLogs();
            assertEq(_countLogs(logs, address(licenseToken), LICENSE_USED), 1, "one LicenseUsed: the Extended one");
            (, uint256[] memory listed) = _registered(logs);
            assertEq(listed, ids, "both listed");
            assertEq(hub.royaltyStack(d), 1500, "both shares");
            assertTrue(licenseToken.licenseOf(e).usedForDerivative, "extended used up");
            assertFalse(licenseToken.licenseOf(l).usedForDerivative, "generation not");
            _refusedDerivative(
                bob, toArray(e), abi.encodeWithSelector(ILicensingHub.LicenseAlreadyUsed.selector, e)
            );
        }
        _registerDerivative(bob, toArray(l));
    }

    /// The best derivative licence: a perpetual Extended one outranks a 30-day generation one until it is used
    /// up; then the generation licence is the best, and stays so however often it is used.
    function test_bestLicense_generationLicenceStaysBestAfterUse() public {
        uint256 gen = _generationLicense(bob, resource, 1000, 30 days, false);
        uint256 ext = _derivativeLicense(resource, bob, 1000);
        assertEq(licenseToken.bestLicense(bob, resource, LicenseUse.Derivative), ext, "perpetual first");
        _registerDerivative(bob, toArray(ext));
        assertEq(licenseToken.bestLicense(bob, resource, LicenseUse.Derivative), gen, "rescan finds it");
        _registerDerivative(bob, toArray(gen));
        _registerDerivative(bob, toArray(gen));
        (bool licensed, uint256 id, uint64 exp) = hub.licenseStatus(resource, bob, LicenseUse.Derivative);
        assertTrue(licensed, "licensed");
        assertEq(id, gen, "the generation licence");
        assertEq(exp, uint64(block.timestamp + 30 days), "its expiry");
    }

    // ─────────────────────────────── regressions: the older tiers ───────────────────────────────

    function test_regression_extendedLicenceIsStillSingleUse() public {
        uint256 e = _derivativeLicense(resource, bob, 1000);
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectEmit(true, true, true, true, address(licenseToken));
        emit ILicenseToken.LicenseUsed(e, registry.totalAssets() + 1);
        vm.prank(bob);
        hub.registerDerivative(toArray(e), work, salt, _noProof());
        License memory lic = licenseToken.licenseOf(e);
        assertTrue(lic.usedForDerivative, "used");
        assertFalse(lic.generation, "not generation");
        _refusedDerivative(bob, toArray(e), abi.encodeWithSelector(ILicensingHub.LicenseAlreadyUsed.selector, e));
        (bool licensed,,) = hub.licenseStatus(resource, bob, LicenseUse.Derivative);
        assertFalse(licensed, "no longer a derivative licence");
    }

    function test_regression_standardLicenceAllowsNoDerivative() public {
        uint256 s = _buy(bob, _offer(alice, resource, _terms(true, false, false, 0), NATIVE, 1, 0, 0));
        _refusedDerivative(bob, toArray(s), abi.encodeWithSelector(ILicensingHub.DerivativesNotAllowed.selector, s));
    }

    // ─────────────────────────────── fuzz ───────────────────────────────

    /// k works generated under one licence, each paid a different amount: the resource owner gets exactly the
    /// sum of its floored shares, the generator the rest, the platform its fees, and the hub stays solvent.
    function testFuzz_generationLicence_revenueSplitsExactlyForKDerivatives(uint8 kSeed, uint16 rSeed, uint256 seed)
        public
    {
        uint256 k = bound(kSeed, 1, 5);
        uint16 r = uint16(bound(rSeed, 0, 10_000));
        uint256 l = _generationLicense(bob, resource, r, 0, false);
        uint256 a0 = hub.balanceOf(alice, NATIVE);
        uint256 b0 = hub.balanceOf(bob, NATIVE);
        uint256 t0 = hub.balanceOf(treasury, NATIVE);
        uint256 toAlice;
        uint256 toBob;
        uint256 fees;
        for (uint256 i; i < k; ++i) {
            uint256 d = _registerDerivative(bob, toArray(l));
            uint256 amount = bound(uint256(keccak256(abi.encode(seed, i))), 1, 1e27);
            _payNative(brand, d, amount);
            uint256 fee = _fee(amount);
            fees += fee;
            toAlice += _cut(amount - fee, r);
            toBob += amount - fee - _cut(amount - fee, r);
        }
        assertEq(hub.balanceOf(alice, NATIVE) - a0, toAlice, "resource owner");
        assertEq(hub.balanceOf(bob, NATIVE) - b0, toBob, "generator");
        assertEq(hub.balanceOf(treasury, NATIVE) - t0, fees, "fees");
        assertEq(toAlice + toBob + fees, _sum(seed, k), "adds up");
        assertEq(_unaccounted(NATIVE, _everyone()), int256(0), "hub solvent");
        assertFalse(licenseToken.licenseOf(l).usedForDerivative, "never used up");
    }

    function _sum(uint256 seed, uint256 k) internal pure returns (uint256 total) {
        for (uint256 i; i < k; ++i) {
            total += bound(uint256(keccak256(abi.encode(seed, i))), 1, 1e27);
        }
    }
}
