"""`/licenses/status`: the truth table, batches, caching and bad input, on SQLite and Postgres."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from api.app import create_app
from tests.api.conftest import settings_for
from tests.api.world import World


def status(api: TestClient, asset: int, account: str, use: str = "display") -> dict[str, Any]:
    r = api.get("/licenses/status", params={"asset": asset, "account": account, "use": use})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_an_account_without_a_licence_is_not_licensed(api: TestClient, world: World) -> None:
    got = status(api, world.ids.root, world.outsider.address)
    assert (got["licensed"], got["license_ids"], got["expires_at"], got["asset_status"]) == (
        False,
        [],
        None,
        "active",
    )


def test_a_valid_perpetual_licence_licenses_its_uses(api: TestClient, world: World) -> None:
    lic = world.ids.licenses["brand_standard"]  # transferred from the brand to the claimant
    for use in ("display", "commercial"):
        got = status(api, world.ids.root, world.actors.claimant.address, use)
        assert (got["licensed"], got["license_ids"], got["expires_at"]) == (True, [lic], 0)
    assert status(api, world.ids.root, world.actors.brand.address, "commercial")["license_ids"] != [lic]


def test_a_licence_for_another_use_does_not_count(api: TestClient, world: World) -> None:
    got = status(api, world.ids.root, world.actors.claimant.address, "derivative")  # standard: no derivatives
    assert (got["licensed"], got["license_ids"]) == (False, [])


def test_a_timed_extended_licence_allows_one_derivative(api: TestClient, world: World) -> None:
    got = status(api, world.ids.root, world.actors.brand.address, "derivative")
    assert got["licensed"] is True
    assert got["license_ids"] == [world.ids.licenses["brand_extended"]]
    assert got["expires_at"] > 0


def test_a_derivative_licence_used_up_no_longer_allows_derivatives(api: TestClient, world: World) -> None:
    alice = world.actors.alice.address
    assert status(api, world.ids.child, alice, "derivative")["licensed"] is False
    assert status(api, world.ids.child, alice, "commercial")["license_ids"] == [
        world.ids.licenses["alice_child"]
    ]


def test_the_owner_is_licensed_for_every_use(api: TestClient, world: World) -> None:
    for use in ("display", "commercial", "derivative"):
        got = status(api, world.ids.root, world.actors.bob.address, use)  # root was sold on to bob
        assert (got["licensed"], got["license_ids"], got["expires_at"]) == (True, [], 0)


def test_a_disputed_asset_licenses_nobody_but_lists_the_licences(api: TestClient, world: World) -> None:
    got = status(api, world.contested, world.actors.brand.address, "commercial")
    assert (got["licensed"], got["license_ids"], got["asset_status"]) == (
        False,
        [world.contested_license],
        "disputed",
    )
    owner = status(api, world.contested, world.actors.alice.address)
    assert (owner["licensed"], owner["asset_status"]) == (False, "disputed")
    upheld = status(api, world.ids.disputed, world.actors.alice.address)
    assert (upheld["licensed"], upheld["asset_status"]) == (False, "upheld")


def test_an_unknown_asset_is_unregistered_not_404(api: TestClient, world: World) -> None:
    got = status(api, 999_999, world.actors.brand.address)
    assert (got["licensed"], got["asset_status"]) == (False, "unregistered")


def test_answers_say_which_block_they_are_true_as_of(api: TestClient, world: World) -> None:
    head = world.client.w3.eth.block_number
    assert status(api, world.ids.root, world.outsider.address)["as_of_block"] == head


def test_lowercase_addresses_are_accepted_and_answered_checksummed(api: TestClient, world: World) -> None:
    got = status(api, world.ids.root, world.actors.claimant.address.lower(), "commercial")
    assert got["licensed"] is True and got["account"] == world.actors.claimant.address


def test_etag_follows_the_cursor_and_if_none_match_gives_304(api: TestClient, world: World) -> None:
    params = {"asset": world.ids.root, "account": world.outsider.address}
    first = api.get("/licenses/status", params=params)
    etag = first.headers["etag"]
    assert str(world.client.w3.eth.block_number) in etag
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = api.get("/licenses/status", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = api.get("/licenses/status", params=params, headers={"If-None-Match": 'W/"1-2-3"'})
    assert other.status_code == 200


def test_batch_answers_in_order_like_single_questions(api: TestClient, world: World) -> None:
    a = world.actors
    questions = [
        (world.ids.root, a.claimant.address, "commercial"),
        (world.ids.root, a.bob.address.lower(), "derivative"),
        (world.contested, a.brand.address, "display"),
        (999_999, a.brand.address, "display"),
        (world.ids.child, a.alice.address, "derivative"),
    ]
    body = {"items": [{"asset": q[0], "account": q[1], "use": q[2]} for q in questions]}
    r = api.post("/licenses/status", json=body)
    assert r.status_code == 200, r.text
    answers = r.json()["data"]
    assert [x["asset"] for x in answers] == [q[0] for q in questions]
    assert answers == [status(api, *q) for q in questions]
    assert "etag" in r.headers
    assert (
        api.post("/licenses/status", json=body, headers={"If-None-Match": r.headers["etag"]}).status_code
        == 304
    )


def test_a_batch_of_1000_is_answered_and_1001_refused(api: TestClient, world: World) -> None:
    item = {"asset": world.ids.root, "account": world.outsider.address}
    assert len(api.post("/licenses/status", json={"items": [item] * 1000}).json()["data"]) == 1000
    r = api.post("/licenses/status", json={"items": [item] * 1001})
    assert r.status_code == 422 and "1000" in r.text


def test_bad_input_is_a_4xx_that_says_what_was_wrong(api: TestClient, world: World) -> None:
    checksummed = world.actors.brand.address
    broken = checksummed[:2] + checksummed[2:].swapcase()
    if broken[2:] in (broken[2:].lower(), broken[2:].upper()):
        broken = checksummed[:-1] + ("a" if checksummed[-1] != "a" else "b")
    cases = {
        "0x1234": (400, "40 hex digits"),
        broken: (400, "checksum"),
    }
    for account, (code, words) in cases.items():
        r = api.get("/licenses/status", params={"asset": 1, "account": account})
        assert r.status_code == code and words in r.json()["detail"], r.text
    r = api.get("/licenses/status", params={"asset": 1, "account": checksummed, "use": "resell"})
    assert r.status_code == 422 and "display" in r.text
    r = api.get("/licenses/status", params={"asset": -1, "account": checksummed})
    assert r.status_code == 422
    r = api.post("/licenses/status", json={"items": [{"asset": 1, "account": "0xzz"}]})
    assert r.status_code == 400 and "items[0].account" in r.json()["detail"]


def test_the_fast_path_and_the_route_answer_alike(api: TestClient, world: World) -> None:
    """Plain queries are answered before routing (`api.status_endpoint`); a percent-encoded one goes through
    the FastAPI route. Both give the same bytes and validators, and the metrics file both under the route."""
    account = world.actors.claimant.address
    fast = api.get(f"/licenses/status?asset={world.ids.root}&account={account}&use=commercial")
    routed = api.get(f"/licenses/status?asset={world.ids.root}&account={account}&use=%63ommercial")
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content and fast.json()["licensed"] is True
    for header in ("etag", "cache-control", "content-type", "content-length"):
        assert fast.headers[header] == routed.headers[header]
    assert 'route="/licenses/status",status="200"' in api.get("/metrics").text


def test_repeated_or_blank_parameters_get_the_routes_errors(api: TestClient, world: World) -> None:
    account = world.actors.brand.address
    assert api.get(f"/licenses/status?asset=&account={account}").status_code == 422
    assert api.get(f"/licenses/status?asset=1&account={account}&use=").status_code == 422
    assert api.get(f"/licenses/status?account={account}").status_code == 422
    assert api.get("/licenses/status?asset=1&account=0x12").status_code == 400
    r = api.get(f"/licenses/status?asset={2**63}&account={account}")
    assert r.status_code == 422
    twice = api.get(f"/licenses/status?asset=5&asset={world.ids.root}&account={account}")
    assert twice.status_code == 200 and twice.json()["asset"] == world.ids.root  # the last value, as FastAPI


def test_answers_and_304s_come_from_the_cursor_read_while_it_is_fresh(
    world: World, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within `GENIP_API_STATUS_CURSOR_TTL` a repeated question and a matching `If-None-Match` need no query;
    a new question does (here: the database "fails", a 503 that says so)."""
    settings = settings_for(world, db_url).model_copy(update={"api_status_cursor_ttl": 5.0})
    app = create_app(settings)
    with TestClient(app) as client:
        params = {"asset": world.ids.root, "account": world.actors.claimant.address, "use": "commercial"}
        first = client.get("/licenses/status", params=params)
        assert first.status_code == 200

        async def down(*_: Any) -> list[Any]:
            raise OperationalError("SELECT", {}, Exception("down"))

        monkeypatch.setattr(app.state.status_service, "_rows", down)
        again = client.get("/licenses/status", params=params)
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        etag = {"If-None-Match": first.headers["etag"]}
        display = {**params, "use": "display"}
        assert client.get("/licenses/status", params=display, headers=etag).status_code == 304
        other = client.get("/licenses/status", params=display)
        assert other.status_code == 503 and "database" in other.json()["detail"]
