"""The audit log of staff actions: when (UTC), what, by which account, from which address; never patient text.

An action is one of ACTIONS and its detail is built by faqbot from fixed words, numbers and account
names (which pass faqbot.storage.accounts.check_name first), never copied from a request, so nothing a
patient or a visitor typed can reach this table. The account is "" for the command line and for a
failed login with a name no account has: what was typed there is not kept (it may be a password).
No Flask here: callers pass the connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from .schema import audit

COMMAND_LINE = "command line"  # the client recorded for actions taken on the server itself

# Each action, with how the staff activity page names it.
ACTIONS: dict[str, str] = {
    "login": "Logged in",
    "login-failed": "Wrong name or password",
    "logout": "Logged out",
    "export": "Downloaded the report",
    "export-knowledge": "Downloaded the knowledge files",
    "view-kept-questions": "Viewed kept questions",
    "end-sessions": "Ended every staff session",
    "password-set": "Set a new password",
    "account-added": "Added an account",
    "role-changed": "Changed a role",
    "account-removed": "Removed an account",
    "draft-save": "Saved a draft",
    "draft-discard": "Discarded a draft",
    "publish": "Signed off and published",
}


@dataclass(frozen=True)
class Event:
    """One recorded staff action."""

    created: str
    action: str
    account: str
    client: str
    detail: str

    @property
    def label(self) -> str:
        """The action as staff read it."""
        return ACTIONS.get(self.action, self.action)


def record(
    db: Connection, action: str, *, account: str, client: str, detail: str = "", now: datetime | None = None
) -> None:
    """Add one action, by an account ("" for none), to the log."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to ACTIONS")
    created = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    db.execute(audit.insert().values(created=created, action=action, account=account, client=client, detail=detail))


def latest(db: Connection, *, limit: int = 100) -> list[Event]:
    """Return the most recent actions, newest first."""
    columns = audit.c
    query = select(columns.created, columns.action, columns.account, columns.client, columns.detail)
    query = query.order_by(columns.id.desc())
    return [Event(*row) for row in db.execute(query.limit(limit))]
