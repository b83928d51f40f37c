"""`genip prompt verify|reveal|submit`: check, reveal or send to the checker the prompt a work commits to.

`prompt submit` seals the creator's kept prompt (every part and the salt) to the checker's public key (a
libsodium sealed box: only the checker process can open it) and sends the ciphertext to the API's private
checker endpoint, signed with the creator's wallet (EIP-712 `PromptSubmission`, bound to the on-chain
commitment and to the exact ciphertext). `--salt-file` takes the prompt and salt from the file the web page
offers for download (and keeps them in the vault). `prompt reveal --part P` prints what proves one part
alone, and `prompt verify --part` checks such a reveal with the contract view `verifyPromptPart`.
"""

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from cli.output import emit, hex0x
from genip.errors import ConfigError, GenIPError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from genip.chain.client import GenIPClient
    from genip.chain.reads import AssetInfo
    from genip.checker.sealing import CheckerPublicKey
    from genip.checker.submissions import PromptPayload
    from genip.prompts import PartsCommitment, PromptCommitment
    from genip.settings import Settings

__all__ = [
    "DEMO_API_FILE",
    "PARTS_HELP",
    "api_url",
    "checker_key",
    "payload_of",
    "prompt_app",
    "submit_kept",
    "wait_indexed",
]


prompt_app = typer.Typer(no_args_is_help=True, help="Check or reveal the prompt committed for a work.")


#: `genip.prompts.PART_NAMES` as the help shows them, written out: that module hashes when imported, which
#: would slow every `genip` start (tests/cli/test_startup.py checks the two agree).
PARTS_HELP = "prompt, negative_prompt, seed, model, workflow"
PartOption = Annotated[str | None, typer.Option("--part", help=f"One prompt part: {PARTS_HELP}.")]
#: Where `prompt submit` sends to unless `--api` or GENIP_API_URL says otherwise.
DEFAULT_API = "http://127.0.0.1:8000"
#: Seconds a submission signature stays valid (the API refuses more than an hour).
SIGNATURE_VALIDITY = 600
#: Where a running `genip demo` writes its API's URL in the data directory (removed when it stops), so
#: `genip register` on the same data directory submits prompts without GENIP_API_URL.
DEMO_API_FILE = "demo-api-url"


def api_url(settings: "Settings") -> str | None:
    """The API `genip register` submits prompts to: GENIP_API_URL, else the running demo's of this data
    directory (if it answers), else none."""
    import os

    configured = os.environ.get("GENIP_API_URL", "").strip()
    if configured:
        return configured
    try:
        url = (settings.data_dir / DEMO_API_FILE).read_text().strip()
    except OSError:
        return None
    import httpx

    try:
        return url if url and httpx.get(f"{url}/health", timeout=2.0).status_code == 200 else None
    except httpx.HTTPError:
        return None  # a demo that was killed left its file behind


def _salt(text: str, option: str = "--salt") -> bytes:
    try:
        value = bytes.fromhex(text.strip().removeprefix("0x"))
    except ValueError:
        raise ConfigError(f"{option} is not hex") from None
    if len(value) != 32:
        raise ConfigError(f"{option} has {len(value)} bytes, not 32")
    return value


def _part(name: str) -> str:
    from genip.prompts import PART_NAMES

    if name not in PART_NAMES:
        raise ConfigError(f"unknown prompt part {name[:40]!r}; parts are {', '.join(PART_NAMES)}")
    return name


@prompt_app.command("verify")
def verify(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    salt: Annotated[str, typer.Option("--salt", help="The 32-byte salt, hex (the part's salt with --part).")],
    prompt_file: PromptFileOption = None,
    prompt: PromptOption = None,
    part: PartOption = None,
    value: Annotated[
        str | None, typer.Option("--value", help="The revealed part's value (with --part).")
    ] = None,
    proof: Annotated[
        str, typer.Option("--proof", help="The part's Merkle proof: comma-separated 32-byte hex nodes.")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Check a revealed prompt and salt against the asset's on-chain commitment (exit 1 if they differ);
    with `--part`, one revealed part, its salt and proof (`verifyPromptPart`)."""
    from genip.chain.reads import asset_info
    from genip.prompts import normalize_prompt
    from genip.works import read_text_file

    salt_bytes = _salt(salt)
    if part is not None:
        name = _part(part)
        if value is None:
            raise ConfigError("give the part's value: --value TEXT")
        nodes = [_salt(node, "a --proof node") for node in proof.split(",") if node.strip()]
        client = open_client(settings_of(ctx))
        creator = asset_info(client, asset).creator
        call = client.registry.functions.verifyPromptPart(
            asset, creator, name, value.encode(), salt_bytes, nodes
        )
        ok = bool(call.call())
        data: dict[str, Any] = {"asset_id": asset, "part": name, "verified": ok}
        emit(data, as_json=as_json, title=f"Prompt part {name} of asset {asset}")
        if not ok:
            raise GenIPError(f"the {name} part, salt and proof do not open asset {asset}'s commitment")
        return
    if prompt is not None:
        text = prompt
    elif prompt_file is not None:
        text = read_text_file(prompt_file, "prompt file")
    else:
        raise ConfigError("give the prompt: --prompt-file F or --prompt TEXT (or --part P --value V)")
    client = open_client(settings_of(ctx))
    creator = asset_info(client, asset).creator  # commitments bind the certificate's creator
    ok = bool(
        client.registry.functions.verifyPrompt(
            asset, creator, normalize_prompt(text).encode(), salt_bytes
        ).call()
    )
    emit({"asset_id": asset, "verified": ok}, as_json=as_json, title=f"Prompt of asset {asset}")
    if not ok:
        raise GenIPError(f"the prompt and salt do not open asset {asset}'s commitment")


@prompt_app.command("reveal")
def reveal(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    part: PartOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the creator's own kept prompt and salt for an asset (from this data directory's vault); with
    `--part`, one part's value, salt and Merkle proof, which prove that part alone."""
    from genip.chain.reads import asset_info
    from genip.prompts import PartsCommitment, PromptVault
    from genip.works import AI_KINDS

    settings = settings_of(ctx)
    info = asset_info(open_client(settings), asset)
    kept = PromptVault(settings.data_dir, info.creator).load_any(info.content_hash)
    if kept is None:
        raise GenIPError(f"no kept prompt for asset {asset} (creator {info.creator}) in {settings.data_dir}")
    data: dict[str, Any] = {"asset_id": asset, "creator": info.creator}
    if part is not None:
        name = _part(part)
        if not isinstance(kept, PartsCommitment):
            raise GenIPError(
                f"asset {asset} commits to its prompt as one salted hash, not part by part: "
                "reveal it whole (without --part)"
            )
        value, part_salt, nodes = kept.reveal(name)
        data |= {
            "part": name,
            "value": value.decode("utf-8"),
            "salt": hex0x(part_salt),
            "proof": [hex0x(n) for n in nodes],
        }
        emit(data, as_json=as_json, title=f"Prompt part {name} of asset {asset}")
        return
    if isinstance(kept, PartsCommitment):
        data |= {
            "scheme": "parts",
            "prompt": kept.prompt,
            "parts": {name: value.decode("utf-8") for name, value in kept.values.items()},
            "master_salt": hex0x(kept.master_salt),
        }
    else:
        data |= {"scheme": "single", "prompt": kept.prompt, "salt": hex0x(kept.salt)}
    data |= {
        "commitment": hex0x(kept.commitment),
        "matches_chain": kept.commitment == info.prompt_commitment,
        "ai_kind": info.kind in AI_KINDS,
    }
    emit(data, as_json=as_json, title=f"Prompt of asset {asset}")


def payload_of(kept: "PromptCommitment | PartsCommitment") -> "PromptPayload":
    """What the checker receives for a kept commitment: the non-empty parts and the master salt, or the
    single prompt and its salt."""
    from genip.checker.submissions import PromptPayload
    from genip.prompts import PartsCommitment

    if isinstance(kept, PartsCommitment):
        return PromptPayload(kept.texts(), kept.master_salt)
    return PromptPayload({"prompt": kept.prompt}, kept.salt)


def wait_indexed(api: str, asset: int, timeout: float = 60.0) -> bool:
    """Waits until the API knows `asset` (its indexer caught up); False after `timeout` seconds."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api.rstrip('/')}/assets/{asset}", timeout=10.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(1.0)
    return False


def get_json(url: str) -> tuple[int, Any]:
    """GET `url`; (status code, decoded JSON or None). Tests replace this with an in-process app."""
    import httpx

    try:
        response = httpx.get(url, timeout=30.0)
    except httpx.HTTPError as exc:
        where = url.split("/prompts")[0]
        raise GenIPError(f"the API at {where} cannot be reached ({type(exc).__name__})") from None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def post_json(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    """POST `body` as JSON; (status code, decoded JSON or None). Tests replace this with an in-process app."""
    import httpx

    try:
        response = httpx.post(url, json=body, timeout=30.0)
    except httpx.HTTPError as exc:
        where = url.split("/prompts")[0]
        raise GenIPError(f"the API at {where} cannot be reached ({type(exc).__name__})") from None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def checker_key(settings: "Settings", api: str) -> "CheckerPublicKey":
    """The key to seal to: the one the API publishes, which must equal `GENIP_CHECKER_PUBLIC_KEY` when that
    is set (a pinned key keeps an API that swapped in its own key from reading the prompt)."""
    from genip.checker.sealing import CheckerPublicKey

    pinned = (
        CheckerPublicKey.from_text(settings.checker_public_key, "GENIP_CHECKER_PUBLIC_KEY")
        if settings.checker_public_key
        else None
    )
    code, answer = get_json(f"{api.rstrip('/')}/prompts/checker-key")
    if code != 200 or not isinstance(answer, dict) or not isinstance(answer.get("public_key"), str):
        detail = answer.get("detail") if isinstance(answer, dict) else None
        raise GenIPError(f"the API publishes no checker key ({code}): {detail or 'no detail'}")
    published = CheckerPublicKey.from_text(answer["public_key"], "the API's checker key")
    if pinned is not None and pinned != published:
        raise GenIPError(
            f"the API publishes checker key {published.key_id}, not the pinned GENIP_CHECKER_PUBLIC_KEY "
            f"({pinned.key_id}): not sealing the prompt to it"
        )
    return published


@prompt_app.command("submit")
def submit(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    api: Annotated[
        str, typer.Option("--api", envvar="GENIP_API_URL", help="Base URL of the Gen-IP API.")
    ] = DEFAULT_API,
    salt_file: Annotated[
        Path | None,
        typer.Option(
            "--salt-file",
            help="The prompt salt file the web page offered for download (it is kept in your vault too).",
        ),
    ] = None,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Seal your kept prompt (all parts and the salt) to the checker's key and send it, signed with your
    wallet: only the checker can read it. The check's progress: `GET /prompts/ASSET/check`."""
    from genip.chain.reads import asset_info

    settings = settings_of(ctx)
    client = open_client(settings)
    sender = signer(settings, account)
    if salt_file is not None:
        import_salt_file(settings, asset_info(client, asset), salt_file)
    data = submit_kept(settings, client, sender, asset, api)
    emit(data, as_json=as_json, title=f"Prompt of asset {asset} submitted for the check")


def import_salt_file(settings: "Settings", info: "AssetInfo", path: Path) -> None:
    """Keeps the prompt and salt of a web page's salt file in the creator's vault, once they are shown to
    open `info`'s on-chain commitment for its creator and content."""
    from genip.prompts import PromptError, PromptVault, commit_prompt
    from genip.works import read_text_file

    try:
        document = json.loads(read_text_file(path, "salt file"))
        if not isinstance(document, dict):
            raise TypeError
        prompt, salt, creator = document["prompt"], document["salt"], document["creator"]
        sha256 = document.get("sha256")
        if not all(isinstance(v, str) for v in (prompt, salt, creator)):
            raise TypeError
    except (ValueError, TypeError, KeyError):
        raise ConfigError(
            f"{path} is not a prompt salt file (JSON with creator, prompt, salt, as the web page offers it)"
        ) from None
    if creator.lower() != info.creator.lower():
        raise GenIPError(
            f"the salt file is {creator[:42]}'s; asset {info.asset_id} was created by {info.creator}"
        )
    if isinstance(sha256, str) and sha256.lower().removeprefix("0x") != info.content_hash.hex():
        raise GenIPError(
            f"the salt file is for another work (sha256 {sha256[:18]}…), not asset {info.asset_id}"
        )
    try:
        kept = commit_prompt(
            prompt, _salt(salt, "the salt file's salt"), creator=info.creator, allow_empty=True
        )
    except PromptError as exc:
        raise GenIPError(f"the salt file cannot be used: {exc}") from None
    if kept.commitment != info.prompt_commitment:
        raise GenIPError(f"the salt file's prompt and salt do not open asset {info.asset_id}'s commitment")
    PromptVault(settings.data_dir, info.creator).save(info.content_hash, kept)


def submit_kept(
    settings: "Settings", client: "GenIPClient", sender: "LocalAccount", asset: int, api: str
) -> dict[str, Any]:
    """Seals the creator's kept prompt of `asset` to the checker's key, signs and sends it to the API;
    what the API answered."""
    from genip.chain.reads import asset_info
    from genip.checker.submissions import seal_submission
    from genip.prompts import PartsCommitment, PromptVault

    info = asset_info(client, asset)
    if sender.address.lower() != info.creator.lower():
        raise GenIPError(f"asset {asset} was created by {info.creator}, not by {sender.address}")
    kept = PromptVault(settings.data_dir, info.creator).load_any(info.content_hash)
    if kept is None:
        raise GenIPError(
            f"no kept prompt for asset {asset} (creator {info.creator}) in {settings.data_dir}: "
            "registered on the web page? pass the downloaded salt with --salt-file"
        )
    if kept.commitment != info.prompt_commitment:
        raise GenIPError(f"the kept prompt does not open asset {asset}'s on-chain commitment")
    sealed = seal_submission(
        payload_of(kept),
        checker_key(settings, api),
        chain_id=client.deployment.chain_id,
        asset_id=asset,
        commitment=info.prompt_commitment,
        creator=sender,
        validity=SIGNATURE_VALIDITY,
    )
    code, answer = post_json(f"{api.rstrip('/')}/prompts/{asset}", sealed.body())
    if code != 201 or not isinstance(answer, dict):
        detail = answer.get("detail") if isinstance(answer, dict) else None
        raise GenIPError(f"the API refused the prompt submission ({code}): {detail or 'no detail'}")
    return {
        "asset_id": asset,
        "submission_id": answer.get("submission_id"),
        "scheme": "parts" if isinstance(kept, PartsCommitment) else "single",
        "key_id": answer.get("key_id"),
        "status": answer.get("status"),
    }
