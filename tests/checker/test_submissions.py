"""Private submissions: sealed at rest, refused when they do not match the commitment, checked and attested
on-chain by the checker process — and the prompt's text never lands in the database."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.chain.types import CheckOutcome, Work, WorkKind
from genip.checker.policy import Outcome
from genip.checker.sealing import Sealed, Sealer, SealError
from genip.checker.submissions import PromptPayload, SubmissionError, SubmissionStore
from genip.checker.worker import Checker
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.errors import ConfigError
from genip.prompts import commit_parts, commit_prompt
from tests.helpers import CREATOR, CREATOR_2, DEPLOYER

KEY = Sealer(bytes(range(32)))


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'genip.db'}")
    upgrade(engine)
    return engine


def register(client: GenIPClient, seed: str, commitment: bytes) -> int:
    work = Work(WorkKind.IMAGE, hashlib.sha256(seed.encode()).digest(), bytes(32), commitment, "bafk-" + seed)
    return actions.register(client, CREATOR, work).value


def checker(client: GenIPClient, engine: Engine) -> Checker:
    role = client.registry.functions.CHECKER_ROLE().call()
    send(client.w3, DEPLOYER, client.registry.functions.grantRole(role, DEPLOYER.address))
    return Checker(SubmissionStore(engine, KEY), client, DEPLOYER)


def test_sealing_round_trips_and_refuses_a_wrong_key_or_a_moved_ciphertext() -> None:
    sealed = KEY.seal(b"secret prompt", b"asset:1")
    assert b"secret" not in sealed.ciphertext.encode()
    assert KEY.open(sealed, b"asset:1") == b"secret prompt"
    with pytest.raises(SealError, match="moved"):
        KEY.open(sealed, b"asset:2")
    other = Sealer(bytes(32))
    with pytest.raises(SealError, match="key"):
        other.open(sealed, b"asset:1")
    with pytest.raises(SealError):
        KEY.open(Sealed(sealed.key_id, sealed.nonce, "AAAA" + sealed.ciphertext[4:]), b"asset:1")


def test_the_key_comes_from_settings_in_hex_or_base64() -> None:
    assert Sealer.from_setting(bytes(range(32)).hex()).key_id == KEY.key_id
    assert Sealer.from_setting("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").key_id == KEY.key_id
    for bad in (None, "", "abcd", "not base64!"):
        with pytest.raises(ConfigError, match="GENIP_CHECKER_KEY"):
            Sealer.from_setting(bad)


def test_a_submission_must_reproduce_the_commitment(client: GenIPClient, engine: Engine) -> None:
    parts = {"prompt": "a quiet harbour at dawn", "model": "sdxl-base-1.0", "seed": "7"}
    committed = commit_parts(parts, creator=CREATOR.address)
    asset = register(client, "harbour", committed.root)
    store = SubmissionStore(engine, KEY)
    tampered = PromptPayload({**parts, "prompt": "a quiet harbour at dusk"}, committed.master_salt)
    with pytest.raises(SubmissionError, match="does not match"):
        store.submit(
            chain_id=1,
            asset_id=asset,
            creator=CREATOR.address,
            commitment="0x" + committed.root.hex(),
            payload=tampered,
        )
    good = PromptPayload(parts, committed.master_salt)
    store.submit(
        chain_id=1,
        asset_id=asset,
        creator=CREATOR.address,
        commitment="0x" + committed.root.hex(),
        payload=good,
    )
    with pytest.raises(SubmissionError, match="already"):
        store.submit(
            chain_id=1,
            asset_id=asset,
            creator=CREATOR.address,
            commitment="0x" + committed.root.hex(),
            payload=good,
        )
    single = commit_prompt("a single prompt", creator=CREATOR.address)
    payload = PromptPayload({"prompt": "a single prompt"}, single.salt)
    assert payload.scheme_for(single.commitment, creator=CREATOR.address) == "single"
    with pytest.raises(SubmissionError, match="does not match"):  # the same prompt, another creator
        payload.scheme_for(single.commitment, creator=CREATOR_2.address)


def test_check_attest_review_round_trip_and_no_plaintext_in_the_database(
    client: GenIPClient, engine: Engine
) -> None:
    chain_id = client.deployment.chain_id
    prompts = {
        "clean": "a quiet harbour at dawn, watercolour",
        "artist": "a castle at dusk by gr3g rutk0wski",
        "character": "pikachu surfing a wave",
    }
    store = SubmissionStore(engine, KEY)
    assets = {}
    for key, prompt in prompts.items():
        committed = commit_parts(
            {"prompt": prompt, "negative_prompt": "blurry, disney"}, creator=CREATOR.address
        )
        assets[key] = register(client, key, committed.root)
        payload = PromptPayload(
            {"prompt": prompt, "negative_prompt": "blurry, disney"}, committed.master_salt
        )
        store.submit(
            chain_id=chain_id,
            asset_id=assets[key],
            creator=CREATOR.address,
            commitment="0x" + committed.root.hex(),
            payload=payload,
        )

    worker = checker(client, engine)
    results = {r.asset_id: r for r in worker.run_once()}
    check = client.registry.functions.promptCheck
    assert (
        results[assets["clean"]].outcome == Outcome.PASS
        and check(assets["clean"]).call() == CheckOutcome.PASSED
    )
    assert (
        results[assets["artist"]].outcome == Outcome.FAIL
        and check(assets["artist"]).call() == CheckOutcome.FAILED
    )
    assert (
        not results[assets["character"]].attested
        and check(assets["character"]).call() == CheckOutcome.UNCHECKED
    )

    queue = worker.review_queue()
    assert [r.asset_id for r in queue] == [assets["character"]]
    decided = worker.decide(queue[0].id, Outcome.PASS, reviewer="moderator-1")
    assert decided.attested and check(assets["character"]).call() == CheckOutcome.PASSED
    assert worker.review_queue() == []

    # Nothing the creators typed is stored in clear, anywhere in the database.
    with engine.connect() as c:
        dump = "\n".join(
            str(row) for table in ("prompt_submissions",) for row in c.execute(text(f"SELECT * FROM {table}"))
        )
    for secret in [*prompts.values(), "watercolour", "rutk0wski", "surfing", "blurry"]:
        assert secret not in dump
