"""Published knowledge versions and unpublished drafts, on SQLite or PostgreSQL alike.

No Flask here: callers pass the connection. Each statement commits on its own; what must not happen
twice is guarded by the database itself: `knowledge_version.parent` is unique, so two reviewers
publishing on the same version cannot both succeed (the second gets `Conflict`), and a draft is saved
only over the revision its editor started from (`StaleDraft` carries the revision saved meanwhile).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from ..editing.snapshot import Snapshot
from .schema import knowledge_draft, knowledge_version

BASELINE_AUTHOR = "shipped with faqbot"  # the author of version 1: the knowledge/ folder as installed


class Conflict(Exception):
    """Someone else published first: the change must be made again on the new version."""


class StaleDraft(Exception):
    """The draft was saved by someone else since this editor opened it."""

    def __init__(self, current: Draft | None) -> None:
        super().__init__("the draft was changed since you opened it")
        self.current = current


@dataclass(frozen=True)
class Version:
    """One published version of the knowledge."""

    id: int
    parent: int
    created: str
    author: str
    reviewer: str
    summary: str
    changes: tuple[tuple[str, str, str], ...]  # (kind, item id, action)
    files: Snapshot | None  # None when listed without its content
    digest: str


@dataclass(frozen=True)
class Draft:
    """An unpublished change to one item (or a whole imported folder)."""

    id: int
    kind: str
    item: str
    action: str  # change, add, remove, import
    content: dict
    path: str
    base: dict | None  # the item as published when the draft was last saved; None for a new item
    revision: int
    author: str
    created: str
    updated: str


def live_id(db: Connection) -> int | None:
    """The id of the version patients get, or None while the shipped knowledge/ folder is in use (cheap)."""
    return db.execute(select(func.max(knowledge_version.c.id))).scalar()


def live(db: Connection) -> Version | None:
    """The version patients get, with its files; None while nothing has been published here."""
    row = db.execute(select(knowledge_version).order_by(knowledge_version.c.id.desc()).limit(1)).first()
    return _version(row) if row else None


def version(db: Connection, version_id: int) -> Version | None:
    """One version with its files, or None."""
    row = db.execute(select(knowledge_version).where(knowledge_version.c.id == version_id)).first()
    return _version(row) if row else None


def history(db: Connection, *, limit: int = 200) -> list[Version]:
    """Published versions, newest first, without their files."""
    columns = [c for c in knowledge_version.c if c.name != "files"]
    rows = db.execute(select(*columns).order_by(knowledge_version.c.id.desc()).limit(limit))
    return [_version(row, with_files=False) for row in rows]


def publish(
    db: Connection,
    files: Snapshot,
    *,
    on: Version | None,
    baseline: Snapshot,
    author: str,
    reviewer: str,
    summary: str,
    changes: list[tuple[str, str, str]],
    now: datetime | None = None,
) -> Version:
    """Make `files` the live knowledge, as the version after `on` (None: after the shipped baseline).

    Raises Conflict when another version was published on `on` meanwhile: nothing is written then.
    """
    created = _stamp(now)
    if on is None:
        on = _baseline(db, baseline, created)
    values = {
        "parent": on.id,
        "created": created,
        "author": author,
        "reviewer": reviewer,
        "summary": summary,
        "changes": json.dumps(changes),
        "files": json.dumps(dict(files.files)),
        "digest": files.digest,
    }
    try:
        new_id = db.execute(knowledge_version.insert().values(**values)).inserted_primary_key[0]
    except IntegrityError:
        raise Conflict("another version was published first") from None
    return version(db, new_id)


def _baseline(db: Connection, baseline: Snapshot, created: str) -> Version:
    """Version 1, the shipped folder, so that the first change can be compared with and reverted to it."""
    values = {
        "parent": 0,
        "created": created,
        "author": BASELINE_AUTHOR,
        "reviewer": "",
        "summary": "The knowledge as shipped",
        "changes": "[]",
        "files": json.dumps(dict(baseline.files)),
        "digest": baseline.digest,
    }
    with contextlib.suppress(IntegrityError):  # another process recorded it first: the same folder
        db.execute(knowledge_version.insert().values(**values))
    first = db.execute(select(knowledge_version).where(knowledge_version.c.parent == 0)).first()
    if db.execute(select(func.count()).where(knowledge_version.c.parent == first.id)).scalar():
        raise Conflict("another version was published first")
    return _version(first)


def drafts(db: Connection) -> list[Draft]:
    """Every unpublished change, oldest first."""
    return [_draft(row) for row in db.execute(select(knowledge_draft).order_by(knowledge_draft.c.id))]


def draft(db: Connection, draft_id: int) -> Draft | None:
    row = db.execute(select(knowledge_draft).where(knowledge_draft.c.id == draft_id)).first()
    return _draft(row) if row else None


def draft_for(db: Connection, kind: str, item: str) -> Draft | None:
    """The draft of one item, if there is one."""
    columns = knowledge_draft.c
    row = db.execute(select(knowledge_draft).where(columns.kind == kind, columns.item == item)).first()
    return _draft(row) if row else None


def save_draft(
    db: Connection,
    *,
    kind: str,
    item: str,
    action: str,
    content: dict,
    path: str,
    base: dict | None,
    revision: int,
    author: str,
    now: datetime | None = None,
) -> Draft:
    """Save a draft over `revision` (0: a new draft). StaleDraft if another save came first; nothing is lost."""
    stamp, columns = _stamp(now), knowledge_draft.c
    values = {
        "action": action,
        "content": json.dumps(content),
        "path": path,
        "base": json.dumps(base),  # what the editor saw published: publishing checks it is still so
        "author": author,
        "updated": stamp,
    }
    if revision == 0:
        try:
            db.execute(knowledge_draft.insert().values(kind=kind, item=item, revision=1, created=stamp, **values))
        except IntegrityError:
            raise StaleDraft(draft_for(db, kind, item)) from None
    else:
        result = db.execute(
            knowledge_draft.update()
            .where(columns.kind == kind, columns.item == item, columns.revision == revision)
            .values(revision=revision + 1, **values)
        )
        if result.rowcount != 1:
            raise StaleDraft(draft_for(db, kind, item))
    return draft_for(db, kind, item)


def delete_draft(db: Connection, draft_id: int, *, revision: int) -> bool:
    """Remove a draft (published or discarded) if it is still at `revision`; return whether it was."""
    columns = knowledge_draft.c
    result = db.execute(knowledge_draft.delete().where(columns.id == draft_id, columns.revision == revision))
    return result.rowcount == 1


def _version(row, *, with_files: bool = True) -> Version:
    files = Snapshot(json.loads(row.files)) if with_files else None
    changes = tuple(tuple(change) for change in json.loads(row.changes))
    return Version(row.id, row.parent, row.created, row.author, row.reviewer, row.summary, changes, files, row.digest)


def _draft(row) -> Draft:
    return Draft(
        row.id,
        row.kind,
        row.item,
        row.action,
        json.loads(row.content),
        row.path,
        json.loads(row.base),
        row.revision,
        row.author,
        row.created,
        row.updated,
    )


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).isoformat(timespec="seconds")
