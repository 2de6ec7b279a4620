"""What staff see: answers with their sources, search and filters, the test console, coverage and the report."""

from __future__ import annotations

import csv
import io


def test_entry_list_shows_every_answer(staff, app):
    """The list shows every standard answer, linked to its page."""
    page = staff.get("/staff/").get_data(as_text=True)
    assert "33 answers" in page or f"{len(app.extensions['faqbot'].knowledge.entries)} answers" in page
    assert 'href="/staff/entries/healing-time"' in page


def test_search_uses_the_patients_matcher(staff):
    """Searching with a patient's wording (and a typo) lists the matching entry first."""
    page = staff.get("/staff/?q=how+lng+does+it+tak+to+heal").get_data(as_text=True)
    first = page.index("/staff/entries/")
    assert page[first:].startswith("/staff/entries/healing-time")


def test_filters_by_source_and_staff_note(staff):
    """Filtering by source keeps only entries citing it; 'staff note' keeps entries such as sources disagreeing."""
    noted = staff.get("/staff/?noted=1").get_data(as_text=True)
    assert "/staff/entries/healing-time" in noted and "/staff/entries/crown" not in noted
    only_first = staff.get("/staff/?source=placement-vs-restoration").get_data(as_text=True)
    assert "/staff/entries/missing-teeth" in only_first and "/staff/entries/choose-clinic" not in only_first


def test_entry_page_shows_answer_sources_phrasings_and_figures(staff, client, rate):
    """An entry page has the answer as patients see it, each cited passage in full with a link, and usage."""
    assert rate(client, "How long does it take for an implant to heal?", "down").status_code == 201
    page = staff.get("/staff/entries/healing-time").get_data(as_text=True)
    assert "Our two sources give different figures" in page
    assert "The healing period is usually 6 months in the upper jaw" in page
    assert "/sources/two-stage-process#tsp-step1-healing-period" in page
    assert "healing time for dental implants" in page
    assert "Served 1 time; rated helpful 0,\n    not helpful 1." in page
    assert "Sources disagree" in page


def test_unknown_entry_is_404(staff):
    """A missing entry id gets the site's 404 page."""
    assert staff.get("/staff/entries/no-such-entry").status_code == 404


def test_console_explains_the_reply(staff, csrf):
    """The console shows the reply kind, why, the answer threshold and the candidates with matched phrasings."""
    token = csrf(staff, "/staff/console")
    page = staff.post(
        "/staff/console", data={"question": "How long after surgery can I smoke?", "csrf_token": token}
    ).get_data(as_text=True)
    assert 'Reply: <span class="kind kind-fallback">fallback</span>' in page
    assert "closest to a topic the sources do not cover: smoking-alcohol" in page
    assert "the right answer is at least 0." in page
    assert "Not covered: smoking, vaping or alcohol" in page


def test_console_is_not_recorded(staff, app, csrf):
    """Questions tried in the console do not count as patient replies."""
    token = csrf(staff, "/staff/console")
    staff.post("/staff/console", data={"question": "What is osseointegration?", "csrf_token": token})
    with app.app_context():
        from faqbot.storage import db

        assert db.get_db().exec_driver_sql("SELECT COUNT(*) FROM reply").scalar_one() == 0


def test_sources_page_shows_citations_and_gaps(staff):
    """Each passage lists the entries citing it; passages cited by none are listed as gaps."""
    page = staff.get("/staff/sources").get_data(as_text=True)
    assert 'href="/staff/entries/healing-time">healing-time</a>' in page
    assert "Passages no entry cites" in page and "not cited by any entry" in page


def test_report_and_csv(staff, client):
    """The report counts replies by kind with a chart; the CSV download has the same figures."""
    for message in ["What is osseointegration?", "What is osseointegration?", "can I pay with bitcoin", "hi"]:
        client.post("/api/chat", json={"message": message})
    page = staff.get("/staff/report").get_data(as_text=True)
    assert "4 replies" in page and "fallback rate 25.0%" in page
    assert "<svg" in page and "What is osseointegration?</a>: 2" in page
    assert "Not kept" in page
    response = staff.get("/staff/report.csv?days=7")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[[r[0] for r in rows].index("most served")][:2] == ["most served", "osseointegration"]


def test_pages_still_open_when_the_database_cannot_be_read(staff, app):
    """A broken statistics file hides the figures but never the answers or the report page itself."""
    with app.app_context():
        from faqbot.storage import db

        db.get_db().exec_driver_sql("DROP TABLE reply")
    assert "Usage figures are unavailable" in staff.get("/staff/entries/crown").get_data(as_text=True)
    report = staff.get("/staff/report")
    assert report.status_code == 200 and "Figures are unavailable" in report.get_data(as_text=True)
    assert staff.get("/staff/report.csv").status_code == 503


def test_the_header_starts_with_a_capital_when_no_clinic_name_is_set(staff):
    """The staff header names the clinic at the start of a line: "The clinic", not "the clinic"."""
    assert '<p class="tagline">The clinic · reviewing' in staff.get("/staff/").get_data(as_text=True)


def test_report_counts_declines_by_topic_and_links_to_the_clinics_answer(staff, client):
    """A question on a topic the sources do not cover is counted under that topic, with a way to answer it."""
    client.post("/api/chat", json={"message": "how much does an implant cost at your place"})
    client.post("/api/chat", json={"message": "what is osseointegration"})
    page = staff.get("/staff/report").get_data(as_text=True)
    section = page[page.index('id="topics-heading"') : page.index('id="unanswered-heading"')]
    assert "<td>costs and payment</td><td>1</td>" in section
    assert 'href="/staff/edit/topic/cost"' in section and "Write the clinic&#39;s answer" in section
    assert "how much does an implant cost" not in page  # counts only: the patient's words are not kept
