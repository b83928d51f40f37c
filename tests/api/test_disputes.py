"""Disputes in the API: `/disputes/{id}`, `/assets/{id}/disputes`, standing and `asset_status` on assets, the
`purchasable` flags, and licence status for tainted, expired and renounced cases (both paths of
`/licenses/status`, and the batch), on SQLite and Postgres."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.world import World

ZERO = "0x" + "00" * 20


def get(api: TestClient, path: str, **params: Any) -> dict[str, Any]:
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def status(api: TestClient, asset: int, account: str, use: str = "display") -> dict[str, Any]:
    return get(api, "/licenses/status", asset=asset, account=account, use=use)


def slow_status(api: TestClient, asset: int, account: str, use: str = "display") -> dict[str, Any]:
    """The same question through the FastAPI route (a repeated parameter skips the fast path)."""
    r = api.get(f"/licenses/status?asset={asset}&account={account}&use={use}&use={use}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_an_upheld_dispute_shows_its_whole_life(api: TestClient, world: World) -> None:
    d = get(api, f"/disputes/{world.ids.disputes['upheld']}")
    a = world.actors
    assert (d["asset_id"], d["claimant"], d["claimant_asset_id"]) == (
        world.ids.disputed,
        a.claimant.address,
        world.ids.root,
    )
    assert (d["status"], d["reversed"], d["final"], d["answered"], d["answer_open"]) == (
        "upheld",
        False,
        True,
        True,
        False,
    )
    assert d["answer_hash"] == "0x" + "04" * 32 and d["resolution_hash"] == "0x" + "03" * 32
    assert (d["bond_currency"], d["bond"], d["bond_awarded_to"]) == (ZERO, str(10**16), a.claimant.address)
    assert d["arbiter"] == a.admin.address
    for field in ("raised_at", "answer_deadline", "resolved_at", "final_at"):
        assert d[field].endswith("Z") and d[field][:2] == "20", (field, d[field])
    assert d["raised_at"] < d["answer_deadline"] < d["resolved_at"] < d["final_at"]
    # Revenue held while it was open went to the claimant once the ruling was final.
    assert d["held"] == [
        {
            "asset_id": world.ids.disputed,
            "currency": ZERO,
            "amount": "0",
            "released": d["held"][0]["released"],
            "released_to": a.claimant.address,
        }
    ]
    assert int(d["held"][0]["released"]) > 0
    assert d["tainted"] == []


def test_a_reversed_ruling_is_cleared_and_its_taint_lifted(api: TestClient, world: World) -> None:
    d = get(api, f"/disputes/{world.ids.disputes['reversed']}")
    assert (d["status"], d["reversed"], d["final"], d["answered"]) == ("cleared", True, True, False)
    assert d["bond_awarded_to"] == world.actors.bob.address  # the owner of the asset, when reversed
    assert [(t["asset_id"], t["ancestor_id"], t["status"]) for t in d["tainted"]] == [
        (world.ids.grandchild, world.ids.child, "cleared")
    ]
    held = {(h["asset_id"], h["released_to"]) for h in d["held"]}
    assert (world.ids.child, world.actors.bob.address) in held  # released to the owner
    assert (world.ids.grandchild, None) in held  # still held: nobody released it yet
    child = get(api, f"/assets/{world.ids.child}")
    assert (child["standing"], child["standing_dispute_id"], child["asset_status"]) == (
        "clear",
        None,
        "active",
    )


def test_an_open_dispute_and_a_taint(api: TestClient, world: World) -> None:
    open_ = get(api, f"/assets/{world.contested}/disputes")
    assert open_["count"] == 1 and open_["as_of_block"] > 0
    d = open_["data"][0]
    assert (d["dispute_id"], d["status"], d["final"], d["answer_open"]) == (
        world.contested_dispute,
        "open",
        False,
        True,
    )
    assert d["final_at"] is None and d["arbiter"] is None and d["claimant_asset_id"] is None
    upheld = get(api, f"/disputes/{world.tainted_dispute}")
    assert [(t["asset_id"], t["status"]) for t in upheld["tainted"]] == [(world.tainted, "active")]
    assert {h["asset_id"] for h in upheld["held"]} >= {world.tainted}
    tainted = get(api, f"/assets/{world.tainted}")
    assert (tainted["standing"], tainted["asset_status"], tainted["standing_dispute_id"]) == (
        "tainted",
        "tainted",
        world.tainted_dispute,
    )
    assert tainted["disputes"] == []  # the claim was against its parent


def test_an_unknown_dispute_is_404(api: TestClient) -> None:
    r = api.get("/disputes/424242")
    assert r.status_code == 404 and "424242" in r.json()["detail"]
    assert api.get("/disputes/-1").status_code == 422


def test_purchasable_follows_standing_expiry_pause_and_lapse(api: TestClient, world: World) -> None:
    def offers(asset: int) -> dict[int, dict[str, Any]]:
        return {o["offer_id"]: o for o in get(api, f"/assets/{asset}")["offers"]}

    forest = get(api, f"/assets/{world.works['forest']}")
    assert forest["purchasable"] and all(o["purchasable"] for o in forest["offers"])
    lapsed = offers(world.lapsed_asset)[world.lapsed_offer]
    assert (lapsed["available"], lapsed["lapsed"], lapsed["purchasable"]) == (True, True, False)
    for not_clear in (world.contested, world.tainted, world.upheld_parent):
        body = get(api, f"/assets/{not_clear}")
        assert body["purchasable"] is False and not any(o["purchasable"] for o in body["offers"])
    expired = get(api, f"/assets/{world.expired}")
    assert (expired["asset_status"], expired["purchasable"]) == ("expired", False)
    assert expired["expires_at"] > 0 and all(
        o["available"] and not o["purchasable"] for o in expired["offers"]
    )
    # Search says the same, and filters on it.
    found = {a["asset_id"]: a for a in get(api, "/assets", limit=100)["data"]}
    assert found[world.works["forest"]]["purchasable"] and not found[world.lapsed_asset]["purchasable"]
    assert (found[world.expired]["asset_status"], found[world.expired]["expires_at"]) == (
        "expired",
        expired["expires_at"],
    )
    buyable = {a["asset_id"] for a in get(api, "/assets", purchasable=True, limit=100)["data"]}
    assert world.works["forest"] in buyable
    assert not buyable & {world.lapsed_asset, world.expired, world.tainted, world.contested, world.ids.root}


def test_a_tainted_asset_licenses_nobody(api: TestClient, world: World) -> None:
    for ask in (status, slow_status):
        owner = ask(api, world.tainted, world.actors.bob.address, "commercial")
        assert (owner["licensed"], owner["asset_status"], owner["expires_at"]) == (False, "tainted", None)


def test_an_expired_derivative_licenses_no_derivative_not_even_to_its_owner(
    api: TestClient, world: World
) -> None:
    hub = world.client.hub.functions
    for ask in (status, slow_status):
        brand = ask(api, world.expired, world.actors.brand.address, "display")
        assert (brand["licensed"], brand["license_ids"], brand["asset_status"]) == (False, [], "expired")
        assert ask(api, world.expired, world.actors.brand.address, "derivative")["licensed"] is False
        # As the hub's licenseStatus: past its expiry nobody may build on it, its owner included (the expiry
        # check comes before the owner check); the owner still holds the work itself for the other uses.
        owner = ask(api, world.expired, world.actors.alice.address, "derivative")
        assert (owner["licensed"], owner["asset_status"]) == (False, "expired")
        assert ask(api, world.expired, world.actors.alice.address, "display")["licensed"] is True
    assert hub.licenseStatus(world.expired, world.actors.alice.address, 2).call()[0] is False
    assert hub.licenseStatus(world.expired, world.actors.alice.address, 0).call()[0] is True


def test_a_renounced_licence_does_not_count(api: TestClient, world: World) -> None:
    for ask in (status, slow_status):
        got = ask(api, world.works["forest"], world.outsider.address)
        assert (got["licensed"], got["license_ids"], got["asset_status"]) == (False, [], "active")
    r = api.post(
        "/licenses/status",
        json={"items": [{"asset": world.works["forest"], "account": world.outsider.address}]},
    )
    assert r.status_code == 200 and r.json()["data"][0]["licensed"] is False
    held = get(api, f"/accounts/{world.outsider.address}")["licenses_held"]
    assert world.renounced_license not in [h["license_id"] for h in held]


def test_the_batch_agrees_with_single_answers(api: TestClient, world: World) -> None:
    questions = [
        (world.tainted, world.actors.bob.address, "display"),
        (world.expired, world.actors.alice.address, "derivative"),
        (world.expired, world.actors.brand.address, "commercial"),
        (world.ids.disputed, world.actors.alice.address, "display"),
        (world.contested, world.actors.brand.address, "commercial"),
        (world.ids.child, world.actors.alice.address, "commercial"),
    ]
    r = api.post(
        "/licenses/status",
        json={"items": [{"asset": x, "account": acc, "use": u} for x, acc, u in questions]},
    )
    assert r.status_code == 200
    assert r.json()["data"] == [status(api, *q) for q in questions]


def test_bonds_awarded_show_on_the_account(api: TestClient, world: World) -> None:
    claimant = get(api, f"/accounts/{world.actors.claimant.address}")
    assert claimant["bond_balances"] == [
        {"currency": ZERO, "credited": str(10**16), "withdrawn": str(10**16), "balance": "0"}
    ]
    bob = get(api, f"/accounts/{world.actors.bob.address}")
    assert bob["bond_balances"] == [
        {"currency": ZERO, "credited": str(10**16), "withdrawn": "0", "balance": str(10**16)}
    ]


def test_the_page_config_names_the_court(api: TestClient, world: World) -> None:
    assert get(api, "/config")["court"] == world.deployment.court
