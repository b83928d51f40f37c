"""Match hashes from image media: computed from the registered bytes only (read sealed, through
`read_original`), after metadata, retried when the media arrives later, and the engine's second opinion once
written."""

import io
import json
from pathlib import Path

import skimage.data
from cryptography.fernet import Fernet
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

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
