"""`POST /licenses/status` answers a batch with one set-based statement: every item's answer must equal the
single question's (`GET /licenses/status`), on SQLite and Postgres, for a mix that covers every asset of
the world (active, disputed, upheld, tainted, expired, unknown), owners, licence holders (valid, expired,
renounced, transferred) and outsiders, every use, duplicates and lowercase addresses."""

import random
from dataclasses import fields
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from genip.db.models import Asset, License
from tests.api.world import World


def _accounts(api: TestClient, world: World) -> list[str]:
    """Every actor, the outsider and every licence holder and asset owner in the database."""
    engine = api.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        holders = {str(h) for (h,) in connection.execute(select(License.holder).distinct())}
        owners = {str(o) for (o,) in connection.execute(select(Asset.owner).distinct())}
    actors = {getattr(world.actors, f.name).address for f in fields(world.actors)}
    return sorted(holders | owners | actors | {world.outsider.address})


def _last_asset(api: TestClient) -> int:
    engine = api.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return int(connection.execute(select(func.max(Asset.asset_id))).scalar_one())


def test_the_batch_answer_equals_the_single_answers_item_by_item(api: TestClient, world: World) -> None:
    rng = random.Random(20)
    accounts = _accounts(api, world)
    assets = [*range(0, _last_asset(api) + 3), 2**63 - 1]  # every asset and a few unknown ones
    items: list[dict[str, Any]] = [
        {"asset": asset, "account": account, "use": use}
        for asset in assets
        for account in accounts
        for use in ("display", "commercial", "derivative")
    ]
    rng.shuffle(items)
    items = items[:990]
    items += [dict(items[0]), {**items[1], "account": items[1]["account"].lower()}]  # a duplicate, lowercase
    items += [{"asset": items[2]["asset"], "account": items[2]["account"]}]  # default use
    response = api.post("/licenses/status", json={"items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["data"]) == len(items)
    licensed = 0
    for item, answer in zip(items, body["data"], strict=True):
        single = api.get("/licenses/status", params=item)
        assert single.status_code == 200, single.text
        assert answer == single.json(), item
        assert answer["as_of_block"] == body["as_of_block"]
        licensed += answer["licensed"]
    statuses = {a["asset_status"] for a in body["data"]}
    assert licensed and {"active", "disputed", "tainted", "unregistered"} <= statuses


def test_the_batch_keeps_its_etag_and_an_empty_batch_answers_nothing(api: TestClient, world: World) -> None:
    items = [{"asset": world.ids.root, "account": world.outsider.address, "use": "display"}]
    first = api.post("/licenses/status", json={"items": items})
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert first.headers["etag"] and first.headers["cache-control"].startswith("public, max-age=")
    again = api.post(
        "/licenses/status", json={"items": items}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    empty = api.post("/licenses/status", json={"items": []})
    assert empty.status_code == 200 and empty.json()["data"] == []
