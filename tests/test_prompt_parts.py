"""Structured prompt commitments: one part can be revealed and proved on-chain without the others."""

import hashlib
import json
from pathlib import Path

import pytest

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.types import Work, WorkKind
from genip.prompts import (
    PART_NAMES,
    PartsCommitment,
    PromptCommitment,
    PromptError,
    PromptVault,
    commit_parts,
    commit_prompt,
    part_salt,
    verify_proof,
)
from genip.works import PromptRequiredError, WorkDescription, WorkFileError, prepare_registration
from tests.helpers import CREATOR, CREATOR_2

PARTS: dict[str, str | bytes] = {
    "prompt": "a lighthouse in a storm, oil painting",
    "negative_prompt": "blurry, watermark",
    "seed": "421337",
    "model": "sdxl-base-1.0",
    "workflow": b'{"3":{"class_type":"KSampler"}}',
}


def test_each_part_is_proved_by_the_registry_and_a_wrong_one_is_refused(client: GenIPClient) -> None:
    committed = commit_parts(PARTS, creator=CREATOR.address)
    work = Work(WorkKind.IMAGE, hashlib.sha256(b"parts").digest(), bytes(32), committed.root, "bafk-parts")
    asset = actions.register(client, CREATOR, work).value
    verify = client.registry.functions.verifyPromptPart
    me = CREATOR.address
    for part in PART_NAMES:
        value, salt, proof = committed.reveal(part)
        assert verify(asset, me, part, value, salt, proof).call() is True, part
    value, salt, proof = committed.reveal("model")
    assert verify(asset, me, "model", b"sdxl-base-1.1", salt, proof).call() is False  # another value
    assert verify(asset, me, "seed", value, salt, proof).call() is False  # another part's name
    assert (
        verify(asset, me, "model", value, part_salt(b"\x00" * 32, "model"), proof).call() is False
    )  # wrong salt
    assert verify(asset, CREATOR_2.address, "model", value, salt, proof).call() is False  # another creator


def test_revealing_one_part_leaves_the_others_hidden() -> None:
    committed = commit_parts(PARTS, creator=CREATOR.address)
    _, model_salt, _ = committed.reveal("model")
    assert model_salt not in {part_salt(committed.master_salt, p) for p in PART_NAMES if p != "model"}
    assert all(
        verify_proof(leaf, committed.reveal(p)[2], committed.root)
        for p, leaf in zip(PART_NAMES, committed.leaves(), strict=True)
    )


def test_absent_parts_are_committed_empty_and_the_prompt_is_required() -> None:
    committed = commit_parts({"prompt": "  a cat  "}, creator=CREATOR.address)
    assert committed.reveal("prompt")[0] == b"a cat" and committed.reveal("seed")[0] == b""
    with pytest.raises(PromptError, match="empty"):
        commit_parts({"model": "x"}, creator=CREATOR.address)
    with pytest.raises(PromptError, match="unknown prompt parts"):
        commit_parts({"prompt": "x", "lora": "y"}, creator=CREATOR.address)


def test_the_vault_keeps_parts_and_still_reads_single_entries(tmp_path: Path) -> None:
    vault = PromptVault(tmp_path, CREATOR.address)
    parts, single = b"\x01" * 32, b"\x02" * 32
    committed = commit_parts(PARTS, creator=CREATOR.address)
    vault.save(parts, committed)
    vault.save(single, commit_prompt("a single prompt", creator=CREATOR.address))
    kept = vault.load_any(parts)
    assert isinstance(kept, PartsCommitment) and kept.root == committed.root
    assert kept.reveal("model") == committed.reveal("model") and kept.commitment == committed.root
    assert vault.load_parts(single) is None and vault.load_any(b"\x03" * 32) is None
    old = vault.load_any(single)
    assert isinstance(old, PromptCommitment) and old.prompt == "a single prompt"
    with pytest.raises(PromptError, match="parts"):
        vault.load(parts)  # the single-scheme reader refuses to misread a parts entry
    document = json.loads(vault.path.read_text())
    document["entries"]["0x" + parts.hex()]["parts"]["seed"] = "1"  # tampered
    vault.path.write_text(json.dumps(document))
    with pytest.raises(PromptError, match="does not open"):
        vault.load_any(parts)


def test_registration_commits_part_by_part_when_parts_are_given(tmp_path: Path) -> None:
    work = tmp_path / "poem.txt"
    work.write_text("roses\n")
    plain = prepare_registration(
        work, WorkDescription(WorkKind.TEXT, "P", prompt="p"), creator=CREATOR.address
    )
    assert isinstance(plain.commitment, PromptCommitment)  # verifyPrompt keeps working for these
    about = WorkDescription(
        WorkKind.TEXT, "P", prompt=" p ", model="m", seed="7", workflow='{"b": 1,  "a": [2]}'
    )
    draft = prepare_registration(work, about, creator=CREATOR.address)
    assert isinstance(draft.commitment, PartsCommitment)
    assert draft.metadata.prompt_commitment == draft.commitment.root
    assert draft.commitment.texts() == {
        "prompt": "p",
        "seed": "7",
        "model": "m",
        "workflow": '{"a":[2],"b":1}',
    }
    with pytest.raises(PromptRequiredError, match="together with its prompt"):
        prepare_registration(work, WorkDescription(WorkKind.OTHER, "P", seed="7"), creator=CREATOR.address)
    with pytest.raises(WorkFileError, match="JSON"):
        prepare_registration(
            work, WorkDescription(WorkKind.TEXT, "P", prompt="p", workflow="{nope"), creator=CREATOR.address
        )
