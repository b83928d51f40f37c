"""Creator profiles (`PUT/GET /profiles/{address}`, `GET /profiles?address=`), on both backends: a profile is
saved only with its address's fresh EIP-712 signature over every field; a replayed, expired, tampered or
foreign signature is refused with 401; lengths and https-only URLs are checked (422); answers are JSON."""

import time
from typing import Any

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from api.routes.profiles import PROFILE_FIELDS, PROFILE_TYPE
from api.wallet_auth import new_nonce, sign_typed_data, typed_data
from genip.chain.accounts import dev_account
from tests.api.world import World

ALICE = dev_account(1)
BOB = dev_account(2)


def signed(
    world: World,
    who: LocalAccount,
    *,
    name: str = "Ada Lumen",
    bio: str = "Paints orbits.",
    avatar_url: str | None = "https://images.example.org/ada.png",
    links: tuple[str, ...] = ("https://ada.example.org", "https://social.example/@ada"),
    expiry: int | None = None,
    signer: LocalAccount | None = None,
) -> dict[str, Any]:
    """A PUT body for `who`'s profile signed by `signer` (default `who`) as a wallet would sign it."""
    nonce, expiry = new_nonce(), expiry or int(time.time()) + 300
    message = {
        "action": "update profile",
        "account": who.address,
        "name": name,
        "bio": bio,
        "avatarUrl": avatar_url or "",
        "links": "\n".join(links),
        "nonce": nonce,
        "expiry": expiry,
    }
    document = typed_data(world.deployment.chain_id, PROFILE_TYPE, PROFILE_FIELDS, message)
    return {
        "name": name,
        "bio": bio,
        "avatar_url": avatar_url,
        "links": list(links),
        "nonce": nonce,
        "expiry": expiry,
        "signature": sign_typed_data(document, (signer or who).key),
    }


def test_a_signed_profile_is_saved_and_read_back(api: TestClient, world: World) -> None:
    body = signed(world, ALICE)
    saved = api.put(f"/profiles/{ALICE.address.lower()}", json=body)
    assert saved.status_code == 200, saved.text
    read = api.get(f"/profiles/{ALICE.address}").json()
    assert read == saved.json()
    assert (read["address"], read["name"], read["bio"]) == (ALICE.address, "Ada Lumen", "Paints orbits.")
    assert read["avatar_url"] == "https://images.example.org/ada.png"
    assert read["links"] == ["https://ada.example.org", "https://social.example/@ada"]
    assert (read["signature"], read["nonce"], read["chain_id"]) == (
        body["signature"],
        body["nonce"],
        world.deployment.chain_id,
    )
    many = api.get("/profiles", params=[("address", ALICE.address), ("address", BOB.address.lower())])
    assert [p["address"] for p in many.json() if p["address"] == ALICE.address] == [ALICE.address]


def test_a_newer_signed_profile_replaces_the_old_one(api: TestClient, world: World) -> None:
    assert api.put(f"/profiles/{ALICE.address}", json=signed(world, ALICE, name="First")).status_code == 200
    assert api.put(f"/profiles/{ALICE.address}", json=signed(world, ALICE, name="Second")).status_code == 200
    assert api.get(f"/profiles/{ALICE.address}").json()["name"] == "Second"


def test_a_replayed_signature_is_refused(api: TestClient, world: World) -> None:
    body = signed(world, ALICE, name="Replay me")
    assert api.put(f"/profiles/{ALICE.address}", json=body).status_code == 200
    assert api.put(f"/profiles/{ALICE.address}", json=signed(world, ALICE, name="Later")).status_code == 200
    replay = api.put(f"/profiles/{ALICE.address}", json=body)
    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]
    assert api.get(f"/profiles/{ALICE.address}").json()["name"] == "Later"


def test_a_signature_of_another_wallet_or_over_other_words_is_refused(api: TestClient, world: World) -> None:
    foreign = api.put(f"/profiles/{BOB.address}", json=signed(world, BOB, name="Not Bob", signer=ALICE))
    assert foreign.status_code == 401
    assert "not" in foreign.json()["detail"] and BOB.address in foreign.json()["detail"]
    tampered = {**signed(world, BOB, name="Bob"), "name": "Bob the Impostor"}
    assert api.put(f"/profiles/{BOB.address}", json=tampered).status_code == 401
    unsigned = {k: v for k, v in signed(world, BOB).items() if k != "signature"}
    assert api.put(f"/profiles/{BOB.address}", json=unsigned).status_code == 422
    assert api.get(f"/profiles/{BOB.address}").status_code == 404


def test_an_expired_or_far_future_signature_is_refused(api: TestClient, world: World) -> None:
    stale = api.put(f"/profiles/{BOB.address}", json=signed(world, BOB, expiry=int(time.time()) - 5))
    ahead = api.put(f"/profiles/{BOB.address}", json=signed(world, BOB, expiry=int(time.time()) + 86_400))
    assert (stale.status_code, ahead.status_code) == (401, 401)
    assert "expired" in stale.json()["detail"] and "ahead" in ahead.json()["detail"]


def test_lengths_and_https_only_urls_are_checked(api: TestClient, world: World) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "x" * 61}, "longer than 60"),
        ({"name": "   "}, "name is empty"),
        ({"name": "two\nlines"}, "control characters"),
        ({"bio": "b" * 501}, "longer than 500"),
        ({"avatar_url": "http://images.example.org/a.png"}, "https://"),
        ({"links": ("javascript:alert(1)",)}, "https://"),
        ({"links": ("https://user:pw@example.org",)}, "user name"),
        ({"links": tuple(f"https://e{i}.example.org" for i in range(6))}, "at most 5"),
        ({"links": ("https://example.org/" + "a" * 300,)}, "longer than 300"),
    ]
    for change, words in cases:
        answer = api.put(f"/profiles/{BOB.address}", json=signed(world, BOB, **change))
        assert answer.status_code == 422, change
        assert words in str(answer.json()["detail"]), (change, answer.json())
    assert api.get(f"/profiles/{BOB.address}").status_code == 404


def test_malformed_and_unknown_addresses_answer_json(api: TestClient, world: World) -> None:
    bad = api.get("/profiles/0x1234")
    assert bad.status_code == 400 and "address" in bad.json()["detail"]
    assert api.put("/profiles/nope", json=signed(world, BOB)).status_code == 400
    nobody = dev_account(7).address
    unknown = api.get(f"/profiles/{nobody}")
    assert unknown.status_code == 404 and unknown.json() == {"detail": f"{nobody} has no profile"}
    assert api.get("/profiles", params={"address": "0xnope"}).status_code == 400
