"""Private submissions: sealed by the creator to the checker's key, stored unopened, refused when unsigned or
sealed to another key, rejected by the checker when they do not reproduce the commitment, checked and attested
on-chain by the checker process — and the prompt's text never lands in the database."""

import base64
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.chain.types import CheckOutcome, Work, WorkKind
from genip.checker.auth import AuthError
from genip.checker.policy import Outcome
from genip.checker.sealing import SEAL_OVERHEAD, CheckerKey, CheckerPublicKey, SealError
from genip.checker.submissions import (
    PromptPayload,
    SealedSubmission,
    SubmissionError,
    SubmissionExists,
    SubmissionStore,
    seal_submission,
)
from genip.checker.worker import Checker, MissingRoleError
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.errors import ConfigError
from genip.prompts import commit_parts, commit_prompt
from tests.helpers import CREATOR, CREATOR_2, DEPLOYER, extended_terms

KEY = CheckerKey(bytes(range(32)))


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
    return Checker(SubmissionStore(engine), client, DEPLOYER, KEY)


def submit(
    store: SubmissionStore, chain_id: int, asset: int, commitment: bytes, payload: PromptPayload
) -> int:
    """What the API does with a creator's sealed, signed submission."""
    sealed = seal_submission(
        payload, KEY.public_key, chain_id=chain_id, asset_id=asset, commitment=commitment, creator=CREATOR
    )
    return store.accept(
        sealed,
        KEY.public_key,
        chain_id=chain_id,
        asset_id=asset,
        creator=CREATOR.address,
        commitment="0x" + commitment.hex(),
    )


def test_sealing_round_trips_only_for_the_checkers_key() -> None:
    public = KEY.public_key
    sealed = public.seal(b"secret prompt")
    assert len(sealed) == len(b"secret prompt") + SEAL_OVERHEAD and b"secret" not in sealed
    assert public.seal(b"secret prompt") != sealed  # an ephemeral key each time
    assert KEY.open(sealed, public.key_id) == b"secret prompt"
    other = CheckerKey.generate()
    with pytest.raises(SealError, match="sealed to checker key"):
        other.open(sealed, public.key_id)
    with pytest.raises(SealError, match="does not open"):
        other.open(sealed, other.public_key.key_id)  # the id lied: the box itself refuses
    with pytest.raises(SealError, match="does not open"):
        KEY.open(sealed[:-1] + bytes([sealed[-1] ^ 1]), public.key_id)
    assert "raw" not in repr(KEY) and bytes(range(32)).hex() not in repr(KEY)


def test_keys_come_from_settings_or_a_private_file(tmp_path: Path) -> None:
    assert CheckerKey.from_setting(bytes(range(32)).hex()) == KEY
    assert CheckerKey.from_setting("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=") == KEY
    path = tmp_path / "checker" / "sealing.key"
    KEY.write(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert CheckerKey.from_setting("ignored when a file is given", path) == KEY
    with pytest.raises(FileExistsError):
        KEY.write(path)  # never overwrites a key
    for bad in (None, "", "abcd", "not base64!"):
        with pytest.raises(ConfigError, match="GENIP_CHECKER_KEY"):
            CheckerKey.from_setting(bad)
    with pytest.raises(ConfigError, match="cannot be read"):
        CheckerKey.from_setting(None, tmp_path / "missing.key")
    assert CheckerPublicKey.from_text(KEY.public_key.hex) == KEY.public_key


def test_the_store_takes_only_the_creators_signature_over_the_exact_ciphertext(
    client: GenIPClient, engine: Engine
) -> None:
    committed = commit_prompt("a single prompt", creator=CREATOR.address)
    asset = register(client, "single", committed.commitment)
    store = SubmissionStore(engine)
    payload = PromptPayload({"prompt": "a single prompt"}, committed.salt)
    sealed = seal_submission(
        payload, KEY.public_key, chain_id=1, asset_id=asset, commitment=committed.commitment, creator=CREATOR
    )
    where = {"chain_id": 1, "asset_id": asset, "commitment": "0x" + committed.commitment.hex()}
    with pytest.raises(AuthError, match="not by the creator"):
        store.accept(sealed, KEY.public_key, creator=CREATOR_2.address, **where)
    swapped = base64.b64encode(KEY.public_key.seal(payload.to_bytes())).decode()
    with pytest.raises(AuthError, match="not by the creator"):  # the signature covers the exact ciphertext
        store.accept(
            SealedSubmission(swapped, sealed.key_id, sealed.deadline, sealed.signature),
            KEY.public_key,
            creator=CREATOR.address,
            **where,
        )
    with pytest.raises(SubmissionError, match="sealed to checker key"):
        store.accept(sealed, CheckerKey.generate().public_key, creator=CREATOR.address, **where)
    with pytest.raises(SubmissionError, match="base64"):
        store.accept(
            SealedSubmission("@@@@", sealed.key_id, sealed.deadline, sealed.signature),
            KEY.public_key,
            creator=CREATOR.address,
            **where,
        )
    first = store.accept(sealed, KEY.public_key, creator=CREATOR.address, **where)
    with pytest.raises(SubmissionExists):
        store.accept(sealed, KEY.public_key, creator=CREATOR.address, **where)
    row = store.get(1, asset)
    assert row is not None and row.id == first and row.scheme is None and row.status == "pending"
    assert base64.b64decode(row.ciphertext) == base64.b64decode(sealed.sealed)


def test_a_submission_that_does_not_open_the_commitment_is_rejected_and_may_be_sent_again(
    client: GenIPClient, engine: Engine
) -> None:
    chain_id = client.deployment.chain_id
    parts = {"prompt": "a quiet harbour at dawn", "model": "sdxl-base-1.0", "seed": "7"}
    committed = commit_parts(parts, creator=CREATOR.address)
    asset = register(client, "harbour", committed.root)
    store = SubmissionStore(engine)
    tampered = PromptPayload({**parts, "prompt": "a quiet harbour at dusk"}, committed.master_salt)
    submit(store, chain_id, asset, committed.root, tampered)
    worker = checker(client, engine)
    [rejected] = worker.run_once()
    assert rejected.outcome is None and not rejected.attested
    assert rejected.rejected is not None and "does not match" in rejected.rejected
    row = store.get(chain_id, asset)
    assert row is not None and row.status == "rejected" and row.report == {"rejected": rejected.rejected}
    assert client.registry.functions.promptCheck(asset).call() == CheckOutcome.UNCHECKED

    submit(store, chain_id, asset, committed.root, PromptPayload(parts, committed.master_salt))
    [passed] = worker.run_once()
    assert passed.outcome == Outcome.PASS and passed.attested
    row = store.get(chain_id, asset)
    assert row is not None and row.scheme == "parts" and row.status == "attested"
    with pytest.raises(SubmissionExists):  # an attested submission stays
        submit(store, chain_id, asset, committed.root, PromptPayload(parts, committed.master_salt))

    single = commit_prompt("a single prompt", creator=CREATOR.address)
    payload = PromptPayload({"prompt": "a single prompt"}, single.salt)
    assert payload.scheme_for(single.commitment, creator=CREATOR.address) == "single"
    with pytest.raises(SubmissionError, match="does not match"):  # the same prompt, another creator
        payload.scheme_for(single.commitment, creator=CREATOR_2.address)


def test_a_checker_without_the_role_is_refused_at_start(client: GenIPClient, engine: Engine) -> None:
    with pytest.raises(MissingRoleError, match="CHECKER_ROLE"):
        Checker(SubmissionStore(engine), client, CREATOR_2, KEY).require_role()
    checker(client, engine).require_role()


def test_check_attest_review_round_trip_and_no_plaintext_in_the_database(
    client: GenIPClient, engine: Engine
) -> None:
    chain_id = client.deployment.chain_id
    prompts = {
        "clean": "a quiet harbour at dawn, watercolour",
        "artist": "a castle at dusk by gr3g rutk0wski",
        "character": "pikachu surfing a wave",
    }
    store = SubmissionStore(engine)
    assets = {}
    for key, prompt in prompts.items():
        committed = commit_parts(
            {"prompt": prompt, "negative_prompt": "blurry, disney"}, creator=CREATOR.address
        )
        assets[key] = register(client, key, committed.root)
        payload = PromptPayload(
            {"prompt": prompt, "negative_prompt": "blurry, disney"}, committed.master_salt
        )
        submit(store, chain_id, assets[key], committed.root, payload)

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
    decided = worker.decide(queue[0].id, Outcome.PASS, DEPLOYER.address, "a fan tribute, no commercial use")
    assert decided.attested and check(assets["character"]).call() == CheckOutcome.PASSED
    assert worker.review_queue() == []

    # Nothing the creators typed is stored in clear, anywhere in the database.
    with engine.connect() as c:
        dump = "\n".join(
            str(row) for table in ("prompt_submissions",) for row in c.execute(text(f"SELECT * FROM {table}"))
        )
    for secret in [*prompts.values(), "watercolour", "rutk0wski", "surfing", "blurry"]:
        assert secret not in dump


def test_a_pass_on_a_derivative_of_a_failed_work_goes_to_review(client: GenIPClient, engine: Engine) -> None:
    """The registry refuses a pass while an ancestor's check failed (`AncestorCheckFailed`): the checker does
    not crash on it, it queues the derivative for a reviewer with that reason."""
    chain_id = client.deployment.chain_id
    store = SubmissionStore(engine)
    parent_prompt, child_prompt = "a castle at dusk by greg rutkowski", "a quiet harbour at dawn, watercolour"
    parent_commit = commit_parts({"prompt": parent_prompt}, creator=CREATOR.address)
    parent = register(client, "failed-parent", parent_commit.root)
    offer = actions.create_offer(client, CREATOR, parent, extended_terms(500), price=10**15).value
    licence = actions.buy_license(
        client, CREATOR_2, offer
    ).value  # bought before the verdict: it keeps working
    child_commit = commit_parts({"prompt": child_prompt}, creator=CREATOR_2.address)
    child_work = Work(
        WorkKind.IMAGE, hashlib.sha256(b"child").digest(), bytes(32), child_commit.root, "bafk-c"
    )
    child = actions.register_derivative(client, CREATOR_2, [licence], child_work).value
    submit(
        store,
        chain_id,
        parent,
        parent_commit.root,
        PromptPayload({"prompt": parent_prompt}, parent_commit.master_salt),
    )
    sealed = seal_submission(
        PromptPayload({"prompt": child_prompt}, child_commit.master_salt),
        KEY.public_key,
        chain_id=chain_id,
        asset_id=child,
        commitment=child_commit.root,
        creator=CREATOR_2,
    )
    store.accept(
        sealed,
        KEY.public_key,
        chain_id=chain_id,
        asset_id=child,
        creator=CREATOR_2.address,
        commitment="0x" + child_commit.root.hex(),
    )

    results = {r.asset_id: r for r in checker(client, engine).run_once()}
    check = client.registry.functions.promptCheck
    assert results[parent].outcome == Outcome.FAIL and check(parent).call() == CheckOutcome.FAILED
    assert results[child].outcome == Outcome.NEEDS_REVIEW and not results[child].attested
    assert check(child).call() == CheckOutcome.UNCHECKED
    queued = [r for r in checker(client, engine).review_queue() if r.asset_id == child]
    assert queued and f"ancestor #{parent} failed" in str((queued[0].report or {}).get("blocked_by"))


def test_the_report_tells_a_lookalike_from_a_name_and_a_description() -> None:
    """A look-alike hit ("pikachoo") is recorded as one, so a reviewer reading the report knows the name was
    a guess, not spelled; a spelled name carries no kind (reports written before kinds read the same)."""
    from genip.checker.policy import default_policy
    from genip.checker.submissions import build_report

    policy = default_policy()
    looks = build_report(1, 7, "0x00", policy.check("pikachoo in a forest, anime"))
    assert [(r["rule"], r.get("kind")) for r in looks["rules"]] == [("character.pikachu", "lookalike")]
    named = build_report(1, 7, "0x00", policy.check("pikachu in a forest, anime"))
    assert [(r["rule"], r.get("kind")) for r in named["rules"]] == [("character.pikachu", None)]
    described = build_report(1, 7, "0x00", policy.check("portrait by the Polish fantasy illustrator"))
    assert described["rules"][0]["kind"] == "semantic" and "pikachoo" not in str(looks)
