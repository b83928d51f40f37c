"""`made_with` from the registered file, not the registrant's word (issue #21): works registered on their own
anvil, indexed into SQLite and Postgres, answered by `GET /assets/{id}` before and after the indexer's media
step read their sealed originals (`indexer.media`, `file_facts`).

* a PNG whose metadata (the registrant's own client) claims Adobe content credentials and a LoRA it does not
  carry: before the media step the claims are shown as claims (`source: claimed`); after, the file's facts
  and a note that the metadata claims what the file does not show;
* a C2PA-signed JPEG whose metadata names another signer: the file's signer is shown, with the note;
* an honest A1111 PNG (registered as `genip register` does): the same facts, now `source: file`, no note;
* a LoRA registered as a safetensors file and an image naming its A1111 addnet hash (12 digits): once the
  media step has computed the LoRA's addnet hash, the image's resource names it (`registered`).
"""

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from PIL import PngImagePlugin

from api.app import create_app
from api.made_with import CLAIMED
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.anvil import Anvil
from genip.chain.types import Work, WorkKind
from genip.content.digest import digest_bytes
from genip.content.made_with import read_made_with
from genip.content.metadata import WorkMetadata
from genip.prompts import PromptVault
from genip.works import WorkDescription, prepare_registration, register_draft
from indexer.media import MediaHasher
from tests.api.test_made_with_api import picture, register_file, signed_jpeg
from tests.api.world import World, build_world
from tests.indexer.conftest import postgres_database
from tests.indexer.test_media import addnet_of, safetensors

FORGED = {
    "notes": [],
    "c2pa": {
        "claimGenerator": "Adobe Firefly",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
        "signer": "Adobe",
        "signatureValid": True,
        "bindingMatches": True,
        "trusted": True,
    },
    "generation": [
        {"tool": "ComfyUI", "resources": [{"kind": "lora", "name": "Famous Style", "hash": "feedfacefe"}]}
    ],
}
CLAIMED_C2PA = "content credentials by Adobe Firefly (AI-generated) signed by Adobe, valid"
LORA = safetensors(bytes(range(256)) * 64, title="Neon Nights")
ADDNET = addnet_of(LORA)


def png(parameters: str | None = None, name: str = "rocket") -> bytes:
    info = PngImagePlugin.PngInfo()
    if parameters is not None:
        info.add_text("parameters", parameters)
    out = io.BytesIO()
    picture(name).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def a1111(lora_hash: str) -> str:
    return (
        "neon city at night\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, Seed: 7, "
        f'Lora hashes: "Neon Nights: {lora_hash}"'
    )


def register_claiming(world: World, creator: LocalAccount, body: bytes, made_with: Any, *, seal: bool) -> int:
    """What a registrant's own client can do: Gen-IP metadata for `body`, any `genip.madeWith` it likes."""
    if seal:
        world.originals.seal(body)
    meta = WorkMetadata(
        name="claims",
        kind=WorkKind.IMAGE,
        content=digest_bytes(body),
        media_type="image/png",
        prompt_commitment=b"\x07" * 32,
        made_with=made_with,
    )
    work = Work(
        WorkKind.IMAGE,
        hashlib.sha256(body).digest(),
        bytes(32),
        b"\x07" * 32,
        world.store.put(meta.to_bytes()),
    )
    return actions.register(world.client, creator, work).value


@dataclass
class FileWorld:
    before: dict[str, dict[int, Any]]  # backend -> asset id -> `made_with` before the media step
    clients: dict[str, TestClient]
    forged: int
    misattributed: int
    honest: int
    unsealed: int
    lora: int
    neon: int


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileWorld]:
    folder = tmp_path_factory.mktemp("made-with-file")
    with Anvil() as node:
        world = build_world(node, tmp_path_factory.mktemp("made-with-file-world"))
        alice, bob = world.actors.alice, world.actors.bob
        forged = register_claiming(world, alice, png(), FORGED, seal=True)
        signed = signed_jpeg("astronaut")  # really signed by "Cleo Studio"
        claims = read_made_with(signed).to_json()
        claims["c2pa"]["signer"] = "Adobe"
        world.originals.seal(signed)
        meta = WorkMetadata(
            name="misattributed",
            kind=WorkKind.IMAGE,
            content=digest_bytes(signed),
            media_type="image/jpeg",
            prompt_commitment=b"\x07" * 32,
            made_with=claims,
        )
        misattributed = actions.register(
            world.client,
            alice,
            Work(
                WorkKind.IMAGE,
                hashlib.sha256(signed).digest(),
                bytes(32),
                b"\x07" * 32,
                world.store.put(meta.to_bytes()),
            ),
        ).value
        honest = register_file(world, alice, png(a1111("0123456789"), "coffee"), "honest.png", folder)
        unsealed_body = png(a1111("0123456789"), "chelsea")
        unsealed = register_claiming(
            world, alice, unsealed_body, read_made_with(unsealed_body).to_json(), seal=False
        )
        (folder / "neon.safetensors").write_bytes(LORA)
        draft = prepare_registration(
            folder / "neon.safetensors",
            WorkDescription(kind=WorkKind.MODEL, title="Neon Nights"),
            creator=bob.address,
        )
        lora = register_draft(
            world.client,
            bob,
            draft,
            store=world.store,
            vault=PromptVault(world.data_dir, bob.address),
            originals=world.originals,
        ).asset_id
        neon = register_file(world, alice, png(a1111(ADDNET[:12]), "astronaut"), "neon.png", folder)
        ids = (forged, misattributed, honest, unsealed, lora, neon)
        urls = {"sqlite": f"sqlite:///{world.data_dir / 'file.db'}"}
        for postgres in postgres_database():
            urls["postgres"] = postgres
            engines = {backend: world.index(url) for backend, url in urls.items()}
            settings = {b: ApiSettings(data_dir=world.data_dir, database_url=u) for b, u in urls.items()}
            with (
                TestClient(create_app(settings["sqlite"])) as c1,
                TestClient(create_app(settings["postgres"])) as c2,
            ):
                clients = {"sqlite": c1, "postgres": c2}
                before = {b: {i: detail(c, i)["made_with"] for i in ids} for b, c in clients.items()}
                for engine in engines.values():
                    # One call reads everything (an unsealed original stays `missing`: calling until
                    # nothing is read would retry it for ever).
                    MediaHasher(
                        engine,
                        world.deployment.chain_id,
                        world.store,
                        keyring=world.originals.keyring,
                        batch=10_000,
                        model_batch=10_000,
                    ).fill()
                yield FileWorld(before, clients, forged, misattributed, honest, unsealed, lora, neon)
            for engine in engines.values():
                engine.dispose()


def detail(client: TestClient, asset_id: int) -> dict[str, Any]:
    response = client.get(f"/assets/{asset_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


BACKENDS = ["sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_claims_the_file_does_not_carry_are_shown_as_claims_then_replaced_by_the_files_facts(
    made: FileWorld, backend: str
) -> None:
    claimed = made.before[backend][made.forged]
    assert claimed["source"] == "claimed" and claimed["summary"].startswith(CLAIMED)
    assert claimed["c2pa"]["signer"] == "Adobe" and claimed["c2pa"]["state"] == "valid"

    mw = detail(made.clients[backend], made.forged)["made_with"]
    assert mw["source"] == "file" and mw["c2pa"] is None and mw["generation"] == []
    claims = [CLAIMED_C2PA, "generation metadata from ComfyUI", "LoRA 'Famous Style' (hash feedfacefe)"]
    notes = [f"the registrant's metadata claims {c}, which the registered file does not show" for c in claims]
    assert mw["notes"] == notes and mw["summary"] == "; ".join(notes)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_signer_the_credentials_do_not_name_is_replaced_by_the_real_one(
    made: FileWorld, backend: str
) -> None:
    assert made.before[backend][made.misattributed]["c2pa"]["signer"] == "Adobe"
    mw = detail(made.clients[backend], made.misattributed)["made_with"]
    assert mw["source"] == "file"
    assert mw["c2pa"]["signer"] == "Cleo Studio" and mw["c2pa"]["state"] == "valid"
    assert "signed by Cleo Studio (Gen-IP Test), not a trusted issuer, valid" in mw["summary"]
    (note,) = [n for n in mw["notes"] if "registrant's metadata claims" in n]
    assert note.startswith("the registrant's metadata claims content credentials by ")
    assert note.endswith(
        "signed by Adobe (Gen-IP Test), not a trusted issuer, valid, which the registered file does not show"
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_honest_claims_read_the_same_from_the_file_without_a_note(made: FileWorld, backend: str) -> None:
    before = made.before[backend][made.honest]
    after = detail(made.clients[backend], made.honest)["made_with"]
    assert (before["source"], after["source"]) == ("claimed", "file")
    assert before["summary"] == CLAIMED + after["summary"]
    assert {k: v for k, v in before.items() if k not in ("source", "summary")} == {
        k: v for k, v in after.items() if k not in ("source", "summary")
    }
    assert not any("registrant's metadata claims" in n for n in after["notes"])
    assert "neon city" not in json.dumps(after)  # never the prompt


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_file_the_indexer_cannot_read_keeps_its_claims_marked_as_claims(
    made: FileWorld, backend: str
) -> None:
    mw = detail(made.clients[backend], made.unsealed)["made_with"]
    assert mw["source"] == "claimed" and mw["summary"].startswith(
        CLAIMED + "made with LoRA 'Neon Nights', in A1111"
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_lora_named_by_its_addnet_hash_is_registered_once_the_indexer_hashed_it(
    made: FileWorld, backend: str
) -> None:
    (before,) = made.before[backend][made.neon]["generation"][0]["resources"]
    assert before["hash"] == ADDNET[:12] and before["registered"] == []  # not hashed yet: unknown
    (after,) = detail(made.clients[backend], made.neon)["made_with"]["generation"][0]["resources"]
    assert after == {"kind": "lora", "name": "Neon Nights", "hash": ADDNET[:12], "registered": [made.lora]}
