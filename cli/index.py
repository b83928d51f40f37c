"""`genip db …` and `genip index`: schema migrations and the indexer, wired to settings and the console."""

import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from genip.errors import redact_url

if TYPE_CHECKING:  # SQLAlchemy, alembic, the indexer and rich's progress bar load when a command runs
    from rich.progress import Progress, TaskID

    from genip.settings import Settings
    from indexer.runner import Stats

__all__ = ["db_app", "index"]

db_app = typer.Typer(no_args_is_help=True, help="Database schema.")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to this version's newest revision."""
    from genip.db.engine import make_engine
    from genip.db.migrate import current_revision, upgrade

    settings: Settings = ctx.obj
    engine = make_engine(settings.db_url)
    upgrade(engine)
    Console().print(
        f"database {redact_url(settings.db_url)} is at schema revision {current_revision(engine)}"
    )


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Show the database's schema revision and the one this code needs."""
    from genip.db.engine import make_engine
    from genip.db.migrate import current_revision, head_revision

    settings: Settings = ctx.obj
    current = current_revision(make_engine(settings.db_url))
    Console().print(f"schema revision: {current or 'none'} (this code needs {head_revision()})")


class ConsoleReporter:
    """Progress bar during backfill (blocks, events/s, ETA), then one status line per interval."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._events = 0
        self._started = 0.0

    def backfill_started(self, first: int, last: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[bold]backfill[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("blocks · {task.fields[events]} events · {task.fields[rate]} events/s"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self._events, self._started = 0, time.monotonic()
        self._task = self._progress.add_task("backfill", total=last - first + 1, events=0, rate="0")
        self._progress.start()

    def backfill_advanced(self, blocks: int, events: int) -> None:
        if self._progress is None or self._task is None:
            return
        self._events += events
        rate = self._events / max(time.monotonic() - self._started, 1e-6)
        self._progress.update(self._task, advance=blocks, events=self._events, rate=f"{rate:,.0f}")

    def backfill_finished(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def status(self, stats: "Stats") -> None:
        error = f" · last error: {stats.last_error}" if stats.last_error else ""
        self.console.print(
            f"block {stats.cursor:,} · head {stats.head:,} · lag {stats.lag} · {stats.events:,} events · "
            f"{stats.reorgs} reorgs{error}",
            highlight=False,
        )

    def message(self, text: str) -> None:
        self.console.print(text, highlight=False, style="yellow")


def index(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Catch up with the chain's head, then exit.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait while another indexer holds the lock.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Forget this chain's indexed rows first.")] = False,
) -> None:
    """Index every Gen-IP event of the deployment into the database (`DATABASE_URL`, default SQLite)."""
    from genip.chain.deployment import read_deployment
    from genip.db.engine import make_engine
    from genip.recursion import restore_recursion_limit
    from genip.storage import open_store
    from indexer.config import IndexerConfig
    from indexer.media import content_step
    from indexer.runner import Indexer

    restore_recursion_limit()  # py_ecc (imported by eth-account) raises it: nested JSON could crash us
    settings: Settings = ctx.obj
    deployment = read_deployment(settings.deployment_path())
    engine = make_engine(settings.db_url)
    config = IndexerConfig.from_settings(settings, deployment)
    console = Console(stderr=False, highlight=False)
    store = open_store(settings.data_dir, settings.ipfs_api)
    indexer = Indexer(
        engine,
        config,
        reporter=ConsoleReporter(console),
        after_step=content_step(engine, deployment.chain_id, store, settings),
    )
    if reset:
        indexer.store.reset()
    console.print(
        f"indexing chain {deployment.chain_id} from block {deployment.deploy_block} via "
        f"{redact_url(config.rpc_urls[0])} into {redact_url(settings.db_url)}"
    )
    try:
        stats = indexer.run(once=once, wait_for_lock=wait)
    except KeyboardInterrupt:
        console.print("stopped; the cursor is at the last committed block")
        return
    finally:
        indexer.close()
    console.print(f"caught up at block {stats.cursor:,} ({stats.events:,} new events, {stats.reorgs} reorgs)")
