"""Which database faqbot stores in, and the SQLAlchemy engines that reach it.

Unset DATABASE_URL means the embedded SQLite file of the DATABASE setting, as ever: nothing to start.
`postgresql://user:password@host/name` means PostgreSQL, for several processes or machines. Every
query is SQLAlchemy Core, the same for both. A URL's password is a secret: `shown()` hides it, and
`describe()` gives an error's cause in a few words without values, file names or the password.
"""

from __future__ import annotations

import os
import re
import sqlite3

import sqlalchemy
from sqlalchemy import URL, Engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from .files import create_private_file

# Whatever reaching the database can raise: a missing folder, a driver error (SQLAlchemy wraps those).
DATABASE_ERRORS = (OSError, SQLAlchemyError, sqlite3.Error)
POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg"}
CONNECT_TIMEOUT_SECONDS = 5  # a server that does not answer is given up on, so nothing waits for long
UNREACHABLE = "the database server cannot be reached"
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE)
_LOST = ("57P01", "57P02", "57P03")  # the server was shut down or restarted under the connection


def parse_database_url(text: str) -> URL:
    """Read DATABASE_URL: a PostgreSQL URL, driven by psycopg 3. The error never repeats the text (a secret)."""
    problem = ValueError("must be a URL like postgresql://user:password@host:5432/faqbot (unset: the SQLite file)")
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise problem from None
    if url.drivername not in POSTGRES_SCHEMES or not url.host or not url.database:
        raise problem
    return url.set(drivername="postgresql+psycopg")


def database_url(config) -> URL:
    """The URL of the configured database: DATABASE_URL, else the SQLite file at DATABASE."""
    if config.get("DATABASE_URL"):
        return parse_database_url(config["DATABASE_URL"])
    return URL.create("sqlite", database=os.path.abspath(config["DATABASE"]))


def sqlite_path(url: URL) -> str | None:
    """The SQLite file a URL names, or None for a database server."""
    return url.database if url.get_backend_name() == "sqlite" else None


def shown(url: URL) -> str:
    """The database as a log line may name it: the SQLite file's path, or the URL with its password as ***."""
    return sqlite_path(url) or url.render_as_string(hide_password=True)


def create_engine(url: URL, *, autocommit: bool = False, pooled: bool = True, timeout_ms: int = 2000) -> Engine:
    """An engine for one job.

    autocommit: every statement commits on its own (request threads, as faqbot always did); otherwise
    transactions are explicit and, on SQLite, take the write lock at BEGIN (the writer, migrations).
    pooled=False closes the connection when it is closed (the writer gives the file back when idle).
    timeout_ms: how long SQLite waits on a lock before reporting it.
    """
    options: dict = {"hide_parameters": True}  # an error's message must never quote a patient's words
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
    if not pooled:
        options["poolclass"] = NullPool
    path = sqlite_path(url)
    if path is None:
        options["pool_pre_ping"] = True  # a pooled connection from before a server restart is replaced, not used
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "faqbot"}
        return sqlalchemy.create_engine(url, **options)
    options["connect_args"] = {"timeout": timeout_ms / 1000, "check_same_thread": False}
    engine = sqlalchemy.create_engine(url, **options)
    _configure_sqlite(engine, path, transactional=not autocommit)
    return engine


def _configure_sqlite(engine: Engine, path: str, *, transactional: bool) -> None:
    @event.listens_for(engine, "do_connect")
    def private_file(dialect, record, cargs, cparams):
        create_private_file(path)  # a new file is 0600 whatever the umask (SQLite keeps the mode)

    @event.listens_for(engine, "connect")
    def pragmas(connection, record):
        connection.isolation_level = None  # SQLAlchemy, not the driver, says when a transaction begins
        connection.execute("PRAGMA journal_mode = WAL")  # readers (staff reports) never block the writer
        connection.execute("PRAGMA synchronous = NORMAL")  # with WAL, an app crash still loses nothing
        connection.execute("PRAGMA foreign_keys = ON")

    if transactional:

        @event.listens_for(engine, "begin")
        def begin_immediate(connection):
            # The write lock at BEGIN: two servers migrating together take turns, and a batch never
            # fails halfway because another writer got in first.
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def describe(error: BaseException) -> str:
    """The cause in a few words, for the public health endpoint and the log: no file name, value or password."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(cause, sqlite3.Error):
        return redact(str(cause) or type(cause).__name__)
    if _is_server_error(cause):
        if getattr(cause, "sqlstate", None) is None:  # no answer from a server: the connection failed or broke
            return UNREACHABLE
        primary = getattr(getattr(cause, "diag", None), "message_primary", None)  # never its DETAIL: it quotes rows
        return redact(primary or type(cause).__name__)
    if isinstance(cause, SQLAlchemyError) and not isinstance(cause, DBAPIError):
        return redact(str(cause).splitlines()[0] if str(cause) else type(cause).__name__)
    return type(cause).__name__  # its message could quote the row's values


def connection_lost(error: BaseException) -> bool:
    """Tell whether a database server stopped answering (restarted, unreachable), rather than refused a row."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    cause = error.orig if isinstance(error, DBAPIError) else error
    if not _is_server_error(cause):
        return False
    state = getattr(cause, "sqlstate", None)
    return state is None or state.startswith("08") or state in _LOST


def redact(text: str) -> str:
    """Replace anything that looks like a password in a URL or a connection string with ***."""
    return _KEYWORD_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


def _is_server_error(error: BaseException) -> bool:
    return type(error).__module__.startswith("psycopg")
