"""How a message departs from the phrasing it is closest to: toward a topic the sources do not cover, and
away from the entry's answer.

A look-alike question repeats an entry's phrasing and adds an aspect that entry's answer does not give
("what is a healing abutment *made of*?", "is one stage *cheaper* than two?"). Its similarity to that
phrasing stays high, so similarity alone would answer it. What the added words do shows in comparison with
the phrasing: the message is nearer some uncovered topic than the phrasing itself is (uncovered drift), and
less near the entry's answer than the phrasing is (answer drift below zero). A paraphrase moves neither way.
Everything about the phrasings is computed once; a message's similarity to the uncovered phrasings comes
from the product its index already made.
"""

from __future__ import annotations

import numpy as np

from .semantic import IndexScores, SemanticIndex


class Drift:
    """Precomputed similarities of every phrasing to every uncovered topic's phrasings and to its own answer."""

    def __init__(self, phrasings: SemanticIndex, answers: SemanticIndex, uncovered_owners: set[str]):
        vectors, _ = phrasings.vectors()  # every row, in row order
        topics, self._topic_rows = phrasings.vectors(uncovered_owners)
        self._phrasing_topics = vectors @ topics.T if len(topics) else np.zeros((len(vectors), 0))
        answer_vectors, answer_rows = answers.vectors()
        answer_of = {answers.owner_of(r): v for r, v in zip(answer_rows, answer_vectors)}
        self._phrasing_answer = np.array(
            [
                float(v @ answer_of[owner]) if (owner := phrasings.owner_of(r)) in answer_of else 0.0
                for r, v in enumerate(vectors)
            ]
        )

    def topics(self, scores: IndexScores) -> np.ndarray:
        """The message's similarity to each uncovered phrasing, read from its scores against the phrasings'
        index (the one this drift was built on)."""
        return scores.values(self._topic_rows)

    def uncovered(self, topic_similarities: np.ndarray, rows: list[int]) -> list[float]:
        """For each closest phrasing (a row), the most by which the message is nearer than that phrasing to an
        uncovered phrasing; all rows of a message in one numpy operation."""
        if not len(topic_similarities):
            return [0.0] * len(rows)
        return (topic_similarities[None, :] - self._phrasing_topics[rows]).max(axis=1).tolist()

    def answer(self, answer_similarity: float, row: int) -> float:
        """How much nearer the message is than its closest phrasing to the entry's answer (negative: farther)."""
        return answer_similarity - float(self._phrasing_answer[row])
