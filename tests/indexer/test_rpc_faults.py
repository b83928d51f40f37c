"""RPC faults are survived: the indexer retries, fails over, shrinks ranges, and never skips a block."""

import socket

import pytest
from sqlalchemy import Engine

from indexer.config import IndexerConfig
from indexer.ranges import AdaptiveRange
from indexer.rpc import RangeTooLarge, _range_error
from indexer.runner import Indexer
from tests.indexer import story
from tests.indexer.checks import assert_matches_chain
from tests.indexer.conftest import Chain
from tests.indexer.faulty_rpc import FaultyRpc


def test_indexing_through_a_faulty_provider_matches_the_chain(engine: Engine, chain: Chain) -> None:
    story.play(chain.client)
    with FaultyRpc(chain.anvil.rpc_url, max_log_range=4) as proxy:
        config = IndexerConfig.from_deployment(
            chain.deployment, rpc_urls=(proxy.url,), rpc_timeout=0.5, use_finalized_tag=False, reorg_window=20
        )
        indexer = Indexer(engine, config)
        indexer.run(once=True)
    assert all(count > 0 for count in proxy.faults.values()), proxy.faults
    assert indexer.stats.last_error is not None
    assert_matches_chain(engine, chain.client)


def test_a_dead_rpc_url_fails_over_to_the_next(engine: Engine, chain: Chain) -> None:
    story.play(chain.client)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens here once the socket closes
    config = IndexerConfig.from_deployment(chain.deployment, rpc_urls=(dead, chain.anvil.rpc_url))
    indexer = Indexer(engine, config)
    indexer.run(once=True)
    assert "ConnectError" in (indexer.stats.last_error or "")
    assert_matches_chain(engine, chain.client)


@pytest.mark.parametrize(
    ("message", "suggested_to", "max_range"),
    [
        ("query returned more than 10000 results. Try with this block range [0x10, 0x1F].", 31, None),
        (
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range "
            "and no limit on the response size, or you can request any block range with a cap of 10K logs "
            "in the response. Based on your parameters, this block range should work: [0x1, 0x4a3]",
            0x4A3,
            2_000,
        ),
        ("eth_getLogs is limited to a 10,000 range", None, 10_000),
        ("exceed maximum block range: 5000", None, 5_000),
    ],
)
def test_provider_range_refusals_are_understood(
    message: str, suggested_to: int | None, max_range: int | None
) -> None:
    error = _range_error(-32000, message)
    assert error is not None
    assert (error.suggested_to, error.max_range) == (suggested_to, max_range)


def test_unrelated_errors_are_not_taken_for_range_refusals() -> None:
    assert _range_error(-32000, "execution reverted") is None


def test_ranges_shrink_to_the_suggestion_remember_caps_and_grow_back() -> None:
    ranges = AdaptiveRange(initial=1_000, maximum=100_000, target_logs=1_000)
    ranges.refused(RangeTooLarge(-32005, "", suggested_to=149, max_range=None), 100, 1_099)
    assert ranges.end(100, 10**9) == 149
    ranges.refused(RangeTooLarge(-32005, "", suggested_to=None, max_range=20), 150, 199)
    assert ranges.size == 20 and ranges.cap == 20
    for _ in range(5):
        ranges.succeeded(logs=1, seconds=0.01)
    assert ranges.size == 20  # never past the provider's cap
    ranges.cap = None
    ranges.succeeded(logs=1, seconds=0.01)
    assert ranges.size == 40
    ranges.succeeded(logs=5_000, seconds=0.01)
    assert ranges.size == 20  # a large answer halves it
