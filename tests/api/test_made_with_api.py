"""What a registered file says about how it was made (issue #21), end to end: images built here (C2PA-signed
with a test certificate chain, A1111 parameters naming a registered LoRA by its AutoV2 hash and an unknown
model) are registered through `genip.works` like `genip register` does, indexed into SQLite and Postgres, and
shown by `GET /assets/{id}` (`made_with`) and `POST /match` (`made_with` of the upload).

The module runs its own anvil so that the works it registers do not change what other tests count.
"""

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import skimage.data
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from PIL import Image, PngImagePlugin

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.anvil import Anvil
from genip.chain.types import Work, WorkKind
from genip.content.made_with import read_made_with
from genip.prompts import PromptVault
from genip.works import WorkDescription, prepare_registration, register_draft
from indexer.media import MediaHasher
from tests.api.test_original_download import signed
from tests.api.world import World, build_world
from tests.content.test_made_with import sign_c2pa, test_chain
from tests.helpers import standard_terms
from tests.indexer.conftest import postgres_database

PROMPT = "a fox on a retro poster, warm dawn light"
LORA = b"pretend safetensors of the Retro Poster LoRA" * 100
AUTOV2 = hashlib.sha256(LORA).hexdigest()[:10]
UNKNOWN_MODEL = "0badc0ffee"


def picture(name: str) -> Image.Image:
    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")


def a1111_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        f"{PROMPT}\nNegative prompt: blurry\nSteps: 28, Sampler: Euler a, Seed: 424242, "
        f'Model hash: {UNKNOWN_MODEL}, Model: sdxl_base, Lora hashes: "Retro Poster: {AUTOV2}"',
    )
    out = io.BytesIO()
    picture("coffee").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def signed_jpeg(name: str) -> bytes:
    out = io.BytesIO()
    picture(name).save(out, "JPEG", quality=90)
    return sign_c2pa(out.getvalue(), test_chain("Cleo Studio"))


def register_file(world: World, creator: LocalAccount, data: bytes, name: str, folder: Path) -> int:
    path = folder / name
    path.write_bytes(data)
    draft = prepare_registration(
        path, WorkDescription(kind=WorkKind.IMAGE, title=name, prompt=PROMPT), creator=creator.address
    )
    vault = PromptVault(world.data_dir, creator.address)
    return register_draft(
        world.client, creator, draft, store=world.store, vault=vault, originals=world.originals
    ).asset_id


@dataclass
class MadeWorld:
    clients: dict[str, TestClient]
    lora: int
    poster: int  # A1111 PNG naming the LoRA
    credentialed: int  # C2PA-signed JPEG
    tampered: int  # C2PA-signed JPEG with one byte changed after signing
    plain: int  # an image that says nothing
    tampered_bytes: bytes
    world: World
    licence: int  # the brand's licence on `credentialed`


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MadeWorld]:
    folder = tmp_path_factory.mktemp("made-with-files")
    with Anvil() as node:
        world = build_world(node, tmp_path_factory.mktemp("made-with-world"))
        a = world.actors
        lora = actions.register(
            world.client,
            a.bob,
            Work(WorkKind.MODEL, hashlib.sha256(LORA).digest(), bytes(32), b"\x03" * 32, "bafylora"),
        ).value
        poster = register_file(world, a.alice, a1111_png(), "poster.png", folder)
        credentialed = register_file(world, a.alice, signed_jpeg("astronaut"), "astronaut.jpg", folder)
        offer = actions.create_offer(
            world.client, a.alice, credentialed, standard_terms(), price=10**15
        ).value
        licence = actions.buy_license(world.client, a.brand, offer).value
        tampered_bytes = bytearray(signed_jpeg("chelsea"))
        tampered_bytes[-200] ^= 0x10  # inside the image data, after signing: the binding no longer holds
        tampered = register_file(world, a.alice, bytes(tampered_bytes), "chelsea.jpg", folder)
        out = io.BytesIO()
        picture("rocket").save(out, "PNG")
        plain = register_file(world, a.alice, out.getvalue(), "rocket.png", folder)
        sqlite = f"sqlite:///{world.data_dir / 'made.db'}"
        read_media(world, sqlite)
        for postgres in postgres_database():
            read_media(world, postgres)
            with (
                TestClient(create_app(ApiSettings(data_dir=world.data_dir, database_url=sqlite))) as c1,
                TestClient(create_app(ApiSettings(data_dir=world.data_dir, database_url=postgres))) as c2,
            ):
                yield MadeWorld(
                    {"sqlite": c1, "postgres": c2},
                    lora,
                    poster,
                    credentialed,
                    tampered,
                    plain,
                    bytes(tampered_bytes),
                    world,
                    licence,
                )


def read_media(world: World, url: str) -> None:
    """Indexes the world into `url` and runs the indexer's media step once over it, as `genip index` does:
    `made_with` is then read from the registered files (`tests/api/test_made_with_file.py` has the claims
    before that, and claims the files do not bear out)."""
    engine = world.index(url)
    keyring = world.originals.keyring
    MediaHasher(engine, world.deployment.chain_id, world.store, keyring=keyring, batch=10_000).fill()
    engine.dispose()


def detail(client: TestClient, asset_id: int) -> dict[str, Any]:
    response = client.get(f"/assets/{asset_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a1111_resources_are_shown_and_looked_up_never_the_prompt(made: MadeWorld, backend: str) -> None:
    response = made.clients[backend].get(f"/assets/{made.poster}")
    assert PROMPT not in response.text and "blurry" not in response.text and "424242" not in response.text
    mw = response.json()["made_with"]
    (g,) = mw["generation"]
    assert g["tool"] == "A1111" and g["prompt_in_file"] is True and g["steps"] == 28
    by_kind = {r["kind"]: r for r in g["resources"]}
    assert by_kind["lora"] == {
        "kind": "lora",
        "name": "Retro Poster",
        "hash": AUTOV2,
        "registered": [made.lora],
    }
    assert by_kind["checkpoint"]["registered"] == []
    assert f"checkpoint sdxl_base (hash {UNKNOWN_MODEL}) is not registered here" in mw["notes"]
    assert mw["summary"].startswith(
        "made with sdxl_base and LoRA 'Retro Poster', in A1111; the file carries its prompt in clear"
    )
    assert mw["c2pa"] is None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_content_credentials_valid_but_untrusted(made: MadeWorld, backend: str) -> None:
    mw = detail(made.clients[backend], made.credentialed)["made_with"]
    c = mw["c2pa"]
    assert c["state"] == "valid" and c["signature_valid"] is True and c["binding_matches"] is True
    assert c["trusted"] is False and c["signer"] == "Cleo Studio" and c["actions"][0] == "c2pa.created"
    assert c["ingredients"] == ["sketch.jpg"]
    assert "(AI-generated) signed by Cleo Studio (Gen-IP Test), not a trusted issuer, valid" in mw["summary"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_broken_binding_is_shown_and_did_not_block_registration(made: MadeWorld, backend: str) -> None:
    body = detail(made.clients[backend], made.tampered)
    c = body["made_with"]["c2pa"]
    assert c["binding_matches"] is False and "assertion.dataHash.mismatch" in c["failures"]
    assert body["made_with"]["summary"].endswith("binding does not match the file")
    assert body["metadata_status"] == "ok"  # registered and indexed like any other work


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_file_that_says_nothing_has_no_made_with(made: MadeWorld, backend: str) -> None:
    body = detail(made.clients[backend], made.plain)
    assert body["made_with"] is None and "madeWith" not in json.dumps(body["metadata"])


def test_match_reports_the_uploads_credentials(made: MadeWorld) -> None:
    client = made.clients["sqlite"]
    response = client.post("/match", files={"image": ("x.jpg", made.tampered_bytes, "image/jpeg")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["candidates"][0]["asset_id"] == made.tampered
    assert body["made_with"]["c2pa"]["state"] == "binding does not match the file"
    response = client.post("/match", files={"image": ("p.png", a1111_png(), "image/png")})
    assert response.status_code == 200, response.text
    assert PROMPT not in response.text
    lora = response.json()["made_with"]["generation"][0]["resources"]
    assert {"kind": "lora", "name": "Retro Poster", "hash": AUTOV2, "registered": [made.lora]} in lora


def test_match_of_a_plain_upload_has_no_made_with(made: MadeWorld) -> None:
    out = io.BytesIO()
    picture("rocket").save(out, "JPEG")
    response = made.clients["sqlite"].post("/match", files={"image": ("r.jpg", out.getvalue(), "image/jpeg")})
    assert response.status_code == 200, response.text
    assert response.json()["made_with"] is None


# --- part 3: the delivered original carries content credentials ---------------------------------------


def download(made: MadeWorld, backend: str, who: LocalAccount, **params: str) -> Any:
    chain_id = made.world.deployment.chain_id
    return made.clients[backend].get(
        f"/works/{made.credentialed}/original",
        params=params,
        headers=signed(who, made.credentialed, chain_id),
    )


def manifest_of(data: bytes) -> dict[str, Any]:
    import c2pa  # type: ignore[import-untyped]

    with c2pa.Reader("image/jpeg", io.BytesIO(data)) as reader:
        store: dict[str, Any] = json.loads(reader.json())
    active: dict[str, Any] = store["manifests"][store["active_manifest"]]
    return active


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_licence_holder_receives_the_original_with_gen_ip_credentials(
    made: MadeWorld, backend: str
) -> None:
    brand = made.world.actors.brand
    response = download(made, backend, brand, credentials="true")
    assert response.status_code == 200, response.text
    data = response.content
    committed = response.headers["X-Content-SHA256"]
    assert response.headers["X-Genip-Credentials"] == "c2pa"
    assert response.headers["X-Delivered-SHA256"] == hashlib.sha256(data).hexdigest()
    assert "0x" + hashlib.sha256(data).hexdigest() != committed  # the manifest is inside the delivered bytes
    assertions = {a["label"]: a["data"] for a in manifest_of(data)["assertions"]}
    certificate, licence = assertions["org.genip.certificate"], assertions["org.genip.licence"]
    assert certificate["tokenId"] == made.credentialed and certificate["contentSha256"] == committed
    assert certificate["chainId"] == made.world.deployment.chain_id
    assert certificate["contract"] == made.world.deployment.registry
    assert licence["licenceId"] == made.licence and licence["holder"] == brand.address
    assert licence["termsHash"].startswith("0x") and licence["expiresAt"] == 0  # perpetual
    opened = assertions["c2pa.actions.v2"]["actions"][0]
    assert opened["action"] == "c2pa.opened" and opened["digitalSourceType"].endswith(
        "trainedAlgorithmicMedia"
    )
    facts = read_made_with(data)  # c2pa-python validates it: signature and hard binding hold
    assert facts.c2pa is not None and facts.c2pa.state == "valid" and facts.c2pa.claim_generator == "Gen-IP 1"
    assert facts.c2pa.trusted is False  # the demo chain is self-signed ...
    chain = (made.world.data_dir / "c2pa" / "chain.pem").read_text()
    root = chain[chain.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----") :].strip()
    trusted = read_made_with(data, trust_anchors=root)
    assert trusted.c2pa is not None and trusted.c2pa.trusted  # ... and trusted by whoever trusts its root
    assert [i.title for i in facts.c2pa.ingredients] == ["astronaut.jpg"]  # the creator's credentials within


def test_without_the_parameter_the_original_is_the_committed_bytes(made: MadeWorld) -> None:
    response = download(made, "sqlite", made.world.actors.alice)
    assert response.status_code == 200, response.text
    assert "0x" + hashlib.sha256(response.content).hexdigest() == response.headers["X-Content-SHA256"]
    assert "X-Genip-Credentials" not in response.headers
    owner = download(made, "sqlite", made.world.actors.alice, credentials="true")
    assert "org.genip.licence" not in {a["label"] for a in manifest_of(owner.content)["assertions"]}
