// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {LicensingHub} from "../src/LicensingHub.sol";
import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {RevenueSource} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";
import {FeeOnTransferToken} from "./utils/mocks/FeeOnTransferToken.sol";
import {ReentrantWithdrawer} from "./utils/mocks/ReentrantWithdrawer.sol";

/// @notice Revenue splits (fee, ancestors, owner), the platform fee, and pull withdrawals.
contract LicensingHubRevenueTest is Base {
    uint256 internal root;

    function setUp() public override {
        super.setUp();
        root = _register(alice);
    }

    // ─────────────────────────────── payRevenue: one asset ───────────────────────────────

    function test_payRevenue_native_creditsTheFeeAndTheOwnerAndEmits() public {
        uint256 amount = 3 ether + 7;
        uint256 fee = _fee(amount);
        vm.deal(brand, amount);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenuePaid(root, brand, NATIVE, amount, fee, RevenueSource.Direct);
        vm.prank(brand);
        hub.payRevenue{value: amount}(root, NATIVE, amount);

        assertEq(hub.balanceOf(treasury, NATIVE), fee, "fee");
        assertEq(hub.balanceOf(alice, NATIVE), amount - fee, "owner gets the rest");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits");
    }

    function test_payRevenue_creditsEmitCreditedForFeeAndOwner() public {
        uint256 amount = 1000;
        vm.recordLogs();
        _payNative(brand, root, amount);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (uint256 feeCredit, uint256 feeCount) = _credited(logs, treasury, 0);
        (uint256 ownerCredit, uint256 ownerCount) = _credited(logs, alice, root);
        assertEq(feeCredit, 25, "Credited(treasury, .., assetId 0, fee)");
        assertEq(feeCount, 1, "one fee credit");
        assertEq(ownerCredit, 975, "Credited(owner, .., root, rest)");
        assertEq(ownerCount, 1, "one owner credit");
    }

    function test_payRevenue_erc20_pullsTheAmountAndSplits() public {
        _payToken(brand, root, 10e6);
        assertEq(usd.balanceOf(address(hub)), 10e6, "hub holds it");
        assertEq(hub.balanceOf(treasury, address(usd)), _fee(10e6), "fee");
        assertEq(hub.balanceOf(alice, address(usd)), 10e6 - _fee(10e6), "owner");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "currencies are separate");
    }

    function test_payRevenue_revertsForZeroAmount() public {
        vm.expectRevert(ILicensingHub.ZeroAmount.selector);
        vm.prank(brand);
        hub.payRevenue(root, NATIVE, 0);
    }

    function test_payRevenue_native_revertsWhenValueDoesNotMatchAmount() public {
        vm.deal(brand, 2 ether);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.WrongPayment.selector, 2 ether, 1 ether));
        vm.prank(brand);
        hub.payRevenue{value: 1 ether}(root, NATIVE, 2 ether);
    }

    function test_payRevenue_erc20_revertsWhenNativeValueIsSent() public {
        usd.mint(brand, 100);
        vm.prank(brand);
        usd.approve(address(hub), 100);
        vm.deal(brand, 5);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.WrongPayment.selector, 0, 5));
        vm.prank(brand);
        hub.payRevenue{value: 5}(root, address(usd), 100);
    }

    function test_payRevenue_erc20_revertsForFeeOnTransferTokens() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        fot.mint(brand, 10_000);
        vm.prank(brand);
        fot.approve(address(hub), 10_000);
        vm.expectRevert(
            abi.encodeWithSelector(ILicensingHub.TransferAmountMismatch.selector, address(fot), 10_000, 9900)
        );
        vm.prank(brand);
        hub.payRevenue(root, address(fot), 10_000);
    }

    function test_payRevenue_revertsForUnknownAsset() public {
        vm.deal(brand, 1);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownAsset.selector, 99));
        vm.prank(brand);
        hub.payRevenue{value: 1}(99, NATIVE, 1);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownAsset.selector, 0));
        vm.prank(brand);
        hub.payRevenue{value: 1}(0, NATIVE, 1);
    }

    // ─────────────────────────────── payRevenue: lineage ───────────────────────────────

    /// Three levels, with `root` reached through both `a` and `b`:
    ///   root (alice) ─10 %→ a (bob) ─20 %→ d (dave)
    ///   root (alice) ─ 5 %→ b (carol) ─3 %→ d
    /// shares of d: a 2000, b 300, root 1000 + 500 = 1500 (one credit, one rounding).
    function test_payRevenue_splitsAThreeLevelLineageExactlyToTheWei() public {
        (uint256 a, uint256 b, uint256 d) = _diamond();
        uint256 amount = 1_000_000_000_000_000_007; // awkward on purpose
        // expected credits: [fee, root, a, b, d]
        uint256[] memory want = new uint256[](5);
        want[0] = amount * 250 / 10_000;
        uint256 net = amount - want[0];
        want[1] = net * 1500 / 10_000;
        want[2] = net * 2000 / 10_000;
        want[3] = net * 300 / 10_000;
        want[4] = net - want[1] - want[2] - want[3];

        uint256[] memory before = _balances(NATIVE); // the 1-wei licence sales paid owners already
        vm.recordLogs();
        _payNative(erin, d, amount);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256[] memory got = _deltas(NATIVE, before);
        assertEq(got[0], want[0], "fee");
        assertEq(got[1], want[1], "root owner");
        assertEq(got[2], want[2], "a owner");
        assertEq(got[3], want[3], "b owner");
        assertEq(got[4], want[4], "d owner keeps the rest, dust included");
        assertEq(want[0] + want[1] + want[2] + want[3] + want[4], amount, "adds up");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits");

        (uint256 credit, uint256 count) = _credited(logs, alice, root);
        assertEq(count, 1, "root is paid once");
        assertEq(credit, want[1], "with the summed share");
        (credit,) = _credited(logs, bob, a);
        assertEq(credit, want[2], "Credited a");
        (credit,) = _credited(logs, carol, b);
        assertEq(credit, want[3], "Credited b");
        (credit,) = _credited(logs, dave, d);
        assertEq(credit, want[4], "Credited d");
    }

    /// Summing the shares before rounding differs from rounding each path: 9999 * 1500 / 10000 = 1499, while
    /// 9999 * 1000 / 10000 + 9999 * 500 / 10000 = 999 + 499 = 1498.
    function test_payRevenue_roundsTheSummedShareOfAnAncestorReachedTwiceOnce() public {
        vm.prank(admin);
        hub.setPlatformFee(0, treasury);
        (,, uint256 d) = _diamond();
        uint256[] memory before = _balances(NATIVE);
        _payNative(erin, d, 9999);
        uint256[] memory got = _deltas(NATIVE, before);
        assertEq(got[0], 0, "no fee");
        assertEq(got[1], 1499, "root: one rounding of 15 %");
        assertEq(got[2], 1999, "a: 20 %");
        assertEq(got[3], 299, "b: 3 %");
        assertEq(got[4], 9999 - 1499 - 1999 - 299, "d");
    }

    function test_payRevenue_erc20_splitsALineageLikeNative() public {
        (,, uint256 d) = _diamond();
        _payToken(erin, d, 1_000_003); // licences were bought in native currency: token balances start at 0
        uint256 net = 1_000_003 - _fee(1_000_003);
        uint256[] memory got = _balances(address(usd));
        assertEq(got[0], _fee(1_000_003), "fee");
        assertEq(got[1], net * 1500 / 10_000, "root");
        assertEq(got[2], net * 2000 / 10_000, "a");
        assertEq(got[3], net * 300 / 10_000, "b");
        assertEq(got[4], net - got[1] - got[2] - got[3], "d");
        assertEq(_unaccounted(address(usd), _everyone()), 0, "hub token balance == credits");
    }

    function test_payRevenue_toAMiddleAssetPaysOnlyItsOwnAncestors() public {
        (uint256 a,,) = _diamond();
        uint256[] memory before = _balances(NATIVE);
        _payNative(erin, a, 10_000);
        uint256[] memory got = _deltas(NATIVE, before);
        assertEq(got[1], 975, "root: 10 % of 9750");
        assertEq(got[2], 9750 - 975, "a");
        assertEq(got[3], 0, "sibling b gets nothing");
        assertEq(got[4], 0, "child d gets nothing");
        assertTrue(a != 0, "a");
    }

    function test_payRevenue_creditsWhoeverOwnsEachAncestorAtPaymentTime() public {
        (,, uint256 d) = _diamond();
        vm.prank(alice);
        registry.transferFrom(alice, erin, root);
        uint256 aliceBefore = hub.balanceOf(alice, NATIVE);
        _payNative(brand, d, 10_000);
        assertEq(hub.balanceOf(erin, NATIVE), uint256(9750) * 1500 / 10_000, "root's new owner");
        assertEq(hub.balanceOf(alice, NATIVE), aliceBefore, "former owner gets nothing more");
    }

    function test_buyLicense_onADerivativePaysItsAncestors() public {
        (,, uint256 d) = _diamond();
        uint256 offerId = _offer(dave, d, _terms(true, false, false, 0), NATIVE, 1 ether, 0, 0);
        uint256 fee = _fee(1 ether);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenuePaid(d, brand, NATIVE, 1 ether, fee, RevenueSource.LicenseSale);
        uint256 aliceBefore = hub.balanceOf(alice, NATIVE);
        _buy(brand, offerId);
        assertEq(hub.balanceOf(alice, NATIVE) - aliceBefore, (1 ether - fee) * 1500 / 10_000, "root");
    }

    function test_payRevenue_atA100PercentStackLeavesTheOwnerOnlyDust() public {
        uint256 other = _register(carol);
        uint16[] memory rs = new uint16[](2);
        rs[0] = 5000;
        rs[1] = 5000;
        uint256 child = _derive(bob, toArray(root, other), rs);
        uint256 aliceBefore = hub.balanceOf(alice, NATIVE);
        uint256 bobBefore = hub.balanceOf(bob, NATIVE);
        uint256 carolBefore = hub.balanceOf(carol, NATIVE);
        _payNative(erin, child, 10_001);
        uint256 net = 10_001 - _fee(10_001);
        assertEq(hub.balanceOf(alice, NATIVE) - aliceBefore, net / 2, "half");
        assertEq(hub.balanceOf(carol, NATIVE) - carolBefore, net / 2, "half");
        assertEq(hub.balanceOf(bob, NATIVE) - bobBefore, net - 2 * (net / 2), "dust");
    }

    /// For any amount, fee and shares, the credits add up to the amount and each ancestor gets its floor.
    /// @param r Rev shares: root→a, root→b, a→d, b→d.
    function testFuzz_payRevenue_creditsAlwaysSumToTheAmount(uint256 amount, uint16 feeBps, uint16[4] memory r) public {
        amount = bound(amount, 1, type(uint128).max);
        feeBps = uint16(bound(feeBps, 0, 1000));
        for (uint256 i; i < 4; ++i) {
            r[i] = uint16(bound(r[i], 0, 2500));
        }
        vm.prank(admin);
        hub.setPlatformFee(feeBps, treasury);
        uint256 d = _diamondWith(r);

        uint256[] memory before = _balances(NATIVE);
        _payNative(erin, d, amount);
        uint256[] memory delta = _deltas(NATIVE, before);

        uint256 net = amount - amount * feeBps / 10_000;
        assertEq(delta[0], amount - net, "fee");
        assertEq(delta[1], net * (uint256(r[0]) + r[1]) / 10_000, "root, summed");
        assertEq(delta[2], net * r[2] / 10_000, "a");
        assertEq(delta[3], net * r[3] / 10_000, "b");
        assertEq(delta[0] + delta[1] + delta[2] + delta[3] + delta[4], amount, "credits sum to the amount");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits");
    }

    // ─────────────────────────────── platform fee ───────────────────────────────

    function test_platformFee_isSetByTheConstructor() public view {
        (uint16 bps, address recipient) = hub.platformFee();
        assertEq(bps, FEE_BPS, "bps");
        assertEq(recipient, treasury, "recipient");
        assertEq(hub.MAX_PLATFORM_FEE_BPS(), 1000, "cap");
    }

    function test_setPlatformFee_updatesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.PlatformFeeSet(1000, erin);
        vm.prank(admin);
        hub.setPlatformFee(1000, erin);
        (uint16 bps, address recipient) = hub.platformFee();
        assertEq(bps, 1000, "bps");
        assertEq(recipient, erin, "recipient");

        _payNative(brand, root, 10_000);
        assertEq(hub.balanceOf(erin, NATIVE), 1000, "new recipient, 10 %");
        assertEq(hub.balanceOf(treasury, NATIVE), 0, "old recipient");
    }

    function test_setPlatformFee_zeroFeeCreditsTheWholeAmount() public {
        vm.prank(admin);
        hub.setPlatformFee(0, treasury);
        _payNative(brand, root, 12_345);
        assertEq(hub.balanceOf(alice, NATIVE), 12_345, "owner");
        assertEq(hub.balanceOf(treasury, NATIVE), 0, "no fee");
    }

    function test_setPlatformFee_revertsAboveTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.FeeTooHigh.selector, uint16(1001), uint16(1000)));
        vm.prank(admin);
        hub.setPlatformFee(1001, treasury);
    }

    function test_setPlatformFee_revertsForZeroRecipient() public {
        vm.expectRevert(ILicensingHub.ZeroAddress.selector);
        vm.prank(admin);
        hub.setPlatformFee(100, address(0));
    }

    function test_setPlatformFee_revertsWhenCallerIsNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, treasury, bytes32(0))
        );
        vm.prank(treasury);
        hub.setPlatformFee(0, treasury);
    }

    function test_constructor_revertsWhenFeeAboveTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.FeeTooHigh.selector, uint16(1001), uint16(1000)));
        new LicensingHub(IGenIPRegistry(address(registry)), admin, ADMIN_DELAY, 1001, treasury);
    }

    function test_constructor_revertsForZeroFeeRecipient() public {
        vm.expectRevert(ILicensingHub.ZeroAddress.selector);
        new LicensingHub(IGenIPRegistry(address(registry)), admin, ADMIN_DELAY, 100, address(0));
    }

    function test_supportsInterface_declaresAccessControl() public view {
        assertTrue(hub.supportsInterface(type(IAccessControl).interfaceId), "AccessControl");
        assertFalse(hub.supportsInterface(0xffffffff), "0xffffffff");
    }

    function test_constructor_wiresRegistryAndLicenceToken() public view {
        assertEq(address(hub.registry()), address(registry), "registry");
        assertEq(licenseToken.hub(), address(hub), "token's hub");
        assertEq(hub.REFERRER_ROLE(), keccak256("REFERRER_ROLE"), "role id");
        assertEq(hub.court(), address(court), "court");
        assertEq(hub.defaultAdmin(), admin, "admin");
    }

    // ─────────────────────────────── withdraw ───────────────────────────────

    function test_withdraw_native_sendsTheWholeBalanceAndEmits() public {
        _payNative(brand, root, 1 ether);
        uint256 owed = 1 ether - _fee(1 ether);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.Withdrawn(alice, NATIVE, owed);
        vm.prank(alice);
        assertEq(hub.withdraw(NATIVE), owed, "returned amount");

        assertEq(alice.balance, owed, "received");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "balance cleared");
        assertEq(address(hub).balance, _fee(1 ether), "fee still held for the treasury");
    }

    function test_withdraw_erc20_sendsTheWholeBalance() public {
        _payToken(brand, root, 10e6);
        uint256 owed = 10e6 - _fee(10e6);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.Withdrawn(alice, address(usd), owed);
        vm.prank(alice);
        hub.withdraw(address(usd));
        assertEq(usd.balanceOf(alice), owed, "received");
        assertEq(hub.balanceOf(alice, address(usd)), 0, "cleared");
        vm.prank(treasury);
        hub.withdraw(address(usd));
        assertEq(usd.balanceOf(address(hub)), 0, "hub empty");
    }

    function test_withdraw_revertsWhenNothingToWithdraw() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingToWithdraw.selector, stranger, NATIVE));
        vm.prank(stranger);
        hub.withdraw(NATIVE);
    }

    function test_withdraw_revertsOnTheSecondWithdrawal() public {
        _payNative(brand, root, 1 ether);
        vm.prank(alice);
        hub.withdraw(NATIVE);
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.NothingToWithdraw.selector, alice, NATIVE));
        vm.prank(alice);
        hub.withdraw(NATIVE);
    }

    function test_withdraw_aReentrantReceiverIsPaidOnlyOnce() public {
        ReentrantWithdrawer attacker = new ReentrantWithdrawer(hub, registry, true);
        uint256 asset = _registerByContract(attacker, _work(666));
        _payNative(brand, root, 5 ether); // someone else's money sits in the hub too
        _payNative(brand, asset, 1 ether);
        uint256 owed = 1 ether - _fee(1 ether);
        uint256 hubBefore = address(hub).balance;

        try attacker.withdraw() {} catch {}

        assertFalse(attacker.reentrySucceeded(), "re-entrant withdrawal refused");
        uint256 got = address(attacker).balance;
        uint256 left = hub.balanceOf(address(attacker), NATIVE);
        assertEq(got + left, owed, "paid at most once");
        assertEq(hubBefore - address(hub).balance, got, "hub lost exactly what was paid");
        assertEq(_unaccounted(NATIVE, _withAttacker(address(attacker))), 0, "hub balance == credits");
        // With the re-entry swallowed, the outer withdrawal goes through.
        assertEq(got, owed, "outer withdrawal paid");
        assertGt(attacker.reentryAttempts(), 0, "it did try");
    }

    function test_withdraw_aReceiverThatRevertsOnReentryGetsNothingAndKeepsItsCredit() public {
        ReentrantWithdrawer attacker = new ReentrantWithdrawer(hub, registry, false);
        uint256 asset = _registerByContract(attacker, _work(667));
        _payNative(brand, asset, 1 ether);
        uint256 owed = 1 ether - _fee(1 ether);

        vm.expectRevert();
        attacker.withdraw();

        assertEq(address(attacker).balance, 0, "nothing sent");
        assertEq(hub.balanceOf(address(attacker), NATIVE), owed, "credit kept");
    }

    // ─────────────────────────────── native transfers ───────────────────────────────

    function test_receive_refusesDirectNativeTransfers() public {
        vm.deal(brand, 1 ether);
        vm.prank(brand);
        (bool ok, bytes memory ret) = address(hub).call{value: 1 ether}("");
        assertFalse(ok, "refused");
        assertEq(ret, abi.encodeWithSelector(ILicensingHub.UnexpectedNativeTransfer.selector, brand), "error");
        assertEq(address(hub).balance, 0, "nothing kept");
    }

    function test_fallback_refusesNativeTransfersWithData() public {
        vm.deal(brand, 1 ether);
        vm.prank(brand);
        (bool ok,) = address(hub).call{value: 1 ether}(hex"deadbeef");
        assertFalse(ok, "refused");
        assertEq(address(hub).balance, 0, "nothing kept");
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    /// @dev root ─10 %→ a (bob) ─20 %→ d (dave); root ─5 %→ b (carol) ─3 %→ d.
    function _diamond() internal returns (uint256 a, uint256 b, uint256 d) {
        a = _derive(bob, root, 1000);
        b = _derive(carol, root, 500);
        uint16[] memory rs = new uint16[](2);
        rs[0] = 2000;
        rs[1] = 300;
        d = _derive(dave, toArray(a, b), rs);
    }

    function _diamondWith(uint16[4] memory r) internal returns (uint256 d) {
        uint256 a = _derive(bob, root, r[0]);
        uint256 b = _derive(carol, root, r[1]);
        uint16[] memory rs = new uint16[](2);
        rs[0] = r[2];
        rs[1] = r[3];
        d = _derive(dave, toArray(a, b), rs);
    }

    /// @dev [treasury, alice(root), bob(a), carol(b), dave(d)] balances.
    function _balances(address currency) internal view returns (uint256[] memory b) {
        address[5] memory who = [treasury, alice, bob, carol, dave];
        b = new uint256[](5);
        for (uint256 i; i < 5; ++i) {
            b[i] = hub.balanceOf(who[i], currency);
        }
    }

    function _deltas(address currency, uint256[] memory before) internal view returns (uint256[] memory d) {
        d = _balances(currency);
        for (uint256 i; i < d.length; ++i) {
            d[i] -= before[i];
        }
    }

    function _registerByContract(ReentrantWithdrawer attacker, IGenIPRegistry.Work memory work)
        internal
        returns (uint256)
    {
        bytes32 salt = keccak256("attacker salt");
        attacker.commit(work.contentHash, salt);
        vm.roll(block.number + 1);
        return attacker.register(work, salt);
    }

    function _withAttacker(address attacker) internal view returns (address[] memory a) {
        address[] memory e = _everyone();
        a = new address[](e.length + 1);
        for (uint256 i; i < e.length; ++i) {
            a[i] = e[i];
        }
        a[e.length] = attacker;
    }
}
