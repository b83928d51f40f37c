// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {RevenueSplit} from "../../src/libraries/RevenueSplit.sol";
import {Test} from "../utils/Test.sol";

/// @notice The revenue split's arithmetic over every uint256 amount: `cut` equals the exact 512-bit
/// `floor(value * bps / 10 000)` (OpenZeppelin's `Math.mulDiv`) and never reverts, and a whole split credits
/// exactly the amount paid with no ancestor above its share, for fee rates within the caps and up to 32
/// ancestors whose stack is at most 100 %, sampled with the CI profile's 10 000 runs each. halmos proves the
/// same for every input (`test/halmos/RevenueSplit.halmos.t.sol`, `make prove`): the lemmas on `cut` and the
/// split with one ancestor directly, n ancestors by the induction written there; these runs also check it
/// against an independent implementation (OpenZeppelin's `mulDiv`) and with up to 32 ancestors.
contract RevenueSplitTest is Test {
    uint16 internal constant MAX_FEE = 1_000; // LicensingHub.MAX_PLATFORM_FEE_BPS
    uint16 internal constant MAX_REFERRAL = 500; // LicensingHub.MAX_REFERRAL_FEE_BPS

    function testFuzz_cut_isTheExactFloorForEveryValue(uint256 value, uint16 bps) public pure {
        bps = uint16(bps % 10_001);
        assertEq(RevenueSplit.cut(value, bps), Math.mulDiv(value, bps, 10_000));
    }

    function test_cut_atTheExtremes() public pure {
        uint256 max = type(uint256).max;
        assertEq(RevenueSplit.cut(max, 10_000), max);
        assertEq(RevenueSplit.cut(max, 0), 0);
        assertEq(RevenueSplit.cut(max, 9_999), Math.mulDiv(max, 9_999, 10_000));
        assertEq(RevenueSplit.cut(9_999, 1), 0);
        assertEq(RevenueSplit.cut(10_000, 1), 1);
    }

    function testFuzz_split_creditsExactlyTheAmountAndNoAncestorMoreThanItsShare(
        uint256 amount,
        uint16 feeBps,
        uint16 referralBps,
        bool referred,
        uint256 seed,
        uint8 n
    ) public pure {
        feeBps = uint16(feeBps % (MAX_FEE + 1));
        referralBps = uint16(referralBps % (MAX_REFERRAL + 1));
        uint16[] memory shares = _shares(seed, n % 33);

        (uint256 fee, uint256 referral, uint256[] memory cuts, uint256 rest) =
            RevenueSplit.split(amount, feeBps, referralBps, referred, shares);

        assertEq(fee, Math.mulDiv(amount, feeBps, 10_000));
        assertEq(referral, referred ? Math.mulDiv(amount, referralBps, 10_000) : 0);
        uint256 net = amount - fee - referral;
        uint256 paid;
        for (uint256 i; i < cuts.length; ++i) {
            assertEq(cuts[i], Math.mulDiv(net, shares[i], 10_000), "an ancestor's cut is its share, rounded down");
            paid += cuts[i];
        }
        assertEq(fee + referral + paid + rest, amount, "the parts add up to the amount paid");
    }

    /// @dev `n` shares drawn from `seed` whose sum is at most 10 000 (a stack the hub accepts).
    function _shares(uint256 seed, uint256 n) internal pure returns (uint16[] memory shares) {
        shares = new uint16[](n);
        uint256 left = 10_000;
        for (uint256 i; i < n; ++i) {
            uint256 share = uint256(keccak256(abi.encode(seed, i))) % (left + 1);
            shares[i] = uint16(share);
            left -= share;
        }
    }
}
