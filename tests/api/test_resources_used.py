"""Resources found become lineage, the API's side (issue #21 part 2), on SQLite and Postgres: `POST /uploads`
answers `resources_used` (a LoRA by its AutoV2 hash, a workflow by its canonical hash, a prompt-kind work by
its text, each with its offers that license derivatives) and notes on unknown or ambiguous ones; `POST
/metadata` records `not_derived_from` (and refuses bad declarations with a 4xx); `GET /resources/prompts` is
the k-anonymity prompt lookup; `GET /config` says which kinds a generation offer may be made on.

The module runs its own anvil so that its works change nothing other tests count."""

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, PngImagePlugin

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from genip.chain.deployment import write_deployment
from genip.chain.types import Work, WorkKind
from genip.content.canonical import canonical_json
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.resources import PROMPT_PREFIX_DIGITS, prompt_hashes, prompt_matches
from genip.terms import extended_terms, generation_terms, standard_terms
from indexer.config import IndexerConfig
from indexer.runner import Indexer
from tests.api.upload_auth import signed_upload
from tests.helpers import BRAND, CREATOR, DEPLOYER, TREASURY
from tests.indexer.conftest import postgres_database

LORA = hashlib.sha256(b"the Retro Poster LoRA, safetensors bytes").hexdigest()
PROMPT = "a fox on a retro poster, warm dawn light"
WORKFLOW = {"nodes": [{"id": 1, "type": "LoraLoader", "widgets_values": ["retro.safetensors", 1, 1]}],
            "links": []}  # fmt: skip
WORKFLOW_HASH = hashlib.sha256(canonical_json(WORKFLOW)).hexdigest()
TWIN = "5eed5eed5e"  # two models share this AutoV2 prefix
REGISTERED_PROMPT = hashlib.sha256((PROMPT + "\n").encode()).hexdigest()


@dataclass
class ResourceWorld:
    clients: dict[str, TestClient]
    chain_id: int
    lora: int
    prompt: int
    workflow: int
    generation_offer: int
    extended_offer: int


def _work(kind: WorkKind, sha256_hex: str, seed: int) -> Work:
    return Work(kind, bytes.fromhex(sha256_hex), bytes(32), bytes([seed]) * 32, f"bafyres{seed}")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ResourceWorld]:
    data_dir = tmp_path_factory.mktemp("resources-world")
    with Anvil() as node:
        w3 = connect(node.rpc_url)
        deployment = deploy(
            w3, DEPLOYER, rpc_url=node.rpc_url, fee_bps=250, fee_recipient=TREASURY.address, demo_token=True
        )
        write_deployment(deployment, data_dir / "deployments")
        client = GenIPClient.open(deployment, w3=w3)
        lora = actions.register(client, CREATOR, _work(WorkKind.MODEL, LORA, 1)).value
        prompt = actions.register(
            client, CREATOR, _work(WorkKind.PROMPT, hashlib.sha256((PROMPT + "\n").encode()).hexdigest(), 2)
        ).value
        workflow = actions.register(client, CREATOR, _work(WorkKind.WORKFLOW, WORKFLOW_HASH, 3)).value
        for seed, tail in ((4, "a"), (5, "b")):
            actions.register(client, BRAND, _work(WorkKind.MODEL, TWIN + tail * 54, seed))
        # A second prompt-kind work with the same 4-digit prefix, first by hash: the route's cap bites on it.
        actions.register(client, BRAND, _work(WorkKind.PROMPT, REGISTERED_PROMPT[:4] + "0" * 60, 6))
        actions.create_offer(client, CREATOR, lora, standard_terms(), price=1)
        extended = actions.create_offer(client, CREATOR, lora, extended_terms(), price=10**15).value
        generation = actions.create_offer(
            client, CREATOR, lora, generation_terms(rev_share_bps=2_000), price=10**16, duration=86_400
        ).value
        urls = {"sqlite": f"sqlite:///{data_dir / 'res.db'}"}
        for postgres in postgres_database():
            urls["postgres"] = postgres
            for url in urls.values():
                engine = make_engine(url)
                upgrade(engine)
                Indexer(engine, IndexerConfig.from_deployment(deployment)).run(once=True)
                engine.dispose()
            apps = {
                backend: TestClient(create_app(ApiSettings(data_dir=data_dir, database_url=url)))
                for backend, url in urls.items()
            }
            for api in apps.values():
                api.__enter__()
            try:
                yield ResourceWorld(apps, deployment.chain_id, lora, prompt, workflow, generation, extended)
            finally:
                for api in apps.values():
                    api.__exit__(None, None, None)


def png(**chunks: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, text in chunks.items():
        info.add_text(key, text)
    out = io.BytesIO()
    Image.effect_mandelbrot((96, 96), (-2, -1.5, 1, 1.5), 60).convert("RGB").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def upload(world: ResourceWorld, backend: str, data: bytes) -> dict[str, Any]:
    response = world.clients[backend].post(
        "/uploads",
        files={"file": ("work.png", data, "image/png")},
        data={"kind": "image"},
        headers=signed_upload(world.chain_id, data),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_upload_naming_a_lora_a_workflow_and_a_prompt_lists_them_with_their_offers(
    world: ResourceWorld, backend: str
) -> None:
    parameters = (
        f"{PROMPT}\nNegative prompt: blurry\nSteps: 20, Sampler: Euler, Seed: 5, "
        f'Lora hashes: "Retro Poster: {LORA[:10]}, Twin: {TWIN}, Lost: 0123456789"'
    )
    body = upload(world, backend, png(parameters=parameters, workflow=json.dumps(WORKFLOW, indent=1)))
    assert PROMPT not in json.dumps(body)
    used = {u["asset_id"]: u for u in body["resources_used"]}
    assert set(used) == {world.lora, world.workflow, world.prompt}
    lora = used[world.lora]
    assert {k: lora[k] for k in ("kind", "creator", "owner", "named_as", "matched_by", "hash")} == {
        "kind": "model",
        "creator": CREATOR.address,
        "owner": CREATOR.address,
        "named_as": "LoRA 'Retro Poster'",
        "matched_by": "sha256",
        "hash": "0x" + LORA,
    }
    assert lora["offers"] == [
        {"offer_id": world.generation_offer, "tier": "generation", "price": str(10**16),
         "currency": "0x" + "00" * 20, "duration": 86_400, "rev_share_bps": 2_000},
        {"offer_id": world.extended_offer, "tier": "extended", "price": str(10**15),
         "currency": "0x" + "00" * 20, "duration": 0, "rev_share_bps": 1_000},
    ]  # fmt: skip  # the standard offer licenses no derivatives
    assert used[world.workflow]["matched_by"] == "workflow" and used[world.workflow]["kind"] == "workflow"
    assert (
        used[world.prompt]["matched_by"] == "prompt"
        and used[world.prompt]["named_as"] == "the embedded prompt"
    )
    notes = "\n".join(body["resource_notes"])
    assert f"LoRA 'Twin': hash {TWIN} is ambiguous" in notes and "none is proposed" in notes
    assert "LoRA 'Lost' (hash 0123456789) is not registered here" in notes


def test_an_upload_that_names_nothing_has_no_resources(world: ResourceWorld) -> None:
    body = upload(world, "sqlite", png())
    assert body["resources_used"] == [] and body["resource_notes"] == []


def test_not_derived_from_is_written_into_the_metadata_and_bad_declarations_are_refused(
    world: ResourceWorld,
) -> None:
    api = world.clients["sqlite"]
    cid = upload(world, "sqlite", png(parameters=f'x\nSteps: 1, Lora hashes: "R: {LORA[:10]}"'))["cid"]
    base = {"content_cid": cid, "name": "Mine", "prompt_commitment": "0x" + "07" * 32}
    declared = [{"asset_id": world.lora, "reason": "my own LoRA of the same name"}]
    response = api.post("/metadata", json=base | {"not_derived_from": declared})
    assert response.status_code == 200, response.text
    genip = response.json()["metadata"]["genip"]
    assert genip["declaredNotDerivedFrom"] == [
        {"assetId": world.lora, "reason": "my own LoRA of the same name"}
    ]
    assert genip["madeWith"]["generation"][0]["resources"][0]["hash"] == LORA[:10]  # the upload's facts
    for bad, status in (
        ([{"asset_id": world.lora, "reason": ""}], 422),
        ([{"asset_id": world.lora, "reason": "x" * 281}], 422),
        ([{"asset_id": 0, "reason": "r"}], 422),
        ([{"asset_id": i, "reason": "r"} for i in range(1, 18)], 422),
        ([{"asset_id": world.lora, "reason": "   "}], 400),
        ([{"asset_id": world.lora, "reason": "a"}, {"asset_id": world.lora, "reason": "b"}], 400),
    ):
        response = api.post("/metadata", json=base | {"not_derived_from": bad})
        assert response.status_code == status, (bad, response.text)
        assert "detail" in response.json()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_k_anonymity_prompt_lookup(world: ResourceWorld, backend: str) -> None:
    api = world.clients[backend]
    candidates = prompt_hashes(f"{PROMPT}\nSteps: 20")
    registered = hashlib.sha256((PROMPT + "\n").encode()).hexdigest()
    response = api.get("/resources/prompts", params={"prefix": registered[:PROMPT_PREFIX_DIGITS].upper()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["prefix"] == registered[:4] and body["as_of_block"] > 0
    assert prompt_matches(candidates, body["content_hashes"]) == ["0x" + registered]
    # The works come as resources, exactly as `POST /uploads` lists the same prompt (one rule: the page keeps
    # the work whose hash its prompt's is, with the offers as given).
    (work,) = [w for w in body["works"] if w["hash"] == "0x" + registered]
    named = upload(world, backend, png(parameters=f"{PROMPT}\nSteps: 20"))["resources_used"]
    (same,) = [r for r in named if r["asset_id"] == world.prompt]
    assert work == same
    for bad in ("abc", "abcde", "wxyz"):
        assert api.get("/resources/prompts", params={"prefix": bad}).status_code == 422


def test_the_prompt_lookup_answers_at_most_the_cap(
    world: ResourceWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.routes.uploads as route

    api = world.clients["sqlite"]
    prefix = REGISTERED_PROMPT[:PROMPT_PREFIX_DIGITS]
    assert len(api.get("/resources/prompts", params={"prefix": prefix}).json()["content_hashes"]) == 2
    monkeypatch.setattr(route, "MAX_PROMPTS_ANSWERED", 1)
    body = api.get("/resources/prompts", params={"prefix": prefix}).json()
    assert body["content_hashes"] == ["0x" + prefix + "0" * 60]  # the first by hash only
    described = api.get("/openapi.json").json()["paths"]["/resources/prompts"]["get"]["description"]
    assert "At most 100 works are answered" in described


def test_config_says_generation_offers_are_for_resources(world: ResourceWorld) -> None:
    terms = world.clients["sqlite"].get("/config").json()["terms"]
    assert terms["generation"]["kinds"] == ["model", "workflow", "prompt"]
    assert terms["generation"]["value"] == 2 and terms["generation"]["derivatives_allowed"] is True
    assert terms["extended"]["kinds"] == ["image", "text", "model", "workflow", "prompt", "other"]
