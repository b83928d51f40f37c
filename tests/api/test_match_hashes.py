"""`POST /match/hashes` on the verdict chain of `test_match_verdicts` (an original, a later copy of it, a
registered derivative; licences on each), both backends: the images are hashed here the way a platform's SDK
does (our preparation: `load_image`, then `hash_query`), and each item's answer must be `/match`'s answer for
the same image, judged item by item.

The fixtures are the verdict module's, instantiated for this module (its own anvil and databases).
"""

# ruff: noqa: F811 - the tests take the imported `app` fixture

from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from genip.matching.normalize import load_image
from genip.matching.perceptual import hash_query
from tests.api.test_match import encode, picture
from tests.api.test_match_verdicts import (  # noqa: F401 - fixtures
    CAROL,
    DAVE,
    OUTSIDER,
    VerdictWorld,
    _match,
    _shrunk,
    app,
    chain,
    databases,
)

App = tuple[VerdictWorld, TestClient, str]


def hashes(image: Image.Image) -> dict[str, str]:
    """The image's PDQ and pHash-256 as the SDK computes them (our preparation), from the JPEG `_match`
    sends."""
    query = hash_query(load_image(encode(image, "JPEG", quality=60)))
    return {"pdq": query.variants[0].hex(), "phash": query.phash_variants[0].hex()}


def post(client: TestClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/match/hashes", json=body)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _without_position(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in ("index", "id")}


def test_a_hash_only_answer_equals_the_match_answer_for_the_same_image(app: App) -> None:
    vw, client, _ = app
    a = vw.world.actors
    original = _shrunk(picture("astronaut"), 300)
    derivative_copy = _shrunk(picture("coffee"), 400)
    cases = [
        (original, a.brand.address),  # licensed on the original, a closer copy beside it
        (original, OUTSIDER.address),  # a licence on the copy only: unlicensed, the note names both
        (original, None),  # no account
        (derivative_copy, DAVE.address),
        (derivative_copy, CAROL.address),
    ]
    for image, account in cases:
        expected = _match(client, image, account)
        body = {"items": [hashes(image)], "use": "commercial"} | ({"account": account} if account else {})
        (answer,) = post(client, body)
        assert expected["candidates"], "the image must match something for the comparison to mean anything"
        assert _without_position(answer) == expected, (account, answer, expected)


def test_each_hash_gets_its_own_verdict_for_its_own_account(app: App) -> None:
    vw, client, _ = app
    a = vw.world.actors
    astronaut = hashes(_shrunk(picture("astronaut"), 300))
    items = [
        {"id": "post-1", **astronaut},
        {"id": "post-2", **astronaut, "account": OUTSIDER.address.lower()},
        {"id": "post-3", **hashes(picture("chelsea"))},
        {"id": "post-4", **hashes(_shrunk(picture("coffee"), 400)), "account": DAVE.address},
        {"pdq": astronaut["pdq"]},  # PDQ only
    ]
    data = post(client, {"items": items, "account": a.brand.address, "use": "commercial"})
    assert [d["index"] for d in data] == [0, 1, 2, 3, 4]
    assert [d["id"] for d in data] == ["post-1", "post-2", "post-3", "post-4", None]
    assert [d["verdict"] for d in data] == ["licensed", "unlicensed", "unregistered", "licensed", "licensed"]
    assert data[0]["rests_on"] == data[1]["rests_on"] == vw.original
    assert data[1]["status"]["account"] == OUTSIDER.address
    assert data[3]["rests_on"] == vw.derivative
    assert data[2] == {
        "candidates": [],
        "verdict": "unregistered",
        "rests_on": None,
        "status": None,
        "note": None,
        "made_with": None,
        "index": 2,
        "id": "post-3",
    }


def test_more_than_1000_hashes_is_a_422(app: App) -> None:
    _, client, _ = app
    item = hashes(picture("chelsea"))
    response = client.post("/match/hashes", json={"items": [item] * 1001})
    assert response.status_code == 422
    assert post(client, {"items": [item] * 1000})[999]["index"] == 999


def test_malformed_input_names_the_item_and_changes_nothing(app: App) -> None:
    vw, client, _ = app
    good = hashes(_shrunk(picture("astronaut"), 300))
    body = {"items": [good], "account": vw.world.actors.brand.address, "use": "commercial"}
    before = post(client, body)
    bad_items: list[tuple[list[dict[str, Any]], int, str]] = [
        ([good, good, {"pdq": good["pdq"][:-1]}], 422, "2"),
        ([good, {"pdq": "zz" * 32}], 422, "1"),
        ([good, {"pdq": good["pdq"], "phash": good["phash"] + "00"}], 422, "1"),
        ([good, {"pdq": good["pdq"], "account": "0x1234"}], 400, "items[1].account"),
        ([{"pdq": good["pdq"], "account": "0x" + "aB" * 20}], 400, "items[0].account"),
        ([{"pdq": good["pdq"], "use": "resell"}], 422, "0"),
        ([{"pdq": good["pdq"], "bogus": 1}], 422, "0"),
    ]
    for items, status, where in bad_items:
        response = client.post("/match/hashes", json={**body, "items": items})
        assert response.status_code == status, (items, response.text)
        detail = response.json()["detail"]
        if status == 400:
            assert where in detail
        else:
            assert any(str(issue["loc"][2]) == where for issue in detail), detail
    assert post(client, body) == before
    assert client.post("/match/hashes", json={"items": "no"}).status_code == 422
    assert client.post(
        "/match/hashes", content=b"{", headers={"content-type": "application/json"}
    ).status_code in (
        400,
        422,
    )
    assert post(client, body) == before


def test_one_batch_of_every_case_answers_each_item_as_match_does(app: App) -> None:
    """The batch path reads rows, clusters and statuses once for all items (`judge_many`): every item of a
    mixed batch (an original and its copy, a derivative, several accounts, no account) must still get
    exactly the answer `/match` gives it alone."""
    vw, client, _ = app
    a = vw.world.actors
    original = _shrunk(picture("astronaut"), 300)
    derivative_copy = _shrunk(picture("coffee"), 400)
    cases = [
        (original, a.brand.address),
        (derivative_copy, CAROL.address),
        (original, OUTSIDER.address),
        (picture("chelsea"), a.brand.address),
        (derivative_copy, DAVE.address),
        (original, None),
    ]
    items = [
        {"id": f"post-{i}", **hashes(image), "account": account}
        if account
        else {"id": f"post-{i}", **hashes(image)}
        for i, (image, account) in enumerate(cases)
    ]
    data = post(client, {"items": items, "use": "commercial"})
    for (image, account), answer in zip(cases, data, strict=True):
        assert _without_position(answer) == _match(client, image, account), (account, answer)
