"""What faqbot learns from use: every reply's kind, entry and confidence; optionally, unanswered questions.

Keeping the text of unanswered questions (fallback and clarify replies) is off unless
KEEP_UNANSWERED_TEXT is set. When on, contact details are redacted before the text is stored, and
rows older than RETENTION_DAYS are deleted on start, every RETENTION_CHECK_MINUTES while the server
runs, and by `python -m faqbot purge`.
The patient's words are never logged, whatever the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, select

from ..engine.reply import Reply
from . import db
from .engine import DATABASE_ERRORS, describe
from .redaction import redact
from .schema import unanswered

KEPT_KINDS = ("fallback", "clarify")
MAX_KEPT_LENGTH = 500


def record(reply: Reply, message: str, *, channel: str) -> None:
    """Record one reply; keep the redacted question only if it went unanswered and keeping is on."""
    db.record_reply(
        channel=channel,
        kind=reply.kind,
        entry_id=reply.entry.id if reply.entry else None,
        confidence=reply.confidence,
        topic=reply.topic,
    )
    if reply.kind in KEPT_KINDS and current_app.config["KEEP_UNANSWERED_TEXT"]:
        db.record_unanswered(kind=reply.kind, text=redact(message)[:MAX_KEPT_LENGTH])


def unanswered_texts(connection: Connection, *, days: int) -> list[str]:
    """Return the kept (already redacted) unanswered questions of the last `days` days."""
    since = (_now() - timedelta(days=days)).isoformat(timespec="seconds")
    return list(connection.execute(select(unanswered.c.text).where(unanswered.c.created >= since)).scalars())


def purge_on_start(app) -> None:
    """Enforce the retention period when the app starts; a failure is logged, never fatal."""
    try:
        with db.engine(app).connect() as connection:
            deleted = purge(connection, retention_days=app.config["RETENTION_DAYS"])
    except DATABASE_ERRORS as error:
        app.logger.error("Could not purge old unanswered questions: %s", describe(error))
        return
    if deleted:
        app.logger.info(
            "Deleted %d kept question(s) past the %d-day retention period", deleted, app.config["RETENTION_DAYS"]
        )


def retention_job(app) -> Callable[[Connection], None]:
    """The purge the statistics writer runs on its timer, so a kept question never outlives the period."""
    retention_days, logger = app.config["RETENTION_DAYS"], app.logger

    def run(connection: Connection) -> None:
        deleted = purge(connection, retention_days=retention_days)
        if deleted:
            logger.info("Deleted %d kept question(s) past the %d-day retention period", deleted, retention_days)

    return run


def purge(connection: Connection, *, retention_days: int) -> int:
    """Delete kept questions older than the retention period; return how many were deleted."""
    cutoff = (_now() - timedelta(days=retention_days)).isoformat(timespec="seconds")
    return connection.execute(unanswered.delete().where(unanswered.c.created < cutoff)).rowcount


def _now() -> datetime:
    return datetime.now(UTC)
