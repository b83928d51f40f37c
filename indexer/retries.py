"""When the indexer's content steps (metadata, media) retry what they could not read."""

import time

from genip.rules import ContentStatus

__all__ = ["Retries"]


class Retries:
    """The statuses a content step reads now: always `pending`, and `missing` once per `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last = 0.0

    def statuses(self) -> list[str]:
        if time.monotonic() - self._last < self.seconds:
            return [ContentStatus.PENDING]
        self._last = time.monotonic()
        return [ContentStatus.PENDING, ContentStatus.MISSING]
