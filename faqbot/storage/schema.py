"""The tables faqbot stores, as SQLAlchemy Core tables: the same on SQLite and PostgreSQL.

Never the patient's words, except kept questions (redacted, and only with KEEP_UNANSWERED_TEXT).
Times are UTC ISO 8601 text (`created`) or seconds since the epoch (staff sessions), so the same
queries read both databases. A change here is also a new revision in storage/migrations/versions/.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Float, Index, Integer, MetaData, Table, Text

metadata = MetaData()

reply = Table(
    "reply",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created", Text, nullable=False),  # to the second
    Column("channel", Text, nullable=False),  # api, page or embed
    Column("kind", Text, nullable=False),  # answer, clarify, fallback, smalltalk, urgent
    Column("entry_id", Text),  # the answered entry, if any
    Column("confidence", Float, nullable=False),
    Index("reply_created", "created"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created", Text, nullable=False),  # the date only, so a vote cannot be tied to one reply
    Column("entry_id", Text, nullable=False),
    Column("vote", Integer, nullable=False),
    CheckConstraint("vote IN (-1, 1)", name="feedback_vote"),
    Index("feedback_entry", "entry_id"),
)

# Only written when KEEP_UNANSWERED_TEXT is on; the text is redacted first and purged after RETENTION_DAYS.
unanswered = Table(
    "unanswered",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created", Text, nullable=False),
    Column("kind", Text, nullable=False),  # fallback or clarify
    Column("text", Text, nullable=False),  # the question with contact details redacted
    Index("unanswered_created", "created"),
)

# Staff sessions kept server-side, so logout, a new password or an administrator ends every copy.
staff_session = Table(
    "staff_session",
    metadata,
    Column("id_hash", Text, primary_key=True),  # sha256 of the random id in the cookie, never the id
    Column("password", Text, nullable=False),  # fingerprint of the password hash at login
    Column("created", Float, nullable=False),  # seconds since the epoch
    Column("last_seen", Float, nullable=False),  # updated at most once a minute
    Column("client", Text, nullable=False),  # the address the login came from
    Column("revoked", Float),  # when it was ended (NULL while open)
)

# Staff actions: who did what from where, never any patient text.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created", Text, nullable=False),
    Column("action", Text, nullable=False),  # one of faqbot.storage.audit.ACTIONS
    Column("client", Text, nullable=False),  # the client's address, or "command line"
    Column("detail", Text, nullable=False),  # fixed words and numbers only, never text from a request
    Index("audit_created", "created"),
)
