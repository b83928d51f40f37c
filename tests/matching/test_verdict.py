"""The verdict over every candidate (`genip.matching.verdict.decide` and `weigh`), as properties over
generated candidate sets: a possible copy never turns a licensed account into an unlicensed one, a licence
on a copy never licenses, `disputed` only when the work the verdict rests on is disputed, and the originals
of matched copies are weighed even when they did not match themselves."""

from hypothesis import given
from hypothesis import strategies as st

from genip.matching.engine import Candidate
from genip.matching.originals import Measure
from genip.matching.provenance import Lineage
from genip.matching.verdict import LicenceStatus, Verdict, Weighed, decide, weigh
from genip.rules import MatchRole, Standing, is_disputed

CHAIN = 31337
ALICE = "0x" + "a1" * 20


def _candidate(asset_id: int, standing: str = Standing.CLEAR, distance: int | None = 4) -> Candidate:
    return Candidate(CHAIN, asset_id, distance, 0.9, ALICE, standing)


standings = st.sampled_from(list(Standing))


@st.composite
def weighed_lists(draw: st.DrawFn) -> list[Weighed]:
    """1 to 6 candidates: originals, derivatives and possible copies of an earlier candidate, any standing,
    with or without a licence."""
    count = draw(st.integers(1, 6))
    rows: list[Weighed] = []
    for asset_id in range(1, count + 1):
        role = draw(st.sampled_from([MatchRole.ORIGINAL, MatchRole.DERIVATIVE, MatchRole.POSSIBLE_COPY]))
        copy_of = None
        if role is MatchRole.POSSIBLE_COPY:
            if asset_id == 1:
                role = MatchRole.ORIGINAL
            else:
                copy_of = draw(st.integers(1, asset_id - 1))
        standing = draw(standings)
        status = LicenceStatus(licensed=draw(st.booleans()), standing=standing)
        rows.append(Weighed(_candidate(asset_id, standing), role, copy_of, None, status))
    order = draw(st.permutations(rows))
    return list(order)


@given(weighed_lists())
def test_the_verdict_rests_on_a_candidate_and_is_disputed_only_when_it_is(weighed: list[Weighed]) -> None:
    decision = decide(weighed)
    assert decision.rests_on is not None and decision.rests_on in weighed
    assert (decision.verdict is Verdict.DISPUTED) == is_disputed(decision.rests_on.standing)
    if decision.verdict is Verdict.LICENSED:
        assert decision.rests_on.licensed and decision.rests_on.role is not MatchRole.POSSIBLE_COPY


@given(weighed_lists())
def test_a_licence_on_an_original_or_derivative_is_never_lost_to_copies(weighed: list[Weighed]) -> None:
    counting = [w for w in weighed if w.licensed and w.role is not MatchRole.POSSIBLE_COPY]
    decision = decide(weighed)
    if counting:
        assert decision.verdict in (Verdict.LICENSED, Verdict.DISPUTED)
        assert decision.rests_on is counting[0]
    else:
        assert decision.verdict in (Verdict.UNLICENSED, Verdict.DISPUTED)


@given(weighed_lists(), st.integers(0, 6), standings, st.booleans())
def test_adding_a_possible_copy_anywhere_changes_no_licensed_verdict(
    weighed: list[Weighed], where: int, standing: str, licensed: bool
) -> None:
    before = decide(weighed)
    copy = Weighed(
        _candidate(99, standing),
        MatchRole.POSSIBLE_COPY,
        copy_of=weighed[0].asset_id,
        status=LicenceStatus(licensed=licensed, standing=standing),
    )
    after = decide([*weighed[:where], copy, *weighed[where:]])
    if before.verdict is Verdict.LICENSED:
        assert after.verdict is Verdict.LICENSED and after.rests_on is before.rests_on


def test_nothing_matched_is_unregistered() -> None:
    decision = decide([])
    assert decision.verdict is Verdict.UNREGISTERED and decision.rests_on is None


def test_a_licence_on_the_copy_alone_names_both() -> None:
    original = Weighed(_candidate(1), MatchRole.ORIGINAL, status=LicenceStatus(licensed=False))
    copy = Weighed(_candidate(2), MatchRole.POSSIBLE_COPY, copy_of=1, status=LicenceStatus(licensed=True))
    decision = decide([copy, original])
    assert decision.verdict is Verdict.UNLICENSED and decision.rests_on is original
    assert decision.note is not None and "#2" in decision.note and "#1" in decision.note


def test_weigh_brings_in_the_original_of_a_matched_copy_and_follows_copies_of_copies() -> None:
    """The upload matched only #3, a copy of #2, itself a copy of #1: the licence on #1 counts."""
    seen: list[int] = []

    def lookup(*, chain_id: int, asset_id: int, account: str, use: str | None) -> LicenceStatus:
        seen.append(asset_id)
        return LicenceStatus(licensed=asset_id == 1)

    measure = Measure("pdq", distance=3)
    lineage = {
        (CHAIN, 3): Lineage(3, copy_of=2, measure=measure, blocks_later=5),
        (CHAIN, 2): Lineage(2, copy_of=1, measure=measure, blocks_later=5),
        (CHAIN, 1): Lineage(1),
    }
    originals = {(CHAIN, 2): _candidate(2, distance=None), (CHAIN, 1): _candidate(1, distance=None)}
    decision = weigh([_candidate(3)], lineage=lineage, originals=originals, account=ALICE, lookup=lookup)
    assert decision.verdict is Verdict.LICENSED and decision.rests_on is not None
    assert decision.rests_on.asset_id == 1 and decision.rests_on.via == 2
    assert [w.asset_id for w in decision.weighed] == [3, 2, 1] and seen == [3, 2, 1]
    without = weigh([_candidate(3)], lineage=lineage, originals=originals, account=None, lookup=lookup)
    assert without.verdict is Verdict.UNLICENSED and without.rests_on is not None
    assert without.rests_on.asset_id == 1  # the original of the cluster, followed through the copies


def test_unlicensed_rests_on_the_ancestor_of_a_closer_derivative_when_both_matched() -> None:
    derivative = Weighed(_candidate(2), MatchRole.DERIVATIVE, ancestors=frozenset({1}))
    original = Weighed(_candidate(1), MatchRole.ORIGINAL)
    assert decide([derivative, original], account_given=False).rests_on is original
    alone = decide(
        [derivative], account_given=False
    )  # its ancestor did not match: the derivative is the work
    assert alone.rests_on is derivative
