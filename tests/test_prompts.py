"""Prompt commitments open exactly as the registry's `verifyPrompt` / `verifyPromptPart` check them."""

import hashlib
import json
import stat
from pathlib import Path

import pytest
from eth_hash.auto import keccak

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.types import Work, WorkKind
from genip.prompts import (
    SALT_BYTES,
    PromptError,
    PromptVault,
    commit_prompt,
    hash_pair,
    new_salt,
    normalize_prompt,
    part_leaf,
    process_proof,
    prompt_leaf,
    verify_prompt,
    verify_proof,
)
from tests.helpers import CREATOR

PROMPT = "  A lighthouse at dusk,\r\nink wash, Cafe\u0301 sign  \n"
SALT = bytes(range(32))


def test_prompts_are_normalised() -> None:
    assert normalize_prompt(PROMPT) == "A lighthouse at dusk,\nink wash, Caf\u00e9 sign"


def test_the_commitment_is_keccak_of_salt_then_prompt() -> None:
    committed = commit_prompt(PROMPT, SALT)
    expected = keccak(SALT + "A lighthouse at dusk,\nink wash, Caf\u00e9 sign".encode())
    assert committed.commitment == expected
    assert committed.prompt == normalize_prompt(PROMPT)
    assert verify_prompt(PROMPT, SALT, committed.commitment)
    assert verify_prompt(committed.prompt, SALT, committed.commitment)
    assert not verify_prompt(PROMPT + " extra", SALT, committed.commitment)
    assert not verify_prompt(PROMPT, new_salt(), committed.commitment)


def test_salts_are_fresh_and_kept_out_of_repr() -> None:
    first, second = commit_prompt(PROMPT), commit_prompt(PROMPT)
    assert len(first.salt) == SALT_BYTES
    assert first.salt != second.salt and first.commitment != second.commitment
    assert "lighthouse" not in repr(first) and first.salt.hex() not in repr(first)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(PromptError, match="empty"):
        commit_prompt(" \n ")
    with pytest.raises(PromptError, match="32 bytes"):
        prompt_leaf("x", b"short")


def test_merkle_helpers_follow_openzeppelin() -> None:
    leaf = prompt_leaf("prompt", SALT)
    other = prompt_leaf("negative prompt", SALT)
    assert process_proof(leaf, []) == leaf  # a one-leaf tree's root is the leaf
    root = hash_pair(leaf, other)
    assert root == hash_pair(other, leaf) == keccak(min(leaf, other) + max(leaf, other))
    assert verify_proof(leaf, [other], root) and verify_proof(other, [leaf], root)
    assert not verify_proof(leaf, [leaf], root)


def test_the_registry_accepts_our_commitments(client: GenIPClient) -> None:
    """Non-circular check: the contract recomputes the commitment from the revealed prompt and salt."""
    committed = commit_prompt(PROMPT)
    work = Work(
        WorkKind.IMAGE, hashlib.sha256(b"prompt test").digest(), bytes(32), committed.commitment, "bafk-test"
    )
    asset = actions.register(client, CREATOR, work).value
    verify = client.registry.functions.verifyPrompt
    assert verify(asset, committed.prompt.encode(), committed.salt).call() is True
    assert verify(asset, PROMPT.encode(), committed.salt).call() is False  # the chain sees raw bytes
    assert verify(asset, committed.prompt.encode(), new_salt()).call() is False


def test_the_registry_accepts_a_part_of_a_two_leaf_commitment(client: GenIPClient) -> None:
    salt = new_salt()
    prompt_part = part_leaf("prompt", b"a lighthouse", salt)
    model_part = part_leaf("model", b"sdxl-base-1.0", salt)
    root = hash_pair(prompt_part, model_part)
    work = Work(WorkKind.IMAGE, hashlib.sha256(b"parts test").digest(), bytes(32), root, "bafk-parts")
    asset = actions.register(client, CREATOR, work).value
    verify_part = client.registry.functions.verifyPromptPart
    assert verify_part(asset, "prompt", b"a lighthouse", salt, [model_part]).call() is True
    assert verify_part(asset, "model", b"sdxl-base-1.0", salt, [prompt_part]).call() is True
    assert verify_part(asset, "model", b"sdxl-base-1.1", salt, [prompt_part]).call() is False
    assert verify_part(asset, "prompt", b"a lighthouse", salt, []).call() is False
    # An inner node cannot pass for a leaf.
    assert verify_part(asset, "", root, bytes(32), []).call() is False


# ── the creator's local prompt secrets ──


def test_the_vault_keeps_prompts_by_content_hash_privately(tmp_path: Path) -> None:
    vault = PromptVault(tmp_path, CREATOR.address.lower())
    content = hashlib.sha256(b"work").digest()
    committed = commit_prompt(PROMPT)
    assert vault.load(content) is None
    vault.save(content, committed)
    assert vault.load(content) == committed
    assert list(vault.works()) == [content]
    assert vault.path == tmp_path / "prompts" / f"{CREATOR.address}.json"
    assert stat.S_IMODE(vault.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(vault.path.parent.stat().st_mode) == 0o700
    assert "lighthouse" not in repr(vault)

    second = hashlib.sha256(b"second work").digest()
    PromptVault(tmp_path, CREATOR.address).save(second, commit_prompt("another prompt"))
    assert vault.load(content) == committed  # earlier entries survive later saves
    assert sorted(vault.works()) == sorted([content, second])
    assert [p.name for p in vault.path.parent.iterdir()] == [vault.path.name]  # no temporary files left


def test_a_tampered_vault_entry_is_refused_without_showing_it(tmp_path: Path) -> None:
    vault = PromptVault(tmp_path, CREATOR.address)
    content = hashlib.sha256(b"work").digest()
    vault.save(content, commit_prompt("secret prompt words"))
    document = json.loads(vault.path.read_text())
    document["entries"]["0x" + content.hex()]["prompt"] = "secret prompt wordz"
    vault.path.write_text(json.dumps(document))
    with pytest.raises(PromptError) as info:
        vault.load(content)
    assert "secret" not in str(info.value)
    vault.path.write_text("not json")
    with pytest.raises(PromptError, match="cannot read"):
        vault.load(content)


def test_the_vault_needs_an_address(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="not an address"):
        PromptVault(tmp_path, "alice")
