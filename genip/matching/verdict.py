"""The verdict of a match: is the uploaded image a registered work, and may this account use it?

Every candidate is weighed, not only the closest: a later copy of a work can match an upload more closely than
the work itself (a re-encode of the copy is nearer the copy's pixels), and a platform acting on the verdict
must never take down a paying licensee's post because of it. The rule (`decide`, written only here; `/match`,
`genip match`, the page and the platform's hash-only matching all come through `weigh`):

**Roles.** Each candidate is the `original` of its cluster, a `possible_copy` of an earlier registration
by another creator (what the indexer's provenance step recorded, `genip.matching.provenance`), or a registered
`derivative` (built under a licence). The original of a matched copy is weighed too, even when the upload
does not match it itself (`via` names the copy that brought it in).

**Verdict.**

    unregistered   no registered image matched
    licensed       the account owns, or holds a fitting licence on, an original or a derivative among the
                   candidates (the first such one, in match order, is what the verdict rests on)
    disputed       the work the verdict rests on is disputed (an open claim, an upheld one, or tainted by an
                   upheld claim against an ancestor), whatever the licences say
    unlicensed     otherwise; the verdict rests on the original of the closest candidate's cluster (the
                   closest candidate itself, unless it is a possible copy: then its original; or a
                   derivative whose ancestor matched too: then that ancestor)

A licence on, or ownership of, a possible copy never licenses anything: the copy's seller may not own what
they sold. Such a licence is still reported on its candidate (and in `note`), so the buyer learns where the
work came from. Without an account nobody is licensed.

The licence status comes from outside (the API's `/licenses/status` query, or the CLI's database lookup):
`weigh` takes whatever `LicenceStatusLookup` the caller plugs in, so this module never imports the API.
What counts as disputed is `genip.rules.is_disputed`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from genip.matching.engine import Candidate
from genip.rules import MatchRole, Standing, is_disputed

if TYPE_CHECKING:
    from genip.matching.provenance import Lineage

__all__ = [
    "Decision",
    "LicenceStatus",
    "LicenceStatusLookup",
    "Verdict",
    "Weighed",
    "decide",
    "weigh",
]


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


@dataclass(frozen=True, slots=True)
class Weighed:
    """One candidate as the verdict sees it."""

    candidate: Candidate
    role: MatchRole  # original, possible_copy or derivative
    #: For a possible copy: the asset it may copy.
    copy_of: int | None = None
    #: Not matched itself: the original of this matched copy.
    via: int | None = None
    #: The account's status on it (None: no account given).
    status: LicenceStatus | None = None
    #: For a derivative: its ancestors' ids.
    ancestors: frozenset[int] = frozenset()

    @property
    def asset_id(self) -> int:
        return self.candidate.asset_id

    @property
    def standing(self) -> str:
        """The current standing: the status query's when it ran, else the candidate's."""
        return self.status.standing if self.status is not None else self.candidate.standing

    @property
    def licensed(self) -> bool:
        return self.status is not None and self.status.licensed

    @property
    def counts(self) -> bool:
        """A licence on (or ownership of) it licenses the upload: it is not a possible copy."""
        return self.role is not MatchRole.POSSIBLE_COPY


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict, the candidate it rests on (None: nothing matched), every candidate weighed, and why."""

    verdict: Verdict
    rests_on: Weighed | None
    weighed: tuple[Weighed, ...]
    note: str | None = None

    @property
    def status(self) -> LicenceStatus | None:
        """The account's status on the work the verdict rests on."""
        return None if self.rests_on is None else self.rests_on.status


def _cluster_original(best: Weighed, weighed: Sequence[Weighed]) -> Weighed:
    """The original `best` belongs to: itself, unless it is a possible copy (then its original) or a
    derivative whose ancestor matched too (then that ancestor, the earliest), followed."""
    by_id = {w.asset_id: w for w in weighed}
    current = best
    for _ in range(len(weighed)):
        if current.copy_of is not None and current.copy_of in by_id:
            current = by_id[current.copy_of]
            continue
        matched_ancestors = sorted(a for a in current.ancestors if a in by_id)
        if not matched_ancestors:
            break
        current = by_id[matched_ancestors[0]]
    return current


def decide(weighed: Sequence[Weighed], *, account_given: bool = True) -> Decision:
    """THE verdict over every candidate, in match order (see module doc)."""
    ordered = tuple(weighed)
    if not ordered:
        return Decision(Verdict.UNREGISTERED, None, ordered)
    licensed = [w for w in ordered if w.counts and w.licensed]
    if licensed:
        rest = licensed[0]
        if is_disputed(rest.standing):
            why = f"#{rest.asset_id}, on which the licence is held, is disputed"
            return Decision(Verdict.DISPUTED, rest, ordered, why)
        return Decision(Verdict.LICENSED, rest, ordered)
    rest = _cluster_original(ordered[0], ordered)
    if is_disputed(rest.standing):
        return Decision(Verdict.DISPUTED, rest, ordered, f"#{rest.asset_id} is disputed")
    note: str | None = None
    on_copies = [w for w in ordered if not w.counts and w.licensed]
    if on_copies:
        copy = on_copies[0]
        note = (
            f"the account holds a licence on (or owns) #{copy.asset_id}, a possible copy of "
            f"#{copy.copy_of}: a licence on a possible copy does not license the original #{rest.asset_id}"
        )
    elif not account_given:
        note = (
            "no account given: the image is a registered work and nobody is assumed licensed, so the verdict "
            "is unlicensed; send an account to check a licence"
        )
    return Decision(Verdict.UNLICENSED, rest, ordered, note)


def _role(lineage: "Lineage | None") -> MatchRole:
    if lineage is not None and lineage.copy_of is not None:
        return MatchRole.POSSIBLE_COPY
    if lineage is not None and lineage.is_derivative:
        return MatchRole.DERIVATIVE
    return MatchRole.ORIGINAL


def weigh(
    candidates: Sequence[Candidate],
    *,
    lineage: Mapping[tuple[int, int], "Lineage"],
    originals: Mapping[tuple[int, int], Candidate] | None = None,
    account: str | None,
    lookup: LicenceStatusLookup,
    use: str | None = None,
) -> Decision:
    """Weighs `candidates` (best first) with what the indexer recorded about them (`lineage`, by chain and
    asset; `originals`: the originals of matched copies that did not match themselves, see
    `genip.matching.provenance.cluster`), looks up the account's status on each, and `decide`s."""
    originals = originals or {}
    rows: list[Weighed] = []
    seen: set[tuple[int, int]] = set()

    def add(candidate: Candidate, via: int | None) -> None:
        key = (candidate.chain_id, candidate.asset_id)
        if key in seen:
            return
        seen.add(key)
        found = lineage.get(key)
        status = None
        if account is not None:
            status = lookup(
                chain_id=candidate.chain_id, asset_id=candidate.asset_id, account=account, use=use
            )
        copy_of, ancestors = (found.copy_of, found.ancestors) if found else (None, frozenset[int]())
        rows.append(Weighed(candidate, _role(found), copy_of, via, status, ancestors))

    for candidate in candidates:
        add(candidate, None)
    index = 0
    while index < len(rows):  # then the originals of matched copies (and of copies of copies)
        row = rows[index]
        if row.copy_of is not None and (original := originals.get((row.candidate.chain_id, row.copy_of))):
            add(original, row.asset_id)
        index += 1
    return decide(rows, account_given=account is not None)
