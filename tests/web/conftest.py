"""The whole stack for browser tests, started once per session: anvil with the contracts, the demo
marketplace (`cli.demo.seed`), the indexer in a background thread, the API with the built web page under
uvicorn, and headless Debian Chromium driven by Playwright (never `playwright install`: the browser is
/usr/bin/chromium)."""

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI

from api.app import create_app
from api.settings import ApiSettings
from api.wallet_auth import sign_typed_data
from cli.demo.seed import DUSD, SeedReport, seed
from genip.chain.accounts import dev_account
from genip.chain.client import GenIPClient
from genip.chain.deployment import Deployment
from genip.chain.up import local_chain
from genip.checker.sealing import CheckerKey
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.settings import Settings
from genip.storage import LocalStore
from genip.storage.originals import Keyring, Originals
from indexer.config import IndexerConfig
from indexer.media import content_step
from indexer.runner import Indexer
from tests.helpers import mint_demo

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DIST = WEB / "dist"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PROVIDER_JS = (Path(__file__).parent / "provider.js").read_text(encoding="utf-8")
#: Keys of fresh accounts anvil only impersonates (it cannot sign messages for them): the injected wallet asks
#: `sign_typed_data` here for their EIP-712 signatures (uploads, prompt submissions, downloads).
SIGNERS: dict[str, LocalAccount] = {}
# cli.demo's cast uses dev accounts 0-6; the browser tests buy as 8 and pay from Python as 7.
BUYER = dev_account(8)
PAYER = dev_account(7)
ADA = dev_account(1)  # the demo's image creator
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class Stack:
    """What the browser tests talk to."""

    base_url: str
    rpc_url: str
    deployment: Deployment
    client: GenIPClient
    seeded: SeedReport
    data_dir: Path
    app: FastAPI
    checker_key: CheckerKey  # the seed's and the page's: prompts are sealed to its public key

    def originals(self) -> Originals:
        """The stack's sealed originals: its store, its database's envelopes, the data dir's key file (the
        seed's and the API's)."""
        engine = make_engine(f"sqlite:///{self.data_dir / 'genip.db'}")
        keyring = Keyring.from_settings(Settings(data_dir=self.data_dir))
        return Originals(engine, LocalStore(self.data_dir / "store"), keyring)

    def title(self, key: str) -> str:
        """The indexed title of the demo work `key`."""
        return str(httpx.get(f"{self.base_url}/assets/{self.seeded.assets[key]}").json()["title"])

    def has_route(self, path: str, method: str) -> bool:
        return any(
            getattr(r, "path", None) == path and method in (getattr(r, "methods", None) or ())
            for r in self.app.routes
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _built_page() -> None:
    """Build web/dist when it is missing or older than the sources (the generated API types and ABIs in
    src/generated included) or the build's configuration (make setup normally did it). The build type-checks
    first (`tsc --noEmit`)."""
    sources = [p for p in (WEB / "src").rglob("*") if p.is_file()] + [
        WEB / "index.html",
        WEB / "vite.config.js",
        WEB / "tsconfig.json",
        WEB / "package.json",
    ]
    index = DIST / "index.html"
    if index.is_file() and index.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    npm = shutil.which("npm")
    if npm is None or not (WEB / "node_modules").is_dir():
        pytest.skip("web/dist is not built and web/node_modules is missing: run `make setup`")
    built = subprocess.run([npm, "run", "build"], cwd=WEB, capture_output=True, text=True)
    if built.returncode != 0:
        raise RuntimeError(f"npm run build failed:\n{built.stdout[-4000:]}\n{built.stderr[-2000:]}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium): run `make setup`")
    _built_page()
    data_dir = tmp_path_factory.mktemp("web-stack")
    settings = Settings(data_dir=data_dir)
    with local_chain(settings) as chain:
        deployment = chain.deployment
        client = GenIPClient.open(deployment)
        db_url = f"sqlite:///{data_dir / 'genip.db'}"
        engine = make_engine(db_url)
        upgrade(engine)
        checker_key = CheckerKey.generate()
        seeded = seed(
            client, LocalStore(data_dir / "store"), data_dir, engine=engine, checker_key=checker_key
        )
        for buyer in (BUYER, PAYER):
            mint_demo(client, buyer, 10_000 * DUSD)
        # What `genip index` runs after each step: metadata, media hashes, possible copies.
        after = content_step(engine, deployment.chain_id, LocalStore(data_dir / "store"), settings)
        indexer = Indexer(
            engine, IndexerConfig.from_deployment(deployment, poll_interval=0.2), after_step=after
        )
        stop = threading.Event()
        errors: list[BaseException] = []

        def index() -> None:
            try:
                indexer.run(stop=stop)
            except BaseException as exc:  # surfaced by the test that waits on the index
                errors.append(exc)

        indexer_thread = threading.Thread(target=index, name="indexer", daemon=True)
        indexer_thread.start()

        app = create_app(
            ApiSettings(
                data_dir=data_dir,
                database_url=db_url,
                api_web_dir=DIST,
                checker_public_key=checker_key.public_key.hex,
            )
        )
        app.state.genip_settings = settings
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        server_thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        server_thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not server_thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        assert chain.anvil is not None
        try:
            yield Stack(
                f"http://127.0.0.1:{port}",
                chain.anvil.rpc_url,
                deployment,
                client,
                seeded,
                data_dir,
                app,
                checker_key,
            )
        finally:
            server.should_exit = True
            server_thread.join(timeout=10)
            stop.set()
            indexer_thread.join(timeout=10)
            engine.dispose()
        if errors:
            raise errors[0]


@pytest.fixture(scope="session")
def browser(stack: Stack) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(
    browser: Any, stack: Stack, account: str, *, mobile: bool = False, options: dict[str, Any] | None = None
) -> Any:
    """A page in a fresh context whose injected wallet is `account` (an unlocked anvil dev account)."""
    viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
    context = browser.new_context(base_url=stack.base_url, viewport=viewport)
    context.expose_function("genipTestSign", _sign_for_impersonated)
    script = PROVIDER_JS.replace("__RPC_URL__", stack.rpc_url).replace("__ACCOUNT__", account)
    context.add_init_script(script.replace("__OPTIONS__", json.dumps(options or {})))
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _sign_for_impersonated(account: str, typed: str) -> str | None:
    """The EIP-712 signature of `typed` by `account` if its key is in `SIGNERS`, else None (anvil signs)."""
    key = SIGNERS.get(account.lower())
    return None if key is None else sign_typed_data(json.loads(typed), key.key)


def rpc(stack: Stack, method: str, *params: Any) -> Any:
    """One JSON-RPC call to anvil (`evm_mine`, `evm_increaseTime`, ...)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    answer = httpx.post(stack.rpc_url, json=body, timeout=10).json()
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
