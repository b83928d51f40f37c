"""The search answer cache in front of the app (`api.search_fast`, the only one): concurrent misses of one
search run the app once and all get its answer (single flight); another search, or an error answer, runs the
app again; a kept answer is served without the app."""

import asyncio
from pathlib import Path
from typing import Any

import httpx

from api.search_fast import SearchFastPath
from genip.db.engine import make_engine
from genip.db.migrate import upgrade


def test_concurrent_misses_run_the_app_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'genip.db'}")
    upgrade(engine)
    calls: list[bytes] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        calls.append(scope["query_string"])
        await asyncio.sleep(0.2)  # long enough for every concurrent request to arrive
        status = 500 if b"fail" in scope["query_string"] else 200
        body = b'{"n": %d}' % len(calls)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    fast = SearchFastPath(app, engine=engine, chain_id=None, size=10, ttl=60)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fast), base_url="http://t") as client:
            answers = await asyncio.gather(*(client.get("/assets?q=cat") for _ in range(5)))
            assert [a.status_code for a in answers] == [200] * 5
            assert {a.content for a in answers} == {b'{"n": 1}'} and calls == [b"q=cat"]
            assert (await client.get("/assets?q=cat")).content == b'{"n": 1}'  # kept
            assert len(calls) == 1
            assert (await client.get("/assets?q=dog")).content == b'{"n": 2}'
            failed = await asyncio.gather(*(client.get("/assets?q=fail") for _ in range(2)))
            assert [a.status_code for a in failed] == [500, 500]
            assert calls.count(b"q=fail") == 2  # an error is not shared nor kept: each request asks the app

    asyncio.run(run())
    engine.dispose()
