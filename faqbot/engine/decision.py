"""The decision: answer, clarify or decline, from a fitted model instead of hand thresholds and vetoes.

Entries are ranked by semantic similarity plus a fitted share of the lexical score. The best one is
then judged by a logistic model over its evidence: the semantic similarity of its closest phrasing,
of its three closest and of its answer, the lexical score, its lead over the runner-up, whether both
signals put it first, how much closer a topic the sources do not cover is, and how much of the
message the knowledge base (and the entry itself) does not know. It is answered when the probability of being right
clears the answer threshold, unless a second model, the look-alike check, finds that the message
reads like the entry's phrasing plus an aspect its answer does not give. A clarify is offered only when
the two best are nearly tied, likely together, and would give different answers; anything else is
declined.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .fitted import LogisticModel

SEMANTIC_FEATURES = (
    "semantic", "support", "answer_semantic", "lexical", "combined_lead", "agree",
    "uncovered_semantic_gap", "uncovered_lexical_gap", "unknown_share", "unexplained",
)  # fmt: skip
LEXICAL_FEATURES = ("lexical", "combined_lead", "uncovered_lexical_gap", "unknown_share", "unexplained")
# The look-alike check: an entry likely enough to answer is still declined when the message reads like its
# phrasing plus an aspect its answer does not give (fitted on written look-alikes, see fitting/fit.py). It
# also reads the message's embedding, which carries what kind of thing is asked (a price, a brand, a pet).
LOOKALIKE_FEATURES = ("semantic", "support", "unexplained", "answer_drift", "uncovered_drift")
OWN_PHRASING = 0.97  # semantic similarity at which a message is one of an entry's own phrasings
TIE = 0.03  # combined scores this close are a tie between two entries


@dataclass(frozen=True)
class Evidence:
    """How well one owner (an entry or an uncovered topic) matches the message, by each signal."""

    key: str
    lexical: float = 0.0
    semantic: float = 0.0
    phrasing: str = ""
    unexplained: float = 0.0  # share of the message (by rarity) that none of the owner's own texts uses
    support: float = 0.0  # mean similarity of the owner's three closest phrasings
    answer_semantic: float = 0.0  # similarity to the entry's answer text
    # How the message departs from its closest phrasing (faqbot/engine/drift.py): toward an uncovered topic,
    # and toward the entry's answer (below zero: away from it).
    uncovered_drift: float = 0.0
    answer_drift: float = 0.0


@dataclass(frozen=True)
class Scored:
    """A candidate entry with its combined score and fitted probability of being the right answer."""

    key: str
    combined: float
    probability: float
    evidence: Evidence
    features: Mapping[str, float] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Decision:
    """What to do with a question, and the candidates behind it (best first)."""

    action: str  # "answer", "clarify" or "decline"
    ranked: tuple[Scored, ...]
    topic: str | None = None  # an uncovered topic id the question is closest to
    off_topic: bool = False  # nothing in the knowledge base is near the message
    lookalike: float | None = None  # the best entry was likely enough, but the look-alike check declined it


def rank(
    entries: Mapping[str, Evidence],
    uncovered: Mapping[str, Evidence],
    model: LogisticModel,
    *,
    lexical_weight: float,
    unknown_share: float,
    limit: int = 5,
) -> list[Scored]:
    """Return the best entries by combined score, each with its probability of being right."""
    if not entries:
        return []
    semantic_on = "semantic" in model.features

    def combined(e: Evidence) -> float:
        return e.semantic + lexical_weight * e.lexical if semantic_on else e.lexical

    ordered = sorted(entries.values(), key=lambda e: (-combined(e), e.key))[:limit]
    best_semantic = max(e.semantic for e in entries.values())
    best_lexical = max(e.lexical for e in entries.values())
    uncovered_semantic = max((u.semantic for u in uncovered.values()), default=0.0)
    uncovered_lexical = max((u.lexical for u in uncovered.values()), default=0.0)
    scored = []
    for place, evidence in enumerate(ordered):
        other = ordered[1] if place == 0 and len(ordered) > 1 else ordered[0] if place else None
        values = {
            "semantic": evidence.semantic,
            "support": evidence.support,
            "answer_semantic": evidence.answer_semantic,
            "lexical": evidence.lexical,
            "combined_lead": combined(evidence) - (combined(other) if other else 0.0),
            # Both signals put this entry first.
            "agree": float(evidence.semantic >= best_semantic and evidence.lexical >= best_lexical > 0),
            # Only a topic closer than the entry counts: being far from every uncovered topic says nothing
            # about a question nobody listed ("how often should I water my cactus?").
            "uncovered_semantic_gap": max(0.0, uncovered_semantic - evidence.semantic),
            "uncovered_lexical_gap": max(0.0, uncovered_lexical - evidence.lexical),
            "unknown_share": unknown_share,
            "unexplained": evidence.unexplained,
            "uncovered_drift": evidence.uncovered_drift,
            "answer_drift": evidence.answer_drift,
        }
        probability = model.probabilities(values)[model.classes[-1]]
        scored.append(Scored(evidence.key, combined(evidence), probability, evidence, values))
    return scored


def decide(
    ranked: list[Scored],
    uncovered: Mapping[str, Evidence],
    *,
    answer_threshold: float,
    clarify_threshold: float,
    topic_threshold: float,
    off_topic_threshold: float,
    same_answer: Callable[[str, str], bool],
    lookalike: Callable[[Scored], float] | None = None,
    lookalike_threshold: float = 1.0,
) -> Decision:
    """Turn ranked candidates into an action.

    `same_answer(a, b)` tells whether two entries would give the patient the same information; a
    clarify is offered only when they would not. `lookalike(best)` gives the probability that an answer
    likely enough by the answer model is a look-alike question's wrong answer; from `lookalike_threshold`
    on it is declined.
    """
    best = ranked[0] if ranked else None
    second = ranked[1] if len(ranked) > 1 else None
    alike = None
    if best is not None and best.probability >= answer_threshold:
        alike = lookalike(best) if lookalike else 0.0
        if alike < lookalike_threshold:
            return Decision("answer", tuple(ranked))
    if best is not None and best.evidence.semantic >= OWN_PHRASING and best.features.get("agree", 1.0):
        return Decision("answer", tuple(ranked))  # the patient typed one of the entry's own phrasings
    topic = _closest_topic(best, uncovered, topic_threshold)
    tied = second is not None and best.combined - second.combined < TIE
    if tied and topic is None and best.probability >= clarify_threshold and not same_answer(best.key, second.key):
        return Decision("clarify", tuple(ranked), lookalike=alike)
    nearest = max([*(s.evidence.semantic for s in ranked), *(u.semantic for u in uncovered.values())], default=0.0)
    lexical = max((s.evidence.lexical for s in ranked), default=0.0)
    off_topic = topic is None and nearest < off_topic_threshold and lexical < 0.3
    return Decision("decline", tuple(ranked), topic=topic, off_topic=off_topic, lookalike=alike)


def _closest_topic(best: Scored | None, uncovered: Mapping[str, Evidence], threshold: float) -> str | None:
    """Name an uncovered topic only when the question is clearly about it, and closer to it than to any entry."""
    if not uncovered:
        return None
    topic = max(uncovered.values(), key=lambda u: (u.semantic, u.lexical, u.key))
    entry_semantic = best.evidence.semantic if best else 0.0
    if topic.semantic >= threshold and topic.semantic >= entry_semantic:
        return topic.key
    by_words = max(uncovered.values(), key=lambda u: (u.lexical, u.key))
    entry_lexical = best.evidence.lexical if best else 0.0
    if by_words.lexical >= 0.5 and by_words.lexical > entry_lexical and by_words.semantic >= entry_semantic - 0.05:
        return by_words.key
    return None
