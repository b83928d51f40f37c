"""Private end to end, on both database backends: a creator registers a work and submits its prompt through
the real API (`genip serve`, its own process) with `genip prompt submit`; the real checker process
(`genip checker run`, its own process and keys) checks and attests it on anvil. Then every text and bytes
column of every table, every log line (the API's and the checker's output, the CLI's, every in-process log
record) and every API answer is searched for the prompt, its negative prompt and the salt: none holds them.
The outcome (failed: the prompt names a protected living artist) shows that the checker read the plaintext.
"""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.messages import encode_typed_data
from sqlalchemy import Engine, MetaData, select

from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from genip.chain.tx import send
from genip.chain.types import CheckOutcome
from genip.checker.auth import access_typed_data
from genip.checker.sealing import CheckerKey
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.storage import LocalStore
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.runner import Indexer
from tests.cli.conftest import Genip
from tests.helpers import CREATOR, DEPLOYER
from tests.indexer.conftest import postgres_database

ROOT = Path(__file__).resolve().parents[2]
#: Distinctive enough that no table, log or answer holds it by chance.
PROMPT = "a quokka orchestra tuning glass violins under a marmalade moon, by greg rutkowski, xq-7731"
NEGATIVE = "no velvet walruses, no zq-4410 watermark"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'genip.db'}"
        return
    yield from postgres_database()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Answers:
    """Every answer of the real API, kept for the scan."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.texts: list[str] = []

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.get(self.base + path, timeout=30, **kwargs)
        self.texts.append(json.dumps(dict(response.headers)) + response.text)
        return response


def index(engine: Engine, client: GenIPClient, data_dir: Path) -> None:
    Indexer(engine, IndexerConfig.from_deployment(client.deployment)).run(once=True)
    MetadataFiller(engine, client.deployment.chain_id, LocalStore(data_dir / "store"), retry_seconds=0).fill()


def holds(value: Any, needles: list[str]) -> str | None:
    """The needle `value` (a column's value) holds as text or as UTF-8 bytes, if any."""
    if value is None:
        return None
    if isinstance(value, memoryview | bytearray | bytes):
        raw = bytes(value)
        return next((n for n in needles if n.encode() in raw or n.lower().encode() in raw.lower()), None)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return next((n for n in needles if n.lower() in text.lower()), None)


def test_the_prompt_reaches_only_the_checker(
    client: GenIPClient, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    deployment_file = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    data_dir = tmp_path / "data"
    genip = Genip(data_dir, deployment_file, env={"GENIP_DATABASE_URL": db_url})
    work = tmp_path / "quokkas.txt"
    work.write_text("quokkas, glass, moon\n")
    registered = genip(
        "register", str(work), "--title", "Moon Orchestra", "--prompt", PROMPT, "--negative-prompt", NEGATIVE,
        "--model", "sdxl-base-1.0", "--json", key=CREATOR,
    )  # fmt: skip
    asset = registered.json()["asset_id"]
    kept = genip("prompt", "reveal", str(asset), "--json").json()  # the creator's own vault holds it
    salt = kept["master_salt"].removeprefix("0x")
    secrets = [PROMPT, NEGATIVE, salt, "xq-7731", "zq-4410", "marmalade moon"]

    engine = make_engine(db_url)
    upgrade(engine)
    index(engine, client, data_dir)
    key = CheckerKey.generate()
    key_file = tmp_path / "checker" / "sealing.key"
    key.write(key_file)

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENIP_") and k != "DATABASE_URL"}
    env |= {
        "GENIP_DATA_DIR": str(data_dir),
        "GENIP_DEPLOYMENT_FILE": str(deployment_file),
        "DATABASE_URL": db_url,
        "PYTHONUNBUFFERED": "1",
    }
    api_log = tmp_path / "api.log"
    with api_log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env | {"GENIP_CHECKER_PUBLIC_KEY": key.public_key.hex},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        api = Answers(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{api.base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, api_log.read_text()
            time.sleep(0.2)

        published = api.get("/prompts/checker-key").json()
        assert published["public_key"] == key.public_key.hex
        sent = genip("prompt", "submit", str(asset), "--api", api.base, "--json", key=CREATOR)
        assert sent.json()["status"] == "pending" and sent.json()["key_id"] == key.public_key.key_id
        assert api.get(f"/prompts/{asset}/check").json()["submission"]["status"] == "pending"

        # The checker process: its own signing account (granted CHECKER_ROLE) and its private key file.
        registry = client.registry.functions
        send(client.w3, DEPLOYER, registry.grantRole(registry.CHECKER_ROLE().call(), DEPLOYER.address))
        checker = subprocess.run(
            [sys.executable, "-m", "cli", "checker", "run", "--once", "--json"],
            env=env | {"GENIP_CHECKER_KEY_FILE": str(key_file), "GENIP_PRIVATE_KEY": DEPLOYER.key.hex()},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert checker.returncode == 0, checker.stderr
        [checked] = json.loads(checker.stdout)["checked"]
        assert checked["asset"] == asset and checked["outcome"] == "fail" and checked["attested"]
        assert registry.promptCheck(asset).call() == CheckOutcome.FAILED  # it read the artist's name

        index(engine, client, data_dir)
        check = api.get(f"/prompts/{asset}/check").json()
        assert check["status"] == "failed" and check["checker"] == DEPLOYER.address
        assert check["submission"]["status"] == "attested"
        api.get(f"/assets/{asset}")
        api.get(f"/assets/{asset}/lineage")
        api.get("/assets", params={"q": "orchestra"})
        api.get("/assets", params={"q": "moon"})
        api.get(f"/accounts/{CREATOR.address}")
        api.get("/openapi.json")
        until = int(time.time()) + 300
        typed = access_typed_data(client.deployment.chain_id, asset, CREATOR.address, until)
        signature = CREATOR.sign_message(encode_typed_data(full_message=typed)).signature
        mine = api.get(
            f"/prompts/{asset}",
            params={
                "account": CREATOR.address,
                "deadline": until,
                "signature": "0x" + bytes(signature).hex(),
            },
        )
        assert mine.status_code == 200 and mine.json()["outcome"] == "fail"  # the creator's view: no text
    finally:
        server.terminate()
        server.wait(timeout=30)

    # Every text and bytes column of every table.
    metadata = MetaData()
    metadata.reflect(engine)
    scanned = 0
    with engine.connect() as c:
        for table in metadata.sorted_tables:
            for row in c.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    scanned += 1
                    found = holds(value, secrets)
                    assert found is None, f"{table.name}.{column.name} holds {found!r}"
        [stored] = c.execute(select(metadata.tables["prompt_submissions"])).mappings()
    engine.dispose()
    assert scanned > 100 and stored["status"] == "attested" and stored["scheme"] == "parts"

    # Every log line and every answer.
    logs = {
        "api": api_log.read_text(),
        "checker": checker.stdout + checker.stderr,
        "cli": sent.stdout + sent.stderr + registered.stdout + registered.stderr,
        "records": "\n".join(r.getMessage() for r in caplog.records),
    }
    assert "Gen-IP API at" in logs["api"]  # the server's output was captured
    for where, text in [*logs.items(), *(("answer", t) for t in api.texts)]:
        found = holds(text, secrets)
        assert found is None, f"{where} holds {found!r}"
    assert len(api.texts) >= 10
