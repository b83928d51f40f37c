"""Copy evidence (`GET /assets/{id}/copy-evidence`) and the asset detail's `possible_original`, over a world
of real images on both backends: Alice's astronaut and Bob's coffee, then a recompressed astronaut by Bob (a
copy by another creator), a mirrored coffee by Alice (found by the thumbnails the media step stores) and a
recompressed astronaut by Alice herself (her own earlier work is the earliest match: no possible original).

The module runs its own anvil so that the images it registers do not change what the session world's other
tests count.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from fastapi.testclient import TestClient
from PIL import Image, ImageOps

from api.app import create_app
from api.settings import ApiSettings
from genip.chain.anvil import Anvil
from genip.chain.types import WorkKind
from genip.db.engine import make_engine
from genip.prompts import PromptVault
from genip.settings import Settings
from genip.works import WorkDescription, prepare_registration, register_draft
from indexer.media import MediaHasher
from indexer.provenance import ProvenanceFinder
from tests.api.test_match import encode, picture, register_image
from tests.api.world import World, build_world
from tests.indexer.conftest import postgres_database


def register_file(
    world: World, creator: LocalAccount, image: Image.Image, title: str, path: Path, *, quality: int = 80
) -> int:
    """Registers `image`, saved as JPEG at `path`, as a work of `creator`."""
    path.write_bytes(encode(image, "JPEG", quality=quality))
    draft = prepare_registration(
        path, WorkDescription(kind=WorkKind.IMAGE, title=title, prompt=title), creator=creator.address
    )
    vault = PromptVault(world.data_dir, creator.address)
    return register_draft(
        world.client, creator, draft, store=world.store, vault=vault, originals=world.originals
    ).asset_id


@dataclass
class CopyWorld:
    world: World
    client: TestClient
    astronaut: int
    coffee: int
    copy: int
    mirrored: int
    own_copy: int


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("copy-images")
    with Anvil() as node:
        world = build_world(node, tmp_path_factory.mktemp("copy-world"))
        a = world.actors
        ids = {
            "astronaut": register_image(world, a.alice, "astronaut", "Astronaut portrait", folder),
            "coffee": register_image(world, a.bob, "coffee", "Morning coffee", folder),
        }
        astronaut = picture("astronaut")
        small = astronaut.resize((astronaut.width * 3 // 4, astronaut.height * 3 // 4))
        ids["copy"] = register_file(world, a.bob, small, "My astronaut", folder / "copy.jpg")
        ids["mirrored"] = register_file(
            world, a.alice, ImageOps.mirror(picture("coffee")), "Coffee, mirrored", folder / "mirror.jpg"
        )
        own = folder / "own.jpg"
        ids["own_copy"] = register_file(world, a.alice, small, "Astronaut again", own, quality=85)
        yield world, ids


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cw(
    request: pytest.FixtureRequest,
    chain: tuple[World, dict[str, int]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CopyWorld]:
    """The images indexed (with the media step: pHash, thumbnails, keypoints) on each backend; the app."""
    world, ids = chain
    urls = (
        iter([f"sqlite:///{tmp_path_factory.mktemp('copy-db') / 'genip.db'}"])
        if request.param == "sqlite"
        else postgres_database()
    )
    for url in urls:
        world.index(url).dispose()
        engine = make_engine(url)
        keyring = world.originals.keyring
        while MediaHasher(
            engine, world.deployment.chain_id, world.store, keyring=keyring, retry_seconds=0
        ).fill():
            pass
        while ProvenanceFinder(engine, world.deployment.chain_id, Settings()).fill():
            pass
        engine.dispose()
        with TestClient(create_app(ApiSettings(data_dir=world.data_dir, database_url=url))) as client:
            yield CopyWorld(world, client, **ids)


def evidence(cw: CopyWorld, asset: int, original: int) -> dict[str, object]:
    response = cw.client.get(f"/assets/{asset}/copy-evidence", params={"original": original})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_later_copy_by_another_creator_gets_evidence_naming_the_earlier_work(cw: CopyWorld) -> None:
    body = evidence(cw, cw.copy, cw.astronaut)
    match = body["match"]
    assert isinstance(match, dict)
    assert match["method"] in ("pdq", "phash") and 0 <= match["distance"] <= 48
    asset, original = body["asset"], body["original"]
    assert isinstance(asset, dict) and isinstance(original, dict)
    assert asset["creator"] == cw.world.actors.bob.address
    assert original["creator"] == cw.world.actors.alice.address
    gap = asset["block_number"] - original["block_number"]
    assert gap > 0 and body["blocks_later"] == gap and body["earlier_asset_id"] == cw.astronaut
    assert body["possible_original"] is True and body["same_creator"] is False
    method = {"pdq": "PDQ", "phash": "pHash"}[match["method"]]
    assert body["sentence"] == (
        f"#{cw.copy} matches #{cw.astronaut} ({method} distance {match['distance']} bits), "
        f"registered {gap} blocks later by another creator"
    )


def test_the_evidence_hash_is_keccak_of_the_canonical_document_and_stable(cw: CopyWorld) -> None:
    first, again = evidence(cw, cw.copy, cw.astronaut), evidence(cw, cw.copy, cw.astronaut)
    canonical = json.dumps(first["evidence"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first["evidence_hash"] == "0x" + keccak(canonical.encode()).hex()
    assert again["evidence_hash"] == first["evidence_hash"]
    document = first["evidence"]
    assert isinstance(document, dict)
    assert document["copy"]["asset_id"] == cw.copy and document["original"]["asset_id"] == cw.astronaut
    assert "standing" not in canonical and "owner" not in canonical  # nothing that changes later
    reverse = evidence(cw, cw.astronaut, cw.copy)
    assert reverse["evidence_hash"] != first["evidence_hash"]


def test_the_other_way_round_the_original_is_not_a_copy(cw: CopyWorld) -> None:
    body = evidence(cw, cw.astronaut, cw.copy)
    assert body["possible_original"] is False and body["earlier_asset_id"] == cw.astronaut
    assert "blocks earlier by another creator" in str(body["sentence"])


def test_a_mirrored_copy_is_found_by_the_stored_thumbnails(cw: CopyWorld) -> None:
    body = evidence(cw, cw.mirrored, cw.coffee)
    match = body["match"]
    assert isinstance(match, dict)
    assert match["method"] == "thumb" and match["correlation"] >= 0.98 and match["distance"] is None
    assert body["possible_original"] is True
    assert "thumbnail correlation" in str(body["sentence"])


def test_the_asset_detail_names_the_possible_original_as_the_evidence_measures_it(cw: CopyWorld) -> None:
    detail = cw.client.get(f"/assets/{cw.copy}").json()
    found = detail["possible_original"]
    assert found is not None and found["asset_id"] == cw.astronaut
    assert found["owner"] == cw.world.actors.alice.address and found["title"] == "Astronaut portrait"
    measured = evidence(cw, cw.copy, cw.astronaut)["match"]
    assert isinstance(measured, dict)
    assert (found["method"], found["distance"]) == (measured["method"], measured["distance"])
    mirrored = cw.client.get(f"/assets/{cw.mirrored}").json()["possible_original"]
    assert mirrored is not None and mirrored["asset_id"] == cw.coffee and mirrored["method"] == "thumb"


@pytest.mark.parametrize("key", ["astronaut", "coffee", "own_copy"])
def test_originals_and_copies_by_the_same_creator_have_no_possible_original(cw: CopyWorld, key: str) -> None:
    """The astronaut and the coffee are the earliest of their pictures; Alice's own re-upload matches Bob's
    copy (earlier than it, another creator) but her own astronaut is earlier still: the earliest decides."""
    assert cw.client.get(f"/assets/{getattr(cw, key)}").json()["possible_original"] is None


def test_a_text_work_has_no_possible_original(cw: CopyWorld) -> None:
    assert cw.client.get(f"/assets/{cw.world.works['tides']}").json()["possible_original"] is None


def test_refusals_are_json_with_a_sentence(cw: CopyWorld) -> None:
    def refused(asset: int, original: int, status: int, words: str) -> None:
        response = cw.client.get(f"/assets/{asset}/copy-evidence", params={"original": original})
        assert response.status_code == status, response.text
        assert words in response.json()["detail"]

    refused(10_000, cw.astronaut, 404, "asset 10000 is not registered")
    refused(cw.copy, 10_000, 404, "original 10000 is not registered")
    refused(cw.copy, cw.copy, 422, "another asset")
    refused(cw.world.works["tides"], cw.astronaut, 422, "is a text work")
    refused(cw.copy, cw.world.works["tides"], 422, "is a text work")
    refused(cw.copy, cw.coffee, 422, "does not match")
    missing = cw.client.get(f"/assets/{cw.copy}/copy-evidence")
    assert missing.status_code == 422 and isinstance(missing.json()["detail"], list)
