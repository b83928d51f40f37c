"""Registering a work end to end: prepare its canonical bytes, hash, fingerprint, store work and metadata,
commit to the prompt (kept in the creator's `PromptVault`), then register it (or a derivative) on-chain.

    draft = prepare_registration(path, WorkDescription(kind=WorkKind.IMAGE, title="Dawn", prompt="…"),
                                 creator=account.address)
    existing = registered_asset(client, draft)              # 0 when the content is new
    result = register_draft(client, account, draft, store=store, vault=vault)

Prompts. The registry refuses a zero prompt commitment, so every work commits to something:
- `IMAGE` and `TEXT` are AI output: a prompt is required (`PromptRequiredError` otherwise).
- `PROMPT` works are prompts: the commitment is to the work's own text unless another prompt is given.
- `MODEL`, `WORKFLOW` and `OTHER` may give a prompt; without one they commit to the empty prompt with a
  fresh salt, so revealing the salt later proves that no prompt was claimed.

Public face and sealed original. `prepare_registration` derives the work's preview (`content.preview`: an
image's watermarked ≤ 1 024 px JPEG, a text's excerpt, a card for the other kinds; never a prompt) and names
it in the metadata; `register_draft` stores the preview and the metadata in the clear and the original only
sealed (`storage.originals`: encrypted under a per-work key, the envelope in the database). The certificate
still commits to the original's sha256 and CID, so a licence holder can check what they are given.

Registration is commit → reveal (contracts v2): `register_draft` commits the work's registration leaf,
waits until the chain is past the commit's block, then registers (`actions.register`); callers watch the steps
through `on_step`.

Schemes. Every commitment is made for the registering account (`creator`), which the contracts bind into it.
When the creator gives any of negative prompt, seed or workflow, the commitment is structured:
the root of a Merkle tree over prompt, negative prompt, seed, model and workflow (`commit_parts`), so each
part can be revealed alone later (`verifyPromptPart`). Otherwise it stays the single salted hash of the
prompt, which `verifyPrompt` opens directly (as for every work registered before parts existed). Both are
kept in the vault.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.types import AI_KINDS, Work, WorkKind
from genip.content.digest import ContentDigest, digest_bytes, digest_stream
from genip.content.formats import PreparedWork, prepare_work
from genip.content.made_with import MadeWith, read_made_with
from genip.content.metadata import ParentLink, WorkMetadata
from genip.content.preview import MAX_EXAMPLES, Preview, derive_preview, example_previews
from genip.errors import GenIPError
from genip.prompts import (
    PartsCommitment,
    PromptCommitment,
    PromptVault,
    commit_parts,
    commit_prompt,
)
from genip.storage import ContentStore
from genip.storage.originals import Originals

__all__ = [
    "AI_KINDS",
    "AlreadyRegisteredError",
    "Draft",
    "PromptRequiredError",
    "Registration",
    "WorkDescription",
    "WorkFileError",
    "canonical_workflow",
    "check_readable",
    "prepare_registration",
    "read_text_file",
    "register_draft",
    "registered_asset",
]


Progress = Callable[[int], None]


class WorkFileError(GenIPError):
    """A work, prompt or terms file is missing or unreadable."""


class PromptRequiredError(GenIPError):
    """An AI kind was registered without its prompt."""


class AlreadyRegisteredError(GenIPError):
    """The exact content is already certified (the registry keeps content hashes unique)."""

    def __init__(self, asset_id: int, sha256: bytes) -> None:
        super().__init__(f"already registered: this content (sha256 0x{sha256.hex()}) is asset {asset_id}")
        self.asset_id = asset_id
        self.sha256 = sha256


@dataclass(frozen=True, slots=True)
class WorkDescription:
    """What a creator says about a work when registering it."""

    kind: WorkKind | None
    title: str
    description: str = ""
    prompt: str | None = field(default=None, repr=False)
    model: str | None = None
    tool: str | None = None
    tags: tuple[str, ...] = ()
    negative_prompt: str | None = field(default=None, repr=False)
    seed: str | None = field(default=None, repr=False)
    workflow: str | None = field(default=None, repr=False)  # canonical JSON text, as the creator gives it
    examples: tuple[Path, ...] = ()  # a prompt-kind work's example outputs (images): only previews are kept

    @property
    def structured(self) -> bool:
        """Whether the prompt is committed part by part (any of negative prompt, seed, workflow given)."""
        return any(v is not None and v.strip() for v in (self.negative_prompt, self.seed, self.workflow))


@dataclass(frozen=True, slots=True)
class Draft:
    """A work prepared for registration: hashes, fingerprint, prompt commitment and metadata, not yet sent."""

    prepared: PreparedWork
    digest: ContentDigest
    commitment: PromptCommitment | PartsCommitment = field(repr=False)
    metadata: WorkMetadata
    preview: Preview = field(default_factory=Preview, repr=False)
    made_with: MadeWith = field(default_factory=MadeWith, repr=False)  # what the file says (`genip.madeWith`)

    def work(self, metadata_cid: str) -> Work:
        """The on-chain `Work` struct, given the stored metadata's CID."""
        perceptual = self.metadata.perceptual_hash
        return Work(
            kind=self.prepared.kind,
            content_hash=self.digest.sha256,
            perceptual_hash=perceptual.value if perceptual else bytes(32),
            prompt_commitment=self.commitment.commitment,
            metadata_cid=metadata_cid,
        )


@dataclass(frozen=True, slots=True)
class Registration:
    """A registered work: its asset id, CIDs and transaction."""

    asset_id: int
    kind: WorkKind
    sha256: bytes
    cid: str
    metadata_cid: str
    receipt: TxReceipt

    @property
    def tx_hash(self) -> str:
        """The registering transaction's hash, `0x` hex."""
        return self.receipt["transactionHash"].to_0x_hex()


def check_readable(path: Path, what: str = "file") -> None:
    """Raise `WorkFileError` unless `path` is a readable regular file."""
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except IsADirectoryError:
        raise WorkFileError(f"{what} {path} is a directory, not a file") from None
    except OSError as exc:
        raise WorkFileError(f"{what} {path} cannot be read: {exc.strerror or type(exc).__name__}") from None


def read_text_file(path: Path, what: str) -> str:
    """The UTF-8 text of `path` (`WorkFileError` if missing, unreadable or not UTF-8)."""
    check_readable(path, what)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkFileError(f"{what} {path} is not readable UTF-8 text ({type(exc).__name__})") from None


def canonical_workflow(text: str) -> str:
    """A workflow's JSON in canonical form (sorted keys, no spaces, UTF-8): the same workflow always
    commits to the same bytes. `WorkFileError` when it is not JSON."""
    import json

    try:
        document = json.loads(text)
    except ValueError:
        raise WorkFileError("the workflow is not valid JSON") from None
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _parts(prepared: PreparedWork, about: WorkDescription, creator: str) -> PartsCommitment:
    prompt = about.prompt
    if (prompt is None or not prompt.strip()) and prepared.kind is WorkKind.PROMPT and prepared.canonical:
        prompt = prepared.canonical.decode("utf-8")
    if prompt is None or not prompt.strip():
        raise PromptRequiredError(
            "a negative prompt, seed or workflow is committed together with its prompt: give --prompt"
        )
    parts: dict[str, str | bytes] = {
        "prompt": prompt,
        "negative_prompt": about.negative_prompt or "",
        "seed": about.seed or "",
        "model": about.model or "",
        "workflow": canonical_workflow(about.workflow) if about.workflow else "",
    }
    return commit_parts(parts, creator=creator)


def _commitment(
    prepared: PreparedWork, about: WorkDescription, creator: str
) -> PromptCommitment | PartsCommitment:
    if about.structured:
        return _parts(prepared, about, creator)
    prompt = about.prompt
    if prompt is not None and prompt.strip():
        return commit_prompt(prompt, creator=creator)
    if prepared.kind in AI_KINDS:
        raise PromptRequiredError(
            f"{prepared.kind.name.lower()} works are AI output: give the prompt (--prompt-file or --prompt)"
        )
    if prepared.kind is WorkKind.PROMPT and prepared.canonical is not None:
        return commit_prompt(prepared.canonical.decode("utf-8"), creator=creator)
    return commit_prompt("", creator=creator, allow_empty=True)


def prepare_registration(
    path: Path,
    about: WorkDescription,
    *,
    creator: str,
    parents: tuple[ParentLink, ...] = (),
    progress: Progress | None = None,
) -> Draft:
    """Prepare `path` for registration by `creator`: canonical bytes, hashes, fingerprint, commitment and
    metadata. `progress` is called with the bytes hashed so far. Nothing is stored or sent yet."""
    check_readable(path, "work file")
    try:
        prepared = prepare_work(path, about.kind)
        with prepared.open() as stream:
            digest = digest_stream(stream, progress=progress)
    except OSError as exc:
        raise WorkFileError(
            f"work file {path} cannot be read: {exc.strerror or type(exc).__name__}"
        ) from None
    commitment = _commitment(prepared, about, creator)
    made_with = _made_with(prepared)
    from genip.content.fingerprint import fingerprint_work  # numpy and pdqhash: only when registering

    source = prepared.canonical if prepared.canonical is not None else prepared.path
    preview = derive_preview(prepared.kind, source, prepared.details, size=digest.size, model=about.model)
    if about.examples:
        preview = replace(preview, examples=_example_previews(prepared.kind, about.examples))
    metadata = WorkMetadata(
        name=about.title,
        kind=prepared.kind,
        content=digest,
        media_type=prepared.media_type,
        prompt_commitment=commitment.commitment,
        description=about.description,
        perceptual_hash=fingerprint_work(prepared),
        model=about.model,
        tool=about.tool,
        parents=parents,
        tags=about.tags,
        creator=creator,
        details=prepared.details,
        preview_cid=digest_bytes(preview.image).cid if preview.image is not None else None,
        excerpt=preview.excerpt,
        card=preview.card,
        examples=tuple(digest_bytes(example).cid for example in preview.examples),
        made_with=None if made_with.empty else made_with.to_json(),
    )
    return Draft(prepared, digest, commitment, metadata, preview, made_with)


def _made_with(prepared: PreparedWork) -> MadeWith:
    """What an image file says about how it was made (C2PA, A1111/ComfyUI metadata: `content.made_with`;
    never its prompt). Evidence only: whatever it says, or fails to say, never stops the registration."""
    if prepared.kind is not WorkKind.IMAGE:
        return MadeWith()
    try:
        return read_made_with(prepared.path.read_bytes())
    except OSError:
        return MadeWith(notes=("unreadable generation metadata",))


def _example_previews(kind: WorkKind, paths: tuple[Path, ...]) -> tuple[bytes, ...]:
    """The watermarked previews of a prompt-kind work's example outputs at `paths`; `WorkFileError` for
    another kind, more than `MAX_EXAMPLES`, or a file that is not an image."""
    if kind is not WorkKind.PROMPT:
        raise WorkFileError(f"only prompt-kind works take example outputs, not {kind.name.lower()} works")
    if len(paths) > MAX_EXAMPLES:
        raise WorkFileError(f"at most {MAX_EXAMPLES} example outputs, not {len(paths)}")
    from PIL import Image  # the image stack loads only for examples

    previews = []
    for path in paths:
        check_readable(path, "example")
        try:
            previews.append(example_previews([path.read_bytes()])[0])
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):  # Unidentified...: OSError
            raise WorkFileError(f"example {path} is not an image that can be read") from None
    return tuple(previews)


def registered_asset(client: GenIPClient, draft: Draft) -> int:
    """The asset already certifying the draft's exact content, or 0."""
    return int(client.registry.functions.assetOf(draft.digest.sha256).call())


def register_draft(
    client: GenIPClient,
    account: LocalAccount,
    draft: Draft,
    *,
    store: ContentStore,
    vault: PromptVault,
    originals: Originals,
    license_ids: list[int] | None = None,
    progress: Progress | None = None,
    on_step: actions.StepCallback | None = None,
) -> Registration:
    """Seal the original (`originals`), store the preview and the metadata (`store`), keep the prompt
    secrets, then register (a derivative under `license_ids` when given): commit the registration leaf, wait
    for the next block, reveal. `on_step` sees each step (`actions.register`). Refuses content already
    registered with `AlreadyRegisteredError`."""
    existing = registered_asset(client, draft)
    if existing:
        raise AlreadyRegisteredError(existing, draft.digest.sha256)
    source = draft.prepared.canonical if draft.prepared.canonical is not None else draft.prepared.path
    cid = originals.seal(source, progress=progress).original_cid
    if cid != draft.digest.cid:
        raise WorkFileError(f"work file {draft.prepared.path} changed while it was being registered")
    if draft.preview.image is not None:
        store.put(draft.preview.image)
    for example in draft.preview.examples:
        store.put(example)
    metadata_cid = store.put(draft.metadata.to_bytes())
    vault.save(draft.digest.sha256, draft.commitment)  # before sending: a lost salt cannot be recovered
    work = draft.work(metadata_cid)
    if license_ids:
        outcome = actions.register_derivative(client, account, license_ids, work, on_step=on_step)
    else:
        outcome = actions.register(client, account, work, on_step=on_step)
    return Registration(outcome.value, work.kind, draft.digest.sha256, cid, metadata_cid, outcome.receipt)
