"""Adaptive `eth_getLogs` block ranges.

Ranges double while answers come back fast and small, halve when an answer is large, and shrink to what the
provider says when it refuses a range ("query returned more than 10000 results… try [0x…, 0x…]"). A stated
block-range cap is remembered for the rest of the run.
"""

from indexer.rpc import RangeTooLarge

__all__ = ["AdaptiveRange"]


class AdaptiveRange:
    def __init__(self, initial: int, maximum: int, target_logs: int, fast_seconds: float = 1.0) -> None:
        self.size = max(1, initial)
        self.maximum = maximum
        self.target_logs = target_logs
        self.fast_seconds = fast_seconds
        self.cap: int | None = None

    def end(self, start: int, limit: int) -> int:
        """The last block of the next range starting at `start`, not past `limit`."""
        return min(limit, start + self.size - 1)

    def succeeded(self, logs: int, seconds: float) -> None:
        if logs > self.target_logs:
            self.size = max(1, self.size // 2)
        elif logs < self.target_logs // 2 and seconds < self.fast_seconds:
            self.size = min(self.size * 2, self.maximum, self.cap or self.maximum)

    def refused(self, error: RangeTooLarge, start: int, end: int) -> None:
        """Shrinks after the provider refused [start, end]."""
        asked = end - start + 1
        if error.max_range:
            self.cap = error.max_range
            self.size = min(asked - 1 if asked > 1 else 1, error.max_range)
        elif error.suggested_to is not None and start <= error.suggested_to < end:
            self.size = error.suggested_to - start + 1
        else:
            self.size = max(1, asked // 2)
