"""Alembic migrations at start: a new database, a restart, an SQLite file from before Alembic, a newer one."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pre_alembic
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import UniqueConstraint, inspect, text

from faqbot import create_app
from faqbot.storage import db, migrations, schema
from faqbot.storage.engine import create_engine, database_url
from faqbot.storage.migrations import DatabaseTooNew, migrate

# Made by faqbot at commit 4eab8df (before Alembic) serving 4 replies, 2 votes, 1 kept question and a staff login.
MADE_BY_OLD_FAQBOT = Path(__file__).resolve().parent.parent / "data" / "faqbot-before-alembic.sqlite"
OLD_TABLES = {"reply", "feedback", "unanswered", "staff_session", "audit"}  # what the old faqbot made
TABLES = OLD_TABLES | {"staff_account", "knowledge_version", "knowledge_draft"}


def run_migrate(url) -> str:
    with create_engine(url, pooled=False).connect() as connection:
        return migrate(connection)


def tables(url) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def count(url, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def test_a_new_database_gets_every_table_at_the_newest_revision(url):
    """The first start creates the schema and records Alembic's newest revision."""
    assert run_migrate(url) == migrations.head()
    assert tables(url) == TABLES | {"alembic_version"}


def test_the_schema_module_and_the_revisions_agree(url):
    """The tables the code queries (storage/schema.py) are the ones the revisions make, column for column."""
    run_migrate(url)
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        for table in schema.metadata.tables.values():
            made = {column["name"] for column in inspector.get_columns(table.name)}
            assert made == set(table.columns.keys()), table.name
            # PostgreSQL lists the index behind each unique constraint too: those are compared as constraints.
            indexes = {i["name"] for i in inspector.get_indexes(table.name) if not i.get("duplicates_constraint")}
            assert indexes == {index.name for index in table.indexes}, table.name
            uniques = {constraint["name"] for constraint in inspector.get_unique_constraints(table.name)}
            declared = {c.name for c in table.constraints if isinstance(c, UniqueConstraint)}
            assert uniques == declared, table.name
    finally:
        engine.dispose()


def test_a_restart_keeps_the_rows_and_runs_nothing_twice(url, stored, storage_settings):
    """Migrating again on an up-to-date database changes nothing."""
    run_migrate(url)
    stored(
        storage_settings, "INSERT INTO audit (created, action, client, detail) VALUES ('2026-01-01', 'login', 'x', '')"
    )
    assert run_migrate(url) == migrations.head()
    assert count(url, "audit") == 1


def test_a_database_from_a_newer_faqbot_is_refused_untouched(url, stored, storage_settings):
    """A revision this faqbot does not know means a newer faqbot made the database: nothing is changed."""
    run_migrate(url)
    stored(storage_settings, "UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(DatabaseTooNew, match="9999_from_the_future"):
        run_migrate(url)
    assert stored(storage_settings, "SELECT version_num FROM alembic_version") == [("9999_from_the_future",)]


def test_a_failing_revision_leaves_the_database_as_it_was(url, tmp_path, monkeypatch):
    """A revision that fails halfway is rolled back whole: no half-made table, the revision unchanged."""
    newest = run_migrate(url)
    folder = tmp_path / "migrations"
    shutil.copytree(migrations.FOLDER, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9998_broken.py").write_text(
        f'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "9998"\ndown_revision = "{newest}"\n'
        "branch_labels = depends_on = None\n\n\ndef upgrade():\n"
        '    op.create_table("half_made", sa.Column("id", sa.Integer, primary_key=True))\n'
        '    op.execute("THIS IS NOT SQL")\n'
    )
    monkeypatch.setattr(migrations, "FOLDER", folder)
    with pytest.raises(Exception, match="THIS IS NOT SQL"):
        run_migrate(url)
    assert "half_made" not in tables(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == newest
    engine.dispose()


def migrate_to(url, revision: str) -> None:
    """Bring a database to one revision, as an older faqbot's start would have."""
    with create_engine(url, pooled=False).connect() as connection, connection.begin():
        config = Config()
        config.set_main_option("script_location", str(migrations.FOLDER))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_0002_adds_accounts_to_a_database_made_at_0001_and_keeps_its_rows(url, stored, storage_settings):
    """Statistics and the audit log are kept (old actions name no account); sessions of the shared password end."""
    migrate_to(url, "0001")
    for statement in (
        "INSERT INTO reply (created, channel, kind, confidence) VALUES ('2026-01-01', 'api', 'answer', 1)",
        "INSERT INTO feedback (created, entry_id, vote) VALUES ('2026-01-01', 'x', 1)",
        "INSERT INTO unanswered (created, kind, text) VALUES ('2026-01-01', 'fallback', 'kept question')",
        "INSERT INTO audit (created, action, client, detail) VALUES ('2026-01-01T09:00:00+00:00', 'login', 'x', '')",
        "INSERT INTO staff_session (id_hash, password, created, last_seen, client) VALUES ('h', 'p', 1, 1, 'x')",
    ):
        stored(storage_settings, statement)
    assert run_migrate(url) == migrations.head()
    assert {table: count(url, table) for table in TABLES} == {
        "reply": 1, "feedback": 1, "unanswered": 1, "audit": 1, "staff_session": 0, "staff_account": 0,
        "knowledge_version": 0, "knowledge_draft": 0,
    }  # fmt: skip
    assert stored(storage_settings, "SELECT action, account, client FROM audit") == [("login", "", "x")]
    assert stored(storage_settings, "SELECT text FROM unanswered") == [("kept question",)]


def test_0003_adds_the_knowledge_tables_and_keeps_every_reply(url, stored, storage_settings):
    """Replies from before declines were counted by topic are kept (no topic); the editor's tables start empty."""
    migrate_to(url, "0002")
    for created, kind, entry in (("2026-01-01", "answer", "healing-time"), ("2026-01-02", "fallback", None)):
        stored(
            storage_settings,
            "INSERT INTO reply (created, channel, kind, entry_id, confidence) VALUES (:c, 'api', :k, :e, 0.5)",
            c=created,
            k=kind,
            e=entry,
        )
    assert run_migrate(url) == migrations.head()
    rows = stored(storage_settings, "SELECT created, kind, entry_id, topic FROM reply ORDER BY created")
    assert rows == [("2026-01-01", "answer", "healing-time", None), ("2026-01-02", "fallback", None, None)]
    assert count(url, "knowledge_version") == 0 and count(url, "knowledge_draft") == 0


@pytest.fixture
def old_file(tmp_path) -> Path:
    """A copy of the SQLite file the old faqbot made."""
    path = tmp_path / "faqbot.sqlite"
    shutil.copyfile(MADE_BY_OLD_FAQBOT, path)
    return path


def test_the_old_faqbots_file_is_adopted_with_every_row(old_file):
    """A file made before Alembic (user_version 3) is stamped and used as it is: no row is lost or duplicated,
    except its staff session, opened with the retired shared password (0002 ends those)."""
    before = {table: _count_sqlite(old_file, table) for table in OLD_TABLES}
    assert before == {"reply": 4, "feedback": 2, "unanswered": 1, "staff_session": 1, "audit": 1}
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "DATABASE": str(old_file)})
    after = {table: _count_sqlite(old_file, table) for table in TABLES}
    assert after == {**before, "staff_session": 0, "staff_account": 0, "knowledge_version": 0, "knowledge_draft": 0}
    with sqlite3.connect(old_file) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrations.head(),)]
    client = app.test_client()
    assert client.post("/api/chat", json={"message": "what is a dental implant"}).status_code == 200
    assert db.writer(app).flush()
    assert _count_sqlite(old_file, "reply") == 5 and db.store_state(app).dropped == 0


@pytest.mark.parametrize("version", [1, 2, 3])
def test_files_at_every_pre_alembic_version_are_completed(tmp_path, version):
    """A file the old migrations left at version 1 or 2 gets only the tables it lacks; its rows stay."""
    path = str(tmp_path / "old.sqlite")
    with sqlite3.connect(path, isolation_level=None) as connection:
        pre_alembic.migrate(connection, upto=version)
        connection.execute(
            "INSERT INTO reply (created, channel, kind, confidence) VALUES ('2025-05-05', 'api', 'x', 1)"
        )
    url = database_url({"DATABASE": path})
    assert run_migrate(url) == migrations.head()
    assert tables(url) == TABLES | {"alembic_version"}
    assert count(url, "reply") == 1
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (len(pre_alembic.MIGRATIONS),)


def test_the_copied_old_migrations_made_the_old_faqbots_schema(tmp_path, old_file):
    """pre_alembic.py is faithful: it makes exactly the tables and indexes of the file the old faqbot made."""
    path = tmp_path / "remade.sqlite"
    with sqlite3.connect(path, isolation_level=None) as connection:
        pre_alembic.migrate(connection)
    assert _schema(path) == _schema(old_file)


def test_an_sqlite_file_newer_than_alembic_adoption_is_refused(tmp_path):
    """An SQLite file without Alembic's table but past the last hand-written version is not ours to change."""
    path = str(tmp_path / "odd.sqlite")
    sqlite3.connect(path).execute("PRAGMA user_version = 99")
    with pytest.raises(DatabaseTooNew, match="schema version 99 is newer"):
        run_migrate(database_url({"DATABASE": path}))


def _count_sqlite(path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _schema(path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name != 'alembic_version' ORDER BY name"
        ).fetchall()
