"""The statistics, kept questions, staff sessions and audit log, as faqbot had them before Alembic.

Revision ID: 0001
Revises:
Create Date: 2026-02-01

An SQLite file made by an older faqbot (hand-written migrations counted in PRAGMA user_version 1 to
3) already has some or all of these tables, with rows: only what is missing is created, so the file
is adopted as it is. PRAGMA user_version is then set to 3, so that an older faqbot started on the
file by mistake finds its own schema complete instead of failing to create tables that exist.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LEGACY_VERSION = 3  # the last hand-written migration (faqbot.storage.migrations.LEGACY_VERSION)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "reply" not in existing:
        op.create_table(
            "reply",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("channel", sa.Text, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("entry_id", sa.Text),
            sa.Column("confidence", sa.Float, nullable=False),
        )
        op.create_index("reply_created", "reply", ["created"])
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("entry_id", sa.Text, nullable=False),
            sa.Column("vote", sa.Integer, nullable=False),
            sa.CheckConstraint("vote IN (-1, 1)", name="feedback_vote"),
        )
        op.create_index("feedback_entry", "feedback", ["entry_id"])
    if "unanswered" not in existing:
        op.create_table(
            "unanswered",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("text", sa.Text, nullable=False),
        )
        op.create_index("unanswered_created", "unanswered", ["created"])
    if "staff_session" not in existing:
        op.create_table(
            "staff_session",
            sa.Column("id_hash", sa.Text, primary_key=True),
            sa.Column("password", sa.Text, nullable=False),
            sa.Column("created", sa.Float, nullable=False),
            sa.Column("last_seen", sa.Float, nullable=False),
            sa.Column("client", sa.Text, nullable=False),
            sa.Column("revoked", sa.Float),
        )
    if "audit" not in existing:
        op.create_table(
            "audit",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("action", sa.Text, nullable=False),
            sa.Column("client", sa.Text, nullable=False),
            sa.Column("detail", sa.Text, nullable=False),
        )
        op.create_index("audit_created", "audit", ["created"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA user_version = {LEGACY_VERSION}")


def downgrade() -> None:
    for table in ("audit", "staff_session", "unanswered", "feedback", "reply"):
        op.drop_table(table)
