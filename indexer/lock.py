"""One writer per chain: a Postgres advisory lock, or a lock file next to the SQLite database.

A second indexer for the same chain and database either exits at once with a clear message (the default) or
waits for the first to stop (`wait=True`).
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from genip.errors import GenIPError

__all__ = ["IndexerBusy", "writer_lock"]

_LOCK_NAMESPACE = 0x6E1F  # advisory-lock namespace of the Gen-IP indexer ("genip")


class IndexerBusy(GenIPError):
    """Another indexer already writes this chain's rows into this database."""


@contextmanager
def writer_lock(engine: Engine, chain_id: int, *, wait: bool = False, poll: float = 1.0) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            while not c.execute(
                text("SELECT pg_try_advisory_lock(:ns, :key)"),
                {"ns": _LOCK_NAMESPACE, "key": chain_id % 2**31},
            ).scalar_one():
                if not wait:
                    raise IndexerBusy(
                        f"another indexer is already indexing chain {chain_id} into this database"
                    )
                time.sleep(poll)
            c.commit()
            try:
                yield
            finally:
                c.execute(
                    text("SELECT pg_advisory_unlock(:ns, :key)"),
                    {"ns": _LOCK_NAMESPACE, "key": chain_id % 2**31},
                )
                c.commit()
        return
    database = make_url(str(engine.url)).database or "memory"
    lock = FileLock(str(Path(database).with_name(f"{Path(database).name}.indexer-{chain_id}.lock")))
    try:
        lock.acquire(timeout=-1 if wait else 0)
    except Timeout:
        raise IndexerBusy(f"another indexer is already indexing chain {chain_id} into {database}") from None
    try:
        yield
    finally:
        lock.release()
