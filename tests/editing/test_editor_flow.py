"""Staff edit an answer in the browser, test it, sign it off and publish it; patients get it at once.

Every test starts from a new app over the tiny tomato knowledge base (nothing published yet) and goes
through the pages as staff use them: the edit form, the draft page, publishing, the history.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import staff_forms
from editor_pages import (
    alert_items,
    ask,
    edit_form,
    field_problems,
    form,
    location,
    publish,
    save,
    submit,
    text,
    upload,
)

from faqbot.editing import items
from faqbot.editing import snapshot as snapshots
from faqbot.editing.items import ENTRY

QUESTION = "how often should I water my tomato plants"
SHIPPED = "Tomato plants need water every two days in summer."
MORNING = "Tomato plants need water every two days in summer, best in the morning."
EVENING = "Tomato plants need water every two days in summer, best in the evening."


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def draft_rows(app, stored) -> int:
    return stored({"DATABASE": app.config["DATABASE"]}, "SELECT count(*) FROM knowledge_draft")[0][0]


def published_answer(staff_client, answer: str = MORNING) -> str:
    """Save the watering answer as a draft and publish it; return where publishing led."""
    return location(publish(staff_client, location(save(staff_client, "entry", "watering", answer=answer))))


def test_a_form_with_a_problem_is_not_saved(app, staff_client, patient, stored):
    """A problem is shown next to its field, the typed text stays in the form, and no draft is kept."""
    typed = "Tomato plants need water every 3 days in summer."

    response = save(staff_client, "entry", "watering", answer=typed)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_problems(page) == {"answer": ["answer says '3', which none of its cited passages says"]}
    assert form(page, "/staff/edit/entry/watering")["answer"] == typed
    assert draft_rows(app, stored) == 0
    assert ask(patient, QUESTION)["text"] == SHIPPED


def test_a_saved_draft_shows_its_difference_and_the_card_patients_would_get(staff_client, patient):
    """The draft page shows the words removed and added, and a preview of the reply card; patients see no change."""
    draft = location(save(staff_client, "entry", "watering", answer=MORNING))

    assert re.fullmatch(r"/staff/drafts/\d+", draft)
    page = staff_client.get(draft).get_data(as_text=True)
    assert "removed: summer. added: summer, best in the morning." in text(page)
    preview = page.split('class="preview chat-preview"', 1)[1]
    assert MORNING in text(preview)
    assert ask(patient, QUESTION)["text"] == SHIPPED


def test_a_draft_can_be_tried_beside_the_published_knowledge(staff_client):
    """A question asked on the draft page gets the published reply and the draft's reply, side by side."""
    draft = location(save(staff_client, "entry", "watering", answer=MORNING))

    page = text(submit(staff_client, draft, "/try", question=QUESTION).get_data(as_text=True))

    assert f"Published now: answer (watering) {SHIPPED}" in page
    assert f"With this draft: answer (watering) {MORNING}" in page


def test_publishing_a_draft_gives_patients_the_new_answer_at_once(staff_client, patient):
    """Once published, the very next question gets the new answer, without a restart; the draft is gone."""
    assert ask(patient, QUESTION)["text"] == SHIPPED

    assert published_answer(staff_client) == "/staff/history/2"

    assert ask(patient, QUESTION)["text"] == MORNING
    assert "No drafts: everything is published." in text(staff_client.get("/staff/drafts").get_data(as_text=True))


def test_a_published_version_is_in_the_history_with_who_and_what(staff_client):
    """The history lists the new version as live, written and signed off by the account, and what it changed."""
    published_answer(staff_client)

    history = text(staff_client.get("/staff/history").get_data(as_text=True))
    assert re.search(rf"Version 2 \(live\) \S+ {staff_forms.NAME} {staff_forms.NAME} Changed entry watering", history)
    assert re.search(r"Version 1 \S+ shipped with faqbot — The knowledge as shipped", history)
    version = text(staff_client.get("/staff/history/2").get_data(as_text=True))
    assert "Changed standard answer watering" in version
    assert "added: summer, best in the morning." in version


def test_publishing_a_changed_answer_records_the_sign_off(staff_client):
    """The answer's page says who signed it off and on which day."""
    entry = text(staff_client.get("/staff/entries/watering").get_data(as_text=True))
    assert "Not yet signed off at this clinic" in entry

    published_answer(staff_client)

    entry = text(staff_client.get("/staff/entries/watering").get_data(as_text=True))
    assert f"Signed off by {staff_forms.NAME} on {today()}" in entry


def test_reverting_a_version_gives_patients_the_earlier_text(staff_client, patient):
    """Reverting the published change is a new version, and patients get the text from before it."""
    published_answer(staff_client)

    reverted = location(submit(staff_client, "/staff/history/2", "/staff/history/2/revert"))

    assert reverted == "/staff/history/3"
    assert ask(patient, QUESTION)["text"] == SHIPPED
    assert "Reverted version 2" in text(staff_client.get("/staff/history").get_data(as_text=True))


def test_the_main_flow_on_postgresql(make_app, postgres_url, staff_browser):
    """Save, publish and revert work the same with the knowledge kept in PostgreSQL."""
    app = make_app(DATABASE_URL=postgres_url)
    staff, patient = staff_browser(app), app.test_client()

    published_answer(staff)
    assert ask(patient, QUESTION)["text"] == MORNING
    entry = text(staff.get("/staff/entries/watering").get_data(as_text=True))
    assert f"Signed off by {staff_forms.NAME} on {today()}" in entry

    location(submit(staff, "/staff/history/2", "/staff/history/2/revert"))
    assert ask(patient, QUESTION)["text"] == SHIPPED


# -- two people at once --------------------------------------------------------------------------


def test_a_second_editor_saving_the_same_answer_sees_the_difference_and_keeps_their_text(make_app, storage_settings,
                                                                                         staff_browser):  # fmt: skip
    """The second save is refused with the other's difference; their text stays in the form; nothing is lost."""
    app = make_app(**storage_settings)
    ann, bob = staff_browser(app), staff_browser(app)
    path, ann_form = edit_form(ann, "entry", "watering")
    _, bob_form = edit_form(bob, "entry", "watering")
    draft = location(ann.post(path, data={**ann_form, "answer": MORNING}))

    refused = bob.post(path, data={**bob_form, "answer": EVENING})

    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert f"Not saved: {staff_forms.NAME} saved this draft while you were editing" in text(page)
    assert "removed: morning. added: evening." in text(page)
    assert form(page, path)["answer"] == EVENING
    assert MORNING in text(ann.get(draft).get_data(as_text=True))  # the first draft is intact

    assert location(bob.post(path, data=form(page, path))) == draft  # saving again replaces it, knowingly
    assert edit_form(ann, "entry", "watering")[1]["answer"] == EVENING


def export_with_answer(client, answer: str) -> bytes:
    """The exported knowledge .zip with the watering answer changed, as staff would edit it offline."""
    files = snapshots.from_zip(client.get("/staff/knowledge/export.zip").data)
    watering = items.find(files, ENTRY, "watering").content
    return snapshots.to_zip(items.put(files, ENTRY, "watering", {**watering, "answer": answer}))


def test_publishing_is_refused_when_the_published_answer_changed_after_the_draft(app, staff_browser, patient):
    """A draft made on an answer that has since been published anew is not published over it."""
    ann, reviewer = staff_browser(app), staff_browser(app)
    draft = location(save(ann, "entry", "watering", answer=MORNING))
    sign_off = form(reviewer.get(draft).get_data(as_text=True), "/publish")  # the reviewer opened the draft
    location(publish(ann, location(upload(ann, export_with_answer(ann, EVENING)))))  # meanwhile, an import

    refused = reviewer.post(f"{draft}/publish", data=sign_off)

    assert refused.status_code == 409
    assert "changed after the draft was saved" in text(refused.get_data(as_text=True))
    assert ask(patient, QUESTION)["text"] == EVENING
    page = reviewer.get(draft).get_data(as_text=True)
    assert "The published version changed after this draft was saved" in text(page)
    assert "Sign off and publish" not in page


def test_a_draft_saved_again_after_the_reviewer_opened_it_is_not_published(app, staff_browser, patient):
    """The reviewer signs off what they read: a newer save of the draft sends them back to read it."""
    ann, reviewer = staff_browser(app), staff_browser(app)
    draft = location(save(ann, "entry", "watering", answer=MORNING))
    sign_off = form(reviewer.get(draft).get_data(as_text=True), "/publish")
    save(ann, "entry", "watering", answer=EVENING)

    assert location(reviewer.post(f"{draft}/publish", data=sign_off)) == draft

    assert ask(patient, QUESTION)["text"] == SHIPPED


def test_a_discarded_draft_is_gone_and_patients_see_no_change(app, staff_client, patient, stored):
    """Discarding throws the draft away; the published answer stays."""
    draft = location(save(staff_client, "entry", "watering", answer=MORNING))

    assert location(submit(staff_client, draft, "/discard")) == "/staff/drafts"

    assert draft_rows(app, stored) == 0
    assert staff_client.get(draft).status_code == 404
    assert ask(patient, QUESTION)["text"] == SHIPPED


# -- sign-off ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "signed"),
    [
        ({"alternates": ["watering tomatoes in a heatwave", *[
            "how often do tomatoes need water", "watering schedule for tomatoes", "when do I water my tomato",
            "tomato watering frequency", "do tomatoes need a lot of water", "how much watering do tomato plants want",
            "should I water tomatoes daily", "water tomatoes how often"]]}, "Dr Earlier on 2024-03-01"),
        ({"question": "How often do tomato plants need watering?"}, "Dr Earlier on 2024-03-01"),
        ({"staff_note": "Patients ask this every June."}, "Dr Earlier on 2024-03-01"),
        ({"answer": MORNING}, staff_forms.NAME + " on {today}"),
        ({"passages": ["gg-water", "gg-seedlings"]}, staff_forms.NAME + " on {today}"),
    ],
    ids=["alternates", "question", "staff-note", "answer", "citations"],
)  # fmt: skip
def test_only_a_change_to_the_answer_or_its_citations_is_signed_off_anew(change, signed, signed_off_earlier, make_app,
                                                                          staff_browser):  # fmt: skip
    """Publishing other fields keeps the earlier clinical sign-off; a new answer or citation is signed off now."""
    staff = staff_browser(make_app())

    location(publish(staff, location(save(staff, "entry", "watering", **change))))

    entry = text(staff.get("/staff/entries/watering").get_data(as_text=True))
    assert f"Signed off by {signed.format(today=today())}" in entry


# -- test all ------------------------------------------------------------------------------------


def test_all_lists_the_stored_questions_whose_reply_the_draft_changes(staff_client):
    """Every stored test question runs; only those whose reply differs are listed, old beside new."""
    draft = location(save(staff_client, "entry", "watering", answer=MORNING))

    page = text(staff_client.get(f"{draft}/test-all").get_data(as_text=True))

    assert "4 stored test questions ran on the published knowledge and on the draft. 1 of them are listed" in page
    assert f"{QUESTION} watering watering {SHIPPED} watering {MORNING}" in page
    assert "how many hours of sun" not in page
    assert "not the expected reply" not in page


def test_all_flags_a_question_the_draft_sends_to_another_answer(staff_client):
    """A draft that takes a stored question away from its expected answer is listed and flagged."""
    stored_question = "how many hours of sun do tomatoes need"  # expects sunlight
    _, fields = edit_form(staff_client, "entry", "feeding")
    draft = location(save(staff_client, "entry", "feeding", alternates=f"{fields['alternates']}\n{stored_question}"))

    page = text(staff_client.get(f"{draft}/test-all").get_data(as_text=True))

    assert re.search(rf"{stored_question} sunlight sunlight .* feeding \(not the expected reply\)", page)
    assert "(1 does not get the expected reply with the draft)" in page


# -- new items and removals ----------------------------------------------------------------------

NEW_ENTRY = {
    "id": "morning-watering",
    "file": "faq/plants.toml",
    "question": "Is it better to water tomatoes in the morning?",
    "alternates": "\n".join([
        "should I water tomatoes in the morning", "morning or evening watering for tomatoes",
        "best time of day to water tomatoes", "when in the day do I water tomatoes", "water tomatoes at night",
        "is evening watering bad for tomatoes", "what time should tomatoes get water", "tomato watering time of day"]),
    "answer": "Tomato plants need water every two days in summer.",
    "passages": ["gg-water"],
    "staff_note": "",
}  # fmt: skip


def test_a_new_answer_is_written_saved_and_published(staff_client, patient):
    """A new entry typed into the empty form answers patients once published."""
    path, fields = edit_form(staff_client, "entry", "new")
    draft = location(staff_client.post(path, data={**fields, **NEW_ENTRY}))

    location(publish(staff_client, draft))

    reply = ask(patient, "what time of day should I water my tomatoes")
    assert (reply["kind"], reply["entry"]["id"]) == ("answer", "morning-watering")


def test_a_new_answer_cannot_take_an_id_in_use(staff_client):
    """The id of a new entry must be new: the problem is shown next to the id."""
    path, fields = edit_form(staff_client, "entry", "new")

    response = staff_client.post(path, data={**fields, **NEW_ENTRY, "id": "watering"})

    assert response.status_code == 422
    assert list(field_problems(response.get_data(as_text=True))) == ["id"]


def test_a_removed_answer_is_no_longer_given(staff_client, patient):
    """Once its removal is published, the entry's answer is not given to patients any more."""
    assert ask(patient, "how often should I water tomato seedlings")["entry"]["id"] == "seedlings"

    draft = location(submit(staff_client, "/staff/edit/entry/seedlings", "/staff/edit/entry/seedlings/remove"))
    location(publish(staff_client, draft))

    assert (ask(patient, "how often should I water tomato seedlings").get("entry") or {}).get("id") != "seedlings"
    assert "seedlings" not in text(staff_client.get("/staff/edit/entry").get_data(as_text=True)).split()


def test_an_answer_others_refer_to_cannot_be_removed(app, staff_client, stored):
    """Removing an entry another still offers as related is refused with the check's problem; nothing is saved."""
    response = submit(staff_client, "/staff/edit/entry/sunlight", "/staff/edit/entry/sunlight/remove")

    assert response.status_code == 422
    problem = "knowledge/faq/plants.toml [watering]: related entry 'sunlight' does not exist"
    assert problem in alert_items(response.get_data(as_text=True))
    assert draft_rows(app, stored) == 0


# -- the knowledge folder as a .zip --------------------------------------------------------------


def test_the_export_holds_the_published_files(app, staff_client, knowledge_dir):
    """The downloaded .zip is the live version: the shipped files with the published change in them."""
    published_answer(staff_client)

    response = staff_client.get("/staff/knowledge/export.zip")

    assert response.headers["Content-Disposition"] == 'attachment; filename="faqbot-knowledge-v2.zip"'
    exported, shipped = snapshots.from_zip(response.data), snapshots.read_folder(knowledge_dir)
    assert set(exported.files) == set(shipped.files)
    unchanged = [path for path in shipped.files if path != "faq/plants.toml"]
    assert [exported.files[path] for path in unchanged] == [shipped.files[path] for path in unchanged]
    assert snapshots.load(exported).entry("watering").answer == MORNING


def test_an_imported_folder_is_a_draft_until_published(staff_client, patient):
    """An exported .zip edited offline comes back as a draft showing its change, and goes live when published."""
    draft = location(upload(staff_client, export_with_answer(staff_client, EVENING)))

    page = text(staff_client.get(draft).get_data(as_text=True))
    assert "Changed entry watering" in page
    assert "removed: summer. added: summer, best in the evening." in page
    assert ask(patient, QUESTION)["text"] == SHIPPED

    location(publish(staff_client, draft))

    assert ask(patient, QUESTION)["text"] == EVENING


def test_an_imported_file_cannot_sign_itself_off(staff_client):
    """Sign-offs written in an uploaded file are not taken: publishing signs off what it changes."""
    files = snapshots.from_zip(export_with_answer(staff_client, EVENING))
    watering = items.find(files, ENTRY, "watering").content
    forged = items.put(files, ENTRY, "watering", {**watering, "reviewed_by": "Dr Forged", "reviewed_on": "2020-01-01"})
    sunlight = items.find(forged, ENTRY, "sunlight").content
    forged = items.put(forged, ENTRY, "sunlight", {**sunlight, "reviewed_by": "Dr Forged", "reviewed_on": "2020-01-01"})

    location(publish(staff_client, location(upload(staff_client, snapshots.to_zip(forged)))))

    watering_page = text(staff_client.get("/staff/entries/watering").get_data(as_text=True))
    sunlight_page = text(staff_client.get("/staff/entries/sunlight").get_data(as_text=True))
    assert f"Signed off by {staff_forms.NAME} on {today()}" in watering_page
    assert "Not yet signed off at this clinic" in sunlight_page


def test_reverting_a_version_keeps_later_changes_to_other_answers(staff_client, patient):
    """Reverting version 2 puts back only what it changed; a later change to another answer stays live."""
    published_answer(staff_client)
    sun = "They grow best with six hours of sun; shade slows the fruit and the ripening."
    location(publish(staff_client, location(save(staff_client, "entry", "sunlight", answer=sun))))

    location(submit(staff_client, "/staff/history/2", "/staff/history/2/revert"))

    assert ask(patient, QUESTION)["text"] == SHIPPED
    assert ask(patient, "how many hours of sun do tomatoes need")["text"] == sun


@pytest.mark.parametrize("pasted", ["Water them\x02 every morning.", "Water them\x7f every morning."],
                         ids=["stx", "delete"])  # fmt: skip
def test_text_pasted_with_a_control_character_gets_an_answer_not_a_server_error(pasted, make_app, staff_browser):
    """An invisible control character pasted from another program is refused with a message or cleaned up."""
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error is a 500 page, not a test crash
    staff = staff_browser(app)

    response = save(staff, "entry", "watering", answer=pasted)

    assert response.status_code in (303, 422)


def test_publishing_an_older_import_does_not_undo_a_change_published_since(staff_client, patient):
    """An import saved before another answer was published is refused, or publishes without undoing that answer."""
    imported = location(upload(staff_client, export_with_answer(staff_client, EVENING)))
    sun = "They grow best with six hours of sun; shade slows the fruit and the ripening."
    location(publish(staff_client, location(save(staff_client, "entry", "sunlight", answer=sun))))

    response = publish(staff_client, imported)

    assert response.status_code == 409 or ask(patient, "how many hours of sun do tomatoes need")["text"] == sun
