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

/// @notice False claims aimed at the solver's translation itself (from its review): EVM division by zero, a
/// dropped conjunct of the goal, a collapsed chain of wrapping additions and subtractions, a narrow product.
/// Each must be refuted too.
contract SolverCanary {
    /// False: the EVM's `div` by zero is 0 (SMT-LIB's `bvudiv` by zero is all ones).
    function check_canary_divisionByZeroIsNotZero(uint256 x, uint256 y) public pure {
        uint256 z;
        assembly {
            z := div(x, y)
        }
        assert(y != 0 || z != 0);
    }

    /// False: `x * x` can exceed 100 while `s` is negative; the signed half is what the translation drops.
    function check_canary_aDroppedConjunctStillRefutes(uint256 x, int256 s) public pure {
        unchecked {
            if (x < 2 ** 100) assert(x * x <= 100 || s >= 0);
        }
    }

    /// False: `a - b` wraps when `b > a`, so the chain can exceed `a`.
    function check_canary_aWrappingChainStaysBelow(uint256 a, uint256 b, uint256 c) public pure {
        unchecked {
            assert(a - b - c + b <= a);
        }
    }

    /// False: a uint16 product wraps, so dividing it back loses `x`.
    function check_canary_aNarrowProductNeverWraps(uint16 x) public pure {
        unchecked {
            uint16 z = x * 300;
            assert(z / 300 == x);
        }
    }
}
