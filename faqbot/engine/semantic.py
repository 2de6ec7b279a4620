"""Meaning-based similarity: cosine between a message's sentence embedding and many example texts.

Every example text the engine compares messages with (entry phrasings, uncovered topics, triage
examples, answers, small-talk phrases) is embedded once into one `VectorSpace`, each distinct text once
(an entry's phrasing is also a triage example). A message costs one matrix product over that space;
each `SemanticIndex` is a view of some of its rows, grouped by owner (an entry id, a topic, a triage
group). Vectors are unit length, so a dot product is the cosine.

`SemanticIndex.scores(vector)` gives that product arranged for the index; every question asked of it
afterwards (each owner's best text, the mean of its closest few, the best among a group of owners) is
answered from it, vectorised over owners, so it costs microseconds rather than a Python loop per owner.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Similar:
    """An owner's closest text to the message and the cosine similarity to it."""

    owner: str
    score: float
    text: str
    row: int = -1  # the text's row in its index (SemanticIndex.vectors() gives its embedding)


class VectorSpace:
    """The embeddings of example texts, one row each, compared with a message in one product.

    The embedding of a message evicts the CPU caches (the model reads tens of megabytes), so each matrix
    read afterwards comes from memory: right after an embedding, the entry, triage and drift products took
    60 + 58 + 23 us, the one product over their distinct texts 75 us.
    """

    def __init__(self, vectors: np.ndarray):
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self._recent = threading.local()  # this thread's last message vector and its similarities

    def __len__(self) -> int:
        return len(self.vectors)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """The message's cosine to every row, then -inf (the padding the indices' grids point to); read-only.

        The last result is remembered per thread for a read-only vector (the encoder's, which nothing can
        change), so the several indices one message consults share one product.
        """
        recent = getattr(self._recent, "pair", None)
        if recent is not None and recent[0] is vector:
            return recent[1]
        sims = np.empty(len(self.vectors) + 1, dtype=np.float32)
        sims[:-1] = self.vectors @ vector if len(self.vectors) else 0.0
        sims[-1] = -np.inf
        sims.flags.writeable = False
        if not vector.flags.writeable:
            self._recent.pair = (vector, sims)
        return sims


class SemanticIndex:
    """Example texts grouped by owner (an entry id, a topic, a triage group), as rows of a vector space."""

    def __init__(self, owners: Sequence[str], texts: Sequence[str], vectors: np.ndarray):
        """An index with a space of its own (`over` builds one on a shared space)."""
        vectors = np.asarray(vectors, dtype=np.float32) if len(texts) else np.zeros((0, 1), np.float32)
        self._build(VectorSpace(vectors), owners, texts, range(len(texts)))

    @classmethod
    def over(cls, space: VectorSpace, owners: Sequence[str], texts: Sequence[str], rows: Sequence[int]):
        """An index whose texts are the given rows of a shared space."""
        index = cls.__new__(cls)
        index._build(space, owners, texts, rows)
        return index

    def _build(self, space: VectorSpace, owners: Sequence[str], texts: Sequence[str], rows: Sequence[int]) -> None:
        if not (len(owners) == len(texts) == len(rows)):
            raise ValueError("owners, texts and vectors (or rows) must have the same length")
        self._space = space
        order = sorted(range(len(owners)), key=lambda i: owners[i])  # stable: each owner's rows contiguous
        self._texts = [texts[i] for i in order]
        # Each text's row in the space, and one more: len(space), which the similarities map to -inf.
        self._space_rows = np.array([rows[i] for i in order] + [len(space)], dtype=np.intp)
        sorted_owners = [owners[i] for i in order]
        self._row_owners = sorted_owners
        starts = [i for i, o in enumerate(sorted_owners) if i == 0 or o != sorted_owners[i - 1]]
        self.owners = [sorted_owners[i] for i in starts]
        self._position = {owner: n for n, owner in enumerate(self.owners)}
        ends = [*starts[1:], len(sorted_owners)]
        self._spans = list(zip(starts, ends))
        # A grid [owner, text] of row numbers; short rows are padded with len(texts), whose space row is
        # -inf, so "best of each owner" and "top k of each owner" are single numpy operations.
        width = max((end - start for start, end in self._spans), default=0)
        self._grid = np.full((len(starts), width), len(sorted_owners), dtype=np.intp)
        for row, (start, end) in enumerate(self._spans):
            self._grid[row, : end - start] = np.arange(start, end)
        self._space_grid = self._space_rows[self._grid]
        # Space rows of an owner group (triage asks the same few groups of every message); bounded by
        # the groups the engine's code names, never by what patients type.
        self._group_rows: dict[frozenset[str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def vectors(self, owners: Collection[str] | None = None) -> tuple[np.ndarray, list[int]]:
        """Return the embeddings of the given owners' texts (all when None) and their rows."""
        rows = [r for r, owner in enumerate(self._row_owners) if owners is None or owner in owners]
        return self._space.vectors[self._space_rows[rows]], rows

    def owner_of(self, row: int) -> str:
        return self._row_owners[row]

    def group_rows(self, owners: Collection[str]) -> np.ndarray:
        """The space rows of the given owners' texts (of those the index has), remembered for a frozenset."""
        if isinstance(owners, frozenset) and owners in self._group_rows:
            return self._group_rows[owners]
        spans = [self._spans[self._position[o]] for o in owners if o in self._position]
        rows = self._space_rows[np.concatenate([np.arange(s, e) for s, e in spans])] if spans else np.zeros(0, np.intp)
        if isinstance(owners, frozenset):
            self._group_rows[owners] = rows
        return rows

    def scores(self, vector: np.ndarray) -> IndexScores:
        """Compare the message vector with every text (one product, shared by the space's indices)."""
        return IndexScores(self, self._space.similarities(vector))

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
    """One message's similarities to every text of an index."""

    def __init__(self, index: SemanticIndex, similarities: np.ndarray):
        self._index = index
        self._sims = similarities  # of the whole space, then -inf

    @cached_property
    def _grid(self) -> np.ndarray:
        """The similarities arranged [owner, text], -inf where an owner has fewer texts than the widest."""
        return self._sims[self._index._space_grid]

    def values(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The similarities of the given rows of the index."""
        return self._sims[self._index._space_rows[rows]]

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
        index = self._index
        if not index.owners:
            return None
        values = self.values(slice(0, len(index)))
        row = int(values.argmax())  # rows are in owner order: ties as the grid's
        return Similar(index._row_owners[row], float(values[row]), index._texts[row], row)

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
        values = self._sims[rows]
        k = min(k, len(values))
        return float(np.partition(values, len(values) - k)[-k:].mean())


def _top_k_mean(grid: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's k largest finite values (all of them when a row has fewer)."""
    k = min(k, grid.shape[1])
    top = -np.partition(-grid, k - 1, axis=1)[:, :k] if k < grid.shape[1] else grid
    finite = np.isfinite(top)
    return np.where(finite, top, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
