"""Ending staff sessions reaches every process: through the shared database, and through Redis for the rest."""

from __future__ import annotations

import io

import pytest
import servers
from sqlalchemy import select
from staff_forms import add_account

from faqbot.cli import main
from faqbot.storage import db
from faqbot.storage.schema import staff_account, staff_session


def test_end_every_session_on_one_process_ends_them_on_another(make_process, sharing, log_in, csrf):
    """Processes with their own databases: "end every session" on one ends the other's sessions only with Redis."""
    first, second = make_process(), make_process()
    here, there = first.test_client(), second.test_client()
    assert log_in(here).status_code == 303 and log_in(there).status_code == 303
    here.post("/staff/sessions/end-all", data={"csrf_token": csrf(here, "/staff/activity")})
    assert here.get("/staff/").status_code == 302
    assert there.get("/staff/").status_code == (302 if sharing else 200)
    assert log_in(there).status_code == 303 and there.get("/staff/").status_code == 200  # a new login works


def test_logout_on_one_process_ends_a_copy_of_the_cookie_on_another(make_process, sharing, log_in, csrf):
    """A copied cookie replayed to another process (with its own database) is refused after logout, with Redis."""
    first, second = make_process(), make_process()
    staff = first.test_client()
    assert log_in(staff).status_code == 303
    cookie = staff.get_cookie("faqbot_session").value
    # The other process knows the session only if it shares the database: give it the same rows.
    with first.app_context():
        [row] = db.get_db().execute(select(staff_session)).mappings().all()
        [account] = db.get_db().execute(select(staff_account)).mappings().all()
    with second.app_context():
        db.get_db().execute(staff_account.delete())
        db.get_db().execute(staff_account.insert().values(**account))
        db.get_db().execute(staff_session.insert().values(**row))
    thief = second.test_client()
    thief.set_cookie("faqbot_session", cookie)
    assert thief.get("/staff/").status_code == 200
    staff.post("/staff/logout", data={"csrf_token": csrf(staff, "/staff/")})
    assert thief.get("/staff/").status_code == (302 if sharing else 200)


def test_end_staff_sessions_command_reaches_every_process(make_process, sharing, log_in, monkeypatch):
    """`python -m faqbot end-staff-sessions` on one machine ends sessions held by another, with Redis."""
    first, second = make_process(), make_process()
    there = second.test_client()
    assert log_in(there).status_code == 303
    monkeypatch.setattr("faqbot.cli._web_app", lambda settings: first)
    assert main(["end-staff-sessions"], stdout=io.StringIO()) == 0
    assert there.get("/staff/").status_code == (302 if sharing else 200)


@pytest.mark.parametrize("sharing", [{}])
def test_without_redis_staff_pages_fail_closed(make_process, log_in):
    """REDIS_URL set but Redis unreachable: staff get the clear 503 page, never staff data."""
    app = make_process(REDIS_URL=f"redis://127.0.0.1:{servers.free_port()}/0")
    client = app.test_client()
    response = log_in(client)
    assert response.status_code == 503 and "Staff login is unavailable" in response.get_data(as_text=True)


@pytest.mark.parametrize("command", [["remove", "sam"], ["set-password", "sam", "--password-stdin"]])
def test_removing_an_account_or_its_new_password_reaches_every_process(
    make_process, sharing, log_in, monkeypatch, command
):
    """`staff remove` or `staff set-password` on one machine ends that account's sessions on another, with Redis;
    other accounts' sessions there stay open."""
    first, second = make_process(), make_process()
    add_account(second, "rita", "editor")
    sam, rita = second.test_client(), second.test_client()
    assert log_in(sam).status_code == 303 and log_in(rita, name="rita").status_code == 303
    monkeypatch.setattr("faqbot.cli._web_app", lambda settings: first)
    assert main(["staff", *command], stdin=io.StringIO("a brand new password\n"), stdout=io.StringIO()) == 0
    assert sam.get("/staff/").status_code == (302 if sharing else 200)
    assert rita.get("/staff/").status_code == 200


def test_an_account_removed_in_the_workspace_is_logged_out_on_another_process(make_process, sharing, log_in, csrf):
    """An administrator removing an account on one process ends its session held on another, with Redis."""
    first, second = make_process(), make_process()
    add_account(first, "ada", "admin")
    admin, sam = first.test_client(), second.test_client()
    assert log_in(admin, name="ada").status_code == 303 and log_in(sam).status_code == 303
    response = admin.post("/staff/accounts/sam/remove", data={"csrf_token": csrf(admin, "/staff/accounts")})
    assert response.status_code == 303
    assert sam.get("/staff/report").status_code == (302 if sharing else 200)
