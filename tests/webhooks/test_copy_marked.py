"""`copy.marked`: written with the provenance row that marks a possible copy (`indexer.provenance`), on both
backends, over rows as the index and media steps write them; a reorg past the copy's block retracts it."""

from sqlalchemy import Engine

from genip.settings import Settings
from genip.webhooks.events import retract_after
from indexer.provenance import ProvenanceFinder
from tests.indexer.test_provenance import _add, _pictures
from tests.matching.test_engine import ALICE, BOB, CHAIN
from tests.webhooks.conftest import deliveries, run_worker, subscribe
from tests.webhooks.receiver import Receiver


def test_a_possible_copy_is_announced_once_to_the_right_subscribers(engine: Engine, hooks: Receiver) -> None:
    copies = subscribe(engine, hooks, "/copies", chain_id=CHAIN, events=["copy.marked"])
    alice = subscribe(engine, hooks, "/alice", chain_id=CHAIN, events=["copy.marked"], accounts=[ALICE])
    other = subscribe(engine, hooks, "/other", chain_id=CHAIN, events=["copy.marked"], assets=[3])
    astronaut, coffee = _pictures()
    _add(engine, 1, astronaut, ALICE)
    _add(engine, 2, astronaut.resize((384, 384)), BOB)  # Bob's copy of Alice's work
    _add(engine, 3, coffee, ALICE)
    finder = ProvenanceFinder(engine, CHAIN, Settings())
    while finder.fill():
        pass
    assert [(s, t) for s, t, *_ in deliveries(engine)] == [(copies, "copy.marked"), (alice, "copy.marked")]
    assert other not in {s for s, *_ in deliveries(engine)}
    run_worker(engine)
    got = hooks.wait_for(2)
    data = got[0].data
    assert (data["asset_id"], data["original_id"], data["creator"], data["original_creator"]) == (
        2,
        1,
        BOB,
        ALICE,
    )
    assert data["match"]["method"] in ("pdq", "phash")

    # A reorg that removes the copy's registration (block 2) retracts what was sent.
    with engine.begin() as c:
        assert retract_after(c, CHAIN, 1) == 2
    run_worker(engine)
    retractions = [r for r in hooks.wait_for(4) if r.type == "copy.marked.retracted"]
    assert {r.data["webhook_id"] for r in retractions} == {got[0].webhook_id}
    assert {r.path for r in retractions} == {"/copies", "/alice"}
