"""Possible copies shown everywhere, on both backends: search hides them unless `include_copies` (then
each carries `copy_of`), the asset detail of an original lists them, and the account that owns an original
lists the copies of its works with whether a claim is open. The world is `test_copy_evidence`'s (Alice's
astronaut and Bob's coffee; Bob's recompressed astronaut, Alice's mirrored coffee and Alice's own re-upload),
plus two licensed derivatives of the astronaut registered after them (by the brand and by the platform), and a
claim Bob brought against the mirrored coffee.

The SQL the lists and the filter use (`api.queries.copies`) is checked against `read_provenance`, the reader
the verdict and the asset detail use, on every asset.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from PIL import Image, ImageOps
from sqlalchemy import select

from api.queries.copies import copies, recorded_copies_sql, recorded_copy_sql
from genip.chain import actions
from genip.chain.anvil import Anvil
from genip.chain.types import WorkKind
from genip.db import models
from genip.db.engine import make_sessionmaker
from genip.matching.provenance import read_provenance
from genip.prompts import PromptVault
from genip.works import WorkDescription, prepare_registration, register_draft
from tests.api import test_copy_evidence
from tests.api.test_copy_evidence import CopyWorld, register_file
from tests.api.test_match import encode, picture, register_image
from tests.api.world import World, build_world
from tests.helpers import extended_terms

#: The images indexed on each backend and the app: `test_copy_evidence`'s fixture, over this module's chain.
cw = test_copy_evidence.cw

#: Extra ids of this module's world: the licensed derivative and the claim against the mirrored coffee.
EXTRA: dict[str, int] = {}


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, int]]]:
    """`test_copy_evidence`'s images (the `cw` fixture indexes them), then licensed derivatives of the
    astronaut by the brand and by the platform, and Bob's claim against Alice's mirrored coffee."""
    folder = tmp_path_factory.mktemp("copies-images")
    with Anvil() as node:
        world = build_world(node, tmp_path_factory.mktemp("copies-world"))
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
        ids["own_copy"] = register_file(
            world, a.alice, small, "Astronaut again", folder / "own.jpg", quality=85
        )
        offer = actions.create_offer(
            world.client, a.alice, ids["astronaut"], extended_terms(500), price=1
        ).value
        licence = actions.buy_license(world.client, a.brand, offer).value
        EXTRA["derivative"] = _register_derivative(world, a.brand, astronaut, licence, folder, 2 / 3)
        licence = actions.buy_license(world.client, a.platform, offer).value
        EXTRA["sibling"] = _register_derivative(world, a.platform, astronaut, licence, folder, 5 / 8)
        EXTRA["claim"] = actions.raise_dispute(
            world.client, a.bob, ids["mirrored"], b"\x0c" * 32, claimant_asset_id=ids["coffee"]
        ).value
        yield world, ids


def _register_derivative(
    world: World, creator: LocalAccount, image: Image.Image, licence: int, folder: Any, scale: float
) -> int:
    """An astronaut poster (the astronaut at `scale`) by `creator`, registered under its licence on it."""
    path = folder / f"poster-{scale:.3f}.jpg"
    size = (round(image.width * scale), round(image.height * scale))
    path.write_bytes(encode(image.resize(size), "JPEG", quality=90))
    draft = prepare_registration(
        path,
        WorkDescription(kind=WorkKind.IMAGE, title="Astronaut poster", prompt="poster"),
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
        license_ids=[licence],
    ).asset_id


def search(cw: CopyWorld, **params: Any) -> dict[str, Any]:
    response = cw.client.get("/assets", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(body: dict[str, Any]) -> dict[int, int | None]:
    """Result id → its `copy_of`."""
    return {r["asset_id"]: r["copy_of"] for r in body["data"]}


def test_search_hides_possible_copies_by_default(cw: CopyWorld) -> None:
    found = listed(search(cw, kind="image"))
    assert {cw.astronaut, cw.coffee, cw.own_copy} <= found.keys()
    assert cw.copy not in found and cw.mirrored not in found
    assert all(v is None for v in found.values())


def test_search_lists_copies_with_include_copies_and_marks_them(cw: CopyWorld) -> None:
    found = listed(search(cw, kind="image", include_copies="true"))
    assert found[cw.copy] == cw.astronaut and found[cw.mirrored] == cw.coffee
    assert found[cw.astronaut] is None and found[cw.coffee] is None and found[cw.own_copy] is None


def marked(body: dict[str, Any]) -> set[int]:
    """The results that carry a `copy_of`."""
    return {i for i, original in listed(body).items() if original is not None}


def test_count_and_facets_agree_with_the_filter(cw: CopyWorld) -> None:
    hidden, shown = search(cw), search(cw, include_copies="true")
    copies_shown = marked(shown)
    assert {cw.copy, cw.mirrored} <= copies_shown and not marked(hidden)
    assert shown["count"] == hidden["count"] + len(copies_shown)
    assert hidden["count"] == len(hidden["data"]) and shown["count"] == len(shown["data"])
    assert shown["facets"]["kind"]["image"] == hidden["facets"]["kind"]["image"] + len(copies_shown)
    assert sum(hidden["facets"]["kind"].values()) == hidden["count"]
    # the mirrored coffee is under a claim: the standing facet follows the filter too
    disputed = [body["facets"]["standing"].get("disputed", 0) for body in (hidden, shown)]
    assert disputed[1] == disputed[0] + 1
    no_facets = cw.client.get("/assets", params={"facets": "false", "limit": 1}).json()
    assert no_facets["count"] == hidden["count"]


def test_full_text_search_hides_copies_on_either_backend(cw: CopyWorld) -> None:
    """Postgres's tsvector and SQLite's FTS5 paths: "astronaut" names Alice's work, Bob's copy, Alice's own
    re-upload."""
    hidden = listed(search(cw, q="astronaut"))
    assert cw.astronaut in hidden and cw.own_copy in hidden and cw.copy not in hidden
    shown = search(cw, q="astronaut", include_copies="true")
    assert listed(shown)[cw.copy] == cw.astronaut
    assert set(listed(shown)) - set(hidden) == marked(shown)
    assert shown["count"] == search(cw, q="astronaut")["count"] + len(marked(shown))


def test_other_filters_combine_with_the_copy_filter(cw: CopyWorld) -> None:
    bob = cw.world.actors.bob.address
    hidden = set(listed(search(cw, creator=bob, kind="image")))
    shown = listed(search(cw, creator=bob, kind="image", include_copies="true"))
    assert cw.coffee in hidden and set(shown) - hidden == {cw.copy} and shown[cw.copy] == cw.astronaut
    assert cw.mirrored not in listed(search(cw, disputed="true"))
    assert cw.mirrored in listed(search(cw, disputed="true", include_copies="true"))


@pytest.mark.parametrize("key", ["derivative", "sibling"])
def test_licensed_derivatives_of_the_original_are_not_copies(cw: CopyWorld, key: str) -> None:
    """The brand's and the platform's posters are built under licences on the astronaut; they also look like
    Bob's copy, Alice's own re-upload and each other (earlier, other creators), which must not make them
    copies: the earliest work they match is their own parent."""
    poster = EXTRA[key]
    detail = cw.client.get(f"/assets/{poster}").json()
    assert detail["is_derivative"] is True
    assert detail["possible_original"] is None and detail["copy_of"] is None
    assert poster in listed(search(cw, kind="image"))
    for work in (cw.copy, cw.own_copy, EXTRA["derivative"]):
        assert cw.client.get(f"/assets/{work}").json()["possible_copies"] == []
    for owner in (cw.world.actors.alice, cw.world.actors.bob):
        mine = cw.client.get(f"/accounts/{owner.address}").json()["copies_of_my_works"]
        assert {c["asset_id"] for c in mine} <= {cw.copy, cw.mirrored}


def test_the_original_lists_its_possible_copies(cw: CopyWorld) -> None:
    astronaut = cw.client.get(f"/assets/{cw.astronaut}").json()
    assert [c["asset_id"] for c in astronaut["possible_copies"]] == [cw.copy]
    listed_copy = astronaut["possible_copies"][0]
    copy = cw.client.get(f"/assets/{cw.copy}").json()
    original = copy["possible_original"]
    assert copy["copy_of"] == cw.astronaut == original["asset_id"]
    assert (listed_copy["method"], listed_copy["distance"]) == (original["method"], original["distance"])
    assert listed_copy["title"] == "My astronaut" and listed_copy["creator"] == cw.world.actors.bob.address
    assert listed_copy["owner"] == cw.world.actors.bob.address
    assert listed_copy["blocks_later"] == copy["block_number"] - astronaut["block_number"] > 0
    assert listed_copy["asset_status"] == "active"
    coffee = cw.client.get(f"/assets/{cw.coffee}").json()["possible_copies"]
    assert [(c["asset_id"], c["method"], c["asset_status"]) for c in coffee] == [
        (cw.mirrored, "thumb", "disputed")
    ]
    assert coffee[0]["correlation"] >= 0.98 and coffee[0]["distance"] is None
    for key in ("mirrored",):
        assert cw.client.get(f"/assets/{getattr(cw, key)}").json()["possible_copies"] == []


def test_the_owner_of_an_original_sees_the_copies_of_its_works(cw: CopyWorld) -> None:
    a = cw.world.actors
    alice = cw.client.get(f"/accounts/{a.alice.address}").json()
    assert alice["copies_of_my_works_count"] == len(alice["copies_of_my_works"])
    copy = next(c for c in alice["copies_of_my_works"] if c["asset_id"] == cw.copy)
    assert (copy["asset_id"], copy["original_id"]) == (cw.copy, cw.astronaut)
    assert (copy["title"], copy["original_title"]) == ("My astronaut", "Astronaut portrait")
    assert copy["method"] in ("pdq", "phash") and copy["distance"] is not None
    assert copy["creator"] == a.bob.address and copy["blocks_later"] > 0
    assert copy["claim_open"] is False and copy["open_claim_id"] is None and copy["claimable"] is True

    bob = cw.client.get(f"/accounts/{a.bob.address}").json()
    assert bob["copies_of_my_works_count"] == len(bob["copies_of_my_works"])
    mirrored = next(c for c in bob["copies_of_my_works"] if c["asset_id"] == cw.mirrored)
    assert (mirrored["asset_id"], mirrored["original_id"], mirrored["method"]) == (
        cw.mirrored,
        cw.coffee,
        "thumb",
    )
    assert mirrored["claim_open"] is True and mirrored["open_claim_id"] == EXTRA["claim"]
    assert mirrored["claimable"] is False and mirrored["asset_status"] == "disputed"
    # Bob's own works carry the mark too
    marks = {w["asset_id"]: w["copy_of"] for w in bob["works_created"]}
    assert marks[cw.copy] == cw.astronaut and marks[cw.coffee] is None

    brand = cw.client.get(f"/accounts/{a.brand.address}").json()
    assert brand["copies_of_my_works"] == [] and brand["copies_of_my_works_count"] == 0


def test_the_lists_sql_agrees_with_read_provenance_on_every_asset(cw: CopyWorld) -> None:
    """`recorded_copy_sql`, `recorded_copies_sql` and `copies` restate `read_provenance`'s join: the same
    copies, the same originals."""
    chain = cw.world.deployment.chain_id
    engine = cw.client.app.state.engine  # type: ignore[attr-defined]
    with make_sessionmaker(engine)() as session:
        A = models.Asset.__table__
        every = [int(i) for (i,) in session.execute(select(A.c.asset_id).where(A.c.chain_id == chain))]
        lineage = read_provenance(session.connection(), chain, every)
        expected = {i: lin.copy_of for i, lin in lineage.items() if lin.copy_of is not None}
        marked = {
            int(i)
            for (i,) in session.execute(
                select(A.c.asset_id).where(A.c.chain_id == chain, recorded_copy_sql(A))
            )
        }
        assert marked == set(expected) and {cw.copy, cw.mirrored} <= marked
        read_once = {int(i) for (i,) in session.execute(recorded_copies_sql(chain))}
        assert read_once == marked
        listed_copies: dict[int, int] = {}
        for original in every:
            found, count = copies(session, chain_id=chain, original_id=original, limit=1_000)
            assert count == len(found)
            listed_copies |= {c.asset_id: c.original_id for c in found}
        assert listed_copies == expected
