"""`genip register`, `genip derive`, `genip show` and `genip prompt verify|reveal`."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from genip.chain.client import GenIPClient
from genip.chain.reads import asset_info, check_asset, license_info
from genip.chain.types import WorkKind
from genip.cli.context import AccountOption, JsonOption, open_client, settings_of, signer
from genip.cli.output import emit, hex0x, status
from genip.content.metadata import ParentLink
from genip.errors import ConfigError
from genip.prompts import PromptVault
from genip.storage import open_store
from genip.works import (
    Draft,
    WorkDescription,
    prepare_registration,
    read_text_file,
    register_draft,
    registered_asset,
)

__all__ = ["ALREADY_REGISTERED_EXIT", "PromptFileOption", "PromptOption", "derive", "register"]

#: Exit code of `register`/`derive` when the exact content is already certified (the certificate is shown).
ALREADY_REGISTERED_EXIT: Final = 3
#: Files at least this large get a progress bar while hashing and storing.
PROGRESS_MIN_BYTES: Final = 8 * 1024 * 1024

_KINDS = ", ".join(k.name.lower() for k in WorkKind)
KindOption = Annotated[str | None, typer.Option("--kind", help=f"{_KINDS}; default: from the file.")]
TitleOption = Annotated[str, typer.Option("--title", help="The work's name.")]
DescriptionOption = Annotated[str, typer.Option("--description", help="Free text.")]
PromptFileOption = Annotated[
    Path | None, typer.Option("--prompt-file", help="File with the prompt (required for image and text).")
]
PromptOption = Annotated[
    str | None, typer.Option("--prompt", help="The prompt as text (beats --prompt-file).")
]
ModelOption = Annotated[str | None, typer.Option("--model", help="Model used, e.g. sdxl-1.0.")]
ToolOption = Annotated[str | None, typer.Option("--tool", help="Tool used, e.g. ComfyUI.")]
TagsOption = Annotated[str, typer.Option("--tags", help="Comma-separated tags.")]
FileArgument = Annotated[Path, typer.Argument(help="The work's file.", show_default=False)]


def _kind(text: str | None) -> WorkKind | None:
    if text is None:
        return None
    try:
        return WorkKind[text.strip().upper()]
    except KeyError:
        raise ConfigError(f"unknown kind {text[:40]!r}; one of {_KINDS}") from None


def _description(
    kind: str | None,
    title: str,
    description: str,
    prompt_file: Path | None,
    prompt: str | None,
    model: str | None,
    tool: str | None,
    tags: str,
) -> WorkDescription:
    text = (
        prompt if prompt is not None else read_text_file(prompt_file, "prompt file") if prompt_file else None
    )
    return WorkDescription(
        kind=_kind(kind),
        title=title,
        description=description,
        prompt=text,
        model=model,
        tool=tool,
        tags=tuple(t for t in tags.split(",") if t.strip()),
    )


@contextmanager
def _progress(path: Path, what: str) -> Iterator[Callable[[int], None] | None]:
    """A progress callback drawing a bar on stderr for big files, else `None`."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size < PROGRESS_MIN_BYTES:
        yield None
        return
    columns = (TextColumn(what), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=status, transient=True) as bar:
        task = bar.add_task(what, total=size)
        yield lambda done: bar.update(task, completed=done)


def _already(client: GenIPClient, asset_id: int, draft: Draft, as_json: bool) -> None:
    info = asset_info(client, asset_id)
    data = {
        "already_registered": True,
        "asset_id": asset_id,
        "owner": info.owner,
        "creator": info.creator,
        "sha256": hex0x(draft.digest.sha256),
        "metadata_cid": info.metadata_cid,
    }
    emit(data, as_json=as_json, title=f"Already registered as asset {asset_id}")
    status.print(f"[yellow]already registered:[/yellow] this content is asset {asset_id}; nothing sent")
    raise typer.Exit(ALREADY_REGISTERED_EXIT)


def _register(
    ctx: typer.Context,
    path: Path,
    about: WorkDescription,
    account: str | None,
    as_json: bool,
    parents: tuple[ParentLink, ...] = (),
) -> None:
    settings = settings_of(ctx)
    client = open_client(settings)
    sender = signer(settings, account)
    with _progress(path, "hashing") as progress:
        draft = prepare_registration(path, about, creator=sender.address, parents=parents, progress=progress)
    existing = registered_asset(client, draft)
    if existing:
        _already(client, existing, draft, as_json)
    store = open_store(settings.data_dir, settings.ipfs_api)
    vault = PromptVault(settings.data_dir, sender.address)
    with _progress(path, "storing") as progress:
        result = register_draft(
            client,
            sender,
            draft,
            store=store,
            vault=vault,
            license_ids=[p.license_id for p in parents] or None,
            progress=progress,
        )
    data = {
        "asset_id": result.asset_id,
        "kind": result.kind.name.lower(),
        "creator": sender.address,
        "sha256": hex0x(result.sha256),
        "cid": result.cid,
        "metadata_cid": result.metadata_cid,
        "tx_hash": result.tx_hash,
        "parents": [{"asset_id": p.asset_id, "license_id": p.license_id} for p in parents],
    }
    title = f"Registered {'derivative ' if parents else ''}asset {result.asset_id}"
    emit(data, as_json=as_json, title=title, skip=() if parents else ("parents",))


def register(
    ctx: typer.Context,
    path: FileArgument,
    title: TitleOption,
    kind: KindOption = None,
    description: DescriptionOption = "",
    prompt_file: PromptFileOption = None,
    prompt: PromptOption = None,
    model: ModelOption = None,
    tool: ToolOption = None,
    tags: TagsOption = "",
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a work: hash, store work and metadata, commit to the prompt, mint the certificate.

    Exits 3 (and shows the certificate) when the exact content is already registered."""
    about = _description(kind, title, description, prompt_file, prompt, model, tool, tags)
    _register(ctx, path, about, account, as_json)


def _parent(client: GenIPClient, text: str) -> ParentLink:
    asset, sep, licence = text.partition(":")
    if not sep or not asset.strip().isdigit() or not licence.strip().isdigit():
        raise ConfigError(f"--parent {text[:40]!r} is not ASSET:LICENCE (two ids)")
    link = ParentLink(int(asset), int(licence))
    check_asset(client, link.asset_id)
    held = license_info(client, link.license_id)
    if held.asset_id != link.asset_id:
        raise ConfigError(
            f"licence {link.license_id} is for asset {held.asset_id}, not asset {link.asset_id}"
        )
    return link


def derive(
    ctx: typer.Context,
    path: FileArgument,
    title: TitleOption,
    parent: Annotated[
        list[str], typer.Option("--parent", help="ASSET:LICENCE, once per parent (licence you hold on it).")
    ],
    kind: KindOption = None,
    description: DescriptionOption = "",
    prompt_file: PromptFileOption = None,
    prompt: PromptOption = None,
    model: ModelOption = None,
    tool: ToolOption = None,
    tags: TagsOption = "",
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a derivative work under licences on its parents (all `register` options apply)."""
    about = _description(kind, title, description, prompt_file, prompt, model, tool, tags)
    client = open_client(settings_of(ctx))
    parents = tuple(_parent(client, p) for p in parent)
    _register(ctx, path, about, account, as_json, parents)
