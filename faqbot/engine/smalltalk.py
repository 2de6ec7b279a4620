"""Recognise greetings, thanks, goodbyes and questions about the bot itself."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from .knowledge import SmallTalkIntent
from .text import normalize

WHOLE_MESSAGE_SIMILARITY = 90
_REPEATS = re.compile(r"(\w)\1+")


class SmallTalk:
    """Tells whether a message is only social talk, and which intent it ends on."""

    def __init__(self, intents: Iterable[SmallTalkIntent], fillers: Iterable[str]):
        self._phrases: dict[tuple[str, ...], SmallTalkIntent] = {}
        for intent in intents:
            for phrase in intent.phrases:
                self._phrases.setdefault(tuple(normalize(phrase).split()), intent)
        self._fillers = set(fillers)
        self._longest = max((len(p) for p in self._phrases), default=1)
        self._vocabulary = {w for phrase in self._phrases for w in phrase} | self._fillers

    def phrases(self) -> list[tuple[str, str]]:
        """Every (intent id, phrase), for matching small talk by meaning too."""
        return [(intent.id, " ".join(words)) for words, intent in self._phrases.items()]

    def intent(self, intent_id: str) -> SmallTalkIntent:
        """Return the intent with this id."""
        return next(i for i in self._phrases.values() if i.id == intent_id)

    def words(self) -> set[str]:
        """Every word small talk uses, so matching can ignore them around a real question."""
        return set(self._vocabulary)

    def match(self, message: str) -> SmallTalkIntent | None:
        """Return the intent of a purely social message ("ok thanks bye" -> goodbye), else None."""
        words = [self._unstretched(w) for w in normalize(message).split()]
        if not words:
            return None
        last, i = None, 0
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                intent = self._phrases.get(tuple(words[i : i + size]))
                if intent is not None:
                    last, i = intent, i + size
                    break
            else:
                if words[i] not in self._fillers:
                    return self._similar(" ".join(words))
                i += 1
        return last

    def _unstretched(self, word: str) -> str:
        """A word typed with letters held down ("hiii", "byee", "thankss", "goood") as small talk knows it."""
        if word in self._vocabulary:
            return word
        for repeat in (r"\1", r"\1\1"):
            candidate = _REPEATS.sub(repeat, word)
            if candidate in self._vocabulary:
                return candidate
        return word

    def _similar(self, text: str) -> SmallTalkIntent | None:
        if len(text.split()) > 7:
            return None
        best, best_score = None, 0.0
        for phrase, intent in self._phrases.items():
            score = fuzz.ratio(text, " ".join(phrase))
            if score > best_score:
                best, best_score = intent, score
        return best if best_score >= WHOLE_MESSAGE_SIMILARITY else None
