"""What a draft changes: applying it to the published knowledge, signing off, comparing, reverting.

A change is (kind, item id, action). Items are entries, not-covered topics and triage groups
(faqbot.editing.items); any other file an import changes (synonyms, replies...) counts as one change
of kind "file". Comparing two versions item by item gives the history its readable difference, and
reverting a version puts back, item by item, what it changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from . import items
from .items import KINDS, SIGNOFF, SYNONYMS, Kind
from .snapshot import Snapshot

FILE = "file"  # the kind of a change to a file outside the editable items (synonyms.toml, replies.toml...)
ACTION_WORDS = {"change": "Changed", "add": "Added", "remove": "Removed"}


@dataclass(frozen=True)
class Change:
    """One item a version or draft changes, with its content before and after (None: absent)."""

    kind: str
    id: str
    old: Mapping | None
    new: Mapping | None

    @property
    def action(self) -> str:
        return "add" if self.old is None else "remove" if self.new is None else "change"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.id, self.action)


@dataclass(frozen=True)
class FieldDiff:
    """One field's difference, ready to show: words kept, removed and added, or lines removed and added."""

    label: str
    words: tuple[tuple[str, str], ...] = ()  # ("same"|"del"|"ins", text) for text fields
    removed: tuple[str, ...] = ()  # for lists
    added: tuple[str, ...] = ()


def apply(snapshot: Snapshot, kind: Kind, item_id: str, content: Mapping | None, *, path: str = "") -> Snapshot:
    """The snapshot with one item replaced by `content` (None removes it)."""
    if content is None:
        return items.remove(snapshot, kind, item_id)
    return items.put(snapshot, kind, item_id, content, path=path)


def sign_off(content: Mapping, reviewer: str, day: str) -> dict:
    """The content with a reviewer's sign-off of today."""
    return {**content, "reviewed_by": reviewer, "reviewed_on": day}


def editable(content: Mapping | None, kind: Kind) -> dict:
    """Only the fields the edit form may set (never a sign-off)."""
    content = content or {}
    return {f.name: content.get(f.name, [] if f.form in ("lines", "passages", "entries") else "") for f in kind.fields}


def compare(old: Snapshot, new: Snapshot) -> list[Change]:
    """Every item (and other file) that differs between two versions, in a stable order."""
    found = []
    for kind in KINDS.values():
        before = {item.id: item.content for item in items.items(old, kind)}
        after = {item.id: item.content for item in items.items(new, kind)}
        for item_id in [*before, *(i for i in after if i not in before)]:
            if before.get(item_id) != after.get(item_id):
                found.append(Change(kind.name, item_id, before.get(item_id), after.get(item_id)))
    itemised = {kind.name for kind in KINDS.values()} & {change.kind for change in found}
    for path in sorted(set(old.files) | set(new.files)):
        # A file of items is compared item by item; synonyms.toml also has a section that is no item
        # (contrasts), so a change there counts as a change of the file.
        holders = [kind for kind in KINDS.values() if kind.holds(path)]
        if holders and (holders[0] is not SYNONYMS or SYNONYMS.name in itemised):
            continue
        if old.files.get(path) != new.files.get(path):
            found.append(Change(FILE, path, _file(old, path), _file(new, path)))
    return found


def revert(live: Snapshot, before: Snapshot, changes: list[tuple[str, str, str]]) -> Snapshot:
    """The live knowledge with the listed items put back as they were in `before` (a version's parent)."""
    result = live
    for kind_name, item_id, _action in changes:
        if kind_name == FILE:
            files = dict(result.files)
            if item_id in before.files:
                files[item_id] = before.files[item_id]
            else:
                files.pop(item_id, None)
            result = Snapshot(files)
            continue
        kind = KINDS[kind_name]
        old = items.find(before, kind, item_id)
        result = apply(result, kind, item_id, old.content if old else None, path=old.path if old else "")
    return result


def field_diffs(kind_name: str, old: Mapping | None, new: Mapping | None) -> list[FieldDiff]:
    """The fields that differ, each as words or lines removed and added."""
    old, new = old or {}, new or {}
    kind = KINDS.get(kind_name)
    names = [f.name for f in kind.fields] + list(SIGNOFF) if kind else ["text"]
    diffs = []
    for name in names:
        before, after = old.get(name), new.get(name)
        if (before or None) == (after or None):
            continue
        label = kind.field(name).label if kind and kind.field(name) else name.replace("_", " ").capitalize()
        if isinstance(before, list) or isinstance(after, list):
            before, after = list(before or []), list(after or [])
            diffs.append(FieldDiff(label, removed=tuple(x for x in before if x not in after),
                                   added=tuple(x for x in after if x not in before)))  # fmt: skip
        else:
            diffs.append(FieldDiff(label, words=word_diff(str(before or ""), str(after or ""))))
    return diffs


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """Words kept, deleted and inserted, in reading order."""
    old, new = before.split(), after.split()
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("del", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("ins", " ".join(new[j1:j2])))
    return tuple(parts)


def describe(changes: list[Change] | list[tuple[str, str, str]]) -> str:
    """A one-line summary for the history: "Changed entry healing-time; added topic cost"."""
    keys = [c.key if isinstance(c, Change) else tuple(c) for c in changes]
    if not keys:
        return "No change"
    shown = [f"{ACTION_WORDS[action].lower()} {kind} {item_id}" for kind, item_id, action in keys[:4]]
    more = f" and {len(keys) - 4} more" if len(keys) > 4 else ""
    text = "; ".join(shown) + more
    return text[0].upper() + text[1:]


def _file(snapshot: Snapshot, path: str) -> dict | None:
    return {"text": snapshot.files[path]} if path in snapshot.files else None
