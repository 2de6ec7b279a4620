"""Meaning-based similarity: cosine between a message's sentence embedding and many example texts.

Used twice: by retrieval (every phrasing of every entry and uncovered topic) and by triage (the
staff-reviewed example messages). Vectors are unit length, so a dot product is the cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Similar:
    """An owner's closest text to the message and the cosine similarity to it."""

    owner: str
    score: float
    text: str


class SemanticIndex:
    """Example texts grouped by owner (an entry id, a topic, a triage group)."""

    def __init__(self, owners: Sequence[str], texts: Sequence[str], vectors: np.ndarray):
        if not (len(owners) == len(texts) == len(vectors)):
            raise ValueError("owners, texts and vectors must have the same length")
        order = sorted(range(len(owners)), key=lambda i: owners[i])  # stable: each owner's rows contiguous
        self._texts = [texts[i] for i in order]
        self._vectors = np.asarray(vectors, dtype=np.float32)[order] if order else np.zeros((0, 1), np.float32)
        sorted_owners = [owners[i] for i in order]
        self._starts = np.array([i for i, o in enumerate(sorted_owners) if i == 0 or o != sorted_owners[i - 1]])
        self.owners = [sorted_owners[i] for i in self._starts]

    def __len__(self) -> int:
        return len(self._texts)

    def similar(self, vector: np.ndarray) -> dict[str, Similar]:
        """Return every owner's best cosine similarity to the message vector."""
        if not self._texts:
            return {}
        sims = self._vectors @ vector
        best = np.maximum.reduceat(sims, self._starts)
        ends = [*self._starts[1:], len(sims)]
        where = [int(start + np.argmax(sims[start:end])) for start, end in zip(self._starts, ends)]
        return {o: Similar(o, float(b), self._texts[w]) for o, b, w in zip(self.owners, best, where)}

    def support(self, vector: np.ndarray, k: int = 3) -> dict[str, float]:
        """Return every owner's mean similarity over its k closest texts: several phrasings agreeing."""
        if not self._texts:
            return {}
        sims = self._vectors @ vector
        ends = [*self._starts[1:], len(sims)]
        return {
            owner: float(np.sort(sims[start:end])[-k:].mean())
            for owner, start, end in zip(self.owners, self._starts, ends)
        }

    def top_mean(self, vector: np.ndarray, owners: set[str] | frozenset[str], k: int = 3) -> float:
        """Return the mean of the k highest similarities among the given owners' texts (0 if none)."""
        if not self._texts:
            return 0.0
        ends = [*self._starts[1:], len(self._texts)]
        rows = [np.arange(s, e) for o, s, e in zip(self.owners, self._starts, ends) if o in owners]
        if not rows:
            return 0.0
        sims = self._vectors[np.concatenate(rows)] @ vector
        top = np.sort(sims)[-k:]
        return float(top.mean())
