"""Prompt commitments open exactly as the registry's `promptCommitmentFor` / `verifyPrompt` /
`verifyPromptPart` compute them, bound to their creator."""

import hashlib
import json
import stat
from pathlib import Path

import pytest
from eth_abi.abi import encode
from eth_hash.auto import keccak

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.reads import asset_info
from genip.chain.types import Work, WorkKind
from genip.prompts import (
    PROMPT_DOMAIN,
    SALT_BYTES,
    PromptError,
    PromptVault,
    commit_prompt,
    hash_pair,
    merkle_proof,
    merkle_root,
    new_salt,
    normalize_prompt,
    part_leaf,
    process_proof,
    prompt_commitment_for,
    verify_prompt,
    verify_proof,
)
from tests.helpers import CREATOR, CREATOR_2

PROMPT = "  A lighthouse at dusk,\r\nink wash, Cafe\u0301 sign  \n"
SALT = bytes(range(32))


def test_prompts_are_normalised() -> None:
    assert normalize_prompt(PROMPT) == "A lighthouse at dusk,\nink wash, Caf\u00e9 sign"


def test_the_commitment_is_domain_separated_and_names_the_creator() -> None:
    committed = commit_prompt(PROMPT, SALT, creator=CREATOR.address)
    text = "A lighthouse at dusk,\nink wash, Caf\u00e9 sign"
    expected = keccak(
        encode(
            ["bytes32", "address", "bytes32", "bytes32"],
            [keccak(b"Gen-IP prompt commitment v2"), CREATOR.address, SALT, keccak(text.encode())],
        )
    )
    assert keccak(b"Gen-IP prompt commitment v2") == PROMPT_DOMAIN
    assert committed.commitment == expected and committed.creator == CREATOR.address
    assert committed.prompt == normalize_prompt(PROMPT)
    assert verify_prompt(PROMPT, SALT, committed.commitment, creator=CREATOR.address)
    assert verify_prompt(committed.prompt, SALT, committed.commitment, creator=CREATOR.address.lower())
    assert not verify_prompt(PROMPT + " extra", SALT, committed.commitment, creator=CREATOR.address)
    assert not verify_prompt(PROMPT, new_salt(), committed.commitment, creator=CREATOR.address)
    assert not verify_prompt(PROMPT, SALT, committed.commitment, creator=CREATOR_2.address)


def test_salts_are_fresh_and_kept_out_of_repr() -> None:
    first, second = (
        commit_prompt(PROMPT, creator=CREATOR.address),
        commit_prompt(PROMPT, creator=CREATOR.address),
    )
    assert len(first.salt) == SALT_BYTES
    assert first.salt != second.salt and first.commitment != second.commitment
    assert "lighthouse" not in repr(first) and first.salt.hex() not in repr(first)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(PromptError, match="empty"):
        commit_prompt(" \n ", creator=CREATOR.address)
    with pytest.raises(PromptError, match="32 bytes"):
        prompt_commitment_for(CREATOR.address, "x", b"short")
    with pytest.raises(PromptError, match="not an address"):
        commit_prompt("x", creator="alice")
    empty = commit_prompt("", creator=CREATOR.address, allow_empty=True)
    assert empty.prompt == "" and empty.commitment == prompt_commitment_for(CREATOR.address, b"", empty.salt)


def test_merkle_helpers_follow_openzeppelin() -> None:
    leaf = part_leaf("prompt", b"a", SALT, creator=CREATOR.address)
    other = part_leaf("negative_prompt", b"b", SALT, creator=CREATOR.address)
    assert process_proof(leaf, []) == leaf  # a one-leaf tree's root is the leaf
    root = hash_pair(leaf, other)
    assert root == hash_pair(other, leaf) == keccak(min(leaf, other) + max(leaf, other))
    assert verify_proof(leaf, [other], root) and verify_proof(other, [leaf], root)
    assert not verify_proof(leaf, [leaf], root)
    leaves = [keccak(bytes([i])) for i in range(7)]  # an odd count moves the last node up unchanged
    root = merkle_root(leaves)
    assert all(verify_proof(x, merkle_proof(leaves, i), root) for i, x in enumerate(leaves))
    assert merkle_root(leaves[:1]) == leaves[0] and merkle_proof(leaves[:1], 0) == []


def test_the_python_commitment_equals_promptCommitmentFor(client: GenIPClient) -> None:
    committed = commit_prompt(PROMPT, creator=CREATOR.address)
    on_chain = client.registry.functions.promptCommitmentFor(
        CREATOR.address, committed.prompt.encode(), committed.salt
    ).call()
    assert bytes(on_chain) == committed.commitment


def test_the_registry_accepts_our_commitments(client: GenIPClient) -> None:
    """Non-circular check: the contract recomputes the commitment from the revealed prompt and salt."""
    committed = commit_prompt(PROMPT, creator=CREATOR.address)
    work = Work(
        WorkKind.IMAGE, hashlib.sha256(b"prompt test").digest(), bytes(32), committed.commitment, "bafk-test"
    )
    asset = actions.register(client, CREATOR, work).value
    verify = client.registry.functions.verifyPrompt
    assert verify(asset, CREATOR.address, committed.prompt.encode(), committed.salt).call() is True
    assert verify(asset, CREATOR.address, PROMPT.encode(), committed.salt).call() is False  # raw bytes
    assert verify(asset, CREATOR.address, committed.prompt.encode(), new_salt()).call() is False
    assert verify(asset, CREATOR_2.address, committed.prompt.encode(), committed.salt).call() is False


def test_a_copied_commitment_does_not_open_for_another_creator(client: GenIPClient) -> None:
    """A copier who puts CREATOR's commitment on their own certificate cannot open it, not even with the
    original prompt and salt: verifiers pass the certificate's creator (from WorkRegistered), which is the
    copier, and the commitment names CREATOR."""
    original = commit_prompt(PROMPT, creator=CREATOR.address)
    copied = Work(
        WorkKind.IMAGE, hashlib.sha256(b"copy").digest(), bytes(32), original.commitment, "bafk-copy"
    )
    asset = actions.register(client, CREATOR_2, copied).value
    verify = client.registry.functions.verifyPrompt
    creator = asset_info(client, asset).creator
    assert creator == CREATOR_2.address
    assert verify(asset, creator, original.prompt.encode(), original.salt).call() is False
    assert not verify_prompt(original.prompt, original.salt, original.commitment, creator=CREATOR_2.address)


def test_the_registry_accepts_a_part_of_a_two_leaf_commitment(client: GenIPClient) -> None:
    salt = new_salt()
    prompt_part = part_leaf("prompt", b"a lighthouse", salt, creator=CREATOR.address)
    model_part = part_leaf("model", b"sdxl-base-1.0", salt, creator=CREATOR.address)
    root = hash_pair(prompt_part, model_part)
    work = Work(WorkKind.IMAGE, hashlib.sha256(b"parts test").digest(), bytes(32), root, "bafk-parts")
    asset = actions.register(client, CREATOR, work).value
    verify_part = client.registry.functions.verifyPromptPart
    me = CREATOR.address
    assert verify_part(asset, me, "prompt", b"a lighthouse", salt, [model_part]).call() is True
    assert verify_part(asset, me, "model", b"sdxl-base-1.0", salt, [prompt_part]).call() is True
    assert verify_part(asset, me, "model", b"sdxl-base-1.1", salt, [prompt_part]).call() is False
    assert verify_part(asset, me, "prompt", b"a lighthouse", salt, []).call() is False
    assert (
        verify_part(asset, CREATOR_2.address, "model", b"sdxl-base-1.0", salt, [prompt_part]).call() is False
    )
    # An inner node cannot pass for a leaf.
    assert verify_part(asset, me, "", root, bytes(32), []).call() is False


# ── the creator's local prompt secrets ──


def test_the_vault_keeps_prompts_by_content_hash_privately(tmp_path: Path) -> None:
    vault = PromptVault(tmp_path, CREATOR.address.lower())
    content = hashlib.sha256(b"work").digest()
    committed = commit_prompt(PROMPT, creator=CREATOR.address)
    assert vault.load(content) is None
    vault.save(content, committed)
    assert vault.load(content) == committed
    assert list(vault.works()) == [content]
    assert vault.path == tmp_path / "prompts" / f"{CREATOR.address}.json"
    assert stat.S_IMODE(vault.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(vault.path.parent.stat().st_mode) == 0o700
    assert "lighthouse" not in repr(vault)

    second = hashlib.sha256(b"second work").digest()
    PromptVault(tmp_path, CREATOR.address).save(
        second, commit_prompt("another prompt", creator=CREATOR.address)
    )
    assert vault.load(content) == committed  # earlier entries survive later saves
    assert sorted(vault.works()) == sorted([content, second])
    assert [p.name for p in vault.path.parent.iterdir()] == [vault.path.name]  # no temporary files left


def test_a_tampered_vault_entry_is_refused_without_showing_it(tmp_path: Path) -> None:
    vault = PromptVault(tmp_path, CREATOR.address)
    content = hashlib.sha256(b"work").digest()
    vault.save(content, commit_prompt("secret prompt words", creator=CREATOR.address))
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


def test_entries_name_their_creator_and_v1_entries_are_refused_by_name(tmp_path: Path) -> None:
    vault = PromptVault(tmp_path, CREATOR.address)
    content = hashlib.sha256(b"work").digest()
    vault.save(content, commit_prompt("a prompt", creator=CREATOR.address))
    document = json.loads(vault.path.read_text())
    assert document["entries"]["0x" + content.hex()]["creator"] == CREATOR.address
    with pytest.raises(PromptError, match="cannot be kept"):
        vault.save(content, commit_prompt("a prompt", creator=CREATOR_2.address))
    # An entry written for the v1 contracts: no creator, commitment keccak(salt ‖ prompt).
    salt = new_salt()
    document["entries"]["0x" + content.hex()] = {
        "prompt": "a prompt",
        "salt": "0x" + salt.hex(),
        "commitment": "0x" + keccak(salt + b"a prompt").hex(),
    }
    vault.path.write_text(json.dumps(document))
    with pytest.raises(PromptError, match="v1 contracts"):
        vault.load_any(content)
