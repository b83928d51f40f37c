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
        world.parent_of_expired,
        world.tainted,
    }
    assert bob["works_owned_count"] == 7  # his five, the root and the lapsed-offer asset he bought
    held = {lic["license_id"]: lic for lic in bob["licenses_held"]}
    assert world.ids.licenses["bob_extended"] in held and len(held) == 2  # and one on the upheld parent
    assert held[world.ids.licenses["bob_extended"]]["used_for_derivative"] == world.ids.child
    for b in bob["balances"]:
        assert int(b["credited"]) - int(b["withdrawn"]) == int(b["balance"])
        assert bob["pending_withdrawals"].get(b["currency"], "0") == b["balance"]
    brand = api.get(f"/accounts/{a.brand.address}").json()
    # Root extended, the referred sale, forest, the expired derivative, contested (one renounced, one moved
    # on).
    assert brand["licenses_held_count"] == 5 and brand["works_created"] == []
    referred = [h for h in brand["licenses_held"] if h["license_id"] == world.ids.licenses["referred"]]
    assert referred[0]["referrer"] == world.actors.platform.address


def test_an_unknown_account_is_empty_and_a_bad_one_is_400(api: TestClient) -> None:
    empty = api.get("/accounts/0x" + "12" * 20).json()
    assert (empty["works_created_count"], empty["licenses_held"], empty["balances"]) == (0, [], [])
    r = api.get("/accounts/0x12")
    assert r.status_code == 400 and "40 hex digits" in r.json()["detail"]
