"""Checks that need the built engine, beyond what the loader checks: the same for `faqbot check` and the editor."""

from __future__ import annotations

from .assistant import UNCOVERED_PREFIX, Assistant
from .problems import Problem


def phrasing_problems(assistant: Assistant, folder: str = "knowledge") -> list[Problem]:
    """Phrasings of different entries (or topics) that reduce to the same words: they can never be told apart."""
    knowledge = assistant.knowledge
    problems = []
    for owner, phrasing, other_owner, other in assistant.ambiguous_phrasings():
        message = f"'{phrasing}' reduces to the same words as '{other}' of {other_owner}"
        if owner.startswith(UNCOVERED_PREFIX):
            problems.append(Problem(f"{folder}/not_covered.toml", message, owner[len(UNCOVERED_PREFIX) :], "phrasings"))
            continue
        entry = knowledge.entry(owner)
        field = "question" if entry and phrasing == entry.question else "alternates"
        problems.append(Problem(f"{folder}/faq/{entry.file if entry else ''}", message, owner, field))
    return problems
