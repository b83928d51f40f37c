"""Example outputs of prompt-kind works (issue 19: their public face is title, description and example
outputs, never the prompt), end to end against anvil: `genip register --kind prompt --example IMG`, the web
path (`POST /uploads/examples`, `POST /metadata` with `examples`), `genip index` and the served API.

Only the examples' watermarked previews are stored; the examples' own bytes are not, nor is the prompt."""

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from api.settings import ApiSettings
from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from genip.chain.types import WorkKind
from genip.content.metadata import WorkMetadata
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.prompts import commit_prompt
from genip.storage import LocalStore
from tests.api.upload_auth import platform_key
from tests.cli.conftest import Genip
from tests.content.test_preview import sample
from tests.helpers import CREATOR

PROMPT = "SECRET-PROMPT: a heron of ink and gold leaf at dawn, mist over the river, 35mm"


@pytest.fixture
def genip(client: GenIPClient, tmp_path: Path) -> Genip:
    path = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    return Genip(tmp_path / "data", path)


@pytest.fixture
def app(genip: Genip) -> Iterator[TestClient]:
    url = f"sqlite:///{genip.data_dir / 'genip.db'}"
    upgrade(make_engine(url))
    settings = ApiSettings(data_dir=genip.data_dir, database_url=url)
    with TestClient(create_app(settings), raise_server_exceptions=True) as test_client:
        test_client.headers.update(platform_key(make_engine(url), 1))  # uploads need an owner
        yield test_client


def _png(path: Path, array: np.ndarray) -> Path:
    Image.fromarray(array).save(path, format="PNG")
    return path


def _objects(store: LocalStore) -> list[bytes]:
    """Every object in the store, read from disk."""
    return [p.read_bytes() for p in store.root.rglob("*") if p.is_file()]


def test_cli_registers_a_prompt_with_two_examples_and_the_api_shows_their_previews(
    genip: Genip, client: GenIPClient, app: TestClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "heron.txt"
    prompt.write_text(PROMPT)
    first = _png(tmp_path / "one.png", sample("astronaut"))
    second = _png(tmp_path / "two.png", sample("coffee"))
    out = genip(
        "register", str(prompt), "--kind", "prompt", "--title", "Heron", "--description", "ink and gold",
        "--example", str(first), "--example", str(second), "--json", key=CREATOR,
    ).json()  # fmt: skip
    store = LocalStore(genip.data_dir / "store")
    meta = WorkMetadata.from_bytes(store.get(out["metadata_cid"]))
    assert meta.kind is WorkKind.PROMPT and len(meta.examples) == 2 and len(set(meta.examples)) == 2
    document = json.loads(store.get(out["metadata_cid"]))
    assert document["genip"]["preview"]["examples"] == list(meta.examples)
    assert document["image"] == f"ipfs://{meta.examples[0]}"
    for cid, source in zip(meta.examples, (first, second), strict=True):
        with Image.open(io.BytesIO(store.get(cid))) as shown, Image.open(source) as full:
            assert shown.format == "JPEG" and max(shown.size) <= 1024
            assert shown.size[0] / shown.size[1] == pytest.approx(full.size[0] / full.size[1], abs=0.01)
    stored = _objects(store)
    assert first.read_bytes() not in stored and second.read_bytes() not in stored
    assert all(b"SECRET-PROMPT" not in blob for blob in stored)

    assert genip("index", "--once").exit_code == 0
    asset = app.get(f"/assets/{out['asset_id']}").json()
    assert asset["metadata_status"] == "ok" and asset["kind"] == "prompt"
    assert asset["card"]["examples"] == list(meta.examples)
    assert {"characters", "lines"} <= set(asset["card"]) and "SECRET-PROMPT" not in json.dumps(asset)
    served = app.get(f"/ipfs/{meta.examples[1]}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize("bad", ["not-an-image", "too-many", "not-a-prompt"])
def test_a_bad_example_is_a_one_line_error_and_nothing_is_registered(
    genip: Genip, client: GenIPClient, tmp_path: Path, bad: str
) -> None:
    prompt = tmp_path / "heron.txt"
    prompt.write_text(PROMPT)
    image = _png(tmp_path / "one.png", sample("astronaut"))
    work, kind, examples = str(prompt), "prompt", [str(image)]
    if bad == "not-an-image":
        fake = tmp_path / "fake.png"
        fake.write_text("this is text, not a picture")
        examples = [str(image), str(fake)]
    elif bad == "too-many":
        examples = [str(image)] * 5
    else:
        work, kind = str(_png(tmp_path / "work.png", sample("camera"))), "image"
    args = ["register", work, "--kind", kind, "--title", "Heron", "--prompt", "p", "--json"]
    for example in examples:
        args += ["--example", example]
    message = genip(*args, key=CREATOR).error()
    expected = {
        "not-an-image": "fake.png is not an image",
        "too-many": "at most 4 example outputs, not 5",
        "not-a-prompt": "only prompt-kind works take example outputs",
    }[bad]
    assert expected in message
    assert client.registry.functions.totalAssets().call() == 0
    store = LocalStore(genip.data_dir / "store")
    assert not store.root.exists() or _objects(store) == []


def test_the_web_path_lists_only_example_previews_the_server_made(
    app: TestClient, client: GenIPClient, tmp_path: Path
) -> None:
    png = _png(tmp_path / "ex.png", sample("coffee")).read_bytes()
    made = app.post("/uploads/examples", files={"file": ("ex.png", png)})
    assert made.status_code == 200, made.text
    preview_cid = made.json()["preview_cid"]
    preview = app.get(f"/ipfs/{preview_cid}")
    assert preview.status_code == 200 and preview.content != png and preview.content[:3] == b"\xff\xd8\xff"

    refused = app.post("/uploads/examples", files={"file": ("ex.png", b"plain text, not a picture")})
    assert refused.status_code == 415 and "not a readable image" in refused.json()["detail"]
    refused = app.post("/uploads/examples", files={"file": ("ex.txt", b"text")})
    assert refused.status_code == 415 and "must be an image" in refused.json()["detail"]

    up = app.post("/uploads", files={"file": ("p.txt", PROMPT.encode())}, data={"kind": "prompt"})
    assert up.status_code == 200, up.text
    body = {
        "content_cid": up.json()["cid"],
        "name": "web heron",
        "prompt_commitment": "0x" + commit_prompt(PROMPT, creator=CREATOR.address).commitment.hex(),
        "creator": CREATOR.address,
    }
    plain = app.post("/metadata", json=body)
    assert plain.status_code == 200 and "examples" not in plain.json()["metadata"]["genip"].get("preview", {})
    listed = app.post("/metadata", json=body | {"examples": [preview_cid]})
    assert listed.status_code == 200, listed.text
    assert listed.json()["metadata"]["genip"]["preview"]["examples"] == [preview_cid]
    # a CID the server did not make as an example preview (here: the prompt's own original) is refused
    forged = app.post("/metadata", json=body | {"examples": [up.json()["cid"]]})
    assert forged.status_code == 400 and "not a preview made here" in forged.json()["detail"]
    too_many = app.post("/metadata", json=body | {"examples": [preview_cid] * 5})
    assert too_many.status_code == 422
