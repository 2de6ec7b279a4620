"""Triage, before any FAQ matching: urgent, a personal problem for the clinic, or a question.

Three kinds of evidence, combined by a fitted logistic model (`fitting/params.json`):
- meaning: how close the message is to the staff-reviewed example messages of each kind in
  `knowledge/triage.toml` (sentence embeddings), so "like the injection never wore off" is close to
  "my lip is still numb" without sharing a word;
- the staff's urgent rules in `knowledge/urgent.toml` (keyword groups, where a rule is clearer);
- who and when: the patient's own mouth now ("my", "since yesterday", "still") against a general
  question ("how common", "is it normal after surgery", "can implants") or medical history long ago
  ("a heart attack two years ago").
Recall comes first: the urgent threshold is chosen so that urgent messages are not missed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .fitted import LogisticModel
from .knowledge import TRIAGE_LABELS, TriageGroup, UrgentRule
from .semantic import IndexScores, SemanticIndex
from .text import normalize

# The patient's own mouth, also in texting style that drops the "I": "woke up with ...", "got hives ...".
_OWN = re.compile(
    r"\b(i|im|ive|me|my|mine|myself)\b|"
    r"^(woke|waking|got|been|had|have|having|feel|feeling|felt|cant|cannot|just|still|keep|keeps|kept|started|"
    r"noticed|think|bleeding|swollen|swelling|throbbing|hurting|hurts|aching)\b"
)
_NOW = re.compile(
    r"\b(now|right now|today|tonight|yesterday|last night|this morning|since|still|keeps?|kept|again|"
    r"(\d+|a|few|couple of|two|three|four|five) (days?|hours?|hrs|weeks?)( ago| later| after| since)?|"
    r"post ?op|getting worse|worse|worst|cant|cannot|will not|wont|just)\b"
)
_STATE = re.compile(
    r"\b(i have|i have got|i got|i am|i feel|i felt|i think i|i can not|i cannot|i just|"
    r"my (\w+ ){0,3}(is|are|has|have|keeps|kept|feels|felt|looks|will not|wont|started|went|got|came|fell))\b"
)
_GENERAL = re.compile(
    r"\b(is (\w+ ){0,4}(normal|common|usual|expected|possible)|normal to|(is|are) there|"
    r"is it (normal|common|usual|possible|ok)|how (common|often|likely|long|much|do|does|is|are)|"
    r"can (an? |the )?(implants?|surgery|it|you|people|someone|anyone)|do (implants|people|patients|you)|"
    r"does (an? |the )?(implant|surgery|treatment)|what (if|happens if|causes|should i expect|are the)|"
    r"if (i|you|my|an?|the|someone)|usually|generally|typically|normally|anyone|people|patients|"
    r"someone|will i|would i|could i|might|risk|risks|chance|expect)\b"
)
# Medical history, long ago: "I had a heart attack two years ago, can I get implants?" asks about
# suitability; it does not report an emergency now ("two days ago" is recent, so it is not here).
_LONG_AGO = re.compile(
    r"\b(((\d+|a|an|one|two|three|four|five|six|several|many|some|few|couple of) )?(years?|months?) ago|"
    r"last (year|month|summer|winter|spring|autumn)|in the past|history of|used to|when i was|as a child)\b"
)
_SOMEONE_ELSE = re.compile(
    r"\bmy (dad|father|mum|mom|mother|wife|husband|partner|son|daughter|friend|grandma|grandmother|"
    r"grandad|grandfather|brother|sister|child|kid|boyfriend|girlfriend|patient)\b"
)
# Where a sentence divides into clauses: "roof leaking in the bedroom, i tripped and hit my face".
_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:and|but|so|then|because)\b", re.IGNORECASE)
SAME_AS_EXAMPLE = 0.97  # similarity at which a message is one of the examples (or an entry's phrasings) itself
FEATURES = (
    "urgent_max", "urgent_top3", "personal_max", "personal_top3", "question_max", "question_top3",
    "rule", "own", "state", "now", "general", "someone_else", "question_mark", "long_ago",
)  # fmt: skip

PERSONAL_REASON = "triage: a personal problem"  # how a personal-problem reply explains itself to staff
PROBLEM_POSSIBLE = "may be a problem now: the answer ends with where help is"  # how a noted answer explains itself
_REASONS = {"urgent": "triage: urgent", "personal": PERSONAL_REASON, "question": "triage: a question"}


@dataclass(frozen=True)
class TriageResult:
    """The triage decision, with its probabilities and the evidence behind it (for staff)."""

    label: str  # "urgent", "personal" or "question"
    urgent: float
    personal: float
    reason: str
    # A question that may also be a problem the patient has now (below the personal threshold, above the
    # note threshold): its answer ends by saying where help is.
    problem_possible: bool = False
    # Decided by a staff rule or by being word for word a staff example, not by the fitted model.
    decisive: bool = False


def _pattern(phrase: str) -> str:
    """Turn "bleed*" or "won't stop" into a whole-word regular expression."""
    prefix = phrase.strip().endswith("*")
    words = normalize(phrase.rstrip("*")).split()
    body = r"\s+".join(re.escape(w) for w in words)
    return r"\b" + body + (r"\w*" if prefix else r"\b")


class UrgentRules:
    """The staff's keyword rules: a rule matches when a phrase from each of its groups appears."""

    def __init__(self, rules: Iterable[UrgentRule]):
        self._rules = [
            (
                rule.name,
                [re.compile("|".join(_pattern(p) for p in group)) for group in rule.groups],
                frozenset(w for phrase in rule.alone_with for w in normalize(phrase).split()),
            )
            for rule in rules
        ]

    def match(self, *texts: str) -> str | None:
        """Return the name of the first rule any of the texts meets, or None."""
        for text in texts:
            normal = normalize(text)
            for name, groups, alone_with in self._rules:
                if all(group.search(normal) for group in groups) and (
                    not alone_with or self._only(normal, groups, alone_with)
                ):
                    return name
        return None

    @staticmethod
    def _only(normal: str, groups: list[re.Pattern], alone_with: frozenset[str]) -> bool:
        """Whether the message holds nothing but the rule's phrases and its `alone_with` words."""
        for group in groups:
            normal = group.sub(" ", normal)
        return set(normal.split()) <= alone_with


class Triage:
    """Decides urgent / personal / question for one message."""

    def __init__(
        self,
        groups: Iterable[TriageGroup],
        rules: Iterable[UrgentRule],
        index: SemanticIndex | None,
        model: LogisticModel,
        *,
        urgent_threshold: float,
        personal_threshold: float,
        note_threshold: float | None = None,
        embed: Callable[[str], np.ndarray | None] | None = None,
    ):
        """`embed` turns a piece of a message into its vector (as the message's own was made); without
        it, an everyday trouble is judged on the whole message only. A question at or above
        `note_threshold` (none: the personal threshold) is marked `problem_possible`."""
        self._embed = embed
        self._groups = {g.id: g for g in groups}
        self._by_label = {
            label: frozenset(g.id for g in self._groups.values() if g.label == label) for label in TRIAGE_LABELS
        }
        self._not_about_health = frozenset(g.id for g in self._groups.values() if g.not_about_health)
        self.rules = UrgentRules(rules)
        self._index = index
        self._model = model
        self._urgent_threshold = urgent_threshold
        self._personal_threshold = personal_threshold
        self._note_threshold = personal_threshold if note_threshold is None else note_threshold

    def features(self, text: str, corrected: str, vector: np.ndarray | None) -> dict[str, float]:
        """Return the named feature values the fitted model reads."""
        return self._features(text, corrected, self._scores(vector))

    def _features(self, text: str, corrected: str, scores: IndexScores | None) -> dict[str, float]:
        values: dict[str, float] = {}
        for label, owners in self._by_label.items():
            values[f"{label}_max"] = scores.top_mean(owners, k=1) if scores else 0.0
            values[f"{label}_top3"] = scores.top_mean(owners, k=3) if scores else 0.0
        values["rule"] = float(self.rules.match(text, corrected) is not None)
        values["own"] = float(bool(_OWN.search(corrected)))
        values["state"] = float(bool(_STATE.search(corrected)))
        values["now"] = float(bool(_NOW.search(corrected)))
        values["general"] = float(bool(_GENERAL.search(corrected)))
        values["someone_else"] = float(bool(_SOMEONE_ELSE.search(corrected)))
        values["question_mark"] = float("?" in text)
        values["long_ago"] = float(bool(_LONG_AGO.search(corrected)))
        return values

    def assess(self, text: str, corrected: str, vector: np.ndarray | None) -> TriageResult:
        """Return the triage decision for one message."""
        scores = self._scores(vector)
        values = self._features(text, corrected, scores)
        p = self._model.probabilities(values, vector)
        urgent, personal = p.get("urgent", 0.0), p.get("personal", 0.0)
        closest = self._closest(scores)
        evidence = f"urgent {urgent:.2f}, personal {personal:.2f}" + (
            f"; closest example: {closest}" if closest else ""
        )
        # The staff's rules name phrases that always mean an emergency now: a match is decisive, unless
        # the message is about medical history long ago (then the fitted model weighs it like any other).
        rule = self.rules.match(text, corrected) if values["rule"] and not values["long_ago"] else None
        if rule:
            evidence += f"; urgent rule: {rule}"
            return TriageResult("urgent", urgent, personal, f"triage: urgent by rule ({evidence})", decisive=True)
        # Word for word one of the staff's examples or standard questions: its kind decides, whatever the
        # model makes of its words (the model reads "urgent pls", an urgent example, as a question: short
        # messages without a symptom are rare in what it learnt from). On a tie, the more serious kind.
        same = [label for label in TRIAGE_LABELS if values[f"{label}_max"] >= SAME_AS_EXAMPLE]
        if same:
            label = max(same, key=lambda kind: values[f"{kind}_max"])  # max keeps the first of equals
            reason = f"{_REASONS[label]}, word for word an example ({evidence})"
            return TriageResult(label, urgent, personal, reason, decisive=True)
        is_urgent = urgent >= self._urgent_threshold
        # Below the urgent threshold, what the model withheld from "urgent" still counts towards a personal
        # problem; not when the message is an everyday trouble (a late parcel is no problem for the clinic).
        withheld = urgent
        if is_urgent and self._everyday_trouble(scores) and not self._symptom_clause(text):
            is_urgent, withheld = False, 0.0
            evidence += "; not urgent: closer to an everyday trouble outside health care than to any symptom"
        if is_urgent:
            label = "urgent"
        elif withheld + personal >= self._personal_threshold:
            label = "personal"
        else:
            label = "question"
        possible = label == "question" and withheld + personal >= self._note_threshold
        if possible:
            evidence += f"; {PROBLEM_POSSIBLE}"
        return TriageResult(label, urgent, personal, f"{_REASONS[label]} ({evidence})", possible)

    def _everyday_trouble(self, scores: IndexScores | None) -> bool:
        """Whether the message is closer to an everyday trouble outside health care ("my boiler stopped
        working") than to any urgent or personal example. The fitted model reads any first-person trouble
        as a report and the urgent threshold is low for recall's sake, so "i locked myself out of my flat"
        came out urgent; the closest example says what it is about."""
        if scores is None or not self._not_about_health:
            return False
        health = self._by_label["urgent"] | self._by_label["personal"]
        return scores.top_mean(self._not_about_health, k=1) > scores.top_mean(health, k=1)

    def _symptom_clause(self, text: str) -> bool:
        """Whether a clause of the message is closer to a symptom than to an everyday trouble: "roof
        leaking in the bedroom, i tripped on the bucket and hit my face, implant feels loose now" is
        closest to the leaking roof as a whole, and its last clause is an emergency all the same."""
        if self._embed is None:
            return False
        clauses = [c for c in (c.strip() for c in _CLAUSE_BREAK.split(text)) if len(c.split()) >= 2]
        if len(clauses) < 2:
            return False
        return any(not self._everyday_trouble(self._scores(self._embed(clause))) for clause in clauses)

    def _scores(self, vector: np.ndarray | None) -> IndexScores | None:
        return self._index.scores(vector) if self._index is not None and vector is not None else None

    def _closest(self, scores: IndexScores | None) -> str:
        best = scores.best() if scores else None
        if best is None:
            return ""
        group = self._groups[best.owner]
        return f"'{best.text}' ({group.label}: {group.name}, {best.score:.2f})"
