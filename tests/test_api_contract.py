"""The JSON contract of POST /api/chat, shared with `python -m faqbot ask --json`."""

from __future__ import annotations

import json

import pytest
from contract import REPLY_FIELDS

from faqbot.cli import main


def test_answer_has_the_documented_shape(client):
    """An answer carries reply, text, actions, kind, confidence, entry, sources, suggestions, a conversation
    token and the token its vote must bring back."""
    body = client.post("/api/chat", json={"message": "What is a healing abutment?"}).get_json()
    contract = REPLY_FIELDS
    assert set(body) == contract | {"feedback_token"}
    assert body["kind"] == "answer"
    assert body["entry"] == {"id": "healing-abutment", "question": "What is a healing abutment?"}
    assert isinstance(body["confidence"], float) and 0 <= body["confidence"] <= 1
    assert body["sources"] and all(set(s) == {"title", "url", "quote"} for s in body["sources"])
    assert body["sources"][0]["url"].startswith("/sources/two-stage-process#tsp-")
    assert all(isinstance(s, str) for s in body["suggestions"])
    assert isinstance(body["conversation"], str) and body["conversation"]


def test_fallback_has_no_entry_and_no_sources(client):
    """A decline has entry null and no sources, but still a token and suggestions."""
    body = client.post("/api/chat", json={"message": "how much does an implant cost?"}).get_json()
    assert body["kind"] == "fallback" and body["entry"] is None and body["sources"] == []
    assert body["suggestions"] and body["conversation"]


@pytest.mark.parametrize(
    ("message", "kind", "actions"),
    [
        ("how much does an implant cost?", "fallback", ["call", "book"]),
        ("my implant has been bleeding for hours and it won't stop", "urgent", ["call", "emergency"]),
        ("can I speak to a real person", "smalltalk", ["call", "book"]),
        ("What is a healing abutment?", "answer", []),
    ],
)
def test_contact_details_come_once_as_actions(client, message, kind, actions):
    """The phone number and booking link come once each, as actions; the words name the action without them,
    and `reply` (for channels without buttons) is the words followed by one line per action."""
    body = client.post("/api/chat", json={"message": message}).get_json()
    assert body["kind"] == kind
    assert [action["kind"] for action in body["actions"]] == actions
    clinic = client.application.extensions["faqbot"].clinic
    expected = {"call": clinic.phone_link, "book": clinic.booking_url, "emergency": clinic.emergency_link}
    assert all(action["href"] == expected[action["kind"]] for action in body["actions"])
    assert clinic.phone not in body["text"] and clinic.booking_url not in body["text"]
    lines = body["reply"].split("\n")
    assert lines[0] == body["text"] and len(lines) == 1 + len(actions)
    assert body["reply"].count(clinic.phone) == ("call" in actions)


def test_conversation_token_carries_a_follow_up(client):
    """Posting the previous reply's token makes 'and for the lower jaw?' a follow-up."""
    first = client.post("/api/chat", json={"message": "How long does healing take in the upper jaw?"}).get_json()
    second = client.post(
        "/api/chat", json={"message": "and for the lower jaw?", "conversation": first["conversation"]}
    ).get_json()
    assert second["entry"]["id"] == "healing-time"
    assert "3 to 4 months in the lower jaw" in second["reply"]


def test_unknown_conversation_token_is_a_new_conversation(client):
    """A token the server cannot read is ignored, never a 500."""
    response = client.post("/api/chat", json={"message": "What is osseointegration?", "conversation": "c1.zzz"})
    assert response.status_code == 200 and response.get_json()["entry"]["id"] == "osseointegration"


BAD_REQUESTS = [
    # (keyword arguments for client.post, fragment of the error message)
    ({"data": "not json", "content_type": "application/json"}, "JSON object"),
    ({"json": ["a list"]}, "JSON object"),
    ({"json": {}}, "'message'"),
    ({"json": {"message": ""}}, "'message'"),
    ({"json": {"message": "   "}}, "'message'"),
    ({"json": {"message": 42}}, "'message'"),
    ({"json": {"message": "x" * 501}}, "longer than 500"),
    ({"json": {"message": "hi", "conversation": 7}}, "'conversation'"),
]


@pytest.mark.parametrize("request_kwargs, fragment", BAD_REQUESTS)
def test_bad_input_gets_a_400_with_an_error_message(client, request_kwargs, fragment):
    """Malformed, missing, empty or oversized input gets a 400 and a JSON error a person can understand."""
    response = client.post("/api/chat", **request_kwargs)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]


def test_message_of_exactly_500_characters_is_accepted(client):
    """The limit is inclusive: 500 characters is fine."""
    message = "What is osseointegration? " + "a" * (500 - 26)
    assert len(message) == 500
    assert client.post("/api/chat", json={"message": message}).status_code == 200


def test_api_and_command_line_give_the_same_reply(client, capsys):
    """`ask --json` prints exactly what the API returns for the same question (the API adds only the
    feedback token, which belongs to the web's one-vote-per-answer rule)."""
    question = "Will I need stitches?"
    api = client.post("/api/chat", json={"message": question}).get_json()
    assert api.pop("feedback_token")
    assert main(["ask", "--json", question]) == 0
    assert json.loads(capsys.readouterr().out) == api
