"""The statistics database: one row per reply and per feedback vote, never the patient's words.

An embedded SQLite file (the DATABASE setting). Rows are written off the request path by one
background thread (faqbot.storage.writer): a reply only puts its row on a bounded queue, so a locked,
deleted or full database never makes a patient wait or see an error, and every row that could not be
written is counted (`store_state()`, shown by /api/health and the staff report). Reads (the staff
report) use the request thread's own connection, `get_db()`, as in flaskr.

The schema is a numbered list of migrations; `PRAGMA user_version` records how many have run, so
a database made by an older faqbot is brought up to date on start and nothing is ever recreated.
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime

from flask import Flask, current_app, g

from .files import create_private_file, make_private
from .writer import Row, StatsWriter, StoreState, describe, file_identity

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
    (
        # Staff sessions kept server-side, so logout, a new password or an administrator ends every copy.
        """CREATE TABLE staff_session (
            id_hash TEXT PRIMARY KEY,       -- sha256 of the random id in the cookie; the id itself is not stored
            password TEXT NOT NULL,         -- fingerprint of the password hash at login: a new password ends it
            created REAL NOT NULL,          -- seconds since the epoch
            last_seen REAL NOT NULL,        -- updated at most once a minute
            client TEXT NOT NULL,           -- the address the login came from
            revoked REAL                    -- when it was ended (NULL while open)
        )""",
        # Staff actions: who did what from where, never any patient text.
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,          -- UTC, ISO 8601 to the second
            action TEXT NOT NULL,           -- one of faqbot.storage.audit.ACTIONS
            client TEXT NOT NULL,           -- the client's address, or "command line"
            detail TEXT NOT NULL            -- fixed words and numbers only, never text from a request
        )""",
        "CREATE INDEX audit_created ON audit (created)",
    ),
]
VOTES = {"up": 1, "down": -1}
BUSY_TIMEOUT_MS = 2000  # a staff page waits at most this long on a locked database
WRITER_BUSY_TIMEOUT_MS = 1000  # the writer's wait per try on a lock (it retries; nobody waits for it)


_READY = "faqbot.db.ready"
_LOCAL = "faqbot.db.connections"
_WRITER = "faqbot.db.writer"


class DatabaseTooNew(sqlite3.DatabaseError):
    """The file was migrated by a newer faqbot than this one."""


def connect(path: str, *, timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open the database in autocommit mode (transactions are explicit); a new file is private (0600)."""
    create_private_file(path)
    db = sqlite3.connect(path, timeout=timeout_ms / 1000, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


def migrate(db: sqlite3.Connection) -> int:
    """Run the migrations this database has not had yet and return its schema version."""
    db.execute("PRAGMA journal_mode = WAL")  # readers (staff reports) never block the writer
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
        # A failed statement (a full disk) may already have ended the transaction: rolling back then would
        # raise "cannot rollback - no transaction is active" and hide the real cause.
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return len(MIGRATIONS)


def get_db() -> sqlite3.Connection:
    """Return this request's connection: the server thread's own, opened on its first request."""
    if "db" not in g:
        local = current_app.extensions[_LOCAL]
        path = current_app.config["DATABASE"]
        if getattr(local, "db", None) is not None and local.identity != file_identity(path):
            local.db.close()  # the file was deleted or replaced: this connection reads the old one
            local.db = None
        if getattr(local, "db", None) is None:
            local.db = connect(path)
            local.db.execute("PRAGMA synchronous = NORMAL")  # with WAL, an app crash still loses nothing
            local.identity = file_identity(path)
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


def init_app(app: Flask, *, housekeeping=None) -> None:
    """Create or update the database on start, and start the writer; a failure is logged and the chat still runs.

    `housekeeping(connection)` runs in the writer's thread every RETENTION_CHECK_MINUTES (the retention purge).
    """
    # One connection per server thread, kept open: opening and closing one per request cost more
    # than the query itself, above all the last close, which checkpoints and removes the WAL file.
    app.extensions[_LOCAL] = threading.local()
    app.teardown_appcontext(close_db)
    path = app.config["DATABASE"]
    problem = ""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):  # made by an older faqbot under a looser umask
            make_private(path + suffix)
        with closing(connect(path)) as db:
            migrate(db)
        app.extensions[_READY] = True
    except (OSError, sqlite3.Error) as error:
        problem = describe(error)
        app.logger.error("Statistics database %s is unavailable, replies will not be recorded: %s", path, problem)
    app.extensions[_WRITER] = StatsWriter(
        path,
        open_database=_open_for_writing,
        migrate=migrate,
        capacity=app.config["STATS_QUEUE_SIZE"],
        housekeeping=housekeeping,
        housekeeping_seconds=app.config["RETENTION_CHECK_MINUTES"] * 60,
    )
    if problem:
        app.extensions[_WRITER].report_problem(problem)
    # On a normal exit (Ctrl+C, SIGTERM via serve) the rows still queued are written, not lost.
    atexit.register(app.extensions[_WRITER].close)


def _open_for_writing(path: str) -> sqlite3.Connection:
    connection = connect(path, timeout_ms=WRITER_BUSY_TIMEOUT_MS)
    connection.execute("PRAGMA synchronous = NORMAL")  # with WAL, an app crash still loses nothing
    return connection


def writer(app: Flask | None = None) -> StatsWriter:
    """The app's statistics writer (tests call `writer(app).flush()` before reading what was recorded)."""
    return (app or current_app).extensions[_WRITER]


def store_state(app: Flask | None = None) -> StoreState:
    """ok or degraded (with the reason), and the rows dropped since start: nothing private."""
    return writer(app).state()


def record_reply(*, channel: str, kind: str, entry_id: str | None, confidence: float) -> bool:
    """Queue one reply's kind, entry and confidence; False (counted as dropped) if it cannot be kept."""
    return _insert(
        "INSERT INTO reply (created, channel, kind, entry_id, confidence) VALUES (?, ?, ?, ?, ?)",
        (_now().isoformat(timespec="seconds"), channel, kind, entry_id, round(max(0.0, min(1.0, confidence)), 3)),
        what=f"a reply of kind {kind}",
    )


def record_feedback(*, entry_id: str, vote: str) -> bool:
    """Queue one "was this helpful?" vote ("up" or "down") for an entry, dated to the day.

    False while the store is degraded: the patient is told to try later rather than thanked for a vote
    that would be dropped.
    """
    if store_state().status != "ok":
        return False
    return _insert(
        "INSERT INTO feedback (created, entry_id, vote) VALUES (?, ?, ?)",
        (_now().date().isoformat(), entry_id, VOTES[vote]),
        what="a feedback vote",
    )


def record_unanswered(*, kind: str, text: str) -> bool:
    """Queue an unanswered question's (already redacted) text; only called when keeping is switched on."""
    return _insert(
        "INSERT INTO unanswered (created, kind, text) VALUES (?, ?, ?)",
        (_now().isoformat(timespec="seconds"), kind, text),
        what=f"an unanswered question ({kind})",
    )


def _insert(sql: str, values: tuple, *, what: str) -> bool:
    # Never waits and never raises: the writer counts whatever it cannot keep.
    return writer().submit(Row(sql, values, what))


def _now() -> datetime:
    return datetime.now(UTC)
