"""Which database errors the indexer waits out, and for how long.

`OperationalError` covers both a database that went away for a while (a Postgres restart, a dropped
connection, SQLite's "database is locked") and a fault that retrying never fixes (SQLite's "no such column"
when the schema is not what the code expects, a full disk, a read-only file). Retrying the second kind
forever looked like a hang, so:

* a **transient** fault is retried with a doubling wait (from the poll interval up to `MAX_WAIT`) for at
  most `IndexerConfig.db_outage_limit` seconds in a row, with the error shown in `/health` meanwhile;
* any other fault, or an outage longer than that limit, stops the indexer with the error in words (the
  demo's supervisor restarts it; `genip index` exits non-zero).

Transient on Postgres: a lost or refused connection (no SQLSTATE, or class 08), an administrator shutdown
(57P), insufficient resources (53), a serialization failure or deadlock (40). On SQLite: a locked or busy
database. Everything else is permanent.
"""

from typing import Final

from sqlalchemy.exc import DBAPIError

__all__ = ["MAX_WAIT", "is_transient", "one_line"]

#: The longest wait between two retries of a transient database fault, in seconds.
MAX_WAIT: Final = 30.0
_PG_TRANSIENT_CLASSES: Final = ("08", "57", "53", "40")
_SQLITE_TRANSIENT: Final = ("database is locked", "database table is locked", "database is busy")


def one_line(exc: DBAPIError) -> str:
    """The driver's message, first line only (no SQL, no parameters)."""
    return (
        str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else type(exc).__name__
    )


def is_transient(exc: DBAPIError) -> bool:
    """Whether waiting could make the fault go away (see the module docstring)."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    module = type(exc.orig).__module__ if exc.orig is not None else ""
    if module.startswith("psycopg"):
        return sqlstate is None or str(sqlstate).startswith(_PG_TRANSIENT_CLASSES)
    return any(phrase in str(exc.orig).lower() for phrase in _SQLITE_TRANSIENT)
