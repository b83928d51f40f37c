"""Alembic migrations, run from code (`genip db upgrade`) — no alembic.ini needed.

Every program that writes or reads the database checks `require_current` first: the indexer refuses to run on
a schema it does not know, rather than writing rows a newer or older schema would misread.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Engine

from genip.errors import GenIPError

if TYPE_CHECKING:  # alembic loads only to migrate or to explain a mismatch, not for the check at every start
    from alembic.config import Config

__all__ = [
    "HEAD",
    "SchemaError",
    "alembic_config",
    "current_revision",
    "head_revision",
    "require_current",
    "upgrade",
]

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration, written down so that the check every program makes at start needs no scan of the
#: migration scripts (alembic's script directory costs about 0.3 s to load); `tests/db/test_migrations.py`
#: holds it equal to `head_revision()`. Bump it with each new migration.
HEAD: Final = "0023"
#: Where alembic records the migration a database is at (its default name).
VERSION_TABLE: Final = "alembic_version"


class SchemaError(GenIPError):
    """The database schema is missing, behind, or ahead of this version of Gen-IP."""


def alembic_config(engine: Engine) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest migration this code knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database (read from alembic's version table
    directly: alembic's migration context costs more to import than the whole check may take)."""
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(versions) > 1:
        raise SchemaError(f"the database is at several migrations at once ({', '.join(sorted(versions))})")
    return versions[0] if versions else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrates the database to `revision` (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def require_current(engine: Engine) -> None:
    """Raises SchemaError unless the database is exactly at this code's head revision."""
    current, head = current_revision(engine), HEAD
    if current is None:
        raise SchemaError("the database has no Gen-IP schema: run `genip db upgrade` first")
    if current != head:
        from alembic.script import ScriptDirectory

        known = {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        if current in known:
            raise SchemaError(
                f"the database schema is at {current}, this code needs {head}: run `genip db upgrade`"
            )
        raise SchemaError(f"the database schema {current} is unknown to this version of Gen-IP (newer code?)")
