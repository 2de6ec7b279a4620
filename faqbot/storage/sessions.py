"""Staff sessions kept server-side: the cookie holds a random id, the database its hash and its limits.

Because every staff request checks the row, ending it ends every copy of the cookie at once: logging
out, a new staff password (each row remembers which password it was opened with) and
`python -m faqbot end-staff-sessions`. A session also ends after `idle_seconds` without a request
and ABSOLUTE_SECONDS after login, however active. No Flask here: callers pass the connection.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3

ABSOLUTE_SECONDS = 12 * 60 * 60  # a working day at most, even when active
TOUCH_SECONDS = 60  # last_seen is written at most this often: one write a minute, not one per page


def start(db: sqlite3.Connection, *, password_hash: str, client: str, now: float) -> str:
    """Record a new session and return the id to put in the cookie (only its hash is stored)."""
    session_id = secrets.token_urlsafe(32)
    # Rows past the absolute limit can never open anything again: dropping them keeps the table small.
    db.execute("DELETE FROM staff_session WHERE created < ?", (now - ABSOLUTE_SECONDS,))
    db.execute(
        "INSERT INTO staff_session (id_hash, password, created, last_seen, client) VALUES (?, ?, ?, ?, ?)",
        (_digest(session_id), _digest(password_hash), now, now, client),
    )
    return session_id


def is_open(db: sqlite3.Connection, session_id: str, *, password_hash: str, idle_seconds: float, now: float) -> bool:
    """Tell whether a session is still open, and note that it was used."""
    id_hash = _digest(session_id)
    row = db.execute(
        "SELECT password, created, last_seen, revoked FROM staff_session WHERE id_hash = ?", (id_hash,)
    ).fetchone()
    if row is None or row["revoked"] is not None or row["password"] != _digest(password_hash):
        return False
    if now - row["last_seen"] > idle_seconds or now - row["created"] > ABSOLUTE_SECONDS:
        return False
    if now - row["last_seen"] >= TOUCH_SECONDS:
        db.execute("UPDATE staff_session SET last_seen = ? WHERE id_hash = ?", (now, id_hash))
    return True


def end(db: sqlite3.Connection, session_id: str, *, now: float) -> bool:
    """End one session (logout); return whether it had not been ended before."""
    cursor = db.execute(
        "UPDATE staff_session SET revoked = ? WHERE id_hash = ? AND revoked IS NULL", (now, _digest(session_id))
    )
    return cursor.rowcount > 0


def end_all(db: sqlite3.Connection, *, idle_seconds: float, now: float) -> int:
    """End every session still open (lost laptop, new password) and return how many there were."""
    # Sessions already past a limit are closed for good, so only the open ones need marking (and counting).
    cursor = db.execute(
        "UPDATE staff_session SET revoked = ? WHERE revoked IS NULL AND last_seen >= ? AND created >= ?",
        (now, now - idle_seconds, now - ABSOLUTE_SECONDS),
    )
    return cursor.rowcount


def count_open(db: sqlite3.Connection, *, password_hash: str, idle_seconds: float, now: float) -> int:
    """Return how many sessions are open now."""
    return db.execute(
        "SELECT COUNT(*) FROM staff_session WHERE revoked IS NULL AND password = ? AND last_seen >= ? AND created >= ?",
        (_digest(password_hash), now - idle_seconds, now - ABSOLUTE_SECONDS),
    ).fetchone()[0]


def _digest(text: str) -> str:
    # A copy of the database must not hand out working session ids (or the password hash).
    return hashlib.sha256(text.encode()).hexdigest()
