"""Alembic migrations, run from code (`genip db upgrade`) — no alembic.ini needed.

Every program that writes or reads the database checks `require_current` first: the indexer refuses to run on
a schema it does not know, rather than writing rows a newer or older schema would misread.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from genip.errors import GenIPError

__all__ = ["SchemaError", "alembic_config", "current_revision", "head_revision", "require_current", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaError(GenIPError):
    """The database schema is missing, behind, or ahead of this version of Gen-IP."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest migration this code knows."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrates the database to `revision` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def require_current(engine: Engine) -> None:
    """Raises SchemaError unless the database is exactly at this code's head revision."""
    current, head = current_revision(engine), head_revision()
    if current is None:
        raise SchemaError("the database has no Gen-IP schema: run `genip db upgrade` first")
    if current != head:
        known = {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        if current in known:
            raise SchemaError(
                f"the database schema is at {current}, this code needs {head}: run `genip db upgrade`"
            )
        raise SchemaError(f"the database schema {current} is unknown to this version of Gen-IP (newer code?)")
