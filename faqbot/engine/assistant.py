"""The conversation rules: urgent first, then small talk, clarify choices, matching, follow-ups.

`Assistant.reply(message, conversation)` is the whole engine; the web API and the command line
are thin shells around it, so both give the same answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .analysis import Analyzer
from .clinic import Clinic, fill
from .knowledge import Entry, KnowledgeBase
from .matching import Candidate, Matcher
from .reply import Reply, Source
from .smalltalk import SmallTalk
from .state import ConversationState, decode, encode
from .text import normalize
from .triage import UrgentDetector

UNCOVERED_PREFIX = "not-covered:"
_CHOICE = {
    0: re.compile(r"^(the )?(first|1st|1|top|former)( one| option| question)?$|^option (1|one)$"),
    1: re.compile(r"^(the )?(second|2nd|2|other|latter|bottom)( one| option| question)?$|^option (2|two)$"),
}
_FOLLOW_UP_CUE = re.compile(r"^(and|what about|how about|what if|why|so|then|but|also)\b")
_REFERENCE = {"it", "that", "this", "they", "them", "those", "one", "there", "these"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Settings:
    """Tuning knobs, measured on the dev set (see README and bench/)."""

    threshold: float = 0.5  # below this an entry is not a confident match
    clarify_margin: float = 0.04  # two entries closer than this: ask which one
    uncovered_margin: float = 0.02  # an uncovered topic this close to the best entry wins
    suggest_min: float = 0.3  # weakest match still offered as a suggestion after a fallback
    context_weight: float = 0.5  # pull of the previous question's words on a follow-up
    follow_up_words: int = 8  # longer messages stand on their own


class Assistant:
    """Answers one message at a time from the curated knowledge base."""

    def __init__(self, knowledge: KnowledgeBase, clinic: Clinic, settings: Settings | None = None):
        self.knowledge = knowledge
        self.clinic = clinic
        self.settings = settings or Settings()
        self.urgent = UrgentDetector(knowledge.urgent_rules)
        self.smalltalk = SmallTalk(knowledge.smalltalk, knowledge.smalltalk_fillers)
        entry_texts = [t for e in knowledge.entries for t in (*e.phrasings, e.answer)]
        other_texts = [p for t in knowledge.uncovered for p in t.phrasings]
        other_texts += [w for r in knowledge.urgent_rules for g in r.groups for w in g]
        other_texts += sorted(self.smalltalk.words())  # "mate" is small talk, not a typo of "made"
        self.analyzer = Analyzer(knowledge.synonyms, entry_texts + other_texts)
        self._ignorable = {w for w in self.smalltalk.words()} - set(self._plain_words(entry_texts))
        # Synonyms apply first, so "how long" counts as known through the entries that use it.
        self._known_terms = {t for text in entry_texts for t in self._terms(text)}
        phrasings = [(e.id, p, self._terms(p), False) for e in knowledge.entries for p in e.phrasings]
        phrasings += [
            (UNCOVERED_PREFIX + t.id, p, self._terms(p), True) for t in knowledge.uncovered for p in t.phrasings
        ]
        self.matcher = Matcher(phrasings)
        self._ids = frozenset(e.id for e in knowledge.entries)
        # A word only an uncovered topic uses ("smoke") names that topic in the decline.
        self._uncovered_terms = {
            t: topic for topic in knowledge.uncovered for p in topic.phrasings for t in self._terms(p)
        }
        self._contrasts = [frozenset(t for w in group for t in self._terms(w)) for group in knowledge.contrasts]

    # -- public -------------------------------------------------------------------------

    def reply(self, message: str, conversation: str | None = None) -> Reply:
        """Return the reply to one message, given the token of the conversation so far."""
        state = decode(conversation, self._ids)
        corrected = " ".join(self.analyzer.correct(w) for w in normalize(message).split())
        rule = self.urgent.match(message, corrected)
        if rule:
            return self._reply(
                fill(self.knowledge.urgent_reply, self.clinic),
                "urgent",
                1.0,
                ConversationState(),
                reason=f"urgent rule: {rule}",
            )
        intent = self.smalltalk.match(message)
        if intent:
            return self._reply(
                fill(intent.reply, self.clinic),
                "smalltalk",
                1.0,
                ConversationState(entry_id=state.entry_id),
                reason=f"small talk: {intent.id}",
            )
        chosen = self._chosen_option(message, state)
        if chosen:
            return self._answer(chosen, 1.0, (), f"chose option '{chosen.id}' of the clarify reply")
        return self._question_sentence(message, state) or self._match(message, state)

    def _question_sentence(self, message: str, state: ConversationState) -> Reply | None:
        """Answer the question sentence of a longer message ("I lost a tooth last year. How long does it take?").

        The patient's question is what they ask, not the story before it. Only when the story is made
        of words the knowledge base knows: a word it does not know may change the question ("I'm
        pregnant. Can I get an implant?"), so that message goes the usual way and declines.
        """
        sentences = [s for s in _SENTENCE_END.split(message.strip()) if s.strip()]
        if len(sentences) < 2:
            return None
        questions = [s for s in sentences if s.rstrip().endswith("?")]
        if not questions or len(questions) == len(sentences):
            return None
        story = [t for s in sentences if s not in questions for t in self._terms(s)]
        if any(t not in self._known_terms and t not in _REFERENCE for t in story):
            return None
        reply = self._match(" ".join(questions), state)
        if reply.kind != "answer":
            return None
        return replace(reply, reason=reply.reason + " (of the question sentence)")

    def search(self, text: str, *, limit: int = 10) -> list[Candidate]:
        """Rank entries for a search box with the same matcher patients get (no decline rules)."""
        candidates = self.matcher.find_matches(self._terms(text), limit=limit + len(self.knowledge.uncovered))
        return [c for c in candidates if not c.uncovered][:limit]

    def starter_questions(self, limit: int = 4) -> list[str]:
        """Questions to offer before the patient has asked anything (smalltalk.toml's [welcome])."""
        entries = [self.knowledge.entry(i) for i in self.knowledge.welcome] or list(self.knowledge.entries)
        return [e.question for e in entries[:limit]]

    def ambiguous_phrasings(self) -> list[tuple[str, str, str, str]]:
        """Return phrasings of different entries (or of an uncovered topic) that reduce to the same words.

        Such phrasings can never be told apart, so a patient typing one gets a clarify or a decline.
        """
        owners: dict[frozenset[str], tuple[str, str]] = {}
        clashes = []
        phrasings = [(e.id, p) for e in self.knowledge.entries for p in e.phrasings]
        phrasings += [(UNCOVERED_PREFIX + t.id, p) for t in self.knowledge.uncovered for p in t.phrasings]
        for owner, phrasing in phrasings:
            other = owners.setdefault(frozenset(self._terms(phrasing)), (owner, phrasing))
            if other[0] != owner:
                clashes.append((owner, phrasing, *other))
        return clashes

    # -- matching -----------------------------------------------------------------------

    def _match(self, message: str, state: ConversationState) -> Reply:
        terms = self._terms(message)
        unknown = sorted({t for t in terms if t not in self._known_terms and t not in _REFERENCE})
        if unknown:
            candidates = self.matcher.find_matches(terms, limit=6)
            topic = next((self._uncovered_terms[t] for t in unknown if t in self._uncovered_terms), None)
            reason = f"the knowledge base does not know: {', '.join(unknown)}"
            return self._fallback(state, candidates, reason, topic.name if topic else "")
        candidates = self.matcher.find_matches(terms, limit=6) if terms else []
        previous = self.knowledge.entry(state.entry_id) if state.entry_id else None
        if previous and self._is_follow_up(message, candidates):
            # "how do you know if I need one?": the previous question fills in what "one" means.
            own = [t for t in terms if t not in _REFERENCE]
            context = [t for t in self._terms(previous.question) if t not in own and t not in self._replaced_by(own)]
            weights = {t: self.settings.context_weight for t in context}
            combined = self.matcher.find_matches([*own, *context], limit=6, weights=weights)
            alone = candidates[0] if candidates and not candidates[0].uncovered else None
            confident_alone = alone is not None and alone.score >= self.settings.threshold
            if combined and (not confident_alone or combined[0].score >= alone.score):
                return self._decide(combined, state, f"follow-up to '{previous.id}'")
        if not terms:
            return self._fallback(state, candidates, "no words to match")
        return self._decide(candidates, state, "best match")

    def _decide(self, candidates: list[Candidate], state: ConversationState, reason: str) -> Reply:
        s = self.settings
        entries = [c for c in candidates if not c.uncovered]
        uncovered = next((c for c in candidates if c.uncovered), None)
        best = entries[0] if entries else None
        if uncovered and (best is None or uncovered.score >= best.score - s.uncovered_margin):
            topic = next(t for t in self.knowledge.uncovered if UNCOVERED_PREFIX + t.id == uncovered.key)
            return self._fallback(
                state, candidates, f"closest to a topic the sources do not cover: {topic.id}", topic.name
            )
        if best is None or best.score < s.threshold:
            return self._fallback(state, candidates, f"best score below the threshold {s.threshold}")
        runner_up = entries[1] if len(entries) > 1 else None
        if runner_up and runner_up.score >= s.threshold and best.score - runner_up.score < s.clarify_margin:
            return self._clarify([best, runner_up], candidates)
        return self._answer(self.knowledge.entry(best.key), best.score, candidates, reason)

    def _replaced_by(self, terms: list[str]) -> set[str]:
        """Return the earlier-question terms a follow-up's own words contrast with ("second" drops "first")."""
        replaced = set()
        for group in self._contrasts:
            if group.intersection(terms):
                replaced |= group - set(terms)
        return replaced

    def _is_follow_up(self, message: str, candidates: list[Candidate]) -> bool:
        words = normalize(message).split()
        if not words or len(words) > self.settings.follow_up_words:
            return False
        weak = not candidates or candidates[0].score < self.settings.threshold or candidates[0].uncovered
        return weak or bool(_FOLLOW_UP_CUE.match(" ".join(words))) or bool(_REFERENCE.intersection(words))

    def _chosen_option(self, message: str, state: ConversationState) -> Entry | None:
        text = normalize(message)
        for index, pattern in _CHOICE.items():
            if index < len(state.options) and pattern.match(text):
                return self.knowledge.entry(state.options[index])
        return None

    def _terms(self, text: str) -> tuple[str, ...]:
        return tuple(t for t in self.analyzer.terms(text) if t not in self._ignorable)

    @staticmethod
    def _plain_words(texts: list[str]) -> set[str]:
        return {w for t in texts for w in normalize(t).split()}

    # -- replies ------------------------------------------------------------------------

    def _answer(self, entry: Entry, score: float, candidates, reason: str) -> Reply:
        sources = tuple(
            Source(self.knowledge.document(p.document_id).title, f"/sources/{p.document_id}#{p.id}", p.text)
            for p in self.knowledge.cited_passages(entry)
        )
        related = [self.knowledge.entry(r).question for r in entry.related][:3]
        return self._reply(
            entry.answer,
            "answer",
            score,
            ConversationState(entry_id=entry.id),
            entry=entry,
            sources=sources,
            suggestions=tuple(related),
            reason=reason,
            candidates=candidates,
        )

    def _clarify(self, options: list[Candidate], candidates) -> Reply:
        entries = [self.knowledge.entry(c.key) for c in options]
        text = "I have answers to a few similar questions. Which one did you mean?"
        state = ConversationState(options=tuple(e.id for e in entries))
        return self._reply(
            text,
            "clarify",
            options[0].score,
            state,
            suggestions=tuple(e.question for e in entries),
            reason="two entries scored within the clarify margin",
            candidates=candidates,
        )

    def _fallback(self, state: ConversationState, candidates, reason: str, topic: str = "") -> Reply:
        about = f" about {topic}" if topic else ""
        if state.fallbacks >= 1:
            text = (
                "I'm sorry, I still can't answer that from the clinic's information. The team at {clinic_name} "
                "can help you directly: call {clinic_phone} or book an appointment at {booking_url}."
            )
        else:
            text = (
                f"I'm sorry, I don't have information{about} in the clinic's reviewed answers, so I won't guess. "
                "Please contact {clinic_name} on {clinic_phone} or book at {booking_url}."
            )
        close = [c for c in candidates if not c.uncovered and c.score >= self.settings.suggest_min][:3]
        suggestions = tuple(self.knowledge.entry(c.key).question for c in close) or tuple(self.starter_questions(3))
        best = max((c.score for c in candidates if not c.uncovered), default=0.0)
        next_state = ConversationState(entry_id=state.entry_id, fallbacks=state.fallbacks + 1)
        return self._reply(
            fill(text, self.clinic),
            "fallback",
            best,
            next_state,
            suggestions=suggestions,
            reason=reason,
            candidates=candidates,
        )

    def _reply(self, text: str, kind: str, confidence: float, state: ConversationState, **extra) -> Reply:
        return Reply(text=text, kind=kind, confidence=confidence, conversation=encode(state), **extra)
