"""Alembic's entry point: run the revisions in versions/ on the connection faqbot hands over.

faqbot runs this at every start (faqbot.storage.migrations.migrate), inside one transaction it has
already begun and locked. To write a new revision after changing faqbot/storage/schema.py:

    .venv/bin/alembic -c faqbot/storage/migrations/alembic.ini revision -m "what changes"

then fill in its upgrade() by hand (both SQLite and PostgreSQL must run it; SQLite changes a table
with op.batch_alter_table). The command line works on the database the environment names
(FAQBOT_DATABASE_URL, else FAQBOT_DATABASE, else instance/faqbot.sqlite).
"""

from __future__ import annotations

import os

from alembic import context

from faqbot.config import PROJECT_ROOT
from faqbot.storage.engine import create_engine, database_url
from faqbot.storage.schema import metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters a table by copying it: autogenerate writes it that way
        transactional_ddl=True,  # on SQLite too: faqbot's engines begin real transactions
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    settings = {
        "DATABASE_URL": os.environ.get("FAQBOT_DATABASE_URL", ""),
        "DATABASE": os.environ.get("FAQBOT_DATABASE", str(PROJECT_ROOT / "instance" / "faqbot.sqlite")),
    }
    engine = create_engine(database_url(settings), pooled=False)
    with engine.connect() as opened:
        run(opened)
        opened.commit()
