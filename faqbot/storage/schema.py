"""The tables faqbot stores, as SQLAlchemy Core tables: the same on SQLite and PostgreSQL.

Never the patient's words, except kept questions (redacted, and only with KEEP_UNANSWERED_TEXT).
Times are UTC ISO 8601 text (`created`) or seconds since the epoch (staff sessions), so the same
queries read both databases. A change here is also a new revision in storage/migrations/versions/.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Float, Index, Integer, MetaData, Table, Text, UniqueConstraint

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
    Column("topic", Text),  # a decline's not-covered topic (its id), so staff see what to write next
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

# Staff accounts: each person logs in by name; roles and what they may do are in faqbot.roles.
staff_account = Table(
    "staff_account",
    metadata,
    Column("name", Text, primary_key=True),  # lower-case letters, digits, . - _ (accounts.check_name); 40 at most
    Column("role", Text, nullable=False),  # one of faqbot.roles.ROLES
    Column("password_hash", Text, nullable=False),  # scrypt, salted; never the password
    Column("created", Text, nullable=False),
    Column("password_changed", Text, nullable=False),  # to the microsecond: a new password ends older sessions
)

# Staff sessions kept server-side, so logout, a new password or an administrator ends every copy.
staff_session = Table(
    "staff_session",
    metadata,
    Column("id_hash", Text, primary_key=True),  # sha256 of the random id in the cookie, never the id
    Column("account", Text, nullable=False),  # the account's name: removing the account ends the session
    Column("password_changed", Text, nullable=False),  # the account's at login: a new password ends the session
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
    Column("account", Text, nullable=False, server_default=""),  # "": the command line, or a name nobody has
    Column("client", Text, nullable=False),  # the client's address, or "command line"
    Column("detail", Text, nullable=False),  # fixed words, numbers and account names, never text from a request
    Index("audit_created", "created"),
)

# Published knowledge: every version the clinic's reviewers published, whole (the TOML files as JSON),
# so any version can be shown, compared, exported or restored. `parent` is the version it was made
# from and is unique: of two reviewers publishing on the same version at once, the second is refused.
knowledge_version = Table(
    "knowledge_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent", Integer, nullable=False),  # 0 for the shipped baseline
    Column("created", Text, nullable=False),
    Column("author", Text, nullable=False),  # the account(s) that wrote the change
    Column("reviewer", Text, nullable=False),  # the account that signed it off and published it
    Column("summary", Text, nullable=False),
    Column("changes", Text, nullable=False),  # JSON: [[kind, item id, action], ...]
    Column("files", Text, nullable=False),  # JSON: {path: TOML text}
    Column("digest", Text, nullable=False),
    UniqueConstraint("parent", name="knowledge_version_parent"),
)

# Changes not yet published: at most one per item, saved with a revision number so that a second
# editor saving over the first is refused and shown the difference instead.
knowledge_draft = Table(
    "knowledge_draft",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),  # entry, topic, triage, or import (a whole uploaded knowledge folder)
    Column("item", Text, nullable=False),
    Column("action", Text, nullable=False),  # change, add, remove, import
    Column("content", Text, nullable=False),  # JSON: the item's fields (for an import, its files)
    Column("path", Text, nullable=False),  # the file a new item goes in
    Column("base", Text, nullable=False),  # JSON: the item as published when the draft began (null: new)
    Column("revision", Integer, nullable=False),
    Column("author", Text, nullable=False),
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),
    UniqueConstraint("kind", "item", name="knowledge_draft_item"),
)
