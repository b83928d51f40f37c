"""`genip uploads …`: files stored through `POST /uploads` and `POST /uploads/examples` before registration.

    genip uploads sweep                 once: remove uploads nobody registered within the TTL
    genip uploads sweep --every 600     as a long-running process (the demo supervises one)

The TTL is `--ttl-hours` or `GENIP_UPLOAD_TTL_HOURS` (default 24). An upload an indexed asset commits to is
marked registered and kept; bytes another owner's registration or fresh upload holds are kept. The work
happens in the core (`genip.uploads.sweep`).
"""

import time
from typing import Annotated

import typer

from cli.context import JsonOption, settings_of
from cli.output import emit, status

__all__ = ["uploads_app"]

uploads_app = typer.Typer(no_args_is_help=True, help="Uploads waiting for their registration: the sweeper.")


@uploads_app.command("sweep")
def sweep_command(
    ctx: typer.Context,
    ttl_hours: Annotated[
        float,
        typer.Option(
            "--ttl-hours",
            envvar="GENIP_UPLOAD_TTL_HOURS",
            min=0.0,
            help="Hours an upload may wait for its registration.",
        ),
    ] = 24.0,
    every: Annotated[
        float | None,
        typer.Option("--every", min=1.0, help="Sweep again every so many seconds, until stopped."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Remove the bytes of uploads no registered work commits to within the TTL; mark the others
    registered."""
    from datetime import timedelta

    from cli.originals import originals_of
    from genip.storage import open_store
    from genip.uploads import sweep

    settings = settings_of(ctx)
    store = open_store(settings.data_dir, settings.ipfs_api)
    engine = originals_of(settings, store).engine  # migrated and checked like the other store commands
    ttl = timedelta(hours=ttl_hours)
    while True:
        report = sweep(engine, store, settings.data_dir / "uploads", ttl=ttl)
        emit(report.to_json(), as_json=as_json, title="Uploads swept", skip=("failed",))
        for cid, error in report.failed:
            status.print(f"could not remove {cid}: {error}")
        if every is None:
            return
        try:
            time.sleep(every)
        except KeyboardInterrupt:
            return
