"""The SDK under test (`sdk/python`, the `genip-sdk` distribution, import `genip_sdk`, a workspace member
installed in the venv) against a real served API."""

import io
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import skimage.data
import uvicorn
from eth_account.signers.local import LocalAccount
from PIL import Image

from api.app import create_app
from api.settings import ApiSettings
from genip.chain import actions
from genip.chain.anvil import Anvil
from genip.chain.types import WorkKind
from genip.db.engine import make_engine
from genip.platforms import add_platform
from genip.prompts import PromptVault
from genip.works import WorkDescription, prepare_registration, register_draft
from tests.api.world import World, build_world
from tests.helpers import standard_terms


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, fmt, **options)
    return buffer.getvalue()


def picture(name: str) -> Image.Image:
    """A picture scikit-image ships (no download)."""
    return Image.fromarray(getattr(skimage.data, name)())


def jpeg_copy(name: str) -> bytes:
    """A re-encoded, resized copy of a registered picture, as a platform receives it."""
    image = picture(name)
    return encode(image.resize((image.width * 3 // 4, image.height * 3 // 4)), "JPEG", quality=70)


@dataclass
class Served:
    """The API served by uvicorn over an indexed world with a registered picture (Alice's astronaut,
    licensed to the brand), and a platform key."""

    base_url: str
    world: World
    astronaut: int
    api_key: str
    db_url: str

    @property
    def brand(self) -> LocalAccount:
        return self.world.actors.brand


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("sdk-images")
    with Anvil() as node:
        world = build_world(node, tmp_path_factory.mktemp("sdk-world"))
        alice = world.actors.alice
        path = folder / "astronaut.png"
        path.write_bytes(encode(picture("astronaut")))
        draft = prepare_registration(
            path,
            WorkDescription(kind=WorkKind.IMAGE, title="Astronaut portrait", prompt="an astronaut"),
            creator=alice.address,
        )
        astronaut = register_draft(
            world.client,
            alice,
            draft,
            store=world.store,
            vault=PromptVault(world.data_dir, alice.address),
            originals=world.originals,
        ).asset_id
        offer = actions.create_offer(world.client, alice, astronaut, standard_terms(), price=10**15).value
        actions.buy_license(world.client, world.actors.brand, offer)
        url = f"sqlite:///{world.data_dir / 'sdk.db'}"
        world.index(url).dispose()
        engine = make_engine(url)
        key = add_platform(engine, world.deployment.chain_id, "sdk-test", world.actors.bob.address).key
        engine.dispose()
        app = create_app(
            ApiSettings(data_dir=world.data_dir, database_url=url, api_webhook_private_urls=True)
        )
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, name="sdk-uvicorn", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        try:
            yield Served(f"http://127.0.0.1:{port}", world, astronaut, key, url)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
