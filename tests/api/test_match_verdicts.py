"""`POST /match` weighs every candidate (issue #17), on a chain of real images and both backends:

* Alice's astronaut (the original) and Bob's 600 px JPEG copy of it (a possible copy, registered later);
  the brand holds a standard licence on the original: its 300 px, quality-60 JPEG of the original is
  `licensed`, whichever of the two is the closer match, and the answer marks the copy;
* an outsider who bought a licence on the copy only is `unlicensed`, resting on the original, and the answer
  names both (the licence found on the copy, and why it does not count);
* Carol's derivative of Bob's coffee, registered under an extended licence: Dave's licence on the derivative
  makes a re-encode of it `licensed`, and the derivative is not marked as a copy;
* a claim raised against the original turns the brand's verdict `disputed`, resting on the original.

The module runs its own anvil so that its images do not change what the session world's tests count.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from PIL import Image, ImageEnhance

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.db.engine import make_engine
from genip.settings import Settings
from indexer.media import MediaHasher
from indexer.provenance import ProvenanceFinder
from tests.api.test_copy_evidence import register_file
from tests.api.test_match import encode, picture, register_image
from tests.api.world import World, build_world
from tests.helpers import extended_terms, standard_terms
from tests.indexer.conftest import postgres_database

CAROL = dev_account(6)
DAVE = dev_account(7)
OUTSIDER = dev_account(9)


@dataclass
class VerdictWorld:
    world: World
    original: int
    copy: int
    coffee: int
    derivative: int
    claimed: bool = False


def _shrunk(image: Image.Image, width: int) -> Image.Image:
    return image.resize((width, round(image.height * width / image.width)))


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerdictWorld]:
    folder = tmp_path_factory.mktemp("verdict-images")
    with Anvil() as node:
        world = build_world(node, tmp_path_factory.mktemp("verdict-world"))
        a, client = world.actors, world.client
        original = register_image(world, a.alice, "astronaut", "Astronaut portrait", folder)
        copy = register_file(
            world, a.bob, _shrunk(picture("astronaut"), 600), "My astronaut", folder / "c.jpg"
        )
        on_original = actions.create_offer(client, a.alice, original, standard_terms(), price=10**15).value
        actions.buy_license(client, a.brand, on_original)
        on_copy = actions.create_offer(client, a.bob, copy, standard_terms(), price=10**15).value
        actions.buy_license(client, OUTSIDER, on_copy)

        coffee = register_image(world, a.bob, "coffee", "Morning coffee", folder)
        extended = actions.create_offer(client, a.bob, coffee, extended_terms(1_000), price=10**15).value
        licence = actions.buy_license(client, CAROL, extended).value
        pale = ImageEnhance.Color(picture("coffee")).enhance(0.3)
        path = folder / "pale.jpg"
        path.write_bytes(encode(pale, "JPEG", quality=90))
        derivative = _register_derivative(world, CAROL, path, [licence])
        on_derivative = actions.create_offer(client, CAROL, derivative, standard_terms(), price=10**15).value
        actions.buy_license(client, DAVE, on_derivative)
        yield VerdictWorld(world, original, copy, coffee, derivative)


def _register_derivative(world: World, creator: LocalAccount, path: Any, licences: list[int]) -> int:
    from genip.chain.types import WorkKind
    from genip.prompts import PromptVault
    from genip.works import WorkDescription, prepare_registration, register_draft

    draft = prepare_registration(
        path,
        WorkDescription(kind=WorkKind.IMAGE, title="Pale coffee", prompt="pale"),
        creator=creator.address,
    )
    vault = PromptVault(world.data_dir, creator.address)
    return register_draft(
        world.client,
        creator,
        draft,
        store=world.store,
        vault=vault,
        originals=world.originals,
        license_ids=licences,
    ).asset_id


def _index(world: World, url: str) -> None:
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


@pytest.fixture(scope="module")
def databases(chain: VerdictWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Both backends indexed before any test runs (the last test raises a claim on the shared chain)."""
    postgres = postgres_database()
    urls = {
        "sqlite": f"sqlite:///{tmp_path_factory.mktemp('verdict-db') / 'genip.db'}",
        "postgres": next(postgres),
    }
    for url in urls.values():
        _index(chain.world, url)
    yield urls
    next(postgres, None)  # drops the database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def app(
    request: pytest.FixtureRequest, chain: VerdictWorld, databases: dict[str, str]
) -> Iterator[tuple[VerdictWorld, TestClient, str]]:
    url = databases[request.param]
    with TestClient(create_app(ApiSettings(data_dir=chain.world.data_dir, database_url=url))) as client:
        yield chain, client, url


def _match(client: TestClient, image: Image.Image, account: str | None) -> dict[str, Any]:
    data = encode(image, "JPEG", quality=60)
    form = {"use": "commercial"} | ({"account": account} if account else {})
    response = client.post("/match", files={"image": ("upload.jpg", data, "image/jpeg")}, data=form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _by_id(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {c["asset_id"]: c for c in body["candidates"]}


def test_a_licence_on_the_original_wins_over_a_closer_copy(app: tuple[VerdictWorld, TestClient, str]) -> None:
    vw, client, _ = app
    body = _match(client, _shrunk(picture("astronaut"), 300), vw.world.actors.brand.address)
    assert body["verdict"] == "licensed" and body["rests_on"] == vw.original
    found = _by_id(body)
    assert found[vw.original]["role"] == "original" and found[vw.original]["license"]["licensed"] is True
    assert found[vw.copy]["role"] == "possible_copy" and found[vw.copy]["copy_of"] == vw.original
    assert found[vw.copy]["license"]["licensed"] is False
    assert body["status"]["asset"] == vw.original and body["status"]["licensed"] is True


def test_the_copy_is_the_closer_match_of_its_own_re_encode_and_still_does_not_outrank(
    app: tuple[VerdictWorld, TestClient, str],
) -> None:
    """A re-encode of the copy's own pixels: the copy may be the first candidate; the original's licence
    counts."""
    vw, client, _ = app
    body = _match(client, _shrunk(picture("astronaut"), 590), vw.world.actors.brand.address)
    assert body["verdict"] == "licensed" and body["rests_on"] == vw.original
    assert {vw.original, vw.copy} <= set(_by_id(body))


def test_a_licence_on_the_copy_only_names_both_and_does_not_license(
    app: tuple[VerdictWorld, TestClient, str],
) -> None:
    vw, client, _ = app
    body = _match(client, _shrunk(picture("astronaut"), 300), OUTSIDER.address)
    assert body["verdict"] == "unlicensed" and body["rests_on"] == vw.original
    found = _by_id(body)
    assert found[vw.copy]["license"]["licensed"] is True and found[vw.copy]["role"] == "possible_copy"
    assert found[vw.original]["license"]["licensed"] is False
    assert f"#{vw.copy}" in body["note"] and f"#{vw.original}" in body["note"]


def test_without_an_account_the_verdict_rests_on_the_original(
    app: tuple[VerdictWorld, TestClient, str],
) -> None:
    vw, client, _ = app
    body = _match(client, _shrunk(picture("astronaut"), 300), None)
    assert body["verdict"] == "unlicensed" and body["rests_on"] == vw.original and body["status"] is None
    assert "no account" in body["note"]


def test_the_copy_owner_is_not_licensed_by_owning_the_copy(app: tuple[VerdictWorld, TestClient, str]) -> None:
    vw, client, _ = app
    body = _match(client, _shrunk(picture("astronaut"), 300), vw.world.actors.bob.address)
    assert body["verdict"] == "unlicensed" and body["rests_on"] == vw.original
    assert _by_id(body)[vw.copy]["license"]["licensed"] is True  # he owns it: reported, not counted


def test_a_licence_on_a_registered_derivative_licenses_its_re_encode(
    app: tuple[VerdictWorld, TestClient, str],
) -> None:
    vw, client, _ = app
    pale = ImageEnhance.Color(picture("coffee")).enhance(0.3)
    body = _match(client, _shrunk(pale, 256), DAVE.address)
    assert body["verdict"] == "licensed" and body["rests_on"] == vw.derivative
    found = _by_id(body)
    assert found[vw.derivative]["role"] == "derivative" and found[vw.derivative]["copy_of"] is None
    detail = client.get(f"/assets/{vw.derivative}").json()
    assert detail["possible_original"] is None  # a derivative is expected to look like its parent


def test_a_claim_against_the_original_makes_the_licensee_disputed(
    app: tuple[VerdictWorld, TestClient, str],
) -> None:
    """Last in the module: it raises a claim on the chain (each backend's index sees it once re-indexed)."""
    vw, client, url = app
    world = vw.world
    if not vw.claimed:  # once for both backends
        actions.raise_dispute(world.client, world.actors.claimant, vw.original, b"\x07" * 32)
        vw.claimed = True
    _index(world, url)
    body = _match(client, _shrunk(picture("astronaut"), 300), world.actors.brand.address)
    assert body["verdict"] == "disputed" and body["rests_on"] == vw.original
    assert _by_id(body)[vw.original]["asset_status"] == "disputed"
