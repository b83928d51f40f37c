"""`genip license document LICENSE_ID [-o PATH]`: the PDF the served API hands out, written where asked; the
API found through GENIP_API_URL or the running demo's `demo-api-url`; one-line refusals."""

import io
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from pypdf import PdfReader

from api.app import create_app
from api.settings import ApiSettings
from cli.prompt import DEMO_API_FILE
from genip.chain.client import GenIPClient
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.storage import LocalStore
from genip.terms import Tier, template
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.runner import Indexer
from tests.cli.conftest import Genip, register_text
from tests.helpers import BRAND, CREATOR


@dataclass
class Sold:
    """A licence sold through the CLI, indexed, and the API serving the index."""

    license_id: int
    asset_id: int
    tx_hash: str
    api: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sold(genip: Genip, client: GenIPClient, tmp_path: Path) -> Iterator[Sold]:
    asset = register_text(genip, tmp_path, CREATOR, "harbour at dawn")
    offer = genip("offer", str(asset), "--tier", "standard", "--price", "0.2364375", "--json", key=CREATOR)
    bought = genip(
        "license", "buy", str(asset), "--offer", str(offer.json()["offer_id"]), "--json", key=BRAND
    )
    licence = bought.json()
    url = f"sqlite:///{tmp_path / 'index.db'}"
    engine = make_engine(url)
    upgrade(engine)
    filler = MetadataFiller(engine, client.deployment.chain_id, LocalStore(genip.data_dir / "store"))
    Indexer(engine, IndexerConfig.from_deployment(client.deployment), after_step=filler.fill).run(once=True)
    filler.fill()
    engine.dispose()
    app = create_app(ApiSettings(data_dir=genip.data_dir, database_url=url))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Sold(int(licence["license_id"]), asset, str(licence["tx_hash"]), f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_the_document_is_written_where_asked(genip: Genip, sold: Sold, tmp_path: Path) -> None:
    target = tmp_path / "brand-licence.pdf"
    out = genip(
        "license", "document", str(sold.license_id), "-o", str(target), "--json", GENIP_API_URL=sold.api
    )
    assert out.json()["path"] == str(target) and out.json()["bytes"] == target.stat().st_size
    text = _text(target)
    assert f"Gen-IP licence #{sold.license_id}" in text
    assert f"Licensor {CREATOR.address}" in text and f"Licensee {BRAND.address}" in text
    assert "Title harbour at dawn" in text
    assert "Price paid 0.2364375 ETH (236437500000000000 base units)" in text
    assert f"Transaction {sold.tx_hash}" in text
    assert "Expires never expires (perpetual)" in text
    assert f"Licence (API) {sold.api}/licenses/{sold.license_id}" in text
    # `genip offer` publishes the shipped standard terms: the document carries their text, named by hash.
    assert f"Terms document 0x{template(Tier.STANDARD).sha256.hex()}" in text
    assert "Gen-IP Standard Licence, version 1" in text and "What you may not do" in text


def test_a_directory_gets_the_servers_file_name_and_the_demo_url_is_found(
    genip: Genip, client: GenIPClient, sold: Sold, tmp_path: Path
) -> None:
    genip.data_dir.mkdir(parents=True, exist_ok=True)
    (genip.data_dir / DEMO_API_FILE).write_text(sold.api + "\n")
    folder = tmp_path / "docs"
    folder.mkdir()
    out = genip("license", "document", str(sold.license_id), "-o", str(folder), "--json").json()
    expected = folder / f"genip-licence-{client.deployment.chain_id}-{sold.license_id}.pdf"
    assert out["path"] == str(expected) and expected.read_bytes().startswith(b"%PDF-")


def test_refusals_are_one_line(genip: Genip, sold: Sold, tmp_path: Path) -> None:
    unknown = genip("license", "document", "424242", "-o", str(tmp_path / "x.pdf"), GENIP_API_URL=sold.api)
    assert "the API answered 404 for licence 424242: licence 424242 is not indexed" in unknown.error()
    assert not (tmp_path / "x.pdf").exists()
    nowhere = genip("license", "document", "1", "--api", "http://127.0.0.1:9")
    assert "cannot reach the Gen-IP API at http://127.0.0.1:9" in nowhere.error()
    no_dir = genip("license", "document", str(sold.license_id), "-o", str(tmp_path / "no" / "x.pdf"))
    assert "is not a directory" in no_dir.error()
