"""A small world for API tests: the indexer tests' chain story plus works with real metadata, an open
dispute, a tainted derivative, an expired derivative, a lapsed offer and a renounced licence, and the index of
it all in a database."""

from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine, insert, select

from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from genip.chain.deployment import Deployment, write_deployment
from genip.chain.tx import send
from genip.chain.types import Work, WorkKind
from genip.content.cid import parse_cid
from genip.content.digest import digest_bytes
from genip.content.errors import InvalidCIDError
from genip.content.metadata import WorkMetadata
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import SealedOriginal
from genip.settings import Settings
from genip.storage import ContentNotFoundError, LocalStore
from genip.storage.originals import Keyring, Originals
from indexer.config import IndexerConfig
from indexer.content_fields import MetadataFiller
from indexer.runner import Indexer
from tests.helpers import DEPLOYER, TREASURY, extended_terms, make_work, standard_terms
from tests.indexer.story import WINDOW, Actors, StoryIds, play, warp


@dataclass
class World:
    """A chain with the story played, and where its data and content store live."""

    anvil: Anvil
    deployment: Deployment
    client: GenIPClient
    data_dir: Path
    ids: StoryIds
    actors: Actors = field(default_factory=Actors)
    works: dict[str, int] = field(default_factory=dict)
    contested: int = 0
    contested_license: int = 0
    contested_dispute: int = 0
    #: An upheld parent, its derivative tainted by that ruling, and the dispute.
    upheld_parent: int = 0
    tainted: int = 0
    tainted_dispute: int = 0
    #: A derivative under a licence of 90 minutes, past its expiry, and the licence sold on it before.
    parent_of_expired: int = 0
    expired: int = 0
    expired_license: int = 0
    #: An offer whose seller sold the certificate on (lapsed).
    lapsed_asset: int = 0
    lapsed_offer: int = 0
    #: A licence on `forest` the outsider bought and renounced.
    renounced_license: int = 0
    outsider: LocalAccount = field(default_factory=lambda: dev_account(8))
    _originals: Originals | None = None

    @property
    def originals(self) -> Originals:
        """Where the world's works are sealed (never stored plain): ciphertext in its store, envelopes in a
        database of its own (`originals.db`), copied into every database it is indexed into."""
        if self._originals is None:
            engine = make_engine(f"sqlite:///{self.data_dir / 'originals.db'}")
            upgrade(engine)
            # the API's service key: the data dir's key file
            self._originals = Originals(
                engine, self.store, Keyring.from_settings(Settings(data_dir=self.data_dir))
            )
        return self._originals

    @property
    def store(self) -> LocalStore:
        return LocalStore(self.data_dir / "store")

    def index(self, url: str) -> Engine:
        """Migrates the database at `url` and indexes the chain (with metadata) into it."""
        engine = make_engine(url)
        upgrade(engine)
        with self.originals.engine.connect() as source, engine.begin() as target:
            known = set(target.execute(select(SealedOriginal.original_cid)).scalars())
            rows = [dict(r._mapping) for r in source.execute(select(SealedOriginal.__table__))]
            fresh = [r for r in rows if r["original_cid"] not in known]
            if fresh:
                target.execute(insert(SealedOriginal), fresh)
        filler = MetadataFiller(engine, self.deployment.chain_id, _Tolerant(self.store), retry_seconds=0)
        Indexer(engine, IndexerConfig.from_deployment(self.deployment), after_step=filler.fill).run(once=True)
        filler.fill()
        return engine


class _Tolerant(LocalStore):
    """The local store, answering "not found" for the story's fake metadata CIDs (`bafyroot`…).

    MetadataFiller lets `InvalidCIDError` (a ContentError, not a StorageError) escape, so an on-chain
    registration with a malformed metadata CID stops the indexer's metadata step (reported upstream).
    """

    def __init__(self, store: LocalStore) -> None:
        super().__init__(store.root)

    def get(self, cid: str) -> bytes:
        try:
            parse_cid(cid)
        except InvalidCIDError:
            raise ContentNotFoundError(cid, repr(self)) from None
        return super().get(cid)


def register_with_metadata(
    world: World, creator: LocalAccount, body: bytes, *, name: str, description: str, tags: tuple[str, ...]
) -> int:
    """Keeps a text work's original to seal (`World.index`), stores its metadata and registers it."""
    store = world.store
    digest = digest_bytes(body)
    world.originals.seal(body)
    meta = WorkMetadata(
        name=name,
        kind=WorkKind.TEXT,
        content=digest,
        media_type="text/plain",
        prompt_commitment=b"\x07" * 32,
        description=description,
        tags=tags,
    )
    cid = store.put(meta.to_bytes())
    work = Work(WorkKind.TEXT, digest.sha256, bytes(32), b"\x07" * 32, cid)
    return actions.register(world.client, creator, work).value


def build_world(anvil: Anvil, data_dir: Path) -> World:
    """Deploys, plays the story, registers searchable works and leaves one asset under an open dispute."""
    w3 = connect(anvil.rpc_url)
    deployment = deploy(
        w3, DEPLOYER, rpc_url=anvil.rpc_url, fee_bps=250, fee_recipient=TREASURY.address, demo_token=True
    )
    write_deployment(deployment, data_dir / "deployments")  # the page's /config reads it
    client = GenIPClient.open(deployment, w3=w3)
    world = World(anvil, deployment, client, data_dir, play(client))
    a = world.actors
    world.works["tides"] = register_with_metadata(
        world, a.alice, b"tides poem", name="Tides", description="A short poem", tags=("poem", "sea")
    )
    world.works["harbour"] = register_with_metadata(
        world,
        a.bob,
        b"harbour",
        name="Harbour lights",
        description="Night harbour where the tides turn",
        tags=("photo",),
    )
    world.works["forest"] = register_with_metadata(
        world, a.bob, b"forest", name="Quiet forest", description="Moss and fog", tags=("nature", "green")
    )
    offer = actions.create_offer(client, a.bob, world.works["forest"], standard_terms(), price=10**15).value
    actions.buy_license(client, a.brand, offer)
    world.renounced_license = actions.buy_license(client, world.outsider, offer).value
    actions.renounce_license(client, world.outsider, world.renounced_license)

    # An offer that lapsed: its seller sold the certificate on.
    world.lapsed_asset = actions.register(client, a.alice, make_work("lapsed")).value
    world.lapsed_offer = actions.create_offer(
        client, a.alice, world.lapsed_asset, standard_terms(), price=10**15
    ).value
    send(
        w3,
        a.alice,
        client.registry.functions.transferFrom(a.alice.address, a.bob.address, world.lapsed_asset),
    )

    # A derivative under a 90-minute licence: it expires with it.
    world.parent_of_expired = actions.register(client, a.bob, make_work("short-parent")).value
    short = actions.create_offer(
        client, a.bob, world.parent_of_expired, extended_terms(0), price=1, duration=5_400
    ).value
    world.expired = actions.register_derivative(
        client, a.alice, [actions.buy_license(client, a.alice, short).value], make_work("expiring")
    ).value
    on_expired = actions.create_offer(client, a.alice, world.expired, extended_terms(0), price=1).value
    world.expired_license = actions.buy_license(client, a.brand, on_expired).value

    # A claim upheld against a parent, and its derivative tainted by it.
    world.upheld_parent = actions.register(client, a.alice, make_work("upheld-parent")).value
    parent_offer = actions.create_offer(
        client, a.alice, world.upheld_parent, extended_terms(0), price=1
    ).value
    world.tainted = actions.register_derivative(
        client, a.bob, [actions.buy_license(client, a.bob, parent_offer).value], make_work("tainted")
    ).value
    world.tainted_dispute = actions.raise_dispute(
        client, a.claimant, world.upheld_parent, b"\x08" * 32, claimant_asset_id=world.ids.root
    ).value
    warp(w3, WINDOW + 1)
    actions.resolve_dispute(client, a.admin, world.tainted_dispute, upheld=True, resolution_hash=b"\x09" * 32)
    actions.propagate_taint(client, a.claimant, world.tainted, world.upheld_parent)
    actions.pay_revenue(client, a.brand, world.tainted, 10**16)  # held under the parent's dispute
    warp(w3, WINDOW + 1)  # the expiring derivative is past its 90 minutes; the ruling is final

    # An asset under an open dispute, with a licence sold before the dispute.
    world.contested = register_with_metadata(
        world, a.alice, b"contested", name="Contested", description="Claimed", tags=()
    )
    offer = actions.create_offer(client, a.alice, world.contested, standard_terms(), price=10**15).value
    world.contested_license = actions.buy_license(client, a.brand, offer).value
    world.contested_dispute = actions.raise_dispute(client, a.claimant, world.contested, b"\x05" * 32).value
    return world
