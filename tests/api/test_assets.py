"""`/assets`: search ranking, filters, sorts, pages and facets; one certificate; lineage; badge."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.world import World


def search(api: TestClient, **params: Any) -> dict[str, Any]:
    r = api.get("/assets", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [a["asset_id"] for a in body["data"]]


def test_a_title_match_ranks_above_a_description_match(api: TestClient, world: World) -> None:
    body = search(api, q="tides")
    assert ids(body) == [world.works["tides"], world.works["harbour"]]
    assert body["data"][0]["rank"] > body["data"][1]["rank"] > 0


def test_search_matches_tags_stems_and_creator(api: TestClient, world: World) -> None:
    assert ids(search(api, q="nature")) == [world.works["forest"]]
    assert world.works["tides"] in ids(search(api, q="poems"))  # stemmed
    by_creator = ids(search(api, q=world.actors.bob.address.lower()))
    assert world.works["harbour"] in by_creator and world.works["tides"] not in by_creator
    assert search(api, q="nothing-like-this-anywhere")["count"] == 0


def test_search_text_is_never_query_syntax(api: TestClient) -> None:
    for q in ['"', "tides OR", "a* NEAR(", "-", "'); drop table assets; --", "ü∂ƒ"]:
        search(api, q=q)


def test_filters_narrow_the_results(api: TestClient, world: World) -> None:
    a = world.actors
    assert set(ids(search(api, kind="text"))) >= set(world.works.values())
    assert all(x["kind"] == "text" for x in search(api, kind="text")["data"])
    assert all(x["creator"] == a.bob.address for x in search(api, creator=a.bob.address)["data"])
    parents = ids(search(api, has_derivatives=True))
    assert parents[:2] == [world.upheld_parent, world.parent_of_expired] and parents[2:] == [
        world.ids.child,
        world.ids.root,
    ]
    not_clear = {world.contested, world.ids.disputed, world.upheld_parent, world.tainted}
    assert set(ids(search(api, disputed=True))) == not_clear
    assert ids(search(api, standing="tainted")) == [world.tainted]
    # Offer filters need an available offer still held by its seller: root's lapsed when it was sold on.
    extended = ids(search(api, tier="extended"))
    assert set(extended) == {world.ids.child, world.parent_of_expired, world.expired, world.upheld_parent}
    cheap = search(api, tier="standard", max_price=10**15, currency="0x" + "0" * 40)
    assert set(ids(cheap)) == {world.works["forest"], world.contested}  # not the lapsed offer
    assert all(x["min_price"] == str(10**15) for x in cheap["data"])


def test_sorts(api: TestClient, world: World) -> None:
    newest = ids(search(api, sort="newest"))
    assert newest == sorted(newest, reverse=True)
    sold = [x["licenses_sold"] for x in search(api, sort="most_licensed")["data"]]
    assert sold == sorted(sold, reverse=True) and sold[0] == 3
    priced = search(api, sort="price", currency="0x" + "0" * 40, tier="standard")["data"]
    prices = [int(x["min_price"]) for x in priced]
    assert prices == sorted(prices)


def test_pages_by_offset_and_cursor_cover_everything_once(api: TestClient) -> None:
    everything = ids(search(api, limit=100))
    seen: list[int] = []
    body = search(api, limit=3)
    while True:
        seen += ids(body)
        if body["next_cursor"] is None:
            break
        body = search(api, limit=3, cursor=body["next_cursor"])
    assert seen == everything
    assert ids(search(api, limit=3, offset=3)) == everything[3:6]


def test_facets_count_all_matching_assets(api: TestClient, world: World) -> None:
    body = search(api, limit=1)
    facets = body["facets"]
    assert sum(facets["kind"].values()) == body["count"]
    assert facets["standing"] == {"clear": body["count"] - 4, "disputed": 1, "upheld": 2, "tainted": 1}
    assert facets["tier"]["extended"] == 4
    assert facets["has_derivatives"]["true"] == 4


def test_page_size_and_cursor_limits(api: TestClient) -> None:
    r = api.get("/assets", params={"limit": 101})
    assert r.status_code == 422 and "100" in r.text
    r = api.get("/assets", params={"cursor": "not-a-cursor"})
    assert r.status_code == 400 and "cursor" in r.json()["detail"]
    r = api.get("/assets", params={"creator": "0xnope"})
    assert r.status_code == 400 and "creator" in r.json()["detail"]


def test_a_certificate_shows_offers_licences_checks_disputes_and_family(
    api: TestClient, world: World
) -> None:
    root = api.get(f"/assets/{world.ids.root}").json()
    assert root["owner"] == world.actors.bob.address and root["creator"] == world.actors.alice.address
    assert root["prompt_check"]["status"] == "passed"
    assert {o["offer_id"]: o["available"] for o in root["offers"]} == {
        world.ids.offers["standard"]: True,
        world.ids.offers["extended"]: True,
        world.ids.offers["paused"]: False,
    }
    # Alice published them and sold the certificate to bob: they lapsed.
    assert all(
        o["lapsed"] and not o["purchasable"] and o["seller"] == world.actors.alice.address
        for o in root["offers"]
    )
    assert (root["standing"], root["asset_status"], root["purchasable"], root["disputes"]) == (
        "clear",
        "active",
        False,
        [],
    )
    assert root["offers"][0]["terms"]["tier"] == "standard"
    assert root["licenses"]["total"] == 3 and root["licenses"]["by_tier"] == {"standard": 1, "extended": 2}
    assert [c["asset_id"] for c in root["children"]] == [world.ids.child]
    assert "prompt" not in root and root["prompt_commitment"].startswith("0x")
    disputed = api.get(f"/assets/{world.ids.disputed}").json()
    assert (disputed["standing"], disputed["asset_status"], disputed["purchasable"]) == (
        "upheld",
        "upheld",
        False,
    )
    assert [d["dispute_id"] for d in disputed["disputes"]] == [world.ids.disputes["upheld"]]
    assert disputed["standing_dispute_id"] == world.ids.disputes["upheld"]
    assert disputed["disputes"][0]["claimant"] == world.actors.claimant.address
    tides = api.get(f"/assets/{world.works['tides']}").json()
    assert tides["metadata"]["name"] == "Tides" and tides["media_type"] == "text/plain"


def test_an_unknown_asset_is_404_with_a_reason(api: TestClient) -> None:
    for path in ("/assets/424242", "/assets/424242/lineage", "/assets/424242/disputes"):
        r = api.get(path)
        assert r.status_code == 404 and "424242" in r.json()["detail"]
    assert api.get("/assets/not-a-number").status_code == 422


def test_lineage_gives_edges_and_effective_shares(api: TestClient, world: World) -> None:
    i = world.ids
    g = api.get(f"/assets/{i.grandchild}/lineage").json()
    nodes = {n["asset_id"]: n for n in g["nodes"]}
    assert nodes[i.grandchild]["relation"] == "self"
    # grandchild owes 5 % to child on its edge, and child's 10 % to root passes through.
    assert (nodes[i.child]["effective_share_bps"], nodes[i.root]["effective_share_bps"]) == (500, 1000)
    assert {(e["child_id"], e["parent_id"], e["share_bps"]) for e in g["edges"]} == {
        (i.grandchild, i.child, 500),
        (i.child, i.root, 1000),
    }
    assert g["royalty_stack_bps"] == 1500
    down = api.get(f"/assets/{i.root}/lineage").json()
    assert {n["asset_id"]: n["relation"] for n in down["nodes"]} == {
        i.root: "self",
        i.child: "descendant",
        i.grandchild: "descendant",
    }


def test_badges(api: TestClient, world: World) -> None:
    def badge(asset: int, **params: Any) -> str:
        r = api.get(f"/assets/{asset}/badge.svg", params=params)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        return r.text

    assert ">registered<" in badge(world.ids.root)
    assert ">disputed<" in badge(world.contested)
    assert ">upheld<" in badge(world.ids.disputed)
    assert ">tainted<" in badge(world.tainted)
    assert 'fill="#c62828"' in badge(world.tainted)  # coloured like upheld
    assert ">expired<" in badge(world.expired)
    assert ">unlicensed<" in badge(world.tainted, account=world.actors.bob.address)  # not even the owner
    assert ">unregistered<" in badge(999_999)
    assert ">licensed<" in badge(world.ids.root, account=world.actors.claimant.address, use="commercial")
    assert ">unlicensed<" in badge(world.ids.root, account=world.outsider.address)
