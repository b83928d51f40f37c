// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Flattened ancestry lists
/// @notice An asset's ancestry is the list of every ancestor with its absolute share (basis points) of the
/// asset's revenue. It is built once, in memory, when a derivative registers, and stored packed as
/// (uint64 id, uint16 share) entries of 80 bits: the first entry (the head) is handed back to the caller, which
/// keeps it in a slot it writes anyway (the asset's state, beside the count), and the others go three per
/// storage word. A derivative of one root thus costs no slot of its own; one of up to four ancestors, one slot.
/// Asset ids are sequential from 1, so 64 bits hold every id a chain can ever mint.
library Ancestry {
    /// @notice More than `max` distinct ancestors.
    error TooManyAncestors(uint256 count, uint256 max);

    uint256 private constant PER_WORD = 3;
    uint256 private constant ENTRY_BITS = 80;
    uint256 private constant SHARE_MASK = 0xFFFF;
    uint256 private constant ENTRY_MASK = (1 << ENTRY_BITS) - 1;

    /// @dev An ancestry under construction; `ids`/`shares` have capacity `max`, the first `count` are used.
    /// Shares add up in 256 bits so that merging never overflows before the caller checks the stack.
    struct Builder {
        uint256[] ids;
        uint256[] shares;
        uint256 count;
        uint256 stack;
    }

    function builder(uint256 max) internal pure returns (Builder memory b) {
        b.ids = new uint256[](max);
        b.shares = new uint256[](max);
    }

    /// @notice Adds `share` to ancestor `id`, appending it when new (an ancestor reached by two paths is
    /// merged: shares add up).
    function add(Builder memory b, uint256 id, uint16 share) internal pure {
        b.stack += share;
        for (uint256 i; i < b.count; ++i) {
            if (b.ids[i] == id) {
                b.shares[i] += share;
                return;
            }
        }
        if (b.count == b.ids.length) revert TooManyAncestors(b.count + 1, b.ids.length);
        b.ids[b.count] = id;
        b.shares[b.count] = share;
        ++b.count;
    }

    /// @notice Writes the builder's entries after the first into `words` and returns the first, packed, for the
    /// caller to keep and pass to {at} (a stored ancestry has at least one entry: a derivative has a parent).
    /// Every share must fit 16 bits (the caller checked that the stack, their sum, is at most 10 000).
    function store(Builder memory b, mapping(uint256 => uint256) storage words) internal returns (uint80 head) {
        head = uint80((b.ids[0] << 16) | b.shares[0]);
        uint256 word;
        for (uint256 i = 1; i < b.count; ++i) {
            uint256 slot = (i - 1) % PER_WORD;
            word |= ((b.ids[i] << 16) | b.shares[i]) << (slot * ENTRY_BITS);
            if (slot == PER_WORD - 1 || i == b.count - 1) {
                words[(i - 1) / PER_WORD] = word;
                word = 0;
            }
        }
    }

    /// @notice Entry `i` of a stored ancestry whose first entry is `head` (as {store} returned it).
    function at(mapping(uint256 => uint256) storage words, uint80 head, uint256 i)
        internal
        view
        returns (uint256 id, uint16 share)
    {
        uint256 entry =
            i == 0 ? head : (words[(i - 1) / PER_WORD] >> (((i - 1) % PER_WORD) * ENTRY_BITS)) & ENTRY_MASK;
        id = entry >> 16;
        share = uint16(entry & SHARE_MASK);
    }

    /// @notice The builder's entries as arrays of their used length (for events).
    function trimmed(Builder memory b) internal pure returns (uint256[] memory ids, uint16[] memory shares) {
        ids = b.ids;
        uint256 n = b.count;
        assembly ("memory-safe") {
            mstore(ids, n)
        }
        shares = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            shares[i] = uint16(b.shares[i]);
        }
    }
}
