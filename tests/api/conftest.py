"""API fixtures: one chain story indexed once per session into SQLite and into a fresh Postgres database;
a TestClient over the app for each backend."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from genip.chain.anvil import Anvil
from tests.api.world import World, build_world
from tests.indexer.conftest import postgres_database


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The story on its own anvil, with metadata in a local store."""
    with Anvil() as node:
        yield build_world(node, tmp_path_factory.mktemp("api-world"))


@pytest.fixture(scope="session")
def sqlite_url(world: World) -> str:
    url = f"sqlite:///{world.data_dir / 'genip.db'}"
    world.index(url).dispose()
    return url


@pytest.fixture(scope="session")
def postgres_url(world: World) -> Iterator[str]:
    for url in postgres_database():
        world.index(url).dispose()
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The indexed world on each backend."""
    return str(request.getfixturevalue(f"{request.param}_url"))


#: The checker's public key the test API publishes (the prompt submission endpoint answers 503 without one).
CHECKER_PUBLIC_KEY = "11" * 32


def settings_for(world: World, url: str) -> ApiSettings:
    return ApiSettings(data_dir=world.data_dir, database_url=url, checker_public_key=CHECKER_PUBLIC_KEY)


@pytest.fixture(scope="session")
def api(world: World, db_url: str) -> Iterator[TestClient]:
    """A client of the app over the indexed world."""
    with TestClient(create_app(settings_for(world, db_url)), raise_server_exceptions=True) as client:
        yield client
