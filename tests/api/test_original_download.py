"""`GET /works/{id}/original`: originals go to their owner and to licence holders, signed by the wallet,
checked against the committed sha256, and logged; everybody else gets a 401 or 403 that says why.

A chain of its own (real anvil), indexed into SQLite and Postgres, the real app over each. One work's original
is sealed (envelope-encrypted: only ciphertext in the store), the others stored plain as before sealing
existed; one work's metadata points at other bytes than its certificate commits to.
"""

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from api.app import create_app
from api.routes.originals import DOWNLOAD_FIELDS, DOWNLOAD_TYPE, download_message
from api.settings import ApiSettings
from api.wallet_auth import (
    HEADER_ACCOUNT,
    HEADER_EXPIRY,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    MAX_AHEAD,
    new_nonce,
    sign_typed_data,
    typed_data,
)
from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from genip.chain.deployment import Deployment
from genip.chain.types import Work, WorkKind
from genip.content.digest import digest_bytes
from genip.content.metadata import WorkMetadata
from genip.db import models
from genip.db.engine import make_engine
from genip.rules import DownloadGrant, DownloadRefusal, Standing, may_download
from genip.storage import LocalStore
from tests.api.world import World
from tests.helpers import DEPLOYER, TREASURY, extended_terms, increase_time, standard_terms
from tests.indexer.conftest import postgres_database
from tests.indexer.story import Actors, StoryIds

A = Actors()
OWNER, LICENSEE, CLAIMANT = A.alice, A.bob, A.claimant
OUTSIDER = dev_account(8)
DAY = 86_400


@dataclass
class Shop:
    """The chain and the works on it; `world` seals originals and indexes (`tests.api.world`)."""

    world: World
    bodies: dict[str, bytes] = field(default_factory=dict)
    works: dict[str, int] = field(default_factory=dict)
    licences: dict[str, int] = field(default_factory=dict)

    @property
    def client(self) -> GenIPClient:
        return self.world.client

    @property
    def deployment(self) -> Deployment:
        return self.world.deployment

    @property
    def data_dir(self) -> Path:
        return self.world.data_dir

    @property
    def store(self) -> LocalStore:
        return self.world.store

    def index(self, url: str) -> Engine:
        """Migrates `url`, copies the sealed originals' envelopes into it and indexes the chain; an engine
        on it."""
        self.world.index(url).dispose()
        return make_engine(url)


def _register(shop: Shop, key: str, creator: LocalAccount, body: bytes, *, plain: bool = True) -> int:
    """Registers a text work whose metadata names `body`; stores `body` in the clear when `plain`."""
    digest = digest_bytes(body)
    if plain:  # as stored before sealing existed
        shop.store.put(body)
    else:
        shop.world.originals.seal(body)
    meta = WorkMetadata(
        name=key.title(),
        kind=WorkKind.TEXT,
        content=digest,
        media_type="text/plain",
        prompt_commitment=b"\x07" * 32,
        description=f"the {key} work",
    )
    cid = shop.store.put(meta.to_bytes())
    work = Work(WorkKind.TEXT, digest.sha256, bytes(32), b"\x07" * 32, cid)
    asset = actions.register(shop.client, creator, work).value
    shop.bodies[key], shop.works[key] = body, asset
    return asset


def _sell(shop: Shop, key: str, buyer: LocalAccount, *, duration: int = 0) -> int:
    terms = standard_terms() if duration == 0 else extended_terms(0)
    offer = actions.create_offer(
        shop.client, OWNER, shop.works[key], terms, price=10**15, duration=duration
    ).value
    licence = actions.buy_license(shop.client, buyer, offer).value
    shop.licences[key] = licence
    return licence


def _open_shop(node: Anvil, data_dir: Path) -> Shop:
    w3 = connect(node.rpc_url)
    deployment = deploy(
        w3, DEPLOYER, rpc_url=node.rpc_url, fee_bps=250, fee_recipient=TREASURY.address, demo_token=True
    )
    return Shop(World(node, deployment, GenIPClient.open(deployment, w3=w3), data_dir, StoryIds()))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    with Anvil() as node:
        shop = _open_shop(node, tmp_path_factory.mktemp("originals"))
        _register(shop, "plain", OWNER, b"Tides at night, a poem\nin two lines")
        _sell(shop, "plain", LICENSEE)
        _register(shop, "sealed", OWNER, b"the sealed original \x00\xff bytes", plain=False)
        _sell(shop, "sealed", LICENSEE)
        _register(shop, "disputed", OWNER, b"a contested text")
        _sell(shop, "disputed", LICENSEE)
        actions.raise_dispute(shop.client, CLAIMANT, shop.works["disputed"], b"\x05" * 32)
        _register(shop, "renounced", OWNER, b"a text given up")
        actions.renounce_license(shop.client, LICENSEE, _sell(shop, "renounced", LICENSEE))
        # Plain ERC-721 metadata whose image is other bytes than the certificate commits to.
        committed, other = b"what the certificate commits to", b"what the store holds instead"
        cid = shop.store.put(other)
        meta = json.dumps({"name": "Swapped", "image": f"ipfs://{cid}"}).encode()
        work = Work(
            WorkKind.TEXT, hashlib.sha256(committed).digest(), bytes(32), b"\x07" * 32, shop.store.put(meta)
        )
        shop.works["swapped"] = actions.register(shop.client, OWNER, work).value
        yield shop


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, shop: Shop) -> Iterator[tuple[TestClient, Engine]]:
    """The app over the shop indexed into each backend, and that database's engine."""
    urls = (
        iter([f"sqlite:///{shop.data_dir / 'genip.db'}"])
        if request.param == "sqlite"
        else postgres_database()
    )
    for url in urls:
        engine = shop.index(url)
        app = create_app(ApiSettings(data_dir=shop.data_dir, database_url=url))
        with TestClient(app) as client:
            yield client, engine
        engine.dispose()


def signed(
    who: LocalAccount,
    asset: int,
    chain_id: int,
    *,
    account: str | None = None,
    nonce: str | None = None,
    expiry: int | None = None,
) -> dict[str, str]:
    """The headers of a download request `who` signed (claiming to be `account`, by default themself)."""
    account = account or who.address
    nonce = nonce or new_nonce()
    expiry = expiry if expiry is not None else int(time.time()) + 120
    document = typed_data(
        chain_id, DOWNLOAD_TYPE, DOWNLOAD_FIELDS, download_message(account, asset, nonce, expiry)
    )
    return {
        HEADER_ACCOUNT: account,
        HEADER_NONCE: nonce,
        HEADER_EXPIRY: str(expiry),
        HEADER_SIGNATURE: sign_typed_data(document, who.key),
    }


def _download(api: TestClient, shop: Shop, who: LocalAccount, key: str, **kwargs: Any) -> Any:
    asset = shop.works[key]
    return api.get(f"/works/{asset}/original", headers=signed(who, asset, shop.deployment.chain_id, **kwargs))


def _log(engine: Engine, asset: int) -> list[tuple[str, str, int | None, int]]:
    D = models.Download
    with engine.connect() as c:
        rows = c.execute(
            select(D.account, D.grant, D.license_id, D.block_number).where(D.asset_id == asset).order_by(D.id)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


# ─────────────────────────────── delivered ───────────────────────────────


@pytest.mark.parametrize("key", ["plain", "sealed"])
def test_the_owner_and_a_licensee_get_the_bytes_the_certificate_commits_to(
    served: tuple[TestClient, Engine], shop: Shop, key: str
) -> None:
    api, engine = served
    asset = api.get(f"/assets/{shop.works[key]}").json()
    for who, grant, licence in ((OWNER, "owner", None), (LICENSEE, "licence", shop.licences[key])):
        response = _download(api, shop, who, key)
        assert response.status_code == 200, response.text
        assert response.content == shop.bodies[key]
        assert "0x" + hashlib.sha256(response.content).hexdigest() == asset["content_hash"]
        assert response.headers["x-content-sha256"] == asset["content_hash"]
        assert response.headers["x-genip-grant"] == grant
        assert response.headers.get("x-genip-license-id") == (None if licence is None else str(licence))
        assert response.headers["cache-control"] == "no-store, private"
        assert (
            response.headers["content-disposition"] == f'attachment; filename="genip-{asset["asset_id"]}.txt"'
        )
        assert response.headers["content-type"].startswith("text/plain")
    block = int(response.headers["x-genip-block"])
    assert _log(engine, shop.works[key])[-2:] == [
        (OWNER.address, "owner", None, block),
        (LICENSEE.address, "licence", shop.licences[key], block),
    ]


def test_a_sealed_original_is_only_ciphertext_in_the_store(
    shop: Shop, served: tuple[TestClient, Engine]
) -> None:
    body = shop.bodies["sealed"]
    assert not shop.store.has(digest_bytes(body).cid)
    for path in (shop.data_dir / "store").rglob("*"):
        if path.is_file():
            assert body not in path.read_bytes()


def test_the_owner_of_a_disputed_work_still_gets_its_original(
    served: tuple[TestClient, Engine], shop: Shop
) -> None:
    api, _ = served
    response = _download(api, shop, OWNER, "disputed")
    assert response.status_code == 200 and response.content == shop.bodies["disputed"]


# ─────────────────────────────── refused ───────────────────────────────


@pytest.mark.parametrize(
    ("who", "key", "reason", "words"),
    [
        (OUTSIDER, "plain", "no_licence", "holds no licence on work"),
        (LICENSEE, "renounced", "no_licence", "holds no licence on work"),  # renounced: burned
        (LICENSEE, "disputed", "disputed", "is disputed"),
        (CLAIMANT, "disputed", "no_licence", "holds no licence on work"),
    ],
)
def test_refused_with_the_reason(
    served: tuple[TestClient, Engine], shop: Shop, who: LocalAccount, key: str, reason: str, words: str
) -> None:
    api, engine = served
    before = _log(engine, shop.works[key])
    response = _download(api, shop, who, key)
    assert response.status_code == 403
    body = response.json()
    assert body["reason"] == reason and words in body["detail"], body
    assert (who.address in body["detail"]) is (reason == "no_licence")
    assert response.headers["cache-control"] == "no-store, private"
    assert _log(engine, shop.works[key]) == before  # nothing delivered, nothing logged


def test_a_replayed_signature_is_refused(served: tuple[TestClient, Engine], shop: Shop) -> None:
    api, _ = served
    asset = shop.works["plain"]
    headers = signed(LICENSEE, asset, shop.deployment.chain_id)
    assert api.get(f"/works/{asset}/original", headers=headers).status_code == 200
    again = api.get(f"/works/{asset}/original", headers=headers)
    assert again.status_code == 401 and "already used" in again.json()["detail"]
    # The same nonce in a new signature is a replay too; another nonce is not.
    nonce = headers[HEADER_NONCE]
    assert _download(api, shop, LICENSEE, "plain", nonce=nonce).status_code == 401
    assert _download(api, shop, LICENSEE, "plain").status_code == 200
    # A refusal spends the nonce as well: the signature cannot be tried again once a licence is bought.
    refused = signed(OUTSIDER, asset, shop.deployment.chain_id)
    assert api.get(f"/works/{asset}/original", headers=refused).status_code == 403
    assert api.get(f"/works/{asset}/original", headers=refused).status_code == 401


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"expiry": 1}, "expired"),
        ({"expiry": "too far ahead"}, "ahead"),  # computed when the test runs, not when it is collected
        ({"account": OWNER.address}, "is not"),  # the outsider signs, claiming to be the owner
    ],
)
def test_expired_far_future_and_forged_signatures_are_refused(
    served: tuple[TestClient, Engine], shop: Shop, change: dict[str, Any], words: str
) -> None:
    api, _ = served
    if change.get("expiry") == "too far ahead":
        change = {"expiry": int(time.time()) + MAX_AHEAD + 120}
    response = _download(api, shop, OUTSIDER, "plain", **change)
    assert response.status_code == 401 and words in response.json()["detail"], response.text


def test_a_signature_over_another_work_or_chain_is_refused(
    served: tuple[TestClient, Engine], shop: Shop
) -> None:
    api, _ = served
    plain, sealed = shop.works["plain"], shop.works["sealed"]
    for headers in (signed(OWNER, sealed, shop.deployment.chain_id), signed(OWNER, plain, 1)):
        response = api.get(f"/works/{plain}/original", headers=headers)
        assert response.status_code == 401 and "is not" in response.json()["detail"]


def test_unsigned_or_malformed_requests_are_401_and_unknown_works_404(
    served: tuple[TestClient, Engine], shop: Shop
) -> None:
    api, _ = served
    plain = shop.works["plain"]
    missing = api.get(f"/works/{plain}/original")
    assert missing.status_code == 401 and "sign the request" in missing.json()["detail"]
    good = signed(OWNER, plain, shop.deployment.chain_id)
    for name, value in (
        (HEADER_ACCOUNT, "0x12"),
        (HEADER_NONCE, "0x01"),
        (HEADER_EXPIRY, "soon"),
        (HEADER_SIGNATURE, "0xzz"),
    ):
        response = api.get(f"/works/{plain}/original", headers=good | {name: value})
        assert response.status_code == 401 and name in response.json()["detail"]
    assert (
        api.get(f"/works/{plain}/original", headers=good | {HEADER_SIGNATURE: "0x" + "11" * 65}).status_code
        == 401
    )
    unknown = api.get("/works/999999/original", headers=signed(OWNER, 999999, shop.deployment.chain_id))
    assert unknown.status_code == 404 and "not registered" in unknown.json()["detail"]


def test_bytes_that_do_not_hash_to_the_commitment_are_never_sent(
    served: tuple[TestClient, Engine], shop: Shop
) -> None:
    api, engine = served
    response = _download(api, shop, OWNER, "swapped")
    assert response.status_code == 502
    assert "does not hash to its committed sha256" in response.json()["detail"]
    assert b"instead" not in response.content
    assert _log(engine, shop.works["swapped"]) == []


def test_the_download_log_is_append_only(served: tuple[TestClient, Engine], shop: Shop) -> None:
    api, engine = served
    assert _download(api, shop, OWNER, "plain").status_code == 200
    for statement in ("UPDATE downloads SET account = 'x'", "DELETE FROM downloads"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(text(statement))
    assert _log(engine, shop.works["plain"])


def test_the_route_is_documented(served: tuple[TestClient, Engine]) -> None:
    api, _ = served
    operation = api.get("/openapi.json").json()["paths"]["/works/{asset_id}/original"]["get"]
    assert {"401", "403", "404"} <= set(operation["responses"])
    assert HEADER_SIGNATURE in operation["description"] and "OriginalDownload" in operation["description"]
    assert {p["name"] for p in operation["parameters"] if p["in"] == "header"} == {
        HEADER_ACCOUNT,
        HEADER_NONCE,
        HEADER_EXPIRY,
        HEADER_SIGNATURE,
    }


# ─────────────────────────────── expiry by chain time ───────────────────────────────


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_licence_stops_delivering_once_it_expires_by_chain_time(backend: str, tmp_path: Path) -> None:
    with Anvil() as node:
        shop = _open_shop(node, tmp_path)
        _register(shop, "timed", OWNER, b"a work licensed for one day")
        licence = _sell(shop, "timed", LICENSEE, duration=DAY)
        urls = iter([f"sqlite:///{tmp_path / 'genip.db'}"]) if backend == "sqlite" else postgres_database()
        for url in urls:
            engine = shop.index(url)
            settings = ApiSettings(data_dir=tmp_path, database_url=url)
            with TestClient(create_app(settings)) as api:
                before = _download(api, shop, LICENSEE, "timed")
                assert before.status_code == 200 and before.headers["x-genip-license-id"] == str(licence)

                increase_time(shop.client.w3, 2 * DAY)
                shop.index(url).dispose()

                after = _download(api, shop, LICENSEE, "timed")
                assert after.status_code == 403, after.text
                assert after.json()["reason"] == "licence_expired"
                assert f"as of block {shop.client.w3.eth.block_number}" in after.json()["detail"]
                assert _download(api, shop, OWNER, "timed").status_code == 200  # the owner's own work
            assert [g for _, g, _, _ in _log(engine, shop.works["timed"])] == ["licence", "owner"]
            engine.dispose()


# ─────────────────────────────── the rule ───────────────────────────────


@dataclass
class _Asset:
    owner: str = OWNER.address
    standing: str = Standing.CLEAR
    expires_at: int = 0
    prompt_check: str = "unchecked"


@dataclass
class _Licence:
    license_id: int
    expires_at: int = 0
    renounced: bool = False
    commercial_use: bool = False
    derivatives_allowed: bool = False
    used_for_derivative: int | None = None


def test_may_download_owner_first_then_held_valid_licences_on_a_clear_work() -> None:
    me = LICENSEE.address
    assert may_download(_Asset(standing=Standing.UPHELD), OWNER.address.lower(), [], 10) == DownloadGrant(
        "owner"
    )
    assert may_download(_Asset(), me, [], 10) is DownloadRefusal.NO_LICENCE
    assert may_download(_Asset(), me, [_Licence(1, renounced=True)], 10) is DownloadRefusal.NO_LICENCE
    assert may_download(_Asset(), me, [_Licence(1, expires_at=10)], 10) is DownloadRefusal.LICENCE_EXPIRED
    assert may_download(_Asset(), me, [_Licence(1, expires_at=11)], 10) == DownloadGrant("licence", 1)
    for standing in (Standing.DISPUTED, Standing.UPHELD, Standing.TAINTED, "unknown"):
        assert may_download(_Asset(standing=standing), me, [_Licence(1)], 10) is DownloadRefusal.DISPUTED
    # Expired licences on a disputed work: the licence is what is missing first.
    assert (
        may_download(_Asset(standing=Standing.DISPUTED), me, [_Licence(1, expires_at=5)], 10)
        is DownloadRefusal.LICENCE_EXPIRED
    )
    # The grant names the longest-lasting licence: perpetual, else the latest expiry, then the lowest id.
    held = [_Licence(4, expires_at=50), _Licence(3, expires_at=90), _Licence(2), _Licence(1, expires_at=5)]
    assert may_download(_Asset(), me, held, 10) == DownloadGrant("licence", 2)
    assert may_download(_Asset(), me, held[:2], 10) == DownloadGrant("licence", 3)
    assert may_download(_Asset(), me, [_Licence(7), _Licence(6)], 10) == DownloadGrant("licence", 6)
