// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILicensingHub} from "../src/interfaces/ILicensingHub.sol";
import {IRoyaltySink} from "../src/interfaces/IRoyaltySink.sol";
import {RevenueSource} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice ERC-2981 royalty sinks: funds sent to a predicted address before it exists are swept and split.
contract LicensingHubRoyaltiesTest is Base {
    bytes32 internal constant SINK_DEPLOYED = keccak256("RoyaltySinkDeployed(uint256,address)");

    uint256 internal asset;
    address internal sink;

    function setUp() public override {
        super.setUp();
        asset = _register(alice);
        sink = hub.royaltySinkOf(asset);
    }

    function test_royaltySinkOf_isAPredictedAddressWithNoCodeYet() public view {
        assertTrue(sink != address(0), "an address");
        assertEq(sink.code.length, 0, "not deployed");
        assertTrue(hub.royaltySinkOf(asset + 1) != sink, "one sink per asset");
        (address receiver,) = registry.royaltyInfo(asset, 1 ether);
        assertEq(receiver, sink, "registry's ERC-2981 receiver");
    }

    function test_collectRoyalties_deploysTheSinkAndSplitsNativeRoyalties() public {
        _sendNative(sink, 2 ether); // a marketplace paid before anyone collected
        uint256 fee = _fee(2 ether);

        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RoyaltySinkDeployed(asset, sink);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenuePaid(asset, stranger, NATIVE, 2 ether, fee, RevenueSource.Royalty);
        vm.prank(stranger); // anyone may collect
        assertEq(hub.collectRoyalties(asset, NATIVE), 2 ether, "swept");

        assertTrue(sink.code.length > 0, "deployed at the predicted address");
        assertEq(sink.balance, 0, "sink emptied");
        assertEq(hub.balanceOf(alice, NATIVE), 2 ether - fee, "owner");
        assertEq(hub.balanceOf(treasury, NATIVE), fee, "fee");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "hub balance == credits");
    }

    function test_collectRoyalties_sweepsERC20Royalties() public {
        usd.mint(sink, 7e6);
        vm.expectEmit(true, true, true, true, address(hub));
        emit ILicensingHub.RevenuePaid(asset, address(this), address(usd), 7e6, _fee(7e6), RevenueSource.Royalty);
        assertEq(hub.collectRoyalties(asset, address(usd)), 7e6, "swept");
        assertEq(usd.balanceOf(sink), 0, "sink emptied");
        assertEq(hub.balanceOf(alice, address(usd)), 7e6 - _fee(7e6), "owner");
        assertEq(_unaccounted(address(usd), _everyone()), 0, "hub balance == credits");
    }

    function test_collectRoyalties_reusesTheDeployedSink() public {
        _sendNative(sink, 1 ether);
        hub.collectRoyalties(asset, NATIVE);

        // After deployment the sink still takes a plain 2300-gas transfer, as marketplaces send.
        vm.deal(address(this), 1 ether);
        payable(sink).transfer(1 ether);

        vm.recordLogs();
        assertEq(hub.collectRoyalties(asset, NATIVE), 1 ether, "second sweep");
        assertEq(_countLogs(vm.getRecordedLogs(), address(hub), SINK_DEPLOYED), 0, "not deployed twice");
        assertEq(hub.balanceOf(alice, NATIVE), 2 * (1 ether - _fee(1 ether)), "both sweeps credited");
    }

    function test_collectRoyalties_ofADerivativePaysItsAncestors() public {
        uint256 child = _derive(bob, asset, 2000);
        address childSink = hub.royaltySinkOf(child);
        _sendNative(childSink, 10_000);
        uint256 aliceBefore = hub.balanceOf(alice, NATIVE);
        hub.collectRoyalties(child, NATIVE);
        assertEq(hub.balanceOf(alice, NATIVE) - aliceBefore, (10_000 - _fee(10_000)) / 5, "parent's 20 %");
    }

    function test_collectRoyalties_ofADisputedAssetIsHeld() public {
        uint256 disputeId = _raise(erin, asset);
        _sendNative(sink, 1 ether);
        hub.collectRoyalties(asset, NATIVE);
        assertEq(hub.heldOf(asset, disputeId, NATIVE), 1 ether - _fee(1 ether), "held");
        assertEq(hub.balanceOf(alice, NATIVE), 0, "not credited");
    }

    function test_collectRoyalties_revertsForUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(ILicensingHub.UnknownAsset.selector, 99));
        hub.collectRoyalties(99, NATIVE);
    }

    function test_sweep_revertsWhenCallerIsNotTheHub() public {
        _sendNative(sink, 1 ether);
        hub.collectRoyalties(asset, NATIVE); // deploys
        _sendNative(sink, 1 ether);

        vm.expectRevert(abi.encodeWithSelector(IRoyaltySink.NotHub.selector, stranger));
        vm.prank(stranger);
        IRoyaltySink(sink).sweep(NATIVE);
        assertEq(sink.balance, 1 ether, "untouched");
    }

    function test_receive_acceptsNativeOnlyFromTheSinkBeingSwept() public {
        _sendNative(sink, 1 ether);
        hub.collectRoyalties(asset, NATIVE); // the sink's transfer to the hub was accepted
        // ...but the deployed sink cannot push funds on its own.
        vm.deal(sink, 1 ether);
        vm.prank(sink);
        (bool ok, bytes memory ret) = address(hub).call{value: 1 ether}("");
        assertFalse(ok, "refused outside a sweep");
        assertEq(ret, abi.encodeWithSelector(ILicensingHub.UnexpectedNativeTransfer.selector, sink), "error");
    }

    function testFuzz_collectRoyalties_sweepsWhateverArrived(uint96 nativeAmount, uint96 tokenAmount) public {
        nativeAmount = uint96(bound(nativeAmount, 1, type(uint96).max));
        tokenAmount = uint96(bound(tokenAmount, 1, type(uint96).max));
        _sendNative(sink, nativeAmount);
        usd.mint(sink, tokenAmount);
        assertEq(hub.collectRoyalties(asset, NATIVE), nativeAmount, "native");
        assertEq(hub.collectRoyalties(asset, address(usd)), tokenAmount, "token");
        assertEq(_unaccounted(NATIVE, _everyone()), 0, "native accounted");
        assertEq(_unaccounted(address(usd), _everyone()), 0, "token accounted");
        assertEq(hub.balanceOf(alice, NATIVE) + hub.balanceOf(treasury, NATIVE), nativeAmount, "native split");
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    function _sendNative(address to, uint256 amount) internal {
        vm.deal(brand, brand.balance + amount);
        vm.prank(brand);
        (bool ok,) = to.call{value: amount}("");
        assertTrue(ok, "send to sink");
    }
}
