"""`genip demo`: the whole marketplace on one machine — chain, contracts, seeded works, indexer, API and page.

State lives in the data directory (`GENIP_DATA_DIR`, default `./.genip`): the chain's state file, the
deployment file, the database (SQLite unless `DATABASE_URL` is set) and the content store. Running the command
again resumes that state (the chain is reloaded from its state file, the indexer continues from its cursor);
`--fresh` wipes it and seeds anew.

The API (`genip serve`), the indexer (`genip index`), the prompt checker (`genip checker run`) and its review
page (`genip checker review serve`) run as separate child processes under `cli.demo.supervisor`: one that
exits is reported in one line and restarted alone, the chain and the others untouched; their output goes to
`<data dir>/logs/<name>.log`. Ctrl-C stops them, then the chain (saved).

The checker has its own keys, handed to its process alone through its environment (never printed or logged):
dev account `CHECKER` (granted `CHECKER_ROLE` by the seed) to attest, and the X25519 key prompts are sealed
to, kept in `<data dir>/checker/sealing.key` (0600) and made on the first run. The review page is a second
process with the same keys (it opens prompts for a signed-in reviewer and attests the decision), on its own
port; the API gets only the public key, which it publishes, and the review page's URL, which `/config`
publishes so the marketplace links checker accounts to it (the API never sees a prompt).
"""

import shutil
import signal
import socket
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from genip.errors import GenIPError, redact_url

if TYPE_CHECKING:  # `genip --help` loads this module: the chain and the seed load when the demo runs
    from cli.demo.supervisor import Supervisor
    from genip.chain.anvil import Anvil
    from genip.chain.deployment import Deployment
    from genip.checker.sealing import CheckerKey
    from genip.settings import Settings

__all__ = ["demo"]

STATE_FILE = "anvil-state.json"
#: The dev account the demo's faucet sends from (the seed's cast uses 0-6, the browser tests 7 and 8).
FAUCET = 9
#: The checker's private sealing key, inside the data directory.
CHECKER_KEY_FILE = Path("checker") / "sealing.key"


def _wipe_chain(settings: "Settings") -> None:
    """Forgets the saved chain (before anvil starts)."""
    (settings.data_dir / STATE_FILE).unlink(missing_ok=True)


def _wipe_index(settings: "Settings", chain_id: int) -> None:
    """Forgets the deployment files and everything indexed for `chain_id` (a new deployment starts over)."""
    shutil.rmtree(settings.deployments_dir, ignore_errors=True)
    from sqlalchemy import delete

    from genip.db.engine import make_engine
    from genip.db.migrate import upgrade
    from genip.db.models import PromptSubmission
    from indexer.store import Store

    engine = make_engine(settings.db_url)
    upgrade(engine)
    Store(engine, chain_id).reset()
    with engine.begin() as c:  # not indexed, but of the old deployment's assets all the same
        c.execute(delete(PromptSubmission).where(PromptSubmission.chain_id == chain_id))
    engine.dispose()


def _checker_key(settings: "Settings") -> "CheckerKey":
    """The demo checker's sealing key: the one kept in the data directory, or a new one kept there."""
    from genip.checker.sealing import CheckerKey

    path = settings.data_dir / CHECKER_KEY_FILE
    if path.exists():
        return CheckerKey.from_setting(None, path)
    key = CheckerKey.generate()
    key.write(path)
    return key


def _existing(settings: "Settings", rpc_url: str) -> "Deployment | None":
    """The deployment to resume on `rpc_url`, if its contracts are still there."""
    from eth_utils.address import to_checksum_address

    from genip.chain.client import connect
    from genip.chain.deployment import read_deployment

    path = settings.deployment_path()
    if not path.exists():
        return None
    deployment = read_deployment(path)
    w3 = connect(rpc_url)
    if w3.eth.chain_id != deployment.chain_id or not w3.eth.get_code(
        to_checksum_address(deployment.registry)
    ):
        return None
    return deployment.model_copy(update={"rpc_url": rpc_url})


def demo(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(envvar="GENIP_DEMO_PORT", help="Port of the API and web page.")] = 8000,
    chain_port: Annotated[
        int, typer.Option(envvar="GENIP_DEMO_CHAIN_PORT", help="Port of the local chain (anvil).")
    ] = 8545,
    review_port: Annotated[
        int,
        typer.Option(envvar="GENIP_DEMO_REVIEW_PORT", help="Port of the checker's review page (127.0.0.1)."),
    ] = 8790,
    fresh: Annotated[bool, typer.Option("--fresh", help="Forget the previous demo and seed anew.")] = False,
) -> None:
    """Run the demo marketplace: local chain, contracts, seeded works, indexer, API and web page."""
    from cli.demo.seed import seed
    from genip.chain.accounts import dev_account
    from genip.chain.anvil import Anvil
    from genip.chain.client import GenIPClient, connect
    from genip.chain.deploy import deploy
    from genip.chain.deployment import write_deployment
    from genip.chain.up import DEV_BLOCK_TIME, mixed_mining
    from genip.db.engine import make_engine
    from genip.storage import open_store
    from genip.storage.originals import Keyring

    settings: Settings = ctx.obj
    console = Console(highlight=False)
    if review_port in (port, chain_port):
        raise GenIPError(
            f"the review page needs a port of its own: {review_port} is the API's or the chain's"
        )
    # Ctrl-C stops the demo even when it was started with SIGINT ignored (a background job of a script).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    checker_key = _checker_key(settings)
    if fresh:
        _wipe_chain(settings)
    node: Anvil | None = None
    if settings.rpc_url is None:
        state = settings.data_dir / STATE_FILE
        node = Anvil(
            port=chain_port,
            extra_args=("--state", str(state), "--state-interval", "5", *mixed_mining(DEV_BLOCK_TIME)),
        )
        console.print(
            f"starting a local chain on 127.0.0.1:{chain_port}" + (" (resuming)" if state.exists() else "")
        )
        node.start()
    try:
        rpc_url = node.rpc_url if node else str(settings.rpc_url)
        deployment = None if fresh else _existing(settings, rpc_url)
        store = open_store(settings.data_dir, settings.ipfs_api)
        if deployment is None:
            _wipe_index(settings, connect(rpc_url).eth.chain_id)
            console.print("deploying the contracts")
            deployment = deploy(
                connect(rpc_url),
                dev_account(0),
                rpc_url=rpc_url,
                fee_bps=settings.fee_bps,
                fee_recipient=dev_account(0).address,
                demo_token=True,
                arbiter=dev_account(0).address,  # the platform rules on the demo's disputes
            )
            write_deployment(deployment, settings.deployments_dir)
            engine = make_engine(settings.db_url)  # migrated by _wipe_index
            try:
                with console.status("seeding the marketplace") as status:
                    seed(
                        GenIPClient.open(deployment),
                        store,
                        settings.data_dir,
                        engine=engine,
                        checker_key=checker_key,
                        keyring=Keyring.from_settings(settings),
                        progress=lambda s: status.update(s),
                    )
            finally:
                engine.dispose()
        else:
            write_deployment(deployment, settings.deployments_dir)
        _serve(
            settings,
            deployment,
            console,
            port=port,
            review_port=review_port,
            chain=node,
            checker_key=checker_key,
        )
    finally:
        if node is not None:
            node.stop()
            console.print("chain stopped (state saved)")


def _serve(
    settings: "Settings",
    deployment: "Deployment",
    console: Console,
    *,
    port: int,
    review_port: int,
    chain: "Anvil | None",
    checker_key: "CheckerKey",
) -> None:
    """Runs the API, the indexer, the checker and its review page as supervised child processes until Ctrl-C
    (or the chain stops)."""
    from cli.demo.seed import CHECKER
    from cli.demo.supervisor import Program, Supervisor
    from cli.prompt import DEMO_API_FILE
    from genip.chain.accounts import dev_account
    from genip.db.engine import make_engine
    from genip.db.migrate import upgrade

    if _port_taken(port):
        raise GenIPError(f"the API could not start on 127.0.0.1:{port}: the port is taken")
    if _port_taken(review_port):
        raise GenIPError(f"the review page could not start on 127.0.0.1:{review_port}: the port is taken")
    engine = make_engine(settings.db_url)
    upgrade(engine)  # the children require the current schema
    engine.dispose()
    genip = (sys.executable, "-m", "cli")
    env = {
        "GENIP_DATA_DIR": str(settings.data_dir.resolve()),
        "GENIP_DEPLOYMENT_FILE": str((settings.deployments_dir / f"{deployment.chain_id}.json").resolve()),
        "GENIP_RPC_URL": deployment.rpc_url,
        "GENIP_API_CHAIN_ID": str(deployment.chain_id),
        "PYTHONUNBUFFERED": "1",  # the logs follow the children as they go
    }
    if settings.database_url is not None:
        env["DATABASE_URL"] = settings.database_url
    supervisor = Supervisor(
        settings.data_dir / "logs", env=env, notify=lambda line: console.print(line, style="yellow")
    )
    url = f"http://127.0.0.1:{port}"
    review_url = f"http://127.0.0.1:{review_port}"
    api_env = {
        "GENIP_CHECKER_PUBLIC_KEY": checker_key.public_key.hex,
        # demo mode's faucet (`POST /faucet`, `genip faucet`): a funded dev account's key, to the API alone
        "GENIP_FAUCET_KEY": dev_account(FAUCET).key.hex(),
        # every platform in a demo runs on this host: let them subscribe local webhook receivers
        "GENIP_API_WEBHOOK_PRIVATE_URLS": "true",
        # published in /config: the page links checker accounts to the checker's own review page
        "GENIP_CHECKER_REVIEW_URL": f"{review_url}/",
    }
    checker_env = {  # the checker's keys reach its processes alone (the checker and its review page)
        "GENIP_KEY_ENV": "GENIP_PRIVATE_KEY",
        "GENIP_PRIVATE_KEY": dev_account(CHECKER).key.hex(),
        "GENIP_CHECKER_KEY_FILE": str((settings.data_dir / CHECKER_KEY_FILE).resolve()),
    }
    try:
        supervisor.add(
            Program("api", (*genip, "serve", "--host", "127.0.0.1", "--port", str(port)), env=api_env)
        )
        supervisor.start()
        _index_once(settings, deployment)
        _wait_for(supervisor, "api", f"{url}/health", "the API")  # its URL is printed once it answers
        (settings.data_dir / DEMO_API_FILE).write_text(url + "\n")  # `genip register` submits prompts there
        # SIGINT is `genip index`'s clean stop; `--wait` rides out the lock of a killed one not yet released
        supervisor.add(Program("indexer", (*genip, "index", "--wait"), stop_signal=signal.SIGINT))
        supervisor.add(Program("checker", (*genip, "checker", "run", "--interval", "2"), env=checker_env))
        # prompts are read there, in a process holding the checker's keys, never in the API's
        review = (*genip, "checker", "review", "serve", "--port", str(review_port))
        supervisor.add(Program("review", review, env=checker_env))
        # uploads nobody registers within a day are deleted (issue #20 part 2; `genip.uploads.sweep`)
        supervisor.add(Program("sweeper", (*genip, "uploads", "sweep", "--every", "600", "--json")))
        _wait_for(supervisor, "review", f"{review_url}/login", "the review page")
        _banner(console, settings, deployment, url, review_url)
        while chain is None or chain.running:
            time.sleep(0.5)
        raise GenIPError("the chain stopped")
    except KeyboardInterrupt:
        pass
    finally:
        (settings.data_dir / DEMO_API_FILE).unlink(missing_ok=True)
        supervisor.stop()
        console.print("review page, checker, indexer and API stopped")


def _port_taken(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:`port` (its /health could pass for our API's)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


def _index_once(settings: "Settings", deployment: "Deployment") -> None:
    """Catches up with the chain (in this process, whose chain modules are loaded already: the API starts
    meanwhile) so the page opens on a complete index."""
    from genip.db.engine import make_engine
    from genip.storage import open_store
    from indexer.config import IndexerConfig
    from indexer.media import content_step
    from indexer.runner import Indexer

    engine = make_engine(settings.db_url)
    store = open_store(settings.data_dir, settings.ipfs_api)
    indexer = Indexer(
        engine,
        IndexerConfig.from_settings(settings, deployment),
        after_step=content_step(engine, deployment.chain_id, store, settings),
    )
    try:
        indexer.run(once=True)
    finally:
        indexer.close()
        engine.dispose()


def _wait_for(supervisor: "Supervisor", name: str, url: str, what: str, timeout: float = 120.0) -> None:
    """Returns once child `name` answers 200 at `url`; fails if its first process exits or never answers."""
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if supervisor.restarts(name) or time.monotonic() > deadline:
            log = supervisor.log_path(name)
            where = url.split("/")[2]
            raise GenIPError(
                f"{what} could not start on {where} ({_last_line(log) or 'no answer'}); see {log}"
            )
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _database(settings: "Settings") -> str:
    return "SQLite (embedded)" if settings.database_url is None else redact_url(settings.db_url)


def _banner(
    console: Console, settings: "Settings", deployment: "Deployment", url: str, review_url: str
) -> None:
    from cli.demo.seed import CAST
    from genip.chain.accounts import dev_account

    table = Table(title="Gen-IP demo", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    for what, value in (
        ("marketplace", f"{url}/"),
        ("API docs", f"{url}/docs"),
        ("chain", f"{redact_url(deployment.rpc_url)} (chain id {deployment.chain_id})"),
        ("data", f"{settings.data_dir} · database {_database(settings)}"),
        ("review page", f"{review_url}/ (checker accounts sign in with their wallet; prompts stay there)"),
        ("processes", "API, indexer, prompt checker and its review page, each restarted if it exits"),
        ("logs", f"{settings.data_dir / 'logs'} (api.log, indexer.log, checker.log, review.log)"),
        ("faucet", "new wallets: `genip faucet ADDRESS` or “Get test funds” on the page (1 ETH, 1 000 gUSD)"),
    ):
        table.add_row(what, value)
    console.print(table)
    accounts = Table(
        title="Funded demo accounts (anvil's standard dev mnemonic, see README)", title_justify="left"
    )
    accounts.add_column("#")
    accounts.add_column("who")
    accounts.add_column("address", no_wrap=True, min_width=42)
    for index, role in CAST.items():
        accounts.add_row(str(index), role, dev_account(index).address)
    console.print(accounts)
    console.print(f"Gen-IP demo running at {url}/ — press Ctrl-C to stop", style="bold green")
