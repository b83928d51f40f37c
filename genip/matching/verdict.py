"""The verdict of a match: is the uploaded image a registered work, and may this account use it?

    unregistered   no registered image is within the match distance
    disputed       the best match's standing is not clear: an open claim, an upheld one, or tainted by an
                   upheld claim against an ancestor (whatever the licences say)
    licensed       the best match is registered and the account holds a licence for the use
    unlicensed     the best match is registered and the account holds none (or no account was given)

The licence status comes from outside (the API's `/licenses/status` query, or the CLI's database lookup):
`verdict` takes whatever `LicenceStatusLookup` the caller plugs in, so this module never imports the API.
What counts as disputed is `genip.rules.is_disputed`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from genip.matching.engine import Candidate
from genip.rules import Standing, is_disputed

__all__ = ["LicenceStatus", "LicenceStatusLookup", "Verdict", "decide", "verdict"]


class Verdict(StrEnum):
    LICENSED = "licensed"
    UNLICENSED = "unlicensed"
    UNREGISTERED = "unregistered"
    DISPUTED = "disputed"


@dataclass(frozen=True, slots=True)
class LicenceStatus:
    """What the status query says about one account and one asset.

    `licensed`: the account holds a valid licence for the use (or owns the work). `standing`: the asset's
    current standing, read at query time (the engine's copy may be older). `details`: the status
    query's full answer, passed through to the caller unchanged.
    """

    licensed: bool
    standing: str = Standing.CLEAR
    details: Mapping[str, Any] = field(default_factory=dict)


class LicenceStatusLookup(Protocol):
    """The licence-status function the API (or CLI) plugs in."""

    def __call__(self, *, chain_id: int, asset_id: int, account: str, use: str | None) -> LicenceStatus: ...


def decide(best: Candidate | None, status: LicenceStatus | None) -> Verdict:
    """The verdict for the best candidate (None: nothing matched) and its status (None: no account given)."""
    if best is None:
        return Verdict.UNREGISTERED
    standing = status.standing if status is not None else best.standing
    if is_disputed(standing):
        return Verdict.DISPUTED
    if status is not None and status.licensed:
        return Verdict.LICENSED
    return Verdict.UNLICENSED


def verdict(
    candidates: list[Candidate],
    *,
    account: str | None,
    lookup: LicenceStatusLookup,
    use: str | None = None,
) -> tuple[Verdict, LicenceStatus | None]:
    """Decide on `candidates` (best first): look up the account's status for the best one, then `decide`."""
    best = candidates[0] if candidates else None
    status = None
    if best is not None and account is not None:
        status = lookup(chain_id=best.chain_id, asset_id=best.asset_id, account=account, use=use)
    return decide(best, status), status
