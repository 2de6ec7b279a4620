"""The decision rules over ranked candidates: answer, clarify only when it helps, decline with a topic."""

from __future__ import annotations

import pytest

from faqbot.engine.decision import Evidence, Scored, decide

THRESHOLDS = {"answer_threshold": 0.8, "clarify_threshold": 0.35, "topic_threshold": 0.62, "off_topic_threshold": 0.35}


def scored(key: str, probability: float, combined: float, semantic: float = 0.7, lexical: float = 0.5) -> Scored:
    return Scored(key, combined, probability, Evidence(key, lexical, semantic))


def different(a: str, b: str) -> bool:
    return False


def same(a: str, b: str) -> bool:
    return True


def test_a_likely_entry_is_answered():
    """The best candidate at or above the answer threshold is answered, even with a close runner-up."""
    decision = decide([scored("a", 0.85, 1.0), scored("b", 0.6, 0.99)], {}, same_answer=different, **THRESHOLDS)
    assert decision.action == "answer" and decision.ranked[0].key == "a"


def test_a_tie_between_different_answers_asks_which():
    """Two nearly tied entries that would say different things, neither likely enough alone: clarify."""
    decision = decide([scored("a", 0.6, 1.0), scored("b", 0.55, 0.99)], {}, same_answer=different, **THRESHOLDS)
    assert decision.action == "clarify"


def test_a_tie_between_entries_with_the_same_answer_is_not_a_question_to_the_patient():
    """If both tied entries cite the same passages, asking which one helps nobody: decline or answer, never clarify."""
    decision = decide([scored("a", 0.6, 1.0), scored("b", 0.55, 0.99)], {}, same_answer=same, **THRESHOLDS)
    assert decision.action != "clarify"


def test_a_clear_leader_below_the_threshold_is_declined_not_clarified():
    """A runner-up far behind is no real alternative: the patient is not offered it as a choice."""
    decision = decide([scored("a", 0.6, 1.0), scored("b", 0.5, 0.8)], {}, same_answer=different, **THRESHOLDS)
    assert decision.action == "decline"


def test_an_unlikely_tie_is_declined():
    """A tie of two unlikely entries is a decline: a clarify would offer two guesses."""
    decision = decide([scored("a", 0.1, 1.0), scored("b", 0.1, 0.99)], {}, same_answer=different, **THRESHOLDS)
    assert decision.action == "decline"


@pytest.mark.parametrize(
    "topic_semantic, named",
    [(0.9, "not-covered:cost"), (0.5, None)],
)
def test_a_decline_names_a_topic_only_when_the_question_is_clearly_about_it(topic_semantic, named):
    """'how much is an implant' is declined as a costs question; a vague closeness names no topic."""
    uncovered = {"not-covered:cost": Evidence("not-covered:cost", 0.2, topic_semantic)}
    decision = decide([scored("a", 0.3, 1.0, semantic=0.6)], uncovered, same_answer=different, **THRESHOLDS)
    assert decision.action == "decline" and decision.topic == named


def test_nothing_near_is_off_topic():
    """A message far from every entry and topic is declined as off-topic (its own wording)."""
    far = [scored("a", 0.01, 0.1, semantic=0.1, lexical=0.0)]
    decision = decide(far, {"not-covered:cost": Evidence("not-covered:cost", 0.0, 0.1)}, same_answer=same, **THRESHOLDS)
    assert decision.off_topic and decision.action == "decline"


def always(probability: float):
    """A stand-in look-alike check: every answer it is asked about reads as a look-alike with this probability."""
    return lambda best: probability


@pytest.mark.parametrize("alike, action", [(0.95, "decline"), (0.5, "answer")])
def test_a_likely_entry_is_declined_when_the_lookalike_check_says_so(alike, action):
    """Above the look-alike threshold a likely answer is declined (and says why); below it, answered."""
    decision = decide(
        [scored("a", 0.9, 1.0), scored("b", 0.1, 0.5)],
        {},
        same_answer=different,
        lookalike=always(alike),
        lookalike_threshold=0.9,
        **THRESHOLDS,
    )
    assert decision.action == action
    assert (decision.lookalike is not None) == (action == "decline")


def test_the_lookalike_check_is_not_asked_about_an_unlikely_entry():
    """Only answers the answer model would give are checked: a decline stays an ordinary decline."""
    decision = decide(
        [scored("a", 0.3, 1.0)], {}, same_answer=different, lookalike=always(0.99), lookalike_threshold=0.9,
        **THRESHOLDS,
    )  # fmt: skip
    assert decision.action == "decline" and decision.lookalike is None


def test_the_patients_own_phrasing_is_answered_whatever_the_lookalike_check_says():
    """A message that is one of the entry's own phrasings asks exactly what the entry answers."""
    best = Scored("a", 2.0, 0.9, Evidence("a", 1.0, 0.99), {"agree": 1.0})
    decision = decide([best], {}, same_answer=different, lookalike=always(0.99), lookalike_threshold=0.9,
                      **THRESHOLDS)  # fmt: skip
    assert decision.action == "answer"
