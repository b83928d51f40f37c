"""Bursts of licence-status questions on Postgres (`api.status_endpoint`): the questions of one turn of the
event loop share one statement, each answer is the one-question statement's, and a burst of requests that
one read answers (the same question, or cached questions at a stale cursor) costs that one read."""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from itertools import product
from typing import Any

import orjson
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.queries.status import status_with_state
from api.schemas import Use
from api.status_endpoint import StatusService
from tests.api.conftest import settings_for
from tests.api.world import World

CHAIN_ID = 31337


USES: tuple[Use, ...] = ("display", "commercial", "derivative")


def _questions(world: World) -> list[tuple[int, str, Use]]:
    """Every use of a spread of assets (root, derivatives, disputed, tainted, expired, lapsed, unknown) by
    owners, licence holders and an outsider."""
    ids = world.ids
    assets = sorted(
        {ids.root, ids.child, ids.grandchild, ids.disputed, ids.by_platform, world.contested, world.tainted}
        | {world.upheld_parent, world.parent_of_expired, world.expired, world.lapsed_asset, 10**12}
    )
    actors = world.actors
    accounts = [a.address for a in (actors.alice, actors.bob, actors.brand, actors.claimant, world.outsider)]
    return list(product(assets, accounts, USES))


@pytest.fixture(params=[None, CHAIN_ID], ids=["any-chain", "one-chain"])
def app(request: pytest.FixtureRequest, world: World, postgres_url: str) -> Iterator[FastAPI]:
    settings = settings_for(world, postgres_url).model_copy(update={"api_chain_id": request.param})
    app = create_app(settings)
    yield app
    app.state.status_service.close()
    app.state.engine.dispose()


def _count_statements(service: StatusService) -> list[int]:
    """Counts the statements the service sends to Postgres from now on (the real connections answer)."""
    pg: Any = service._pg
    fetch: Callable[..., Awaitable[list[Any]]] = pg.fetch
    count = [0]

    async def counted(sql: str, params: dict[str, Any]) -> list[Any]:
        count[0] += 1
        return await fetch(sql, params)

    pg.fetch = counted
    return count


def test_a_burst_shares_one_statement_and_each_answer_is_the_one_question_answer(
    app: FastAPI, world: World
) -> None:
    questions = _questions(world)
    service = StatusService(
        app.state.autocommit_engine,
        chain_id=app.state.settings.api_chain_id,
        max_age=5,
        cursor_ttl=0.1,
        cache_size=0,  # every request asks its question
        pool_size=2,
    )
    statements = _count_statements(service)

    async def burst() -> list[Any]:
        return list(await asyncio.gather(*(service.answer(a, acc, use, None) for a, acc, use in questions)))

    try:
        answers = asyncio.run(burst())
    finally:
        service.close()
    assert statements[0] == 1
    with app.state.sessionmaker() as session:
        for (asset, account, use), (status, _, body) in zip(questions, answers, strict=True):
            _, expected = status_with_state(
                session, chain_id=app.state.settings.api_chain_id, asset=asset, account=account, use=use
            )
            assert status == 200 and orjson.loads(body) == expected.model_dump(mode="json")


def test_one_read_answers_a_burst_of_the_same_question_and_a_burst_at_a_stale_cursor(
    app: FastAPI, world: World
) -> None:
    service = StatusService(
        app.state.autocommit_engine,
        chain_id=app.state.settings.api_chain_id,
        max_age=5,
        cursor_ttl=0,  # the cursor read is stale at once: every request after the first one needs a read
        cache_size=1000,
        pool_size=8,
    )
    statements = _count_statements(service)
    question: tuple[int, str, Use] = (world.ids.root, world.actors.claimant.address, "commercial")
    mixed = _questions(world)[:40]

    async def bursts() -> tuple[list[Any], list[Any], int]:
        same = list(await asyncio.gather(*(service.answer(*question, None) for _ in range(200))))
        for q in mixed:  # cache their answers, one at a time
            await service.answer(*q, None)
        before = statements[0]
        again = list(await asyncio.gather(*(service.answer(*q, None) for q in mixed * 5)))
        return same, again, statements[0] - before

    try:
        same, again, stale_burst = asyncio.run(bursts())
    finally:
        service.close()
    assert {answer[2] for answer in same} == {same[0][2]} and same[0][0] == 200
    assert statements[0] - 40 - stale_burst == 1  # the 200 identical questions: one statement
    assert stale_burst == 1  # 200 cached questions at a stale cursor: one read, led by the first request
    assert [a[2] for a in again[:40]] == [a[2] for a in again[40:80]]
