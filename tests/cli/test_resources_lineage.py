"""Resources found become lineage (issue #21 part 2), end to end on a real anvil through the `genip` CLI:

a LoRA maker registers a small real safetensors LoRA and offers a generation licence on it; a second creator
registers a PNG whose A1111 `parameters` name that LoRA's AutoV2 hash. `genip register` proposes the LoRA,
refuses without a licence (naming the exact commands), buys the generation licence in the same flow with
`--buy-licence` and registers the image as a derivative; revenue paid to the image reaches the LoRA maker to
the wei; a second image registers under the same (reusable) licence without buying again. The override
(`--not-derived-from`) is recorded in the metadata and shown by `GET /assets/{id}`; a generation offer on an
image is refused; unknown and ambiguous resources never block a registration."""

import hashlib
import io
import json
import struct
from pathlib import Path

import skimage.data
from fastapi.testclient import TestClient
from PIL import Image, PngImagePlugin

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.types import LicenseUse, Work, WorkKind
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.storage import open_store
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.runner import Indexer
from tests.cli.conftest import Genip
from tests.helpers import BRAND, CREATOR, CREATOR_2, ETH, GAME, TREASURY, split

LORA_PRICE = 10**16  # 0.01 ETH
REV_SHARE = 2_000  # 20 % of every generated work's revenue
REVENUE = 10**18  # 1 ETH paid to each generated image


def safetensors_lora(path: Path) -> Path:
    """A small real safetensors LoRA: 8-byte little-endian header length, JSON header, tensor bytes."""
    data = struct.pack("<4f", 0.5, -0.25, 1.0, 2.0)
    header = {
        "__metadata__": {"ss_network_module": "networks.lora", "ss_base_model_version": "sdxl_base_v1-0"},
        "lora_unet_down.lora_up.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, len(data)]},
    }
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)
    return path


def a1111_png(path: Path, picture: str, lora_hash: str, *, prompt: str = "a fox on a retro poster") -> Path:
    """A skimage picture saved as a PNG whose A1111 `parameters` name the LoRA by `lora_hash`."""
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        f"{prompt}\nNegative prompt: blurry\nSteps: 28, Sampler: Euler a, Seed: 7, Model: sdxl_base, "
        f'Lora hashes: "Retro Poster: {lora_hash}"',
    )
    image = Image.fromarray(getattr(skimage.data, picture)()).convert("RGB").resize((256, 256))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    path.write_bytes(out.getvalue())
    return path


def index(genip: Genip, client: GenIPClient) -> str:
    """Index the chain, with metadata, into the settings' database (as `genip index` would); its URL."""
    url = f"sqlite:///{genip.data_dir / 'genip.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = open_store(genip.data_dir, None)
    filler = MetadataFiller(engine, client.deployment.chain_id, store, retry_seconds=0)
    Indexer(engine, IndexerConfig.from_deployment(client.deployment), after_step=filler.fill).run(once=True)
    filler.fill()
    engine.dispose()
    return url


def hub_balance(client: GenIPClient, account: str) -> int:
    return int(client.hub.functions.balanceOf(account, ETH).call())


def register_lora(genip: Genip, tmp_path: Path) -> tuple[int, str, int]:
    """The LoRA (asset id, sha256 hex) and its generation offer id."""
    lora = safetensors_lora(tmp_path / "retro_poster.safetensors")
    out = genip("register", str(lora), "--kind", "model", "--title", "Retro Poster", "--json", key=CREATOR)
    registered = out.json()
    asset, sha256 = int(registered["asset_id"]), registered["sha256"].removeprefix("0x")
    assert sha256 == hashlib.sha256(lora.read_bytes()).hexdigest()
    offer = genip(
        "offer", str(asset), "--tier", "generation", "--price", "0.01", "--rev-share", "20%", "--json",
        key=CREATOR,
    ).json()  # fmt: skip
    assert offer["tier"] == "generation" and offer["rev_share_bps"] == REV_SHARE
    return asset, sha256, int(offer["offer_id"])


def test_a_generated_image_buys_the_generation_licence_and_pays_the_lora_maker_to_the_wei(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    lora, sha256, offer = register_lora(genip, tmp_path)
    index(genip, client)
    image = a1111_png(tmp_path / "poster.png", "coffee", sha256[:10])  # AutoV2: 10 hex digits

    # Without a licence: refused, one line per resource, the exact commands, nothing sent.
    nonce = client.w3.eth.get_transaction_count(CREATOR_2.address)
    refused = genip("register", str(image), "--title", "Poster", "--prompt", "p", key=CREATOR_2)
    error = refused.error()
    told = " ".join(refused.stderr.split())
    assert f"asset {lora} (LoRA 'Retro Poster', by {CREATOR.address}): you hold no licence on it" in told
    assert f"its cheapest: generation offer {offer} at 0.01 ETH" in told
    # The commands repeat the invocation (every option given) with the exact offer ids shown.
    assert f"genip register {image} --title Poster --prompt p --buy-licence {offer}" in error
    assert f"genip register {image} --title Poster --prompt p --not-derived-from {lora} --reason WHY" in error
    assert client.w3.eth.get_transaction_count(CREATOR_2.address) == nonce

    # --buy-licence: bought in the same flow, then registered as a derivative under it.
    out = genip(
        "register", str(image), "--title", "Poster", "--prompt", "p", "--buy-licence", str(offer), "--json",
        key=CREATOR_2,
    )  # fmt: skip
    first = out.json()
    told = " ".join(out.stderr.split())
    assert f"buying a generation licence on asset {lora} (LoRA 'Retro Poster', by {CREATOR.address})" in told
    assert f"under offer {offer} for 0.01 ETH" in told
    (parent,) = first["parents"]
    licence = parent["license_id"]
    assert parent == {"asset_id": lora, "license_id": licence}
    assert f"bought licence {licence}" in told
    assert first["resources_used"][0]["asset_id"] == lora
    assert first["resources_used"][0]["matched_by"] == "sha256"
    child = int(first["asset_id"])
    shown = genip("show", str(child), "--json").json()
    assert shown["parents"] == [{"asset_id": lora, "license_id": licence, "share_bps": REV_SHARE}]
    assert shown["royalty_stack_bps"] == REV_SHARE

    # Revenue paid to the image reaches the LoRA maker, to the wei.
    maker, owner, treasury = (hub_balance(client, a.address) for a in (CREATOR, CREATOR_2, TREASURY))
    paid = genip("pay", str(child), "1", "--json", key=GAME).json()
    fee, cuts, rest = split(REVENUE, 250, {lora: REV_SHARE})
    assert int(paid["fee"]) == fee
    assert hub_balance(client, CREATOR.address) - maker == cuts[lora] == 195 * 10**15
    assert hub_balance(client, CREATOR_2.address) - owner == rest
    assert hub_balance(client, TREASURY.address) - treasury == fee

    # The generation licence is reusable: a second image registers under it, nothing bought.
    second = a1111_png(tmp_path / "poster 2.png", "rocket", sha256[:10], prompt="a rocket, retro poster")
    out = genip("register", str(second), "--title", "Rocket", "--prompt", "p", "--json", key=CREATOR_2)
    again = out.json()
    told = " ".join(out.stderr.split())
    assert again["parents"] == [{"asset_id": lora, "license_id": licence}]
    assert f"under your licence {licence}" in told and "buying" not in told
    assert int(client.license_token.functions.totalLicenses().call()) == licence  # no second licence
    maker = hub_balance(client, CREATOR.address)
    genip("pay", str(again["asset_id"]), "1", key=GAME).ok()
    assert hub_balance(client, CREATOR.address) - maker == cuts[lora]
    # Still licensed for derivatives after two (the hub's own word).
    licensed, held, _ = client.hub.functions.licenseStatus(
        lora, CREATOR_2.address, int(LicenseUse.DERIVATIVE)
    ).call()
    assert licensed and held == licence
    # The index agrees: no `LicenseUsed` for a generation licence, so `genip.rules` keeps counting it.
    url = index(genip, client)
    with TestClient(create_app(ApiSettings(data_dir=genip.data_dir, database_url=url))) as api:
        status = api.get(
            "/licenses/status", params={"asset": lora, "account": CREATOR_2.address, "use": "derivative"}
        ).json()
        licences = api.get(f"/assets/{lora}").json()
    assert status["licensed"] is True and status["license_ids"] == [licence]
    assert {e["asset_id"] for e in licences["children"]} == {child, int(again["asset_id"])}


def test_declared_not_derived_from_is_recorded_and_shown(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    lora, sha256, _ = register_lora(genip, tmp_path)
    index(genip, client)
    image = a1111_png(tmp_path / "chelsea.png", "chelsea", sha256[:10])
    reason = "rendered with my own LoRA of the same name"
    out = genip(
        "register", str(image), "--title", "Cat", "--prompt", "p",
        "--not-derived-from", str(lora), "--reason", reason, "--json", key=BRAND,
    )  # fmt: skip
    registered = out.json()
    assert registered["parents"] == []
    assert registered["declared_not_derived_from"] == [{"asset_id": lora, "reason": reason}]
    assert f"declared not derived from asset {lora}: {reason}" in " ".join(out.stderr.split())
    url = index(genip, client)
    with TestClient(create_app(ApiSettings(data_dir=genip.data_dir, database_url=url))) as api:
        body = api.get(f"/assets/{registered['asset_id']}").json()
    assert body["metadata"]["genip"]["declaredNotDerivedFrom"] == [{"assetId": lora, "reason": reason}]
    assert body["declared_not_derived_from"] == [
        {
            "asset_id": lora,
            "title": "Retro Poster",
            "reason": reason,
            "message": f"declared not derived from #{lora} ('Retro Poster'): {reason}",
        }
    ]
    # A declaration must name a resource the file names, with a reason.
    other = a1111_png(tmp_path / "astronaut.png", "astronaut", sha256[:10])
    wrong = genip(
        "register", str(other), "--title", "X", "--prompt", "p", "--not-derived-from", "999",
        "--reason", "r", key=BRAND,
    ).error()  # fmt: skip
    assert (
        f"--not-derived-from 999: this file does not name asset 999 as a resource (it names {lora})" in wrong
    )
    blank = genip(
        "register", str(other), "--title", "X", "--prompt", "p", "--not-derived-from", str(lora),
        "--reason", "  ", key=BRAND,
    ).error()  # fmt: skip
    assert "must have 1 to 280 characters" in blank


def test_unknown_ambiguous_and_conflicting_resources_never_block(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    twin = "5eed5eed5e"  # two registered models whose content hashes start with the same AutoV2 hash
    for seed, tail in ((1, "a"), (2, "b")):
        work = Work(
            WorkKind.MODEL, bytes.fromhex(twin + tail * 54), bytes(32), bytes([seed]) * 32, "bafytwin"
        )
        actions.register(client, CREATOR, work)
    index(genip, client)
    image = a1111_png(tmp_path / "unknown.png", "coffee", "0123456789")
    out = genip("register", str(image), "--title", "Free", "--prompt", "p", "--json", key=BRAND)
    registered = out.json()
    assert registered["parents"] == [] and registered["resources_used"] == []
    assert "LoRA 'Retro Poster' (hash 0123456789) is not registered here" in " ".join(out.stderr.split())

    info = PngImagePlugin.PngInfo()  # A1111 names sdxl_base and an ambiguous LoRA, ComfyUI another checkpoint
    info.add_text("parameters", f'x\nSteps: 20, Model: sdxl_base, Lora hashes: "Twin: {twin}"')
    comfy = {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "flux_dev.safetensors"}}}
    info.add_text("prompt", json.dumps(comfy))
    picture = Image.fromarray(skimage.data.rocket()).convert("RGB").resize((256, 256))
    picture.save(tmp_path / "mixed.png", "PNG", pnginfo=info)
    out = genip(
        "register", str(tmp_path / "mixed.png"), "--title", "Mixed", "--prompt", "p", "--json", key=BRAND
    )
    registered = out.json()
    told = " ".join(out.stderr.split())
    assert registered["parents"] == [] and registered["resources_used"] == []
    assert f"LoRA 'Twin': hash {twin} is ambiguous" in told and "none is proposed" in told
    assert "conflicting generation metadata" in told and "evidence only: the registration goes on" in told


def test_a_generation_offer_on_an_image_is_refused(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    image = a1111_png(tmp_path / "img.png", "coffee", "0123456789")
    asset = genip("register", str(image), "--title", "Img", "--prompt", "p", "--json", key=CREATOR).json()
    error = genip(
        "offer", str(asset["asset_id"]), "--tier", "generation", "--price", "0.01", key=CREATOR
    ).error()
    assert (
        f"asset {asset['asset_id']}: a generation licence is for models, workflows and prompts, not an image"
        in error
    )
    assert int(client.hub.functions.totalOffers().call()) == 0


def test_buy_licence_buys_exactly_the_offer_proposed_or_nothing(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    """Bait and switch: between the refusal and the re-run the owner pauses the cheap offer and leaves a
    100 ETH one; the re-run names the cheap offer's id, so it refuses in one line and buys nothing."""
    lora, sha256, cheap = register_lora(genip, tmp_path)
    index(genip, client)
    image = a1111_png(tmp_path / "poster.png", "coffee", sha256[:10])
    error = genip("register", str(image), "--title", "Poster", "--prompt", "p", key=CREATOR_2).error()
    assert f"--buy-licence {cheap}" in error
    actions.set_offer_paused(client, CREATOR, cheap, True)
    dear = genip(
        "offer", str(lora), "--tier", "generation", "--price", "100", "--rev-share", "20%", "--json",
        key=CREATOR,
    ).json()["offer_id"]  # fmt: skip
    nonce = client.w3.eth.get_transaction_count(CREATOR_2.address)
    again = ("register", str(image), "--title", "Poster", "--prompt", "p", "--buy-licence")
    refused = genip(*again, str(cheap), key=CREATOR_2)
    said = refused.error()
    assert f"--buy-licence {cheap}: the offer on asset {lora} changed since it was proposed" in said
    assert "paused" in said and "nothing was bought" in said
    # The dear offer was never proposed (not in the lookup yet): refused too; an id of nothing named as well.
    for other in (int(dear), 999):
        told = genip(*again, str(other), key=CREATOR_2).error()
        assert f"--buy-licence {other}: not a live offer licensing derivatives" in told
    assert client.w3.eth.get_transaction_count(CREATOR_2.address) == nonce


def test_a_generation_licence_held_is_used_before_an_unused_extended_one(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    """The hub's `bestLicense` prefers the longest-lasting (a perpetual extended licence over a 30-day
    generation one); the CLI keeps the single-use extended licence and registers under the generation one."""
    lora, sha256, _ = register_lora(genip, tmp_path)
    extended = genip(
        "offer", str(lora), "--tier", "extended", "--price", "0.01", "--duration", "0", "--json", key=CREATOR
    ).json()["offer_id"]  # fmt: skip
    generation = genip(
        "offer", str(lora), "--tier", "generation", "--price", "0.01", "--rev-share", "20%", "--duration",
        "30d", "--json", key=CREATOR,
    ).json()["offer_id"]  # fmt: skip
    licences = {
        offer: genip("license", "buy", str(lora), "--offer", str(offer), "--json", key=CREATOR_2).json()[
            "license_id"
        ]
        for offer in (generation, extended)
    }
    status = client.hub.functions.licenseStatus(lora, CREATOR_2.address, int(LicenseUse.DERIVATIVE))
    hub_pick = status.call()[1]
    assert hub_pick == licences[extended]  # the hub alone would spend the extended licence
    index(genip, client)
    image = a1111_png(tmp_path / "poster.png", "coffee", sha256[:10])
    out = genip("register", str(image), "--title", "Poster", "--prompt", "p", "--json", key=CREATOR_2)
    assert out.json()["parents"] == [{"asset_id": lora, "license_id": licences[generation]}]
    assert not client.license_token.functions.licenseOf(licences[extended]).call()[7]  # still unused


def test_declarations_are_checked_before_anything_is_bought(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    """`--parent A:L --not-derived-from A` with another resource to buy: refused before the purchase."""
    lora, sha256, offer = register_lora(genip, tmp_path)
    ink = tmp_path / "ink.safetensors"
    data = bytearray(safetensors_lora(tmp_path / "base.safetensors").read_bytes())
    data[-1] ^= 0x01  # other tensor bytes: another LoRA
    ink.write_bytes(bytes(data))
    out = genip("register", str(ink), "--kind", "model", "--title", "Ink", "--json", key=CREATOR)
    ink_asset, ink_sha = int(out.json()["asset_id"]), out.json()["sha256"].removeprefix("0x")
    ink_offer = genip(
        "offer", str(ink_asset), "--tier", "generation", "--price", "0.01", "--rev-share", "20%", "--json",
        key=CREATOR,
    ).json()["offer_id"]  # fmt: skip
    licence = genip("license", "buy", str(lora), "--offer", str(offer), "--json", key=CREATOR_2).json()[
        "license_id"
    ]
    index(genip, client)
    image = a1111_png(tmp_path / "poster.png", "coffee", f"{sha256[:10]}, Ink: {ink_sha[:10]}")
    total = int(client.license_token.functions.totalLicenses().call())
    refused = genip(
        "derive", str(image), "--title", "Poster", "--prompt", "p", "--parent", f"{lora}:{licence}",
        "--not-derived-from", str(lora), "--reason", "not used", "--buy-licence", str(ink_offer),
        key=CREATOR_2,
    )  # fmt: skip
    assert "a work cannot be both a parent and declared not derived from" in refused.error()
    assert int(client.license_token.functions.totalLicenses().call()) == total  # nothing bought
