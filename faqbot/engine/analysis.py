"""Turn a message into the terms matching compares: typo correction, synonyms, stems.

A patient's "how lng do implnts tak to heal" and the entry's "How long does it take for an
implant to heal?" both become the terms ("duration", "implant", "heal") here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .text import STOPWORDS, is_content_word, normalize, stem


@dataclass(frozen=True)
class Analysis:
    """What a message says, in the knowledge base's own words."""

    words: tuple[str, ...]  # normalised words after typo correction and synonyms
    terms: tuple[str, ...]  # stems of the content words, in order
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, corrected) pairs, for the staff console


class Analyzer:
    """Normalises text with the knowledge base's synonyms and corrects typos against its vocabulary."""

    def __init__(self, synonyms: Mapping[str, str], vocabulary: Iterable[str]):
        self._synonyms = dict(synonyms)
        self._longest = max((len(k.split()) for k in self._synonyms), default=1)
        counts = Counter(w for text in vocabulary for w in normalize(text).split())
        counts.update(w for phrase in self._synonyms for w in phrase.split())
        self._known = set(counts) | STOPWORDS
        # Typos are corrected only towards content words: "some" must never become a topic.
        self._targets = sorted((w for w in counts if is_content_word(w) and len(w) >= 3), key=lambda w: -counts[w])
        self._function_words = sorted(w for w in STOPWORDS if len(w) >= 4)
        self._corrections: dict[str, str | None] = {}

    def analyse(self, text: str) -> Analysis:
        """Correct, rewrite with synonyms and stem a text."""
        typed = normalize(text).split()
        corrected = [self.correct(w) for w in typed]
        changes = tuple((a, b) for a, b in zip(typed, corrected) if a != b)
        rewritten = self._apply_synonyms(" ".join(corrected).split())
        terms = tuple(stem(w) for w in rewritten if is_content_word(w))
        return Analysis(tuple(rewritten), terms, changes)

    def terms(self, text: str) -> tuple[str, ...]:
        """Return only the stemmed content terms of a text."""
        return self.analyse(text).terms

    def correct(self, word: str) -> str:
        """Return the known word a typo most likely meant, or the word itself."""
        if word in self._known or len(word) < 3 or not word.isalpha():
            return word
        if word not in self._corrections:
            self._corrections[word] = self._split(word) or self._nearest(word)
        return self._corrections[word] or word

    def _split(self, word: str) -> str | None:
        """Split run-together words ("twostage", "healingcap") when both halves are known."""
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            if left in self._known and right in self._known and min(len(left), len(right)) >= 3:
                return f"{left} {right}"
        return None

    def _nearest(self, word: str) -> str | None:
        """Return the closest content word within one edit (two for long words), most frequent first."""
        limit = 1 if len(word) < 7 else 2
        # Short words change meaning with one letter ("rest" is not "test"): keep their first letter.
        targets = self._targets if len(word) > 4 else [w for w in self._targets if w[0] == word[0]]
        best = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=limit)
        if best is None and len(word) >= 5:
            # "shoud", "oftne": a misspelt function word is dropped, not treated as an unknown topic
            best = process.extractOne(word, self._function_words, scorer=OSA.distance, score_cutoff=1)
        return best[0] if best else None

    def is_known(self, word: str) -> bool:
        """Tell whether the knowledge base uses this normalised word anywhere."""
        return word in self._known

    def _apply_synonyms(self, words: list[str]) -> list[str]:
        out, i = [], 0
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                replacement = self._synonyms.get(" ".join(words[i : i + size]))
                if replacement is not None:
                    out.extend(replacement.split())
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out
