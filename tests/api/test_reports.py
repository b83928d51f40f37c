"""Reports and takedowns (`POST /reports`, `genip.reports`) on the verdict chain of real images, both
backends.

The chain (`tests.api.test_match_verdicts`): Alice's astronaut, Bob's 600 px copy of it (a possible copy), the
brand's licence on the original, an outsider's licence on the copy only. A platform made with
`genip.platforms.add_platform` reports posts: the brand's re-encode is `licensed`, an outsider's `unlicensed`,
Bob's re-upload names his copy as the claim to bring; Alice (the owner) lists and resolves reports with wallet
signatures, and the resolution's one outbox event reaches the platform's real receiver as `report.resolved`.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select, update
from web3.logs import DISCARD

from api.app import create_app
from api.routes.reports import (
    READ_FIELDS,
    READ_TYPE,
    RESOLVE_FIELDS,
    RESOLVE_TYPE,
    read_message,
    resolve_message,
)
from api.settings import ApiSettings
from api.wallet_auth import new_nonce, sign_typed_data, typed_data
from genip.chain import actions
from genip.db import models
from genip.db.engine import make_engine
from genip.matching.normalize import load_image
from genip.matching.perceptual import hash_query
from genip.platforms import add_platform
from genip.reports import evidence_hash
from tests.api.test_match import encode, picture
from tests.api.test_match_verdicts import OUTSIDER, VerdictWorld, _shrunk, chain, databases
from tests.webhooks.conftest import run_worker, subscribe
from tests.webhooks.receiver import receiver

__all__ = ["chain", "databases"]  # the verdict chain's module fixtures, used here


class Ctx:
    def __init__(self, vw: VerdictWorld, client: TestClient, url: str, key: str, other_key: str) -> None:
        self.vw, self.client, self.url, self.key, self.other_key = vw, client, url, key, other_key
        self.chain_id = vw.world.deployment.chain_id
        self.platform_id = 0


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def ctx(request: pytest.FixtureRequest, chain: VerdictWorld, databases: dict[str, str]) -> Iterator[Ctx]:
    url = databases[request.param]
    engine = make_engine(url)
    chain_id = chain.world.deployment.chain_id
    issued = add_platform(engine, chain_id, "Pixels", chain.world.actors.platform.address)
    other = add_platform(engine, chain_id, "Elsewhere", chain.world.outsider.address)
    engine.dispose()
    with TestClient(
        create_app(
            ApiSettings(data_dir=chain.world.data_dir, database_url=url, api_webhook_private_urls=True)
        )
    ) as client:
        c = Ctx(chain, client, url, issued.key, other.key)
        c.platform_id = issued.platform.id
        yield c


def _jpeg(image: Image.Image) -> bytes:
    return encode(image, "JPEG", quality=60)


def report(
    c: Ctx, post: str, data: bytes | None, account: str | None, key: str | None = None, **form: str
) -> Any:
    headers = {"Authorization": f"Bearer {key or c.key}"}
    files = {"image": ("post.jpg", data, "image/jpeg")} if data is not None else None
    fields = {"post_id": post, **({"account": account} if account else {}), **form}
    if files is None:  # multipart even without a file, as a platform's form post would be
        return c.client.post("/reports", data=fields, headers=headers, files={"x": ("", b"")})
    return c.client.post("/reports", data=fields, files=files, headers=headers)


def signed_headers(c: Ctx, who: LocalAccount) -> dict[str, str]:
    nonce, expiry = new_nonce(), int(time.time()) + 300
    document = typed_data(c.chain_id, READ_TYPE, READ_FIELDS, read_message(who.address, nonce, expiry))
    return {
        "X-Genip-Account": who.address,
        "X-Genip-Nonce": nonce,
        "X-Genip-Expiry": str(expiry),
        "X-Genip-Signature": sign_typed_data(document, who.key),
    }


def resolution(c: Ctx, who: LocalAccount, report_id: int, action: str) -> dict[str, Any]:
    nonce, expiry = new_nonce(), int(time.time()) + 300
    message = resolve_message(who.address, report_id, action, nonce, expiry)
    signature = sign_typed_data(typed_data(c.chain_id, RESOLVE_TYPE, RESOLVE_FIELDS, message), who.key)
    return {
        "account": who.address,
        "action": action,
        "nonce": nonce,
        "expiry": expiry,
        "signature": signature,
    }


def test_without_a_working_key_a_report_is_refused(ctx: Ctx) -> None:
    data = _jpeg(picture("astronaut"))
    bare = ctx.client.post(
        "/reports", data={"post_id": "p-0"}, files={"image": ("a.jpg", data, "image/jpeg")}
    )
    assert bare.status_code == 401 and "Bearer" in bare.headers["www-authenticate"], bare.text
    wrong = report(ctx, "p-0", data, None, key="gip_000000000000_" + "A" * 43)
    assert wrong.status_code == 401 and wrong.json()["detail"]


def test_a_licensed_uploader_gets_licensed_and_the_owner_can_resolve_nothing_claimable(ctx: Ctx) -> None:
    brand = ctx.vw.world.actors.brand
    answer = report(ctx, "post-licensed", _jpeg(picture("astronaut")), brand.address)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["verdict"], body["asset_id"], body["state"]) == ("licensed", ctx.vw.original, "open")
    assert body["owner"] == ctx.vw.world.actors.alice.address and body["platform"] == "Pixels"
    assert body["claim"] is None and body["source"] == "image" and body["uploader"] == brand.address


def test_an_unlicensed_uploader_gets_unlicensed_by_image_and_by_hash_and_a_retry_is_the_same_report(
    ctx: Ctx,
) -> None:
    data = _jpeg(picture("astronaut"))
    first = report(ctx, "post-unlicensed", data, OUTSIDER.address)
    assert first.status_code == 201, first.text
    assert (first.json()["verdict"], first.json()["asset_id"]) == ("unlicensed", ctx.vw.original)
    again = report(ctx, "post-unlicensed", data, OUTSIDER.address)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]

    pdq = hash_query(load_image(data)).hash.hex()
    by_hash = report(ctx, "post-hash", None, OUTSIDER.address, pdq=pdq)
    assert by_hash.status_code == 201, by_hash.text
    assert (by_hash.json()["verdict"], by_hash.json()["asset_id"], by_hash.json()["source"]) == (
        "unlicensed",
        ctx.vw.original,
        "hashes",
    )
    assert by_hash.json()["pdq"] == pdq


def test_bad_reports_are_refused_with_json(ctx: Ctx) -> None:
    data = _jpeg(picture("astronaut"))
    both = report(ctx, "p-bad", data, None, pdq="ab" * 32)
    neither = report(ctx, "p-bad", None, None)
    nul = report(ctx, "p\x00bad", data, None)
    account = report(ctx, "p-bad", data, "0x" + "Ab" * 20)
    assert [r.status_code for r in (both, neither, nul, account)] == [422, 422, 422, 400]
    assert all(r.json()["detail"] for r in (both, neither, nul, account))


def test_the_uploaders_registered_copy_is_the_claim_with_the_reports_evidence_hash(ctx: Ctx) -> None:
    bob = ctx.vw.world.actors.bob
    answer = report(ctx, "post-bob", _jpeg(_shrunk(picture("astronaut"), 600)), bob.address)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["verdict"], body["asset_id"]) == ("unlicensed", ctx.vw.original)
    claim = body["claim"]
    assert (claim["asset_id"], claim["claimant_asset_id"]) == (ctx.vw.copy, ctx.vw.original)
    assert claim["evidence_hash"] == evidence_hash(claim["evidence"])
    assert claim["evidence"]["post_id"] == "post-bob" and claim["evidence"]["uploader"] == bob.address
    assert claim["evidence"]["copy"]["asset_id"] == ctx.vw.copy


def test_an_unregistered_upload_is_stored_closed_and_cannot_be_resolved(ctx: Ctx) -> None:
    answer = report(ctx, "post-cat", _jpeg(picture("chelsea")), OUTSIDER.address)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["verdict"], body["asset_id"], body["state"], body["owner"]) == (
        "unregistered",
        None,
        "closed",
        None,
    )
    alice = ctx.vw.world.actors.alice
    refused = ctx.client.post(
        f"/reports/{body['id']}/resolution", json=resolution(ctx, alice, body["id"], "keep")
    )
    assert refused.status_code == 409 and "nothing to resolve" in refused.json()["detail"]


def test_only_the_platform_and_the_owner_read_a_report(ctx: Ctx) -> None:
    made = report(ctx, "post-read", _jpeg(picture("astronaut")), OUTSIDER.address)
    assert made.status_code == 201, made.text
    report_id = made.json()["id"]
    a = ctx.vw.world.actors
    by_key = ctx.client.get(f"/reports/{report_id}", headers={"Authorization": f"Bearer {ctx.key}"})
    assert by_key.status_code == 200 and by_key.json()["post_id"] == "post-read"
    other = ctx.client.get(f"/reports/{report_id}", headers={"Authorization": f"Bearer {ctx.other_key}"})
    assert other.status_code == 404
    assert ctx.client.get(f"/reports/{report_id}").status_code == 401
    assert ctx.client.get(f"/reports/{report_id}", headers=signed_headers(ctx, a.alice)).status_code == 200
    assert ctx.client.get(f"/reports/{report_id}", headers=signed_headers(ctx, a.bob)).status_code == 403

    listed = ctx.client.get(f"/accounts/{a.alice.address}/reports", headers=signed_headers(ctx, a.alice))
    assert listed.status_code == 200, listed.text
    mine = listed.json()
    assert report_id in [r["id"] for r in mine] and all(r["owner"] == a.alice.address for r in mine)
    assert [r["id"] for r in mine] == sorted((r["id"] for r in mine), reverse=True)
    assert "post-cat" not in [r["post_id"] for r in mine]  # unregistered: nobody's
    assert ctx.client.get(f"/accounts/{a.alice.address}/reports").status_code == 401
    foreign = ctx.client.get(f"/accounts/{a.alice.address}/reports", headers=signed_headers(ctx, a.bob))
    assert foreign.status_code == 403
    replay = signed_headers(ctx, a.alice)
    assert ctx.client.get(f"/accounts/{a.alice.address}/reports", headers=replay).status_code == 200
    assert ctx.client.get(f"/accounts/{a.alice.address}/reports", headers=replay).status_code == 401


def _events(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    e = models.WebhookEvent
    with engine.connect() as c:
        rows = [(r.id, r.type) for r in c.execute(select(e.id, e.type).where(e.type == "report.resolved"))]
    engine.dispose()
    return rows


def test_the_owner_resolves_once_and_the_platform_gets_report_resolved(ctx: Ctx) -> None:
    a = ctx.vw.world.actors
    made = report(ctx, "post-takedown", _jpeg(_shrunk(picture("astronaut"), 500)), OUTSIDER.address)
    assert made.status_code == 201, made.text
    report_id = made.json()["id"]
    engine = make_engine(ctx.url)
    with receiver() as hooks:
        # Each platform subscribes over the API (its key); the operator subscribes with the CLI's function.
        subscribed = {}
        for path, key in (("/pixels", ctx.key), ("/elsewhere", ctx.other_key)):
            made_sub = ctx.client.post(
                "/webhooks",
                json={"url": hooks.url(path), "event_types": ["report.resolved"]},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert made_sub.status_code == 201, made_sub.text
            subscribed[path] = made_sub.json()["id"]
            hooks.secrets[path] = made_sub.json()["secret"]
        mine, theirs = subscribed["/pixels"], subscribed["/elsewhere"]
        operator = subscribe(engine, hooks, "/operator", chain_id=ctx.chain_id, events=["report.resolved"])
        s = models.WebhookSubscription
        before = _events(ctx.url)

        url = f"/reports/{report_id}/resolution"
        not_owner = ctx.client.post(url, json=resolution(ctx, a.bob, report_id, "take_down"))
        assert not_owner.status_code == 403, not_owner.text
        signed = resolution(ctx, a.alice, report_id, "take_down")
        done = ctx.client.post(url, json=signed)
        assert done.status_code == 200, done.text
        assert (done.json()["state"], done.json()["resolution"], done.json()["resolved_by"]) == (
            "resolved",
            "take_down",
            a.alice.address,
        )
        replayed = ctx.client.post(url, json=signed)
        assert replayed.status_code == 401 and "already used" in replayed.json()["detail"]
        twice = ctx.client.post(url, json=resolution(ctx, a.alice, report_id, "keep"))
        assert twice.status_code == 409

        new = [event for event in _events(ctx.url) if event not in before]
        assert len(new) == 1
        d = models.WebhookDelivery
        with engine.connect() as c:
            targets = c.execute(select(d.subscription_id).where(d.event_id == new[0][0])).scalars().all()
            assert list(targets) == [mine]
            assert c.execute(select(func.count()).select_from(models.Report)).scalar_one() >= 1

        run_worker(engine)
        got = hooks.wait_for(1)
        assert [(r.path, r.type) for r in got] == [("/pixels", "report.resolved")]
        data = got[0].data
        assert (data["report_id"], data["action"], data["post_id"], data["platform"]) == (
            report_id,
            "take_down",
            "post-takedown",
            "Pixels",
        )
        assert got[0].webhook_id == new[0][0]
        with engine.begin() as c:  # leave no live subscription behind for the other tests
            c.execute(update(s).where(s.id.in_([mine, theirs, operator])).values(removed_at=func.now()))
    engine.dispose()


def test_the_court_takes_the_claim_a_report_offers(ctx: Ctx) -> None:
    """The claim as the dashboard sends it: against the uploader's copy, naming the reported work, with the
    report's evidence hash (raised once, on the shared chain, after the SQLite run's tests)."""
    if not ctx.url.startswith("sqlite"):
        pytest.skip("the chain is shared by both backends: the claim is raised once")
    bob, alice = ctx.vw.world.actors.bob, ctx.vw.world.actors.alice
    made = report(ctx, "post-bob", _jpeg(_shrunk(picture("astronaut"), 600)), bob.address)
    claim = made.json()["claim"]
    client = ctx.vw.world.client
    outcome = actions.raise_dispute(
        client,
        alice,
        claim["asset_id"],
        bytes.fromhex(claim["evidence_hash"].removeprefix("0x")),
        claimant_asset_id=claim["claimant_asset_id"],
    )
    raised = client.court.events.DisputeRaised().process_receipt(outcome.receipt, errors=DISCARD)[0].args
    assert (raised.assetId, raised.claimant, raised.claimantAssetId) == (
        ctx.vw.copy,
        alice.address,
        ctx.vw.original,
    )
    assert "0x" + bytes(raised.evidenceHash).hex() == claim["evidence_hash"]
