"""The upload sweeper (`genip uploads sweep`, `genip.uploads.sweep`) end to end: wallet-signed uploads through
the API, one of them registered on a real anvil chain and indexed by `genip index`; then, past the TTL, the
sweeper removes the unregistered upload's sealed original, envelope, preview and record, and an unregistered
example preview, marks the registered upload (and another owner's upload of the same bytes) registered and
keeps their bytes, and keeps bytes another owner's fresh upload holds until that one is old too."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from api.app import create_app
from api.routes.uploads import EXAMPLE_ACTION
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from genip.chain.types import Work, WorkKind
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.prompts import commit_prompt
from genip.storage import LocalStore
from genip.storage.originals import envelope_of
from genip.uploads import EXAMPLE_KIND, Owner, Quota, quota_wait, record_upload, sweep, usage
from tests.api.upload_auth import signed_upload
from tests.cli.conftest import Genip
from tests.helpers import CREATOR, CREATOR_2
from tests.indexer.conftest import postgres_database


@pytest.fixture
def genip(client: GenIPClient, tmp_path: Path) -> Genip:
    path = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    return Genip(tmp_path / "data", path)


@pytest.fixture
def app(genip: Genip, client: GenIPClient) -> Iterator[TestClient]:
    url = f"sqlite:///{genip.data_dir / 'genip.db'}"
    upgrade(make_engine(url))
    settings = ApiSettings(data_dir=genip.data_dir, database_url=url, api_chain_id=client.deployment.chain_id)
    with TestClient(create_app(settings), raise_server_exceptions=True) as test_client:
        yield test_client


def _png(seed: int) -> bytes:
    out = io.BytesIO()
    image = Image.effect_mandelbrot((96, 64), (-2 + seed / 10, -1.2, 1, 1.2), 80).convert("RGB")
    image.save(out, format="PNG")
    return out.getvalue()


def _upload(
    app: TestClient, chain_id: int, who: LocalAccount, name: str, data: bytes, kind: str
) -> dict[str, object]:
    answer = app.post(
        "/uploads",
        files={"file": (name, data)},
        data={"kind": kind},
        headers=signed_upload(chain_id, data, who),
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_sweeper_removes_unregistered_uploads_and_keeps_registered_and_shared_bytes(
    genip: Genip, client: GenIPClient, app: TestClient
) -> None:
    chain = client.deployment.chain_id
    store = LocalStore(genip.data_dir / "store")
    uploads = genip.data_dir / "uploads"
    engine = make_engine(f"sqlite:///{genip.data_dir / 'genip.db'}")

    # Registered: CREATOR uploads a text and registers it (the page's path); CREATOR_2 uploads the same bytes.
    text = b"The keeper counted ships every night, and wrote each one down."
    registered = _upload(app, chain, CREATOR, "kept.txt", text, "text")
    again = _upload(app, chain, CREATOR_2, "kept.txt", text, "text")
    assert again["cid"] == registered["cid"]
    commitment = commit_prompt("a prompt", creator=CREATOR.address).commitment
    meta = app.post(
        "/metadata",
        json={
            "content_cid": registered["cid"],
            "name": "kept",
            "prompt_commitment": "0x" + commitment.hex(),
            "creator": CREATOR.address,
        },
    )
    assert meta.status_code == 200, meta.text
    sha = bytes.fromhex(str(registered["sha256"])[2:])
    work = Work(WorkKind.TEXT, sha, bytes(32), commitment, meta.json()["metadata_cid"])
    asset_id = actions.register(client, CREATOR, work).value

    # Never registered: an image (original sealed, preview in the clear) and an example preview.
    lost = _upload(app, chain, Account.create(), "lost.png", _png(1), "image")
    example_bytes = _png(2)
    example = app.post(
        "/uploads/examples",
        files={"file": ("ex.png", example_bytes)},
        headers=signed_upload(chain, example_bytes, Account.create(), action=EXAMPLE_ACTION),
    )
    assert example.status_code == 200, example.text
    example_cid = example.json()["preview_cid"]
    # Shared and unregistered: an old upload and another owner's fresh one of the same bytes.
    shared_text = b"two owners uploaded these same bytes"
    shared = _upload(app, chain, Account.create(), "shared.txt", shared_text, "text")
    fresh = _upload(app, chain, Account.create(), "shared.txt", shared_text, "text")

    with Session(engine) as session:
        fresh_id = session.scalars(
            select(models.Upload.id)
            .where(models.Upload.cid == fresh["cid"])
            .order_by(models.Upload.id.desc())
        ).first()
        two_days_ago = datetime.now(UTC) - timedelta(days=2)
        session.execute(
            update(models.Upload).where(models.Upload.id != fresh_id).values(created_at=two_days_ago)
        )
        session.commit()

    lost_envelope = envelope_of(engine, str(lost["cid"]))
    assert lost_envelope is not None and store.has(lost_envelope.sealed_cid)
    assert lost["preview_cid"] and store.has(str(lost["preview_cid"]))
    assert store.has(example_cid) and (uploads / "examples" / f"{example_cid}.json").is_file()

    assert genip("index", "--once").exit_code == 0
    report = genip("uploads", "sweep", "--json").json()
    assert report == {"registered": 2, "swept": 3, "removed": 3, "kept": 1, "failed": []}, report

    # The unregistered image: sealed original, envelope, preview and record gone; the example too.
    assert envelope_of(engine, str(lost["cid"])) is None
    assert not store.has(lost_envelope.sealed_cid) and not store.has(str(lost["preview_cid"]))
    assert not (uploads / f"{lost['cid']}.json").exists()
    assert not store.has(example_cid) and not (uploads / "examples" / f"{example_cid}.json").exists()
    gone = app.post(
        "/metadata",
        json={"content_cid": lost["cid"], "name": "late", "prompt_commitment": "0x" + "07" * 32},
    )
    assert gone.status_code in (400, 404), gone.text

    # The registered text: both owners' uploads marked registered, its bytes kept and served to the owner.
    kept = envelope_of(engine, str(registered["cid"]))
    assert kept is not None and store.has(kept.sealed_cid)
    with Session(engine) as session:
        rows = session.scalars(select(models.Upload).where(models.Upload.cid == registered["cid"])).all()
        assert [(r.asset_id, r.swept_at) for r in rows] == [(asset_id, None), (asset_id, None)]
        assert all(r.registered_at is not None for r in rows)
        shared_rows = session.scalars(
            select(models.Upload).where(models.Upload.cid == shared["cid"]).order_by(models.Upload.id)
        ).all()
        assert [r.swept_at is not None for r in shared_rows] == [True, False]

    # The shared bytes stay while the fresh upload holds them, and go once it is old and unregistered too.
    held = envelope_of(engine, str(shared["cid"]))
    assert held is not None and store.has(held.sealed_cid)
    later = genip("uploads", "sweep", "--json", "--ttl-hours", "0").json()
    assert later == {"registered": 0, "swept": 1, "removed": 1, "kept": 0, "failed": []}, later
    assert envelope_of(engine, str(shared["cid"])) is None and not store.has(held.sealed_cid)
    assert store.has(kept.sealed_cid)  # registered bytes are never swept
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    urls = iter([f"sqlite:///{tmp_path / 'genip.db'}"]) if request.param == "sqlite" else postgres_database()
    for url in urls:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def test_the_sweeper_queries_run_on_both_backends(db: Engine, tmp_path: Path) -> None:
    """Without a chain: an old example nobody lists is removed, a fresh one stays, and the quota figures add
    up (the metadata text search and the owner filters on Postgres too)."""
    store = LocalStore(tmp_path / "store")
    old, fresh = store.put(b"old preview"), store.put(b"fresh preview")
    owner = Owner(wallet=Account.create().address)
    now = datetime.now(UTC)
    with db.begin() as c:
        for cid, when in ((old, now - timedelta(days=2)), (fresh, now)):
            record_upload(c, owner, kind=EXAMPLE_KIND, cid=cid, sha256="0x" + "00" * 32, size=10, now=when)
        assert usage(c, owner, now - timedelta(days=1))[:2] == (1, 10)
        assert quota_wait(c, owner, Quota(count=1, bytes=100), 5, now) > 80_000
        assert quota_wait(c, owner, Quota(count=2, bytes=100), 5, now) == 0
    report = sweep(db, store, tmp_path / "uploads", now=now)
    assert (report.swept, report.removed, report.kept, report.failed) == (1, 1, 0, [])
    assert not store.has(old) and store.has(fresh)
