"""Published versions and drafts, stored alike on an SQLite file and on PostgreSQL.

What must not happen twice is refused by the database itself: two reviewers publishing on the same
version (the second gets Conflict, nothing is written) and two editors saving over the same draft
revision (the second gets StaleDraft with the draft saved meanwhile, so nothing is lost).
"""

from __future__ import annotations

import pytest

from faqbot.editing.snapshot import Snapshot
from faqbot.storage import knowledge_store as store
from faqbot.storage.knowledge_store import Conflict, StaleDraft

SHIPPED = Snapshot({"faq/a.toml": "# as shipped\n", "triage.toml": "[[group]]\n"})
FIRST = Snapshot({"faq/a.toml": "# first change: “curly quotes”, café, 100%\n", "triage.toml": "[[group]]\n"})
SECOND = Snapshot({"faq/a.toml": "# second change\n", "triage.toml": "[[group]]\n"})
CHANGE = [["entry", "a", "change"]]


@pytest.fixture
def db(connection):
    """A migrated database (SQLite file, then PostgreSQL), each statement committing on its own as in requests."""
    return connection


def publish(db, files: Snapshot, on, **extra):
    values = {"baseline": SHIPPED, "author": "editor", "reviewer": "reviewer", "summary": "Changed entry a",
              "changes": CHANGE, **extra}  # fmt: skip
    return store.publish(db, files, on=on, **values)


def test_nothing_is_published_at_first(db):
    """Before any publishing, patients get the shipped folder: no live version, no history."""
    assert (store.live(db), store.live_id(db), store.history(db)) == (None, None, [])


def test_the_first_publish_records_the_shipped_knowledge_as_version_one(db):
    """The first change is version 2, made on version 1: the shipped folder, kept to compare with and revert to."""
    published = publish(db, FIRST, None)

    shipped = store.version(db, 1)
    assert (shipped.parent, shipped.author, shipped.files) == (0, store.BASELINE_AUTHOR, SHIPPED)
    assert (published.id, published.parent, published.author, published.reviewer) == (2, 1, "editor", "reviewer")
    assert published.changes == (("entry", "a", "change"),)
    assert store.live_id(db) == 2


def test_published_files_come_back_exactly(db):
    """A version's files are stored and read back character for character, with the same digest."""
    publish(db, FIRST, None)
    assert store.live(db).files == FIRST
    assert store.live(db).digest == FIRST.digest


def test_each_publish_is_made_on_the_one_before(db):
    """Versions chain: each names the version it was made on; the history lists them newest first."""
    second = publish(db, FIRST, None)
    third = publish(db, SECOND, second)

    assert third.parent == second.id
    assert store.live(db).files == SECOND
    assert [(v.id, v.parent) for v in store.history(db)] == [(3, 2), (2, 1), (1, 0)]
    assert all(v.files is None for v in store.history(db))  # the list is light: no files


def test_a_second_publish_on_the_same_version_is_refused(db):
    """Two reviewers publishing on the same version: the second gets Conflict and nothing of it is written."""
    second = publish(db, FIRST, None)
    publish(db, SECOND, second)

    with pytest.raises(Conflict):
        publish(db, Snapshot({"faq/a.toml": "# lost race\n"}), second)

    assert [v.id for v in store.history(db)] == [3, 2, 1]
    assert store.live(db).files == SECOND


def test_a_second_publish_on_the_shipped_knowledge_is_refused(db):
    """Two reviewers publishing the very first change at once: the second gets Conflict too."""
    publish(db, FIRST, None)

    with pytest.raises(Conflict):
        publish(db, SECOND, None)

    assert store.live(db).files == FIRST


def save(db, revision: int, answer: str, author: str = "editor"):
    return store.save_draft(db, kind="entry", item="a", action="change", content={"answer": answer}, path="faq/a.toml",
                            base={"answer": "old"}, revision=revision, author=author)  # fmt: skip


def test_saving_a_draft_counts_its_revisions(db):
    """A new draft is revision 1; each save over the current revision adds one."""
    first = save(db, 0, "one")
    second = save(db, first.revision, "two")

    assert (first.revision, second.revision) == (1, 2)
    assert store.draft_for(db, "entry", "a").content == {"answer": "two"}
    assert [d.id for d in store.drafts(db)] == [first.id]


def test_a_second_new_draft_of_the_same_item_is_stale_and_carries_the_first(db):
    """Two editors starting the same item: the second save is refused with the first editor's draft."""
    save(db, 0, "from the first editor", author="ann")

    with pytest.raises(StaleDraft) as stale:
        save(db, 0, "from the second editor", author="bob")

    assert (stale.value.current.content, stale.value.current.author) == ({"answer": "from the first editor"}, "ann")
    assert stale.value.current.revision == 1
    assert store.draft_for(db, "entry", "a").content == {"answer": "from the first editor"}


def test_saving_over_an_old_revision_is_stale_and_keeps_the_newer_draft(db):
    """A save over a revision someone else has saved past is refused; their newer draft stays."""
    save(db, 0, "one")
    save(db, 1, "two", author="ann")

    with pytest.raises(StaleDraft) as stale:
        save(db, 1, "three", author="bob")

    assert (stale.value.current.revision, stale.value.current.content) == (2, {"answer": "two"})
    assert store.draft_for(db, "entry", "a").revision == 2


def test_a_draft_is_deleted_only_at_the_revision_given(db):
    """Discarding (or publishing) what one saw is refused once the draft was saved again; it stays."""
    draft = save(db, 0, "one")
    save(db, draft.revision, "two")

    assert store.delete_draft(db, draft.id, revision=draft.revision) is False
    assert store.draft(db, draft.id).content == {"answer": "two"}
    assert store.delete_draft(db, draft.id, revision=2) is True
    assert (store.draft(db, draft.id), store.drafts(db)) == (None, [])
