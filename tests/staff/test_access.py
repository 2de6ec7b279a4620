"""Access to the staff workspace: login by name, logout, expiry, CSRF, rate limits, every route refusing anonymous
use."""

from __future__ import annotations

import re
import time

import pytest
import staff_forms
from werkzeug.security import check_password_hash

from faqbot.storage import accounts

PAGES = [
    "/staff/",
    "/staff/entries/healing-time",
    "/staff/console",
    "/staff/sources",
    "/staff/report",
    "/staff/report.csv",
    "/staff/activity",
    "/staff/drafts",
    "/staff/drafts/1",
    "/staff/drafts/1/test-all",
    "/staff/edit/entry",
    "/staff/edit/entry/new",
    "/staff/edit/entry/healing-time",
    "/staff/history",
    "/staff/history/1",
    "/staff/review",
    "/staff/knowledge",
    "/staff/knowledge/export.zip",
    "/staff/accounts",
    "/staff/accounts/sam",
    "/staff/accounts/sam/remove",
]
POSTS = [
    "/staff/console",
    "/staff/sessions/end-all",
    "/staff/edit/entry/healing-time",
    "/staff/edit/entry/healing-time/remove",
    "/staff/edit/entry/healing-time/phrasing",
    "/staff/drafts/1/try",
    "/staff/drafts/1/publish",
    "/staff/drafts/1/discard",
    "/staff/history/1/revert",
    "/staff/review/entry/healing-time",
    "/staff/knowledge/import",
    "/staff/accounts",
    "/staff/accounts/sam/role",
    "/staff/accounts/sam/password",
    "/staff/accounts/sam/remove",
]
ACCOUNT_PAGES = [p for p in PAGES if p.startswith("/staff/accounts")]
ACCOUNT_POSTS = [p for p in POSTS if p.startswith("/staff/accounts")]


def test_every_staff_route_is_listed_here(app):
    """Each /staff route of the app appears in the access tests below (a new route cannot slip through)."""
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")}
    covered = {_rule(p) for p in PAGES + POSTS}
    assert rules - {"/staff/login", "/staff/logout"} == covered


def _rule(path: str) -> str:
    """The URL rule a listed path stands for."""
    path = path.replace("/staff/entries/healing-time", "/staff/entries/<entry_id>")
    if path.endswith("/phrasing"):
        return "/staff/edit/entry/<entry_id>/phrasing"
    path = path.replace("/staff/edit/entry/new", "/staff/edit/<kind>/new").replace(
        "/edit/entry/healing-time", "/edit/<kind>/<item_id>"
    )
    path = path.replace("/staff/edit/entry", "/staff/edit/<kind>").replace(
        "/review/entry/healing-time", "/review/<kind>/<item_id>"
    )
    path = path.replace("/drafts/1", "/drafts/<int:draft_id>").replace("/history/1", "/history/<int:version_id>")
    return path.replace("/accounts/sam", "/accounts/<name>")


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_page_views_are_sent_to_login(client, path):
    """An anonymous visitor to any staff page is redirected to the login page and sees no staff data."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_are_refused(client, path, csrf):
    """A POST to a staff action without a session is refused with 403 (CSRF is checked first, then login)."""
    token = csrf(client, "/staff/login")
    response = client.post(path, data={"question": "hi", "csrf_token": token})
    assert response.status_code == 403


def test_login_then_logout(client, login, csrf):
    """The right name and password open the workspace; logging out closes it again."""
    response = login(client)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    token = csrf(client, "/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/staff/").status_code == 302


def test_wrong_password_is_refused(client, login):
    """A wrong password gets 401 and a message, and no session."""
    response = login(client, "not the password at all")
    assert response.status_code == 401 and "That name or password is not right." in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def without_the_name(response) -> str:
    """The page, without the name typed (given back in its field) and without its CSRF token.

    The token carries a signed timestamp, so two pages served a second apart differ there whatever the name.
    """
    page = re.sub(r'(id="name" name="name" type="text" value=)"[^"]*"', r"\1", response.get_data(as_text=True))
    return re.sub(r'(name="csrf_token" value=)"[^"]*"', r"\1", page)


@pytest.mark.parametrize("name", ["nobody", "", "x" * 200, "sam' OR '1'='1"])
def test_an_unknown_name_looks_exactly_like_a_wrong_password(client, login, monkeypatch, name):
    """A name no account has gets the same status and page as a wrong password, after the same scrypt check."""
    checked = []
    monkeypatch.setattr(accounts, "check_password_hash", lambda *args: checked.append(args[0][:7]) or False)
    wrong_name = login(client, name=name)
    wrong_password = login(client, "not the password at all")
    assert wrong_name.status_code == wrong_password.status_code == 401
    assert without_the_name(wrong_name) == without_the_name(wrong_password)
    assert checked == ["scrypt:", "scrypt:"]  # one real scrypt check each: the time taken tells nothing


def test_the_name_is_not_case_sensitive(client, login):
    """A name typed with capitals or spaces (a phone's keyboard) logs in to the lower-case account."""
    assert login(client, name=" Sam ").status_code == 303


def test_the_stand_in_hash_is_as_slow_as_a_real_one():
    """The hash checked for unknown names is made as real passwords' are, with the same scrypt cost."""
    stand_in, real = accounts._stand_in_hash(), staff_forms.password_hash()
    assert stand_in.split("$")[0] == real.split("$")[0] and not check_password_hash(stand_in, staff_forms.PASSWORD)


def test_login_redirects_only_to_staff_pages(client, csrf):
    """?next= can only lead to a staff page, never to another site."""
    for target, expected in [
        ("/staff/report", "/staff/report"),
        ("//evil.example/x", "/staff/"),
        ("https://evil.example", "/staff/"),
    ]:
        token = csrf(client, "/staff/login")
        form = {"name": "sam", "password": "a long staff password", "csrf_token": token}
        response = client.post(f"/staff/login?next={target}", data=form)
        assert response.headers["Location"] == expected


def test_login_form_needs_its_csrf(client):
    """Posting the login form without the CSRF token is refused."""
    form = {"name": "sam", "password": "a long staff password"}
    assert client.post("/staff/login", data=form).status_code == 400


def test_without_an_account_the_login_page_says_how_to_create_the_first(make_app, csrf):
    """No account yet: nobody can log in, and the page names the command that creates the first administrator."""
    app = make_app(with_account=False)
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    assert "python -m faqbot staff add NAME --role admin --password-stdin" in page and 'type="password"' not in page
    token = csrf(client, "/")
    form = {"name": "sam", "password": "anything at all", "csrf_token": token}
    assert client.post("/staff/login", data=form).status_code == 403


def test_session_expires_when_idle(staff, app, monkeypatch):
    """After STAFF_SESSION_MINUTES without a request, the session has ended."""
    assert staff.get("/staff/").status_code == 200
    later = time.time() + app.config["STAFF_SESSION_MINUTES"] * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert staff.get("/staff/").status_code == 302


def test_session_cookie_flags(client, login):
    """The session cookie is HttpOnly and SameSite=Lax, and Secure by default."""
    login(client)
    cookie = client.get_cookie("faqbot_session")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure


def test_login_attempts_are_rate_limited(make_app, login):
    """Repeated login attempts from one client get 429 after STAFF_LOGIN_LIMIT."""
    app = make_app(RATELIMIT_ENABLED=True, STAFF_LOGIN_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [login(client, "wrong password number x").status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
