"""`genip license download ASSET`: end to end through the CLI, the real API (uvicorn) and the session anvil.

The creator registers with the CLI (the original sealed in the data directory's store and database), a brand
buys a licence with the CLI, the chain is indexed into that database, and the API serves it; the download is
signed with the account's key and written only when the chain's `assetOf(sha256)` is the asset."""

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from api.app import create_app
from api.settings import ApiSettings
from genip.chain.accounts import dev_account
from genip.chain.client import GenIPClient
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.storage import LocalStore
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.runner import Indexer
from tests.cli.conftest import Genip, register_text
from tests.helpers import BRAND, CREATOR

OUTSIDER = dev_account(7)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(genip: Genip, client: GenIPClient) -> Iterator[str]:
    """Indexes the chain into the data directory's database and serves the API over it; its base URL."""
    url = f"sqlite:///{genip.data_dir / 'genip.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = LocalStore(genip.data_dir / "store")
    filler = MetadataFiller(engine, client.deployment.chain_id, store, retry_seconds=0)
    Indexer(engine, IndexerConfig.from_deployment(client.deployment), after_step=filler.fill).run(once=True)
    filler.fill()
    engine.dispose()
    app = create_app(ApiSettings(data_dir=genip.data_dir, database_url=url))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_licensee_and_the_owner_download_the_verified_original(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    text = "the harbour at dawn, gulls over the breakwater"
    asset = register_text(genip, tmp_path, CREATOR, text)
    offer = genip("offer", str(asset), "--tier", "standard", "--price", "0.001", "--json", key=CREATOR).json()
    licence = genip(
        "license", "buy", str(asset), "--offer", str(offer["offer_id"]), "--json", key=BRAND
    ).json()
    sha256 = "0x" + hashlib.sha256(text.encode()).hexdigest()
    with serving(genip, client) as base:
        target = tmp_path / "bought.txt"
        out = genip(
            "license", "download", str(asset), "-o", str(target), "--json", key=BRAND, GENIP_API_URL=base
        ).json()
        assert target.read_text() == text
        assert out["sha256"] == sha256 and out["sha256_verified"] is True and out["bytes"] == len(text)
        assert (out["grant"], out["license_id"]) == ("licence", licence["license_id"])
        assert out["as_of_block"] == client.w3.eth.block_number

        # Without GENIP_API_URL the running demo's API of this data directory is found; a folder as -o takes
        # the API's file name. The table says the sha256 was verified.
        (genip.data_dir / "demo-api-url").write_text(base)
        folder = tmp_path / "mine"
        folder.mkdir()
        run = genip("license", "download", str(asset), "-o", str(folder), key=CREATOR).ok()
        assert "sha256 verified" in run.stdout
        assert (folder / f"genip-{asset}.txt").read_text() == text

    engine = make_engine(f"sqlite:///{genip.data_dir / 'genip.db'}")
    with engine.connect() as c:
        logged = c.execute(models.Download.__table__.select().order_by(models.Download.id)).all()
    engine.dispose()
    assert [(r.account, r.grant, r.license_id, r.asset_id) for r in logged] == [
        (BRAND.address, "licence", licence["license_id"], asset),
        (CREATOR.address, "owner", None, asset),
    ]


def test_refusals_are_one_line_and_write_nothing(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    asset = register_text(genip, tmp_path, CREATOR, "a text nobody licensed")
    target = tmp_path / "nope.txt"
    with serving(genip, client) as base:
        error = genip(
            "license", "download", str(asset), "-o", str(target), key=OUTSIDER, GENIP_API_URL=base
        ).error()
        assert "the API refused the download (403)" in error and "holds no licence" in error
        error = genip(
            "license", "download", "999", "-o", str(target), key=OUTSIDER, GENIP_API_URL=base
        ).error()
        assert "(404)" in error and "not registered" in error
        assert "no signing account" in genip("license", "download", str(asset), GENIP_API_URL=base).error()
    assert not target.exists()
    down = genip("license", "download", str(asset), key=CREATOR, GENIP_API_URL="http://127.0.0.1:9").error()
    assert "cannot be reached" in down
