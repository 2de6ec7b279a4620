"""Who may do what with the knowledge: editors draft, reviewers sign off and publish, administrators only read.

The server refuses what a role may not do (403, nothing changed) whatever the page shows; the pages
also hide the buttons a role cannot use.
"""

from __future__ import annotations

import re

import pytest
from editor_pages import ask, location, save

WATERING = "how often do tomatoes need water"
EDITED = "Water them in the morning, the guide says, whenever the soil is dry."


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def drafted(app, staff_browser):
    """An editor's saved draft of the watering answer: (editor's browser, draft page path)."""
    editor = staff_browser(app, "editor")
    response = save(editor, "entry", "watering", answer=EDITED)
    return editor, location(response)


def test_an_editor_saves_drafts_but_cannot_publish_one(app, drafted, patient):
    """The editor's draft page has no sign-off button, and posting the sign-off anyway is refused."""
    editor, draft_path = drafted
    page = editor.get(draft_path).get_data(as_text=True)
    assert "Sign off and publish" not in page and "your account (editor) cannot" in page
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    response = editor.post(draft_path + "/publish", data={"csrf_token": csrf(editor, draft_path), "revision": revision})
    assert response.status_code == 403
    assert "cannot publish" in response.get_data(as_text=True)
    assert editor.get("/staff/history").get_data(as_text=True).count("Version ") == 0  # nothing was published
    assert ask(patient, WATERING)["text"] != EDITED


@pytest.mark.parametrize(
    "path", ["/staff/history/1/revert", "/staff/review/entry/watering"], ids=["revert", "sign-off-as-it-stands"]
)
def test_an_editor_cannot_revert_or_sign_off(app, staff_browser, path):
    """Every action that changes what patients get is a reviewer's."""
    editor = staff_browser(app, "editor")
    response = editor.post(path, data={"csrf_token": csrf(editor, "/staff/review")})
    assert response.status_code == 403


def test_an_administrator_reads_but_cannot_edit_or_publish(app, drafted, staff_browser):
    """Managing accounts gives no say over the answers: an administrator's edits and sign-offs are refused."""
    _, draft_path = drafted
    admin = staff_browser(app, "admin")
    assert admin.get("/staff/edit/entry/watering").status_code == 200  # reading is open to every role
    token = csrf(admin, "/staff/edit/entry/watering")
    assert admin.post("/staff/edit/entry/watering", data={"csrf_token": token, "answer": EDITED}).status_code == 403
    assert admin.post(draft_path + "/publish", data={"csrf_token": token, "revision": "1"}).status_code == 403
    assert admin.post(draft_path + "/discard", data={"csrf_token": token, "revision": "1"}).status_code == 403
    assert admin.get(draft_path).status_code == 200  # the draft is still there


def test_a_reviewer_publishes_the_editors_draft_and_both_are_named(app, drafted, staff_browser, patient):
    """The version names the editor as author and the reviewer as the one who signed it off."""
    editor, draft_path = drafted
    reviewer = staff_browser(app)
    page = reviewer.get(draft_path).get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    response = reviewer.post(
        draft_path + "/publish", data={"csrf_token": csrf(reviewer, draft_path), "revision": revision}
    )
    assert response.status_code == 303
    history = reviewer.get("/staff/history").get_data(as_text=True)
    assert "<td>editor</td>" in history and "<td>sam</td>" in history
    assert ask(patient, WATERING)["text"] == EDITED


def test_anonymous_requests_get_nothing_of_the_editor(app):
    """Without a login, editor pages redirect to the login and actions are refused."""
    client = app.test_client()
    assert client.get("/staff/edit/entry/watering").status_code == 302
    assert client.get("/staff/knowledge/export.zip").status_code == 302
    assert client.post("/staff/edit/entry/watering", data={"answer": EDITED}).status_code in (400, 403)
