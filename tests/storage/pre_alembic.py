"""faqbot's statistics database before Alembic, verbatim from faqbot/storage/db.py at commit 4eab8df.

Only for tests: it makes the SQLite files (PRAGMA user_version 1 to 3) that a newer faqbot must adopt
without losing a row. Never edit it: it is what clinics' existing files were made by.
"""

from __future__ import annotations

import sqlite3

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


def connect(path: str) -> sqlite3.Connection:
    """Open the database as faqbot did (autocommit mode; transactions are explicit)."""
    return sqlite3.connect(path, timeout=2, isolation_level=None, check_same_thread=False)


def migrate(db: sqlite3.Connection, upto: int | None = None) -> int:
    """Run the migrations this database has not had yet (up to number `upto`, for the tests)."""
    db.execute("PRAGMA journal_mode = WAL")  # readers (staff reports) never block the writer
    db.execute("BEGIN IMMEDIATE")  # two servers starting together must not both migrate
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this faqbot knows ({len(MIGRATIONS)})")
        for number, statements in enumerate(MIGRATIONS[version:upto], start=version + 1):
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
