"""The reply object every interface shares; `to_dict` is the JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .clinic import ContactAction
from .knowledge import Entry, SignOff
from .matching import Candidate
from .triage import PERSONAL_REASON

KINDS = ("answer", "clarify", "fallback", "smalltalk", "urgent")


@dataclass(frozen=True)
class Source:
    """A cited passage: where to read it and its exact words."""

    title: str
    url: str
    quote: str


@dataclass(frozen=True)
class Reply:
    """What faqbot says to one message, and (for staff) why."""

    text: str
    kind: str
    confidence: float
    conversation: str
    entry: Entry | None = None
    sources: tuple[Source, ...] = ()
    suggestions: tuple[str, ...] = ()
    actions: tuple[ContactAction, ...] = ()  # each way to reach the clinic, once; the words don't repeat them
    statement: SignOff | None = None  # set when the answer is the clinic's own, with who signed it off
    topic: str = ""  # the not-covered topic a decline is about (counted for staff; never shown to patients)
    # Staff-only diagnostics; never part of the patient-facing JSON.
    reason: str = ""
    candidates: tuple[Candidate, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown reply kind {self.kind!r}")

    @property
    def plain_text(self) -> str:
        """Return the words followed by one line per contact action: the whole reply, for text-only channels."""
        return "\n".join([self.text, *(action.as_text() for action in self.actions)])

    def to_dict(self) -> dict[str, Any]:
        """Return the reply as the JSON contract shared by the API and `ask --json`."""
        return {
            "reply": self.plain_text,
            "text": self.text,
            "actions": [{"kind": a.kind, "label": a.label, "href": a.href} for a in self.actions],
            "kind": self.kind,
            "confidence": round(max(0.0, min(1.0, self.confidence)), 3),
            "entry": {"id": self.entry.id, "question": self.entry.question} if self.entry else None,
            "sources": [{"title": s.title, "url": s.url, "quote": s.quote} for s in self.sources],
            "statement": (
                {"reviewed_by": self.statement.reviewer, "reviewed_on": self.statement.day} if self.statement else None
            ),
            "suggestions": list(self.suggestions),
            "conversation": self.conversation,
        }


def outcome(reply: Reply) -> str:
    """What a reply amounts to, as test questions name it: an entry id, urgent, personal, clarify or decline."""
    if reply.kind == "answer" and reply.entry:
        return reply.entry.id
    if reply.kind == "fallback":
        return "personal" if reply.reason.startswith(PERSONAL_REASON) else "decline"
    return reply.kind  # urgent, clarify, smalltalk
