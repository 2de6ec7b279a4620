"""Meaning-based similarity: cosine between a message's sentence embedding and many example texts.

Used twice: by retrieval (every phrasing of every entry and uncovered topic) and by triage (the
staff-reviewed example messages). Vectors are unit length, so a dot product is the cosine.

`SemanticIndex.scores(vector)` does the one matrix product a message needs; every question asked of it
afterwards (each owner's best text, the mean of its closest few, the best among a group of owners) is
answered from that product, vectorised over owners, so it costs microseconds rather than a Python loop
per owner.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Similar:
    """An owner's closest text to the message and the cosine similarity to it."""

    owner: str
    score: float
    text: str
    row: int = -1  # the text's row in its index (SemanticIndex.vectors() gives its embedding)


class SemanticIndex:
    """Example texts grouped by owner (an entry id, a topic, a triage group)."""

    def __init__(self, owners: Sequence[str], texts: Sequence[str], vectors: np.ndarray):
        if not (len(owners) == len(texts) == len(vectors)):
            raise ValueError("owners, texts and vectors must have the same length")
        order = sorted(range(len(owners)), key=lambda i: owners[i])  # stable: each owner's rows contiguous
        self._texts = [texts[i] for i in order]
        self._vectors = np.asarray(vectors, dtype=np.float32)[order] if order else np.zeros((0, 1), np.float32)
        sorted_owners = [owners[i] for i in order]
        self._row_owners = sorted_owners
        starts = [i for i, o in enumerate(sorted_owners) if i == 0 or o != sorted_owners[i - 1]]
        self.owners = [sorted_owners[i] for i in starts]
        self._position = {owner: n for n, owner in enumerate(self.owners)}
        # A grid [owner, text] of row numbers; short rows are padded with len(texts), which scores() maps
        # to -inf, so "best of each owner" and "top k of each owner" are single numpy operations.
        ends = [*starts[1:], len(sorted_owners)]
        width = max((end - start for start, end in zip(starts, ends)), default=0)
        self._grid = np.full((len(starts), width), len(sorted_owners), dtype=np.intp)
        for row, (start, end) in enumerate(zip(starts, ends)):
            self._grid[row, : end - start] = np.arange(start, end)
        # Grid rows of an owner group (triage asks the same few groups of every message); bounded by
        # the groups the engine's code names, never by what patients type.
        self._group_rows: dict[frozenset[str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def vectors(self, owners: Collection[str] | None = None) -> tuple[np.ndarray, list[int]]:
        """Return the embeddings of the given owners' texts (all when None) and their rows."""
        rows = [r for r, owner in enumerate(self._row_owners) if owners is None or owner in owners]
        return self._vectors[rows], rows

    def owner_of(self, row: int) -> str:
        return self._row_owners[row]

    def group_rows(self, owners: Collection[str]) -> np.ndarray:
        """The grid rows of the given owners (those the index has), remembered for a frozenset."""
        if isinstance(owners, frozenset) and owners in self._group_rows:
            return self._group_rows[owners]
        rows = np.array([self._position[o] for o in owners if o in self._position], dtype=np.intp)
        if isinstance(owners, frozenset):
            self._group_rows[owners] = rows
        return rows

    def scores(self, vector: np.ndarray) -> IndexScores:
        """Compare the message vector with every text once; ask the result what you need."""
        sims = np.empty(len(self._texts) + 1, dtype=np.float32)
        sims[:-1] = self._vectors @ vector if self._texts else 0.0
        sims[-1] = -np.inf
        return IndexScores(self, sims[self._grid])

    # Shorthands for a single question about a vector.
    def similar(self, vector: np.ndarray) -> dict[str, Similar]:
        """Return every owner's best cosine similarity to the message vector."""
        return self.scores(vector).similar()

    def support(self, vector: np.ndarray, k: int = 3) -> dict[str, float]:
        """Return every owner's mean similarity over its k closest texts."""
        return self.scores(vector).support(k)

    def top_mean(self, vector: np.ndarray, owners: Collection[str], k: int = 3) -> float:
        """Return the mean of the k highest similarities among the given owners' texts (0 if none)."""
        return self.scores(vector).top_mean(owners, k)


class IndexScores:
    """One message's similarities to every text of an index, arranged [owner, text]."""

    def __init__(self, index: SemanticIndex, grid: np.ndarray):
        self._index = index
        self._grid = grid  # -inf where an owner has fewer texts than the widest

    def similar(self, owners: Collection[str] | None = None) -> dict[str, Similar]:
        """Every owner's closest text and its similarity (only the given owners', when named)."""
        index = self._index
        positions = (
            np.arange(len(index.owners))
            if owners is None
            else np.array([index._position[o] for o in owners if o in index._position], dtype=np.intp)
        )
        if not len(positions):
            return {}
        where = self._grid[positions].argmax(axis=1)
        best = self._grid[positions, where]
        texts = index._texts
        rows = index._grid[positions, where]
        names = [index.owners[p] for p in positions.tolist()]
        return {o: Similar(o, float(b), texts[r], r) for o, b, r in zip(names, best.tolist(), rows.tolist())}

    def best_scores(self) -> dict[str, float]:
        """Every owner's highest similarity, without its text (cheaper than similar())."""
        return dict(zip(self._index.owners, self._grid.max(axis=1).tolist())) if self._index.owners else {}

    def best(self) -> Similar | None:
        """The single closest text of any owner."""
        if not self._index.owners:
            return None
        row, column = np.unravel_index(int(self._grid.argmax()), self._grid.shape)
        owner = self._index.owners[row]
        text_row = int(self._index._grid[row, column])
        return Similar(owner, float(self._grid[row, column]), self._index._texts[text_row], text_row)

    def support(self, k: int = 3) -> dict[str, float]:
        """Every owner's mean similarity over its k closest texts (fewer if it has fewer): phrasings agreeing."""
        if not self._index.owners:
            return {}
        return dict(zip(self._index.owners, _top_k_mean(self._grid, k).tolist()))

    def top_mean(self, owners: Collection[str], k: int = 3) -> float:
        """The mean of the k highest similarities among the given owners' texts (0 if none)."""
        rows = self._index.group_rows(owners)
        if not len(rows):
            return 0.0
        values = self._grid[rows].ravel()
        values = values[np.isfinite(values)]
        if not len(values):
            return 0.0
        k = min(k, len(values))
        return float(np.partition(values, len(values) - k)[-k:].mean())


def _top_k_mean(grid: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's k largest finite values (all of them when a row has fewer)."""
    k = min(k, grid.shape[1])
    top = -np.partition(-grid, k - 1, axis=1)[:, :k] if k < grid.shape[1] else grid
    finite = np.isfinite(top)
    return np.where(finite, top, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
