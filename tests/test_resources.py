"""`genip.resources`: which registered works a file names as resources, on SQLite and Postgres.

Real files (PNGs with A1111 `parameters` and ComfyUI `workflow`/`prompt` chunks) are read; the indexed rows
are written directly (the lookup reads only `assets`, `offers`, `terms` and `chain_params`). The chain flow
(licences bought, revenue reaching the LoRA maker) is `tests/cli/test_resources_lineage.py`."""

import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import Engine, insert

from genip.content.canonical import canonical_json
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.resources import (
    PROMPT_PREFIX_DIGITS,
    look_up,
    named_in,
    prompt_hashes,
    prompt_matches,
    prompts_with_prefix,
)
from tests.indexer.conftest import postgres_database

OWNER = "0x" + "0a" * 20
OTHER = "0x" + "0b" * 20
ZERO = "0x" + "00" * 20
T = 1_000_000

LORA = hashlib.sha256(b"the Retro Poster LoRA").hexdigest()
TWIN_A = "abcdef0123" + "1" * 54  # two models sharing an AutoV2 prefix: ambiguous
TWIN_B = "abcdef0123" + "2" * 54
IMAGE_HASH = "fedcba9876" + "3" * 54  # an image whose content hash an A1111 "model hash" happens to start
PROMPT = "a fox on a retro poster, warm dawn light"
OTHER_PROMPT = "a cat in studio light"
PROMPT_WORK = hashlib.sha256((PROMPT + "\n").encode()).hexdigest()  # saved as a file with a final newline
WORKFLOW = {"nodes": [{"id": 1, "type": "LoraLoader", "widgets_values": ["retro.safetensors", 1, 1]}],
            "links": [], "extra": {"ds": {"offset": [0, 0], "scale": 1}}}  # fmt: skip
WORKFLOW_HASH = hashlib.sha256(canonical_json(WORKFLOW)).hexdigest()
# Addnet hashes as the indexer's media step stores them (`file_facts`), for models 7-11 and image 9.
ADDNET_LORA = hashlib.sha256(b"tensors of the Neon LoRA").hexdigest()  # model 7
STALE = hashlib.sha256(b"tensors of a LoRA a reorg replaced").hexdigest()  # model 8, row of old content
ON_IMAGE = hashlib.sha256(b"an image row with an addnet hash").hexdigest()  # image 9
TWIN_ADDNET = "5eed5eed5eed" + "4" * 52  # model 10's addnet hash starts model 11's content sha256
HIDDEN = "c0ffee0000"  # images 12-14 (lower ids) and model 15 share this AutoV2 prefix
CROWDED = "d00d000000"  # images 16-17 and models 18-19 share this one: the models are ambiguous
TENSORS = hashlib.sha256(b"tensors of the Ink LoRA").hexdigest()  # addnet hash of model 20 and copies 21, 22


def _asset(asset_id: int, kind: str, content: str, *, title: str, owner: str = OWNER) -> dict[str, Any]:
    return {
        "chain_id": 1,
        "asset_id": asset_id,
        "creator": owner,
        "owner": owner,
        "registrar": owner,
        "kind": kind,
        "content_hash": "0x" + content,
        "perceptual_hash": "0x" + "00" * 32,
        "prompt_commitment": "0x" + "07" * 32,
        "metadata_cid": "bafy",
        "block_number": 1,
        "tx_hash": "0x" + "00" * 32,
        "registered_at": 0,
        "title": title,
    }


def _terms(terms_id: int, tier: str, derivatives: bool, share: int) -> dict[str, Any]:
    return {
        "chain_id": 1,
        "terms_id": terms_id,
        "terms_hash": "0x" + f"{terms_id:064x}",
        "tier": tier,
        "commercial_use": True,
        "derivatives_allowed": derivatives,
        "transferable": False,
        "rev_share_bps": share,
        "document_hash": "0x" + "00" * 32,
        "document_uri": "ipfs://x",
    }


def _offer(offer_id: int, asset_id: int, terms: dict[str, Any], price: int, **extra: Any) -> dict[str, Any]:
    return {
        "chain_id": 1,
        "offer_id": offer_id,
        "asset_id": asset_id,
        "terms_id": terms["terms_id"],
        "tier": terms["tier"],
        "currency": ZERO,
        "price": price,
        "duration": 0,
        "supply_cap": 0,
        "sold": 0,
        "paused": False,
        "creator": OWNER,
        "block_number": 1,
    } | extra


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('res') / 'res.db'}"])
    else:
        urls = postgres_database()
    for url in urls:
        engine = make_engine(url)
        upgrade(engine)
        standard, extended = _terms(1, "standard", False, 0), _terms(2, "extended", True, 1_000)
        generation, cheap_generation = (
            _terms(3, "generation", True, 1_500),
            _terms(4, "generation", True, 500),
        )
        with engine.begin() as c:
            c.execute(
                insert(models.Asset),
                [
                    _asset(1, "model", LORA, title="Retro Poster"),
                    _asset(2, "model", TWIN_A, title="Twin A"),
                    _asset(3, "model", TWIN_B, title="Twin B"),
                    _asset(4, "image", IMAGE_HASH, title="Some image"),
                    _asset(5, "prompt", PROMPT_WORK, title="Fox prompt", owner=OTHER),
                    _asset(6, "workflow", WORKFLOW_HASH, title="Retro flow"),
                    _asset(7, "model", "71" * 32, title="Neon"),
                    _asset(8, "model", "81" * 32, title="Replaced"),
                    _asset(9, "image", "91" * 32, title="Not a model"),
                    _asset(10, "model", "a1" * 32, title="Addnet twin"),
                    _asset(11, "model", "5eed5eed5eed" + "b" * 52, title="Content twin"),
                    *(_asset(i, "image", HIDDEN + f"{i:054x}", title="Poster") for i in (12, 13, 14)),
                    _asset(15, "model", HIDDEN + "f" * 54, title="Hidden LoRA"),
                    *(_asset(i, "image", CROWDED + f"{i:054x}", title="Poster") for i in (16, 17)),
                    *(_asset(i, "model", CROWDED + f"{i:054x}", title="Crowded") for i in (18, 19)),
                    _asset(20, "model", "20" * 32, title="Ink"),
                    _asset(21, "model", "21" * 32, title="Ink (header edited)") | {"block_number": 2},
                    _asset(22, "model", "22" * 32, title="Ink again", owner=OTHER) | {"block_number": 3},
                ],
            )
            c.execute(
                insert(models.FileFacts),
                [
                    {
                        "chain_id": 1,
                        "asset_id": 7,
                        "content_hash": "0x" + "71" * 32,
                        "addnet_hash": ADDNET_LORA,
                    },
                    {"chain_id": 1, "asset_id": 8, "content_hash": "0x" + "80" * 32, "addnet_hash": STALE},
                    {"chain_id": 1, "asset_id": 9, "content_hash": "0x" + "91" * 32, "addnet_hash": ON_IMAGE},
                    {
                        "chain_id": 1,
                        "asset_id": 10,
                        "content_hash": "0x" + "a1" * 32,
                        "addnet_hash": TWIN_ADDNET,
                    },
                    *(
                        {
                            "chain_id": 1,
                            "asset_id": i,
                            "content_hash": "0x" + f"{i}" * 32,
                            "addnet_hash": TENSORS,
                        }
                        for i in (20, 21, 22)
                    ),
                ],
            )
            c.execute(insert(models.Terms), [standard, extended, generation, cheap_generation])
            c.execute(
                insert(models.Offer),
                [
                    _offer(1, 1, standard, 10),  # licenses no derivatives: not listed
                    _offer(2, 1, extended, 5),  # cheapest, but extended comes after generation
                    _offer(3, 1, generation, 300),
                    _offer(4, 1, cheap_generation, 200),
                    _offer(5, 1, cheap_generation, 1, paused=True),  # not purchasable
                    _offer(6, 1, generation, 2, creator=OTHER),  # lapsed: its seller no longer owns it
                ],
            )
        yield engine
        engine.dispose()


def png(**chunks: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, text in chunks.items():
        info.add_text(key, text)
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 120, 40)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def a1111(prompt: str = PROMPT, **hashes: str) -> str:
    extra = "".join(f", {k}: {v}" for k, v in hashes.items())
    return f"{prompt}\nNegative prompt: blurry\nSteps: 28, Sampler: Euler a, Seed: 42{extra}"


def test_a_lora_named_by_its_autov2_hash_is_found_with_its_derivative_offers(engine: Engine) -> None:
    data = png(parameters=a1111(OTHER_PROMPT, **{"Lora hashes": f'"Retro Poster: {LORA[:10]}"'}))
    named = named_in(data)
    assert [(n.kind, n.name, n.matched_by) for n in named if n.matched_by == "sha256"] == [
        ("lora", "Retro Poster", "sha256")
    ]
    with engine.connect() as c:
        found = look_up(c, 1, named, timestamp=T)
    (used,) = found.used
    assert (used.asset_id, used.kind, used.title, used.named_as, used.matched_by, used.hash) == (
        1, "model", "Retro Poster", "LoRA 'Retro Poster'", "sha256", "0x" + LORA,
    )  # fmt: skip
    # Generation before extended, cheapest first; standard, paused and lapsed offers are left out.
    assert [(o.offer_id, o.tier, o.price, o.rev_share_bps) for o in used.offers] == [
        (4, "generation", 200, 500),
        (3, "generation", 300, 1_500),
        (2, "extended", 5, 1_000),
    ]
    assert "the embedded prompt is not a registered prompt-kind work" in found.notes
    assert OTHER_PROMPT not in repr(named) and OTHER_PROMPT not in repr(found)


def test_a_full_sha256_in_civitai_hashes_matches_too(engine: Engine) -> None:
    data = png(parameters=a1111(OTHER_PROMPT, Hashes=json.dumps({"lora:Retro Poster": LORA})))
    with engine.connect() as c:
        found = look_up(c, 1, named_in(data), timestamp=T)
    assert [u.asset_id for u in found.used] == [1]


def test_ambiguous_unknown_addnet_and_non_model_hashes_are_notes_never_proposals(engine: Engine) -> None:
    parameters = a1111(
        OTHER_PROMPT,
        **{
            "Model hash": IMAGE_HASH[:10],
            "Model": "not_a_model",
            "Lora hashes": f'"Twin: {TWIN_A[:10]}, Lost: 0123456789, Addnet: 0123456789ab"',
        },
    )
    with engine.connect() as c:
        found = look_up(c, 1, named_in(png(parameters=parameters)), timestamp=T)
    assert found.used == ()
    notes = "\n".join(found.notes)
    assert "LoRA 'Twin': hash abcdef0123 is ambiguous" in notes and "(assets 2, 3)" in notes
    assert "none is proposed" in notes
    assert "LoRA 'Lost' (hash 0123456789) is not registered here" in notes
    assert "LoRA 'Addnet' (hash 0123456789ab) is not registered here" in notes
    assert "model 'not_a_model' (hash fedcba9876) matches asset 4 (image), not a model: not proposed" in notes


def test_a1111_lora_hashes_match_the_addnet_hash_the_indexer_computed(engine: Engine) -> None:
    """A1111 writes 12 digits of the addnet hash; only `file_facts` rows (computed by the indexer from the
    verified original) are matched, only for model-kind works, only while their content is current."""
    named = {"Neon": ADDNET_LORA, "Replaced": STALE, "Picture": ON_IMAGE, "Twin": TWIN_ADDNET}
    lora_hashes = '"' + ", ".join(f"{name}: {digest[:12]}" for name, digest in named.items()) + '"'
    data = png(parameters=a1111(OTHER_PROMPT, **{"Lora hashes": lora_hashes}))
    with engine.connect() as c:
        found = look_up(c, 1, named_in(data), timestamp=T)
        ten = look_up(
            c,
            1,
            named_in(png(parameters=a1111(OTHER_PROMPT, **{"Lora hashes": f'"N: {ADDNET_LORA[:10]}"'}))),
            timestamp=T,
        )
    (used,) = found.used
    assert (used.asset_id, used.matched_by, used.named_as, used.hash) == (
        7,
        "addnet",
        "LoRA 'Neon'",
        "0x" + "71" * 32,
    )
    notes = "\n".join(found.notes)
    assert f"LoRA 'Replaced' (hash {STALE[:12]}) is not registered here" in notes  # a reorg replaced it
    assert f"LoRA 'Picture' (hash {ON_IMAGE[:12]}) is not registered here" in notes  # not a model
    assert (
        f"LoRA 'Twin': hash {TWIN_ADDNET[:12]} is ambiguous, it starts the content or addnet hash of several "
        "registered models (assets 10, 11)" in notes
    )
    # Fewer than 12 digits are a sha256 prefix only (AutoV2): the addnet hash is not searched.
    assert ten.used == () and f"(hash {ADDNET_LORA[:10]}) is not registered here" in "\n".join(ten.notes)


def test_a_conflicting_file_keeps_its_note(engine: Engine) -> None:
    parameters = a1111(OTHER_PROMPT, **{"Model": "sdxl_base", "Lora hashes": f'"Retro Poster: {LORA[:10]}"'})
    comfy = {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "flux_dev.safetensors"}}}
    data = png(parameters=parameters, prompt=json.dumps(comfy))
    from genip.content.made_with import read_made_with

    facts = read_made_with(data)
    with engine.connect() as c:
        found = look_up(c, 1, named_in(data, facts), timestamp=T, notes=facts.notes)
    assert [u.asset_id for u in found.used] == [1]  # evidence: the LoRA is still found
    assert any(n.startswith("conflicting generation metadata") for n in found.notes)


def test_a_workflow_is_matched_by_its_canonical_hash_exactly(engine: Engine) -> None:
    reordered = json.dumps(WORKFLOW, indent=2, sort_keys=False)  # other serialisation, same document
    moved = json.loads(reordered)
    moved["extra"]["ds"]["offset"] = [10, 0]  # the user panned the canvas: another document
    with engine.connect() as c:
        found = look_up(c, 1, named_in(png(workflow=reordered)), timestamp=T)
        other = look_up(c, 1, named_in(png(workflow=json.dumps(moved))), timestamp=T)
    (used,) = found.used
    assert (used.asset_id, used.matched_by, used.named_as) == (
        6,
        "workflow",
        "the embedded workflow ('Retro flow')",
    )
    assert other.used == () and any("the embedded workflow" in n for n in other.notes)


def test_a_prompt_work_is_matched_by_its_text_never_sent_or_kept(engine: Engine) -> None:
    data = png(parameters=a1111())
    with engine.connect() as c:
        found = look_up(c, 1, named_in(data), timestamp=T)
    (used,) = found.used
    assert (used.asset_id, used.kind, used.matched_by, used.owner) == (5, "prompt", "prompt", OTHER)
    assert PROMPT not in repr(found) and PROMPT not in "".join(found.notes)
    # The k-anonymity lookup: only a 4-hex-digit prefix leaves the client; it compares locally.
    candidates = prompt_hashes(a1111())
    prefix = candidates[-1][:PROMPT_PREFIX_DIGITS]
    with engine.connect() as c:
        answered = prompts_with_prefix(c, 1, prefix)
    assert prompt_matches(candidates, answered) == ["0x" + PROMPT_WORK]
    assert prompt_matches(prompt_hashes(a1111("another prompt")), answered) == []


def test_a_file_without_generation_metadata_names_nothing() -> None:
    assert named_in(png()) == ()
    assert named_in(b"not an image at all") == ()


def test_the_kind_is_filtered_before_the_limit(engine: Engine) -> None:
    """Three lower-id images sharing an AutoV2 prefix do not hide the model; two images and two models are
    still two models, so ambiguous."""
    hidden = png(parameters=a1111(OTHER_PROMPT, **{"Lora hashes": f'"Hidden: {HIDDEN}"'}))
    crowded = png(parameters=a1111(OTHER_PROMPT, **{"Lora hashes": f'"Crowded: {CROWDED}"'}))
    with engine.connect() as c:
        found = look_up(c, 1, named_in(hidden), timestamp=T)
        other = look_up(c, 1, named_in(crowded), timestamp=T)
        every_chain = look_up(c, None, named_in(hidden), timestamp=T)
    assert [u.asset_id for u in found.used] == [15] == [u.asset_id for u in every_chain.used]
    assert other.used == ()
    assert f"LoRA 'Crowded': hash {CROWDED} is ambiguous" in "\n".join(other.notes)
    assert "(assets 18, 19)" in "\n".join(other.notes)


def test_a_copy_with_the_same_tensors_neither_takes_over_nor_blocks_the_earliest(engine: Engine) -> None:
    """Models 21 and 22 have model 20's exact addnet hash (a copy with an edited header has a new sha256):
    the earliest registration owns it, by addnet hash or by the copy's own file hash."""
    by_addnet = png(parameters=a1111(OTHER_PROMPT, **{"Lora hashes": f'"Ink: {TENSORS[:12]}"'}))
    by_copy = png(parameters=a1111(OTHER_PROMPT, **{"Lora hashes": f'"Ink: {"21" * 5}"'}))
    with engine.connect() as c:
        found = look_up(c, 1, named_in(by_addnet), timestamp=T)
        copied = look_up(c, 1, named_in(by_copy), timestamp=T)
    for lookup in (found, copied):
        (used,) = lookup.used
        assert (used.asset_id, used.matched_by, used.hash) == (20, "addnet", "0x" + "20" * 32)
        assert not any("ambiguous" in n for n in lookup.notes)
    notes = "\n".join(found.notes)
    assert "asset 21 has the same tensors as earlier asset 20: a possible copy, not proposed" in notes
    assert "asset 22 has the same tensors as earlier asset 20: a possible copy, not proposed" in notes
    assert "asset 21 has the same tensors as earlier asset 20" in "\n".join(copied.notes)
