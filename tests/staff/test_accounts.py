"""Managing accounts in the workspace: an administrator adds, changes, sets passwords for and removes accounts."""

from __future__ import annotations

import re

import pytest
import staff_forms

from faqbot.storage import accounts, db

NEW_PASSWORD = "a brand new password"


@pytest.fixture
def admin(signed_in):
    """A browser logged in as the administrator ada (the app also has sam, a reviewer)."""
    return signed_in("admin", "ada")


def post(client, path: str, csrf, **form):
    """Send an account form as the page would, with its CSRF token."""
    return client.post(path, data={"csrf_token": csrf(client, "/staff/accounts"), **form})


def stored_accounts(app) -> list[accounts.Account]:
    with app.app_context():
        return accounts.listed(db.get_db())


def alert(response) -> str:
    return " ".join(re.search(r'role="alert">([^<]*)', response.get_data(as_text=True)).group(1).split())


def test_the_accounts_page_lists_every_account(admin):
    """Each account is listed with its role and open sessions; the administrator's own is marked."""
    page = " ".join(admin.get("/staff/accounts").get_data(as_text=True).split())
    assert '<a href="/staff/accounts/ada">ada</a> (you)</td> <td>admin</td>' in page
    assert '<a href="/staff/accounts/sam">sam</a></td> <td>reviewer</td>' in page
    assert 'aria-current="page">Accounts</a>' in page


def test_an_added_account_can_log_in_with_its_role(app, admin, csrf, login):
    """The new account logs in with the name and password given, and its role is the one chosen."""
    form = {"name": "Rita", "role": "editor", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    response = post(admin, "/staff/accounts", csrf, **form)
    assert response.status_code == 303
    assert "Added rita as editor." in admin.get("/staff/accounts").get_data(as_text=True)
    rita = app.test_client()
    assert login(rita, NEW_PASSWORD, name="rita").status_code == 303
    assert "rita (editor)" in rita.get("/staff/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": ""}, "Give the account a name."),
        ({"name": "rita smith"}, "A name is at most 40 characters: lower-case letters, digits, dots, hyphens"),
        ({"name": "r" * 41}, "A name is at most 40 characters"),
        ({"name": "rita<script>"}, "A name is at most 40 characters"),
        ({"name": "sam"}, "There is already an account named sam."),
        ({"role": "owner"}, "The role must be one of editor, reviewer, admin."),
        ({"password": "too short", "repeat": "too short"}, "The password must be at least 12 characters long."),
        ({"password": " padded password ", "repeat": " padded password "}, "must not start or end with spaces"),
        ({"repeat": "another password entirely"}, "The two passwords differ."),
    ],
)
def test_bad_input_to_the_add_form_changes_nothing(app, admin, csrf, form, message):
    """Each bad field gets a 400 with a message saying what to fix, and no account is made."""
    before = stored_accounts(app)
    fields = {"name": "rita", "role": "editor", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD, **form}
    response = post(admin, "/staff/accounts", csrf, **fields)
    assert response.status_code == 400
    assert message in alert(response) and alert(response).endswith("Nothing was changed.")
    assert "<script>" not in response.get_data(as_text=True)
    assert stored_accounts(app) == before


def test_a_role_is_changed(app, admin, csrf):
    """Changing sam to editor is stored and said."""
    response = post(admin, "/staff/accounts/sam/role", csrf, role="editor")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/accounts/sam"
    assert "sam is now an editor." in admin.get("/staff/accounts/sam").get_data(as_text=True)
    assert [a.role for a in stored_accounts(app) if a.name == "sam"] == ["editor"]


def test_a_new_password_ends_that_accounts_sessions_but_not_others(app, admin, staff, csrf, login):
    """Setting sam's password logs sam out everywhere at once; the administrator stays in; only the new one works."""
    response = post(admin, "/staff/accounts/sam/password", csrf, password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    assert response.status_code == 303
    assert "New password set for sam; 1 open session ended." in admin.get("/staff/accounts/sam").get_data(as_text=True)
    assert staff.get("/staff/").status_code == 302
    assert admin.get("/staff/").status_code == 200
    assert login(app.test_client()).status_code == 401
    assert login(app.test_client(), NEW_PASSWORD).status_code == 303


def test_setting_your_own_password_logs_you_out(app, admin, csrf, login):
    """An administrator who sets their own password is sent to log in with it."""
    response = post(admin, "/staff/accounts/ada/password", csrf, password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    assert response.headers["Location"] == "/staff/login"
    assert "Your password is changed." in admin.get("/staff/login").get_data(as_text=True)
    assert admin.get("/staff/").status_code == 302
    assert login(admin, NEW_PASSWORD, name="ada").status_code == 303


def test_removal_asks_first_then_ends_the_accounts_sessions(app, admin, staff, csrf, login):
    """Remove shows a confirmation; confirming removes sam, whose open session is sent to log in at its next
    request, and sam can no longer log in."""
    confirm = admin.get("/staff/accounts/sam/remove").get_data(as_text=True)
    assert "Remove the account sam?" in confirm and "1 open session ends at once" in confirm
    assert staff.get("/staff/").status_code == 200  # asking changes nothing
    response = post(admin, "/staff/accounts/sam/remove", csrf)
    assert response.status_code == 303
    assert "Removed sam; 1 open session ended." in admin.get("/staff/accounts").get_data(as_text=True)
    next_request = staff.get("/staff/report")
    assert next_request.status_code == 302 and next_request.headers["Location"].startswith("/staff/login")
    assert login(app.test_client()).status_code == 401
    assert [a.name for a in stored_accounts(app)] == ["ada"]


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("/staff/accounts/ada/remove", {}, "ada is the last administrator and cannot be removed."),
        ("/staff/accounts/ada/role", {"role": "editor"}, "ada is the last administrator and cannot be demoted."),
    ],
)
def test_the_last_administrator_cannot_remove_or_demote_themselves(app, admin, csrf, path, form, message):
    """The only administrator is refused with a message saying what to do instead, and nothing changes."""
    before = stored_accounts(app)
    response = post(admin, path, csrf, **form)
    assert response.status_code == 400
    assert alert(response) == f"{message} Make another account an administrator first. Nothing was changed."
    assert stored_accounts(app) == before and admin.get("/staff/accounts").status_code == 200


def test_with_another_administrator_you_may_remove_yourself(app, admin, signed_in, csrf):
    """An administrator who is not the last may remove their own account, and is logged out."""
    signed_in("admin", "grace")
    response = post(admin, "/staff/accounts/ada/remove", csrf)
    assert response.headers["Location"] == "/staff/login"
    assert admin.get("/staff/").status_code == 302
    assert [a.name for a in stored_accounts(app)] == ["grace", "sam"]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"role": "root"}, "The role must be one of editor, reviewer, admin."),
        ({"password": "short", "repeat": "short"}, "at least 12 characters"),
        ({"password": NEW_PASSWORD, "repeat": "something else entirely"}, "The two passwords differ."),
    ],
)
def test_bad_input_to_an_accounts_forms_changes_nothing(app, admin, staff, csrf, form, message):
    """A bad role or password for sam gets a 400 with the reason; sam keeps role, password and session."""
    before = stored_accounts(app)
    response = post(admin, "/staff/accounts/sam/" + ("role" if "role" in form else "password"), csrf, **form)
    assert response.status_code == 400 and message in alert(response)
    assert stored_accounts(app) == before and staff.get("/staff/").status_code == 200


@pytest.mark.parametrize("path", ["/staff/accounts/nobody", "/staff/accounts/nobody/remove", "/staff/accounts/Sam"])
def test_an_unknown_account_is_not_found(admin, path):
    """Pages of an account that does not exist answer 404."""
    assert admin.get(path).status_code == 404


def test_account_changes_are_in_the_audit_log_with_who_made_them(app, admin, csrf):
    """Adding, changing a role, setting a password and removing each leave a row naming the administrator."""
    post(admin, "/staff/accounts", csrf, name="rita", role="editor", password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    post(admin, "/staff/accounts/rita/role", csrf, role="reviewer")
    post(admin, "/staff/accounts/rita/password", csrf, password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    post(admin, "/staff/accounts/rita/remove", csrf)
    page = admin.get("/staff/activity").get_data(as_text=True)
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td></tr>", page)
    assert rows[:4] == [
        ("Removed an account", "ada", "rita, 0 open sessions ended"),
        ("Set a new password", "ada", "rita, 0 open sessions ended"),
        ("Changed a role", "ada", "rita, editor to reviewer"),
        ("Added an account", "ada", "rita, editor"),
    ]


def test_account_forms_need_their_csrf_token(app, admin):
    """An account form posted without its CSRF token (from another site) is refused and changes nothing."""
    before = stored_accounts(app)
    assert admin.post("/staff/accounts/sam/remove").status_code == 400
    form = {"name": "mallory", "role": "admin", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert admin.post("/staff/accounts", data=form).status_code == 400
    assert stored_accounts(app) == before


def test_passwords_are_stored_only_as_hashes(app, admin, csrf, tmp_path):
    """What the form stores is a salted scrypt hash: the password is nowhere in the database file."""
    post(admin, "/staff/accounts", csrf, name="rita", role="editor", password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("faqbot.sqlite*"))
    assert NEW_PASSWORD.encode() not in raw and staff_forms.PASSWORD.encode() not in raw
    assert b"scrypt:" in raw
