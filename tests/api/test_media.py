"""`/ipfs/{cid}`: previews and metadata from the store with the right type and immutable caching; never an
original."""

from fastapi.testclient import TestClient

from api.routes.media import sniff
from genip.content.cid import cid_of_bytes
from tests.api.world import World


def test_metadata_is_served_as_json_and_cached_forever(api: TestClient, world: World) -> None:
    asset = api.get(f"/assets/{world.works['tides']}").json()
    meta = api.get(f"/ipfs/{asset['metadata_cid']}")
    assert meta.headers["content-type"] == "application/json" and meta.json()["name"] == "Tides"
    assert meta.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = meta.headers["etag"]
    assert api.get(f"/ipfs/{asset['metadata_cid']}", headers={"If-None-Match": etag}).status_code == 304


def test_a_works_original_is_never_served(api: TestClient, world: World) -> None:
    asset_id = world.works["tides"]
    asset = api.get(f"/assets/{asset_id}").json()
    for headers in ({}, {"If-None-Match": f'"{asset["media_cid"]}"'}):  # not even a 304 on a guessed ETag
        r = api.get(f"/ipfs/{asset['media_cid']}", headers=headers)
        assert r.status_code == 403 and b"tides poem" not in r.content
        assert f"GET /works/{asset_id}/original" in r.json()["detail"]


def test_absent_content_is_404_and_a_malformed_cid_400(api: TestClient) -> None:
    r = api.get(f"/ipfs/{cid_of_bytes(b'never stored')}")
    assert r.status_code == 404 and "holds no object" in r.json()["detail"]
    r = api.get("/ipfs/Qmnot-a-cid")
    assert r.status_code == 400 and "not a CID" in r.json()["detail"]


def test_unknown_bytes_are_sniffed() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b' {"a": 1}') == "application/json"
    assert sniff("plain words é".encode()) == "text/plain; charset=utf-8"
    assert sniff(bytes(range(256))) == "application/octet-stream"
