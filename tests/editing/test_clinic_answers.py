"""The clinic's own answer on a topic the sources do not cover: given only once a reviewer signed it off.

Until then the topic is declined as before. Once published, patients get the clinic's words marked as
its own statement (who signed it off, and when) and never as something a source says.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import staff_forms
from editor_pages import ask, location, publish, save, upload

from faqbot import cli
from faqbot.editing import items
from faqbot.editing import snapshot as snapshots
from faqbot.editing.items import TOPIC

PESTS = "how do I get rid of aphids on tomatoes"
CLINIC_ANSWER = "We only look after teeth, not tomatoes: a garden centre can advise you on aphids and slugs."
UNSIGNED = "a clinic answer reaches patients only once a reviewer signs it off (reviewed_by, reviewed_on)"


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def with_clinic_answer(knowledge_dir, signed: str = "") -> None:
    """Give the pests topic a clinic answer in the shipped file, with the sign-off lines given (if any)."""
    topics = knowledge_dir / "not_covered.toml"
    topics.write_text(topics.read_text(encoding="utf-8") + f'clinic_answer = "{CLINIC_ANSWER}"\n{signed}', "utf-8")


@pytest.fixture
def check(capsys, monkeypatch, embedding_cache):
    """`python -m faqbot check --knowledge DIR`: its exit status, and what it printed (output and errors)."""
    monkeypatch.setenv("FAQBOT_EMBEDDING_CACHE", embedding_cache)

    def run(folder) -> tuple[int, str]:
        output = io.StringIO()
        status = cli.main(["--knowledge", str(folder), "check"], stdout=output)
        return status, output.getvalue() + capsys.readouterr().err

    return run


def test_a_clinic_answer_nobody_signed_off_fails_the_check(knowledge_dir, check):
    """A clinic answer without reviewed_by and reviewed_on is a problem that names the topic."""
    with_clinic_answer(knowledge_dir)

    status, printed = check(knowledge_dir)

    assert status == 1
    assert f"knowledge/not_covered.toml [pests]: {UNSIGNED}" in printed


def test_a_signed_off_clinic_answer_passes_the_check(knowledge_dir, check):
    """With both reviewed_by and a reviewed_on date, the clinic answer is fine."""
    with_clinic_answer(knowledge_dir, 'reviewed_by = "Dr Green"\nreviewed_on = 2026-01-15\n')

    status, printed = check(knowledge_dir)

    assert status == 0, printed
    assert printed.startswith("ok:")


def test_a_topic_without_a_published_clinic_answer_is_declined(patient):
    """Before any clinic answer is published, a question on the topic gets the honest decline, no statement."""
    reply = ask(patient, PESTS)

    assert reply["kind"] == "fallback"
    assert "about pests" in reply["text"]
    assert reply["statement"] is None


def assert_clinic_statement(reply: dict, reviewer: str, day: str) -> None:
    assert (reply["kind"], reply["text"]) == ("answer", CLINIC_ANSWER)
    assert reply["statement"] == {"reviewed_by": reviewer, "reviewed_on": day}
    assert reply["sources"] == []


def test_a_clinic_answer_written_in_the_editor_answers_patients_once_published(staff_client, patient):
    """Written in the editor and published by the reviewer, the clinic answer is given as its signed statement."""
    draft = location(save(staff_client, "topic", "pests", clinic_answer=CLINIC_ANSWER))

    location(publish(staff_client, draft))

    assert_clinic_statement(ask(patient, PESTS), staff_forms.NAME, today())


def imported_clinic_answer(staff_client, *, reviewed_by: str = "", reviewed_on: str = "") -> bytes:
    """The exported folder with a clinic answer on the pests topic (and whatever sign-off the file claims)."""
    files = snapshots.from_zip(staff_client.get("/staff/knowledge/export.zip").data)
    pests = items.find(files, TOPIC, "pests").content
    topic = {**pests, "clinic_answer": CLINIC_ANSWER, "reviewed_by": reviewed_by, "reviewed_on": reviewed_on}
    return snapshots.to_zip(items.put(files, TOPIC, "pests", topic))


def test_an_imported_clinic_answer_is_signed_off_by_the_reviewer_who_publishes_it(staff_client, patient):
    """The file's own sign-off counts for nothing: the statement names the reviewer who published it, today."""
    archive = imported_clinic_answer(staff_client, reviewed_by="Dr Forged", reviewed_on="2020-01-01")
    draft = location(upload(staff_client, archive))
    assert ask(patient, PESTS)["kind"] == "fallback"  # a draft changes nothing for patients

    location(publish(staff_client, draft))

    assert_clinic_statement(ask(patient, PESTS), staff_forms.NAME, today())


def test_an_imported_clinic_answer_without_a_sign_off_is_refused(staff_client, stored, app):
    """Uploading a clinic answer nobody signed off is refused by the check, like in the command line."""
    response = upload(staff_client, imported_clinic_answer(staff_client))

    assert response.status_code == 422
    assert UNSIGNED in response.get_data(as_text=True)
    assert stored({"DATABASE": app.config["DATABASE"]}, "SELECT count(*) FROM knowledge_draft") == [(0,)]


def test_taking_a_clinic_answer_away_declines_the_topic_again(staff_client, patient):
    """Publishing the topic with its clinic answer emptied brings the decline back."""
    archive = imported_clinic_answer(staff_client, reviewed_by="x", reviewed_on="2020-01-01")
    location(publish(staff_client, location(upload(staff_client, archive))))
    assert ask(patient, PESTS)["statement"] is not None

    location(publish(staff_client, location(save(staff_client, "topic", "pests", clinic_answer=""))))

    reply = ask(patient, PESTS)
    assert (reply["kind"], reply["statement"]) == ("fallback", None)
    assert "about pests" in reply["text"]
