"""Grouping unanswered questions by similarity."""

from __future__ import annotations

from faqbot.storage.grouping import group_questions


def test_similar_questions_form_one_group_most_frequent_first():
    """Rewordings of one question land in one group, named by its most frequent wording, counted in full."""
    texts = [
        "how much does an implant cost",
        "How much does an implant cost?",
        "implant cost how much",
        "what does an implant cost",
        "can I smoke after surgery",
        "can i smoke after the surgery",
        "do you take insurance",
    ]
    groups = group_questions(texts)
    assert [g.count for g in groups] == [4, 2, 1]
    assert groups[0].representative == "how much does an implant cost"
    assert "what does an implant cost" in groups[0].examples
    assert groups[1].representative.lower().startswith("can i smoke")
    assert groups[2].representative == "do you take insurance"


def test_unrelated_questions_stay_apart():
    """Questions on different topics are never merged."""
    groups = group_questions(["is parking available", "do you do teeth whitening", "what are your opening hours"])
    assert len(groups) == 3 and all(g.count == 1 for g in groups)


def test_empty_and_blank_texts_are_ignored():
    """Nothing to group gives no groups."""
    assert group_questions(["", "   "]) == []


def test_examples_are_limited():
    """A large group lists only a few example wordings."""
    texts = [f"implant cost question {i}" for i in range(10)]
    groups = group_questions(texts, examples=3)
    assert len(groups) == 1 and groups[0].count == 10 and len(groups[0].examples) == 3
