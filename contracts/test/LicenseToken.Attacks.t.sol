// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {ILicenseToken} from "../src/interfaces/ILicenseToken.sol";
import {LicenseToken} from "../src/LicenseToken.sol";
import {License, LicenseUse} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";

/// @notice A licence receiver that acts inside `onERC721Received` (re-entering the token or the hub).
contract ReentrantLicenceReceiver {
    enum Action {
        None,
        PassOn,
        Renounce,
        SendBack,
        SafeToSelf,
        BuyAgain
    }

    LicenseToken public immutable token;
    address public immutable hub;
    Action public action;
    address public target;
    uint256 public offerId;
    uint256 public bought;
    uint256 public calls;

    constructor(LicenseToken token_, address hub_) {
        token = token_;
        hub = hub_;
    }

    function set(Action action_, address target_, uint256 offerId_) external {
        action = action_;
        target = target_;
        offerId = offerId_;
    }

    function onERC721Received(address, address from, uint256 id, bytes calldata) external returns (bytes4) {
        ++calls;
        Action a = action;
        action = Action.None; // act once (a nested safe transfer re-enters here)
        if (a == Action.PassOn) token.transferFrom(address(this), target, id);
        else if (a == Action.Renounce) token.renounce(id);
        else if (a == Action.SendBack) token.transferFrom(address(this), from, id);
        else if (a == Action.SafeToSelf) token.safeTransferFrom(address(this), address(this), id);
        else if (a == Action.BuyAgain) bought = IBuy(hub).buyLicense(offerId, address(this), address(0));
        return this.onERC721Received.selector;
    }
}

interface IBuy {
    function buyLicense(uint256 offerId, address holder, address referrer) external payable returns (uint256);
}

/// @notice Adversarial review of the licence token's linked (holder, asset) lists and best licences (#14).
/// `test_attack_*_fails`: the attack is refused or leaves every list and best licence consistent. A standalone
/// token (this test is its hub) gives full control over terms, expiries and the id counter; the hub's own token
/// covers the hub-level paths (licenseStatus, registerDerivative, buying inside a receiver).
contract LicenseTokenAttacksTest is Base {
    uint256 internal constant COUNT_SLOT = 6; // LicenseToken._totalLicenses (+ _deployed)
    uint256 internal constant RECORDS_SLOT = 7; // LicenseToken._records
    uint256 internal constant BEST_SLOT = 8; // LicenseToken._best
    uint256 internal constant MASK32 = type(uint32).max;

    LicenseToken internal tok;
    address internal mallory;

    /// @dev The griefing figures (read them with -vvvv): renounce of a spare before / after 300 gifts, markUsed,
    /// transfer and renounce of a best licence with 300 gifts.
    event GasUsed(uint256 shedFew, uint256 shedMany, uint256 useBest, uint256 moveBest, uint256 dropBest);

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        vm.roll(100);
        mallory = makeAddr("mallory");
        tok = new LicenseToken();
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    /// @dev flags: 1 commercial, 2 derivatives, 4 transferable, 8 generation.
    function _mint(address to, uint64 asset, uint40 expiresAt, uint8 flags) internal returns (uint256) {
        License memory l;
        l.assetId = asset;
        l.offerId = 1;
        l.expiresAt = expiresAt;
        l.revShareBps = 100;
        l.commercialUse = flags & 1 != 0;
        l.derivativesAllowed = flags & 2 != 0;
        l.transferable = flags & 4 != 0;
        l.generation = flags & 8 != 0;
        return tok.mint(to, l);
    }

    function _record(LicenseToken t, uint256 id) internal view returns (uint256) {
        return uint256(vm.load(address(t), keccak256(abi.encode(id, RECORDS_SLOT))));
    }

    function _head(LicenseToken t, address holder, uint256 asset) internal view returns (uint256) {
        bytes32 inner = keccak256(abi.encode(holder, BEST_SLOT));
        return uint256(vm.load(address(t), keccak256(abi.encode(asset, inner)))) >> 192;
    }

    function _live(LicenseToken t, uint256 id) internal view returns (bool ok, address owner) {
        try t.ownerOf(id) returns (address o) {
            return (true, o);
        } catch {}
    }

    function _rank(License memory l) internal pure returns (uint256) {
        return l.expiresAt == 0 ? type(uint256).max : l.expiresAt;
    }

    function _fits(License memory l, LicenseUse use) internal pure returns (bool) {
        if (use == LicenseUse.Commercial) return l.commercialUse;
        if (use == LicenseUse.Derivative) return l.derivativesAllowed && !l.usedForDerivative;
        return true;
    }

    /// @dev The (holder, asset) list against ownership by brute force, its raw links both ways, and each best
    /// licence against the longest-lasting fitting licence; burned licences keep no links.
    function _check(LicenseToken t, address holder, uint256 asset) internal view {
        uint256[] memory ids = t.licensesOf(holder, asset);
        assertEq(_head(t, holder, asset), ids.length == 0 ? 0 : ids[0], "head slot");
        for (uint256 i; i < ids.length; ++i) {
            uint256 w = _record(t, ids[i]);
            assertEq((w >> 192) & MASK32, i == 0 ? 0 : ids[i - 1], "prev link");
            assertEq(w >> 224, i + 1 == ids.length ? 0 : ids[i + 1], "next link");
            assertEq(t.ownerOf(ids[i]), holder, "listed licence held");
            assertEq(t.licenseOf(ids[i]).assetId, asset, "listed licence on the asset");
        }
        uint256 n = t.totalLicenses();
        uint256 held;
        uint256[3] memory top;
        for (uint256 id = 1; id <= n; ++id) {
            (bool ok, address owner) = _live(t, id);
            if (!ok) {
                assertEq(_record(t, id) >> 192, 0, "burned licence keeps no links");
                continue;
            }
            License memory l = t.licenseOf(id);
            if (owner != holder || l.assetId != asset) continue;
            ++held;
            for (uint256 u; u < 3; ++u) {
                if (_fits(l, LicenseUse(u)) && _rank(l) > top[u]) top[u] = _rank(l);
            }
        }
        assertEq(ids.length, held, "list length = licences held");
        for (uint256 u; u < 3; ++u) {
            uint256 best = t.bestLicense(holder, asset, LicenseUse(u));
            if (top[u] == 0) {
                assertEq(best, 0, "no best when none fits");
                continue;
            }
            assertEq(t.ownerOf(best), holder, "best held");
            License memory b = t.licenseOf(best);
            assertEq(b.assetId, asset, "best on the asset");
            assertTrue(_fits(b, LicenseUse(u)), "best fits");
            assertEq(_rank(b), top[u], "best lasts longest");
        }
    }

    function _checkAll(LicenseToken t, address[] memory holders, uint256 assets) internal view {
        for (uint256 h; h < holders.length; ++h) {
            for (uint256 a = 1; a <= assets; ++a) {
                _check(t, holders[h], a);
            }
        }
    }

    function _people(address x, address y, address z) internal pure returns (address[] memory p) {
        p = new address[](3);
        (p[0], p[1], p[2]) = (x, y, z);
    }

    // ─────────────────────────────── list corruption ───────────────────────────────

    /// Transferring a licence to oneself (head, middle, tail, only element) leaves the list and best intact.
    function test_attack_transferToSelf_fails() public {
        uint256 a = _mint(bob, 1, 0, 7);
        uint256 b = _mint(bob, 1, 500, 7);
        uint256 c = _mint(bob, 1, 300, 7);
        uint256 only = _mint(bob, 2, 0, 7);
        uint256[4] memory order = [b, a, c, only];
        for (uint256 i; i < 4; ++i) {
            vm.prank(bob);
            tok.transferFrom(bob, bob, order[i]);
            _check(tok, bob, 1);
            _check(tok, bob, 2);
            vm.prank(bob);
            tok.safeTransferFrom(bob, bob, order[i]);
            _check(tok, bob, 1);
        }
        assertEq(tok.balanceOf(bob), 4);
        assertEq(tok.bestLicense(bob, 1, LicenseUse.Display), a, "perpetual stays best");
        assertEq(tok.licensesOf(bob, 1).length, 3);
    }

    /// An approved or all-operator moves the victim's best licence: lists follow, approval is spent, and a
    /// non-transferable licence stays put.
    function test_attack_operatorApproveAndTransferFrom_fails() public {
        uint256 keep = _mint(bob, 1, 400, 7);
        uint256 best = _mint(bob, 1, 0, 7);
        uint256 stuck = _mint(bob, 1, 0, 3); // non-transferable
        vm.prank(bob);
        tok.approve(mallory, best);
        vm.prank(mallory);
        tok.transferFrom(bob, mallory, best);
        assertEq(tok.getApproved(best), address(0), "approval spent");
        vm.prank(mallory);
        vm.expectRevert();
        tok.transferFrom(mallory, carol, keep); // no approval on keep
        vm.prank(bob);
        tok.setApprovalForAll(mallory, true);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseNotTransferable.selector, stuck));
        tok.transferFrom(bob, mallory, stuck);
        vm.prank(mallory);
        tok.safeTransferFrom(bob, carol, keep);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.NotLicenseHolder.selector, stuck, mallory, bob));
        tok.renounce(stuck);
        _checkAll(tok, _people(bob, mallory, carol), 1);
        assertEq(tok.bestLicense(bob, 1, LicenseUse.Display), stuck);
        assertEq(tok.bestLicense(mallory, 1, LicenseUse.Derivative), best);
    }

    /// A receiver re-entering inside onERC721Received (passes on, renounces, sends back, nested safe transfer to
    /// itself) never leaves a list or best licence behind.
    function test_attack_reentrantReceiver_fails() public {
        ReentrantLicenceReceiver r = new ReentrantLicenceReceiver(tok, address(0));
        address[] memory who = _people(bob, address(r), carol);
        uint8[4] memory actions = [1, 2, 3, 4];
        for (uint256 i; i < actions.length; ++i) {
            _mint(bob, 1, 100, 7);
            uint256 id = _mint(bob, 1, uint40(1000 + i), 7);
            _mint(bob, 1, 0, 3);
            _mint(address(r), 1, 200, 7);
            r.set(ReentrantLicenceReceiver.Action(actions[i]), carol, 0);
            vm.prank(bob);
            tok.safeTransferFrom(bob, address(r), id);
            _checkAll(tok, who, 1);
        }
        assertEq(r.calls(), 5, "the nested safe transfer re-entered once");
        assertEq(tok.ownerOf(2), carol, "passed on");
    }

    /// Burning the head, the tail, a middle element and the only element keeps the links right.
    function test_attack_burnHeadTailMiddleOnly_fails() public {
        uint256[5] memory ids;
        for (uint256 i; i < 5; ++i) {
            ids[i] = _mint(bob, 1, uint40(100 * (i + 1)), uint8(i % 2 == 0 ? 7 : 5));
        }
        uint256 only = _mint(bob, 2, 0, 3);
        // list newest first: 5 4 3 2 1; burn head (5), tail (1), middle (3), then the rest.
        uint256[5] memory order = [ids[4], ids[0], ids[2], ids[3], ids[1]];
        for (uint256 i; i < 5; ++i) {
            vm.prank(bob);
            tok.renounce(order[i]);
            _check(tok, bob, 1);
        }
        vm.prank(bob);
        tok.renounce(only);
        _check(tok, bob, 2);
        assertEq(_head(tok, bob, 1), 0);
        // re-use the emptied lists.
        _mint(bob, 1, 0, 7);
        _mint(bob, 2, 0, 7);
        _check(tok, bob, 1);
        _check(tok, bob, 2);
    }

    /// markUsed on a transferred, renounced or generation licence re-chooses only its current holder's best
    /// derivative licence and writes nothing for address(0).
    function test_attack_markUsedOnMovedOrGoneLicence_fails() public {
        uint256 moved = _mint(bob, 1, 0, 7);
        uint256 bobOwn = _mint(bob, 1, 500, 7);
        uint256 carolOwn = _mint(carol, 1, 900, 7);
        vm.prank(bob);
        tok.transferFrom(bob, carol, moved);
        tok.markUsed(moved, 1);
        assertEq(tok.bestLicense(carol, 1, LicenseUse.Derivative), carolOwn, "carol's best re-chosen");
        assertEq(tok.bestLicense(bob, 1, LicenseUse.Derivative), bobOwn, "bob unaffected");
        vm.prank(bob);
        tok.renounce(bobOwn);
        tok.markUsed(bobOwn, 2); // gone: its record is flagged, nothing else
        assertEq(uint256(vm.load(address(tok), keccak256(abi.encode(1, keccak256(abi.encode(address(0), 8)))))), 0);
        uint256 gen = _mint(bob, 1, 0, 15);
        tok.markUsed(gen, 3);
        tok.markUsed(gen, 4);
        assertEq(tok.bestLicense(bob, 1, LicenseUse.Derivative), gen, "generation licence stays best");
        assertFalse(tok.licenseOf(gen).usedForDerivative);
        vm.prank(bob);
        tok.transferFrom(bob, carol, gen);
        assertEq(tok.bestLicense(carol, 1, LicenseUse.Derivative), gen);
        _checkAll(tok, _people(bob, carol, address(0)), 1);
    }

    /// Licences of one holder on many assets, moved and burned interleaved, never cross lists.
    function test_attack_manyAssetsInterleaved_fails() public {
        for (uint256 i; i < 24; ++i) {
            _mint(i % 3 == 0 ? carol : bob, uint64(i % 4 + 1), uint40((i * 37) % 5 * 100), uint8(1 + i % 7) | 4);
        }
        for (uint256 id = 1; id <= 24; id += 3) {
            address owner = tok.ownerOf(id);
            vm.prank(owner);
            tok.transferFrom(owner, owner == bob ? carol : bob, id);
        }
        for (uint256 id = 2; id <= 24; id += 5) {
            address owner = tok.ownerOf(id);
            vm.prank(owner);
            tok.renounce(id);
            tok.markUsed(id + 1, id);
        }
        _checkAll(tok, _people(bob, carol, dave), 4);
    }

    /// Ties and expiry: among equal expiries any fitting one may be best, a perpetual beats any expiry, an
    /// expired best is reported only when every fitting licence has expired, and the hub never names a gone one.
    function test_attack_bestLicenceLiesOnTiesAndExpiry_fails() public {
        uint256 a = _register(alice);
        uint256 month = _offer(alice, a, _terms(true, true, true, 0), NATIVE, 0, 30 days, 0);
        uint256 forever = _offer(alice, a, _terms(false, true, true, 0), NATIVE, 0, 0, 0);
        uint256 t1 = _buy(brand, month);
        uint256 t2 = _buy(brand, month); // same block: a tie
        uint256 p = _buy(brand, forever);
        (bool ok, uint256 id,) = hub.licenseStatus(a, brand, LicenseUse.Commercial);
        assertTrue(ok && (id == t1 || id == t2), "a tied commercial licence");
        vm.prank(brand);
        licenseToken.renounce(id);
        (ok, id,) = hub.licenseStatus(a, brand, LicenseUse.Commercial);
        assertTrue(ok && (id == t1 || id == t2) && licenseToken.ownerOf(id) == brand, "the other tie");
        (, id,) = hub.licenseStatus(a, brand, LicenseUse.Display);
        assertEq(id, p, "perpetual first");
        vm.warp(block.timestamp + 30 days);
        (ok,,) = hub.licenseStatus(a, brand, LicenseUse.Commercial);
        assertFalse(ok, "expired commercial");
        (ok, id,) = hub.licenseStatus(a, brand, LicenseUse.Derivative);
        assertTrue(ok && id == p, "perpetual still valid");
        vm.prank(brand);
        licenseToken.renounce(p);
        (ok,,) = hub.licenseStatus(a, brand, LicenseUse.Display);
        assertFalse(ok, "only expired licences left");
        id = licenseToken.bestLicense(brand, a, LicenseUse.Display);
        assertTrue(id != p && licenseToken.ownerOf(id) == brand, "the expired one, still held");
    }

    // ─────────────────────────────── ids and calldata ───────────────────────────────

    /// The 32-bit links at the id cap: id 2^32 - 1 links and unlinks, id 2^32 is refused.
    function test_attack_overflowLinksAtIdCap_fails() public {
        uint256 low = _mint(bob, 1, 100, 7);
        vm.store(address(tok), bytes32(COUNT_SLOT), bytes32(uint256(1) << 248 | (MASK32 - 2)));
        uint256 second = _mint(bob, 1, 0, 7);
        uint256 max = _mint(bob, 1, 200, 7);
        assertEq(max, MASK32);
        assertEq(tok.totalLicenses(), MASK32);
        vm.expectRevert(abi.encodeWithSelector(ILicenseToken.LicenseIdsExhausted.selector, MASK32));
        _mint(bob, 1, 0, 7);
        uint256[] memory ids = tok.licensesOf(bob, 1);
        assertEq(ids.length, 3);
        assertEq(ids[0], max);
        assertEq(ids[1], second);
        assertEq(ids[2], low);
        assertEq(_record(tok, second) >> 192, MASK32 | low << 32, "links of the middle element");
        vm.prank(bob);
        tok.transferFrom(bob, carol, second);
        assertEq(tok.bestLicense(bob, 1, LicenseUse.Display), max);
        ids = tok.licensesOf(bob, 1);
        assertEq(ids.length, 2);
        assertEq(_record(tok, max) >> 224, low, "max links past the moved one");
        assertEq((_record(tok, low) >> 192) & MASK32, max);
        vm.prank(bob);
        tok.renounce(max);
        assertEq(tok.licensesOf(bob, 1)[0], low);
        assertEq(_head(tok, bob, 1), low);
    }

    /// Dirty calldata in mint (high bits above a field's width, a bool of 2) is refused, not packed into the
    /// neighbouring fields or the links; only the hub mints.
    function test_attack_dirtyCalldataMint_fails() public {
        bytes memory clean = abi.encodeWithSelector(
            ILicenseToken.mint.selector, bob, uint256(1), uint256(1), uint256(0), uint256(100), 1, 1, 1, 0, 0
        );
        uint256[6] memory dirt = [uint256(1) << 64, uint256(1) << 64, uint256(1) << 40, uint256(1) << 16, 2, 2];
        uint256[6] memory word = [uint256(1), 2, 3, 4, 5, 8];
        for (uint256 i; i < 6; ++i) {
            bytes memory bad = bytes.concat(clean);
            uint256 off = 4 + 32 * word[i];
            uint256 v;
            assembly {
                v := mload(add(add(bad, 32), off))
            }
            v |= dirt[i];
            assembly {
                mstore(add(add(bad, 32), off), v)
            }
            (bool ok,) = address(tok).call(bad);
            assertFalse(ok, "dirty field accepted");
        }
        assertEq(tok.totalLicenses(), 0);
        (bool ok2,) = address(tok).call(clean);
        assertTrue(ok2, "clean mint");
        assertEq(_record(tok, 1) >> 192, 0, "no links from a mint");
        vm.prank(mallory);
        (ok2,) = address(tok).call(clean);
        assertFalse(ok2, "only the hub mints");
        vm.prank(mallory);
        (ok2,) = address(tok).call(abi.encodeCall(ILicenseToken.markUsed, (1, 1)));
        assertFalse(ok2, "only the hub marks used");
    }

    // ─────────────────────────────── hub paths ───────────────────────────────

    /// A receiver buying another licence (through the hub) inside onERC721Received of a safe transfer, then
    /// passing one on: lists and hub status stay consistent.
    function test_attack_reentrantReceiverBuysAgain_fails() public {
        LicenseToken t = LicenseToken(address(licenseToken));
        ReentrantLicenceReceiver r = new ReentrantLicenceReceiver(t, address(hub));
        uint256 a = _register(alice);
        uint256 free = _offer(alice, a, _terms(true, true, true, 0), NATIVE, 0, 7 days, 0);
        uint256 perpetual = _offer(alice, a, _terms(true, true, true, 0), NATIVE, 0, 0, 0);
        uint256 id = _buy(brand, free);
        r.set(ReentrantLicenceReceiver.Action.BuyAgain, address(0), perpetual);
        vm.prank(brand);
        licenseToken.safeTransferFrom(brand, address(r), id);
        uint256 bought = r.bought();
        assertEq(licenseToken.ownerOf(bought), address(r));
        (bool ok, uint256 best,) = hub.licenseStatus(a, address(r), LicenseUse.Derivative);
        assertTrue(ok && best == bought, "the perpetual bought inside the callback is best");
        r.set(ReentrantLicenceReceiver.Action.PassOn, carol, 0);
        id = _buy(brand, perpetual);
        vm.prank(brand);
        licenseToken.safeTransferFrom(brand, address(r), id);
        _checkAll(t, _people(brand, address(r), carol), a);
    }

    // ─────────────────────────────── gas griefing ───────────────────────────────

    /// Licences gifted to a victim (300, the regression's count) leave the victim's renounce of a licence that is
    /// not a best one and its status read constant; re-choosing a best one walks the list (one cold slot per
    /// licence) but stays far below a block, and the victim can shed gifts one at a time at a constant cost.
    function test_attack_giftedLicencesGriefVictim_fails() public {
        uint256 own = _mint(brand, 1, 0, 7); // the victim's perpetual licence: best for every use
        uint256 spare = _mint(brand, 1, 100, 7);
        uint256 spare2 = _mint(brand, 1, 100, 7);
        uint256 g = gasleft();
        vm.prank(brand);
        tok.renounce(spare);
        uint256 shedFew = g - gasleft();
        for (uint256 i; i < 300; ++i) {
            _mint(brand, 1, uint40(1 days + i), 7); // mallory's gifts: shorter, never best while `own` is held
        }
        g = gasleft();
        vm.prank(brand);
        tok.renounce(spare2);
        uint256 shedMany = g - gasleft();
        g = gasleft();
        tok.markUsed(own, 1); // the victim registers a derivative with its best licence
        uint256 useBest = g - gasleft();
        g = gasleft();
        vm.prank(brand);
        tok.transferFrom(brand, carol, own); // ...or sells it on
        uint256 moveBest = g - gasleft();
        uint256 bestGift = tok.bestLicense(brand, 1, LicenseUse.Display);
        g = gasleft();
        vm.prank(brand);
        tok.renounce(bestGift); // ...or drops the best gift
        uint256 dropBest = g - gasleft();
        assertLe(shedMany, shedFew + 2_000, "shedding a gift does not grow with the gifts");
        assertLe(useBest, 1_100_000, "markUsed with 300 gifts (was 1.69 M with the set)");
        assertLe(moveBest, 1_500_000, "moving the best licence with 300 gifts (was 2.13 M)");
        assertLe(dropBest, 1_850_000, "renouncing the best gift with 300 gifts (was 2.46 M)");
        assertGt(useBest, 300 * 2_100, "walks the list (documented cost)");
        emit GasUsed(shedFew, shedMany, useBest, moveBest, dropBest);
        _check(tok, brand, 1);
        _check(tok, carol, 1);
    }
}
