"""Reorgs made with `anvil_reorg`: inside the window the database ends equal to the canonical chain; deeper
than the window the indexer stops with a clear message and writes nothing."""

import pytest
from sqlalchemy import Engine
from web3.types import RPCEndpoint

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
    rpc(chain, "anvil_mine", 80)  # part of the history is final (anvil finalizes head - 64)
    story.play(chain.client)
    indexer = Indexer(engine, IndexerConfig.from_deployment(chain.deployment))
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
