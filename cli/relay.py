"""`genip platform relay`: the relayer of a platform's bulk registrations (`genip.relay`).

It is the only holder of the platform's funded key: its wallet (`genip platform add --wallet`), the address
creators authorise. The key comes from the keystore (`--account`, password asked) or the environment
(`GENIP_PRIVATE_KEY`), like `genip checker run`, and is never printed.
"""

import time
from typing import Annotated

import typer
from rich.console import Console

from cli.context import AccountOption, JsonOption, open_client, open_database, settings_of, signer
from cli.output import emit

__all__ = ["relay"]


def relay(
    ctx: typer.Context,
    platform: Annotated[str, typer.Option("--platform", help="The platform's name (genip platform add).")],
    account: AccountOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="One round (claim, commit, register, index), then exit.")
    ] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds.", min=0.05)] = 2.0,
    batch: Annotated[
        int, typer.Option(help="Most works per commit and batch transaction.", min=1, max=100)
    ] = 100,
    json: JsonOption = False,
) -> None:
    """Certify the platform's accepted registrations in batches, round after round (`--once`: one round):
    commit, `registerBatchByPlatform` (or `registerFor` for signed works), then wait for the indexer.

    A round that fails (the chain or the database away) is reported in one line and retried after
    `--interval`; a key that is not the platform's wallet stops the command at start."""
    from genip.errors import GenIPError
    from genip.platforms import find_platform
    from genip.relay import Relayer

    settings = settings_of(ctx)
    engine = open_database(settings)
    client = open_client(settings)
    found = find_platform(engine, client.deployment.chain_id, platform)
    worker = Relayer(engine, client, signer(settings, account), found, batch_size=batch)
    worker.check()
    worker.hold_lock()
    console = Console(highlight=False)
    if not once and not json:
        console.print(f"relaying for platform {found.name!r} as {worker.account.address} every {interval:g}s")
    while True:
        try:
            done = worker.run_once()
        except (GenIPError, OSError) as exc:
            if once:
                raise
            console.print(f"round failed: {exc}; retrying in {interval:g}s")
            time.sleep(interval)
            continue
        summary = {
            "committed": done.committed,
            "registered": done.registered,
            "indexed": done.indexed,
            "failed": done.failed,
            "errors": done.errors,
        }
        if json:
            emit(summary, as_json=True, title="relayed")
        elif done.moved or done.errors:
            console.print(
                f"committed {done.committed}, registered {done.registered}, indexed {done.indexed}, "
                f"failed {done.failed}" + "".join(f"\n  {e}" for e in done.errors)
            )
        if once:
            return
        time.sleep(interval)
