// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILicenseToken} from "../src/interfaces/ILicenseToken.sol";
import {LicenseToken} from "../src/LicenseToken.sol";
import {License, LicenseUse} from "../src/types/GenIPTypes.sol";

import {Test} from "./utils/Test.sol";
import {vm} from "./utils/Vm.sol";

/// @notice Drives one licence token as its hub: mints with random terms and expiries (ties included), transfers,
/// renounces and marks used, each by the party allowed to. Refusals are expected (non-transferable licences,
/// renounced ids) and swallowed; what must hold is checked by {LicenseTokenTest}'s invariant.
contract LicenseTokenHandler {
    LicenseToken public immutable token;
    address[4] internal _holders;
    uint256 public constant ASSETS = 3;

    constructor(address[4] memory holders_) {
        token = new LicenseToken();
        _holders = holders_;
    }

    function holder(uint256 i) external view returns (address) {
        return _holders[i];
    }

    function mint(uint256 holderSeed, uint256 assetSeed, uint256 expirySeed, uint8 flags) external {
        License memory l;
        l.assetId = uint64(assetSeed % ASSETS + 1);
        l.offerId = uint64(expirySeed % 7);
        l.expiresAt = uint40(expirySeed % 4 * 100); // 0 (perpetual), 100, 200, 300: ties are common
        l.commercialUse = flags & 1 != 0;
        l.derivativesAllowed = flags & 2 != 0;
        l.transferable = flags & 4 != 0;
        l.generation = flags & 8 != 0;
        token.mint(_holders[holderSeed % 4], l);
    }

    function transfer(uint256 idSeed, uint256 toSeed) external {
        (uint256 id, address owner) = _pick(idSeed);
        if (owner == address(0)) return;
        vm.prank(owner);
        try token.transferFrom(owner, _holders[toSeed % 4], id) {} catch {}
    }

    function renounce(uint256 idSeed) external {
        (uint256 id, address owner) = _pick(idSeed);
        if (owner == address(0)) return;
        vm.prank(owner);
        token.renounce(id);
    }

    function markUsed(uint256 idSeed) external {
        (uint256 id, address owner) = _pick(idSeed);
        if (owner == address(0)) return;
        token.markUsed(id, 1_000 + id);
    }

    function _pick(uint256 seed) private view returns (uint256 id, address owner) {
        uint256 n = token.totalLicenses();
        if (n == 0) return (0, address(0));
        id = seed % n + 1;
        try token.ownerOf(id) returns (address o) {
            owner = o;
        } catch {}
    }
}

/// @notice The licence token's (holder, asset) lists and best licences against a brute-force reading of
/// ownership, after random sequences of mints, transfers, renouncements and uses; and the lists' links in raw
/// storage.
contract LicenseTokenTest is Test {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    uint256 internal constant RECORDS_SLOT = 7; // LicenseToken._records
    uint256 internal constant BEST_SLOT = 8; // LicenseToken._best

    LicenseTokenHandler internal handler;
    LicenseToken internal token;
    address internal bob = makeAddr("bob");

    function setUp() public {
        address[4] memory holders = [bob, makeAddr("carol"), makeAddr("dave"), makeAddr("erin")];
        handler = new LicenseTokenHandler(holders);
        token = handler.token();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](4);
        selectors[0] = LicenseTokenHandler.mint.selector;
        selectors[1] = LicenseTokenHandler.transfer.selector;
        selectors[2] = LicenseTokenHandler.renounce.selector;
        selectors[3] = LicenseTokenHandler.markUsed.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector({addr: address(handler), selectors: selectors});
    }

    /// Every (holder, asset) list holds exactly the live licences of that holder on that asset, once each, and
    /// each best licence fits its use and lasts as long as the longest-lasting fitting licence (0 iff none).
    /// forge-config: ci.invariant.runs = 64
    function invariant_listsAndBestLicencesMatchOwnership() public view {
        uint256 n = token.totalLicenses();
        uint256 listed;
        for (uint256 h; h < 4; ++h) {
            address holder = handler.holder(h);
            for (uint256 a = 1; a <= handler.ASSETS(); ++a) {
                uint256[] memory ids = token.licensesOf(holder, a);
                listed += ids.length;
                for (uint256 i; i < ids.length; ++i) {
                    assertEq(token.ownerOf(ids[i]), holder, "listed licence held by the list's holder");
                    assertEq(token.licenseOf(ids[i]).assetId, a, "listed licence on the list's asset");
                    for (uint256 j; j < i; ++j) {
                        assertTrue(ids[i] != ids[j], "listed once");
                    }
                }
                for (uint256 u; u < 3; ++u) {
                    _checkBest(holder, a, LicenseUse(u), n);
                }
            }
        }
        uint256 held;
        for (uint256 h; h < 4; ++h) {
            held += token.balanceOf(handler.holder(h));
        }
        assertEq(listed, held, "every live licence is listed");
    }

    function _checkBest(address holder, uint256 assetId, LicenseUse use, uint256 n) internal view {
        uint256 best = token.bestLicense(holder, assetId, use);
        // The longest-lasting fitting licence by brute force over every id (rank: perpetual above any expiry).
        uint256 topRank;
        for (uint256 id = 1; id <= n; ++id) {
            if (!_live(id) || token.ownerOf(id) != holder) continue;
            License memory l = token.licenseOf(id);
            if (l.assetId != assetId || !_fits(l, use)) continue;
            uint256 rank = _rank(l);
            if (rank > topRank) topRank = rank;
        }
        if (topRank == 0) {
            assertEq(best, 0, "no best licence when none fits");
            return;
        }
        assertTrue(best != 0, "a best licence when one fits");
        assertEq(token.ownerOf(best), holder, "best licence held");
        License memory b = token.licenseOf(best);
        assertEq(b.assetId, assetId, "best licence on the asset");
        assertTrue(_fits(b, use), "best licence fits the use");
        assertEq(_rank(b), topRank, "best licence lasts longest");
    }

    function _live(uint256 id) internal view returns (bool live) {
        try token.ownerOf(id) returns (address) {
            live = true;
        } catch {}
    }

    function _fits(License memory l, LicenseUse use) internal pure returns (bool) {
        if (use == LicenseUse.Commercial) return l.commercialUse;
        if (use == LicenseUse.Derivative) return l.derivativesAllowed && !l.usedForDerivative;
        return true;
    }

    function _rank(License memory l) internal pure returns (uint256) {
        return l.expiresAt == 0 ? type(uint40).max : uint256(l.expiresAt) + 1;
    }

    // ─────────────────────────────── the links in storage ───────────────────────────────

    function _record(uint256 id) internal view returns (uint256) {
        return uint256(vm.load(address(token), keccak256(abi.encode(id, RECORDS_SLOT))));
    }

    function _links(uint256 id) internal view returns (uint256 prev, uint256 next) {
        uint256 w = _record(id);
        return ((w >> 192) & type(uint32).max, w >> 224);
    }

    function _head(address holder, uint256 assetId) internal view returns (uint256) {
        bytes32 inner = keccak256(abi.encode(holder, BEST_SLOT));
        return uint256(vm.load(address(token), keccak256(abi.encode(assetId, inner)))) >> 192;
    }

    /// Three licences on one asset list newest first, linked both ways through their records; when the middle
    /// one leaves, its neighbours link to each other and its own links are cleared; when the head leaves, the
    /// next one becomes the head.
    function test_list_isNewestFirstAndRelinksWhenALicenceLeaves() public {
        for (uint256 i; i < 3; ++i) {
            handler.mint(0, 0, 1, 1); // bob, asset 1, expiry 100, commercial
        }
        handler.mint(0, 1, 0, 0); // bob, asset 2: its own list
        assertEq(token.licensesOf(bob, 1), toArray(3, 2, 1), "newest first");
        assertEq(_head(bob, 1), 3, "head");
        (uint256 prev, uint256 next) = _links(2);
        assertEq(prev, 3, "2.prev");
        assertEq(next, 1, "2.next");
        (prev, next) = _links(4);
        assertEq(prev + next, 0, "asset 2's licence is alone in its list");

        vm.prank(bob);
        token.renounce(2);
        assertEq(token.licensesOf(bob, 1), toArray(3, 1), "middle left");
        (, next) = _links(3);
        assertEq(next, 1, "3.next skips 2");
        (prev,) = _links(1);
        assertEq(prev, 3, "1.prev skips 2");
        (prev, next) = _links(2);
        assertEq(prev + next, 0, "2's links cleared");

        vm.prank(bob);
        token.renounce(3);
        assertEq(token.licensesOf(bob, 1), toArray(1), "head left");
        assertEq(_head(bob, 1), 1, "new head");
        (prev, next) = _links(1);
        assertEq(prev + next, 0, "alone again");
        assertEq(token.bestLicense(bob, 1, LicenseUse.Commercial), 1, "best re-chosen from what is left");
    }

    /// A licence's links are 32 bits: once every id up to 2^32 - 1 is taken, minting refuses and changes nothing.
    function test_mint_revertsWhenLicenceIdsAreExhausted() public {
        uint256 max = type(uint32).max;
        // slot 6: the count in the low 248 bits, the deployed flag in the top byte
        vm.store(address(token), bytes32(uint256(6)), bytes32((uint256(1) << 248) | (max - 1)));
        handler.mint(0, 0, 0, 0);
        assertEq(token.totalLicenses(), max, "the last id is minted");
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseIdsExhausted.selector, max));
        handler.mint(0, 0, 0, 0);
        assertEq(token.totalLicenses(), max, "nothing minted");
        assertEq(token.licensesOf(bob, 1), toArray(max), "the list unchanged");
    }

    /// The handler's actions succeed (an invariant over refused calls only would prove nothing).
    function test_handler_drivesEveryAction() public {
        handler.mint(0, 0, 0, 1 | 2 | 4); // bob: transferable, commercial, derivatives; perpetual
        handler.mint(0, 0, 1, 2); // bob: derivatives, expiry 100
        handler.transfer(0, 1); // licence 1 to carol
        assertEq(token.ownerOf(1), handler.holder(1), "transferred");
        handler.markUsed(1); // licence 2 used
        assertTrue(token.licenseOf(2).usedForDerivative, "used");
        assertEq(token.bestLicense(bob, 1, LicenseUse.Derivative), 0, "bob's only derivative licence used up");
        handler.renounce(1); // licence 2 renounced
        assertEq(token.licensesOf(bob, 1).length, 0, "renounced");
        invariant_listsAndBestLicencesMatchOwnership();
    }
}
