"""Example fixtures: a fresh migrated database on each backend (SQLite, Postgres), as the indexer tests'."""

from tests.indexer.conftest import db_url

__all__ = ["db_url"]
