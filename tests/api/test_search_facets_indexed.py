"""The facet table and the live offers stay exact through real indexing (migration 0021's triggers fire on the
indexer's own writes: offers created, paused, sold, works transferred, disputes), and through a reorg that
rolls those writes back and replays another fork — on SQLite and Postgres, against a real chain."""

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from web3.types import RPCEndpoint

from api.queries.chain import chain_state
from api.queries.search import SearchParams, search
from indexer.config import IndexerConfig
from indexer.runner import Indexer
from tests.api.test_search_facets_table import _check_table
from tests.indexer import story
from tests.indexer.conftest import Chain, chain, db_url, engine

__all__ = ["chain", "db_url", "engine"]

QUERIES: list[dict[str, Any]] = [{}, {"tier": "extended"}, {"q": "genip"}, {"include_delisted": True}]


def _check_searches(engine: Engine, chain_id: int) -> None:
    with Session(engine) as session:
        state = chain_state(session, chain_id)
        for query in QUERIES:
            params = SearchParams(**query)
            fast = search(session, state=state, params=params)
            scanned = search(session, state=state, params=params, facet_table=False)
            assert (fast.count, fast.facets, fast.data) == (scanned.count, scanned.facets, scanned.data), (
                query
            )


def test_indexed_facets_stay_exact_through_a_reorg(engine: Engine, chain: Chain) -> None:
    chain.client.w3.provider.make_request(RPCEndpoint("anvil_mine"), [80])
    story.play(chain.client)
    config = IndexerConfig.from_deployment(chain.deployment, use_finalized_tag=False, reorg_window=512)
    indexer = Indexer(engine, config)
    indexer.run(once=True)
    _check_table(engine)
    chain_id = chain.deployment.chain_id
    _check_searches(engine, chain_id)
    with Session(engine) as session:
        facets = search(session, state=chain_state(session, chain_id), params=SearchParams()).facets
    assert facets is not None and facets.tier  # the story's live offers are counted

    chain.client.w3.provider.make_request(RPCEndpoint("anvil_reorg"), [5, []])
    story.play(chain.client, salt="-fork")
    indexer.run(once=True)
    assert indexer.stats.reorgs == 1
    _check_table(engine)
    _check_searches(engine, chain_id)
