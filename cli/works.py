"""`genip register`, `genip derive`, `genip show` and `genip prompt verify|reveal`.

**Near-duplicate check.** Before anything is stored or sent, `genip register` of an image looks it up in the
settings' database (the indexer's `assets`, through `genip.matching.MatchEngine`, same thresholds as
`genip match` and the API): when an indexed image of *another* creator is within `GENIP_MATCH_DISTANCE` bits,
it refuses with one red line naming that certificate and what to do instead (exit 1): when the account holds
a licence on it that allows derivatives (the hub's `licenseStatus`, use derivative), the exact `genip derive`
command with that licence; otherwise how to get one. `--force` registers it as an original anyway, and says
that it is then marked publicly as a possible copy of that certificate (the API's `possible_original`), which
its owner can report. `genip derive` is not checked: a derivative is expected to look like its parents and is
registered under a licence on them. The check is skipped silently when there is nothing to check against: no
database file (SQLite), a database that cannot be reached or has no schema yet, or no indexed images — the
registry itself only refuses byte-identical content.

**Resources used** (issue #21). Before anything is stored or sent, `genip register` and `genip derive` of an
image look up the registered works its generation metadata names as resources (`genip.resources`, the rule
the API and the web page use too: a model or LoRA by its file hash, a workflow by its canonical hash, a
prompt-kind work by its embedded text), in the same database as the near-duplicate check (skipped the same
way when there is none). For each one found (other than the account's own works and the parents given):

* the account holds a licence on it that a derivative can be registered under now (the hub's
  `licenseStatus`: a generation licence however often used, or an unused extended one): the work is
  registered as a derivative under it, and this is said;
  DECISION: a generation licence the account holds (valid, never used up) is preferred to an unused
  extended one, even when the hub's `bestLicense` would pick the longer-lasting extended licence: a
  single-use licence someone paid for is not spent while a reusable one serves;
* `--buy-licence OFFER` (repeatable): the refusal names, for each resource, the offer it proposes (its
  cheapest live generation offer, else extended) and the exact command with those offer ids. DECISION:
  exactly those offers are bought, never "whatever is cheapest now": each must still be a live offer that
  licenses derivatives on the resource it was proposed for, at the price and currency the lookup shows
  (read again on chain before anything is bought), else it refuses in one line and buys nothing (an owner
  cannot pause the cheap offer and leave an expensive one between the refusal and the re-run);
* `--not-derived-from ASSET --reason TEXT`: the declaration is written into the metadata
  (`genip.declaredNotDerivedFrom`), shown by `GET /assets/{id}`, and printed;
* otherwise it refuses (exit 1): one line per resource on stderr, and the exact commands in the error,
  built from the actual invocation (`sys.argv`, shell-quoted) so every option given is kept.

Declarations are checked (named by the file, not also a `--parent`, the metadata's limits) before anything
is bought.

Unknown, ambiguous or conflicting resources are notes (evidence) and never stop the registration.

**Exact duplicates** are never registered, by either command: it names the certificate that holds the file
and exits 3 (`ALREADY_REGISTERED_EXIT`) before anything is stored or sent.
"""

import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from cli.context import (
    AccountOption,
    JsonOption,
    PromptFileOption,
    PromptOption,
    open_client,
    settings_of,
    signer,
)
from cli.output import emit, hex0x, status
from genip.chain.types import WorkKind
from genip.errors import ConfigError, GenIPError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.types import TxReceipt

    from genip.chain.client import GenIPClient
    from genip.content.metadata import NotDerivedFrom, ParentLink
    from genip.resources import Lookup, ResourceOffer, UsedResource
    from genip.settings import Settings
    from genip.works import Draft, WorkDescription

__all__ = [
    "ALREADY_REGISTERED_EXIT",
    "NearDuplicateError",
    "PromptFileOption",
    "PromptOption",
    "UnlicensedResourcesError",
    "derive",
    "fitting_licence",
    "near_duplicate_of",
    "register",
]

#: Exit code of `register`/`derive` when the exact content is already certified (the certificate is shown).
ALREADY_REGISTERED_EXIT: Final = 3
#: Files at least this large get a progress bar while hashing and storing.
PROGRESS_MIN_BYTES: Final = 8 * 1024 * 1024

_KINDS = ", ".join(k.name.lower() for k in WorkKind)
KindOption = Annotated[str | None, typer.Option("--kind", help=f"{_KINDS}; default: from the file.")]
TitleOption = Annotated[str, typer.Option("--title", help="The work's name.")]
DescriptionOption = Annotated[str, typer.Option("--description", help="Free text.")]
ModelOption = Annotated[str | None, typer.Option("--model", help="Model used, e.g. sdxl-1.0.")]
ToolOption = Annotated[str | None, typer.Option("--tool", help="Tool used, e.g. ComfyUI.")]
TagsOption = Annotated[str, typer.Option("--tags", help="Comma-separated tags.")]
NegativePromptOption = Annotated[
    str | None, typer.Option("--negative-prompt", help="Negative prompt (committed as its own part).")
]
SeedOption = Annotated[
    str | None, typer.Option("--seed", help="Generation seed (committed as its own part).")
]
WorkflowFileOption = Annotated[
    Path | None, typer.Option("--workflow-file", help="Workflow JSON (e.g. ComfyUI), committed as a part.")
]
ExampleOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--example",
        help="An example output (image) of a prompt-kind work, up to 4; only its watermarked preview is kept",
    ),
]
FileArgument = Annotated[Path, typer.Argument(help="The work's file.", show_default=False)]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Register even when another creator's certificate looks the same."),
]
BuyLicenceOption = Annotated[
    list[int] | None,
    typer.Option(
        "--buy-licence",
        metavar="OFFER",
        help="Buy exactly this offer (repeatable; the ids the refusal names) on the registered resource the "
        "file names it was proposed for, only if still live at the same price, and register under it.",
    ),
]
NotDerivedFromOption = Annotated[
    list[int] | None,
    typer.Option(
        "--not-derived-from",
        help="A registered resource the file names that this work is NOT derived from (with --reason; "
        "recorded in the metadata and shown publicly).",
    ),
]
ReasonOption = Annotated[
    list[str] | None,
    typer.Option("--reason", help="Why, for each --not-derived-from (one reason may serve them all)."),
]


class NearDuplicateError(GenIPError):
    """The image looks like another creator's registered work (`genip register` without `--force`)."""

    def __init__(
        self,
        asset_id: int,
        title: str | None,
        creator: str,
        distance: int | None,
        likeness: str,
        *,
        license_id: int | None = None,
        derive_command: str | None = None,
    ) -> None:
        self.asset_id = asset_id
        self.title = title
        self.creator = creator
        self.distance = distance
        self.likeness = likeness
        self.license_id = license_id
        self.derive_command = derive_command
        super().__init__(f"{self.found}: {self.way_out}")

    @property
    def found(self) -> str:
        """What it looks like: the certificate, its creator and how close."""
        named = f"asset {self.asset_id}" + (f" ({self.title!r})" if self.title else "")
        return f"near-duplicate of {named} by {self.creator}, {self.likeness}"

    @property
    def possible_copy(self) -> str:
        """What registering it as an original anyway does."""
        return (
            f"registered as an original it is marked publicly as a possible copy of asset {self.asset_id}, "
            "which its owner can report"
        )

    @property
    def way_out(self) -> str:
        """What to do instead: the derivative registration the account's licence allows, or how to get one."""
        if self.license_id is not None:
            command = self.derive_command or f"genip derive FILE --parent {self.asset_id}:{self.license_id}"
            derive = (
                f"you hold licence {self.license_id} on it, which allows derivatives: register this as a "
                f"derivative with `{command}`"
            )
        else:
            derive = (
                "you hold no licence on it that allows derivatives: buy one (its offers: "
                f"`genip show {self.asset_id}`) and register this with "
                f"`genip derive FILE --parent {self.asset_id}:LICENCE`"
            )
        return f"{derive}; or pass --force ({self.possible_copy})"

    def with_licence(self, license_id: int | None, derive_command: str | None) -> "NearDuplicateError":
        """This error, told for an account that holds `license_id` (None: no fitting licence)."""
        return NearDuplicateError(
            self.asset_id,
            self.title,
            self.creator,
            self.distance,
            self.likeness,
            license_id=license_id,
            derive_command=derive_command,
        )


class UnlicensedResourcesError(GenIPError):
    """The file names registered resources the account holds no licence on (`genip register` without
    `--buy-licence` or `--not-derived-from`)."""

    def __init__(self, assets: list[int], buy: str, declare: str) -> None:
        self.assets = assets
        ids = ", ".join(str(a) for a in assets)
        super().__init__(
            f"this file names registered work{'s' if len(assets) > 1 else ''} {ids} (above) that you hold no "
            f"licence on: buy one and register as a derivative with `{buy}`, or declare it is not derived "
            f"from {'them' if len(assets) > 1 else 'it'} with `{declare}` (recorded and shown publicly)"
        )


#: Licences of one holder on one asset read when looking for a generation licence.
MAX_LICENCES_READ: Final = 64


def fitting_licence(client: "GenIPClient", asset_id: int, account: str) -> int | None:
    """The licence `account` holds on `asset_id` that a derivative can be registered under now (the hub's
    `licenseStatus` for use derivative: valid, allows derivatives, not used for one), or None. A valid
    generation licence held on it (`licensesOf` + `licenseOf`: never used up) is preferred to the hub's
    pick, which may be an unused extended licence that lasts longer (see the module docstring). An owner
    without a licence token has none: a derivative links to its parents through licences."""
    from genip.chain.types import LicenseUse

    licensed, license_id, _ = client.hub.functions.licenseStatus(
        asset_id, account, int(LicenseUse.DERIVATIVE)
    ).call()
    if not licensed or not license_id:
        return None
    token = client.license_token.functions
    if bool(token.licenseOf(int(license_id)).call()[8]):  # already a generation licence
        return int(license_id)
    now = int(client.w3.eth.get_block("latest")["timestamp"])
    for held in list(token.licensesOf(account, asset_id).call())[:MAX_LICENCES_READ]:
        lic = token.licenseOf(int(held)).call()
        expires, derivatives, generation = int(lic[2]), bool(lic[5]), bool(lic[8])
        if generation and derivatives and (expires == 0 or expires > now):
            return int(held)
    return int(license_id)


def _database_absent(url: str) -> bool:
    """A SQLite URL whose file does not exist (opening it would create an empty database)."""
    from sqlalchemy.engine import make_url

    from genip.db.engine import normalize_url

    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        return False
    return not parsed.database or parsed.database == ":memory:" or not Path(parsed.database).is_file()


def near_duplicate_of(
    settings: "Settings", path: Path, draft: "Draft", creator: str
) -> NearDuplicateError | None:
    """The closest indexed image by another creator than `creator` within the match distance, or None.

    The file's own pixels are hashed in their 8 rotations/flips; a file the matcher refuses (too large or
    too flat) is looked up by the committed PDQ hash alone. None as well when there is no database to ask
    (see the module docstring)."""
    perceptual = draft.metadata.perceptual_hash
    if draft.prepared.kind is not WorkKind.IMAGE or perceptual is None or perceptual.algorithm != "pdq":
        return None
    if _database_absent(settings.db_url):
        return None
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from genip.db.models import Asset
    from genip.matching.engine import MatchEngine  # numpy and faiss: only for images
    from genip.matching.errors import MatchingError
    from genip.matching.perceptual import QueryHash

    try:
        engine = MatchEngine.from_settings(settings)
        try:
            if len(engine) == 0:
                return None
            try:
                query = engine.hash(path.read_bytes())
            except (MatchingError, OSError):
                query = QueryHash((perceptual.value,), perceptual.quality or 0)
            excluded = creator.lower()
            found = [c for c in engine.match_hash(query, limit=60) if c.creator.lower() != excluded]
            if not found:
                return None
            best = found[0]
            with engine.engine.connect() as connection:
                title = connection.execute(
                    select(Asset.title).where(
                        Asset.chain_id == best.chain_id, Asset.asset_id == best.asset_id
                    )
                ).scalar()
        finally:
            engine.engine.dispose()
    except SQLAlchemyError:
        return None
    return NearDuplicateError(best.asset_id, title, best.creator, best.distance, best.likeness)


def resources_of(settings: "Settings", client: "GenIPClient", draft: "Draft") -> "Lookup | None":
    """The registered works an image names as resources (`genip.resources.look_up` over the settings'
    database, offers judged at the chain's latest block time), or None when there is no database to ask
    (as `near_duplicate_of`)."""
    if draft.prepared.kind is not WorkKind.IMAGE or _database_absent(settings.db_url):
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from genip.db.engine import make_engine
    from genip.resources import look_up, named_in

    try:
        named = named_in(draft.prepared.path.read_bytes(), draft.made_with)
    except OSError:
        return None
    if not named:
        return None
    timestamp = int(client.w3.eth.get_block("latest")["timestamp"])
    try:
        engine = make_engine(settings.db_url)
        try:
            with engine.connect() as connection:
                return look_up(
                    connection,
                    client.deployment.chain_id,
                    named,
                    timestamp=timestamp,  # the file's own notes: `_warn_made_with` printed them
                )
        finally:
            engine.dispose()
    except SQLAlchemyError:
        return None


def _declarations(assets: list[int] | None, reasons: list[str] | None) -> "tuple[NotDerivedFrom, ...]":
    """`--not-derived-from` paired with `--reason` (one reason serves all, else one each)."""
    from genip.content.errors import ContentError
    from genip.content.metadata import NotDerivedFrom

    assets, reasons = assets or [], reasons or []
    if not assets:
        if reasons:
            raise ConfigError("--reason goes with --not-derived-from ASSET")
        return ()
    if len(reasons) == 1:
        reasons = reasons * len(assets)
    if len(reasons) != len(assets):
        raise ConfigError(
            f"give one --reason, or one per --not-derived-from ({len(assets)} assets, {len(reasons)} reasons)"
        )
    try:
        return tuple(NotDerivedFrom(a, r) for a, r in zip(assets, reasons, strict=True))
    except ContentError as exc:
        raise ConfigError(str(exc)) from None


def _price(client: "GenIPClient", amount: int, currency: str) -> str:
    from genip.money import currency_at, format_amount

    coin = currency_at(client, currency)
    return f"{format_amount(amount, coin.decimals)} {coin.symbol}"


def _who(used: "UsedResource") -> str:
    return f"({used.named_as}, by {used.creator})"


def invocation() -> list[str]:
    """The command as the user ran it: `genip` and its arguments as given (`sys.argv`), for suggestions."""
    return ["genip", *sys.argv[1:]]


def _without(words: Sequence[str], option: str) -> list[str]:
    """`words` without `option` and its value (`--option VALUE` or `--option=VALUE`)."""
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == option:
            skip = True
        elif not word.startswith(option + "="):
            kept.append(word)
    return kept


def _chosen_offers(
    client: "GenIPClient", found: "Lookup", needed: "list[UsedResource]", buy: Sequence[int]
) -> "dict[int, ResourceOffer]":
    """For each resource in `needed`, the offer among `buy` proposed on it (asset id → offer); refuses in
    one line (`ConfigError`), before anything is bought, an offer id that is not a live derivative offer of
    a resource the file names, or whose price or currency on chain is not the one the lookup showed. An
    offer on a resource that needs no licence (held since, your own, a parent or declared) is not bought."""
    from genip.chain.reads import offer_info

    chosen: dict[int, ResourceOffer] = {}
    for offer_id in dict.fromkeys(buy):
        on = [(u, o) for u in needed for o in u.offers if o.offer_id == offer_id]
        if not on and any(o.offer_id == offer_id for u in found.used for o in u.offers):
            status.print(f"--buy-licence {offer_id}: not bought, its resource needs no licence now")
            continue
        if not on:
            listed = ", ".join(f"asset {u.asset_id}: {[o.offer_id for o in u.offers]}" for u in needed)
            raise ConfigError(
                f"--buy-licence {offer_id}: not a live offer licensing derivatives on a resource this file "
                f"names that you need a licence on ({listed or 'none needs one'}); nothing was bought"
            )
        used, offer = on[0]
        if used.asset_id in chosen:
            raise ConfigError(
                f"--buy-licence {offer_id}: offer {chosen[used.asset_id].offer_id} is already chosen for "
                f"asset {used.asset_id}; give one offer per resource; nothing was bought"
            )
        now = offer_info(client, offer_id)
        owner = str(client.registry.functions.ownerOf(used.asset_id).call())
        if now.asset_id != used.asset_id:
            change = f"it is for asset {now.asset_id}"
        elif now.paused:
            change = "it is paused"
        elif now.supply_cap and now.sold >= now.supply_cap:
            change = "it is sold out"
        elif now.seller.lower() != owner.lower():
            change = "it lapsed: the work changed hands"
        elif now.price != offer.price or now.currency.lower() != offer.currency.lower():
            change = f"it now costs {_price(client, now.price, now.currency)}"
        else:
            change = ""
        if change:
            raise ConfigError(
                f"--buy-licence {offer_id}: the offer on asset {used.asset_id} changed since it was proposed "
                f"({offer.tier} at {_price(client, offer.price, offer.currency)}; {change}); nothing was "
                "bought"
            )
        chosen[used.asset_id] = offer
    return chosen


def resolve_resources(
    client: "GenIPClient",
    sender: "LocalAccount",
    found: "Lookup",
    parents: "tuple[ParentLink, ...]",
    declared: "tuple[NotDerivedFrom, ...]",
    *,
    buy: Sequence[int] = (),
    command: list[str] | None = None,
) -> "tuple[ParentLink, ...]":
    """The parents the found resources add (licences held, or bought under exactly the offer ids `buy`);
    refuses, before anything is bought, a declaration that names no resource of the file or also a parent,
    an offer id that does not fit (`_chosen_offers`), and with `UnlicensedResourcesError` when some are
    neither licensed, bought nor declared (see the module docstring). Suggested commands extend `command`
    (default: the actual invocation)."""
    from genip import trade
    from genip.content.metadata import ParentLink

    for note in found.notes:
        status.print(f"[yellow]note:[/yellow] {note} (evidence only: the registration goes on)")
    named = {u.asset_id for u in found.used}
    both = {p.asset_id for p in parents} & {d.asset_id for d in declared}
    if both:
        raise ConfigError(
            f"asset {min(both)} is both a --parent and --not-derived-from: a work cannot be both a parent "
            "and declared not derived from"
        )
    for d in declared:
        if d.asset_id not in named:
            listed = ", ".join(str(a) for a in sorted(named)) or "no registered work"
            raise ConfigError(
                f"--not-derived-from {d.asset_id}: this file does not name asset {d.asset_id} as a resource "
                f"(it names {listed})"
            )
    given = {p.asset_id for p in parents} | {d.asset_id for d in declared}
    held: list[tuple[UsedResource, int]] = []
    needed: list[UsedResource] = []
    for used in found.used:
        if used.asset_id in given:
            continue
        if used.owner.lower() == sender.address.lower():
            status.print(
                f"the file names your own asset {used.asset_id} ({used.named_as}): not linked (no licence "
                "is needed on your own work)"
            )
            continue
        licence = fitting_licence(client, used.asset_id, sender.address)
        if licence is None:
            needed.append(used)
        else:
            held.append((used, licence))
    chosen = _chosen_offers(client, found, needed, buy)
    unbuyable = [u for u in needed if u.asset_id not in chosen]
    if unbuyable:
        for used in unbuyable:
            offer = used.offers[0] if used.offers else None
            cheapest = (
                f"its cheapest: {offer.tier} offer {offer.offer_id} at "
                f"{_price(client, offer.price, offer.currency)}"
                if offer is not None
                else "it has no live offer that licenses derivatives: ask its owner"
            )
            status.print(
                f"[red]asset {used.asset_id}[/red] {_who(used)}: you hold no licence on it that allows "
                f"derivatives ({cheapest})"
            )
        missing = [u.asset_id for u in unbuyable]
        words = invocation() if command is None else command
        offers = [o.offer_id for o in chosen.values()] + [u.offers[0].offer_id for u in unbuyable if u.offers]
        buy_words = _without(words, "--buy-licence")
        for offer_id in offers:
            buy_words += ["--buy-licence", str(offer_id)]
        buy_command = shlex.join(buy_words)
        declare = shlex.join([*words, "--not-derived-from", str(missing[0]), "--reason", "WHY"])
        raise UnlicensedResourcesError(missing, buy_command, declare)
    for d in declared:
        status.print(f"declared not derived from asset {d.asset_id}: {d.reason}")
    added: list[ParentLink] = []
    for used, licence in held:
        status.print(
            f"registering as a derivative of asset {used.asset_id} {_who(used)} under your licence {licence}"
        )
        added.append(ParentLink(used.asset_id, licence))
    for used in needed:
        offer = chosen[used.asset_id]
        status.print(
            f"buying a {offer.tier} licence on asset {used.asset_id} {_who(used)} under offer "
            f"{offer.offer_id} for {_price(client, offer.price, offer.currency)}…"
        )
        outcome, _, _ = trade.buy(client, sender, used.asset_id, offer.offer_id)
        tx = outcome.receipt["transactionHash"].to_0x_hex()
        status.print(f"bought licence {outcome.value} (tx {tx}); registering as a derivative under it")
        added.append(ParentLink(used.asset_id, outcome.value))
    return tuple(added)


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
    negative_prompt: str | None = None,
    seed: str | None = None,
    workflow_file: Path | None = None,
) -> "WorkDescription":
    from genip.works import WorkDescription, read_text_file

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
        negative_prompt=negative_prompt,
        seed=seed,
        workflow=read_text_file(workflow_file, "workflow file") if workflow_file else None,
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
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    columns = (TextColumn(what), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=status, transient=True) as bar:
        task = bar.add_task(what, total=size)
        yield lambda done: bar.update(task, completed=done)


def _already(client: "GenIPClient", asset_id: int, draft: "Draft", as_json: bool) -> None:
    from genip.chain.reads import asset_info

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
    status.print(
        f"[yellow]already registered:[/yellow] this exact file is asset {asset_id} (its certificate: "
        f"`genip show {asset_id}`); it cannot be registered again, so nothing was stored or sent"
    )
    raise typer.Exit(ALREADY_REGISTERED_EXIT)


def _warn_made_with(draft: "Draft") -> None:
    """Warn (stderr) when the file carries its prompt in clear: the metadata records only that it does (issue
    #21: prompts stay private), but whoever receives the original file can read it."""
    made = draft.made_with
    if made.prompt_in_file:
        lengths = [g.prompt_length for g in made.generation if g.prompt_length]
        size = f" ({lengths[0]} characters)" if lengths else ""
        tools = " and ".join(dict.fromkeys(g.tool for g in made.generation if g.prompt_in_file))
        status.print(
            f"[yellow]warning:[/yellow] this file carries its prompt in clear{size}, in its {tools} "
            "metadata: Gen-IP publishes only that it does, but every licence holder who downloads the "
            "original can read it; to keep the prompt private, re-save the image without its metadata and "
            "register that file"
        )
    for note in made.notes:
        status.print(f"[yellow]note:[/yellow] {note} (evidence only: the registration goes on)")


def _show_step(step: str, receipt: "TxReceipt | None", commits: list[str]) -> None:
    """Print a registration step on stderr as it happens: commit → waiting for the next block → register."""
    if step == "committed" and receipt is not None:
        commits.append(receipt["transactionHash"].to_0x_hex())
        status.print(f"committed the registration (block {receipt['blockNumber']}, tx {commits[-1]})")
    elif step == "waiting":
        status.print("waiting for the next block…")
    elif step == "registered" and receipt is not None:
        tx = receipt["transactionHash"].to_0x_hex()
        status.print(f"registered (block {receipt['blockNumber']}, tx {tx})")


def _register(
    ctx: typer.Context,
    path: Path,
    about: "WorkDescription",
    account: str | None,
    as_json: bool,
    parents: "tuple[ParentLink, ...]" = (),
    *,
    force: bool = False,
    buy_licence: Sequence[int] = (),
    declared: "tuple[NotDerivedFrom, ...]" = (),
) -> None:
    from dataclasses import replace

    from genip.content.errors import ContentError
    from genip.prompts import PromptVault
    from genip.storage import open_store
    from genip.works import prepare_registration, register_draft, registered_asset

    settings = settings_of(ctx)
    client = open_client(settings)
    sender = signer(settings, account)
    with _progress(path, "hashing") as progress:
        draft = prepare_registration(path, about, creator=sender.address, parents=parents, progress=progress)
    try:  # the declarations with the parents given, checked before anything is bought or sent
        replace(draft.metadata, parents=parents, not_derived_from=declared)
    except ContentError as exc:
        raise ConfigError(str(exc)) from None
    _warn_made_with(draft)
    existing = registered_asset(client, draft)
    if existing:
        _already(client, existing, draft, as_json)
    if not parents:
        duplicate = near_duplicate_of(settings, path, draft, sender.address)
        if duplicate is not None and not force:
            licence = fitting_licence(client, duplicate.asset_id, sender.address)
            derive_command = None
            if licence is not None:
                words = invocation()
                at = words.index(ctx.info_name) if ctx.info_name in words else 1
                words[at] = "derive"
                derive_command = shlex.join([*words, "--parent", f"{duplicate.asset_id}:{licence}"])
            raise duplicate.with_licence(licence, derive_command)
        if duplicate is not None:
            status.print(
                f"[yellow]warning:[/yellow] {duplicate.found}; --force: registering it as an original, "
                f"marked publicly as a possible copy of asset {duplicate.asset_id}, which its owner can "
                "report"
            )
    found = resources_of(settings, client, draft)
    if found is not None:
        added = resolve_resources(client, sender, found, parents, declared, buy=buy_licence)
    else:
        added = ()
        for d in declared:  # nothing to check them against: recorded as the creator's word
            status.print(f"declared not derived from asset {d.asset_id}: {d.reason}")
    if added or declared:
        parents = (*parents, *added)
        draft = replace(draft, metadata=replace(draft.metadata, parents=parents, not_derived_from=declared))
    store = open_store(settings.data_dir, settings.ipfs_api)
    from cli.originals import originals_of

    originals = originals_of(settings, store)  # the original is stored sealed, its envelope in the database
    vault = PromptVault(settings.data_dir, sender.address)
    commits: list[str] = []
    with _progress(path, "storing") as progress:
        result = register_draft(
            client,
            sender,
            draft,
            store=store,
            vault=vault,
            originals=originals,
            license_ids=[p.license_id for p in parents] or None,
            progress=progress,
            on_step=lambda step, receipt: _show_step(step, receipt, commits),
        )
    data = {
        "asset_id": result.asset_id,
        "kind": result.kind.name.lower(),
        "creator": sender.address,
        "sha256": hex0x(result.sha256),
        "cid": result.cid,
        "metadata_cid": result.metadata_cid,
        "tx_hash": result.tx_hash,
        "commit_tx_hash": commits[0] if commits else None,
        "parents": [{"asset_id": p.asset_id, "license_id": p.license_id} for p in parents],
    }
    if declared:
        data["declared_not_derived_from"] = [{"asset_id": d.asset_id, "reason": d.reason} for d in declared]
    if found is not None:
        from genip.resources import to_json

        data |= to_json(found) | {"resource_notes": list(found.notes)}
        data.pop("notes", None)
    if not draft.made_with.empty:
        from genip.content.made_with import summarize

        data["made_with"] = summarize(draft.made_with)
    from cli.prompt import api_url

    api = api_url(settings)
    if api:  # send the prompt to the checker now, privately and signed, as part of registering
        from cli.prompt import submit_kept, wait_indexed  # looked up now: tests stand in for the API there

        try:
            if not wait_indexed(api, result.asset_id):
                raise GenIPError(f"the API at {api} has not indexed asset {result.asset_id} within a minute")
            data["prompt_submission"] = submit_kept(settings, client, sender, result.asset_id, api)
        except GenIPError as exc:  # the work is registered either way; the prompt can follow later
            data["prompt_submission"] = {"error": str(exc)}
            status.print(
                f"[yellow]warning:[/yellow] {exc}; send it later with `genip prompt submit {result.asset_id}`"
            )
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
    negative_prompt: NegativePromptOption = None,
    seed: SeedOption = None,
    workflow_file: WorkflowFileOption = None,
    example: ExampleOption = None,
    account: AccountOption = None,
    as_json: JsonOption = False,
    force: ForceOption = False,
    buy_licence: BuyLicenceOption = None,
    not_derived_from: NotDerivedFromOption = None,
    reason: ReasonOption = None,
) -> None:
    """Register a work: hash, store work and metadata, commit to the prompt, then commit the registration,
    wait for the next block and register (each step is printed as it happens).

    Exits 3 (and shows the certificate) when the exact content is already registered. Refuses (exit 1) an
    image that looks like another creator's indexed certificate unless --force (see the module docstring).
    A prompt-kind work shows its --example outputs' watermarked previews, never the prompt. An image whose
    metadata names registered resources (a LoRA, a model, a workflow, a prompt) is registered as their
    derivative under licences you hold, or bought with --buy-licence, or declared --not-derived-from them
    (see the module docstring)."""
    from dataclasses import replace

    about = _description(
        kind, title, description, prompt_file, prompt, model, tool, tags, negative_prompt, seed, workflow_file
    )
    if example:
        about = replace(about, examples=tuple(example))
    _register(
        ctx,
        path,
        about,
        account,
        as_json,
        force=force,
        buy_licence=buy_licence or (),
        declared=_declarations(not_derived_from, reason),
    )


def _parent(client: "GenIPClient", text: str) -> "ParentLink":
    from genip.chain.reads import check_asset, license_info
    from genip.content.metadata import ParentLink

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
    negative_prompt: NegativePromptOption = None,
    seed: SeedOption = None,
    workflow_file: WorkflowFileOption = None,
    account: AccountOption = None,
    as_json: JsonOption = False,
    buy_licence: BuyLicenceOption = None,
    not_derived_from: NotDerivedFromOption = None,
    reason: ReasonOption = None,
) -> None:
    """Register a derivative work under licences on its parents (all `register` options apply); resources
    its file names are handled as by `register`."""
    about = _description(
        kind, title, description, prompt_file, prompt, model, tool, tags, negative_prompt, seed, workflow_file
    )
    client = open_client(settings_of(ctx))
    parents = tuple(_parent(client, p) for p in parent)
    _register(
        ctx,
        path,
        about,
        account,
        as_json,
        parents,
        buy_licence=buy_licence or (),
        declared=_declarations(not_derived_from, reason),
    )
