"""The SDK's prompt commitments (`genip_sdk.prompts`, the scheme's one home) equal an independent computation
with `eth_abi`/`eth_hash` (the encoding the contracts use), are what `genip.prompts` gives (it imports them),
open on-chain with the registry's `promptCommitmentFor`/`verifyPrompt`/`verifyPromptPart`, and seal to the
checker's key in the payload the checker opens."""

import hashlib
import json

import genip_sdk.prompts as sdk
import pytest
from eth_abi.abi import encode
from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address
from genip_sdk import PromptError

import genip.prompts as core
from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.types import Work, WorkKind
from genip.checker.sealing import CheckerKey
from genip.checker.submissions import PromptPayload
from tests.helpers import CREATOR, CREATOR_2

PROMPT = "  a red fox\r\nin the snow, Cafe\u0301  "
SALT = bytes(range(32))


def _reference_single(creator: str, prompt: bytes, salt: bytes) -> bytes:
    domain = keccak(b"Gen-IP prompt commitment v2")
    return bytes(
        keccak(encode(["bytes32", "address", "bytes32", "bytes32"], [domain, creator, salt, keccak(prompt)]))
    )


def _reference_leaf(creator: str, part: str, value: bytes, salt: bytes) -> bytes:
    return bytes(
        keccak(keccak(encode(["address", "string", "bytes32", "bytes"], [creator, part, salt, value])))
    )


@pytest.mark.parametrize("creator", [CREATOR.address, CREATOR.address.lower(), CREATOR_2.address.upper()])
def test_the_single_commitment_equals_the_abi_encoding(creator: str) -> None:
    made = sdk.commit_prompt(PROMPT, SALT, creator=creator)
    assert made.prompt == "a red fox\nin the snow, Caf\u00e9"  # normalised: LF, NFC, trimmed
    assert made.creator == to_checksum_address(creator)
    assert made.commitment == _reference_single(to_checksum_address(creator), made.prompt.encode(), SALT)
    assert made == core.commit_prompt(PROMPT, SALT, creator=creator)  # genip's is the SDK's
    assert sdk.verify_prompt(PROMPT, SALT, made.commitment, creator=creator)
    assert not sdk.verify_prompt(
        PROMPT,
        SALT,
        made.commitment,
        creator=CREATOR_2.address if creator != CREATOR_2.address.upper() else CREATOR.address,
    )
    assert bytes(keccak(b"Gen-IP prompt commitment v2")) == sdk.PROMPT_DOMAIN
    assert "fox" not in repr(made) and SALT.hex() not in repr(made)


@pytest.mark.parametrize(
    "parts",
    [
        {"prompt": "a fox"},
        {"prompt": "a fox", "negative_prompt": "blurry", "seed": "42", "model": "sdxl-1.0",
         "workflow": json.dumps({"nodes": list(range(40))})},  # a value longer than one word
        {"prompt": "x" * 64, "model": ""},  # exactly two words, and an empty part
    ],
)  # fmt: skip
def test_the_parts_commitment_equals_the_abi_encoding(parts: dict[str, str]) -> None:
    made = sdk.commit_parts(parts, SALT, creator=CREATOR.address)
    leaves = [
        _reference_leaf(CREATOR.address, name, made.values[name], bytes(keccak(SALT + name.encode())))
        for name in sdk.PART_NAMES
    ]
    assert made.leaves() == leaves
    assert made.root == core.commit_parts(parts, SALT, creator=CREATOR.address).root
    for name in sdk.PART_NAMES:
        value, salt, proof = made.reveal(name)
        assert sdk.verify_proof(_reference_leaf(CREATOR.address, name, value, salt), proof, made.root)


def test_addresses_and_bad_input() -> None:
    assert sdk.checksum_address(CREATOR.address.lower()) == CREATOR.address
    assert sdk.checksum_address(CREATOR.address[2:]) == CREATOR.address
    wrong = CREATOR.address[:2] + CREATOR.address[2:].swapcase()
    if wrong[2:] not in (wrong[2:].lower(), wrong[2:].upper()):
        with pytest.raises(PromptError, match="checksum"):
            sdk.checksum_address(wrong)
    with pytest.raises(PromptError, match="not an address"):
        sdk.commit_prompt("p", creator="0x12")
    with pytest.raises(PromptError, match="32 bytes"):
        sdk.commit_prompt("p", b"short", creator=CREATOR.address)
    with pytest.raises(PromptError, match="empty"):
        sdk.commit_prompt("  \n ", creator=CREATOR.address)
    with pytest.raises(PromptError, match="unknown prompt parts"):
        sdk.commit_parts({"prompt": "p", "lora": "x"}, creator=CREATOR.address)
    # genip's callers get the core's error (a GenIPError: one line in the CLI), which is also the SDK's
    with pytest.raises(core.PromptError, match="32 bytes") as info:
        core.commit_prompt("p", b"short", creator=CREATOR.address)
    assert isinstance(info.value, PromptError)
    assert len(sdk.new_salt()) == 32 and sdk.new_salt() != sdk.new_salt()


def test_sealed_to_the_checker_in_the_payload_it_opens() -> None:
    key = CheckerKey.generate()
    single = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
    parts = sdk.commit_parts({"prompt": "a fox", "seed": "7"}, creator=CREATOR.address)
    for made, scheme in ((single, "single"), (parts, "parts")):
        sealed = sdk.seal_prompt(made, {"public_key": key.public_key.hex, "key_id": key.public_key.key_id})
        assert sealed["key_id"] == key.public_key.key_id == sdk.checker_key_id(key.public_key.hex)
        import base64

        opened = PromptPayload.from_bytes(key.open(base64.b64decode(sealed["sealed"]), sealed["key_id"]))
        assert opened.scheme_for(made.commitment, creator=CREATOR.address) == scheme
        assert "fox" not in sealed["sealed"]
    with pytest.raises(PromptError, match="64 hex"):
        sdk.seal_prompt(single, "0x1234")


def test_the_registry_opens_the_sdks_commitments(client: GenIPClient) -> None:
    made = sdk.commit_prompt(PROMPT, creator=CREATOR.address)
    on_chain = client.registry.functions.promptCommitmentFor(CREATOR.address, made.prompt.encode(), made.salt)
    assert bytes(on_chain.call()) == made.commitment
    parts = sdk.commit_parts({"prompt": "a fox", "negative_prompt": "blurry"}, creator=CREATOR.address)
    work = Work(
        WorkKind.IMAGE, hashlib.sha256(b"sdk prompt parts").digest(), bytes(32), parts.root, "bafk-sdk"
    )
    asset = actions.register(client, CREATOR, work).value
    value, salt, proof = parts.reveal("negative_prompt")
    verify = client.registry.functions.verifyPromptPart
    assert verify(asset, CREATOR.address, "negative_prompt", value, salt, proof).call() is True
    assert verify(asset, CREATOR.address, "negative_prompt", b"sharp", salt, proof).call() is False
