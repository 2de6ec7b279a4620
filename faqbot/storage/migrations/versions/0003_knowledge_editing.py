"""Knowledge edited in the staff workspace: published versions and drafts; declines counted by topic.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reply") as table:  # batch: SQLite adds the column the same way
        table.add_column(sa.Column("topic", sa.Text))
    op.create_table(
        "knowledge_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent", sa.Integer, nullable=False),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.UniqueConstraint("parent", name="knowledge_version_parent"),
    )
    op.create_table(
        "knowledge_draft",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("base", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("updated", sa.Text, nullable=False),
        sa.UniqueConstraint("kind", "item", name="knowledge_draft_item"),
    )


def downgrade() -> None:
    with op.batch_alter_table("reply") as table:
        table.drop_column("topic")
    op.drop_table("knowledge_draft")
    op.drop_table("knowledge_version")
