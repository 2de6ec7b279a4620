"""Clinical review dates: each answer is due again REVIEW_MONTHS after its last sign-off.

A reviewer who reads an answer again and finds it still right signs it off as it stands: patients
get the same words, and its next review moves on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import staff_forms
from editor_pages import ask, location, submit, text


def review_row(page: str, question: str) -> str:
    """The words of the review table's row for one answer."""
    row = next(row for row in re.findall(r"<tr.*?</tr>", page, re.S) if question in row)
    return text(row)


def test_answers_never_signed_off_here_come_first_then_overdue_ones(signed_off_earlier, make_app, staff_browser):
    """The review list starts with the answers never signed off, then those past their date."""
    staff = staff_browser(make_app())

    page = staff.get("/staff/review").get_data(as_text=True)

    rows = [text(row) for row in re.findall(r"<tr.*?</tr>", page, re.S)[1:]]
    assert [row.split(" Never at this clinic")[0] for row in rows[:-1]] == [
        "How much sun do tomato plants need?", "Why are the leaves of my tomato turning yellow?",
        "When should I feed tomato plants?", "How often should I water tomato seedlings?"]  # fmt: skip
    assert rows[-1].startswith("How often should I water tomato plants? Dr Earlier, 2024-03-01 2025-03-01 (due now)")


def test_the_review_interval_is_a_setting(signed_off_earlier, make_app, staff_browser):
    """With REVIEW_MONTHS = 36, an answer signed off in March 2024 is next due in March 2027."""
    staff = staff_browser(make_app(REVIEW_MONTHS=36))

    row = review_row(staff.get("/staff/review").get_data(as_text=True), "How often should I water tomato plants?")

    assert "Dr Earlier, 2024-03-01 2027-03-01" in row
    assert "due now" not in row.lower() or datetime.now(UTC).date().isoformat() >= "2027-03-01"


def test_signing_off_an_answer_as_it_stands_moves_its_review_on(signed_off_earlier, make_app, staff_browser):
    """The reviewer and today are recorded as a new version; patients get the same words."""
    app = make_app()
    staff, patient = staff_browser(app), app.test_client()
    before = ask(patient, "how often should I water my tomato plants")["text"]

    assert location(submit(staff, "/staff/review", "/staff/review/entry/watering")) == "/staff/review"

    today = datetime.now(UTC).date().isoformat()
    row = review_row(staff.get("/staff/review").get_data(as_text=True), "How often should I water tomato plants?")
    assert row.startswith(f"How often should I water tomato plants? {staff_forms.NAME}, {today} ")
    assert "due now" not in row.lower()
    assert ask(patient, "how often should I water my tomato plants")["text"] == before
    assert "Signed off entry watering" in text(staff.get("/staff/history").get_data(as_text=True))
