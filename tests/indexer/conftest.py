"""Indexer fixtures: a fresh anvil per test (reorgs and crashes change the chain), and a fresh database on
each backend — SQLite in a temp folder, and a database of its own on the machine's Postgres."""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from genip.chain.anvil import Anvil
from genip.chain.client import GenIPClient, connect
from genip.chain.deploy import deploy
from genip.chain.deployment import Deployment
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from tests.helpers import DEPLOYER, TREASURY

PG_ADMIN = os.environ.get("GENIP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Chain:
    anvil: Anvil
    deployment: Deployment
    client: GenIPClient


@pytest.fixture
def chain() -> Iterator[Chain]:
    with Anvil() as node:
        w3 = connect(node.rpc_url)
        deployment = deploy(
            w3, DEPLOYER, rpc_url=node.rpc_url, fee_bps=250, fee_recipient=TREASURY.address, demo_token=True
        )
        yield Chain(node, deployment, GenIPClient.open(deployment, w3=w3))


def postgres_database() -> Iterator[str]:
    """A new, empty Postgres database; dropped afterwards."""
    name = f"genip_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'genip.db'}"
        return
    yield from postgres_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()
