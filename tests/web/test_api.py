"""The JSON API: the reply contract, feedback, health, and one canonical error body for every refusal."""

from __future__ import annotations

import sqlite3

import pytest
from contract import REPLY_FIELDS

from faqbot.engine.state import ConversationState, encode
from faqbot.storage.db import writer

BIG = "x" * 20_000


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("what is a dental implant", "answer"),
        ("my gum has been bleeding for hours and it won't stop", "urgent"),
        ("can I pay with bitcoin", "fallback"),
        ("thank you", "smalltalk"),
    ],
)
def test_chat_returns_the_reply_contract(client, message, kind):
    """POST /api/chat answers with every field of the contract and the expected kind."""
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 200
    body = response.get_json()
    contract = REPLY_FIELDS
    assert set(body) == contract | ({"feedback_token"} if kind == "answer" else set())
    assert body["kind"] == kind
    assert body["reply"]


def test_answer_cites_sources_that_open(client):
    """Every source URL in an answer opens a page that contains the quoted passage."""
    body = client.post("/api/chat", json={"message": "what is a dental implant"}).get_json()
    assert body["sources"]
    for source in body["sources"]:
        path, passage_id = source["url"].split("#")
        page = client.get(path).get_data(as_text=True)
        assert f'id="{passage_id}"' in page


@pytest.mark.parametrize(
    "token",
    ["nonsense", "c1.!!!", encode(ConversationState(entry_id="retired-entry")), "c1." + "A" * 2000, ""],
)
def test_unknown_conversation_token_starts_a_new_conversation(client, token):
    """A token the server does not recognise is treated as a new conversation, never an error."""
    response = client.post("/api/chat", json={"message": "what is a dental implant", "conversation": token})
    assert response.status_code == 200
    assert response.get_json()["kind"] == "answer"


def test_follow_up_uses_the_conversation_token(client):
    """Sending back the token lets a short follow-up be understood."""
    first = client.post("/api/chat", json={"message": "what is a dental implant"}).get_json()
    second = client.post("/api/chat", json={"message": "I'm sorry what?", "conversation": first["conversation"]})
    assert second.status_code == 200


ERRORS = [
    # (endpoint, request arguments, status, part of the message)
    ("/api/chat", {"data": "{not json", "content_type": "application/json"}, 400, "not valid JSON"),
    ("/api/chat", {"data": "message=hello", "content_type": "application/x-www-form-urlencoded"}, 415, "JSON"),
    ("/api/chat", {"data": "hello"}, 415, "Content-Type: application/json"),
    ("/api/chat", {"json": ["what is an implant"]}, 400, '{"message": "your question"}'),
    ("/api/chat", {"json": {}}, 400, "'message' must be a non-empty text"),
    ("/api/chat", {"json": {"message": "   "}}, 400, "'message' must be a non-empty text"),
    ("/api/chat", {"json": {"message": 42}}, 400, "'message' must be a non-empty text"),
    ("/api/chat", {"json": {"message": "a" * 501}}, 400, "longer than 500 characters"),
    ("/api/chat", {"json": {"message": "hi", "conversation": 7}}, 400, "'conversation' must be the text token"),
    ("/api/chat", {"json": {"message": BIG}}, 413, "larger than 16384 bytes"),
    ("/api/feedback", {"data": "{", "content_type": "application/json"}, 400, "not valid JSON"),
    ("/api/feedback", {"data": "entry=x", "content_type": "text/plain"}, 415, "JSON"),
    ("/api/feedback", {"json": {"vote": "up"}}, 400, "'entry' must be the id of an answer"),
    ("/api/feedback", {"json": {"entry": "no-such-entry", "vote": "up"}}, 400, "'entry' must be the id of an answer"),
    ("/api/feedback", {"json": {"entry": "what-is-implant", "vote": "meh"}}, 400, "'vote' must be"),
    ("/api/feedback", {"json": {"entry": "what-is-implant", "vote": "up", "pad": BIG}}, 413, "larger than"),
]


@pytest.mark.parametrize(("path", "arguments", "status", "message"), ERRORS)
def test_bad_requests_get_the_canonical_error_body(client, assert_error, path, arguments, status, message):
    """Each kind of bad request is refused with its status and a message a person can act on."""
    assert_error(client.post(path, **arguments), status, message)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/api/chat", 405), ("delete", "/api/feedback", 405), ("get", "/api/nothing-here", 404)],
)
def test_unknown_routes_and_methods_get_the_canonical_error_body(client, assert_error, method, path, status):
    """A wrong method or address under /api answers in JSON too, not with an HTML page."""
    response = getattr(client, method)(path)
    assert_error(response, status, "")
    if status == 405:
        assert "Allow" in response.headers


def test_too_many_requests_gets_429_with_retry_after(make_app, assert_error):
    """Past the per-client limit, POST endpoints answer 429 with Retry-After and the canonical body."""
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_POST="2 per minute").test_client()
    for _ in range(2):
        assert client.post("/api/chat", json={"message": "hello"}).status_code == 200
    response = client.post("/api/chat", json={"message": "hello"})
    assert_error(response, 429, "Too many requests")
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/api/health").status_code == 200  # reading is never limited


def test_rate_limit_counts_each_client_separately_behind_a_proxy(make_app):
    """Behind a reverse proxy, the limit applies to each patient's address, not to the proxy's."""
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_POST="1 per minute", BEHIND_PROXY=True).test_client()
    for address in ("203.0.113.1", "203.0.113.2"):
        headers = {"X-Forwarded-For": address}
        assert client.post("/api/chat", json={"message": "hi"}, headers=headers).status_code == 200
    again = client.post("/api/chat", json={"message": "hi"}, headers={"X-Forwarded-For": "203.0.113.1"})
    assert again.status_code == 429


def test_unexpected_failure_is_a_500_json_body_without_details(make_app, assert_error, monkeypatch):
    """An engine crash answers the canonical 500 body and reveals nothing about the cause."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["faqbot"], "reply", broken)
    response = app.test_client().post("/api/chat", json={"message": "what is an implant"})
    assert_error(response, 500, "Something went wrong on our side")
    assert "secret internals" not in response.get_data(as_text=True)


def test_feedback_stores_only_entry_vote_and_date(app, client, rate):
    """A vote is stored as the entry id, +1/-1 and the day, with nothing else about the patient."""
    response = rate(client, "what is a dental implant", "down")
    assert response.status_code == 201
    assert response.get_json() == {"recorded": True, "entry": "what-is-implant", "vote": "down"}
    assert writer(app).flush()
    with sqlite3.connect(app.config["DATABASE"]) as db:
        rows = db.execute("SELECT * FROM feedback").fetchall()
        columns = [c[1] for c in db.execute("PRAGMA table_info(feedback)")]
    assert columns == ["id", "created", "entry_id", "vote"]
    assert len(rows) == 1 and rows[0][2:] == ("what-is-implant", -1)
    assert len(rows[0][1]) == len("2025-01-31")  # a date, not a time


def test_feedback_that_cannot_be_stored_says_so(make_app, tmp_path, assert_error):
    """If the database cannot be written, the feedback endpoint answers 503 instead of pretending, and
    the answer can still be rated later (the vote was not spent)."""
    client = make_app(DATABASE=str(tmp_path)).test_client()  # a folder: SQLite cannot open it
    reply = client.post("/api/chat", json={"message": "what is a dental implant"}).get_json()
    vote = {"entry": reply["entry"]["id"], "vote": "up", "reply": reply["feedback_token"]}
    for _ in range(2):
        assert_error(client.post("/api/feedback", json=vote), 503, "could not be")


def test_health_reports_the_knowledge_base(client):
    """GET /api/health says the server is up and how many entries and documents it serves."""
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok" and body["entries"] > 20 and body["documents"] >= 2


def test_one_vote_per_answer(client, rate, assert_error):
    """A second vote with the same answer's token is refused; a new answer can be rated again."""
    reply = client.post("/api/chat", json={"message": "what is a dental implant"}).get_json()
    vote = {"entry": reply["entry"]["id"], "vote": "up", "reply": reply["feedback_token"]}
    assert client.post("/api/feedback", json=vote).status_code == 201
    for _ in range(3):
        assert_error(client.post("/api/feedback", json={**vote, "vote": "down"}), 409, "already been rated")
    assert rate(client, "what is a dental implant", "down").status_code == 201


def test_a_token_only_rates_its_own_answer(client, assert_error):
    """A token cannot be moved to another entry, forged, or left out."""
    reply = client.post("/api/chat", json={"message": "what is a dental implant"}).get_json()
    other = {"entry": "healing-time", "vote": "down", "reply": reply["feedback_token"]}
    assert_error(client.post("/api/feedback", json=other), 400, "'reply' must be the feedback_token")
    for token in ("forged", reply["feedback_token"][:-2] + "xx", None):
        body = {"entry": reply["entry"]["id"], "vote": "up", "reply": token}
        assert_error(client.post("/api/feedback", json=body), 400, "'reply' must be the feedback_token")


def test_only_answers_carry_a_feedback_token(client):
    """Urgent, fallback and small-talk replies have nothing to rate."""
    for message in ("can I pay with bitcoin", "hello", "my gum has been bleeding for hours and it won't stop"):
        assert "feedback_token" not in client.post("/api/chat", json={"message": message}).get_json()
