"""The statistics database: one row per reply and per feedback vote, never the patient's words.

An embedded SQLite file (the DATABASE setting), reached through `get_db()` on `g` as in flaskr.
The schema is a numbered list of migrations; `PRAGMA user_version` records how many have run, so
a database made by an older faqbot is brought up to date on start and nothing is ever recreated.

Recording is best effort: a full disk or a read-only file must never stop a patient getting a reply,
so `record_reply` logs the failure (what kind of reply, never its text or the question) and returns.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime

from flask import Flask, current_app, g

log = logging.getLogger(__name__)

# Append only: a released migration is never edited, a change is a new item.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE reply (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,          -- UTC, ISO 8601 to the second
            channel TEXT NOT NULL,          -- api, page or embed
            kind TEXT NOT NULL,             -- answer, clarify, fallback, smalltalk, urgent
            entry_id TEXT,                  -- the answered entry, if any
            confidence REAL NOT NULL
        )""",
        "CREATE INDEX reply_created ON reply (created)",
        """CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,          -- UTC date only, so a vote cannot be tied to one reply
            entry_id TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1))
        )""",
        "CREATE INDEX feedback_entry ON feedback (entry_id)",
    ),
    (
        # Only written when KEEP_UNANSWERED_TEXT is on; text is redacted first and purged after RETENTION_DAYS.
        """CREATE TABLE unanswered (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,          -- UTC, ISO 8601 to the second
            kind TEXT NOT NULL,             -- fallback or clarify
            text TEXT NOT NULL              -- the question with contact details redacted
        )""",
        "CREATE INDEX unanswered_created ON unanswered (created)",
    ),
]
VOTES = {"up": 1, "down": -1}
BUSY_TIMEOUT_MS = 2000  # a patient waits at most this long on a locked database before we give up on the row


_READY = "faqbot.db.ready"
_LOCAL = "faqbot.db.connections"


class DatabaseTooNew(sqlite3.DatabaseError):
    """The file was migrated by a newer faqbot than this one."""


def connect(path: str) -> sqlite3.Connection:
    """Open the database in autocommit mode; transactions are explicit."""
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


def migrate(db: sqlite3.Connection) -> int:
    """Run the migrations this database has not had yet and return its schema version."""
    db.execute("PRAGMA journal_mode = WAL")  # readers (staff reports) never block the chat's writes
    db.execute("BEGIN IMMEDIATE")  # two servers starting together must not both migrate
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise DatabaseTooNew(f"schema version {version} is newer than this faqbot knows ({len(MIGRATIONS)})")
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return len(MIGRATIONS)


def get_db() -> sqlite3.Connection:
    """Return this request's connection: the server thread's own, opened on its first request."""
    if "db" not in g:
        local = current_app.extensions[_LOCAL]
        if getattr(local, "db", None) is None:
            local.db = connect(current_app.config["DATABASE"])
            local.db.execute("PRAGMA synchronous = NORMAL")  # with WAL, an app crash still loses nothing
        if not current_app.extensions.get(_READY):
            # The file was unavailable at start (a full disk, a missing mount): try again now.
            migrate(local.db)
            current_app.extensions[_READY] = True
        g.db = local.db
    return g.db


def close_db(exception: BaseException | None = None) -> None:
    """End this request's use of the connection; the thread keeps it open for its next request."""
    g.pop("db", None)


def default_path(app: Flask) -> str:
    """Return where the database lives when DATABASE is not set: in the instance folder, as in flaskr."""
    return os.path.join(app.instance_path, "faqbot.sqlite")


def init_app(app: Flask) -> None:
    """Create or update the database on start; a failure is logged and the chat still runs."""
    # One connection per server thread, kept open: opening and closing one per request cost more
    # than the insert itself, above all the last close, which checkpoints and removes the WAL file.
    app.extensions[_LOCAL] = threading.local()
    app.teardown_appcontext(close_db)
    path = app.config["DATABASE"]
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with closing(connect(path)) as db:
            migrate(db)
        app.extensions[_READY] = True
    except (OSError, sqlite3.Error) as error:
        app.logger.error("Statistics database %s is unavailable, replies will not be recorded: %s", path, error)


def record_reply(*, channel: str, kind: str, entry_id: str | None, confidence: float) -> bool:
    """Store one reply's kind, entry and confidence; return False (and log) if it could not be stored."""
    return _insert(
        "INSERT INTO reply (created, channel, kind, entry_id, confidence) VALUES (?, ?, ?, ?, ?)",
        (_now().isoformat(timespec="seconds"), channel, kind, entry_id, round(max(0.0, min(1.0, confidence)), 3)),
        what=f"a reply of kind {kind}",
    )


def record_feedback(*, entry_id: str, vote: str) -> bool:
    """Store one "was this helpful?" vote ("up" or "down") for an entry, dated to the day."""
    return _insert(
        "INSERT INTO feedback (created, entry_id, vote) VALUES (?, ?, ?)",
        (_now().date().isoformat(), entry_id, VOTES[vote]),
        what="a feedback vote",
    )


def record_unanswered(*, kind: str, text: str) -> bool:
    """Store an unanswered question's (already redacted) text; only called when keeping is switched on."""
    return _insert(
        "INSERT INTO unanswered (created, kind, text) VALUES (?, ?, ?)",
        (_now().isoformat(timespec="seconds"), kind, text),
        what=f"an unanswered question ({kind})",
    )


def _insert(sql: str, values: tuple, *, what: str) -> bool:
    try:
        get_db().execute(sql, values)
    except (OSError, sqlite3.Error) as error:
        # Only what kind of row was lost and why; the values could one day include something sensitive.
        log.warning("Could not record %s: %s", what, error)
        _forget_connection()  # the file may have been replaced or fixed: reconnect next time
        return False
    return True


def _forget_connection() -> None:
    local = current_app.extensions[_LOCAL]
    connection, local.db = getattr(local, "db", None), None
    g.pop("db", None)
    if connection is not None:
        connection.close()


def _now() -> datetime:
    return datetime.now(UTC)
