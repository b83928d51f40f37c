// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {GenIPRegistry} from "../src/GenIPRegistry.sol";
import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {CheckOutcome, LicenseUse} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";

/// @notice A checker's verdict is enforced: a failed prompt check stops new licence sales while the hub's policy
/// is on (licences already sold keep working), the admin alone switches the policy, and a derivative cannot pass
/// while an ancestor failed.
contract LicensingHubPromptChecksTest is Base {
    uint256 internal work;
    uint256 internal offerId;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        work = _register(alice);
        offerId = _offer(alice, work, _derivativeTerms(1000), NATIVE, 1 ether, 0, 0);
    }

    function _attest(uint256 assetId, CheckOutcome outcome) internal {
        vm.prank(checker);
        registry.attestPromptCheck(assetId, outcome, keccak256(abi.encode("report", assetId, outcome)));
    }

    // ─────────────────────────────── the policy ───────────────────────────────

    function test_policy_isOnFromDeployment() public view {
        assertTrue(hub.failedCheckPolicy(), "on by default");
    }

    function test_buyLicense_revertsAfterAFailedAttestation() public {
        _attest(work, CheckOutcome.Failed);

        vm.deal(brand, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.PromptCheckFailed.selector, work));
        vm.prank(brand);
        hub.buyLicense{value: 1 ether}(offerId, brand, address(0));
    }

    function test_buyLicense_sellsAgainWhenTheCheckerReversesToPassed() public {
        _attest(work, CheckOutcome.Failed);
        _attest(work, CheckOutcome.Passed);
        uint256 licenseId = _buy(brand, offerId);
        assertEq(licenseToken.ownerOf(licenseId), brand, "sold");
    }

    function test_buyLicense_sellsAFailedWorkWhileThePolicyIsOff() public {
        _attest(work, CheckOutcome.Failed);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.FailedCheckPolicySet(false);
        vm.prank(admin);
        hub.setFailedCheckPolicy(false);

        uint256 licenseId = _buy(brand, offerId);
        assertEq(licenseToken.ownerOf(licenseId), brand, "advisory only while off");

        vm.prank(admin);
        hub.setFailedCheckPolicy(true);
        vm.deal(carol, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.PromptCheckFailed.selector, work));
        vm.prank(carol);
        hub.buyLicense{value: 1 ether}(offerId, carol, address(0));
    }

    function test_setFailedCheckPolicy_isAdminOnly() public {
        bytes32 adminRole = bytes32(0); // DEFAULT_ADMIN_ROLE
        address[3] memory others = [checker, alice, address(registry)];
        for (uint256 i; i < others.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, others[i], adminRole)
            );
            vm.prank(others[i]);
            hub.setFailedCheckPolicy(false);
        }
        assertTrue(hub.failedCheckPolicy(), "unchanged");
    }

    function test_recordPromptCheck_isRegistryOnly() public {
        address[3] memory others = [checker, admin, alice];
        for (uint256 i; i < others.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NotRegistry.selector, others[i]));
            vm.prank(others[i]);
            hub.recordPromptCheck(work, false);
        }
    }

    function test_attestPromptCheck_revertsBeforeTheHubIsSet() public {
        GenIPRegistry fresh = new GenIPRegistry(admin, ADMIN_DELAY);
        vm.startPrank(admin);
        fresh.grantRole(keccak256("CHECKER_ROLE"), checker);
        vm.stopPrank();
        vm.expectRevert(IGenIPRegistry.ZeroHub.selector);
        vm.prank(checker);
        fresh.attestPromptCheck(1, CheckOutcome.Failed, bytes32(0));
    }

    // ─────────────────────────────── existing licences ───────────────────────────────

    function test_failedCheck_keepsExistingLicencesWorking() public {
        uint256 licenseId = _buy(bob, offerId);
        _attest(work, CheckOutcome.Failed);

        (bool licensed, uint256 id,) = hub.licenseStatus(work, bob, LicenseUse.Commercial);
        assertTrue(licensed, "commercial use still licensed");
        assertEq(id, licenseId, "the licence bought before");
        (licensed, id,) = hub.licenseStatus(work, bob, LicenseUse.Derivative);
        assertTrue(licensed, "derivative use still licensed");

        uint256 child = _registerDerivative(bob, toArray(licenseId));
        assertEq(registry.ownerOf(child), bob, "the licence still builds a derivative");
        assertEq(uint256(registry.promptCheck(child)), uint256(CheckOutcome.Unchecked), "its own check");
    }

    // ─────────────────────────────── derivatives ───────────────────────────────

    function test_derivativePass_refusedWhileAParentFailed() public {
        uint256 child = _derive(bob, work, 1000);
        _attest(work, CheckOutcome.Failed);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.AncestorCheckFailed.selector, child, work));
        vm.prank(checker);
        registry.attestPromptCheck(child, CheckOutcome.Passed, keccak256("report"));
        assertEq(uint256(registry.promptCheck(child)), uint256(CheckOutcome.Unchecked), "nothing recorded");

        _attest(child, CheckOutcome.Failed); // failing it is always allowed
        assertEq(uint256(registry.promptCheck(child)), uint256(CheckOutcome.Failed), "failed");
    }

    function test_derivativePass_refusedWhileAGrandparentFailed() public {
        uint256 child = _derive(bob, work, 1000);
        uint256 grandchild = _derive(carol, child, 500);
        _attest(work, CheckOutcome.Failed);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.AncestorCheckFailed.selector, grandchild, work));
        vm.prank(checker);
        registry.attestPromptCheck(grandchild, CheckOutcome.Passed, bytes32(0));
    }

    function test_derivativePass_allowedOnceTheParentPassesAgain() public {
        uint256 child = _derive(bob, work, 1000);
        _attest(work, CheckOutcome.Failed);
        _attest(work, CheckOutcome.Passed);
        _attest(child, CheckOutcome.Passed);
        assertEq(uint256(registry.promptCheck(child)), uint256(CheckOutcome.Passed), "passed");
    }

    // ─────────────────────────────── fuzz ───────────────────────────────

    /// @dev Whatever sequence of verdicts and policy switches, a sale goes through exactly when the latest
    /// verdict is not Failed or the policy is off, and the licence sold before stays valid throughout.
    function testFuzz_sale_followsTheLatestVerdictAndThePolicy(uint8[6] memory steps) public {
        uint256 earlier = _buy(bob, offerId);
        bool failed;
        bool enforced = true;
        for (uint256 i; i < steps.length; ++i) {
            uint8 step = steps[i] % 4;
            if (step == 0) {
                _attest(work, CheckOutcome.Passed);
                failed = false;
            } else if (step == 1) {
                _attest(work, CheckOutcome.Failed);
                failed = true;
            } else {
                enforced = step == 2;
                vm.prank(admin);
                hub.setFailedCheckPolicy(enforced);
            }
            address buyer = makeAddr(string(abi.encodePacked("buyer", i)));
            vm.deal(buyer, 1 ether);
            if (failed && enforced) {
                vm.expectRevert(abi.encodeWithSelector(ILicensingHub.PromptCheckFailed.selector, work));
                vm.prank(buyer);
                hub.buyLicense{value: 1 ether}(offerId, buyer, address(0));
            } else {
                vm.prank(buyer);
                uint256 licenseId = hub.buyLicense{value: 1 ether}(offerId, buyer, address(0));
                assertEq(licenseToken.ownerOf(licenseId), buyer, "sold");
            }
            (bool licensed, uint256 id,) = hub.licenseStatus(work, bob, LicenseUse.Commercial);
            assertTrue(licensed && id == earlier, "the earlier licence still works");
        }
    }
}
