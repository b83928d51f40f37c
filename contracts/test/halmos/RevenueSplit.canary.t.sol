// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RevenueSplit} from "../../src/libraries/RevenueSplit.sol";

/// @notice Three claims about `cut` that are FALSE, for the solver to refute. `make prove` requires halmos, with the
/// same solver as the proofs (`contracts/halmos/bv2int.py`), to find a counterexample to each; a solver that
/// answered "proved" to everything would pass `RevenueSplitHalmos` and fail here.
contract RevenueSplitHalmosCanary {
    uint256 internal constant BPS = 10_000;

    /// False: rounding down twice loses up to one unit against rounding the sum once.
    function check_canary_cutIsAdditive(uint256 value, uint16 a, uint16 b) public pure {
        if (uint256(a) + b > BPS) return;
        assert(RevenueSplit.cut(value, a) + RevenueSplit.cut(value, b) == RevenueSplit.cut(value, a + b));
    }

    /// False: a rate above the whole (the hub never passes one) cuts more than the value.
    function check_canary_aRateAboveTheWholeStaysWithinTheValue(uint256 value, uint16 bps) public pure {
        if (bps > 2 * BPS) return;
        assert(RevenueSplit.cut(value, bps) <= value);
    }

    /// False: without the no-wrap bound, `value * bps` overflows and the naive floor differs from `cut`.
    function check_canary_theNaiveFloorHoldsForEveryValue(uint256 value, uint16 bps) public pure {
        if (bps > BPS) return;
        unchecked {
            assert(RevenueSplit.cut(value, bps) == value * bps / BPS);
        }
    }
}
