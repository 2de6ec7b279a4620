"""The curated knowledge base as immutable data: sources, entries, small talk and safety rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Passage:
    """One to three sentences of a source article, quoted exactly and citable by id."""

    id: str
    document_id: str
    text: str
    section: str = ""


@dataclass(frozen=True)
class Document:
    """A source article split into passages."""

    id: str
    title: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class SignOff:
    """A clinical reviewer's sign-off: who, and on which day (ISO date, YYYY-MM-DD)."""

    reviewer: str
    day: str


@dataclass(frozen=True)
class Entry:
    """A standard question with its curated answer and the passages that back it."""

    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    passage_ids: tuple[str, ...]
    related: tuple[str, ...] = ()
    staff_note: str = ""
    file: str = ""
    signoff: SignOff | None = None  # the clinical reviewer who last signed this answer off, and when

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Every way of asking this entry, the canonical question first."""
        return (self.question, *self.alternates)


@dataclass(frozen=True)
class UncoveredTopic:
    """A topic patients ask about that the sources do not answer; matching it means declining."""

    id: str
    name: str
    phrasings: tuple[str, ...]
    # The clinic's own answer (price, opening hours...), given instead of declining once a reviewer signed it.
    clinic_answer: str = ""
    signoff: SignOff | None = None


@dataclass(frozen=True)
class SmallTalkIntent:
    """A social message ("thanks", "who are you?") with its reply template."""

    id: str
    phrases: tuple[str, ...]
    reply: str
    actions: tuple[str, ...] = ()  # contact buttons offered with the reply (clinic.ACTION_KINDS)


@dataclass(frozen=True)
class UrgentRule:
    """Symptoms that need the clinic now: one phrase from each group must appear. A rule with `alone_with`
    words matches only a message made of its phrases and those words ("URGENT!!", "sos please help")."""

    name: str
    groups: tuple[tuple[str, ...], ...]
    alone_with: tuple[str, ...] = ()  # the key of the same name in urgent.toml


@dataclass(frozen=True)
class TriageGroup:
    """Staff-reviewed example messages of one kind: urgent, personal (for the clinic) or question."""

    id: str
    label: str
    name: str
    examples: tuple[str, ...]
    # Everyday matters outside health care ("my boiler stopped working"): a message closer to these than to
    # any urgent or personal example is not an emergency, however much trouble it reports.
    not_about_health: bool = False


TRIAGE_LABELS = ("urgent", "personal", "question")
TEST_OUTCOMES = ("urgent", "personal", "decline", "smalltalk")  # what a test question may expect, besides an entry id


@dataclass(frozen=True)
class TestQuestion:
    """A stored test question: staff run them all before publishing, and see each reply a draft changes."""

    __test__ = False  # not a pytest test class, whatever its name

    text: str
    expect: str  # an entry id, or one of TEST_OUTCOMES


@dataclass(frozen=True)
class Replies:
    """The wording of every reply that is not a standard answer (knowledge/replies.toml)."""

    fallback: str = "I'm sorry, I don't have information{about} in the clinic's reviewed answers."
    fallback_again: str = "I'm sorry, I still can't answer that. Please contact {clinic_name}."
    off_topic: str = "I can only help with questions about dental implants."
    problem_now: str = "If this is about a problem you have now, call {clinic_phone}."
    personal: str = "Please contact {clinic_name} about your own treatment."
    answer_problem_now: str = "If you are asking because of a problem you have now, please contact {clinic_name}."
    answer_part_not_covered: str = "You also asked about {about}, which the clinic's reviewed answers do not cover."
    clarify: str = "Which one did you mean?"


REPLY_FIELDS = tuple(Replies.__dataclass_fields__)
# Replies added after clinics had written their own replies.toml: a folder without them keeps the default.
OPTIONAL_REPLIES = frozenset({"answer_part_not_covered"})
# Replies that become part of a standard answer, whose words state no number the sources do not: the
# placeholders each may use.
ANSWER_ENDINGS = {"answer_problem_now": ("clinic_name",), "answer_part_not_covered": ("clinic_name", "about")}


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything faqbot may say, loaded once and read-only at run time."""

    documents: tuple[Document, ...]
    entries: tuple[Entry, ...]
    uncovered: tuple[UncoveredTopic, ...] = ()
    smalltalk: tuple[SmallTalkIntent, ...] = ()
    smalltalk_fillers: frozenset[str] = frozenset()
    welcome: tuple[str, ...] = ()  # entry ids offered before the first question
    urgent_rules: tuple[UrgentRule, ...] = ()
    urgent_reply: str = ""
    synonyms: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    contrasts: tuple[tuple[str, ...], ...] = ()
    triage: tuple[TriageGroup, ...] = ()
    replies: Replies = field(default_factory=Replies)
    test_questions: tuple[TestQuestion, ...] = ()

    def __post_init__(self) -> None:
        passages = {p.id: p for d in self.documents for p in d.passages}
        object.__setattr__(self, "_passages", MappingProxyType(passages))
        object.__setattr__(self, "_entries", MappingProxyType({e.id: e for e in self.entries}))
        object.__setattr__(self, "_documents", MappingProxyType({d.id: d for d in self.documents}))

    def entry(self, entry_id: str) -> Entry | None:
        """Return the entry with this id, or None."""
        return self._entries.get(entry_id)

    def passage(self, passage_id: str) -> Passage | None:
        """Return the passage with this id, or None."""
        return self._passages.get(passage_id)

    def document(self, document_id: str) -> Document | None:
        """Return the source document with this id, or None."""
        return self._documents.get(document_id)

    def cited_passages(self, entry: Entry) -> list[Passage]:
        """Return the passages an entry cites, in the order it cites them."""
        return [self._passages[pid] for pid in entry.passage_ids]

    def entries_citing(self, passage_id: str) -> list[Entry]:
        """Return the entries that cite a passage."""
        return [e for e in self.entries if passage_id in e.passage_ids]
