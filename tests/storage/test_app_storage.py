"""The app on each database: replies, votes, kept questions, staff sessions and the audit log end up stored."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
import servers

from faqbot.storage import accounts, db, sessions, usage, writer
from faqbot.storage.engine import UNREACHABLE, create_engine
from faqbot.storage.migrations import migrate


def test_replies_and_votes_are_recorded_without_the_words(make_app, storage_settings, stored, rate, csrf):
    """An API reply, a form reply and a vote each leave their row; the message is in none of them."""
    app = make_app()
    client = app.test_client()
    assert rate(client, "what is a dental implant", "up").status_code == 201
    client.post("/send", data={"message": "can I pay with bitcoin", "csrf_token": csrf(client, "/")})
    assert db.writer(app).flush()
    assert stored(storage_settings, "SELECT channel, kind, entry_id FROM reply ORDER BY id") == [
        ("api", "answer", "what-is-implant"),
        ("page", "fallback", None),
    ]
    assert stored(storage_settings, "SELECT entry_id, vote FROM feedback") == [("what-is-implant", 1)]
    everything = str(stored(storage_settings, "SELECT * FROM reply")) + str(
        stored(storage_settings, "SELECT * FROM feedback")
    )
    assert "dental" not in everything and "bitcoin" not in everything
    assert client.get("/api/health").get_json()["statistics"] == {"status": "ok", "reason": "", "dropped": 0}


def test_kept_questions_are_redacted_and_purged_on_start(make_app, storage_settings, stored):
    """With keeping on, a fallback's question is kept redacted; one past RETENTION_DAYS is gone after a restart."""
    app = make_app(KEEP_UNANSWERED_TEXT=True)
    app.test_client().post("/api/chat", json={"message": "can I pay with bitcoin, mail jane@example.com"})
    assert db.writer(app).flush()
    assert stored(storage_settings, "SELECT kind, text FROM unanswered") == [
        ("fallback", "can I pay with bitcoin, mail [email]")
    ]
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds")
    stored(storage_settings, "UPDATE unanswered SET created = :old", old=old)
    make_app(KEEP_UNANSWERED_TEXT=True)  # a restart
    assert stored(storage_settings, "SELECT COUNT(*) FROM unanswered") == [(0,)]


def test_retention_runs_on_a_timer_while_the_server_runs(make_app, storage_settings, stored, caplog):
    """A kept question past the retention period is deleted by the running server, and the log says so."""
    app = make_app(KEEP_UNANSWERED_TEXT=True, RETENTION_DAYS=30)
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds")
    stored(storage_settings, "INSERT INTO unanswered (created, kind, text) VALUES (:old, 'fallback', 'stale')", old=old)
    caplog.set_level(logging.INFO)
    # The app's own writer runs it every RETENTION_CHECK_MINUTES; this one every 50 ms, with the same job.
    timer = writer.StatsWriter(
        create_engine(db.engine(app).url, pooled=False),
        migrate=migrate,
        housekeeping=usage.retention_job(app),
        housekeeping_seconds=0.05,
    )
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "Deleted 1 kept question" not in caplog.text:
            time.sleep(0.05)
    finally:
        timer.close()
    assert "Deleted 1 kept question(s) past the 30-day retention period" in caplog.text
    assert stored(storage_settings, "SELECT COUNT(*) FROM unanswered") == [(0,)]


def test_staff_sessions_and_the_audit_log_live_in_the_database(make_app, storage_settings, stored, log_in, csrf):
    """Login stores only the session id's hash, with its account; logout ends a copied cookie too; both are in the
    audit log, naming the account."""
    app = make_app()
    staff = app.test_client()
    assert log_in(staff).status_code == 303
    with staff.session_transaction() as cookie:
        session_id = cookie["staff_session"]
    [(id_hash, account, revoked)] = stored(storage_settings, "SELECT id_hash, account, revoked FROM staff_session")
    assert id_hash == sessions.digest(session_id) and account == "sam" and revoked is None
    thief = app.test_client()
    thief.set_cookie("faqbot_session", staff.get_cookie("faqbot_session").value)
    assert thief.get("/staff/").status_code == 200
    staff.post("/staff/logout", data={"csrf_token": csrf(staff, "/staff/")})
    assert thief.get("/staff/").status_code == 302
    assert stored(storage_settings, "SELECT action, account FROM audit ORDER BY id") == [
        ("login", "sam"),
        ("logout", "sam"),
    ]


def test_the_report_reads_the_recorded_figures(make_app, log_in):
    """The staff report counts what patients were answered, on either database."""
    app = make_app()
    client = app.test_client()
    for message in ["What is osseointegration?", "What is osseointegration?", "can I pay with bitcoin", "hi"]:
        client.post("/api/chat", json={"message": message})
    log_in(client)
    page = client.get("/staff/report").get_data(as_text=True)
    assert "4 replies" in page and "fallback rate 25.0%" in page


def test_last_seen_is_written_at_most_once_a_minute(connection):
    """Checking a session often writes its last_seen once a minute, not on every request."""
    account = accounts.add(connection, "rita", "editor", "scrypt:not-a-real-hash")
    session_id = sessions.start(connection, account=account, client="127.0.0.1", now=1000.0)
    seen = []
    for now in (1010.0, 1059.0, 1061.0, 1100.0):
        assert sessions.open_account(connection, session_id, idle_seconds=3600, now=now) == account
        seen.append(connection.exec_driver_sql("SELECT last_seen FROM staff_session").scalar_one())
    assert seen == [1000.0, 1000.0, 1061.0, 1061.0]


@pytest.mark.parametrize("storage_settings", ["postgresql"], indirect=True)
def test_a_server_down_at_start_is_used_once_it_is_back(
    postgres, postgres_url, make_app, log_in, add_account, tmp_path, monkeypatch
):
    """PostgreSQL unreachable when the app starts: patients are answered, health says why, and once the server
    is back rows are written and staff can log in (the schema is made then)."""
    monkeypatch.setattr(writer, "RETRY_SECONDS", 0.02)
    monkeypatch.setattr(writer, "MAX_ATTEMPTS", 3)
    outage = servers.Outage(postgres.port)
    outage.cut()
    url = postgres_url.replace(f":{postgres.port}/", f":{outage.port}/")
    app = make_app(DATABASE_URL=url, DATABASE=str(tmp_path / "unused.sqlite"), with_account=False)
    client = app.test_client()
    started = time.monotonic()
    assert client.post("/api/chat", json={"message": "what is a dental implant"}).status_code == 200
    assert time.monotonic() - started < 2
    health = client.get("/api/health").get_json()
    assert health["status"] == "degraded" and health["statistics"]["reason"] == UNREACHABLE
    assert log_in(client).status_code == 503  # staff sessions cannot be checked: no way in
    deadline = time.monotonic() + 10
    while db.store_state(app).dropped == 0 and time.monotonic() < deadline:  # the writer gives the first row up
        time.sleep(0.02)
    outage.restore()
    assert client.post("/api/chat", json={"message": "what is a dental implant"}).status_code == 200
    assert db.writer(app).flush(timeout=30)
    assert db.store_state(app).written == 1
    add_account(app)
    assert log_in(client).status_code == 303
    assert not (tmp_path / "unused.sqlite").exists()  # with DATABASE_URL, no SQLite file is made
