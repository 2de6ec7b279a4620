"""An edited item is written back into the knowledge folder's TOML files the way staff wrote them.

Staff keep the exported folder in version control, so an edit must change only the item edited, and
what they typed must be exactly what patients read after the file is loaded again.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from faqbot.editing import items
from faqbot.editing import snapshot as snapshots
from faqbot.editing.items import ENTRY, TOPIC, TRIAGE
from faqbot.editing.snapshot import Snapshot, SnapshotError
from faqbot.engine.loading import KnowledgeError

PROJECT = Path(__file__).resolve().parents[2]
REAL = snapshots.read_folder(PROJECT / "knowledge")
TINY = snapshots.read_folder(PROJECT / "tests" / "data" / "tiny_knowledge")


def tables(text: str, key: str) -> list[str]:
    """A file cut before each [[key]] line: the header (comments) first, then one piece per table."""
    return re.split(rf"(?m)^(?=\[\[{key}\]\]$)", text)


def with_answer(snapshot: Snapshot, entry_id: str, answer: str) -> Snapshot:
    content = dict(items.find(snapshot, ENTRY, entry_id).content)
    return items.put(snapshot, ENTRY, entry_id, {**content, "answer": answer})


@pytest.mark.parametrize(
    "kind",
    [
        ENTRY,
        TOPIC,
        TRIAGE,
    ],
    ids=lambda kind: kind.name,
)
def test_an_item_put_back_unchanged_leaves_its_file_byte_identical(kind):
    """Saving an item nobody changed does not touch its file (no noise in the clinic's version control)."""
    changed = [item.id for item in items.items(REAL, kind)
               if items.put(REAL, kind, item.id, item.content).files[item.path] != REAL.files[item.path]]  # fmt: skip
    assert changed == []


def test_changing_one_answer_rewrites_only_that_entry():
    """The file's comments and every other entry stay byte for byte as they were."""
    path = items.find(REAL, ENTRY, "implant-parts").path
    edited = with_answer(REAL, "implant-parts", "A complete implant has three parts.")
    before, after = tables(REAL.files[path], "entry"), tables(edited.files[path], "entry")
    assert len(before) == len(after) > 3
    differing = [i for i, (old, new) in enumerate(zip(before, after)) if old != new]
    assert differing == [next(i for i, table in enumerate(before) if 'id = "implant-parts"' in table)]
    assert {p: t for p, t in edited.files.items() if p != path} == {p: t for p, t in REAL.files.items() if p != path}


def test_changing_one_answer_changes_only_that_answer_when_loaded():
    """Loaded again, the entry has the new answer and all its other fields, and no other entry changed."""
    edited = with_answer(REAL, "implant-parts", "A complete implant has three parts.")
    old, new = snapshots.load(REAL), snapshots.load(edited)
    assert new.entry("implant-parts").answer == "A complete implant has three parts."
    assert new.entry("implant-parts").alternates == old.entry("implant-parts").alternates
    assert new.entry("implant-parts").passage_ids == old.entry("implant-parts").passage_ids
    assert [e for e in new.entries if e.id != "implant-parts"] == [e for e in old.entries if e.id != "implant-parts"]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ('They say "water them" and mean it.', 'They say "water them" and mean it.'),
        (r"Paths like C:\garden\tomatoes and a \n stay.", r"Paths like C:\garden\tomatoes and a \n stay."),
        ("Ends with a backslash \\", "Ends with a backslash \\"),
        ('Quotes """ in a row.', 'Quotes """ in a row.'),
        ("First paragraph.\n\nSecond paragraph.", "First paragraph.\n\nSecond paragraph."),
        ("First paragraph.\r\n\r\nSecond, from a browser.", "First paragraph.\n\nSecond, from a browser."),
        (" ".join(["Water them at the foot of the plant, never on the leaves."] * 5),
         " ".join(["Water them at the foot of the plant, never on the leaves."] * 5)),
        ("Café, naïve and “curly quotes” – all kept.", "Café, naïve and “curly quotes” – all kept."),
    ],
    ids=["quotes", "backslashes", "final-backslash", "triple-quotes", "paragraphs", "crlf-paragraphs", "long",
         "unicode"],
)  # fmt: skip
def test_an_answer_reads_back_as_typed(typed, read):
    """Quotes, backslashes and paragraph breaks reach patients exactly as the editor typed them."""
    edited = with_answer(TINY, "watering", typed)
    assert snapshots.load(edited).entry("watering").answer == read


def test_a_long_answer_is_written_in_the_knowledge_guide_style():
    """A long answer is a multi-line string whose lines end in a backslash, no line much over 100 characters."""
    answer = " ".join(["Water them at the foot of the plant, never on the leaves."] * 5)
    written = with_answer(TINY, "watering", answer).files["faq/plants.toml"]
    block = re.search(r'answer = """\n(.*?)"""', written, re.S).group(1)
    lines = block.splitlines()
    assert len(lines) > 2
    assert all(line.endswith(" \\") for line in lines[:-1])
    assert max(len(line) for line in lines) <= 102


def test_a_new_entry_goes_at_the_end_of_the_chosen_file():
    """A new entry is added to the file staff chose, after its last entry; the other files stay as they were."""
    passages = (p for d in snapshots.load(REAL).documents for p in d.passages)
    passage = next(p for p in passages if not any(c.isdigit() for c in p.text))
    versions = ("one", "two", "three", "four", "five", "six", "seven", "eight")
    content = {
        "question": "Is this a question nobody has asked before?",
        "alternates": [f"a never asked question about glitter, version {word}" for word in versions],
        "answer": passage.text,
        "passages": [passage.id],
    }
    target = "faq/surgery.toml"
    added = items.put(REAL, ENTRY, "glitter-question", content, path=target)
    assert added.files[target].startswith(REAL.files[target].rstrip("\n"))
    assert tables(added.files[target], "entry")[-1].startswith('[[entry]]\nid = "glitter-question"\n')
    assert {p: t for p, t in added.files.items() if p != target} == {p: t for p, t in REAL.files.items() if p != target}
    entry = snapshots.load(added).entry("glitter-question")
    assert (entry.file, entry.answer, entry.passage_ids) == ("surgery.toml", passage.text, (passage.id,))


def test_an_item_cannot_go_in_a_file_of_another_kind():
    """An entry is never written into not_covered.toml or outside faq/."""
    content = dict(items.find(TINY, ENTRY, "watering").content)
    with pytest.raises(items.ItemError):
        items.put(TINY, ENTRY, "new-one", content, path="not_covered.toml")


def test_removing_an_entry_leaves_the_others_as_they_were():
    """The removed entry is gone from its file and from the loaded knowledge; the rest is unchanged."""
    removed = items.remove(TINY, ENTRY, "seedlings")
    assert 'id = "seedlings"' not in removed.files["faq/plants.toml"]
    kept = [table.rstrip("\n") for table in tables(removed.files["faq/plants.toml"], "entry")]
    assert kept == [table.rstrip("\n") for table in tables(TINY.files["faq/plants.toml"], "entry")[:-1]]
    before, after = snapshots.load(TINY), snapshots.load(removed)
    assert [e.id for e in after.entries] == ["watering", "sunlight", "yellow-leaves", "feeding"]
    assert list(after.entries) == [e for e in before.entries if e.id != "seedlings"]


def test_removing_an_entry_another_refers_to_fails_the_check():
    """An entry still offered as related by another cannot silently disappear: the check names the other."""
    with pytest.raises(KnowledgeError) as raised:
        snapshots.load(items.remove(TINY, ENTRY, "sunlight"))
    found = [(problem.item, problem.message) for problem in raised.value.problems]
    assert ("watering", "related entry 'sunlight' does not exist") in found


def test_every_kind_lists_the_items_the_folder_holds():
    """The editor's lists show every entry, topic and triage group of the shipped knowledge, in file order."""
    knowledge = snapshots.load(REAL)
    assert [i.id for i in items.items(REAL, ENTRY)] == [e.id for e in knowledge.entries]
    assert [i.id for i in items.items(REAL, TOPIC)] == [t.id for t in knowledge.uncovered]
    assert [i.id for i in items.items(REAL, TRIAGE)] == [g.id for g in knowledge.triage]


# -- the folder as a .zip ------------------------------------------------------------------------


def zipped(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_exported_zip_reads_back_as_the_same_files():
    """Export then import gives back every file, byte for byte, under a knowledge/ folder in the .zip."""
    data = snapshots.to_zip(REAL)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == sorted(f"knowledge/{path}" for path in REAL.files)
    assert snapshots.from_zip(data) == REAL


@pytest.mark.parametrize("folder", ["", "my-copy/"], ids=["contents-zipped", "folder-renamed"])
def test_a_zip_made_by_hand_reads_as_the_folder(folder):
    """A .zip of the folder's contents, or of the folder under another name, is the same knowledge."""
    assert snapshots.from_zip(zipped({folder + path: text for path, text in TINY.files.items()})) == TINY


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (b"PK this is not really a zip", "not a .zip"),
        (zipped({"knowledge/README.md": "notes"}), "no .toml"),
        (zipped({"knowledge/faq/plants.toml": TINY.files["faq/plants.toml"], "knowledge/../evil.toml": "a = 1"}), ".."),
        (zipped({"knowledge/faq/../../evil.toml": "a = 1"}), ".."),
        (zipped({"knowledge/faq/plants.toml": "answer = 'caf\xe9'".encode("latin-1")}), "not UTF-8"),
        (zipped({"../evil.toml": "a = 1"}), ".."),
        (zipped({"/evil.toml": "a = 1"}), "evil.toml"),
    ],
    ids=["not-a-zip", "no-toml", "parent-folder", "climbs-out", "not-utf8", "starts-with-parent", "absolute"],
)  # fmt: skip
def test_a_bad_upload_is_refused_with_its_reason(upload, reason):
    """An upload that cannot be a knowledge folder is refused, and the message says why."""
    with pytest.raises(SnapshotError) as refused:
        snapshots.from_zip(upload)
    assert reason in str(refused.value)


def test_a_snapshot_refuses_a_path_outside_the_folder():
    """No file of a knowledge version can name a place outside the knowledge folder."""
    for path in ("../x.toml", "/etc/x.toml", "faq\\x.toml", "faq/x.txt"):
        with pytest.raises(SnapshotError):
            Snapshot({path: ""})
