"""Recognise messages about urgent symptoms, before any FAQ matching happens."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .knowledge import UrgentRule
from .text import normalize


def _pattern(phrase: str) -> str:
    """Turn "bleed*" or "won't stop" into a whole-word regular expression."""
    prefix = phrase.strip().endswith("*")
    words = normalize(phrase.rstrip("*")).split()
    body = r"\s+".join(re.escape(w) for w in words)
    return r"\b" + body + (r"\w*" if prefix else r"\b")


class UrgentDetector:
    """Matches the staff-reviewed urgent rules against normalised text."""

    def __init__(self, rules: Iterable[UrgentRule]):
        self._rules = [
            (rule.name, [re.compile("|".join(_pattern(p) for p in group)) for group in rule.groups]) for rule in rules
        ]

    def match(self, *texts: str) -> str | None:
        """Return the name of the first rule any of the texts meets, or None."""
        for text in texts:
            normal = normalize(text)
            for name, groups in self._rules:
                if all(group.search(normal) for group in groups):
                    return name
        return None
