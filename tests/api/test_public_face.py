"""The public face of every work and originals sealed at rest, end to end against anvil: works of every kind
registered through `genip register` (the CLI) and through the web path (`POST /uploads`, `POST /metadata`, the
wallet's registration), plus works stored in the clear before sealing existed; then `genip index`, `genip
originals seal-store`, and the served API.

Afterwards no object in the public store equals any original's bytes (every object is walked), no prompt is
served anywhere, `/ipfs` refuses every original's CID, each work shows its preview, excerpt or card, and the
indexer fingerprinted the sealed images."""

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from genip.chain.types import Work, WorkKind
from genip.content.digest import digest_bytes
from genip.content.formats import prepare_work
from genip.content.metadata import WorkMetadata
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import Asset, MatchHash
from genip.prompts import commit_prompt
from genip.storage import LocalStore
from tests.api.upload_auth import platform_key
from tests.cli.conftest import Genip
from tests.content.test_formats import KOHYA_METADATA, WORKFLOW_API, write_safetensors
from tests.content.test_preview import sample
from tests.helpers import CREATOR, CREATOR_2

PROMPT_WORK = "SECRET-PROMPT: a heron of ink and gold leaf at dawn, mist over the river, 35mm"
WEB_PROMPT_WORK = "SECRET-WEB-PROMPT: neon koi under rain, isometric, 8k"
STORY = "The lighthouse keeper counted ships every night. " * 40


@pytest.fixture
def genip(client: GenIPClient, tmp_path: Path) -> Genip:
    path = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    return Genip(tmp_path / "data", path)


def _png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def _files(folder: Path, tag: str, image: np.ndarray) -> dict[str, tuple[Path, WorkKind]]:
    """One file of every kind, different per `tag` (content hashes are unique on-chain)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "image": (folder / f"{tag}.png", WorkKind.IMAGE),
        "text": (folder / f"{tag}-story.txt", WorkKind.TEXT),
        "prompt": (folder / f"{tag}-prompt.txt", WorkKind.PROMPT),
        "model": (folder / f"{tag}-lora.safetensors", WorkKind.MODEL),
        "workflow": (folder / f"{tag}-flow.json", WorkKind.WORKFLOW),
        "other": (folder / f"{tag}-pack.bin", WorkKind.OTHER),
    }
    paths["image"][0].write_bytes(_png(image))
    paths["text"][0].write_text(f"{tag}: {STORY}")
    paths["prompt"][0].write_text(PROMPT_WORK if tag == "cli" else WEB_PROMPT_WORK)
    write_safetensors(paths["model"][0], {**KOHYA_METADATA, "ss_output_name": f"inkwash_{tag}"})
    paths["workflow"][0].write_text(
        json.dumps({**WORKFLOW_API, "99": {"class_type": f"Note{tag}", "inputs": {}}})
    )
    paths["other"][0].write_bytes(f"{tag} pack ".encode() * 2000)
    return paths


def _original(path: Path, kind: WorkKind) -> bytes:
    """The bytes hashed and committed (canonical text and JSON; other files as they are)."""
    with prepare_work(path, kind).open() as stream:
        return stream.read()


@pytest.fixture
def app(genip: Genip) -> Iterator[TestClient]:
    url = f"sqlite:///{genip.data_dir / 'genip.db'}"
    upgrade(make_engine(url))  # `genip db upgrade`
    settings = ApiSettings(data_dir=genip.data_dir, database_url=url)
    with TestClient(create_app(settings), raise_server_exceptions=True) as test_client:
        test_client.headers.update(platform_key(make_engine(url), 1))  # uploads need an owner
        yield test_client


def _register_on_the_web(
    api: TestClient, client: GenIPClient, creator: LocalAccount, path: Path, kind: WorkKind
) -> int:
    """The page's path: upload, metadata from the server's numbers, the wallet registers."""
    up = api.post(
        "/uploads", files={"file": (path.name, path.read_bytes())}, data={"kind": kind.name.lower()}
    )
    assert up.status_code == 200, up.text
    upload = up.json()
    prompt = path.read_text() if kind is WorkKind.PROMPT else "a prompt"
    commitment = commit_prompt(prompt, creator=creator.address).commitment
    meta = api.post(
        "/metadata",
        json={
            "content_cid": upload["cid"],
            "name": f"web {kind.name.lower()}",
            "prompt_commitment": "0x" + commitment.hex(),
            "creator": creator.address,
        },
    )
    assert meta.status_code == 200, meta.text
    ph = upload["perceptual_hash"]
    work = Work(
        kind,
        bytes.fromhex(upload["sha256"][2:]),
        bytes.fromhex(ph["value"][2:]) if ph else bytes(32),
        commitment,
        meta.json()["metadata_cid"],
    )
    return actions.register(client, creator, work).value


def _register_plain(
    client: GenIPClient, store: LocalStore, creator: LocalAccount, data: bytes, kind: WorkKind
) -> int:
    """A work stored as before sealing existed: the original in the clear, metadata without a preview."""
    digest = digest_bytes(data)
    assert store.put(data) == digest.cid
    media_type = "image/png" if kind is WorkKind.IMAGE else "text/plain; charset=utf-8"
    meta = WorkMetadata(
        name=f"legacy {kind.name.lower()}",
        kind=kind,
        content=digest,
        media_type=media_type,
        prompt_commitment=b"\x07" * 32,
        details={"characters": len(data)} if kind is WorkKind.TEXT else {},
    )
    metadata_cid = store.put(meta.to_bytes())
    phash = bytes(32)
    if kind is WorkKind.IMAGE:
        from genip.content.fingerprint import pdq_fingerprint
        from genip.matching.normalize import load_image

        phash = pdq_fingerprint(load_image(data)).hash
    return actions.register(
        client, creator, Work(kind, digest.sha256, phash, b"\x07" * 32, metadata_cid)
    ).value


def _objects(store: LocalStore) -> list[bytes]:
    """Every object in the store, read from disk (not through `get`: nothing may hide there)."""
    return [p.read_bytes() for p in store.root.rglob("*") if p.is_file()]


def test_no_original_is_public_and_every_work_shows_its_face(
    genip: Genip, client: GenIPClient, app: TestClient, tmp_path: Path
) -> None:
    store = LocalStore(genip.data_dir / "store")
    originals: dict[int, tuple[WorkKind, bytes]] = {}

    # 1. before sealing existed: originals in the clear
    legacy_image = _png(sample("camera"))
    for data, kind in ((legacy_image, WorkKind.IMAGE), (f"legacy: {STORY}".encode(), WorkKind.TEXT)):
        originals[_register_plain(client, store, CREATOR_2, data, kind)] = (kind, data)

    # 2. the CLI, every kind
    for name, (path, kind) in _files(tmp_path / "cli", "cli", sample("astronaut")).items():
        args = ["register", str(path), "--kind", kind.name.lower(), "--title", f"cli {name}", "--json"]
        if kind in (WorkKind.IMAGE, WorkKind.TEXT):
            args += ["--prompt", "a prompt that made it"]
        out = genip(*args, key=CREATOR).json()
        originals[out["asset_id"]] = (kind, _original(path, kind))

    # 3. the web path, every kind
    for path, kind in _files(tmp_path / "web", "web", sample("coffee")).values():
        originals[_register_on_the_web(app, client, CREATOR, path, kind)] = (kind, _original(path, kind))

    assert genip("index", "--once").exit_code == 0
    sealed = genip("originals", "seal-store", "--json").json()
    assert (sealed["sealed"], sealed["previews_derived"], sealed["failed"]) == (2, 2, [])
    assert sealed["already_sealed"] == 12
    assert genip("index", "--once").exit_code == 0  # the legacy image, sealed now, gets its match hashes

    # Nothing in the public store is an original, or holds a prompt work's text.
    stored = _objects(store)
    assert len(stored) > len(originals)
    for asset_id, (kind, data) in originals.items():
        assert data not in stored, f"asset {asset_id} ({kind.name}) is stored in the clear"
    for blob in stored:
        assert b"SECRET-PROMPT" not in blob and b"SECRET-WEB-PROMPT" not in blob

    engine = make_engine(f"sqlite:///{genip.data_dir / 'genip.db'}")
    for asset_id, (kind, data) in originals.items():
        asset = app.get(f"/assets/{asset_id}").json()
        assert asset["metadata_status"] == "ok", asset
        shown = json.dumps(asset)
        assert "SECRET-PROMPT" not in shown and "SECRET-WEB-PROMPT" not in shown
        refused = app.get(f"/ipfs/{asset['media_cid']}")
        assert refused.status_code == 403 and f"/works/{asset_id}/original" in refused.json()["detail"]
        _check_face(app, asset, kind, data)
        if kind is WorkKind.IMAGE:
            with engine.connect() as c:
                status = c.execute(select(Asset.media_status).where(Asset.asset_id == asset_id)).scalar_one()
                kinds = set(c.execute(select(MatchHash.kind).where(MatchHash.asset_id == asset_id)).scalars())
            assert status == "ok" and {"phash", "thumb"} <= kinds  # fingerprinted from the sealed original
    listed = app.get("/assets", params={"limit": 100}).text
    assert "SECRET-PROMPT" not in listed and "SECRET-WEB-PROMPT" not in listed


def _check_face(app: TestClient, asset: dict[str, Any], kind: WorkKind, original: bytes) -> None:
    if kind is WorkKind.IMAGE:
        preview = app.get(f"/ipfs/{asset['preview_cid']}")
        assert preview.status_code == 200 and preview.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(preview.content)) as image, Image.open(io.BytesIO(original)) as full:
            assert image.size[0] <= 1024 and image.size[1] <= 1024
            assert image.size[0] / image.size[1] == pytest.approx(full.size[0] / full.size[1], abs=0.01)
        return
    assert asset["preview_cid"] is None
    if kind is WorkKind.TEXT:
        assert asset["excerpt"] and original.decode().startswith(asset["excerpt"].split(" …")[0].rstrip("…"))
        assert len(asset["excerpt"]) < len(original)
        return
    assert asset["excerpt"] is None and asset["card"] is not None
    if kind is WorkKind.MODEL:
        assert asset["card"]["baseModel"] == "sdxl_base_v1-0" and "inkwash" in asset["card"]["triggerWords"]
    if kind is WorkKind.WORKFLOW:
        assert "KSampler" in asset["card"]["nodeTypes"]
    if kind is WorkKind.PROMPT:
        assert set(asset["card"]) == {"characters", "lines"}
