"""`genip originals …`: originals encrypted at rest — rotate the service key, migrate a plaintext store.

    genip originals rotate        rewrap every envelope's data key with the newest service key
    genip originals seal-store    seal every plaintext original the store still holds, derive missing previews

Service keys: `GENIP_ORIGINALS_KEYS` (comma-separated Fernet keys, newest first), else the key file
`<data dir>/originals.key` (mode 0600, created on first use). To rotate: generate a key
(`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`), put it first in
`GENIP_ORIGINALS_KEYS` followed by the old one(s), run `genip originals rotate`, then drop the old keys. No
command prints a key. The work happens in the core (`genip.storage.originals`, `genip.storage.seal_store`).
"""

from typing import TYPE_CHECKING

import typer

from cli.context import JsonOption, settings_of
from cli.output import emit, status

if TYPE_CHECKING:  # SQLAlchemy and the storage layer load when a command runs
    from genip.settings import Settings
    from genip.storage import ContentStore
    from genip.storage.originals import Originals

__all__ = ["originals_app", "originals_of"]

originals_app = typer.Typer(
    no_args_is_help=True, help="Originals sealed at rest: key rotation, store migration."
)


def originals_of(settings: "Settings", store: "ContentStore") -> "Originals":
    """Sealed originals in `store` with the settings' database and service keys. An empty database gets the
    schema first (as `genip index` does); one at another revision is refused (`genip db upgrade`)."""
    from genip.db.engine import make_engine
    from genip.db.migrate import current_revision, require_current, upgrade
    from genip.storage.originals import Originals

    engine = make_engine(settings.db_url)
    if current_revision(engine) is None:
        upgrade(engine)
    require_current(engine)
    return Originals.from_settings(engine, store, settings)


@originals_app.command("rotate")
def rotate(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Rewrap every sealed original's data key with the newest service key (first in GENIP_ORIGINALS_KEYS)."""
    from genip.errors import GenIPError
    from genip.storage import open_store
    from genip.storage.originals import rotate_envelopes

    settings = settings_of(ctx)
    originals = originals_of(settings, open_store(settings.data_dir, settings.ipfs_api))
    done, failed = rotate_envelopes(originals.engine, originals.keyring)
    if failed:
        raise GenIPError(
            f"{len(failed)} sealed original(s) open with none of the configured keys (first: {failed[0]}); "
            f"{done} rewrapped: add the old key to GENIP_ORIGINALS_KEYS and run again"
        )
    emit({"rewrapped": done, "keys": originals.keyring.count}, as_json=as_json, title="Service key rotated")


@originals_app.command("seal-store")
def seal_store_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Seal every plaintext original the content store still holds, then remove the plaintext; derive the
    preview of works registered before previews existed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from genip.errors import GenIPError
    from genip.storage import open_store
    from genip.storage.seal_store import seal_store

    settings = settings_of(ctx)
    originals = originals_of(settings, open_store(settings.data_dir, settings.ipfs_api))
    columns = (TextColumn("sealing originals"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=status, transient=True, disable=as_json) as bar:
        task = bar.add_task("seal", total=None)
        report = seal_store(
            originals,
            settings.data_dir / "uploads",
            on_total=lambda total: bar.update(task, total=total),
            on_item=lambda _: bar.advance(task),
        )
    data = {
        "sealed": report.sealed,
        "already_sealed": report.already,
        "not_in_store": report.absent,
        "previews_derived": report.previews,
        "failed": [{"cid": cid, "error": error} for cid, error in report.failed],
    }
    if report.failed and not as_json:
        raise GenIPError(
            f"{len(report.failed)} original(s) could not be sealed (first: {report.failed[0][0]}: "
            f"{report.failed[0][1]}); {report.sealed} sealed"
        )
    emit(data, as_json=as_json, title="Content store sealed", skip=("failed",))
