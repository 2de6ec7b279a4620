"""Analyse a message once into a `Query` that every later step reads.

Typo correction, synonyms and stems: a patient's "how lng do implnts tak to heal" and the entry's
"How long does it take for an implant to heal?" end with the same terms. A real English word is
never a typo: "current" stays "current" (not "urgent"), "never" stays "never" (not "fever"); only
words that are rare in English (wordfreq) are corrected towards the knowledge base's own words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

from .text import STOPWORDS, is_content_word, normalize, stem

# Zipf frequency at or above which a word is ordinary English (3 = once per million words):
# "heel" (3.8) and "current" (5.3) are words; "implnt" (0) and "stiches" (1.8) are typos.
REAL_WORD_ZIPF = 3.0
REAL_SHORT_WORD_ZIPF = 3.5  # three letters: "lng", "tak", "abt" are chat spellings as often as words
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Words that open a question ("what's", "does", "can").
_ASKING = (
    r"(?:what|whats|why|when|where|who|which|how|is|are|do|does|did|can|could|will|would|should|may|must|has|have)\b"
)
# "What is an abutment and when is it used?": a conjunction before a question word starts another question.
# Not "or": "is it just the screw or is there more?" asks one thing, about alternatives.
_CLAUSE_BREAK = re.compile(r",?\s+(?:and|but|also|plus)\s+(?=" + _ASKING + ")", re.IGNORECASE)
_ASKS = re.compile(r"\s*" + _ASKING, re.IGNORECASE)


def asks(clause: str) -> bool:
    """Tell whether a clause asks something (a question mark, or a question word first), not tells it."""
    return clause.rstrip().endswith("?") or bool(_ASKS.match(clause))


def is_english(word: str) -> bool:
    """Tell whether a word is ordinary English (and so never a typo to correct)."""
    return zipf_frequency(word, "en") >= (REAL_WORD_ZIPF if len(word) > 3 else REAL_SHORT_WORD_ZIPF)


@dataclass(frozen=True)
class Query:
    """What one message says, analysed once."""

    text: str  # as typed
    words: tuple[str, ...]  # normalised and typo-corrected, before synonyms
    terms: tuple[str, ...]  # stems of the content words after synonyms, in order
    unknown: tuple[str, ...] = ()  # content terms the knowledge base never uses
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, corrected), for the staff console

    @property
    def corrected(self) -> str:
        """The normalised, typo-corrected text: what the sentence encoder reads."""
        return " ".join(self.words)

    def sentences(self) -> list[str]:
        """The message split into sentences, as typed."""
        return [s for s in _SENTENCE_END.split(self.text.strip()) if s.strip()]

    def clauses(self) -> list[str]:
        """The message split into what it asks or tells: its sentences, and questions joined by "and"."""
        return [c.strip() for s in self.sentences() for c in _CLAUSE_BREAK.split(s) if c.strip()]


class Analyzer:
    """Normalises text with the knowledge base's synonyms and corrects typos against its vocabulary."""

    def __init__(self, synonyms: Mapping[str, str], vocabulary: Iterable[str], *, ignorable: Iterable[str] = ()):
        self._synonyms = dict(synonyms)
        self._longest = max((len(k.split()) for k in self._synonyms), default=1)
        counts = Counter(w for text in vocabulary for w in normalize(text).split())
        counts.update(w for phrase in self._synonyms for w in phrase.split())
        self._known = set(counts) | STOPWORDS
        # Function words are targets too: "shoud" is "should", and then carries no topic.
        self._targets = sorted((w for w in counts if len(w) >= 3 and w.isalpha()), key=lambda w: -counts[w])
        self._ignorable = frozenset(ignorable)
        self._known_terms: frozenset[str] = frozenset()
        # Bounded: patients can type any number of different words.
        self.correct = lru_cache(maxsize=20000)(self._correct)

    def learn_known_terms(self, texts: Iterable[str]) -> None:
        """Record the terms the knowledge base answers with, so a query can say which of its terms are unknown."""
        self._known_terms = frozenset(t for text in texts for t in self.analyse(text).terms)

    def analyse(self, text: str) -> Query:
        """Correct, rewrite with synonyms and stem a text."""
        typed = normalize(text).split()
        corrected = " ".join(self.correct(w) for w in typed).split()
        changes = tuple((a, b) for a, b in zip(typed, (self.correct(w) for w in typed)) if a != b)
        rewritten = self._apply_synonyms(corrected)
        terms = tuple(stem(w) for w in rewritten if is_content_word(w) and w not in self._ignorable)
        unknown = tuple(t for t in dict.fromkeys(terms) if self._known_terms and t not in self._known_terms)
        return Query(text, tuple(corrected), terms, unknown, changes)

    def terms(self, text: str) -> tuple[str, ...]:
        """Return only the stemmed content terms of a text."""
        return self.analyse(text).terms

    def is_known(self, word: str) -> bool:
        """Tell whether the knowledge base uses this normalised word anywhere."""
        return word in self._known

    def _correct(self, word: str) -> str:
        # A misspelling staff listed as a synonym ("stiches" for "stitches") is a typo with a known fix.
        listed = self._synonyms.get(word)
        if listed and " " not in listed and zipf_frequency(word, "en") < REAL_WORD_ZIPF:
            return listed
        if word in self._known or len(word) < 3 or not word.isalpha():
            return word
        if is_english(word):
            return word
        return self._split(word) or self._nearest(word) or word

    def _split(self, word: str) -> str | None:
        """Split run-together words ("twostage", "healingcap") when both halves are known."""
        for cut in range(3, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if left in self._known and right in self._known:
                return f"{left} {right}"
        return None

    def _nearest(self, word: str) -> str | None:
        """Return the closest known content word within one edit (two for long words), most frequent first."""
        limit = 1 if len(word) < 7 else 2
        # Short words change meaning with one letter ("rest" is not "test"): keep their first letter.
        targets = self._targets if len(word) > 4 else [w for w in self._targets if w[0] == word[0]]
        best = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=limit)
        return best[0] if best else None

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
