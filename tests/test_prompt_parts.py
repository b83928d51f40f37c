"""Structured prompt commitments: one part can be revealed and proved on-chain without the others."""

import hashlib

import pytest

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.types import Work, WorkKind
from genip.prompts import PART_NAMES, PromptError, commit_parts, part_salt, verify_proof
from tests.helpers import CREATOR

PARTS = {
    "prompt": "a lighthouse in a storm, oil painting",
    "negative_prompt": "blurry, watermark",
    "seed": "421337",
    "model": "sdxl-base-1.0",
    "workflow": b'{"3":{"class_type":"KSampler"}}',
}


def test_each_part_is_proved_by_the_registry_and_a_wrong_one_is_refused(client: GenIPClient) -> None:
    committed = commit_parts(PARTS)
    work = Work(WorkKind.IMAGE, hashlib.sha256(b"parts").digest(), bytes(32), committed.root, "bafk-parts")
    asset = actions.register(client, CREATOR, work).value
    verify = client.registry.functions.verifyPromptPart
    for part in PART_NAMES:
        value, salt, proof = committed.reveal(part)
        assert verify(asset, part, value, salt, proof).call() is True, part
    value, salt, proof = committed.reveal("model")
    assert verify(asset, "model", b"sdxl-base-1.1", salt, proof).call() is False  # another value
    assert verify(asset, "seed", value, salt, proof).call() is False  # another part's name
    assert (
        verify(asset, "model", value, part_salt(b"\x00" * 32, "model"), proof).call() is False
    )  # wrong salt


def test_revealing_one_part_leaves_the_others_hidden() -> None:
    committed = commit_parts(PARTS)
    _, model_salt, _ = committed.reveal("model")
    assert model_salt not in {part_salt(committed.master_salt, p) for p in PART_NAMES if p != "model"}
    assert all(
        verify_proof(leaf, committed.reveal(p)[2], committed.root)
        for p, leaf in zip(PART_NAMES, committed.leaves(), strict=True)
    )


def test_absent_parts_are_committed_empty_and_the_prompt_is_required() -> None:
    committed = commit_parts({"prompt": "  a cat  "})
    assert committed.reveal("prompt")[0] == b"a cat" and committed.reveal("seed")[0] == b""
    with pytest.raises(PromptError, match="empty"):
        commit_parts({"model": "x"})
    with pytest.raises(PromptError, match="unknown prompt parts"):
        commit_parts({"prompt": "x", "lora": "y"})
