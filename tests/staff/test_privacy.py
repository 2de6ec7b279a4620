"""Learning from use without keeping patients' words: canary, redaction, retention, concurrency, faults."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from faqbot.cli import main
from faqbot.storage import db, usage
from faqbot.storage.schema import unanswered

CANARY = "canary-7Qx9 my email is jane@example.com, what is the price of gold teeth?"


def _database_text(path) -> str:
    """Every value in every table of the database file, as one string."""
    connection = sqlite3.connect(path)
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return " ".join(str(row) for table in tables for row in connection.execute(f"SELECT * FROM {table}"))


def test_canary_message_never_reaches_the_database_or_logs(make_app, tmp_path, caplog, csrf):
    """With text keeping off (the default), a patient's message is in neither the database nor the logs."""
    app = make_app()
    assert app.config["KEEP_UNANSWERED_TEXT"] is False
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    assert client.post("/api/chat", json={"message": CANARY}).status_code == 200
    form = {"message": CANARY, "csrf_token": csrf(client, "/"), "view": "page"}
    assert client.post("/send", data=form).status_code == 303  # the no-JavaScript form
    assert db.writer(app).flush() and db.store_state(app).written == 2  # both replies are in the file
    raw = (tmp_path / "faqbot.sqlite").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("faqbot.sqlite-*"))
    assert b"canary-7Qx9" not in raw and b"jane@example.com" not in raw
    assert "canary-7Qx9" not in _database_text(tmp_path / "faqbot.sqlite")
    assert "canary-7Qx9" not in caplog.text


def test_kept_questions_are_redacted(make_app, tmp_path):
    """With keeping on, an unanswered question is stored with its contact details redacted."""
    app = make_app(KEEP_UNANSWERED_TEXT=True)
    client = app.test_client()
    client.post("/api/chat", json={"message": CANARY})
    client.post("/api/chat", json={"message": "What is osseointegration?"})  # answered: not kept
    assert db.writer(app).flush()
    kept = sqlite3.connect(tmp_path / "faqbot.sqlite").execute("SELECT kind, text FROM unanswered").fetchall()
    assert kept == [("fallback", "canary-7Qx9 my email is [email], what is the price of gold teeth?")]


def test_kept_questions_appear_grouped_in_the_report(make_app, login, clarifying):
    """Kept unanswered questions are grouped with counts on the report, most frequent first."""
    app = make_app(KEEP_UNANSWERED_TEXT=True)
    client = app.test_client()
    for message in ["do you take visa cards", "do you take visa", "is there parking nearby", clarifying]:
        client.post("/api/chat", json={"message": message})
    assert db.writer(app).flush()
    login(client)
    page = client.get("/staff/report").get_data(as_text=True)
    assert "<td>2</td><td>do you take visa" in page and "is there parking nearby" in page
    assert "New entry (or a not-covered topic)" in page
    assert "Alternate phrasing of" in page


def test_retention_purges_old_questions(make_app, tmp_path):
    """Questions older than RETENTION_DAYS are deleted by purge; newer ones stay."""
    app = make_app(KEEP_UNANSWERED_TEXT=True, RETENTION_DAYS=30)
    with app.app_context():
        connection = db.get_db()
        old = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds")
        new = (datetime.now(UTC) - timedelta(days=29)).isoformat(timespec="seconds")
        connection.execute(unanswered.insert(), [_kept(old, "old one"), _kept(new, "new one")])
        assert usage.purge(connection, retention_days=30) == 1
        assert list(connection.execute(select(unanswered.c.text)).scalars()) == ["new one"]


def _kept(created: str, text: str) -> dict:
    return {"created": created, "kind": "fallback", "text": text}


def test_retention_is_enforced_on_start(make_app, tmp_path):
    """Starting the app deletes questions past the retention period."""
    app = make_app(KEEP_UNANSWERED_TEXT=True)
    with app.app_context():
        old = (datetime.now(UTC) - timedelta(days=400)).isoformat(timespec="seconds")
        db.get_db().execute(unanswered.insert().values(_kept(old, "stale")))
    make_app(KEEP_UNANSWERED_TEXT=True)  # a restart
    rows = sqlite3.connect(tmp_path / "faqbot.sqlite").execute("SELECT COUNT(*) FROM unanswered").fetchone()
    assert rows == (0,)


def test_purge_command(monkeypatch, tmp_path):
    """`python -m faqbot purge` reports how many kept questions it deleted."""
    monkeypatch.setenv("FAQBOT_DATABASE", str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("FAQBOT_SECRET_KEY", "x" * 40)
    out = io.StringIO()
    assert main(["purge"], stdout=out) == 0
    assert out.getvalue().startswith("Deleted 0 kept question(s) older than 30 days.")


def test_a_command_leaves_no_knowledge_folder_behind_for_the_next_app(monkeypatch, tmp_path):
    """A command that makes the web app (purge, serve...) must not bind later apps in the same process to its
    knowledge folder: it did, through the FAQBOT_KNOWLEDGE_DIR variable, and tests after it ran on the
    real knowledge base instead of their own."""
    monkeypatch.setenv("FAQBOT_DATABASE", str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("FAQBOT_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("FAQBOT_KNOWLEDGE_DIR", raising=False)
    assert main(["purge"], stdout=io.StringIO()) == 0
    assert "FAQBOT_KNOWLEDGE_DIR" not in os.environ


def test_many_simultaneous_chats_lose_no_record(make_app, tmp_path):
    """Replies recorded from many threads against the real SQLite file are all there, none corrupted."""
    app = make_app()
    errors: list[BaseException] = []

    def chat(worker: int) -> None:
        client = app.test_client()
        try:
            for n in range(15):
                message = "What is osseointegration?" if n % 2 else "can I pay with bitcoin"
                assert client.post("/api/chat", json={"message": message}).status_code == 200
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=chat, args=(w,)) for w in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert db.writer(app).flush()
    connection = sqlite3.connect(tmp_path / "faqbot.sqlite")
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    counts = dict(connection.execute("SELECT kind, COUNT(*) FROM reply GROUP BY kind"))
    assert counts == {"answer": 12 * 7, "fallback": 12 * 8}


def test_unwritable_database_never_breaks_a_chat(make_app, tmp_path, caplog):
    """If the statistics file cannot be written, the patient still gets the reply and the failure is logged."""
    app = make_app(KEEP_UNANSWERED_TEXT=True)
    client = app.test_client()
    with app.app_context():
        db.get_db().exec_driver_sql(
            "CREATE TRIGGER no_writes BEFORE INSERT ON reply BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        db.get_db().exec_driver_sql(
            "CREATE TRIGGER no_kept BEFORE INSERT ON unanswered BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    caplog.set_level(logging.WARNING)
    response = client.post("/api/chat", json={"message": CANARY})
    assert response.status_code == 200 and response.get_json()["kind"] == "fallback"
    assert db.writer(app).flush()
    assert "Could not record" in caplog.text and "canary-7Qx9" not in caplog.text
    assert db.store_state(app).dropped == 2  # the reply and the kept question, both counted


def test_chat_page_says_what_is_kept(make_app):
    """The chat page's notice says questions are not kept, or, when keeping is on, what is kept and for how long."""
    assert "does not keep what you type" in make_app().test_client().get("/").get_data(as_text=True)
    page = make_app(KEEP_UNANSWERED_TEXT=True, RETENTION_DAYS=14).test_client().get("/").get_data(as_text=True)
    assert "the question is kept for 14\n        days" in page and "phone numbers and dates removed" in page
