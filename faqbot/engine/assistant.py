"""One way through for every message: analyse once, triage, small talk, retrieve, decide, word the reply.

`Assistant.reply(message, conversation)` is the whole engine; the web API and the command line are
thin shells around it, so both give the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .analysis import Analyzer, Query, asks, is_english
from .clinic import DECLINE_ACTIONS, URGENT_ACTIONS, Clinic, contact_actions, fill
from .decision import LEXICAL_FEATURES, LOOKALIKE_FEATURES, SEMANTIC_FEATURES, Decision, Evidence, Scored, decide, rank
from .drift import Drift
from .fitted import FittedParams, ParamsError
from .knowledge import Entry, KnowledgeBase, TriageGroup, UncoveredTopic
from .matching import Candidate, Matcher
from .reply import Reply, Source
from .semantic import IndexScores, SemanticIndex, VectorSpace
from .smalltalk import SmallTalk
from .state import ConversationState, decode, encode
from .text import normalize, stem
from .triage import PROBLEM_POSSIBLE, Triage, TriageResult

UNCOVERED_PREFIX = "not-covered:"
CLINIC_PREFIX = "clinic-"  # the entry id of a clinic's own answer on a not-covered topic
FAQ_GROUP = TriageGroup("faq-phrasings", "question", "the standard answers' phrasings", ())
_CHOICE = {
    0: re.compile(r"^(the )?(first|1st|1|top|former)( one| option| question)?$|^option (1|one)$"),
    1: re.compile(r"^(the )?(second|2nd|2|other|latter|bottom)( one| option| question)?$|^option (2|two)$"),
}
SEMANTIC_CANDIDATES = 8  # entries (and as many uncovered topics) collected by meaning per message
LEXICAL_CANDIDATES = 50  # owners scored lexically per message (the rapidfuzz pass looks at 40 phrasings)
SOCIAL_WORDS = 8  # longer messages are not small talk by meaning alone
SOCIAL_SIMILARITY = 0.6  # as close to a small-talk phrase as a message must be to be small talk
_FOLLOW_UP_CUE = re.compile(r"^(and|what about|how about|what if|why|so|then|but|also)\b")
_REFERENCE = {"it", "that", "this", "they", "them", "those", "one", "there", "these"}


@dataclass(frozen=True)
class Settings:
    """Behaviour that is configuration rather than fitted (thresholds live in fitting/params.json)."""

    semantic: bool = True  # use sentence embeddings beside the lexical score
    suggest_min: float = 0.2  # weakest candidate probability still offered as a suggestion after a decline
    context_weight: float = 0.5  # pull of the previous question's words on a follow-up
    follow_up_words: int = 8  # longer messages stand on their own


@dataclass(frozen=True)
class Inspection:
    """What the fitted models read about one message."""

    triage: dict[str, float]
    vector: np.ndarray | None
    entries: dict[str, Evidence]
    uncovered: dict[str, Evidence]
    unknown_share: float
    terms: int


class Encoder:
    """What the assistant needs of a sentence encoder (faqbot.engine.embedding.Encoder provides it)."""

    def encode(self, texts: list[str]) -> np.ndarray: ...  # pragma: no cover - a protocol
    def encode_one(self, text: str) -> np.ndarray: ...  # pragma: no cover


class Assistant:
    """Answers one message at a time from the curated knowledge base."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        clinic: Clinic,
        params: FittedParams,
        *,
        encoder: Encoder | None = None,
        vectors=None,
        settings: Settings | None = None,
    ):
        """`vectors(texts) -> array` embeds the knowledge base (a disk cache); defaults to the encoder."""
        self.knowledge = knowledge
        self.clinic = clinic
        self.params = params
        self.settings = settings or Settings()
        self.encoder = encoder  # triage always reads meaning; settings.semantic is about matching only
        self._semantic_matching = self.settings.semantic and encoder is not None
        self.smalltalk = SmallTalk(knowledge.smalltalk, knowledge.smalltalk_fillers)
        entry_texts = [t for e in knowledge.entries for t in (*e.phrasings, e.answer)]
        # The words typos are corrected towards: everything staff wrote, except the typos they wrote on
        # purpose in phrasings and examples ("implnt"), which must be corrected, not learnt.
        curated = [e.question for e in knowledge.entries] + [e.answer for e in knowledge.entries]
        curated += [p.text for d in knowledge.documents for p in d.passages]
        curated_words = {w for text in curated for w in normalize(text).split()}
        typed = [p for e in knowledge.entries for p in e.alternates]
        typed += [p for t in knowledge.uncovered for p in t.phrasings]
        typed += [x for g in knowledge.triage for x in g.examples]
        vocabulary = curated + [w for r in knowledge.urgent_rules for g in r.groups for w in g]
        vocabulary += [w for text in typed for w in normalize(text).split() if w in curated_words or is_english(w)]
        vocabulary += sorted(self.smalltalk.words())  # "mate" is small talk, not a typo of "made"
        ignorable = self.smalltalk.words() - {w for t in entry_texts for w in normalize(t).split()}
        self.analyzer = Analyzer(knowledge.synonyms, vocabulary, ignorable=ignorable)
        self.analyzer.learn_known_terms([*entry_texts, *(p for t in knowledge.uncovered for p in t.phrasings)])
        owned = [(e.id, p) for e in knowledge.entries for p in e.phrasings]
        owned += [(UNCOVERED_PREFIX + t.id, p) for t in knowledge.uncovered for p in t.phrasings]
        self.matcher = Matcher((key, p, self.analyzer.terms(p), key.startswith(UNCOVERED_PREFIX)) for key, p in owned)
        self._ids = frozenset(e.id for e in knowledge.entries)
        # Each entry's own words: its phrasings, its answer and the passages it cites.
        self._entry_terms = {
            e.id: frozenset(
                self.analyzer.terms(" ".join([*e.phrasings, e.answer, *(p.text for p in knowledge.cited_passages(e))]))
            )
            for e in knowledge.entries
        }
        self._answered_terms = frozenset().union(*self._entry_terms.values())
        self._contrasts = [frozenset(t for w in group for t in self.analyzer.terms(w)) for group in knowledge.contrasts]
        self._entry_index = self._triage_index = self._answer_index = self._social_index = None
        self._drift = None
        if self.encoder is not None:
            embed = vectors or self.encoder.encode
            # Every way of asking an entry is also an example of a general question for triage.
            examples = [(g.id, x) for g in knowledge.triage for x in g.examples]
            examples += [(FAQ_GROUP.id, p) for e in knowledge.entries for p in e.phrasings]
            answers = [(e.id, e.answer) for e in knowledge.entries]
            social = self.smalltalk.phrases()
            texts = [self.analyzer.analyse(p).corrected for _, p in owned + examples + answers + social]
            # Each distinct text once (an entry's phrasings are triage examples too): one space, one product.
            distinct: dict[str, int] = {}
            rows = [distinct.setdefault(text, len(distinct)) for text in texts]
            space = VectorSpace(np.asarray(embed(list(distinct)), dtype=np.float32))
            bounds = np.cumsum([len(owned), len(examples), len(answers)])
            parts = np.split(np.array(rows, dtype=np.intp), bounds)

            def index(pairs: list[tuple[str, str]], part: np.ndarray) -> SemanticIndex:
                return SemanticIndex.over(space, [o for o, _ in pairs], [t for _, t in pairs], part)

            self._entry_index = index(owned, parts[0])
            self._triage_index = index(examples, parts[1])
            self._answer_index = index(answers, parts[2])
            self._social_index = index(social, parts[3])
            uncovered_owners = {UNCOVERED_PREFIX + t.id for t in knowledge.uncovered}
            self._drift = Drift(self._entry_index, self._answer_index, uncovered_owners)
        self.triage = Triage(
            (*knowledge.triage, FAQ_GROUP),
            knowledge.urgent_rules,
            self._triage_index,
            params.triage,
            urgent_threshold=params.threshold("urgent"),
            personal_threshold=params.threshold("personal"),
            note_threshold=params.threshold("personal_note"),
            embed=lambda text: self._embed(self.analyzer.analyse(text).corrected),
        )
        self._answer_model = params.answer if self._semantic_matching else params.answer_lexical
        expected = SEMANTIC_FEATURES if self._semantic_matching else LEXICAL_FEATURES
        if tuple(self._answer_model.features) != expected:
            raise ParamsError(f"the answer model reads {self._answer_model.features}, the engine computes {expected}")
        self.answer_threshold = params.threshold("answer" if self._semantic_matching else "answer_lexical")
        # The look-alike check reads the semantic signal's drift, so it runs only with semantic matching.
        self._lookalike = params.lookalike if self._semantic_matching else None
        if self._lookalike is not None and tuple(self._lookalike.features) != LOOKALIKE_FEATURES:
            raise ParamsError(
                f"the look-alike model reads {self._lookalike.features}, the engine computes {LOOKALIKE_FEATURES}"
            )
        self._lookalike_threshold = params.threshold("lookalike") if self._lookalike is not None else 1.0

    # -- public -------------------------------------------------------------------------

    def reply(self, message: str, conversation: str | None = None) -> Reply:
        """Return the reply to one message, given the token of the conversation so far."""
        state = decode(conversation, self._ids)
        query = self.analyzer.analyse(message)
        vector = self._embed(query.corrected)
        triage = self._triage(message, query, vector)
        if triage.label == "urgent":
            text = fill(self.knowledge.urgent_reply, self.clinic)
            actions = contact_actions(self.clinic, URGENT_ACTIONS, urgent=True)
            return self._reply(
                text, "urgent", triage.urgent, ConversationState(), actions=actions, reason=triage.reason
            )
        intent = self.smalltalk.match(message) or self.smalltalk.match(query.corrected) or self._social(query, vector)
        if triage.label == "personal" and not intent:  # "thanks, bye" is never a problem to report
            return self._personal(triage, state)
        if intent:
            return self._reply(
                fill(intent.reply, self.clinic),
                "smalltalk",
                1.0,
                ConversationState(entry_id=state.entry_id),
                actions=contact_actions(self.clinic, intent.actions),
                reason=f"small talk: {intent.id}",
            )
        chosen = self._chosen_option(message, state)
        if chosen:
            return self._answer(chosen, 1.0, (), f"chose option '{chosen.id}' of the clarify reply")
        reply = self._question_sentence(query, state) or self._match(query, vector, state)
        if reply.kind != "answer":
            reply = self._covered_part(query, state) or reply
        elif len(query.clauses()) > 1 and reply.statement is None:
            reply = self._naming_uncovered_questions(reply, self._parts(query, state))
        if triage.problem_possible and reply.kind == "answer":
            return self._with_problem_note(reply)
        return reply

    def _social(self, query: Query, vector: np.ndarray | None):
        """A short message that means small talk ("catch you later", "which company made you?") by meaning."""
        if self._social_index is None or vector is None or len(query.words) > SOCIAL_WORDS:
            return None
        best = max(self._social_index.similar(vector).values(), key=lambda s: s.score)
        faq = max((s.score for s in self._entry_index.similar(vector).values()), default=0.0)
        if best.score >= SOCIAL_SIMILARITY and best.score > faq:
            return self.smalltalk.intent(best.owner)
        return None

    def _triage(self, message: str, query: Query, vector: np.ndarray | None) -> TriageResult:
        """Triage the whole message and each of its sentences (a symptom must not be diluted by the rest)."""
        whole = self.triage.assess(message, query.corrected, vector)
        sentences = query.sentences()
        parts = []
        if len(sentences) > 1:
            for sentence in sentences:
                part = self.analyzer.analyse(sentence)
                parts.append(self.triage.assess(sentence, part.corrected, self._embed(part.corrected)))
        severity = {"urgent": 2, "personal": 1, "question": 0}
        # A sentence alone raises the message when a staff rule or example decides it, or when the whole
        # message already reads as the patient's own problem. Otherwise the whole decides: taken alone, a
        # sentence of background ("I had an implant placed in my upper jaw.") reads like the start of a
        # symptom report.
        counted = [p for p in parts if p.decisive or whole.label != "question"]
        worst = max([whole, *counted], key=lambda r: severity[r.label])
        if worst.label == "question" and any(r.problem_possible or r.label != "question" for r in [whole, *parts]):
            return replace(worst, problem_possible=True)
        return worst

    def search(self, text: str, *, limit: int = 10) -> list[Candidate]:
        """Rank entries for a search box with both signals patients get (no decline rules)."""
        query = self.analyzer.analyse(text)
        entries, _ = self._evidence(query.terms, self._embed(query.corrected), every_owner=True)
        ranked = sorted(entries.values(), key=lambda e: (-(e.lexical + e.semantic) / 2, e.key))
        return [Candidate(e.key, round((e.lexical + e.semantic) / 2, 4), e.phrasing) for e in ranked[:limit]]

    def inspect(self, message: str) -> Inspection:
        """Return everything the decisions read about a message, before any fitted model (for fitting/fit.py)."""
        query = self.analyzer.analyse(message)
        vector = self._embed(query.corrected)
        entries, uncovered = self._evidence(query.terms, vector)
        return Inspection(
            self.triage.features(message, query.corrected, vector),
            vector,
            entries,
            uncovered,
            self._unknown_share(query),
            len(query.terms),
        )

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
            other = owners.setdefault(frozenset(self.analyzer.terms(phrasing)), (owner, phrasing))
            if other[0] != owner:
                clashes.append((owner, phrasing, *other))
        return clashes

    # -- retrieval and decision ---------------------------------------------------------

    def _embed(self, text: str) -> np.ndarray | None:
        return self.encoder.encode_one(text) if self.encoder is not None and text else None

    def _evidence(
        self,
        terms: tuple[str, ...] | list[str],
        vector: np.ndarray | None,
        weights: dict[str, float] | None = None,
        *,
        every_owner: bool = False,
    ) -> tuple[dict[str, Evidence], dict[str, Evidence]]:
        """Collect the lexical and semantic evidence of the owners a decision can turn on: entries, then
        uncovered topics. Those are the ones found by words and the SEMANTIC_CANDIDATES closest entries
        and topics by meaning (the ranking keeps five, and reads only the closest topic), each with both
        signals; `every_owner` collects all of them (a staff search lists more)."""
        lexical = {c.key: c for c in self.matcher.find_matches(terms, limit=LEXICAL_CANDIDATES, weights=weights)}
        use = self._semantic_matching and self._entry_index is not None and vector is not None
        scores = self._entry_index.scores(vector) if use else None
        semantic = scores.similar(None if every_owner else {*lexical, *self._closest_owners(scores)}) if scores else {}
        support = scores.support() if scores else {}
        answers = self._answer_index.scores(vector).best_scores() if use else {}
        # Drift is measured from each entry's closest phrasing, for all of them in one product.
        drifting = [k for k in semantic if k in self._ids]
        rows = [semantic[k].row for k in drifting]
        uncovered_drift = (
            dict(zip(drifting, self._drift.uncovered(self._drift.topics(scores), rows))) if drifting else {}
        )
        idf = {t: self.matcher.idf(t) * (weights or {}).get(t, 1.0) for t in terms}
        total = sum(idf.values()) or 1.0
        evidence = {}
        for key in {*lexical, *semantic}:
            lex, sem = lexical.get(key), semantic.get(key)
            phrasing = (
                (sem.text if sem and (not lex or sem.score >= lex.score) else lex.phrasing) if (lex or sem) else ""
            )
            own = self._entry_terms.get(key, frozenset())
            unexplained = sum(w for t, w in idf.items() if t not in own) / total if own else 0.0
            drifts = (
                (uncovered_drift[key], self._drift.answer(answers.get(key, 0.0), sem.row))
                if key in uncovered_drift
                else (0.0, 0.0)
            )
            evidence[key] = Evidence(
                key,
                lex.score if lex else 0.0,
                sem.score if sem else 0.0,
                phrasing,
                unexplained,
                support.get(key, 0.0),
                answers.get(key, 0.0),
                *drifts,
            )
        entries = {k: e for k, e in evidence.items() if not k.startswith(UNCOVERED_PREFIX)}
        uncovered = {k: e for k, e in evidence.items() if k.startswith(UNCOVERED_PREFIX)}
        return entries, uncovered

    def _closest_owners(self, scores: IndexScores) -> list[str]:
        """The SEMANTIC_CANDIDATES entries closest to the message by meaning, and as many uncovered topics."""
        best = scores.best_scores()
        entries = sorted((k for k in best if k in self._ids), key=best.__getitem__, reverse=True)
        topics = sorted((k for k in best if k not in self._ids), key=best.__getitem__, reverse=True)
        return entries[:SEMANTIC_CANDIDATES] + topics[:SEMANTIC_CANDIDATES]

    def _unknown_share(self, query: Query) -> float:
        """How much of the message, weighted by rarity, the knowledge base never uses."""
        weights = {t: self.matcher.idf(t) for t in query.terms}
        total = sum(weights.values())
        return sum(weights[t] for t in query.unknown) / total if total else 0.0

    def _score(self, query: Query, entries: dict[str, Evidence], uncovered: dict[str, Evidence]) -> list[Scored]:
        return rank(
            entries,
            uncovered,
            self._answer_model,
            lexical_weight=self.params.lexical_weight,
            unknown_share=self._unknown_share(query),
        )

    def _decide(self, query: Query, vector: np.ndarray | None, terms=None, weights=None) -> tuple[Decision, dict]:
        entries, uncovered = self._evidence(terms if terms is not None else query.terms, vector, weights)
        ranked = self._score(query, entries, uncovered)
        p = self.params
        decision = decide(
            ranked,
            uncovered,
            answer_threshold=self.answer_threshold,
            clarify_threshold=p.threshold("clarify"),
            topic_threshold=p.threshold("topic"),
            off_topic_threshold=p.threshold("off_topic") if vector is not None else -1.0,
            same_answer=self._same_answer,
            lookalike=self._lookalike_probability(vector) if self._lookalike is not None else None,
            lookalike_threshold=self._lookalike_threshold,
        )
        return decision, uncovered

    def _lookalike_probability(self, vector: np.ndarray | None) -> Callable[[Scored], float]:
        def probability(best: Scored) -> float:
            return self._lookalike.probabilities(best.features, vector)["lookalike"]

        return probability

    def _match(self, query: Query, vector: np.ndarray | None, state: ConversationState) -> Reply:
        decision, uncovered = self._decide(query, vector)
        reason = "best match"
        previous = self.knowledge.entry(state.entry_id) if state.entry_id else None
        # A message about a topic the sources do not cover, with no entry near it ("what does it cost?"), is
        # declined in any context: the previous answer would fill in "it" and be given again. With an entry
        # near ("what about the bottom jaw?"), the previous question may well say which one.
        best = decision.ranked[0].probability if decision.ranked else 0.0
        uncovered_only = bool(decision.topic) and best < self.settings.suggest_min
        if previous and not uncovered_only and self._is_follow_up(query, decision):
            # "how do you know if I need one?": the previous question fills in what "one" means.
            own = [t for t in query.terms if t not in _REFERENCE]
            replaced = self._replaced_by(own)
            context = [t for t in self.analyzer.terms(previous.question) if t not in own and t not in replaced]
            kept = [w for w in normalize(previous.question).split() if stem(w) not in replaced]
            context_vector = self._embed(" ".join(kept) + " " + query.corrected)
            weights = {t: self.settings.context_weight for t in context}
            combined, combined_uncovered = self._decide(query, context_vector, [*own, *context], weights)
            alone = decision.ranked[0].probability if decision.ranked else 0.0
            # An answer to the message alone stands, unless a word in it points back ("how long does *it*
            # take?" after osseointegration is not the surgery's length): then the likelier reading wins.
            refers = bool(_REFERENCE.intersection(query.words))
            if combined.ranked and combined.ranked[0].probability > alone and (decision.action != "answer" or refers):
                decision, uncovered, reason = combined, combined_uncovered, f"follow-up to '{previous.id}'"
        return self._reply_for(decision, uncovered, state, reason)

    def _question_sentence(self, query: Query, state: ConversationState) -> Reply | None:
        """Answer the question sentence of a longer message ("I lost a tooth last year. How long does it take?").

        The patient's question is what they ask, not the story before it. Only when the story is made
        of words the entries use: another word may change the question ("I'm pregnant. Can I get an
        implant?"), so that message goes the usual way.
        """
        sentences = query.sentences()
        questions = [s for s in sentences if s.rstrip().endswith("?")]
        if len(sentences) < 2 or not questions or len(questions) == len(sentences):
            return None
        story = self.analyzer.analyse(" ".join(s for s in sentences if s not in questions))
        if any(t not in self._answered_terms for t in story.terms):
            return None
        asked = self.analyzer.analyse(" ".join(questions))
        decision, uncovered = self._decide(asked, self._embed(asked.corrected))
        if decision.action != "answer":
            return None
        return self._reply_for(decision, uncovered, state, "best match (of the question sentence)")

    def _covered_part(self, query: Query, state: ConversationState) -> Reply | None:
        """Answer the covered part of a message that asks two things ("What is an abutment, and when is it used?").

        As a whole such a message matches no entry well enough. Its parts are matched in turn (`_parts`).
        The first question answered is given, and another entry a part found is offered first among the
        suggestions. Nothing is answered when a part tells of a topic the sources do not cover ("I smoke
        a lot. When can I have my implant?") or, finding nothing, has words no entry uses ("I'm pregnant,
        and can I still have one?"): that part may change what is asked.
        """
        if len(query.clauses()) < 2:
            return None
        parts = self._parts(query, state)
        for clause, analysed, reply in parts:
            if reply.kind == "answer" or (reply.topic and asks(clause)):
                continue
            if reply.topic or any(t not in self._answered_terms for t in analysed.terms):
                return None
        answered = [(clause, reply) for clause, _, reply in parts if reply.kind == "answer"]
        if not answered:
            return None
        clause, chosen = next(((c, r) for c, r in answered if asks(c)), answered[0])
        others = [r.entry.question for _, r in answered if r.entry.id != chosen.entry.id]
        suggestions = tuple(dict.fromkeys([*others, *chosen.suggestions]))[:3]
        chosen = replace(chosen, suggestions=suggestions, reason=f"{chosen.reason}, for the part '{clause}'")
        return self._naming_uncovered_questions(chosen, parts)

    def _parts(self, query: Query, state: ConversationState) -> list[tuple[str, Query, Reply]]:
        """Each clause of the message matched in turn, a later one in the context of an earlier answer, as a
        follow-up would be."""
        parts, context = [], state
        for clause in query.clauses():
            analysed = self.analyzer.analyse(clause)
            reply = self._match(analysed, self._embed(analysed.corrected), context)
            parts.append((clause, analysed, reply))
            if reply.kind == "answer":
                context = decode(reply.conversation, self._ids)
        return parts

    def _naming_uncovered_questions(self, answer: Reply, parts: list[tuple[str, Query, Reply]]) -> Reply:
        """The answer, ending by naming each question of the message about a topic the sources do not cover
        ("... and what does it cost?"), so the patient knows that part was not answered rather than missed."""
        topics = [r.topic for clause, _, r in parts if r.kind != "answer" and r.topic and asks(clause)]
        if not topics:
            return answer
        names = [t.name for t in self.knowledge.uncovered if t.id in topics]
        ending = self.knowledge.replies.answer_part_not_covered.replace("{about}", " and ".join(names))
        text = f"{answer.text}\n\n{fill(ending, self.clinic)}"
        return replace(answer, text=text, reason=f"{answer.reason}; not covered: {', '.join(dict.fromkeys(topics))}")

    def _reply_for(self, decision: Decision, uncovered: dict, state: ConversationState, reason: str) -> Reply:
        candidates = self._candidates(decision, uncovered)
        best = decision.ranked[0] if decision.ranked else None
        if decision.action == "answer":
            why = f"{reason}: probability {best.probability:.2f} >= {self.answer_threshold:.2f}"
            return self._answer(self.knowledge.entry(best.key), best.probability, candidates, why)
        if decision.action == "clarify":
            return self._clarify(list(decision.ranked[:2]), candidates)
        topic = next((t for t in self.knowledge.uncovered if UNCOVERED_PREFIX + t.id == decision.topic), None)
        if topic and topic.clinic_answer and topic.signoff:
            why = f"closest to a topic the clinic answers itself: {topic.id}"
            return self._statement(topic, best.probability if best else 0.0, candidates, why)
        if topic:
            why = f"closest to a topic the sources do not cover: {topic.id}"
        elif decision.off_topic:
            why = "not about dental implants: nothing in the knowledge base is close"
        elif decision.lookalike is not None and best is not None:
            why = (
                f"reads like '{best.evidence.phrasing}' but asks what its answer does not give"
                f" (look-alike {decision.lookalike:.2f} >= {self._lookalike_threshold:.2f})"
            )
        else:
            why = (
                f"no entry is likely enough (best {best.probability if best else 0:.2f} < {self.answer_threshold:.2f})"
            )
        return self._fallback(state, decision, candidates, why, topic)

    def _candidates(self, decision: Decision, uncovered: dict[str, Evidence]) -> tuple[Candidate, ...]:
        """The staff console's view: entries by probability, then the closest uncovered topics."""
        entries = [Candidate(s.key, round(s.probability, 4), s.evidence.phrasing) for s in decision.ranked]
        topics = sorted(uncovered.values(), key=lambda u: -max(u.lexical, u.semantic))[:2]
        topics_c = [Candidate(u.key, round(max(u.lexical, u.semantic), 4), u.phrasing, True) for u in topics]
        return tuple(entries[:5] + topics_c)

    def _same_answer(self, first: str, second: str) -> bool:
        """Two entries give the same information when they cite the same passages."""
        a, b = self.knowledge.entry(first), self.knowledge.entry(second)
        return set(a.passage_ids) == set(b.passage_ids)

    def _replaced_by(self, terms: list[str]) -> set[str]:
        """Return the earlier-question terms a follow-up's own words contrast with ("second" drops "first")."""
        replaced = set()
        for group in self._contrasts:
            if group.intersection(terms):
                replaced |= group - set(terms)
        return replaced

    def _is_follow_up(self, query: Query, decision: Decision) -> bool:
        words = query.words
        if not words or len(words) > self.settings.follow_up_words:
            return False
        weak = decision.action != "answer"
        return weak or bool(_FOLLOW_UP_CUE.match(" ".join(words))) or bool(_REFERENCE.intersection(words))

    def _chosen_option(self, message: str, state: ConversationState) -> Entry | None:
        text = normalize(message)
        for index, pattern in _CHOICE.items():
            if index < len(state.options) and pattern.match(text):
                return self.knowledge.entry(state.options[index])
        return None

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

    def answer_for(self, entry_id: str) -> Reply:
        """The reply patients get when an entry is chosen (the staff preview); KeyError for an unknown id."""
        entry = self.knowledge.entry(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        return self._answer(entry, 1.0, (), "chosen")

    def statement_for(self, topic_id: str) -> Reply:
        """The reply with a topic's signed-off clinic answer (the staff preview); KeyError if it has none."""
        topic = next((t for t in self.knowledge.uncovered if t.id == topic_id and t.clinic_answer), None)
        if topic is None:
            raise KeyError(topic_id)
        return self._statement(topic, 1.0, (), "chosen")

    def _statement(self, topic: UncoveredTopic, score: float, candidates, reason: str) -> Reply:
        """The clinic's own answer on a topic the sources do not cover, marked as such and never as a source."""
        entry = Entry(CLINIC_PREFIX + topic.id, topic.name[:1].upper() + topic.name[1:], (), topic.clinic_answer, ())
        return self._reply(
            fill(topic.clinic_answer, self.clinic),
            "answer",
            score,
            ConversationState(),
            entry=entry,
            statement=topic.signoff,
            actions=contact_actions(self.clinic, DECLINE_ACTIONS),
            reason=reason,
            candidates=candidates,
        )

    def _clarify(self, options: list[Scored], candidates) -> Reply:
        entries = [self.knowledge.entry(c.key) for c in options]
        state = ConversationState(options=tuple(e.id for e in entries))
        return self._reply(
            fill(self.knowledge.replies.clarify, self.clinic),
            "clarify",
            options[0].probability,
            state,
            suggestions=tuple(e.question for e in entries),
            reason="two entries are likely together but neither alone, and their answers differ",
            candidates=candidates,
        )

    def _with_problem_note(self, reply: Reply) -> Reply:
        """The answer, ending with where to get help: the message may be about a problem the patient has now
        ("my stitches itch a lot" asks nothing, and the stitches answer alone would leave them there)."""
        text = f"{reply.text}\n\n{fill(self.knowledge.replies.answer_problem_now, self.clinic)}"
        return replace(reply, text=text, reason=f"{reply.reason}; {PROBLEM_POSSIBLE}")

    def _personal(self, triage: TriageResult, state: ConversationState) -> Reply:
        next_state = ConversationState(entry_id=state.entry_id, fallbacks=state.fallbacks + 1)
        text = fill(self.knowledge.replies.personal, self.clinic)
        actions = contact_actions(self.clinic, DECLINE_ACTIONS)
        return self._reply(text, "fallback", triage.personal, next_state, actions=actions, reason=triage.reason)

    def _fallback(
        self, state: ConversationState, decision: Decision, candidates, reason: str, topic: UncoveredTopic | None = None
    ) -> Reply:
        replies = self.knowledge.replies
        if state.fallbacks >= 1:
            text = replies.fallback_again
        elif decision.off_topic:
            text = replies.off_topic
        else:
            text = replies.fallback.replace("{about}", f" about {topic.name}" if topic else "")
        text = fill(f"{text} {replies.problem_now}", self.clinic)
        close = [s for s in decision.ranked if s.probability >= self.settings.suggest_min][:3]
        suggestions = tuple(self.knowledge.entry(s.key).question for s in close)
        if not suggestions and not decision.off_topic:
            suggestions = tuple(self.starter_questions(3))
        best = decision.ranked[0].probability if decision.ranked else 0.0
        next_state = ConversationState(entry_id=state.entry_id, fallbacks=state.fallbacks + 1)
        return self._reply(
            text,
            "fallback",
            best,
            next_state,
            suggestions=suggestions,
            actions=contact_actions(self.clinic, DECLINE_ACTIONS),
            reason=reason,
            candidates=candidates,
            topic=topic.id if topic else "",
        )

    def _reply(self, text: str, kind: str, confidence: float, state: ConversationState, **extra) -> Reply:
        return Reply(text=text, kind=kind, confidence=confidence, conversation=encode(state), **extra)
