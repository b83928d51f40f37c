"""Match hashes from image media: computed from the registered bytes only (read sealed, through
`read_original`), after metadata, retried when the media arrives later, and the engine's second opinion once
written."""

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import skimage.data
from cryptography.fernet import Fernet
from PIL import Image, PngImagePlugin
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from web3.types import RPCEndpoint

from genip.chain import actions
from genip.chain.types import Work, WorkKind
from genip.content.digest import digest_bytes
from genip.content.fingerprint import pdq_fingerprint
from genip.content.metadata import WorkMetadata
from genip.db import models
from genip.matching import MatchConfig, MatchEngine, MatchingError
from genip.matching.features import extract
from genip.matching.normalize import load_image
from genip.matching.perceptual import phash256
from genip.matching.thumbnails import thumbnail
from genip.resources import look_up, named_in
from genip.storage import LocalStore
from genip.storage.originals import Keyring, Originals
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.media import MediaHasher
from indexer.runner import Indexer
from tests.helpers import CREATOR
from tests.indexer.conftest import Chain


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def sealing(engine: Engine, store: LocalStore) -> Originals:
    """Originals sealed into `store` with a fresh service key, their envelopes in `engine`'s database."""
    return Originals(engine, store, Keyring([Fernet.generate_key()]))


def register_image(chain: Chain, store: LocalStore, body: bytes) -> int:
    """Registers `body` as an image work with Gen-IP metadata naming it; only the metadata is stored:
    callers put the media in the store when they want it found."""
    described = digest_bytes(body)
    try:
        perceptual = pdq_fingerprint(load_image(body)).hash
    except MatchingError:  # not an image: registered anyway, as a hostile registrant could
        perceptual = bytes(32)
    meta = WorkMetadata(
        name="work",
        kind=WorkKind.IMAGE,
        content=described,
        media_type="image/png",
        prompt_commitment=b"\x07" * 32,
    )
    metadata_cid = store.put(meta.to_bytes())
    work = Work(WorkKind.IMAGE, described.sha256, perceptual, b"\x07" * 32, metadata_cid)
    return actions.register(chain.client, CREATOR, work).value


def status(engine: Engine, asset_id: int) -> str:
    with Session(engine) as s:
        return s.execute(
            select(models.Asset.media_status).where(models.Asset.asset_id == asset_id)
        ).scalar_one()


def codes(engine: Engine, asset_id: int) -> list[tuple[str, bytes]]:
    m = models.MatchHash
    with Session(engine) as s:
        return [(k, bytes(c)) for k, c in s.execute(select(m.kind, m.code).where(m.asset_id == asset_id))]


def test_media_hashes_cover_the_registered_bytes_only(engine: Engine, chain: Chain, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    astronaut = png(Image.fromarray(skimage.data.astronaut()))
    coffee = png(Image.fromarray(skimage.data.coffee()))
    good = register_image(chain, store, astronaut)
    late = register_image(chain, store, coffee)  # its media reaches the store only later
    not_image = register_image(chain, store, b"plain text, not pixels")
    flat = register_image(chain, store, png(Image.new("RGB", (300, 300), (40, 90, 200))))
    originals = sealing(engine, store)
    originals.seal(astronaut)
    originals.seal(b"plain text, not pixels")
    originals.seal(png(Image.new("RGB", (300, 300), (40, 90, 200))))
    assert not store.has(digest_bytes(astronaut).cid)  # only its ciphertext is stored

    metadata = MetadataFiller(engine, chain.deployment.chain_id, store)
    media = MediaHasher(engine, chain.deployment.chain_id, store, keyring=originals.keyring, retry_seconds=0)

    def fill() -> None:
        metadata.fill()
        media.fill()

    Indexer(engine, IndexerConfig.from_deployment(chain.deployment), after_step=fill).run(once=True)

    assert status(engine, good) == "ok"
    assert codes(engine, good) == [
        ("phash", phash256(load_image(astronaut))),
        ("thumb", thumbnail(load_image(astronaut))),
        ("orb", extract(load_image(astronaut)).to_bytes()),
    ]
    assert (status(engine, late), codes(engine, late)) == ("missing", [])
    assert (status(engine, not_image), codes(engine, not_image)) == ("invalid", [])
    assert (status(engine, flat), codes(engine, flat)) == ("invalid", [])

    # The missing media arrives: the retry hashes it; running again changes nothing (one row per asset).
    originals.seal(coffee)
    media.fill()
    media.fill()
    assert status(engine, late) == "ok"
    assert [kind for kind, _ in codes(engine, late)] == ["phash", "thumb", "orb"]

    # The engine finds a small copy through the media hash even with PDQ held to identical hashes.
    strict = MatchEngine(engine, chain_id=chain.deployment.chain_id, config=MatchConfig(match_distance=0))
    small = Image.fromarray(skimage.data.coffee()).resize((150, 100), Image.Resampling.BILINEAR)
    assert [(c.asset_id, c.method) for c in strict.match(png(small))] == [(late, "phash")]


def test_media_that_is_not_the_registered_work_is_not_hashed(
    engine: Engine, chain: Chain, tmp_path: Path
) -> None:
    """Plain ERC-721 metadata may point `image` at any picture; the bytes must hash to the certificate's
    content hash, or nothing is computed from them."""
    store = LocalStore(tmp_path / "store")
    registered = png(Image.fromarray(skimage.data.astronaut()))
    other = png(Image.fromarray(skimage.data.coffee()))
    originals = sealing(engine, store)
    originals.seal(registered)
    borrowed = originals.seal(other).original_cid
    metadata_cid = store.put(json.dumps({"name": "borrowed", "image": f"ipfs://{borrowed}"}).encode())
    work = Work(WorkKind.IMAGE, digest_bytes(registered).sha256, bytes(32), b"\x07" * 32, metadata_cid)
    asset_id = actions.register(chain.client, CREATOR, work).value

    metadata = MetadataFiller(engine, chain.deployment.chain_id, store)
    media = MediaHasher(engine, chain.deployment.chain_id, store, keyring=originals.keyring)

    def fill() -> None:
        metadata.fill()
        media.fill()

    Indexer(engine, IndexerConfig.from_deployment(chain.deployment), after_step=fill).run(once=True)
    assert (status(engine, asset_id), codes(engine, asset_id)) == ("mismatch", [])


# --- what the registered file itself says (issue #21): made-with facts and the addnet hash ---------------


def safetensors(payload: bytes, title: str = "Retro Poster") -> bytes:
    """A real safetensors file: one uint8 tensor holding `payload`, kohya-style metadata."""
    header = {
        "__metadata__": {"ss_output_name": title, "ss_base_model_version": "sdxl_base_v1-0"},
        "lora_unet.weight": {"dtype": "U8", "shape": [len(payload)], "data_offsets": [0, len(payload)]},
    }
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw + payload


def addnet_of(body: bytes) -> str:
    """A1111's addnet hash (`modules/hashes.py addnet_hash_safetensors`): sha256 after length and header."""
    return hashlib.sha256(body[8 + int.from_bytes(body[:8], "little") :]).hexdigest()


def register_work(
    chain: Chain, store: LocalStore, body: bytes, kind: WorkKind, *, media: bytes | None = None, **extra: Any
) -> int:
    """Registers `body` (its sha256 on the certificate) with Gen-IP metadata describing it; `extra` goes into
    that metadata (e.g. a registrant's `made_with` claims). With `media`, plain ERC-721 metadata points at
    those other bytes instead (Gen-IP metadata describing other content is refused by the metadata step)."""
    if media is not None:
        document = {"name": "borrowed", "animation_url": f"ipfs://{digest_bytes(media).cid}"}
        metadata_cid = store.put(json.dumps(document).encode())
    else:
        meta = WorkMetadata(
            name="work",
            kind=kind,
            content=digest_bytes(body),
            media_type="image/png" if kind is WorkKind.IMAGE else "application/vnd.safetensors",
            prompt_commitment=b"\x07" * 32,
            **extra,
        )
        metadata_cid = store.put(meta.to_bytes())
    work = Work(kind, hashlib.sha256(body).digest(), bytes(32), b"\x07" * 32, metadata_cid)
    return actions.register(chain.client, CREATOR, work).value


def facts(engine: Engine, asset_id: int) -> tuple[Any, str | None] | None:
    """(made_with, addnet_hash) of the asset's `file_facts` row that joins its current content, or None."""
    f, a = models.FileFacts, models.Asset
    with engine.connect() as c:
        row = c.execute(
            select(f.made_with, f.addnet_hash)
            .join(
                a,
                (a.chain_id == f.chain_id) & (a.asset_id == f.asset_id) & (a.content_hash == f.content_hash),
            )
            .where(f.asset_id == asset_id)
        ).first()
    return None if row is None else (row.made_with, row.addnet_hash)


def a1111_png(lora_hash: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a fox on a retro poster\nNegative prompt: blurry\nSteps: 28, Sampler: Euler a, Seed: 42, "
        f'Model hash: 0badc0ffee, Model: sdxl_base, Lora hashes: "Retro Poster: {lora_hash}"',
    )
    out = io.BytesIO()
    Image.fromarray(skimage.data.astronaut()).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_made_with_facts_are_read_from_the_registered_image_not_the_metadata(
    engine: Engine, chain: Chain, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    poster = a1111_png("0123456789ab")
    forged = {"notes": [], "c2pa": {"signer": "Adobe", "signatureValid": True, "bindingMatches": True}}
    claimed = register_work(chain, store, poster, WorkKind.IMAGE, made_with=forged)
    plain = png(Image.fromarray(skimage.data.coffee()))
    says_nothing = register_work(chain, store, plain, WorkKind.IMAGE)
    not_image = register_work(chain, store, b"plain text, not pixels", WorkKind.IMAGE)
    other = png(Image.fromarray(skimage.data.chelsea()))
    borrowed = register_work(chain, store, other, WorkKind.IMAGE, media=poster)  # points at another file
    originals = sealing(engine, store)
    for body in (poster, plain, b"plain text, not pixels"):
        originals.seal(body)
    media = MediaHasher(engine, chain.deployment.chain_id, store, keyring=originals.keyring)
    metadata = MetadataFiller(engine, chain.deployment.chain_id, store)

    def fill() -> None:
        metadata.fill()
        media.fill()

    Indexer(engine, IndexerConfig.from_deployment(chain.deployment), after_step=fill).run(once=True)
    from genip.content.made_with import read_made_with

    found = facts(engine, claimed)
    assert found is not None and found == (read_made_with(poster).to_json(), None)
    assert "c2pa" not in found[0]  # the forged claim is not what the step stores
    assert {r["hash"] for r in found[0]["generation"][0]["resources"]} == {"0badc0ffee", "0123456789ab"}
    assert "a fox" not in json.dumps(found[0])  # never the prompt's text
    assert facts(engine, says_nothing) == ({"notes": [], "generation": []}, None)
    assert status(engine, not_image) == "invalid" and facts(engine, not_image) == (
        read_made_with(b"plain text, not pixels").to_json(),
        None,
    )  # the bytes are the registered work's: what they say is kept even if they are no image
    assert (status(engine, borrowed), facts(engine, borrowed)) == ("mismatch", None)


def test_a_safetensors_lora_gets_its_addnet_hash_and_an_image_naming_it_finds_it(
    engine: Engine, chain: Chain, tmp_path: Path
) -> None:
    """The whole flow of A1111's own `Lora hashes`: the LoRA's addnet hash is computed from its sealed
    original (streamed across several segments), and an image naming its 12 digits is proposed that LoRA.
    A model whose bytes are not its certificate's (its metadata borrowing the LoRA's media), a `.ckpt` and a
    file over the size limit get no hash."""
    store = LocalStore(tmp_path / "store")
    lora = safetensors(bytes(range(256)) * 4_800)  # 1.2 MB: two 1 MiB segments
    ckpt = b"PK\x03\x04" + b"pickled checkpoint" * 1000
    big = safetensors(b"\x01" * 2_000_000, title="Big")
    retro = register_work(chain, store, lora, WorkKind.MODEL)
    copycat = register_work(chain, store, safetensors(b"mine"), WorkKind.MODEL, media=lora)
    pickled = register_work(chain, store, ckpt, WorkKind.MODEL)
    too_big = register_work(chain, store, big, WorkKind.MODEL)
    originals = sealing(engine, store)
    for body in (lora, ckpt, big):
        originals.seal(body)
    media = MediaHasher(
        engine, chain.deployment.chain_id, store, keyring=originals.keyring, max_model_bytes=1_500_000
    )
    metadata = MetadataFiller(engine, chain.deployment.chain_id, store)

    def fill() -> None:
        metadata.fill()
        media.fill()

    config = IndexerConfig.from_deployment(chain.deployment, use_finalized_tag=False, reorg_window=512)
    Indexer(engine, config, after_step=fill).run(once=True)
    addnet = addnet_of(lora)
    assert (status(engine, retro), facts(engine, retro)) == ("ok", (None, addnet))
    assert addnet != hashlib.sha256(lora).hexdigest()
    assert (status(engine, copycat), facts(engine, copycat)) == ("mismatch", None)
    assert (status(engine, pickled), facts(engine, pickled)) == ("invalid", None)
    assert (status(engine, too_big), facts(engine, too_big)) == ("invalid", None)

    image = a1111_png(addnet[:12])
    with engine.connect() as c:
        found = look_up(c, chain.deployment.chain_id, named_in(image), timestamp=2**40)
    (used,) = found.used
    assert (used.asset_id, used.kind, used.matched_by, used.named_as) == (
        retro, "model", "addnet", "LoRA 'Retro Poster'"
    )  # fmt: skip
    assert used.hash == "0x" + hashlib.sha256(lora).hexdigest()

    # A reorg replaces the LoRA's registration with other content under the same id: the old addnet hash no
    # longer joins, so the image names nothing until the step has read the new file.
    with engine.connect() as c:
        registered = c.execute(
            select(models.Asset.block_number).where(models.Asset.asset_id == retro)
        ).scalar_one()
    depth = chain.client.w3.eth.block_number - registered + 2  # its commit's block too
    answer = chain.client.w3.provider.make_request(RPCEndpoint("anvil_reorg"), [depth, []])
    assert "error" not in answer, answer
    other = safetensors(b"another LoRA entirely" * 100, title="Other")
    assert register_work(chain, store, other, WorkKind.MODEL) == retro  # the same id, other content
    indexer = Indexer(engine, config)  # no content step: the media step has not run on the new fork yet
    indexer.run(once=True)
    assert indexer.stats.reorgs == 1
    assert facts(engine, retro) is None
    with engine.connect() as c:
        assert look_up(c, chain.deployment.chain_id, named_in(image), timestamp=2**40).used == ()
    originals.seal(other)
    metadata.fill()
    while media.fill():
        pass
    assert facts(engine, retro) == (None, addnet_of(other))
