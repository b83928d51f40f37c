// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RevenueSplit} from "../../src/libraries/RevenueSplit.sol";

/// @notice Symbolic proofs (halmos, `make prove`) of the revenue split's arithmetic for EVERY amount and share
/// vector, where `test/libraries/RevenueSplit.t.sol` samples them. `forge test` runs nothing here: it only runs
/// `test*` functions, and halmos only `check_*`. A check passes when no input reaches a failing `assert`; halmos
/// drops reverting paths, so every property that must not revert is called through {split} with `try` and a
/// `catch` that asserts.
/// @dev The solver is `contracts/halmos/bv2int.py`, which proves halmos's bit-vector queries in integer
/// arithmetic (bit-blasting does not settle `q * bps` against `value` within minutes).
///
/// How the lemmas give the split for any number of ancestors `n`. The direct check for one ancestor also
/// proves (about 30 s on 2 cores); the ones for two and three are kept for a faster solver, not run by `make prove`
/// (`--function check_split_two` runs one): each did not settle within 120 s per query (December 2026).
/// Write c(v, b) for `cut(v, b)`. For every uint256 v and b ≤ 10 000:
///   (L0) c(v, b) ≤ v, so `cut`'s unchecked arithmetic never wraps: it is the integer q·b + ⌊r·b / 10 000⌋
///        with v = 10 000·q + r, which is ⌊v·b / 10 000⌋ (v·b = 10 000·q·b + r·b);
///   (L1) c(v, b) = ⌊v·b / 10 000⌋ where v·b fits in 256 bits (every v ≤ 2^256 / 10 000 ≈ 1.2·10^73);
///   (L2) c(v, a) + c(v, b) ≤ c(v, a + b) for a + b ≤ 10 000;
///   (L3) c(v, 10 000) = v.
/// Fees: fee + referral = c(A, f) + c(A, f') ≤ c(A, f + f') ≤ A by (L2), (L0) (f + f' ≤ 1 500), so
/// `net = A - fee - referral` does not underflow. Ancestors with shares s_1..s_n, Σ s_i ≤ 10 000: by induction
/// with (L2), Σ_{i≤k} c(net, s_i) ≤ c(net, Σ_{i≤k} s_i) ≤ net (L0), so no `rest -= cut` underflows and
/// rest = net - Σ c(net, s_i) ≥ 0; hence fee + referral + Σ cuts + rest = A exactly, and each ancestor gets
/// c(net, s_i) = ⌊net·s_i / 10 000⌋ (L0, L1), never more than its share.
contract RevenueSplitHalmos {
    uint256 internal constant BPS = 10_000;
    uint16 internal constant MAX_FEE = 1_000; // LicensingHub.MAX_PLATFORM_FEE_BPS
    uint16 internal constant MAX_REFERRAL = 500; // LicensingHub.MAX_REFERRAL_FEE_BPS
    /// @dev The largest value whose product with any rate ≤ 10 000 fits in 256 bits.
    uint256 internal constant NO_WRAP = type(uint256).max / BPS;

    // ─────────────────────────────── lemmas on `cut` ───────────────────────────────

    /// (L0) The cut never exceeds the value, for every uint256 value: its products cannot wrap.
    function check_cut_neverExceedsTheValue(uint256 value, uint16 bps) public pure {
        if (bps > BPS) return;
        assert(RevenueSplit.cut(value, bps) <= value);
    }

    /// (L1) The cut is exactly ⌊value · bps / 10 000⌋ wherever that product fits in 256 bits.
    function check_cut_isTheExactFloor(uint256 value, uint16 bps) public pure {
        if (bps > BPS || value > NO_WRAP) return;
        uint256 product;
        unchecked {
            product = value * bps; // exact: value ≤ NO_WRAP and bps ≤ 10 000
        }
        assert(RevenueSplit.cut(value, bps) == product / BPS);
    }

    /// (L2) Two cuts never add up to more than the cut of the two rates together.
    function check_cut_isSuperadditive(uint256 value, uint16 a, uint16 b) public pure {
        if (uint256(a) + b > BPS) return;
        uint256 ca = RevenueSplit.cut(value, a);
        uint256 cb = RevenueSplit.cut(value, b);
        uint256 cab = RevenueSplit.cut(value, a + b);
        assert(ca <= cab);
        assert(cb <= cab - ca);
    }

    /// (L3) The whole rate is the whole value.
    function check_cut_ofTheWholeRateIsTheValue(uint256 value) public pure {
        assert(RevenueSplit.cut(value, uint16(BPS)) == value);
    }

    // ─────────────────────────────── the split, directly ───────────────────────────────

    function check_split_oneAncestor(uint256 amount, uint16 feeBps, uint16 referralBps, bool referred, uint16 s0)
        public
        view
    {
        uint16[] memory shares = new uint16[](1);
        shares[0] = s0;
        _checkSplit(amount, feeBps, referralBps, referred, shares);
    }

    function check_split_twoAncestors(
        uint256 amount,
        uint16 feeBps,
        uint16 referralBps,
        bool referred,
        uint16 s0,
        uint16 s1
    ) public view {
        uint16[] memory shares = new uint16[](2);
        (shares[0], shares[1]) = (s0, s1);
        _checkSplit(amount, feeBps, referralBps, referred, shares);
    }

    function check_split_threeAncestors(
        uint256 amount,
        uint16 feeBps,
        uint16 referralBps,
        bool referred,
        uint16 s0,
        uint16 s1,
        uint16 s2
    ) public view {
        uint16[] memory shares = new uint16[](3);
        (shares[0], shares[1], shares[2]) = (s0, s1, s2);
        _checkSplit(amount, feeBps, referralBps, referred, shares);
    }

    /// @notice The library's split, as an external call so that a revert is seen (and asserted against).
    function split(uint256 amount, uint16 feeBps, uint16 referralBps, bool referred, uint16[] memory shares)
        external
        pure
        returns (uint256 fee, uint256 referral, uint256[] memory cuts, uint256 rest)
    {
        return RevenueSplit.split(amount, feeBps, referralBps, referred, shares);
    }

    /// @dev For fee rates within the hub's caps and shares summing to at most 10 000: the split does not revert,
    /// its parts add up to `amount` exactly, and each ancestor gets its share of `net`, rounded down.
    function _checkSplit(uint256 amount, uint16 feeBps, uint16 referralBps, bool referred, uint16[] memory shares)
        internal
        view
    {
        if (feeBps > MAX_FEE || referralBps > MAX_REFERRAL) return;
        uint256 stacked;
        for (uint256 i; i < shares.length; ++i) {
            stacked += shares[i];
        }
        if (stacked > BPS) return;

        try this.split(amount, feeBps, referralBps, referred, shares) returns (
            uint256 fee, uint256 referral, uint256[] memory cuts, uint256 rest
        ) {
            // Unchecked, with every bound asserted: a revert in here would be dropped, a failed assert is not.
            unchecked {
                assert(fee <= amount && referral <= amount - fee);
                uint256 net = amount - fee - referral;
                assert(rest <= net);
                if (amount <= NO_WRAP) {
                    assert(fee == amount * feeBps / BPS); // exact: amount · rate fits
                    assert(referral == (referred ? amount * referralBps / BPS : 0));
                }
                uint256 paid = fee + referral + rest; // ≤ amount, as just asserted
                for (uint256 i; i < cuts.length; ++i) {
                    assert(cuts[i] <= type(uint256).max - paid); // the sum does not wrap
                    paid += cuts[i];
                    // Its share of `net`, rounded down: (L0) and (L1) hold for every value, `net` included.
                    assert(cuts[i] == RevenueSplit.cut(net, shares[i]));
                }
                assert(paid == amount);
            }
        } catch {
            assert(false); // the split reverted for admissible rates
        }
    }
}
