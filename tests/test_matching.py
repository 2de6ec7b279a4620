"""Matching a message to entries: typos, word order, paraphrases, declines and close calls."""

from __future__ import annotations

import pytest

from faqbot.engine.analysis import Analyzer

ANSWERED = [
    # (message, expected entry)
    ("How often should I water tomato plants?", "watering"),
    ("how oftne should I watr tomato plants", "watering"),  # typos
    ("tomato plants water how often should I", "watering"),  # word order
    ("HOW MUCH SUN DO TOMATO PLANTS NEED", "sunlight"),  # case
    ("can tomatoes grow in the shade?", "sunlight"),
    ("my tomato has yellow leaves :(", "yellow-leaves"),
    ("tomato leaf color problem", "yellow-leaves"),  # spelling variant
    ("when should tomatoes get fertilizer", "feeding"),
]


@pytest.mark.parametrize("message, entry_id", ANSWERED)
def test_answers_the_matching_entry(tiny_assistant, message, entry_id):
    """Typos, word order, case, synonyms and spelling variants still find the right entry."""
    reply = tiny_assistant.reply(message)
    assert (reply.kind, reply.entry.id if reply.entry else None) == ("answer", entry_id), reply.reason


DECLINED = [
    "How often should I water my cactus?",  # key word the knowledge base does not know
    "how do I get rid of aphids",  # a known uncovered topic
    "slugs are eating my tomato plants",
    "what is the capital of France",
]


@pytest.mark.parametrize("message", DECLINED)
def test_declines_what_it_does_not_know(tiny_assistant, message):
    """A message about something the knowledge base does not cover gets an honest fallback, not a guess."""
    reply = tiny_assistant.reply(message)
    assert reply.kind == "fallback", (reply.entry, reply.reason)
    assert reply.entry is None and reply.sources == ()
    assert "+1 555 0100" in reply.plain_text and "https://clinic.test/book" in reply.plain_text


def test_a_topic_the_knowledge_base_never_mentions_is_declined(tiny_assistant):
    """'water my cactus' shares most words with the watering entry, but cactuses are not in it."""
    reply = tiny_assistant.reply("How often should I water my cactus?")
    assert reply.kind == "fallback"
    assert reply.candidates and reply.candidates[0].key == "watering"


def test_synonyms_give_the_same_terms(tiny_assistant):
    """A lay word or variant from synonyms.toml reaches matching as the knowledge base's own word."""
    terms = tiny_assistant.analyzer.terms
    assert terms("how often do I irrigate a love apple") == terms("how often do I water a tomato")


def test_a_clear_winner_is_answered_not_clarified(tiny_assistant):
    """With the default margin, an entry clearly ahead of the runner-up is answered."""
    reply = tiny_assistant.reply("How often should I water tomato seedlings?")
    assert reply.kind == "answer" and reply.entry.id == "seedlings"


def test_confidence_is_between_zero_and_one(tiny_assistant):
    """Every kind of reply carries a confidence in 0..1."""
    for message in ["hi", "How often should I water tomato plants?", "what is the capital of France"]:
        assert 0.0 <= tiny_assistant.reply(message).to_dict()["confidence"] <= 1.0


def test_fallback_suggests_close_questions(tiny_assistant):
    """A fallback offers the nearest real questions so the patient can rephrase."""
    reply = tiny_assistant.reply("How often should I water my cactus?")
    assert reply.suggestions[0] == "How often should I water tomato plants?"


def test_a_single_generic_word_is_not_answered_outright(tiny_assistant):
    """'tomato' fits every entry a little; the bot asks or declines rather than picking one."""
    assert tiny_assistant.reply("tomato").kind in {"clarify", "fallback"}


def test_run_together_words_are_split():
    """'twostage' and 'healingcap' are read as two known words."""
    analyzer = Analyzer({}, ["two stage surgery", "healing cap"])
    assert analyzer.correct("twostage") == "two stage"
    assert analyzer.analyse("twostage surgery").terms == ("two", "stage", "surgeri")


def test_typos_are_corrected_towards_content_words_only():
    """A typo is mapped to a knowledge-base topic word, never turned into a different topic by a short word."""
    analyzer = Analyzer({}, ["abutment healing", "some text"])
    assert analyzer.correct("abutmnt") == "abutment"
    assert analyzer.correct("zzzz") == "zzzz"


def test_search_ranks_entries_only(tiny_assistant):
    """Staff search uses the patients' matcher, returns entries only, best first, even for loose words."""
    results = tiny_assistant.search("aphids tomato water")
    assert results and results[0].key in {"watering", "seedlings"}
    assert not any(c.uncovered for c in results)


def test_short_words_keep_their_first_letter_when_corrected():
    """'rest' is never corrected to 'test' (a different topic); 'lng' still becomes 'long'."""
    analyzer = Analyzer({}, ["blood test results", "how long"])
    assert analyzer.correct("rest") == "rest"
    assert analyzer.correct("lng") == "long"


@pytest.mark.parametrize(
    "message, clauses",
    [
        ("What is an abutment, and when is it used?", ["What is an abutment", "when is it used?"]),
        ("whats a healing cap and why do i need one", ["whats a healing cap", "why do i need one"]),
        ("I lost a tooth. Can I get an implant?", ["I lost a tooth.", "Can I get an implant?"]),
        # Alternatives are one question; "and" before a noun joins words, not questions.
        ("is it just the screw or is there more to it?", ["is it just the screw or is there more to it?"]),
        ("do the top and bottom jaw heal alike?", ["do the top and bottom jaw heal alike?"]),
    ],
)
def test_a_message_splits_into_the_questions_it_asks(tiny_assistant, message, clauses):
    assert tiny_assistant.analyzer.analyse(message).clauses() == clauses
