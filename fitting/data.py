"""The labelled sets, read into one shape, and the fixed split into a fitting part and a held-out part.

The split is decided by a hash of each message's normalised text, so it never changes between runs
and nobody chooses which messages are held out. Only the fitting part is used by `fit.py`; the
held-out part is for reporting (`bench/understanding.py`).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
HELD_OUT_PERCENT = 30
# Sets of messages that are not about implants at all (everyday-assistant requests, chit-chat).
OFF_TOPIC_SETS = frozenset({"offtopic"})


@dataclass(frozen=True)
class Item:
    """One labelled message."""

    q: str
    source: str  # which set it came from
    triage: str  # "urgent", "personal" or "question"
    expect: str  # "answer", "either", "decline", "urgent", "refer", "smalltalk"
    entry_id: str | None = None  # the one right entry (own sets)
    topics: tuple[str, ...] = ()  # facts a right answer covers (the shared dev set)
    accepted: tuple[str, ...] = ()  # other entries whose answer is right too ("either": declining is right as well)
    group: str = ""  # the row's "class" in probes.jsonl: which round of probes, about what ("fifth-round-lookalikes")

    @property
    def about_implants(self) -> bool:
        """Whether the message comes from a set about implants (not an everyday-assistant or chit-chat set)."""
        return self.source not in OFF_TOPIC_SETS

    @property
    def labelled(self) -> bool:
        """Whether the right answer is known: an entry, entries that answer it, or the facts it must state."""
        return bool(self.entry_id or self.accepted or self.topics)

    def answered_by(self, entry_id: str, text: str) -> bool | None:
        """Whether an answer from this entry, with this text, is right; None when no right answer is known."""
        if self.entry_id or self.accepted:
            return entry_id in (self.entry_id, *self.accepted)
        if self.topics and self.expect in ("answer", "either"):
            return covers(text, self.topics)
        return None


def held_out(text: str) -> bool:
    """Tell whether a message belongs to the held-out part (about 30%, fixed by its text)."""
    normal = " ".join(text.lower().split())
    return int(hashlib.sha256(normal.encode()).hexdigest()[:8], 16) % 100 < HELD_OUT_PERCENT


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _item(row: dict, source: str) -> Item:
    """Read one labelled row: the triage shape ({"q", "label"}) or the matching shape ({"q", "expect_id"} etc.)."""
    return replace(_labelled(row, source), group=row.get("class", ""))


def _labelled(row: dict, source: str) -> Item:
    if "label" in row:
        expect = {"urgent": "urgent", "personal": "refer", "question": "either"}[row["label"]]
        return Item(row["q"], source, row["label"], expect)
    if "expect_id" in row:
        accepted = tuple(row.get("accept", ()))
        return Item(row["q"], source, "question", "answer", entry_id=row["expect_id"], accepted=accepted)
    if row["expect_kind"] == "either":
        return Item(row["q"], source, "question", "either", accepted=tuple(row["accept"]))
    kind = row["expect_kind"]
    expect = {"fallback": "decline", "urgent": "urgent"}.get(kind, kind)
    return Item(row["q"], source, "urgent" if kind == "urgent" else "question", expect)


def own_sets() -> list[Item]:
    """Our own labelled sets under tests/data/ that the fit reads (its fitting part)."""
    return [
        _item(row, name)
        for name in ("triage", "paraphrases", "patient_questions", "offtopic")
        for row in _jsonl(DATA / f"{name}.jsonl")
    ]


def lookalike_set() -> list[Item]:
    """Look-alike questions (an entry's words, an aspect its answer does not give: "what is a healing abutment
    made of?") and answerable ones in the same style (tests/data/lookalikes.jsonl), for the look-alike check
    only: the answer model and its threshold are fitted without them."""
    return [_item(row, "lookalikes") for row in _jsonl(DATA / "lookalikes.jsonl")]


def probe_set() -> list[Item]:
    """Messages that are never fitted on, in either part: fresh probes written after a fit
    (tests/data/probes.jsonl; add new ones whenever the engine changes) and questions in the register of
    clinic FAQ pages (tests/data/faq_style.jsonl: formal wording, title case, a context sentence first),
    which measure how the fit carries over to the way real questions are written. Move none into the
    fitted sets."""
    return [_item(row, name) for name in ("probes", "faq_style") for row in _jsonl(DATA / f"{name}.jsonl")]


def dev_set() -> list[Item]:
    """The shared dev set of real questions, when ../shared is beside the checkout (else empty)."""
    path = SHARED_EVAL / "dev.jsonl"
    if not path.exists():
        return []
    triage = {"urgent": "urgent", "refer": "personal"}
    return [
        Item(row["q"], "dev", triage.get(row["expect"], "question"), row["expect"], topics=tuple(row["topics"]))
        for row in _jsonl(path)
        if row.get("expect") != "drop"
    ]


def covers(answer: str, topics: tuple[str, ...]) -> bool:
    """Tell whether an answer states the facts of one of the topics (the shared grader's rule)."""
    if not topics:
        return True
    sys.path.insert(0, str(SHARED_EVAL))
    from grade import covers as grader_covers  # noqa: PLC0415 - only where the shared set exists

    return grader_covers(answer, list(topics))


def split(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """Return (fitting part, held-out part)."""
    fit = [i for i in items if not held_out(i.q)]
    return fit, [i for i in items if held_out(i.q)]
