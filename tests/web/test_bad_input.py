"""Hand-made bad input: each kind that once reached a 500 now gets a clear 4xx, or is answered as usual."""

from __future__ import annotations

import base64
import json
import sqlite3

import pytest
import staff_forms
from flask import Flask

from faqbot import create_app
from faqbot.storage import db, usage

DEEP = "[" * 1000 + "]" * 1000  # two kilobytes that exhaust the JSON parser's stack
VALID = {
    "/api/chat": {"message": "what is a dental implant"},
    "/api/feedback": {"entry": "what-is-implant", "vote": "up"},
}
JSON_TYPES = {"null": None, "bool": True, "int": 1, "float": 1.5, "str": "x", "list": ["up"], "object": {"vote": "up"}}
# Each field of each body, and the JSON types it accepts ("x" is a text, but no entry's id and no vote).
FIELDS = [
    ("/api/chat", "message", {"str"}),
    ("/api/chat", "conversation", {"null", "str"}),
    ("/api/feedback", "entry", set()),
    ("/api/feedback", "vote", set()),
    ("/api/feedback", "reply", set()),  # no text is a valid token but one the server signed
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app for the whole module (building one takes a second), with a staff account."""
    folder = tmp_path_factory.mktemp("bad_input")
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "DATABASE": str(folder / "faqbot.sqlite")})
    staff_forms.add_account(app)
    return app


@pytest.mark.parametrize("path", VALID)
@pytest.mark.parametrize("body", [DEEP, f'{{"message": {DEEP}}}', f'{{"entry": "what-is-implant", "vote": {DEEP}}}'])
def test_deeply_nested_json_is_refused(client, assert_error, path, body):
    """JSON nested a thousand levels deep gets a 400 that says so, not a crash."""
    response = client.post(path, data=body, content_type="application/json")
    assert_error(response, 400, "nested too deeply")


@pytest.mark.parametrize("json_type", JSON_TYPES)
@pytest.mark.parametrize(("path", "field", "accepted"), FIELDS)
def test_every_field_of_every_json_type(client, assert_error, path, field, accepted, json_type):
    """Each field given each JSON type is answered, or refused with a 400 naming the field."""
    response = client.post(path, json={**VALID[path], field: JSON_TYPES[json_type]})
    if json_type in accepted:
        assert response.status_code in (200, 201)
    else:
        assert_error(response, 400, f"'{field}'")


def token(data: object) -> str:
    """A conversation token holding any JSON, as a client could make one."""
    return "c1." + base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "data",
    [
        {"e": [1], "o": [[1]], "f": "x"},
        {"e": {"id": "what-is-implant"}, "o": {"a": 1}, "f": [2]},
        {"e": None, "o": [{}, ["what-is-implant"]], "f": True},
        [1, 2, 3],
        "what-is-implant",
    ],
)
def test_token_with_fields_of_the_wrong_type_starts_a_new_conversation(client, data):
    """A token that decodes to the wrong types is a broken token: a new conversation, as documented."""
    response = client.post("/api/chat", json={"message": "what is a dental implant", "conversation": token(data)})
    assert response.status_code == 200
    assert response.get_json()["kind"] == "answer"


def test_lone_surrogate_is_answered_and_its_question_kept(app, client, monkeypatch):
    """A lone surrogate in a kept question gets the reply, and the question is stored with U+FFFD instead."""
    monkeypatch.setitem(app.config, "KEEP_UNANSWERED_TEXT", True)
    response = client.post("/api/chat", json={"message": "can I pay with bitcoin \udfff"})
    assert response.status_code == 200 and response.get_json()["kind"] == "fallback"
    assert db.writer(app).flush()
    with sqlite3.connect(app.config["DATABASE"]) as connection:
        kept = [row[0] for row in connection.execute("SELECT text FROM unanswered")]
    assert "can I pay with bitcoin \ufffd" in kept


def test_form_with_broken_utf8_is_answered(app, client, csrf, monkeypatch):
    """The no-JavaScript form with bytes that are not UTF-8 still gets a reply, with keeping on."""
    monkeypatch.setitem(app.config, "KEEP_UNANSWERED_TEXT", True)
    body = f"csrf_token={csrf('/')}&message=can+I+pay+with+bitcoin+%ED%BF%BF%FF".encode()
    response = client.post("/send", data=body, content_type="application/x-www-form-urlencoded", follow_redirects=True)
    assert response.status_code == 200 and 'id="turn-0"' in response.get_data(as_text=True)


@pytest.mark.parametrize("where", ["api", "form"])
def test_statistics_that_fail_never_reach_the_patient(client, send, monkeypatch, where):
    """Whatever recording a reply raises, the patient still gets the reply."""

    def broken(*args, **kwargs):
        raise RuntimeError("the statistics failed")

    monkeypatch.setattr(usage, "record", broken)
    if where == "api":
        response = client.post("/api/chat", json={"message": "what is a dental implant"})
        assert response.status_code == 200 and response.get_json()["kind"] == "answer"
    else:
        response = send("what is a dental implant")
        assert response.status_code == 200 and 'id="turn-0"' in response.get_data(as_text=True)


def log_in(client, csrf_token: str, next_value: str | None = None, raw_query: str = ""):
    """Submit the staff login form with the right name and password; `next` as a value or already %-encoded."""
    query = {"next": next_value} if next_value is not None else None
    form = {"name": staff_forms.NAME, "password": staff_forms.PASSWORD, "csrf_token": csrf_token}
    return client.post("/staff/login" + raw_query, query_string=query, data=form)


@pytest.mark.parametrize(
    ("next_value", "raw_query", "location"),
    [
        ("/staff/report", "", "/staff/report"),
        ("/staff/entries/what-is-implant", "", "/staff/entries/what-is-implant"),
        ("/staff/report\r\nSet-Cookie: stolen=1", "", "/staff/"),
        ("/staff/\n", "", "/staff/"),
        (None, "?next=/staff/%0d%0aSet-Cookie:%20stolen=1", "/staff/"),
        (None, "?next=%0d%0a/staff/report", "/staff/"),
        ("//evil.example/staff/", "", "/staff/"),
        ("https://evil.example/staff/", "", "/staff/"),
        ("/staff/../api/chat", "", "/staff/"),
    ],
)
def test_login_redirects_only_to_a_plain_staff_page(client, csrf, next_value, raw_query, location):
    """After logging in, `next` is followed only to a staff page: CR, LF or another site give the list of answers."""
    response = log_in(client, csrf("/staff/login"), next_value, raw_query)
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert "stolen" not in response.headers.get("Set-Cookie", "")


SESSIONS = [
    # What a validly signed cookie holds that this faqbot never wrote.
    [1, 2],
    "staff",
    7,
    None,
    {"csrf_token": 42},
    {"csrf_token": ["a"]},
    {"csrf_token": None},
    {"staff_session": "no-such-session", "csrf_token": {"a": 1}},
    {"staff_session": [1]},
    {"staff_session": {"id": "x"}},
    {"staff_signed_in_at": "now", "staff_seen_at": [1]},  # an older faqbot's staff times, of the wrong types
    {"_flashes": 3},
    {"_flashes": [1, ["status"]]},
    {"turns": 5},
    {"turns": "answer"},
    {"turns": [1, {"k": 1}, {"k": "answer", "e": [1], "s": 5}]},
    {"turns": [{"k": "answer", "e": "what-is-implant", "x": b"bytes"}]},
    {"conversation": [1], "turns": [{"k": "answer", "e": "what-is-implant", "v": ["up"]}]},
]
PAGES = [
    ("get", "/"),
    ("get", "/embed"),
    ("get", "/staff/"),
    ("get", "/staff/report"),
    ("get", "/staff/accounts"),
    ("get", "/staff/login"),
    ("post", "/send"),
    ("post", "/feedback"),
    ("post", "/clear"),
    ("post", "/staff/console"),
    ("post", "/staff/login"),
    ("post", "/staff/logout"),
    ("post", "/staff/sessions/end-all"),
    ("post", "/staff/accounts"),
]


@pytest.mark.parametrize("content", SESSIONS, ids=[json.dumps(s, default=repr)[:40] for s in SESSIONS])
def test_signed_session_with_unexpected_content_never_fails(app, client, csrf, content):
    """A cookie signed with our key but holding anything else gets a page or a refusal, never a 500."""
    serializer = app.session_interface.get_signing_serializer(app)
    csrf_token = csrf("/")
    if isinstance(content, dict):  # the form's CSRF token matches, so the posts reach the views
        content = {"csrf_token": serializer.loads(client.get_cookie("faqbot_session").value)["csrf_token"], **content}
    cookie = serializer.dumps(content)
    form = {"csrf_token": csrf_token, "message": "what is an implant", "entry": "what-is-implant", "vote": "up"}
    form.update({"turn": "0", "name": staff_forms.NAME, "password": staff_forms.PASSWORD, "q": "implant"})
    for method, path in PAGES:
        client.set_cookie("faqbot_session", cookie)
        response = client.post(path, data=form) if method == "post" else client.get(path)
        assert response.status_code < 500, (method, path)
    client.set_cookie("faqbot_session", cookie)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("path", "arguments"),
    [
        ("/api/chat", {"json": {"message": "x" * 20_000}}),
        ("/send", {"data": {"message": "x" * 20_000}}),
        ("/staff/login", {"data": {"password": "x" * 20_000}}),
    ],
)
def test_too_large_bodies_carry_the_security_headers(client, path, arguments):
    """Werkzeug's own 413 (MAX_CONTENT_LENGTH) goes through the app, so it has the same security headers."""
    response = client.post(path, **arguments)
    assert response.status_code == 413
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
