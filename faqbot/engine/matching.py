"""Rank knowledge-base entries (and known uncovered topics) against a message's terms.

Each phrasing is scored by two measures, combined:
- keyword overlap weighted by how rare each term is across the knowledge base (IDF), as an F-score
  of "how much of the question is explained" and "how much of the phrasing is present";
- rapidfuzz's token_sort_ratio over the terms (sorted once, then compared with a plain ratio): the
  same words in any order score high, and unlike token_set_ratio a phrasing with many extra words
  does not score as a perfect match (measured on the dev set: wrong answers 0.041 -> 0.024).
An entry's score is its best phrasing's. Candidates come from an inverted index, so a large
knowledge base is only scored where it shares a term with the message.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

KEYWORD_WEIGHT = 0.7
RECALL_BETA = 1.5  # recall counts more: a phrasing may say more than the patient typed
FUZZY_POOL = 40  # phrasings re-scored with rapidfuzz after the keyword pass
COMMON_POSTINGS = 4000  # a term this frequent only adds to candidates found through rarer terms


@dataclass(frozen=True)
class Candidate:
    """One entry (or uncovered topic) with its best-matching phrasing and score in 0..1."""

    key: str
    score: float
    phrasing: str
    uncovered: bool = False


@dataclass
class _Phrasing:
    key: str
    text: str
    terms: frozenset[str]
    joined: str
    uncovered: bool
    weight: float = 0.0  # sum of its terms' IDF, computed once the index is built


class Matcher:
    """An index over every phrasing; `find_matches` ranks owners by their best phrasing."""

    def __init__(self, phrasings: Iterable[tuple[str, str, tuple[str, ...], bool]]):
        """Index (owner key, phrasing text, analysed terms, is-uncovered) tuples."""
        self._phrasings = [
            _Phrasing(key, text, frozenset(terms), " ".join(sorted(set(terms))), uncovered)
            for key, text, terms, uncovered in phrasings
            if terms
        ]
        owners_with: dict[str, set[str]] = defaultdict(set)
        self._postings: dict[str, list[int]] = defaultdict(list)
        for index, phrasing in enumerate(self._phrasings):
            for term in phrasing.terms:
                self._postings[term].append(index)
                owners_with[term].add(phrasing.key)
        owners = len({p.key for p in self._phrasings}) or 1
        self._idf = {t: math.log(1 + owners / len(keys)) for t, keys in owners_with.items()}
        self._max_idf = math.log(1 + owners)
        for phrasing in self._phrasings:
            phrasing.weight = sum(self._idf[t] for t in phrasing.terms)
        self._weights = np.array([p.weight for p in self._phrasings])
        self._posting_arrays = {t: np.array(rows, dtype=np.intp) for t, rows in self._postings.items()}

    def idf(self, term: str) -> float:
        """Return how rare a term is across the knowledge base (unknown terms count as rarest)."""
        return self._idf.get(term, self._max_idf)

    def knows(self, term: str) -> bool:
        """Tell whether any phrasing uses this term."""
        return term in self._idf

    def find_matches(
        self, terms: Iterable[str], *, limit: int = 5, weights: Mapping[str, float] | None = None
    ) -> list[Candidate]:
        """Return the best candidates, highest score first, one per owner.

        `weights` lowers the pull of some terms (context words carried over from an earlier question).
        """
        weights = dict(weights or {})
        query = {t: weights.get(t, 1.0) for t in terms}
        if not query:
            return []
        total_q = sum(w * self.idf(t) for t, w in query.items())
        pool = self._keyword_pool(query, total_q)
        if not pool:
            return []
        phrasings = [self._phrasings[index] for _, index in pool]
        # token_sort_ratio: both sides are already sorted terms, so a plain ratio gives the same figure,
        # and one cdist call scores the whole pool in C.
        fuzzy = process.cdist(
            [" ".join(sorted(query))], [p.joined for p in phrasings], scorer=fuzz.ratio, dtype=np.float64
        )[0]
        best: dict[str, Candidate] = {}
        for (keyword, _), phrasing, ratio in zip(pool, phrasings, fuzzy.tolist()):
            score = KEYWORD_WEIGHT * keyword + (1 - KEYWORD_WEIGHT) * ratio / 100
            current = best.get(phrasing.key)
            if current is None or score > current.score:
                best[phrasing.key] = Candidate(phrasing.key, round(score, 4), phrasing.text, phrasing.uncovered)
        return sorted(best.values(), key=lambda c: (-c.score, c.key))[:limit]

    def _keyword_pool(self, query: dict[str, float], total_q: float) -> list[tuple[float, int]]:
        """The FUZZY_POOL phrasings with the best keyword F-score, computed over the postings in numpy."""
        shared_p = np.zeros(len(self._phrasings))  # rarity of the message's terms the phrasing has
        shared_q = np.zeros(len(self._phrasings))  # the same, weighted as the message weighs its terms
        seen = False
        for term in sorted(query, key=lambda t: len(self._postings.get(t, ()))):
            postings = self._posting_arrays.get(term)
            if postings is None:
                continue
            if len(postings) > COMMON_POSTINGS and seen:
                break
            seen = True
            shared_p[postings] += self._idf[term]  # a term's postings are distinct phrasings
            shared_q[postings] += query[term] * self._idf[term]
        found = np.flatnonzero(shared_p)
        if not len(found):
            return []
        beta2 = RECALL_BETA**2
        recall, precision = shared_q[found] / total_q, shared_p[found] / self._weights[found]
        f_score = (1 + beta2) * precision * recall / (beta2 * precision + recall)
        order = np.lexsort((-found, -f_score))[:FUZZY_POOL]  # best first; ties: the later phrasing, as before
        return [(float(f_score[i]), int(found[i])) for i in order]
