"""The statistics database: one row per reply and per feedback vote, never the patient's words.

An embedded SQLite file (the DATABASE setting) unless DATABASE_URL names a PostgreSQL server; the
code is the same for both (SQLAlchemy Core, faqbot.storage.engine), and the schema is brought up to
date on start by Alembic (faqbot.storage.migrations). Rows are written off the request path by one
background thread (faqbot.storage.writer): a reply only puts its row on a bounded queue, so a locked,
deleted or unreachable database never makes a patient wait or see an error, and every row that could
not be written is counted (`store_state()`, shown by /api/health and the staff report). Reads (the
staff pages) use this request's own connection, `get_db()`, as in flaskr.
"""

from __future__ import annotations

import atexit
import os
from datetime import UTC, datetime

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine

from . import schema
from .engine import DATABASE_ERRORS, create_engine, database_url, describe, shown, sqlite_path
from .files import make_private
from .migrations import migrate
from .sqlite_file import file_identity
from .writer import Row, StatsWriter, StoreState

VOTES = {"up": 1, "down": -1}
BUSY_TIMEOUT_MS = 2000  # a staff page waits at most this long on a locked SQLite file
WRITER_BUSY_TIMEOUT_MS = 1000  # the writer's wait per try on a lock (it retries; nobody waits for it)

_READY = "faqbot.db.ready"
_ENGINE = "faqbot.db.engine"
_OPENED = "faqbot.db.opened"  # (device, inode) of the SQLite file the pooled connections read
_WRITER = "faqbot.db.writer"


def get_db() -> Connection:
    """Return this request's connection (every statement commits on its own), closed when the request ends."""
    if "db" not in g:
        engine: Engine = current_app.extensions[_ENGINE]
        path = sqlite_path(engine.url)
        if path and current_app.extensions.get(_OPENED) != file_identity(path):
            engine.dispose()  # the file was deleted or replaced: pooled connections read the old one
            current_app.extensions[_OPENED] = file_identity(path)
        if not current_app.extensions.get(_READY):
            # The database was unavailable at start (a full disk, a server still starting): try again now.
            _migrate(engine.url)
            current_app.extensions[_READY] = True
        g.db = engine.connect()
    return g.db


def close_db(exception: BaseException | None = None) -> None:
    """Give this request's connection back to the pool."""
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def default_path(app: Flask) -> str:
    """Return where the database lives when DATABASE is not set: in the instance folder, as in flaskr."""
    return os.path.join(app.instance_path, "faqbot.sqlite")


def init_app(app: Flask, *, housekeeping=None) -> None:
    """Create or update the database on start, and start the writer; a failure is logged and the chat still runs.

    `housekeeping(connection)` runs in the writer's thread every RETENTION_CHECK_MINUTES (the retention purge).
    """
    url = database_url(app.config)
    path = sqlite_path(url)
    # Pooled: opening a connection per request cost more than the query itself (for SQLite, above all
    # the last close, which checkpoints and removes the WAL file).
    app.extensions[_ENGINE] = create_engine(url, autocommit=True, timeout_ms=BUSY_TIMEOUT_MS)
    app.teardown_appcontext(close_db)
    problem = ""
    try:
        if path:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):  # made by an older faqbot under a looser umask
                make_private(path + suffix)
        _migrate(url)
        app.extensions[_READY] = True
    except DATABASE_ERRORS as error:
        problem = describe(error)
        app.logger.error("Statistics database %s is unavailable, replies will not be recorded: %s", shown(url), problem)
    if path:
        app.extensions[_OPENED] = file_identity(path)
    app.extensions[_WRITER] = StatsWriter(
        create_engine(url, pooled=False, timeout_ms=WRITER_BUSY_TIMEOUT_MS),
        migrate=migrate,
        capacity=app.config["STATS_QUEUE_SIZE"],
        housekeeping=housekeeping,
        housekeeping_seconds=app.config["RETENTION_CHECK_MINUTES"] * 60,
    )
    if problem:
        app.extensions[_WRITER].report_problem(problem)
    # On a normal exit (Ctrl+C, SIGTERM via serve) the rows still queued are written, not lost.
    atexit.register(app.extensions[_WRITER].close)


def _migrate(url) -> None:
    engine = create_engine(url, pooled=False, timeout_ms=BUSY_TIMEOUT_MS)
    try:
        with engine.connect() as connection:
            migrate(connection)
    finally:
        engine.dispose()


def engine(app: Flask | None = None) -> Engine:
    """The app's engine for reads and staff actions (tests and the command line use it outside a request)."""
    return (app or current_app).extensions[_ENGINE]


def writer(app: Flask | None = None) -> StatsWriter:
    """The app's statistics writer (tests call `writer(app).flush()` before reading what was recorded)."""
    return (app or current_app).extensions[_WRITER]


def store_state(app: Flask | None = None) -> StoreState:
    """ok or degraded (with the reason), and the rows dropped since start: nothing private."""
    return writer(app).state()


def record_reply(*, channel: str, kind: str, entry_id: str | None, confidence: float, topic: str = "") -> bool:
    """Queue one reply's kind, entry (or declined topic) and confidence; False (counted as dropped) if not kept."""
    values = {
        "topic": topic or None,
        "created": _now().isoformat(timespec="seconds"),
        "channel": channel,
        "kind": kind,
        "entry_id": entry_id,
        "confidence": round(max(0.0, min(1.0, confidence)), 3),
    }
    return _insert(schema.reply, values, what=f"a reply of kind {kind}")


def record_feedback(*, entry_id: str, vote: str) -> bool:
    """Queue one "was this helpful?" vote ("up" or "down") for an entry, dated to the day.

    False while the store is degraded: the patient is told to try later rather than thanked for a vote
    that would be dropped.
    """
    if store_state().status != "ok":
        return False
    values = {"created": _now().date().isoformat(), "entry_id": entry_id, "vote": VOTES[vote]}
    return _insert(schema.feedback, values, what="a feedback vote")


def record_unanswered(*, kind: str, text: str) -> bool:
    """Queue an unanswered question's (already redacted) text; only called when keeping is switched on."""
    values = {"created": _now().isoformat(timespec="seconds"), "kind": kind, "text": text}
    return _insert(schema.unanswered, values, what=f"an unanswered question ({kind})")


def _insert(table, values: dict, *, what: str) -> bool:
    # Never waits and never raises: the writer counts whatever it cannot keep.
    return writer().submit(Row(table, values, what))


def _now() -> datetime:
    return datetime.now(UTC)
