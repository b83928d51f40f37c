// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RevenueSplit} from "../../src/libraries/RevenueSplit.sol";

/// @notice Symbolic checks of the revenue split, run by halmos (`make audit`): every `check_` function's
/// arguments range over all values, so a passing check is a proof for every amount (up to 2^96 - 1, the largest
/// offer price), fee rate within the caps and share vector whose stack is at most 100 %, for the stated number
/// of ancestors (each ancestor adds the same step to the walk). Forge does not run these (it runs `test_`
/// functions only).
contract RevenueSplitSymbolic {
    uint16 internal constant MAX_FEE = 1_000; // LicensingHub.MAX_PLATFORM_FEE_BPS
    uint16 internal constant MAX_REFERRAL = 500; // LicensingHub.MAX_REFERRAL_FEE_BPS

    /// @dev Splits and checks: the parts add up to `amount` exactly (the owner's rest never underflows, or the
    /// call would revert), the fees are at most their rates, and no ancestor gets more than its share of `net`.
    function _check(uint96 amount, uint16 feeBps, uint16 referralBps, bool referred, uint16[] memory shares)
        internal
        pure
    {
        (uint256 fee, uint256 referral, uint256[] memory cuts, uint256 rest) =
            RevenueSplit.split(amount, feeBps, referralBps, referred, shares);
        uint256 net = uint256(amount) - fee - referral;
        uint256 total = fee + referral + rest;
        for (uint256 i; i < cuts.length; ++i) {
            total += cuts[i];
            assert(cuts[i] * 10_000 <= net * shares[i]);
        }
        assert(total == amount);
        assert(fee * 10_000 <= uint256(amount) * feeBps);
        assert(referral * 10_000 <= uint256(amount) * referralBps);
        assert(referred || referral == 0);
    }

    function check_split_noAncestor(uint96 amount, uint16 feeBps, uint16 referralBps, bool referred) public pure {
        if (feeBps > MAX_FEE || referralBps > MAX_REFERRAL) return;
        _check(amount, feeBps, referralBps, referred, new uint16[](0));
    }

    function check_split_oneAncestor(uint96 amount, uint16 feeBps, uint16 referralBps, bool referred, uint16 a)
        public
        pure
    {
        if (feeBps > MAX_FEE || referralBps > MAX_REFERRAL || a > 10_000) return;
        uint16[] memory shares = new uint16[](1);
        shares[0] = a;
        _check(amount, feeBps, referralBps, referred, shares);
    }

    function check_split_twoAncestors(uint96 amount, uint16 feeBps, uint16 a, uint16 b) public pure {
        if (feeBps > MAX_FEE || uint256(a) + b > 10_000) return;
        uint16[] memory shares = new uint16[](2);
        (shares[0], shares[1]) = (a, b);
        _check(amount, feeBps, 0, false, shares);
    }

    function check_split_threeAncestors(uint96 amount, uint16 a, uint16 b, uint16 c) public pure {
        if (uint256(a) + b + c > 10_000) return;
        uint16[] memory shares = new uint16[](3);
        (shares[0], shares[1], shares[2]) = (a, b, c);
        _check(amount, 0, 0, false, shares);
    }
}
