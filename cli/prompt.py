"""`genip prompt verify|reveal|submit`: check, reveal or send to the checker the prompt a work commits to.

`prompt submit` sends the creator's kept prompt (every part and the salt) to the API's private checker
endpoint, signed with the creator's wallet (EIP-712 `PromptSubmission`, bound to the on-chain commitment and
to the exact payload). `prompt reveal --part P` prints what proves one part alone, and `prompt verify --part`
checks such a reveal with the contract view `verifyPromptPart`.
"""

import time
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
    from genip.checker.submissions import PromptPayload
    from genip.prompts import PartsCommitment, PromptCommitment
    from genip.settings import Settings

__all__ = ["PARTS_HELP", "payload_of", "prompt_app", "submit_kept", "wait_indexed"]


prompt_app = typer.Typer(no_args_is_help=True, help="Check or reveal the prompt committed for a work.")


#: `genip.prompts.PART_NAMES` as the help shows them, written out: that module hashes when imported, which
#: would slow every `genip` start (tests/cli/test_startup.py checks the two agree).
PARTS_HELP = "prompt, negative_prompt, seed, model, workflow"
PartOption = Annotated[str | None, typer.Option("--part", help=f"One prompt part: {PARTS_HELP}.")]
#: Where `prompt submit` sends to unless `--api` or GENIP_API_URL says otherwise.
DEFAULT_API = "http://127.0.0.1:8000"
#: Seconds a submission signature stays valid (the API refuses more than an hour).
SIGNATURE_VALIDITY = 600


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


@prompt_app.command("submit")
def submit(
    ctx: typer.Context,
    asset: Annotated[int, typer.Argument(help="Asset id.")],
    api: Annotated[
        str, typer.Option("--api", envvar="GENIP_API_URL", help="Base URL of the Gen-IP API.")
    ] = DEFAULT_API,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send your kept prompt (all parts and the salt) privately to the checker, signed with your wallet.

    The API stores it encrypted and answers the check's progress at `GET /prompts/ASSET/check`."""
    settings = settings_of(ctx)
    client = open_client(settings)
    data = submit_kept(settings, client, signer(settings, account), asset, api)
    emit(data, as_json=as_json, title=f"Prompt of asset {asset} submitted for the check")


def submit_kept(
    settings: "Settings", client: "GenIPClient", sender: "LocalAccount", asset: int, api: str
) -> dict[str, Any]:
    """Signs and sends the creator's kept prompt of `asset` to the API; what the API answered."""
    from eth_account.messages import encode_typed_data
    from eth_hash.auto import keccak

    from genip.chain.reads import asset_info
    from genip.checker.auth import submission_typed_data
    from genip.prompts import PromptVault

    info = asset_info(client, asset)
    if sender.address.lower() != info.creator.lower():
        raise GenIPError(f"asset {asset} was created by {info.creator}, not by {sender.address}")
    kept = PromptVault(settings.data_dir, info.creator).load_any(info.content_hash)
    if kept is None:
        raise GenIPError(f"no kept prompt for asset {asset} (creator {info.creator}) in {settings.data_dir}")
    if kept.commitment != info.prompt_commitment:
        raise GenIPError(f"the kept prompt does not open asset {asset}'s on-chain commitment")
    payload = payload_of(kept)
    deadline = int(time.time()) + SIGNATURE_VALIDITY
    typed = submission_typed_data(
        client.deployment.chain_id, asset, info.prompt_commitment, bytes(keccak(payload.to_bytes())), deadline
    )
    signature = sender.sign_message(encode_typed_data(full_message=typed)).signature
    body = {
        "parts": payload.parts,
        "salt": hex0x(payload.salt),
        "deadline": deadline,
        "signature": hex0x(bytes(signature)),
    }
    code, answer = post_json(f"{api.rstrip('/')}/prompts/{asset}", body)
    if code != 201 or not isinstance(answer, dict):
        detail = answer.get("detail") if isinstance(answer, dict) else None
        raise GenIPError(f"the API refused the prompt submission ({code}): {detail or 'no detail'}")
    return {
        "asset_id": asset,
        "submission_id": answer.get("submission_id"),
        "scheme": answer.get("scheme"),
        "status": answer.get("status"),
    }
