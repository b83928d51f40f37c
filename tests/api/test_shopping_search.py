"""Shopping search on SQLite and Postgres: prices per currency (filter, sort, exact display), typo-tolerant
text over model, tool and trigger words, image and model filters with their facets, the answer cache following
content changes, and similar works — over a small catalogue written straight into a migrated database, served
by the real app. The indexer's media step computes the look of a real image."""

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from eth_utils.address import to_checksum_address
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, insert, select, text, update

from api.app import create_app
from api.settings import ApiSettings
from genip.content.look import COLOURS
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.storage import LocalStore
from genip.storage.originals import Keyring, seal_original
from indexer.media import MediaHasher
from tests.indexer.conftest import postgres_database

CHAIN = 31337
NOW = 1_800_000_000
ZERO = "0x" + "0" * 40
TOKEN = to_checksum_address(
    "0x" + "a1" * 20
)  # an ERC-20 the server does not know (no deployment file): raw amounts only
ALICE = "0x" + "11" * 20
BOB = "0x" + "22" * 20
H0 = "0x" + "00" * 32
BASE = bytes([0x5A] * 32)


def _pdq(bits: int) -> str:
    """A PDQ hash `bits` bits away from `BASE`."""
    value = bytearray(BASE)
    for i in range(bits):
        value[i // 8] ^= 1 << (i % 8)
    return "0x" + value.hex()


def _asset(asset_id: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "chain_id": CHAIN,
        "asset_id": asset_id,
        "creator": ALICE,
        "owner": ALICE,
        "registrar": ALICE,
        "kind": "image",
        "content_hash": "0x" + f"{asset_id:064x}",
        "perceptual_hash": "0x" + "ff" * 32,
        "prompt_commitment": H0,
        "metadata_cid": f"bafkreimeta{asset_id}",
        "block_number": asset_id,
        "tx_hash": H0,
        "registered_at": NOW - 1000 + asset_id,
        "metadata_status": "ok",
        "tags": [],
        "description": "",
        "title": None,
        "metadata_json": None,
        "media_cid": None,
        "media_type": None,
        "orientation": None,
        "size_class": None,
        "colour": None,
        "image_width": None,
        "image_height": None,
    }
    row.update(values)
    return row


_OFFER_ID = iter(range(1, 1000))


def _offer(
    asset_id: int, currency: str, price: int, *, owner: str = ALICE, tier: str = "standard"
) -> dict[str, Any]:
    return {
        "chain_id": CHAIN,
        "offer_id": next(_OFFER_ID),
        "asset_id": asset_id,
        "terms_id": 1,
        "tier": tier,
        "currency": currency,
        "price": price,
        "duration": 0,
        "supply_cap": 0,
        "sold": 0,
        "paused": False,
        "creator": owner,
        "block_number": 1,
    }


LORA_META = {
    "name": "Ink wash LoRA",
    "genip": {
        "kind": "model",
        "model": "kohya-trainer",
        "tool": "ComfyUI",
        "details": {"baseModel": "sdxl_base_v1", "triggerWords": ["zorblax", "inkwash style"]},
    },
}


#: Metadata the indexer found not to describe the certificate's content (status mismatch): never searched.
MISMATCHED = {"genip": {"details": {"baseModel": "sdxl_base_v1", "triggerWords": ["quuxly"]}}}


def _fill(engine: Engine) -> None:
    look = {"media_cid": "bafkreimedia", "media_type": "image/png"}
    assets = [
        _asset(1, title="Black cat", tags=["cat", "night"], perceptual_hash=_pdq(0), orientation="landscape",
               size_class="medium", colour="black", image_width=1600, image_height=900, **look),
        _asset(2, title="Harbour lights", tags=["harbour"], perceptual_hash=_pdq(200), orientation="portrait",
               size_class="large", colour="blue", image_width=2000, image_height=3000, **look),
        _asset(3, title="Ink wash LoRA", kind="model", creator=BOB, owner=BOB, registrar=BOB,
               metadata_json=LORA_META),
        _asset(4, title="Red square", perceptual_hash=_pdq(20), orientation="square", size_class="small",
               colour="red", image_width=800, image_height=800, **look),
        _asset(5, title="Banner", perceptual_hash=_pdq(30), orientation="landscape", size_class="small",
               colour="black", image_width=900, image_height=300, **look),
        _asset(6, title="Plain LoRA", kind="model",
               metadata_json={"genip": {"details": {"baseModel": "sd15"}}}),
        _asset(7, title="Mismatched LoRA", kind="model", metadata_status="mismatch",
               metadata_json=MISMATCHED),
    ]  # fmt: skip
    offers = [
        _offer(1, ZERO, 236_437_500_000_000_000),  # 0.2364375 ETH
        _offer(1, TOKEN, 5_000_000),
        _offer(2, TOKEN, 100_000_000),
        _offer(3, ZERO, 20_000_000_000_000_000, owner=BOB),  # 0.02 ETH
        _offer(4, ZERO, 10_000_000_000_000_000),  # 0.01 ETH
        _offer(5, TOKEN, 10_000),
        _offer(6, ZERO, 5, tier="extended"),
    ]
    with engine.begin() as c:
        c.execute(
            insert(models.Cursor),
            [{"chain_id": CHAIN, "block_number": 100, "block_hash": H0, "head_block": 100,
              "journal_from": 100, "updated_at": __import__("datetime").datetime.now()}],
        )  # fmt: skip
        c.execute(
            insert(models.Block),
            [{"chain_id": CHAIN, "number": 100, "hash": H0, "parent_hash": H0, "timestamp": NOW}],
        )
        c.execute(insert(models.Asset), assets)
        c.execute(insert(models.Offer), offers)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over the small catalogue, on each backend."""
    data = tmp_path_factory.mktemp(f"shop-{request.param}")
    urls = iter([f"sqlite:///{data / 'genip.db'}"]) if request.param == "sqlite" else postgres_database()
    for url in urls:
        engine = make_engine(url)
        upgrade(engine)
        _fill(engine)
        # The state is read on every request (no 0.1 s reuse): a change is seen by the very next request.
        settings = ApiSettings(data_dir=data, database_url=url, api_chain_id=CHAIN, api_search_state_ttl=0)
        with TestClient(create_app(settings)) as client:
            client.app.state.test_engine = engine  # type: ignore[attr-defined]
            yield client
        engine.dispose()


def _ids(body: dict[str, Any]) -> list[int]:
    return [a["asset_id"] for a in body["data"]]


def test_max_price_needs_a_currency(shop: TestClient) -> None:
    r = shop.get("/assets", params={"max_price": 10})
    assert r.status_code == 422
    assert "currency" in r.json()["detail"]
    r = shop.get("/assets", params={"max_price": 10**16, "currency": ZERO})
    assert r.status_code == 200
    assert _ids(r.json()) == [6, 4]  # 5 wei and 0.01 ETH; 0.02 and 0.2364375 ETH are above


def test_price_sort_groups_currencies(shop: TestClient) -> None:
    body = shop.get("/assets", params={"sort": "price"}).json()
    shown = [(a["asset_id"], a["min_price_currency"], a["min_price"]) for a in body["data"]]
    eth = str(10**16), str(2 * 10**16), str(236_437_500_000_000_000)
    assert shown[:4] == [(6, ZERO, "5"), (4, ZERO, eth[0]), (3, ZERO, eth[1]), (1, ZERO, eth[2])]
    token = shown[4][1]
    assert token.lower() == TOKEN.lower() and token != token.lower()  # checksummed
    assert [(i, p) for i, _, p in shown[4:6]] == [(5, "10000"), (2, "100000000")]
    assert shown[6][0] == 7 and shown[6][2] is None  # no offer: last


def test_price_shown_exactly(shop: TestClient) -> None:
    body = shop.get("/assets", params={"q": "black cat"}).json()
    cat = body["data"][0]
    assert cat["asset_id"] == 1
    assert cat["min_price_display"] == "0.2364375 ETH"
    # In the token it is listed by raw amount: the server knows no symbol nor decimals for it.
    cat = shop.get("/assets", params={"q": "black cat", "currency": TOKEN}).json()["data"][0]
    assert (cat["min_price"], cat["min_price_display"]) == ("5000000", None)


def test_typo_is_corrected(shop: TestClient) -> None:
    body = shop.get("/assets", params={"q": "catt"}).json()
    assert _ids(body) == [1]
    assert body["corrected_q"] == "cat"
    body = shop.get("/assets", params={"q": "harbor lihgts"}).json()
    assert _ids(body) == [2]
    assert body["corrected_q"] is not None
    exact = shop.get("/assets", params={"q": "cat"}).json()
    assert _ids(exact) == [1] and exact["corrected_q"] is None
    assert shop.get("/assets", params={"q": "qwxzvbnm"}).json()["count"] == 0


def test_model_tool_and_trigger_words_are_searched(shop: TestClient) -> None:
    for words in ("zorblax", "inkwash", "comfyui", "kohya", "sdxl_base_v1"):
        assert _ids(shop.get("/assets", params={"q": words}).json()) == [3], words
    # A document the indexer could not verify lends none of its words.
    assert shop.get("/assets", params={"q": "quuxly"}).json()["count"] == 0


def test_image_filters_with_facets(shop: TestClient) -> None:
    body = shop.get("/assets").json()
    facets = body["facets"]
    assert facets["orientation"] == {"landscape": 2, "portrait": 1, "square": 1}
    assert facets["colour"] == {"black": 2, "blue": 1, "red": 1}
    assert facets["size"] == {"small": 2, "medium": 1, "large": 1}
    assert facets["base_model"] == {"sdxl_base_v1": 1, "sd15": 1}
    assert facets["currency"][ZERO] == 4
    body = shop.get("/assets", params={"orientation": "landscape"}).json()
    assert _ids(body) == [5, 1]
    assert body["facets"]["colour"] == {"black": 2}
    assert _ids(shop.get("/assets", params={"colour": "black", "size": "medium"}).json()) == [1]
    assert _ids(shop.get("/assets", params={"base_model": "sdxl_base_v1"}).json()) == [3]
    first = shop.get("/assets", params={"orientation": "square"}).json()["data"][0]
    assert (first["orientation"], first["size_class"], first["colour"]) == ("square", "small", "red")
    assert (first["image_width"], first["image_height"]) == (800, 800)
    r = shop.get("/assets", params={"colour": "chartreuse"})
    assert r.status_code == 422


def test_colour_names_are_the_filters(shop: TestClient) -> None:
    schema = shop.get("/openapi.json").json()
    params = schema["paths"]["/assets"]["get"]["parameters"]
    colour = next(p for p in params if p["name"] == "colour")["schema"]
    assert tuple(colour["anyOf"][0]["enum"]) == COLOURS


def test_cached_answers_follow_content_changes(shop: TestClient) -> None:
    engine: Engine = shop.app.state.test_engine  # type: ignore[attr-defined]
    before = shop.get("/assets", params={"q": "banner"}).json()
    assert _ids(before) == [5]
    assert shop.get("/assets", params={"q": "banner"}).json() == before  # from the cache
    with engine.begin() as c:  # a content field changes, the cursor does not move
        c.execute(update(models.Asset).where(models.Asset.asset_id == 5).values(title="Pennant"))
    try:
        assert shop.get("/assets", params={"q": "banner"}).json()["count"] == 0
        assert _ids(shop.get("/assets", params={"q": "pennant"}).json()) == [5]
    finally:
        with engine.begin() as c:
            c.execute(update(models.Asset).where(models.Asset.asset_id == 5).values(title="Banner"))


def test_similar_works(shop: TestClient) -> None:
    body = shop.get("/assets/1/similar").json()
    assert [w["asset_id"] for w in body["data"]] == [4, 5]  # 20 and 30 bits away; 2 is 200 bits away
    assert body["data"][0]["distance"] == 20 and body["data"][0]["title"] == "Red square"
    engine: Engine = shop.app.state.test_engine  # type: ignore[attr-defined]
    content_hash = "0x" + f"{4:064x}"
    with engine.begin() as c:  # the indexer recorded 4 as a possible copy of 1
        c.execute(
            insert(models.Provenance),
            [{"chain_id": CHAIN, "asset_id": 4, "content_hash": content_hash, "block_number": 4,
              "original_id": 1, "original_block": 1, "method": "pdq", "distance": 20}],
        )  # fmt: skip
    try:
        assert [w["asset_id"] for w in shop.get("/assets/1/similar").json()["data"]] == [5]
        again = shop.get("/assets/1/similar", params={"include_copies": "true"}).json()
        assert [w["asset_id"] for w in again["data"]] == [4, 5]
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM provenance WHERE asset_id = 4"))
    assert shop.get("/assets/3/similar").json()["data"] == []  # a model: no image to compare
    r = shop.get("/assets/999/similar")
    assert r.status_code == 404 and "999" in r.json()["detail"]


def test_media_step_records_the_look(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'genip.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = LocalStore(tmp_path / "store")
    image = Image.new("RGB", (1200, 700), (30, 60, 200))
    for x in range(0, 1200, 40):  # texture, so that PDQ's quality floor lets it be hashed
        for y in range(0, 700, 40):
            image.paste((200, 200, 40) if (x + y) % 80 else (20, 40, 160), (x, y, x + 12, y + 12))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = buffer.getvalue()
    keyring = Keyring.from_text(Fernet.generate_key().decode())
    cid = seal_original(engine, store, keyring, data).original_cid
    with engine.begin() as c:
        c.execute(
            insert(models.Asset),
            [
                _asset(
                    1,
                    media_cid=cid,
                    media_type="image/png",
                    content_hash="0x" + hashlib.sha256(data).hexdigest(),
                )
            ],
        )
    MediaHasher(engine, CHAIN, store, keyring=keyring).fill()
    with engine.connect() as c:
        row = c.execute(
            select(
                models.Asset.image_width,
                models.Asset.image_height,
                models.Asset.orientation,
                models.Asset.size_class,
                models.Asset.colour,
            )
        ).one()
    assert tuple(row) == (1200, 700, "landscape", "medium", "blue")
    engine.dispose()
    assert json.dumps(COLOURS)
