// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GenIPRegistry} from "../../src/GenIPRegistry.sol";
import {LicensingHub} from "../../src/LicensingHub.sol";
import {DisputeCourt} from "../../src/DisputeCourt.sol";
import {ILicensingHub} from "../../src/interfaces/ILicensingHub.sol";
import {DemoToken} from "../../src/dev/DemoToken.sol";
import {IGenIPRegistry} from "../../src/interfaces/IGenIPRegistry.sol";
import {WorkKind, LicenseTerms, Tier, Offer} from "../../src/types/GenIPTypes.sol";

import {Test} from "./Test.sol";
import {Vm, vm} from "./Vm.sol";
import {
    IGenIPRegistryFull, ILicensingHubFull, ILicenseTokenFull, IDisputeCourtFull, IMintableERC20
} from "./Interfaces.sol";

/// @notice Deploys the system the way production does (registry, hub, court, then `registry.setHub(hub)` and
/// `hub.setCourt(court)`), with named actors and helpers that register works (commit, then reveal a block later),
/// publish offers, buy licences and bring disputes.
abstract contract Base is Test {
    uint48 internal constant ADMIN_DELAY = 2 days;
    uint16 internal constant FEE_BPS = 250; // 2.5 %
    address internal constant NATIVE = address(0);
    uint96 internal constant BOND = 0.1 ether;

    IGenIPRegistryFull internal registry;
    ILicensingHubFull internal hub;
    ILicenseTokenFull internal licenseToken;
    IDisputeCourtFull internal court;
    IMintableERC20 internal usd;

    address internal admin;
    address internal treasury;
    address internal checker;
    address internal arbiter;
    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    address internal carol;
    address internal dave;
    address internal erin;
    address internal brand;
    address internal stranger;

    uint256 private _workSeed;

    function setUp() public virtual {
        admin = makeAddr("admin");
        treasury = makeAddr("treasury");
        checker = makeAddr("checker");
        arbiter = makeAddr("arbiter");
        (alice, aliceKey) = makeAddrAndKey("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        dave = makeAddr("dave");
        erin = makeAddr("erin");
        brand = makeAddr("brand");
        stranger = makeAddr("stranger");

        registry = IGenIPRegistryFull(address(new GenIPRegistry(admin, ADMIN_DELAY)));
        hub = ILicensingHubFull(
            address(new LicensingHub(IGenIPRegistry(address(registry)), admin, ADMIN_DELAY, FEE_BPS, treasury))
        );
        licenseToken = ILicenseTokenFull(address(hub.licenseToken()));
        court = IDisputeCourtFull(address(new DisputeCourt(ILicensingHub(address(hub)), admin, ADMIN_DELAY)));
        usd = IMintableERC20(address(new DemoToken("Demo USD", "dUSD", 6)));
        vm.label(address(registry), "registry");
        vm.label(address(hub), "hub");
        vm.label(address(licenseToken), "licenseToken");
        vm.label(address(court), "court");
        vm.label(address(usd), "usd");

        vm.startPrank(admin);
        registry.setHub(address(hub));
        hub.setCourt(address(court));
        registry.grantRole(keccak256("CHECKER_ROLE"), checker);
        court.grantRole(keccak256("ARBITER_ROLE"), arbiter);
        court.setBond(NATIVE, BOND, true);
        vm.stopPrank();
    }

    // ─────────────────────────────── works ───────────────────────────────

    /// @dev Every hash here is keccak256, even the content hash (sha256 in production): sha256 is a precompile
    /// call, and a call between `vm.prank` and the call under test would take the prank.
    function _work(uint256 seed) internal pure returns (IGenIPRegistry.Work memory) {
        return IGenIPRegistry.Work({
            kind: uint8(WorkKind.Image),
            contentHash: keccak256(abi.encodePacked("content", seed)),
            perceptualHash: keccak256(abi.encodePacked("pdq", seed)),
            promptCommitment: keccak256(abi.encode(keccak256("Gen-IP prompt commitment v2"), seed, "a prompt")),
            metadataCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
        });
    }

    /// @dev A fresh work (new content hash) each call.
    function _nextWork() internal returns (IGenIPRegistry.Work memory) {
        return _work(1_000_000 + ++_workSeed);
    }

    /// @dev The salt tests use for `creator`'s registration of `contentHash`.
    function _salt(address creator, bytes32 contentHash) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", creator, contentHash));
    }

    /// @dev Commits `creator`'s leaf for `contentHash` (sent by `creator`) and moves to the next block.
    function _commit(address creator, bytes32 contentHash) internal returns (bytes32 salt) {
        salt = _salt(creator, contentHash);
        bytes32 leaf = keccak256(abi.encode(creator, contentHash, salt));
        vm.prank(creator);
        registry.commit(leaf);
        vm.roll(block.number + 1);
    }

    function _noProof() internal pure returns (bytes32[] memory) {
        return new bytes32[](0);
    }

    function _register(address creator) internal returns (uint256 assetId) {
        return _register(creator, _nextWork());
    }

    /// @dev Commit, next block, register: the whole protected registration.
    function _register(address creator, IGenIPRegistry.Work memory work) internal returns (uint256 assetId) {
        bytes32 salt = _commit(creator, work.contentHash);
        vm.prank(creator);
        assetId = registry.register(work, salt, _noProof());
    }

    // ─────────────────────────────── terms & offers ───────────────────────────────

    function _terms(bool commercialUse, bool derivativesAllowed, bool transferable, uint16 revShareBps)
        internal
        pure
        returns (LicenseTerms memory)
    {
        return LicenseTerms({
            tier: derivativesAllowed ? Tier.Extended : Tier.Standard,
            commercialUse: commercialUse,
            derivativesAllowed: derivativesAllowed,
            transferable: transferable,
            revShareBps: revShareBps,
            documentHash: keccak256("Gen-IP licence terms v1"),
            documentUri: "ipfs://bafkreidocument"
        });
    }

    /// @dev Commercial, derivatives allowed, non-transferable, `revShareBps` to the licensed asset.
    function _derivativeTerms(uint16 revShareBps) internal pure returns (LicenseTerms memory) {
        return _terms(true, true, false, revShareBps);
    }

    function _offer(
        address owner,
        uint256 assetId,
        LicenseTerms memory terms,
        address currency,
        uint256 price,
        uint32 duration,
        uint32 supplyCap
    ) internal returns (uint256 offerId) {
        vm.prank(owner);
        offerId = hub.createOffer(assetId, terms, currency, price, duration, supplyCap);
    }

    /// @dev Buys a licence under `offerId` for `buyer`, funding the buyer first.
    function _buy(address buyer, uint256 offerId) internal returns (uint256 licenseId) {
        Offer memory o = hub.offer(offerId);
        if (o.currency == NATIVE) {
            vm.deal(buyer, buyer.balance + o.price);
            vm.prank(buyer);
            licenseId = hub.buyLicense{value: o.price}(offerId, buyer, address(0));
        } else {
            IMintableERC20(o.currency).mint(buyer, o.price);
            vm.prank(buyer);
            IMintableERC20(o.currency).approve(address(hub), o.price);
            vm.prank(buyer);
            licenseId = hub.buyLicense(offerId, buyer, address(0));
        }
    }

    /// @dev A perpetual derivative licence on `assetId` for `buyer`, bought for 1 wei (which credits the owner 1 wei:
    /// measure balances as deltas after building lineages).
    function _derivativeLicense(uint256 assetId, address buyer, uint16 revShareBps)
        internal
        returns (uint256 licenseId)
    {
        address owner = registry.ownerOf(assetId);
        uint256 offerId = _offer(owner, assetId, _derivativeTerms(revShareBps), NATIVE, 1, 0, 0);
        licenseId = _buy(buyer, offerId);
    }

    function _registerDerivative(address creator, uint256[] memory licenseIds) internal returns (uint256 assetId) {
        IGenIPRegistry.Work memory work = _nextWork();
        bytes32 salt = _commit(creator, work.contentHash);
        vm.prank(creator);
        assetId = hub.registerDerivative(licenseIds, work, salt, _noProof());
    }

    /// @dev `creator` buys a derivative licence on each parent (rev share `revShareBps` each) and registers a
    /// derivative under them.
    function _derive(address creator, uint256[] memory parentIds, uint16[] memory revShareBps)
        internal
        returns (uint256 assetId)
    {
        uint256[] memory licenseIds = new uint256[](parentIds.length);
        for (uint256 i; i < parentIds.length; ++i) {
            licenseIds[i] = _derivativeLicense(parentIds[i], creator, revShareBps[i]);
        }
        assetId = _registerDerivative(creator, licenseIds);
    }

    function _derive(address creator, uint256 parentId, uint16 revShareBps) internal returns (uint256) {
        uint16[] memory shares = new uint16[](1);
        shares[0] = revShareBps;
        return _derive(creator, toArray(parentId), shares);
    }

    // ─────────────────────────────── disputes ───────────────────────────────

    /// @dev `claimant` raises a claim against `assetId` with the native bond.
    function _raise(address claimant, uint256 assetId) internal returns (uint256 disputeId) {
        vm.deal(claimant, claimant.balance + BOND);
        vm.prank(claimant);
        disputeId = court.raise{value: BOND}(assetId, keccak256("evidence"), 0, NATIVE);
    }

    /// @dev Waits out the response window and rules.
    function _resolve(uint256 disputeId, bool upheld) internal {
        vm.warp(block.timestamp + court.responseWindow() + 1);
        vm.prank(arbiter);
        court.resolve(disputeId, upheld, keccak256("ruling"));
    }

    /// @dev Waits out the appeal window of an upheld ruling.
    function _finalise() internal {
        vm.warp(block.timestamp + court.appealWindow() + 1);
    }

    function _payNative(address payer, uint256 assetId, uint256 amount) internal {
        vm.deal(payer, payer.balance + amount);
        vm.prank(payer);
        hub.payRevenue{value: amount}(assetId, NATIVE, amount);
    }

    function _payToken(address payer, uint256 assetId, uint256 amount) internal {
        usd.mint(payer, amount);
        vm.prank(payer);
        usd.approve(address(hub), amount);
        vm.prank(payer);
        hub.payRevenue(assetId, address(usd), amount);
    }

    function _fee(uint256 amount) internal pure returns (uint256) {
        return amount * FEE_BPS / 10_000;
    }

    // ─────────────────────────────── logs ───────────────────────────────

    /// @dev Sum and count of `Credited(account, currency, assetId, amount, sourceAssetId)` logs for (account, assetId).
    function _credited(Vm.Log[] memory logs, address account, uint256 assetId)
        internal
        view
        returns (uint256 total, uint256 count)
    {
        bytes32 sig = keccak256("Credited(address,address,uint256,uint256,uint256)");
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(hub) || l.topics.length != 4 || l.topics[0] != sig) continue;
            if (address(uint160(uint256(l.topics[1]))) != account || uint256(l.topics[3]) != assetId) continue;
            (uint256 amount,) = abi.decode(l.data, (uint256, uint256));
            total += amount;
            ++count;
        }
    }

    /// @dev Number of logs from `emitter` whose first topic is `sig`.
    function _countLogs(Vm.Log[] memory logs, address emitter, bytes32 sig) internal pure returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length > 0 && logs[i].topics[0] == sig) ++n;
        }
    }

    /// @dev Hub balance of `currency` minus what it owes: withdrawable credits of `accounts` plus the held funds
    /// of assets 1..totalAssets under every dispute. Zero when the money invariant holds for these accounts.
    function _unaccounted(address currency, address[] memory accounts) internal view returns (int256) {
        uint256 owed;
        for (uint256 i; i < accounts.length; ++i) {
            owed += hub.balanceOf(accounts[i], currency);
        }
        uint256 n = registry.totalAssets();
        uint256 disputes = court.totalDisputes();
        for (uint256 id = 1; id <= n; ++id) {
            for (uint256 d = 1; d <= disputes; ++d) {
                owed += hub.heldOf(id, d, currency);
            }
        }
        uint256 held = currency == NATIVE ? address(hub).balance : IMintableERC20(currency).balanceOf(address(hub));
        return int256(held) - int256(owed);
    }

    function _everyone() internal view returns (address[] memory a) {
        a = new address[](9);
        a[0] = treasury;
        a[1] = alice;
        a[2] = bob;
        a[3] = carol;
        a[4] = dave;
        a[5] = erin;
        a[6] = brand;
        a[7] = stranger;
        a[8] = admin;
    }
}
