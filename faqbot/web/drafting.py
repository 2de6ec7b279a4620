"""What the editor and the publishing pages share: the knowledge to edit, validation, draft assistants.

Validation is `faqbot check` itself (faqbot.editing.snapshot.load): the problems it reports for an
item are shown next to the field they name, the others above the form.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app

from ..editing import snapshot as snapshots
from ..editing.items import Kind
from ..editing.snapshot import Snapshot
from ..engine import Assistant, build_assistant
from ..engine.checking import phrasing_problems
from ..engine.loading import KnowledgeError, Problem
from ..engine.reply import Reply, outcome
from ..storage import db, knowledge_store
from . import live

DRAFT_ASSISTANTS = 3  # built ones kept (about a second each to build): the drafts being tried now
_CACHE = "faqbot.draft_assistants"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Published:
    """The newest published knowledge, read from the database (not this process's copy, which may lag)."""

    version: knowledge_store.Version | None
    files: Snapshot


def published() -> Published:
    """The version a change is made on: the newest in the database, else the shipped folder."""
    version = knowledge_store.live(db.get_db())
    return Published(version, version.files if version else live.baseline(current_app))


def problems(files: Snapshot) -> list[Problem]:
    """Every problem `faqbot check` finds in these files (none: they may be published)."""
    try:
        snapshots.load(files)
    except KnowledgeError as error:
        return error.problems
    return phrasing_problems(assistant_for(files), snapshots.FOLDER)  # the check's second half needs the engine


def problems_by_field(found: list[Problem], kind: Kind, item_id: str) -> tuple[dict[str, list[str]], list[Problem]]:
    """Split problems into those of this item's fields (by field name) and the rest (shown above the form)."""
    by_field: dict[str, list[str]] = {}
    rest = []
    for problem in found:
        mine = problem.item == item_id and kind.holds(problem.file.removeprefix(snapshots.FOLDER + "/"))
        if mine and problem.field and (kind.field(problem.field) or problem.field == "id"):
            by_field.setdefault(problem.field, []).append(problem.message)
        else:
            rest.append(problem)
    return by_field, rest


def assistant_for(files: Snapshot) -> Assistant:
    """An assistant over draft knowledge (valid files), kept for the next request on the same draft."""
    cache: OrderedDict = current_app.extensions.setdefault(_CACHE, OrderedDict())
    key = files.digest
    with _LOCK:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    assistant = build_assistant(current_app.config, snapshots.load(files))
    with _LOCK:
        cache[key] = assistant
        while len(cache) > DRAFT_ASSISTANTS:
            cache.popitem(last=False)
    return assistant


@dataclass(frozen=True)
class Compared:
    """One test question whose reply the draft changes: old beside new, and what it should be."""

    text: str
    expect: str
    old: Reply
    new: Reply

    @property
    def old_outcome(self) -> str:
        return outcome(self.old)

    @property
    def new_outcome(self) -> str:
        return outcome(self.new)

    @property
    def now_wrong(self) -> bool:
        return self.new_outcome != self.expect


def test_all(old: Assistant, new: Assistant) -> tuple[int, list[Compared]]:
    """Run the draft's stored test questions on both; return how many ran and those whose reply changes."""
    questions = new.knowledge.test_questions
    changed = []
    for question in questions:
        before, after = old.reply(question.text), new.reply(question.text)
        if (before.kind, outcome(before), before.text) != (after.kind, outcome(after), after.text):
            changed.append(Compared(question.text, question.expect, before, after))
        elif outcome(after) != question.expect:
            changed.append(Compared(question.text, question.expect, before, after))  # wrong before and after
    return len(questions), changed


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def review_due(signed_on: str, months: int) -> str:
    """The day a sign-off of `signed_on` (ISO date) is due for review again."""
    return add_months(date.fromisoformat(signed_on), months).isoformat()


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (29 February + 12 months: 28th)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))
