"""The statistics database: migrations, one row per reply, and never a broken chat because of it."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from faqbot.storage import db, migrations, writer


def rows(path: str, sql: str) -> list[tuple]:
    """Run one query on the database file."""
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def recorded(app, sql: str) -> list[tuple]:
    """What the app has recorded once its writer has written what was queued."""
    assert db.writer(app).flush()
    return rows(app.config["DATABASE"], sql)


def test_first_start_creates_the_schema_at_the_newest_revision(app):
    """A new database gets every table, and Alembic's version table says it is up to date."""
    path = app.config["DATABASE"]
    assert rows(path, "SELECT version_num FROM alembic_version") == [(migrations.head(),)]
    tables = {name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reply", "feedback"} <= tables


def test_restart_keeps_the_data_and_runs_nothing_twice(make_app, client):
    """Starting again on an existing database keeps its rows."""
    client.post("/api/chat", json={"message": "what is a dental implant"})
    assert db.writer(client.application).flush()
    app = make_app()
    assert rows(app.config["DATABASE"], "SELECT COUNT(*) FROM reply") == [(1,)]


@pytest.mark.parametrize(
    ("message", "kind"), [("what is a dental implant", "answer"), ("can I pay with bitcoin", "fallback")]
)
def test_every_api_reply_is_recorded_without_the_words(app, client, message, kind):
    """Each API reply adds its time, channel, kind, entry and confidence, and nothing of the message."""
    client.post("/api/chat", json={"message": message})
    [(created, channel, stored_kind, entry_id, confidence)] = recorded(
        app, "SELECT created, channel, kind, entry_id, confidence FROM reply"
    )
    assert channel == "api" and stored_kind == kind
    assert (entry_id is not None) == (kind == "answer")
    assert 0 <= confidence <= 1 and created.endswith("+00:00")
    with open(app.config["DATABASE"], "rb") as file:
        assert message.encode() not in file.read()


def test_form_replies_are_recorded_with_their_channel(app, send):
    """Replies to the no-JavaScript form are recorded too, as the page channel."""
    send("what is a dental implant")
    assert recorded(app, "SELECT channel, kind, entry_id FROM reply") == [("page", "answer", "what-is-implant")]


@pytest.mark.parametrize("broken", ["a folder", "newer than this faqbot", "locked by another process"])
def test_a_database_that_cannot_be_written_never_breaks_the_chat(make_app, tmp_path, caplog, monkeypatch, broken):
    """With an unusable database the patient still gets the reply at once, and the lost row is counted
    and logged without the words."""
    monkeypatch.setattr(db, "WRITER_BUSY_TIMEOUT_MS", 20)
    monkeypatch.setattr(writer, "RETRY_SECONDS", 0.01)
    monkeypatch.setattr(writer, "MAX_ATTEMPTS", 3)
    path = tmp_path / "stats.sqlite"
    if broken == "a folder":
        path.mkdir()
    if broken == "newer than this faqbot":
        sqlite3.connect(path).execute("PRAGMA user_version = 99")
    app = make_app(DATABASE=str(path))
    if broken == "locked by another process":
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
    message = "what is a dental implant"
    with caplog.at_level(logging.WARNING):
        started = time.monotonic()
        response = app.test_client().post("/api/chat", json={"message": message})
        waited = time.monotonic() - started
        assert db.writer(app).flush()
    assert response.status_code == 200 and response.get_json()["kind"] == "answer"
    assert waited < 2.0  # the reply never waits for the database (a lock used to hold it two seconds)
    assert "Could not record 1 row(s) (a reply of kind answer)" in caplog.text
    assert message not in caplog.text and "dental" not in caplog.text
    state = db.store_state(app)
    assert state.dropped == 1 and state.status == "degraded" and state.reason


def test_record_reply_clamps_confidence(app):
    """Stored confidence is between 0 and 1 and rounded, as in the reply contract."""
    with app.test_request_context():
        assert db.record_reply(channel="api", kind="answer", entry_id="x", confidence=1.23456)
    assert recorded(app, "SELECT confidence FROM reply") == [(1.0,)]
