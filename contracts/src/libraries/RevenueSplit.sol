// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BPS} from "../types/GenIPTypes.sol";

/// @title The revenue split's arithmetic, in one place
/// @notice How a payment of `amount` to an asset is divided (see {ILicensingHub}): the referral fee and the
/// platform fee come off the top, each ancestor gets its absolute share of what is left (`net`), rounded down,
/// and the asset's owner gets the rest, rounding dust included. The hub credits with {fees} and {cut}; fuzz tests
/// (`test/libraries/RevenueSplit.t.sol`) hold every cut to OpenZeppelin's exact 512-bit `mulDiv` and every split
/// to add up to `amount` with no ancestor above its share.
library RevenueSplit {
    /// @notice The referral fee (only when a referrer is named) and the platform fee of `amount`, and what
    /// remains for the lineage.
    /// @dev The hub caps `feeBps + referralBps` far below 10 000 (10 % + 5 %), so `net` never underflows.
    function fees(uint256 amount, uint16 feeBps, uint16 referralBps, bool referred)
        internal
        pure
        returns (uint256 fee, uint256 referral, uint256 net)
    {
        referral = referred ? cut(amount, referralBps) : 0;
        fee = cut(amount, feeBps);
        net = amount - fee - referral;
    }

    /// @notice `floor(value * bps / 10 000)` for `bps` ≤ 10 000, exact for every uint256 `value` (no overflow):
    /// `value = q * 10 000 + r`, so the result is `q * bps + floor(r * bps / 10 000)`, and both products stay
    /// within `value` and 10^8.
    function cut(uint256 value, uint16 bps) internal pure returns (uint256) {
        unchecked {
            // Dividing first is the point: it keeps the product below `value` (no overflow), and the
            // remainder's term restores the exact floor (triaged in contracts/audit/TRIAGE.md).
            // slither-disable-next-line divide-before-multiply
            return (value / BPS) * bps + (value % BPS) * bps / BPS;
        }
    }

    /// @notice The whole split for ancestors with `shares` (which must sum to at most 10 000): the fees, each
    /// ancestor's cut and the owner's rest. The hub does the same walk while crediting; this form is what the
    /// tests check.
    function split(uint256 amount, uint16 feeBps, uint16 referralBps, bool referred, uint16[] memory shares)
        internal
        pure
        returns (uint256 fee, uint256 referral, uint256[] memory cuts, uint256 rest)
    {
        uint256 net;
        (fee, referral, net) = fees(amount, feeBps, referralBps, referred);
        cuts = new uint256[](shares.length);
        rest = net;
        for (uint256 i; i < shares.length; ++i) {
            cuts[i] = cut(net, shares[i]);
            rest -= cuts[i];
        }
    }
}
