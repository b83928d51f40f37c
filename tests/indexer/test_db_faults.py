"""Database faults: the indexer waits out what can pass (a dropped connection, a locked SQLite file) and stops
with the error in words on what cannot (a schema the code does not expect), instead of retrying forever."""

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from genip.chain.deployment import write_deployment
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from indexer.db_faults import is_transient
from tests.indexer import story
from tests.indexer.conftest import PG_ADMIN, Chain, postgres_database

GENIP = [sys.executable, "-m", "cli"]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_database()


def test_a_dropped_postgres_connection_is_transient(pg_url: str) -> None:
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"), pool_pre_ping=False)
    with engine.connect() as c:
        pid = c.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(OperationalError) as caught:
            c.execute(text("SELECT 1"))
    engine.dispose()
    assert is_transient(caught.value)


def test_a_locked_sqlite_file_is_transient_and_a_missing_table_is_not(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    with pytest.raises(OperationalError) as locked, engine.begin() as c:
        c.execute(text("INSERT INTO t VALUES (1)"))
    holder.execute("ROLLBACK")
    with pytest.raises(OperationalError) as missing, engine.connect() as c:
        c.execute(text("SELECT * FROM no_such_table"))
    engine.dispose()
    holder.close()
    assert "locked" in str(locked.value) and is_transient(locked.value)
    assert "no such table" in str(missing.value) and not is_transient(missing.value)


def test_a_schema_fault_stops_the_indexer_with_the_error_in_words(chain: Chain, tmp_path: Path) -> None:
    story.play(chain.client)
    url = f"sqlite:///{tmp_path / 'genip.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as c:  # what a half-applied hand edit of the schema looks like
        c.execute(text("DROP TABLE blocks"))
    engine.dispose()
    env = {
        **os.environ,
        "GENIP_DATA_DIR": str(tmp_path),
        "GENIP_DEPLOYMENT_FILE": str(write_deployment(chain.deployment, tmp_path / "deployments")),
        "DATABASE_URL": url,
    }
    done = subprocess.run([*GENIP, "index", "--once"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "stopped on a database error" in done.stderr and "no such table: blocks" in done.stderr
    assert "Traceback" not in done.stderr
