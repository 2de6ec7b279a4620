"""Named staff accounts with roles, replacing the single shared staff password.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-01

Adds `staff_account`; each staff session now belongs to an account, and each audit row names one
("" for rows from before: the shared password had no name). Sessions opened with the retired shared
password belong to no account and can never be open again, so they are deleted: their staff log in
again by name. Every other row is kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("password_changed", sa.Text, nullable=False),
    )
    op.execute("DELETE FROM staff_session")
    # On SQLite, dropping a column copies the table (empty now), so NOT NULL columns need no default.
    with op.batch_alter_table("staff_session") as table:
        table.drop_column("password")
        table.add_column(sa.Column("account", sa.Text, nullable=False))
        table.add_column(sa.Column("password_changed", sa.Text, nullable=False))
    with op.batch_alter_table("audit") as table:
        table.add_column(sa.Column("account", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("audit") as table:
        table.drop_column("account")
    op.execute("DELETE FROM staff_session")
    with op.batch_alter_table("staff_session") as table:
        table.drop_column("account")
        table.drop_column("password_changed")
        table.add_column(sa.Column("password", sa.Text, nullable=False))
    op.drop_table("staff_account")
