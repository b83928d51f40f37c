"""The page's own endpoints (`api.page`; config, uploads, metadata in `api.routes`)."""

import httpx
import pytest

from api.routes import uploads
from genip.chain.types import AI_KINDS, WorkKind
from genip.content.digest import digest_bytes
from genip.db.engine import make_engine
from genip.terms import DEFAULT_EXTENDED_REV_SHARE_BPS, Tier, terms_for
from tests.api.upload_auth import platform_key
from tests.helpers import CREATOR
from tests.web.conftest import Stack
from tests.web.test_marketplace import _png as png_bytes


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    owner = platform_key(make_engine(f"sqlite:///{stack.data_dir / 'genip.db'}"), stack.deployment.chain_id)
    return httpx.Client(base_url=stack.base_url, timeout=30, headers=owner)  # uploads need an owner


def test_the_page_is_served_at_the_root_and_never_cached(api: httpx.Client) -> None:
    response = api.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


def test_config_names_the_deployment(api: httpx.Client, stack: Stack) -> None:
    config = api.get("/config").json()
    assert config["chain_id_hex"] == hex(stack.deployment.chain_id)
    assert config["registry"] == stack.deployment.registry
    assert [c["symbol"] for c in config["currencies"]] == ["ETH", "gUSD"]
    assert set(config["terms"]) == {"standard", "extended", "generation"}
    assert config["terms"]["standard"]["document_uri"].startswith("ipfs://")


def test_config_states_the_servers_facts_the_page_renders(api: httpx.Client) -> None:
    """Kinds, tiers, uses and upload limits come from the server's own constants: the page copies none."""
    config = api.get("/config").json()
    assert [(k["kind"], k["value"]) for k in config["kinds"]] == [(k.name.lower(), k.value) for k in WorkKind]
    for kind in config["kinds"]:
        assert kind["suffixes"] == sorted(uploads.ALLOWED_SUFFIXES[WorkKind[kind["kind"].upper()]])
        assert kind["prompt_required"] is (WorkKind[kind["kind"].upper()] in AI_KINDS)
    assert config["uses"] == ["display", "commercial", "derivative"]
    assert config["max_upload_bytes"] == uploads.MAX_UPLOAD_BYTES
    for name, template in config["terms"].items():
        terms = terms_for(Tier[name.upper()])
        assert template["tier"] == name and template["value"] == terms.tier
        assert (template["commercial_use"], template["derivatives_allowed"], template["transferable"]) == (
            terms.commercial_use,
            terms.derivatives_allowed,
            terms.transferable,
        )
        assert template["rev_share_bps"] == terms.rev_share_bps
        assert template["document_hash"] == "0x" + terms.document_hash.hex()
    assert config["terms"]["extended"]["rev_share_bps"] == DEFAULT_EXTENDED_REV_SHARE_BPS


def test_an_upload_is_hashed_fingerprinted_and_stored(api: httpx.Client) -> None:
    import numpy as np

    body = png_bytes(np.tile(np.arange(256, dtype=np.uint8), (64, 1)))
    response = api.post("/uploads", files={"file": ("ramp.png", body, "image/png")}, data={"kind": "image"})
    assert response.status_code == 200, response.text
    upload = response.json()
    digest = digest_bytes(body)
    assert upload["sha256"] == digest.sha256_hex and upload["cid"] == digest.cid
    assert upload["media_type"] == "image/png"
    assert upload["perceptual_hash"]["algorithm"] == "pdq"
    assert upload["near_duplicates"] == []
    refused = api.get(f"/ipfs/{digest.cid}")  # the original is sealed: never served, even before registering
    assert refused.status_code == 403 and body not in refused.content
    assert "original" in refused.json()["detail"]
    preview = api.get(f"/ipfs/{upload['preview_cid']}")  # its public face: a watermarked JPEG
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/jpeg"

    commitment = "0x" + "ab" * 32
    meta = api.post(
        "/metadata",
        json={
            "content_cid": digest.cid,
            "name": "Ramp",
            "prompt_commitment": commitment,
            "creator": CREATOR.address,
        },
    )
    assert meta.status_code == 200, meta.text
    document = meta.json()["metadata"]
    assert document["genip"]["content"]["sha256"] == digest.sha256_hex
    assert document["genip"]["promptCommitment"] == commitment
    assert document["image"] == f"ipfs://{upload['preview_cid']}"  # the metadata shows the preview
    assert api.get(f"/ipfs/{meta.json()['metadata_cid']}").json() == document


def test_uploads_of_the_wrong_type_or_size_are_refused(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = api.post(
        "/uploads", files={"file": ("x.exe", b"MZ", "application/octet-stream")}, data={"kind": "image"}
    )
    assert wrong.status_code == 415
    fake = api.post("/uploads", files={"file": ("x.png", b"not a png", "image/png")}, data={"kind": "image"})
    assert fake.status_code == 415
    assert (
        api.post(
            "/uploads", files={"file": ("x.txt", b"hi", "text/plain")}, data={"kind": "poem"}
        ).status_code
        == 422
    )
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    big = api.post("/uploads", files={"file": ("x.txt", b"x" * 100, "text/plain")}, data={"kind": "text"})
    assert big.status_code == 413


def test_metadata_needs_an_upload_first(api: httpx.Client) -> None:
    cid = digest_bytes(b"never uploaded").cid
    response = api.post(
        "/metadata", json={"content_cid": cid, "name": "X", "prompt_commitment": "0x" + "01" * 32}
    )
    assert response.status_code == 404
