"""Staff sessions live on the server: logout, a new password, a removed account or an administrator ends every copy
of the cookie."""

from __future__ import annotations

import io
import sqlite3
import time

import pytest
import staff_forms

from faqbot.cli import main
from faqbot.storage import accounts, db, sessions


def copy_of(client, app):
    """Another browser holding a copy of this browser's session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("faqbot_session", client.get_cookie("faqbot_session").value)
    return thief


@pytest.fixture
def clock(monkeypatch):
    """Control time.time() for the app: a list whose first item is now."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_logout_ends_every_copy_of_the_cookie(staff, app, csrf):
    """After logout, a copy of the old cookie gets the login page, not the workspace."""
    thief = copy_of(staff, app)
    assert thief.get("/staff/").status_code == 200
    staff.post("/staff/logout", data={"csrf_token": csrf(staff, "/staff/")})
    assert thief.get("/staff/").status_code == 302
    assert thief.get("/staff/report.csv").headers["Location"].startswith("/staff/login")


def test_a_new_password_from_the_command_line_ends_that_accounts_sessions_only(
    app, staff, login, add_account, monkeypatch
):
    """`staff set-password` logs that account out everywhere, other accounts stay in, and the new password works."""
    add_account(app, "rita", "editor")
    rita, second_browser = app.test_client(), app.test_client()
    assert login(rita, name="rita").status_code == 303 and login(second_browser, name="rita").status_code == 303
    monkeypatch.setattr("faqbot.cli._web_app", lambda settings: app)
    out = io.StringIO()
    command = ["staff", "set-password", "rita", "--password-stdin"]
    assert main(command, stdin=io.StringIO("a brand new password\n"), stdout=out) == 0
    assert "ended 2 open staff session(s)" in out.getvalue()
    assert rita.get("/staff/").status_code == 302 and second_browser.get("/staff/").status_code == 302
    assert staff.get("/staff/").status_code == 200  # sam's session is not touched
    assert login(rita, name="rita").status_code == 401
    assert login(rita, "a brand new password", name="rita").status_code == 303


@pytest.mark.parametrize("change", ["password", "removal"])
def test_a_change_in_the_database_ends_the_session_at_its_next_request(staff, app, change):
    """Every request checks the account: a password changed, or the account removed, straight in the database
    (no session ended by hand) sends the browser to the login page at once."""
    with app.app_context():
        if change == "password":
            accounts.set_password(db.get_db(), staff_forms.NAME, staff_forms.password_hash("another long password"))
        else:
            accounts.remove(db.get_db(), staff_forms.NAME)
    response = staff.get("/staff/report")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


def test_end_staff_sessions_command_ends_every_session(app, staff, login, monkeypatch):
    """`python -m faqbot end-staff-sessions` logs out every browser at once and says how many."""
    other = app.test_client()
    login(other)
    monkeypatch.setattr("faqbot.cli._web_app", lambda settings: app)
    out = io.StringIO()
    assert main(["end-staff-sessions"], stdout=out) == 0
    assert out.getvalue().startswith("Ended 2 open staff session(s).")
    assert staff.get("/staff/").status_code == 302 and other.get("/staff/").status_code == 302


def test_end_every_session_button(app, staff, login, csrf):
    """The Activity page's button ends every session, the one pressing it included."""
    other = app.test_client()
    login(other)
    page = staff.get("/staff/activity").get_data(as_text=True)
    assert "2 open sessions, yours included." in page
    response = staff.post(
        "/staff/sessions/end-all", data={"csrf_token": csrf(staff, "/staff/activity")}, follow_redirects=True
    )
    assert "Every staff session has ended (2, yours included)" in response.get_data(as_text=True)
    assert staff.get("/staff/").status_code == 302 and other.get("/staff/").status_code == 302


def test_an_active_session_stays_open_past_the_idle_limit(staff, app, clock):
    """Each visit pushes the idle limit on: a session used every 50 minutes outlives its 60 idle minutes."""
    for _ in range(3):
        clock[0] += 50 * 60
        assert staff.get("/staff/").status_code == 200


def test_a_session_ends_after_twelve_hours_however_active(staff, clock):
    """Even used every 30 minutes, a session ends 12 hours after login."""
    started = clock[0]
    while clock[0] + 30 * 60 < started + sessions.ABSOLUTE_SECONDS:
        clock[0] += 30 * 60
        assert staff.get("/staff/").status_code == 200
    clock[0] = started + sessions.ABSOLUTE_SECONDS + 1
    assert staff.get("/staff/").status_code == 302


def test_the_database_never_holds_a_usable_session_id(staff, tmp_path):
    """The cookie's session id is stored only as a hash, so a copy of the database opens nothing."""
    with staff.session_transaction() as cookie:
        session_id = cookie["staff_session"]
    assert len(session_id) >= 40
    rows = sqlite3.connect(tmp_path / "faqbot.sqlite").execute("SELECT * FROM staff_session").fetchall()
    assert len(rows) == 1 and session_id not in str(rows)


@pytest.mark.parametrize("value", [12345, ["a", "list"], {"a": "dict"}, None])
def test_a_signed_cookie_with_unexpected_content_is_just_logged_out(client, value):
    """A validly signed cookie whose session id is not text gets the login page, never an error."""
    with client.session_transaction() as cookie:
        cookie["staff_session"] = value
    assert client.get("/staff/").status_code == 302


def test_without_the_database_staff_login_fails_closed(make_app, login, tmp_path):
    """If the database cannot be opened, a login gets a clear 503 page and no way in."""
    (tmp_path / "a folder").mkdir()
    app = make_app(DATABASE=str(tmp_path / "a folder"), with_account=False)  # a folder: SQLite cannot open it
    client = app.test_client()
    response = login(client)
    assert response.status_code == 503
    assert "Staff login is unavailable right now" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_when_the_database_fails_an_open_session_is_refused(staff, app):
    """An open session whose record cannot be read gets the 503 login page, not staff data."""
    with app.app_context():
        from faqbot.storage import db

        db.get_db().exec_driver_sql("DROP TABLE staff_session")
    response = staff.get("/staff/report")
    assert response.status_code == 503 and "Staff login is unavailable" in response.get_data(as_text=True)
