"""Uploads with an owner (`POST /uploads`, `POST /uploads/examples`), on both backends: refused without a
platform key or a wallet signature (401 with a sentence), accepted with either and recorded with its owner;
a replayed signature, a signature over other bytes or for the other route is refused; an owner over its daily
quota gets 429 with `Retry-After`, a platform's quota is its own."""

import io
from collections.abc import Iterator

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.routes.uploads import EXAMPLE_ACTION
from genip.db import models
from genip.db.engine import make_engine
from tests.api.conftest import settings_for
from tests.api.upload_auth import platform_key, signed_upload
from tests.api.world import World


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _upload(engine: Engine, cid: str) -> models.Upload:
    with Session(engine) as session:
        return session.execute(select(models.Upload).where(models.Upload.cid == cid)).scalar_one()


def _png() -> bytes:
    out = io.BytesIO()
    Image.effect_mandelbrot((64, 48), (-2, -1.2, 1, 1.2), 60).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def test_an_anonymous_upload_is_refused_with_a_sentence(api: TestClient) -> None:
    for path, files, data in (
        ("/uploads", {"file": ("w.txt", b"anonymous words", "text/plain")}, {"kind": "text"}),
        ("/uploads/examples", {"file": ("e.png", _png(), "image/png")}, {}),
    ):
        refused = api.post(path, files=files, data=data)
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/json"
        detail = refused.json()["detail"]
        assert "platform API key" in detail and "X-Genip-Signature" in detail, detail
    bad_key = api.post(
        "/uploads",
        files={"file": ("w.txt", b"words", "text/plain")},
        data={"kind": "text"},
        headers={"Authorization": "Bearer gip_000000000000_" + "A" * 43},
    )
    assert bad_key.status_code == 401 and "not valid" in bad_key.json()["detail"]


def test_a_platform_key_upload_is_accepted_and_owned_by_the_platform(
    api: TestClient, world: World, engine: Engine
) -> None:
    headers = platform_key(engine, world.deployment.chain_id)
    body = b"a platform's creator wrote this"
    up = api.post(
        "/uploads", files={"file": ("w.txt", body, "text/plain")}, data={"kind": "text"}, headers=headers
    )
    assert up.status_code == 200, up.text
    row = _upload(engine, up.json()["cid"])
    assert row.platform_id is not None and row.wallet is None
    assert (row.kind, row.sha256, row.size) == ("text", up.json()["sha256"], up.json()["size"])
    assert row.registered_at is None and row.swept_at is None
    example = api.post("/uploads/examples", files={"file": ("e.png", _png(), "image/png")}, headers=headers)
    assert example.status_code == 200, example.text


def test_a_wallet_signed_upload_is_accepted_once_and_only_for_its_bytes(
    api: TestClient, world: World, engine: Engine
) -> None:
    chain = world.deployment.chain_id
    who = Account.create()
    body = b"signed by my own wallet"
    headers = signed_upload(chain, body, who)
    up = api.post(
        "/uploads", files={"file": ("w.txt", body, "text/plain")}, data={"kind": "text"}, headers=headers
    )
    assert up.status_code == 200, up.text
    row = _upload(engine, up.json()["cid"])
    assert row.wallet == who.address and row.platform_id is None

    replayed = api.post(
        "/uploads", files={"file": ("w.txt", body, "text/plain")}, data={"kind": "text"}, headers=headers
    )
    assert replayed.status_code == 401 and "already used" in replayed.json()["detail"], replayed.text

    other = api.post(
        "/uploads",
        files={"file": ("w.txt", b"other bytes", "text/plain")},
        data={"kind": "text"},
        headers=signed_upload(chain, body, who),
    )
    assert other.status_code == 401 and "not " + who.address in other.json()["detail"], other.text

    png = _png()
    wrong_route = api.post(
        "/uploads/examples",
        files={"file": ("e.png", png, "image/png")},
        headers=signed_upload(chain, png, who),
    )
    assert wrong_route.status_code == 401, wrong_route.text
    example = api.post(
        "/uploads/examples",
        files={"file": ("e.png", png, "image/png")},
        headers=signed_upload(chain, png, who, action=EXAMPLE_ACTION),
    )
    assert example.status_code == 200, example.text
    with engine.connect() as c:
        kinds = (
            c.execute(select(models.Upload.kind).where(models.Upload.wallet == who.address)).scalars().all()
        )
    assert sorted(kinds) == ["example", "text"]

    expired = api.post(
        "/uploads",
        files={"file": ("w.txt", body, "text/plain")},
        data={"kind": "text"},
        headers=signed_upload(chain, body, who, expiry=1_000),
    )
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


def test_over_its_daily_quota_an_owner_waits(world: World, db_url: str, engine: Engine) -> None:
    settings = settings_for(world, db_url).model_copy(
        update={
            "upload_wallet_daily_count": 2,
            "upload_wallet_daily_bytes": 1_000,
            "upload_platform_daily_count": 1,
        }
    )
    chain = world.deployment.chain_id
    with TestClient(create_app(settings)) as api:
        who = Account.create()
        for n in range(2):
            body = f"quota words {n}".encode()
            ok = api.post(
                "/uploads",
                files={"file": ("w.txt", body, "text/plain")},
                data={"kind": "text"},
                headers=signed_upload(chain, body, who),
            )
            assert ok.status_code == 200, ok.text
        body = b"one too many"
        over = api.post(
            "/uploads",
            files={"file": ("w.txt", body, "text/plain")},
            data={"kind": "text"},
            headers=signed_upload(chain, body, who),
        )
        assert over.status_code == 429, over.text
        assert 86_000 < int(over.headers["retry-after"]) <= 86_401
        assert who.address in over.json()["detail"] and "quota" in over.json()["detail"]

        big = b"x" * 1_001  # over the byte quota on its own
        too_big = api.post(
            "/uploads",
            files={"file": ("w.txt", big, "text/plain")},
            data={"kind": "text"},
            headers=signed_upload(chain, big, Account.create()),
        )
        assert too_big.status_code == 429 and int(too_big.headers["retry-after"]) > 0

        platform = platform_key(engine, chain)
        first = api.post(
            "/uploads",
            files={"file": ("w.txt", b"p1", "text/plain")},
            data={"kind": "text"},
            headers=platform,
        )
        second = api.post(
            "/uploads",
            files={"file": ("w.txt", b"p2", "text/plain")},
            data={"kind": "text"},
            headers=platform,
        )
        assert (first.status_code, second.status_code) == (200, 429), second.text
        fresh = Account.create()  # a wallet's quota is its own, whatever a platform used
        ok = api.post(
            "/uploads",
            files={"file": ("w.txt", b"p2", "text/plain")},
            data={"kind": "text"},
            headers=signed_upload(chain, b"p2", fresh),
        )
        assert ok.status_code == 200, ok.text
