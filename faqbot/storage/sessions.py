"""Staff sessions kept server-side: the cookie holds a random id, the database its hash, its account and limits.

Because every staff request checks the row, ending it ends every copy of the cookie at once: logging
out, "end every session", `python -m faqbot end-staff-sessions`, and for one account its removal or a
new password (each row remembers the account's password change at login). A session also ends after
`idle_seconds` without a request and ABSOLUTE_SECONDS after login, however active. With REDIS_URL,
ends are also announced to every process (faqbot.shared.revocations), which `open_account` asks through
`ended_before`. No Flask here: callers pass the connection (each statement commits on its own:
storage.db.get_db()).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from sqlalchemy import Connection, func, select

from .accounts import Account
from .schema import staff_account, staff_session

ABSOLUTE_SECONDS = 12 * 60 * 60  # a working day at most, even when active
TOUCH_SECONDS = 60  # last_seen is written at most this often: one write a minute, not one per page


def start(db: Connection, *, account: Account, client: str, now: float) -> str:
    """Record a new session of an account that just logged in, and return the id to put in the cookie."""
    session_id = secrets.token_urlsafe(32)
    # Rows past the absolute limit can never open anything again: dropping them keeps the table small.
    db.execute(staff_session.delete().where(staff_session.c.created < now - ABSOLUTE_SECONDS))
    db.execute(
        staff_session.insert().values(
            id_hash=digest(session_id),
            account=account.name,
            password_changed=account.password_changed,
            created=now,
            last_seen=now,
            client=client,
        )
    )
    return session_id


def open_account(
    db: Connection,
    session_id: str,
    *,
    idle_seconds: float,
    now: float,
    ended_before: Callable[[str], float | None] = lambda account: None,
) -> Account | None:
    """Return the account of a session that is still open (as it is now: its role may have changed) and note
    that the session was used; None when the session has ended.

    `ended_before(account_name)`: every session of that account opened before this time has been ended
    (announced by another process), or None.
    """
    id_hash, columns, accounts = digest(session_id), staff_session.c, staff_account.c
    row = db.execute(
        select(
            columns.created,
            columns.last_seen,
            columns.revoked,
            columns.password_changed.label("opened_with"),
            accounts.name,
            accounts.role,
            accounts.created.label("account_created"),
            accounts.password_changed,
        )
        .join_from(staff_session, staff_account, columns.account == accounts.name)  # a removed account: no row
        .where(columns.id_hash == id_hash)
    ).first()
    if row is None or row.revoked is not None or row.opened_with != row.password_changed:
        return None
    if now - row.last_seen > idle_seconds or now - row.created > ABSOLUTE_SECONDS:
        return None
    ended = ended_before(row.name)
    if ended is not None and row.created <= ended:
        return None
    if now - row.last_seen >= TOUCH_SECONDS:
        db.execute(staff_session.update().where(columns.id_hash == id_hash).values(last_seen=now))
    return Account(row.name, row.role, row.account_created, row.password_changed)


def end(db: Connection, session_id: str, *, now: float) -> str | None:
    """End one session (logout); return its account's name if it had not been ended before, else None."""
    columns = staff_session.c
    still_open = (columns.id_hash == digest(session_id), columns.revoked.is_(None))
    name = db.execute(select(columns.account).where(*still_open)).scalar()
    result = db.execute(staff_session.update().where(*still_open).values(revoked=now))
    return name if result.rowcount > 0 else None


def end_all(db: Connection, *, idle_seconds: float, now: float) -> int:
    """End every session still open (a lost laptop) and return how many there were."""
    # Sessions already past a limit are closed for good, so only the open ones need marking (and counting).
    result = db.execute(staff_session.update().where(*_open(idle_seconds, now)).values(revoked=now))
    return result.rowcount


def end_account(db: Connection, name: str, *, idle_seconds: float, now: float) -> int:
    """End every open session of one account (removed, or given a new password) and return how many there were."""
    condition = (*_open(idle_seconds, now), staff_session.c.account == name)
    return db.execute(staff_session.update().where(*condition).values(revoked=now)).rowcount


def count_open(db: Connection, *, idle_seconds: float, now: float) -> dict[str, int]:
    """Return how many sessions are open now, by account name (accounts without one are left out)."""
    columns, accounts = staff_session.c, staff_account.c
    query = (
        select(columns.account, func.count())
        .join_from(staff_session, staff_account, columns.account == accounts.name)
        .where(*_open(idle_seconds, now), columns.password_changed == accounts.password_changed)
        .group_by(columns.account)
    )
    return dict(db.execute(query).tuples().all())


def _open(idle_seconds: float, now: float) -> tuple:
    columns = staff_session.c
    return (
        columns.revoked.is_(None),
        columns.last_seen >= now - idle_seconds,
        columns.created >= now - ABSOLUTE_SECONDS,
    )


def digest(text: str) -> str:
    """The sha256 under which a session id is stored and announced."""
    # A copy of the database (or of Redis) must not hand out working session ids.
    return hashlib.sha256(text.encode()).hexdigest()
