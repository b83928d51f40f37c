"""Reorgs made with `anvil_reorg`: inside the window the database ends equal to the canonical chain; deeper
than the window the indexer stops with a clear message and writes nothing."""

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from web3.types import RPCEndpoint

from genip.chain import actions
from genip.chain.tx import ZERO_ADDRESS
from genip.db import models
from indexer.config import IndexerConfig
from indexer.runner import Indexer, ReorgTooDeep
from tests.indexer import story
from tests.indexer.checks import assert_matches_chain, snapshot
from tests.indexer.conftest import Chain


def rpc(chain: Chain, method: str, *params: object) -> object:
    answer = chain.client.w3.provider.make_request(RPCEndpoint(method), list(params))
    assert "error" not in answer, answer
    return answer["result"]


@pytest.mark.parametrize("depth", [1, 5, 20])
def test_reorg_inside_the_window_leaves_the_db_equal_to_the_canonical_chain(
    engine: Engine, chain: Chain, depth: int
) -> None:
    rpc(chain, "anvil_mine", 80)  # part of the history is final
    story.play(chain.client)
    # The story is longer than anvil's finality (head - 64), so the fork replayed below would push the fork
    # point into "final" history: a window of its own, longer than two stories, keeps it reorganisable.
    config = IndexerConfig.from_deployment(chain.deployment, use_finalized_tag=False, reorg_window=512)
    indexer = Indexer(engine, config)
    indexer.run(once=True)
    assert_matches_chain(engine, chain.client)

    rpc(chain, "anvil_reorg", depth, [])  # the last `depth` blocks are replaced by empty ones
    story.play(chain.client, salt="-fork")  # and the new fork carries other facts
    indexer.run(once=True)
    assert indexer.stats.reorgs == 1
    assert_matches_chain(engine, chain.client)


def test_reorg_at_the_tip_is_seen_without_new_blocks(engine: Engine, chain: Chain) -> None:
    story.play(chain.client)
    indexer = Indexer(engine, IndexerConfig.from_deployment(chain.deployment))
    indexer.run(once=True)
    rpc(chain, "anvil_reorg", 3, [])  # same height, other hashes
    indexer.run(once=True)
    assert indexer.stats.reorgs == 1
    assert_matches_chain(engine, chain.client)


def test_reorg_deeper_than_the_window_stops_cleanly(engine: Engine, chain: Chain) -> None:
    story.play(chain.client)
    config = IndexerConfig.from_deployment(chain.deployment, use_finalized_tag=False, reorg_window=5)
    Indexer(engine, config).run(once=True)
    before = snapshot(engine)
    rpc(chain, "anvil_reorg", 12, [])
    with pytest.raises(ReorgTooDeep, match="deeper than the blocks kept"):
        Indexer(engine, config).run(once=True)
    assert snapshot(engine) == before


def test_a_reorg_rolls_a_dispute_back(engine: Engine, chain: Chain) -> None:
    ids = story.play(chain.client)
    indexer = Indexer(engine, IndexerConfig.from_deployment(chain.deployment))
    indexer.run(once=True)
    clear = snapshot(engine)
    a = story.Actors()
    # Three blocks: a claim against the root (bob owns it), his answer, and revenue held under the claim.
    dispute = actions.raise_dispute(chain.client, a.claimant, ids.root, b"\x0a" * 32).value
    actions.answer_dispute(chain.client, a.bob, dispute, b"\x0b" * 32)
    actions.pay_revenue(chain.client, a.brand, ids.root, 10**15)
    indexer.run(once=True)
    with Session(engine) as c:
        row = c.get(models.Dispute, (chain.deployment.chain_id, dispute))
        assert row is not None and (row.status, row.answered) == ("open", True)
        root = c.get(models.Asset, (chain.deployment.chain_id, ids.root))
        assert root is not None and (root.standing, root.standing_dispute_id) == ("disputed", dispute)
        assert c.get(models.Held, (chain.deployment.chain_id, ids.root, dispute, ZERO_ADDRESS)) is not None

    rpc(chain, "anvil_reorg", 3, [])  # the claim never happened on the new fork
    indexer.run(once=True)
    assert indexer.stats.reorgs == 1
    assert_matches_chain(engine, chain.client)
    after = snapshot(engine)
    for table in ("assets", "disputes", "held", "bond_balances", "balances", "credits", "payments"):
        assert after[table] == clear[table], table
