"""Group similar unanswered questions so staff see each missing topic once, with a count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..engine.text import STOPWORDS, normalize


@dataclass(frozen=True)
class QuestionGroup:
    """Questions that ask the same thing: the most frequent wording, how often, and other wordings."""

    representative: str
    count: int
    examples: tuple[str, ...]


def _key(text: str) -> str:
    return " ".join(w for w in normalize(text).split() if w not in STOPWORDS)


def group_questions(texts: Iterable[str], *, similarity: float = 70, examples: int = 5) -> list[QuestionGroup]:
    """Group texts whose content words match at `similarity` (0-100) or more; most frequent group first.

    Greedy single pass over distinct wordings, most frequent first, so each group is named by its
    most common wording. Fine for the hundreds of questions a clinic sees in a retention period.
    """
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}  # normalised wording -> the first way it was written
    for text in texts:
        if text and text.strip():
            normal = normalize(text)
            shown.setdefault(normal, text.strip())
            counts[normal] += 1
    groups: list[tuple[str, list[tuple[str, int]]]] = []  # (key of the representative, members)
    for normal, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        text = shown[normal]
        key = _key(text) or normal
        for group_key, members in groups:
            if fuzz.token_set_ratio(key, group_key) >= similarity:
                members.append((text, count))
                break
        else:
            groups.append((key, [(text, count)]))
    result = [
        QuestionGroup(
            representative=members[0][0],
            count=sum(c for _, c in members),
            examples=tuple(t for t, _ in members[1 : examples + 1]),
        )
        for _, members in groups
    ]
    return sorted(result, key=lambda g: (-g.count, g.representative))
