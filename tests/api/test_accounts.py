"""`/accounts/{address}`: works, licences, balances, pending withdrawals."""

from fastapi.testclient import TestClient

from tests.api.world import World


def test_an_account_lists_works_licences_and_balances(api: TestClient, world: World) -> None:
    a = world.actors
    bob = api.get(f"/accounts/{a.bob.address.lower()}").json()
    assert bob["address"] == a.bob.address
    assert {w["asset_id"] for w in bob["works_created"]} == {
        world.ids.child,
        world.works["harbour"],
        world.works["forest"],
    }
    assert bob["works_owned_count"] == 4  # his three and the root he bought
    assert [lic["license_id"] for lic in bob["licenses_held"]] == [world.ids.licenses["bob_extended"]]
    assert bob["licenses_held"][0]["used_for_derivative"] == world.ids.child
    for b in bob["balances"]:
        assert int(b["credited"]) - int(b["withdrawn"]) == int(b["balance"])
        assert bob["pending_withdrawals"].get(b["currency"], "0") == b["balance"]
    brand = api.get(f"/accounts/{a.brand.address}").json()
    assert brand["licenses_held_count"] == 3 and brand["works_created"] == []


def test_an_unknown_account_is_empty_and_a_bad_one_is_400(api: TestClient) -> None:
    empty = api.get("/accounts/0x" + "12" * 20).json()
    assert (empty["works_created_count"], empty["licenses_held"], empty["balances"]) == (0, [], [])
    r = api.get("/accounts/0x12")
    assert r.status_code == 400 and "40 hex digits" in r.json()["detail"]
