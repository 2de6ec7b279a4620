"""Schema migrations: Alembic revisions (versions/), run at every start on SQLite and PostgreSQL alike.

`migrate()` brings a database to the newest revision inside one transaction, holding a lock so two
servers starting together migrate once: SQLite's write lock (BEGIN IMMEDIATE) or a PostgreSQL
advisory lock. A failing revision leaves the database as it was. An SQLite file made before Alembic
(PRAGMA user_version 1 to 3, no alembic_version table) is adopted by the first revision, which
creates only the tables it lacks; a database from a newer faqbot is refused, never changed.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import SQLAlchemyError

FOLDER = Path(__file__).resolve().parent
LEGACY_VERSION = 3  # PRAGMA user_version of the last hand-written migration, before Alembic
_LOCK = 4_170_010  # any number of our own: pg_advisory_xact_lock's key for "faqbot is migrating"


class DatabaseTooNew(SQLAlchemyError):
    """The database was migrated by a newer faqbot than this one."""


def scripts() -> ScriptDirectory:
    """The revisions (read once per process: every app and the writer check them)."""
    return _read(str(FOLDER))


@functools.cache
def _read(folder: str) -> ScriptDirectory:
    return ScriptDirectory(folder)


def head() -> str:
    """The newest revision this faqbot knows."""
    return scripts().get_current_head()


def migrate(connection: Connection) -> str:
    """Run the revisions this database has not had yet and return its revision (the newest).

    `connection` must be fresh and transactional (storage.engine.create_engine without autocommit).
    """
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        current = _current_revision(connection)
        if current == head():
            return current
        if current is None and connection.dialect.name == "sqlite":
            version = connection.exec_driver_sql("PRAGMA user_version").scalar()
            if version > LEGACY_VERSION:
                raise DatabaseTooNew(f"schema version {version} is newer than this faqbot knows ({LEGACY_VERSION})")
        if current is not None and current not in {script.revision for script in scripts().walk_revisions()}:
            raise DatabaseTooNew(f"schema revision {current} is newer than this faqbot knows ({head()})")
        config = Config()
        config.set_main_option("script_location", scripts().dir)
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as error:
            raise DatabaseTooNew(str(error)) from None
    return head()


def _current_revision(connection: Connection) -> str | None:
    # Read directly, not through Alembic's MigrationContext: that logs two lines at every check, and the
    # writer checks at every reconnect.
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
