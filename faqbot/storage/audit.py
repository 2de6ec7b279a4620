"""The audit log of staff actions: when (UTC), what, and from which address; never any patient text.

An action is one of ACTIONS and its detail is built by faqbot from fixed words and numbers, never
copied from a request, so nothing a patient or a visitor typed can reach this table. No Flask here:
callers pass the connection.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

COMMAND_LINE = "command line"  # the client recorded for actions taken on the server itself

# Each action, with how the staff activity page names it.
ACTIONS: dict[str, str] = {
    "login": "Logged in",
    "login-failed": "Wrong password",
    "logout": "Logged out",
    "export": "Downloaded the report",
    "view-kept-questions": "Viewed kept questions",
    "end-sessions": "Ended every staff session",
    "password-set": "Set a new staff password",
}


@dataclass(frozen=True)
class Event:
    """One recorded staff action."""

    created: str
    action: str
    client: str
    detail: str

    @property
    def label(self) -> str:
        """The action as staff read it."""
        return ACTIONS.get(self.action, self.action)


def record(db: sqlite3.Connection, action: str, *, client: str, detail: str = "", now: datetime | None = None) -> None:
    """Add one action to the log."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to ACTIONS")
    created = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    db.execute(
        "INSERT INTO audit (created, action, client, detail) VALUES (?, ?, ?, ?)", (created, action, client, detail)
    )


def latest(db: sqlite3.Connection, *, limit: int = 100) -> list[Event]:
    """Return the most recent actions, newest first."""
    rows = db.execute("SELECT created, action, client, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [Event(*row) for row in rows]
