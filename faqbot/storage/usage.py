"""What faqbot learns from use: every reply's kind, entry and confidence; optionally, unanswered questions.

Keeping the text of unanswered questions (fallback and clarify replies) is off unless
KEEP_UNANSWERED_TEXT is set. When on, contact details are redacted before the text is stored, and
rows older than RETENTION_DAYS are deleted on start, every RETENTION_CHECK_MINUTES while the server
runs, and by `python -m faqbot purge`.
The patient's words are never logged, whatever the setting.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta

from flask import current_app

from ..engine.reply import Reply
from . import db
from .redaction import redact

KEPT_KINDS = ("fallback", "clarify")
MAX_KEPT_LENGTH = 500


def record(reply: Reply, message: str, *, channel: str) -> None:
    """Record one reply; keep the redacted question only if it went unanswered and keeping is on."""
    db.record_reply(
        channel=channel, kind=reply.kind, entry_id=reply.entry.id if reply.entry else None, confidence=reply.confidence
    )
    if reply.kind in KEPT_KINDS and current_app.config["KEEP_UNANSWERED_TEXT"]:
        db.record_unanswered(kind=reply.kind, text=redact(message)[:MAX_KEPT_LENGTH])


def unanswered_texts(connection: sqlite3.Connection, *, days: int) -> list[str]:
    """Return the kept (already redacted) unanswered questions of the last `days` days."""
    since = (_now() - timedelta(days=days)).isoformat(timespec="seconds")
    return [row[0] for row in connection.execute("SELECT text FROM unanswered WHERE created >= ?", (since,))]


def purge_on_start(app) -> None:
    """Enforce the retention period when the app starts; a failure is logged, never fatal."""
    try:
        with closing(db.connect(app.config["DATABASE"])) as connection:
            deleted = purge(connection, retention_days=app.config["RETENTION_DAYS"])
    except (OSError, sqlite3.Error) as error:
        app.logger.error("Could not purge old unanswered questions: %s", error)
        return
    if deleted:
        app.logger.info(
            "Deleted %d kept question(s) past the %d-day retention period", deleted, app.config["RETENTION_DAYS"]
        )


def retention_job(app) -> Callable[[sqlite3.Connection], None]:
    """The purge the statistics writer runs on its timer, so a kept question never outlives the period."""
    retention_days, logger = app.config["RETENTION_DAYS"], app.logger

    def run(connection: sqlite3.Connection) -> None:
        deleted = purge(connection, retention_days=retention_days)
        if deleted:
            logger.info("Deleted %d kept question(s) past the %d-day retention period", deleted, retention_days)

    return run


def purge(connection: sqlite3.Connection, *, retention_days: int) -> int:
    """Delete kept questions older than the retention period; return how many were deleted."""
    cutoff = (_now() - timedelta(days=retention_days)).isoformat(timespec="seconds")
    cursor = connection.execute("DELETE FROM unanswered WHERE created < ?", (cutoff,))
    return cursor.rowcount


def _now() -> datetime:
    return datetime.now(UTC)
