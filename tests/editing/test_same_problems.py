"""`python -m faqbot check` and the web editor report the same problems for the same input.

The same broken item is written into a knowledge folder for the command line, typed into the editor's
form, and uploaded as a .zip: the check's messages for the item appear next to the field they are
about, the uploaded folder lists the check's very lines, and nothing is saved.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from editor_pages import alert_items, field_problems, save, upload

from faqbot import cli
from faqbot.editing import items
from faqbot.editing import snapshot as snapshots
from faqbot.editing.items import ENTRY, TRIAGE

TINY = Path(__file__).resolve().parent.parent / "data" / "tiny_knowledge"
SHIPPED = snapshots.read_folder(TINY)
WHERE = {  # kind: (its file, its [[table]] key)
    "entry": ("faq/plants.toml", "entry"),
    "topic": ("not_covered.toml", "topic"),
    "triage": ("triage.toml", "group"),
}
SUNLIGHT_ALTERNATES = items.find(SHIPPED, ENTRY, "sunlight").content["alternates"]
FEVER_EXAMPLES = items.find(SHIPPED, TRIAGE, "fever").content["examples"]

# name: (kind, item id, the fields as typed, the field the problem is shown next to)
CASES = {
    "number-no-passage-says": (
        "entry", "watering", {"answer": "Tomato plants need water every 3 days in summer."}, "answer"),
    "too-few-alternates": (
        "entry", "watering", {"alternates": ["tomato watering", "watering my tomatoes", "water for tomatoes"]},
        "alternates"),
    "phrasing-of-another-entry": (
        "entry", "sunlight", {"alternates": [*SUNLIGHT_ALTERNATES, "watering schedule for tomatoes"]}, "alternates"),
    "unknown-passage": ("entry", "watering", {"passages": ["gg-water", "gg-compost-tea"]}, "passages"),
    "answer-too-long": (
        "entry", "feeding", {"answer": " ".join(["Feed them with compost once the first flowers appear."] * 11)},
        "answer"),
    "empty-question": ("entry", "watering", {"question": ""}, "question"),
    "clinic-answer-not-signed-off": (
        "topic", "pests", {"clinic_answer": "We do not treat pests; a garden centre can help."}, "clinic_answer"),
    "example-in-two-groups": (
        "triage", "fever", {"examples": [*FEVER_EXAMPLES, "my gum has been bleeding for hours and it will not stop"]},
        "examples"),
}  # fmt: skip
# In the editor a clinic answer is signed off by the reviewer who publishes it, so an unsigned one is no problem there.
EDITOR_CASES = {name: case for name, case in CASES.items() if name != "clinic-answer-not-signed-off"}


def write_fields(folder: Path, kind: str, item_id: str, fields: dict) -> None:
    """Write fields into one table of a knowledge file by hand, as staff editing the TOML would."""
    file, key = WHERE[kind]
    path = folder / file
    pieces = re.split(rf"(?m)^(?=\[\[{key}\]\]$)", path.read_text(encoding="utf-8"))
    index = next(i for i, piece in enumerate(pieces) if f'id = "{item_id}"' in piece)
    for name, value in fields.items():
        line = f"{name} = {json.dumps(value, ensure_ascii=False)}"
        if re.search(rf"(?m)^{name} = ", pieces[index]):
            pieces[index] = re.sub(rf"(?m)^{name} = .*$", line.replace("\\", "\\\\"), pieces[index])
        else:
            pieces[index] = pieces[index].rstrip("\n") + f"\n{line}\n\n"
    path.write_text("".join(pieces), encoding="utf-8")


@pytest.fixture
def check(capsys, monkeypatch, embedding_cache):
    """Run `python -m faqbot check --knowledge DIR` in-process; return its exit status and its problem lines."""
    monkeypatch.setenv("FAQBOT_EMBEDDING_CACHE", embedding_cache)

    def run(folder: Path) -> tuple[int, list[str]]:
        capsys.readouterr()
        status = cli.main(["--knowledge", str(folder), "check"], stdout=io.StringIO())
        lines = capsys.readouterr().err.splitlines()
        return status, [line.removeprefix("  - ") for line in lines if line.startswith("  - ")]

    return run


@pytest.fixture
def broken(tmp_path):
    """A copy of the shipped tiny knowledge with some fields of one item written by hand."""

    def make(kind: str, item_id: str, fields: dict) -> Path:
        folder = tmp_path / "by-hand" / "knowledge"  # problems name files as knowledge/...
        shutil.copytree(TINY, folder)
        write_fields(folder, kind, item_id, fields)
        return folder

    return make


@pytest.fixture(scope="module")
def staff(shared_app, staff_browser):
    """A staff browser on the module's app (every save in this module is refused, so it stays unchanged)."""
    return staff_browser(shared_app)


def draft_rows(app, stored) -> int:
    return stored({"DATABASE": app.config["DATABASE"]}, "SELECT count(*) FROM knowledge_draft")[0][0]


@pytest.mark.parametrize(("kind", "item_id", "fields", "field"), EDITOR_CASES.values(), ids=EDITOR_CASES.keys())
def test_the_editor_shows_the_checks_problems_next_to_the_field(kind, item_id, fields, field, broken, check, staff,
                                                                shared_app, stored):  # fmt: skip
    """Each problem the check reports for the item is shown next to its field, and no draft is saved."""
    status, lines = check(broken(kind, item_id, fields))
    assert status == 1 and lines
    prefix = f"knowledge/{WHERE[kind][0]} [{item_id}]: "
    expected = sorted(line.removeprefix(prefix) for line in lines if line.startswith(prefix))

    response = save(staff, kind, item_id, **fields)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    shown = field_problems(page)
    assert sorted(message for messages in shown.values() for message in messages) == expected
    assert set(shown) == {field}
    assert alert_items(page) == [line for line in lines if not line.startswith(prefix)]
    assert draft_rows(shared_app, stored) == 0


UPLOAD_CASES = {**CASES, "unknown-field": ("entry", "watering", {"colour": "red"}, "")}


@pytest.mark.parametrize(("kind", "item_id", "fields", "field"), UPLOAD_CASES.values(), ids=UPLOAD_CASES.keys())
def test_an_uploaded_folder_lists_the_checks_problems(kind, item_id, fields, field, broken, check, staff, shared_app,
                                                      stored):  # fmt: skip
    """An imported .zip with a problem lists the very lines `faqbot check` prints for it, and saves no draft."""
    folder = broken(kind, item_id, fields)
    status, lines = check(folder)
    assert status == 1 and lines

    response = upload(staff, snapshots.to_zip(snapshots.read_folder(folder)))

    assert response.status_code == 422
    assert alert_items(response.get_data(as_text=True)) == lines
    assert draft_rows(shared_app, stored) == 0


def test_phrasings_the_check_cannot_tell_apart_are_refused_by_the_editor_too(broken, check, staff_client):
    """A phrasing the check refuses as indistinguishable from another entry's is refused by the editor as well."""
    # watering has "water tomatoes how often": the same words in another order
    fields = {"alternates": [*SUNLIGHT_ALTERNATES, "how often water tomatoes"]}
    status, _ = check(broken("entry", "sunlight", fields))
    assert status == 1

    response = save(staff_client, "entry", "sunlight", **fields)

    assert response.status_code == 422
