"""Staff sessions kept server-side: the cookie holds a random id, the database its hash and its limits.

Because every staff request checks the row, ending it ends every copy of the cookie at once: logging
out, a new staff password (each row remembers which password it was opened with) and
`python -m faqbot end-staff-sessions`. A session also ends after `idle_seconds` without a request
and ABSOLUTE_SECONDS after login, however active. With REDIS_URL, ends are also announced to every
process (faqbot.shared.revocations), which passes `ended_before` here. No Flask here: callers pass the
connection (each statement commits on its own: storage.db.get_db()).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Connection, func, select

from .schema import staff_session

ABSOLUTE_SECONDS = 12 * 60 * 60  # a working day at most, even when active
TOUCH_SECONDS = 60  # last_seen is written at most this often: one write a minute, not one per page


def start(db: Connection, *, password_hash: str, client: str, now: float) -> str:
    """Record a new session and return the id to put in the cookie (only its hash is stored)."""
    session_id = secrets.token_urlsafe(32)
    # Rows past the absolute limit can never open anything again: dropping them keeps the table small.
    db.execute(staff_session.delete().where(staff_session.c.created < now - ABSOLUTE_SECONDS))
    db.execute(
        staff_session.insert().values(
            id_hash=digest(session_id), password=digest(password_hash), created=now, last_seen=now, client=client
        )
    )
    return session_id


def is_open(
    db: Connection,
    session_id: str,
    *,
    password_hash: str,
    idle_seconds: float,
    now: float,
    ended_before: float | None = None,
) -> bool:
    """Tell whether a session is still open, and note that it was used.

    `ended_before`: every session opened before this time has been ended (announced by another process).
    """
    id_hash = digest(session_id)
    columns = staff_session.c
    row = db.execute(
        select(columns.password, columns.created, columns.last_seen, columns.revoked).where(columns.id_hash == id_hash)
    ).first()
    if row is None or row.revoked is not None or row.password != digest(password_hash):
        return False
    if now - row.last_seen > idle_seconds or now - row.created > ABSOLUTE_SECONDS:
        return False
    if ended_before is not None and row.created <= ended_before:
        return False
    if now - row.last_seen >= TOUCH_SECONDS:
        db.execute(staff_session.update().where(columns.id_hash == id_hash).values(last_seen=now))
    return True


def end(db: Connection, session_id: str, *, now: float) -> bool:
    """End one session (logout); return whether it had not been ended before."""
    columns = staff_session.c
    result = db.execute(
        staff_session.update()
        .where(columns.id_hash == digest(session_id), columns.revoked.is_(None))
        .values(revoked=now)
    )
    return result.rowcount > 0


def end_all(db: Connection, *, idle_seconds: float, now: float) -> int:
    """End every session still open (lost laptop, new password) and return how many there were."""
    # Sessions already past a limit are closed for good, so only the open ones need marking (and counting).
    result = db.execute(staff_session.update().where(*_open(idle_seconds, now)).values(revoked=now))
    return result.rowcount


def count_open(db: Connection, *, password_hash: str, idle_seconds: float, now: float) -> int:
    """Return how many sessions are open now."""
    query = select(func.count()).where(*_open(idle_seconds, now), staff_session.c.password == digest(password_hash))
    return db.execute(query).scalar_one()


def _open(idle_seconds: float, now: float) -> tuple:
    columns = staff_session.c
    return (
        columns.revoked.is_(None),
        columns.last_seen >= now - idle_seconds,
        columns.created >= now - ABSOLUTE_SECONDS,
    )


def digest(text: str) -> str:
    """The sha256 under which a session id (or the password hash) is stored and announced."""
    # A copy of the database (or of Redis) must not hand out working session ids (or the password hash).
    return hashlib.sha256(text.encode()).hexdigest()
