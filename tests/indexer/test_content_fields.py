"""Metadata from the content store fills the asset rows the API searches; what does not check out is kept
out of them."""

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from genip.chain import actions
from genip.chain.types import Work, WorkKind
from genip.content.digest import digest_bytes
from genip.content.metadata import WorkMetadata
from genip.db import models
from genip.storage import LocalStore
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.runner import Indexer
from tests.helpers import CREATOR
from tests.indexer.conftest import Chain


def register(
    chain: Chain, store: LocalStore, body: bytes, *, name: str, describe: bytes | None = None
) -> int:
    """Stores a work and its metadata, registers it; `describe` makes the metadata describe other bytes."""
    digest = digest_bytes(body)
    store.put(body)
    meta = WorkMetadata(
        name=name,
        kind=WorkKind.TEXT,
        content=digest_bytes(describe) if describe else digest,
        media_type="text/plain",
        prompt_commitment=b"\x07" * 32,
        description=f"{name}, a test work",
        tags=("poster", "retro"),
    )
    metadata_cid = store.put(meta.to_bytes())
    work = Work(WorkKind.TEXT, digest.sha256, bytes(32), b"\x07" * 32, metadata_cid)
    return actions.register(chain.client, CREATOR, work).value


def asset(engine: Engine, asset_id: int) -> models.Asset:
    with Session(engine) as s:
        return s.execute(select(models.Asset).where(models.Asset.asset_id == asset_id)).scalar_one()


def test_metadata_fills_title_description_tags_and_media(
    engine: Engine, chain: Chain, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    good = register(chain, store, b"a haiku about tides", name="Tides")
    forged = register(chain, store, b"the real bytes", name="Forged", describe=b"other bytes")
    garbage = actions.register(
        chain.client, CREATOR, Work(WorkKind.IMAGE, b"\x08" * 32, bytes(32), b"\x07" * 32, "not-a-cid")
    ).value
    absent = actions.register(
        chain.client,
        CREATOR,
        Work(WorkKind.IMAGE, b"\x09" * 32, bytes(32), b"\x07" * 32, digest_bytes(b"x").cid),
    ).value

    filler = MetadataFiller(engine, chain.deployment.chain_id, store)
    Indexer(engine, IndexerConfig.from_deployment(chain.deployment), after_step=filler.fill).run(once=True)

    row = asset(engine, good)
    assert (row.metadata_status, row.title, row.tags) == ("ok", "Tides", ["poster", "retro"])
    assert row.description == "Tides, a test work" and row.media_type == "text/plain"
    assert row.media_cid == digest_bytes(b"a haiku about tides").cid
    assert (asset(engine, forged).metadata_status, asset(engine, forged).title) == ("mismatch", None)
    assert asset(engine, absent).metadata_status == "missing"
    assert asset(engine, garbage).metadata_status == "invalid"

    # The missing metadata arrives later and is picked up on a retry.
    store.put(b"x")
    MetadataFiller(engine, chain.deployment.chain_id, store, retry_seconds=0).fill()
    assert asset(engine, absent).metadata_status == "invalid"  # b"x" is not JSON
