"""The no-JavaScript transcript kept in the session cookie: small, word-free, and faithful to the API."""

from __future__ import annotations

import json

import pytest

from faqbot.web import transcript

MESSAGES = [
    "what is a dental implant",
    "does it hurt",
    "my gum has been bleeding for hours and it won't stop",
    "can I pay with bitcoin",
    "thank you",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_expanded_turn_shows_what_the_api_returned(app, message):
    """A remembered reply comes back from the cookie with the same text, buttons, sources and suggestions."""
    assistant = app.extensions["faqbot"]
    reply = assistant.reply(message)
    [turn] = transcript.expand(
        transcript.remember([], reply, assistant.knowledge), assistant.knowledge, assistant.clinic
    )
    expected = reply.to_dict()
    for field in ("text", "actions", "kind", "entry", "sources", "suggestions"):
        assert turn[field] == expected[field], field


def test_every_entry_answer_survives_the_round_trip(app):
    """For every entry, the answer rebuilt from its id equals the engine's answer."""
    assistant = app.extensions["faqbot"]
    for entry in assistant.knowledge.entries:
        reply = assistant.reply(entry.question)
        if reply.kind != "answer":
            continue
        [turn] = transcript.expand(
            transcript.remember([], reply, assistant.knowledge), assistant.knowledge, assistant.clinic
        )
        assert turn["text"] == reply.text and turn["sources"] == reply.to_dict()["sources"]


def test_records_stay_within_the_cookie_budget(app):
    """However long the conversation, the records keep the newest turns and stay small."""
    assistant = app.extensions["faqbot"]
    records: list = []
    for _ in range(30):
        for message in MESSAGES:
            records = transcript.remember(records, assistant.reply(message), assistant.knowledge)
    assert 1 <= len(records) <= transcript.MAX_TURNS
    assert len(json.dumps(records)) <= transcript.MAX_BYTES
    assert records[-1]["k"] == "smalltalk"


@pytest.mark.parametrize(
    ("index", "entry", "allowed"),
    [(0, "what-is-implant", True), (0, "healing-time", False), (5, "what-is-implant", False)],
)
def test_a_vote_must_match_its_answer(index, entry, allowed):
    """A vote counts only for the turn that answered that entry."""
    records = [{"k": "answer", "e": "what-is-implant", "s": []}]
    assert transcript.vote(records, index, entry, "up") is allowed


def test_a_turn_is_rated_once():
    """A second vote on the same answer is ignored."""
    records = [{"k": "answer", "e": "what-is-implant", "s": []}]
    assert transcript.vote(records, 0, "what-is-implant", "up")
    assert not transcript.vote(records, 0, "what-is-implant", "down")
    assert records[0]["v"] == "up"


def test_damaged_or_retired_records_are_skipped(app):
    """Records from an older faqbot or for a retired entry are left out rather than failing the page."""
    knowledge = app.extensions["faqbot"].knowledge
    records = ["junk", {"k": 3}, {"k": "answer", "e": "retired-entry", "s": []}, {"k": "smalltalk", "t": "Hi!"}]
    clinic = app.extensions["faqbot"].clinic
    assert [turn["text"] for turn in transcript.expand(records, knowledge, clinic)] == ["Hi!"]
