"""Conversation rules: urgent first, small talk, follow-ups, clarify choices, the token."""

from __future__ import annotations

import pytest

from faqbot.engine.state import ConversationState, decode, encode


def test_urgent_beats_a_matching_question(tiny_assistant):
    """A message about urgent symptoms is never answered from the FAQ, even when it also matches one."""
    reply = tiny_assistant.reply("heavy bleeding, and how often should I water tomato plants?")
    assert reply.kind == "urgent"
    assert reply.entry is None
    assert "+1 555 0100" in reply.plain_text and "112" in reply.plain_text  # the call and emergency actions


@pytest.mark.parametrize(
    "message", ["my gum won't stop bleeding", "I have a FEVER", "feverish since last night", "bleedin heavy"]
)
def test_urgent_rules(tiny_assistant, message):
    """Every urgent rule fires on natural wording, including contractions, case and word endings."""
    assert tiny_assistant.reply(message).kind == "urgent"


def test_urgent_needs_every_group(tiny_assistant):
    """Bleeding alone, without 'won't stop' or 'heavy', is not the urgent rule (the rule needs both)."""
    assert tiny_assistant.reply("is bleeding normal for tomatoes").kind != "urgent"


@pytest.mark.parametrize(
    "message, expected",
    [
        ("hi", "Hello from Test Clinic!"),
        ("Hello!!", "Hello from Test Clinic!"),
        ("ok thanks so much", "You're welcome."),
        ("thanks, bye", "Goodbye! Call +1 555 0100 any time."),
    ],
)
def test_small_talk(tiny_assistant, message, expected):
    """Social messages get the small-talk reply of their last phrase, with clinic details filled in."""
    reply = tiny_assistant.reply(message)
    assert (reply.kind, reply.text) == ("smalltalk", expected)


def test_greeting_before_a_question_still_answers_it(tiny_assistant):
    """'hi, ...' followed by a real question is a question, not small talk."""
    reply = tiny_assistant.reply("hi, how often should I water tomato plants?")
    assert reply.kind == "answer" and reply.entry.id == "watering"


def test_follow_up_uses_the_previous_entry(tiny_assistant):
    """An elliptical follow-up ("and the upper ones?") is resolved against the previous answer."""
    first = tiny_assistant.reply("Why are the leaves of my tomato turning yellow?")
    follow = tiny_assistant.reply("and what about the upper ones?", first.conversation)
    assert follow.kind == "answer" and follow.entry.id == "yellow-leaves"
    assert "follow-up" in follow.reason


def test_follow_up_without_context_does_not_guess(tiny_assistant):
    """The same elliptical message with no conversation is not answered as a follow-up."""
    reply = tiny_assistant.reply("how do I know if I need it?")
    assert reply.kind == "fallback"


@pytest.mark.parametrize("choice, index", [("the second one", 1), ("2", 1), ("First", 0), ("the first option", 0)])
def test_choosing_an_option_after_clarify(tiny_assistant, choice, index):
    """'the second one' after a clarify answers the second choice offered."""
    offered = encode(ConversationState(options=("watering", "seedlings")))
    chosen = tiny_assistant.reply(choice, offered)
    assert chosen.kind == "answer"
    assert chosen.entry.id == ("watering", "seedlings")[index]


def test_a_choice_word_without_a_clarify_is_not_an_answer(tiny_assistant):
    """'the second one' with nothing offered before is not read as a choice."""
    assert tiny_assistant.reply("the second one").kind != "answer"


def test_second_fallback_in_a_row_says_so_more_plainly(tiny_assistant):
    """After two fallbacks in a row the reply points to the clinic more directly."""
    first = tiny_assistant.reply("what is the capital of France")
    second = tiny_assistant.reply("and of Spain?", first.conversation)
    assert first.kind == second.kind == "fallback"
    assert "still can't" in second.text and "still can't" not in first.text


@pytest.mark.parametrize("token", ["", "garbage", "c1.!!!", "c1." + "A" * 700, "c1.bnVsbA", None])
def test_broken_token_starts_a_new_conversation(tiny_assistant, token):
    """A missing, corrupt or oversized token is treated as a new conversation, never an error."""
    reply = tiny_assistant.reply("How often should I water tomato plants?", token)
    assert reply.entry.id == "watering"


def test_token_holds_entry_ids_only():
    """The token carries ids, never words, and unknown ids are dropped on the way back in."""
    token = encode(ConversationState(entry_id="watering", options=("sunlight", "ghost"), fallbacks=1))
    assert decode(token, {"watering", "sunlight"}) == ConversationState("watering", ("sunlight",), 1)
    assert decode(token, set()) == ConversationState(None, (), 1)


def test_token_never_contains_the_message(tiny_assistant):
    """The patient's words do not travel in the conversation token."""
    import base64

    reply = tiny_assistant.reply("How often should I water tomato plants? my name is Alice Smith")
    body = reply.conversation.removeprefix("c1.")
    decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    assert "Alice" not in decoded and "often" not in decoded


def test_question_sentence_of_a_longer_message_is_answered(tiny_assistant):
    """A story sentence the knowledge base fully knows does not drown the question that follows it."""
    message = "I have tomato plants with yellow leaves in a shady garden. How often should I water tomato seedlings?"
    reply = tiny_assistant.reply(message)
    assert reply.kind == "answer" and reply.entry.id == "seedlings"


def test_a_story_the_knowledge_base_does_not_know_is_not_skipped(tiny_assistant):
    """With a story word the knowledge base never uses, the whole message is matched, not just its question."""
    reply = tiny_assistant.reply("My plants are in a greenhouse in Norway. How often should I water tomato plants?")
    assert "of the question sentence" not in reply.reason
