"""`/platform/registrations` over the served app, on both backends, end to end with the relayer and the
indexer on a real anvil: a platform uploads works and their metadata, posts them (bad items answered by
index, the others accepted), each with its prompt sealed to the checker (required: the API has a checker key),
polls their states to `indexed` or the chain's error; keys see only their own."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import genip_sdk.prompts as sdk
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.platforms import add_platform
from genip.relay import Relayer
from tests.helpers import BRAND, CREATOR, GAME, PLATFORM
from tests.relay.conftest import Setup, index


@pytest.fixture
def api(setup: Setup, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = ApiSettings(data_dir=tmp_path / "data", database_url=db_url, checker_public_key="11" * 32)
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        yield client


def _work(api: TestClient, key: dict[str, str], text: str, creator: str) -> tuple[str, dict[str, str]]:
    """Uploads a text work with the platform's key and stores its metadata; its metadata CID and its prompt
    sealed to the API's checker key (what a registration item carries)."""
    made = sdk.commit_prompt(f"the prompt of {text}", creator=creator)
    up = api.post(
        "/uploads", headers=key, files={"file": ("w.txt", text.encode(), "text/plain")}, data={"kind": "text"}
    )
    assert up.status_code == 200, up.text
    body = {
        "content_cid": up.json()["cid"],
        "name": text[:20],
        "prompt_commitment": "0x" + made.commitment.hex(),
        "creator": creator,
    }
    meta = api.post("/metadata", headers=key, json=body)
    assert meta.status_code == 200, meta.text
    return str(meta.json()["metadata_cid"]), sdk.seal_prompt(made, api.get("/prompts/checker-key").json())


def test_a_platform_certifies_works_in_bulk_and_polls_them(setup: Setup, api: TestClient) -> None:
    s, platform = setup, setup.issued.platform
    key = {"Authorization": f"Bearer {setup.issued.key}"}
    other_key = {
        "Authorization": f"Bearer {add_platform(s.engine, platform.chain_id, 'Other', GAME.address).key}"
    }
    actions.authorize_platform(s.client, CREATOR, PLATFORM.address)
    mine, my_prompt = _work(api, key, "a poem about the sea, relayed", CREATOR.address)
    brands, brand_prompt = _work(api, key, "a slogan nobody authorised", BRAND.address)
    items: list[dict[str, Any]] = [
        {"reference_id": "p1", "creator": CREATOR.address, "metadata_cid": mine},
        {"reference_id": "p2", "creator": "0x12", "metadata_cid": mine},
        {"reference_id": "p3", "creator": BRAND.address, "metadata_cid": brands, "prompt": brand_prompt},
        {
            "reference_id": "p4",
            "creator": CREATOR.address,
            "metadata_cid": "bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        },
        {"reference_id": "p5", "creator": CREATOR.address, "metadata_cid": "not a cid"},
        {"reference_id": "p6", "creator": BRAND.address, "metadata_cid": mine},  # the metadata names CREATOR
        {"reference_id": "p7", "creator": CREATOR.address, "metadata_cid": mine},  # p1's content again
    ]
    items = [{"prompt": my_prompt} | item for item in items]  # every item carries its sealed prompt
    posted = api.post("/platform/registrations", headers=key, json={"items": items})
    assert posted.status_code == 202, posted.text
    results = posted.json()["items"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["status"] for r in results] == [202, 400, 202, 404, 400, 422, 409]
    assert posted.json()["accepted"] == 2
    assert "already submitted as reference 'p1'" in results[6]["error"]
    first = results[0]["registration"]
    assert first["state"] == "accepted" and first["metadata_cid"] == mine

    # Idempotent: the same items again answer the same registrations.
    again = api.post("/platform/registrations", headers=key, json={"items": items[:1]}).json()["items"][0]
    assert again["status"] == 200 and again["registration"]["id"] == first["id"]
    # Keys: none → 401; another platform's → 404; over 100 items → 422.
    assert api.post("/platform/registrations", json={"items": items[:1]}).status_code == 401
    assert api.get(f"/platform/registrations/{first['id']}", headers=other_key).status_code == 404
    assert api.get("/platform/registrations", headers=other_key).json()["items"] == []
    many = {"items": [{**items[0], "reference_id": f"r{i}"} for i in range(101)]}
    assert api.post("/platform/registrations", headers=key, json=many).status_code == 422

    relayer = Relayer(s.engine, s.client, PLATFORM, platform)
    relayer.run_once()
    index(s)
    relayer.run_once()
    polled = api.get("/platform/registrations", headers=key).json()
    states = {r["reference_id"]: (r["state"], r["error"]) for r in polled["items"]}
    assert states["p1"] == ("indexed", None)
    assert states["p3"][0] == "failed" and "holds no current authorisation" in states["p3"][1]
    one = api.get(f"/platform/registrations/{first['id']}", headers=key).json()
    assert one["asset_id"] == 1 and one["register_tx"] and one["commit_tx"]
    failed = api.get("/platform/registrations", headers=key, params={"state": "failed"}).json()["items"]
    assert [r["reference_id"] for r in failed] == ["p3"]
    later = api.get("/platform/registrations", headers=key, params={"since": polled["next_since"]}).json()
    assert polled["items"][-1]["id"] in {r["id"] for r in later["items"]}  # `since` is inclusive
    for since, status in (("2026-01-01T00:00:00", 422), ("2026-02-30T00:00:00Z", 400)):  # no zone; no day
        assert api.get("/platform/registrations", headers=key, params={"since": since}).status_code == status
