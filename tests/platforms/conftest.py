"""Platform fixtures: a fresh migrated database on each backend (SQLite in a temp folder, Postgres)."""

from tests.indexer.conftest import db_url, engine

__all__ = ["db_url", "engine"]
