"""The audit log records each staff action with its UTC time, account and address, and never any patient text."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from faqbot.cli import main
from faqbot.storage import audit, db

CANARY = "canary-5Kp2 is the clinic open on sundays for jane@example.com"


def audit_rows(path) -> list[tuple[str, str, str, str, str]]:
    query = "SELECT created, action, account, client, detail FROM audit ORDER BY id"
    return sqlite3.connect(path).execute(query).fetchall()


def test_each_staff_action_is_recorded_without_patient_text(make_app, login, csrf, tmp_path, monkeypatch):
    """Failed logins, login, viewing kept questions, export, ending sessions and logout each leave one row, naming
    the account (none for a name nobody has, or the command line)."""
    app = make_app(KEEP_UNANSWERED_TEXT=True)
    patient = app.test_client()
    assert patient.post("/api/chat", json={"message": CANARY}).get_json()["kind"] == "fallback"
    db.writer(app).flush()

    staff = app.test_client()
    staff.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    login(staff, "not the staff password")
    login(staff, name="someone-else")
    login(staff)
    assert "canary-5Kp2" in staff.get("/staff/report").get_data(as_text=True)  # the kept question is shown
    assert staff.get("/staff/report.csv?days=7").status_code == 200
    staff.post("/staff/sessions/end-all", data={"csrf_token": csrf(staff, "/staff/activity")})
    login(staff)
    staff.post("/staff/logout", data={"csrf_token": csrf(staff, "/staff/")})
    monkeypatch.setattr("faqbot.cli._web_app", lambda settings: app)
    assert main(["end-staff-sessions"], stdout=io.StringIO()) == 0

    rows = audit_rows(tmp_path / "faqbot.sqlite")
    assert [tuple(row[1:]) for row in rows] == [
        ("login-failed", "sam", "192.0.2.10", ""),
        ("login-failed", "", "192.0.2.10", ""),  # what was typed is not kept: it may be a password
        ("login", "sam", "192.0.2.10", ""),
        ("view-kept-questions", "sam", "192.0.2.10", "report, 30 days"),
        ("export", "sam", "192.0.2.10", "report CSV, 7 days"),
        ("view-kept-questions", "sam", "192.0.2.10", "report, 7 days"),  # the CSV holds the kept questions too
        ("end-sessions", "sam", "192.0.2.10", "1 open"),
        ("login", "sam", "192.0.2.10", ""),
        ("logout", "sam", "192.0.2.10", ""),
        ("end-sessions", "", "command line", "0 open"),
    ]
    for created, *_ in rows:
        when = datetime.fromisoformat(created)
        assert when.tzinfo == UTC and datetime.now(UTC) - when < timedelta(minutes=1)
    assert "canary" not in str(rows) and "jane" not in str(rows) and "someone-else" not in str(rows)


def test_the_activity_page_shows_the_latest_actions(staff, app):
    """Staff see recent actions newest first, with time, action, account and address; nothing a patient typed."""
    app.test_client().post("/api/chat", json={"message": CANARY})
    page = staff.get("/staff/activity").get_data(as_text=True)
    assert '<th scope="col">Account</th>' in page and "<td>Logged in</td><td>sam</td><td>127.0.0.1</td>" in page
    assert 'aria-current="page">Activity</a>' in page
    assert "canary" not in page


def test_only_known_actions_are_recorded(app):
    """A typo in an action name fails loudly instead of writing a row nobody can read."""
    with app.app_context(), pytest.raises(ValueError, match="unknown audit action 'exprot'"):
        audit.record(db.get_db(), "exprot", account="sam", client="127.0.0.1")
