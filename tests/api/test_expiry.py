"""A timed licence expires by chain time: after anvil warps its clock and the indexer catches up, the same
question is answered "not licensed" as of the new block (with a new ETag)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from tests.api.world import World
from tests.helpers import DEPLOYER, TREASURY, extended_terms, make_work
from tests.indexer.conftest import postgres_database
from tests.indexer.story import Actors, StoryIds

DAY = 86_400


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'genip.db'}"
    else:
        yield from postgres_database()


def test_a_timed_licence_expires_with_chain_time(db: str, tmp_path: Path) -> None:
    a = Actors()
    with Anvil() as node:
        w3 = connect(node.rpc_url)
        deployment = deploy(
            w3, DEPLOYER, rpc_url=node.rpc_url, fee_bps=250, fee_recipient=TREASURY.address, demo_token=True
        )
        client = GenIPClient.open(deployment, w3=w3)
        asset = actions.register(client, a.alice, make_work("expiring")).value
        offer = actions.create_offer(client, a.alice, asset, extended_terms(0), price=1, duration=DAY).value
        licence = actions.buy_license(client, a.brand, offer).value
        world = World(node, deployment, client, tmp_path, StoryIds())
        engine = world.index(db)
        params = {"asset": asset, "account": a.brand.address, "use": "derivative"}
        # No reuse of the cursor read (default 0.1 s): the question is asked again right after indexing.
        settings = ApiSettings(data_dir=tmp_path, database_url=db, api_status_cursor_ttl=0)
        with TestClient(create_app(settings)) as api:
            before = api.get("/licenses/status", params=params)
            assert (before.json()["licensed"], before.json()["license_ids"]) == (True, [licence])
            assert before.json()["expires_at"] > 0

            w3.provider.make_request("evm_increaseTime", [2 * DAY])  # type: ignore[arg-type]
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            world.index(db).dispose()

            after = api.get(
                "/licenses/status", params=params, headers={"If-None-Match": before.headers["etag"]}
            )
            assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
            body = after.json()
            assert (body["licensed"], body["license_ids"], body["expires_at"]) == (False, [], None)
            assert body["as_of_block"] == w3.eth.block_number
            held = api.get(f"/accounts/{a.brand.address}").json()["licenses_held"]
            assert [(h["license_id"], h["valid"]) for h in held] == [(licence, False)]
        engine.dispose()
