"""Roles: what an editor, a reviewer and an administrator may do, enforced on the server for every request."""

from __future__ import annotations

import pytest
from test_access import ACCOUNT_PAGES, ACCOUNT_POSTS, PAGES

from faqbot import roles
from faqbot.web.staff_login import current_account, permission_required

# Pages every role may read (a draft or a version needs one to exist; a new answer's form is for editors).
WORKSPACE = [
    path
    for path in PAGES
    if path not in ACCOUNT_PAGES and "/drafts/1" not in path and "/history/1" not in path and not path.endswith("/new")
]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("editor", {"view", "edit"}),
        ("reviewer", {"view", "edit", "publish"}),
        ("admin", {"view", "accounts"}),
        ("intern", set()),  # a role this faqbot does not know (a row edited by hand) may do nothing
    ],
)
def test_what_each_role_may_do(role, allowed):
    """Each role has exactly its permissions."""
    assert {permission for permission in roles.PERMISSIONS if roles.may(role, permission)} == allowed


def test_an_unknown_permission_fails_loudly():
    """A typo in a permission is an error, never a silent refusal or a silent permission."""
    with pytest.raises(ValueError, match="unknown permission 'pubilsh'"):
        roles.may("reviewer", "pubilsh")
    with pytest.raises(ValueError, match="unknown permission 'pubilsh'"):
        permission_required("pubilsh")


@pytest.mark.parametrize(
    ("role", "permission", "message"),
    [
        ("editor", "publish", "Your account (editor) cannot publish; a reviewer can."),
        ("admin", "edit", "Your account (admin) cannot edit answers; an editor or a reviewer can."),
        ("reviewer", "accounts", "Your account (reviewer) cannot manage accounts; an admin can."),
    ],
)
def test_a_refusal_says_who_may(role, permission, message):
    """The refusal names the account's role and the roles that may."""
    assert roles.refusal(role, permission) == message


@pytest.fixture
def guarded(app):
    """The app with a page for each permission, as the knowledge editor will have (added before any request)."""
    for permission in ("edit", "publish"):

        @permission_required(permission)
        def view(permission=permission) -> str:
            return f"{permission} by {current_account().name}"

        app.add_url_rule(f"/staff/test-{permission}", f"test_{permission}", view, methods=["GET", "POST"])
    return app


@pytest.mark.parametrize(
    ("role", "permission", "status", "shown"),
    [
        ("editor", "edit", 200, "edit by editor"),
        ("editor", "publish", 403, "Your account (editor) cannot publish; a reviewer can."),
        ("reviewer", "edit", 200, "edit by reviewer"),
        ("reviewer", "publish", 200, "publish by reviewer"),
        ("admin", "edit", 403, "Your account (admin) cannot edit answers; an editor or a reviewer can."),
        ("admin", "publish", 403, "Your account (admin) cannot publish; a reviewer can."),
    ],
)
def test_edit_and_publish_are_refused_to_roles_without_them(guarded, signed_in, csrf, role, permission, status, shown):
    """A signed-in account without the permission gets 403 and a page saying who may; with it, the view runs."""
    client, path = signed_in(role), f"/staff/test-{permission}"
    for response in (client.get(path), client.post(path, data={"csrf_token": csrf(client, "/staff/")})):
        assert response.status_code == status and shown in response.get_data(as_text=True)


def test_a_guarded_page_still_sends_anonymous_visitors_to_log_in(guarded):
    """permission_required implies login_required: no account, no page."""
    response = guarded.test_client().get("/staff/test-publish")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("role", ["editor", "reviewer"])
@pytest.mark.parametrize("path", ACCOUNT_PAGES + ACCOUNT_POSTS)
def test_only_administrators_manage_accounts(app, signed_in, csrf, role, path):
    """An editor or a reviewer gets 403 on every account page and action, and nothing changes."""
    client = signed_in(role)
    if path in ACCOUNT_POSTS:
        form = {"csrf_token": csrf(client, "/staff/"), "name": "mallory", "role": "admin", "password": "x" * 20}
        response = client.post(path, data={**form, "repeat": form["password"]})
    else:
        response = client.get(path)
    assert response.status_code == 403
    assert f"Your account ({role}) cannot manage accounts; an admin can." in response.get_data(as_text=True)
    assert signed_in("admin").get("/staff/accounts/mallory").status_code == 404


@pytest.mark.parametrize("path", WORKSPACE)
def test_every_role_may_view_the_workspace(signed_in, path):
    """Answers, console, sources, report, activity, drafts, history and review dates open for an administrator too."""
    assert signed_in("admin").get(path).status_code == 200


@pytest.mark.parametrize(("role", "shown"), [("editor", False), ("reviewer", False), ("admin", True)])
def test_the_accounts_link_is_shown_to_administrators_only(signed_in, role, shown):
    """The navigation offers Accounts to those who may use it, and says who is signed in."""
    page = signed_in(role, f"pat-{role}").get("/staff/").get_data(as_text=True)
    assert ('href="/staff/accounts"' in page) is shown
    assert f"pat-{role} ({role})" in page


def test_a_new_role_applies_from_the_next_request(app, signed_in, csrf):
    """An administrator demoted by another is refused account pages at once, without logging in again."""
    first, second = signed_in("admin", "ada"), signed_in("admin", "grace")
    assert second.get("/staff/accounts").status_code == 200
    response = first.post("/staff/accounts/grace/role", data={"role": "editor", "csrf_token": csrf(first, "/staff/")})
    assert response.status_code == 303
    assert second.get("/staff/accounts").status_code == 403 and second.get("/staff/").status_code == 200
