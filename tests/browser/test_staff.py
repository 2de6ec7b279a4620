"""The staff workspace in a real browser: login, search, entries, the test console, the report and its CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, STAFF_NAME, STAFF_PASSWORD
from .test_accessibility import assert_no_axe_violations
from .test_keyboard_and_nojs import tab_to

TYPO_QUERY = "how lng does it tak to heal"
HEALING = "How long does it take for an implant to heal?"
SMOKING = "How long after surgery can I smoke?"
PHONE_NUMBER = "07700 900123"
CHATS = [  # what patients asked, as sent to /api/chat; four are unanswered (three about bitcoin)
    "What is osseointegration?",
    "What is osseointegration?",
    "can I pay with bitcoin",
    "can I pay with bitcoin",
    "do you accept bitcoin",
    f"is there free parking at the clinic, call me on {PHONE_NUMBER}",
    "hi",
]
UNAUTHORIZED = "Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)"


def at(path: str) -> re.Pattern[str]:
    """Match a URL whose path and query are exactly `path` (a glob like **/staff/ also matches ?next=/staff/)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")


def chat(page, messages=CHATS) -> None:
    """Ask through the JSON API as the chat page does, and mark the osseointegration answer unhelpful."""
    tokens = {}
    for message in messages:
        response = page.request.post("/api/chat", data={"message": message})
        assert response.ok
        reply = response.json()
        if reply.get("feedback_token"):
            tokens[reply["entry"]["id"]] = reply["feedback_token"]
    vote = {"entry": "osseointegration", "vote": "down", "reply": tokens["osseointegration"]}
    assert page.request.post("/api/feedback", data=vote).ok


def try_in_console(page, question: str):
    """Type a question into the test console, send it, and return the result section."""
    page.fill("#question", question)
    page.get_by_role("button", name="Try it").click()
    result = page.get_by_role("region", name=re.compile("^Reply:"))
    expect(result).to_be_visible()
    return result


def open_state(open_staff_page, serve_app, state: str, **context_options):
    """Open one of the main staff states: the login page, a list, an entry, a console result, a report."""
    if state == "login":
        return open_staff_page("/staff/login", logged_in=False, **context_options)[0]
    if state == "report":
        page, _ = open_staff_page("/staff/report", site=serve_app(KEEP_UNANSWERED_TEXT=True), **context_options)
        chat(page, [*CHATS, "abutment difference"])
        page.reload()
        return page
    paths = {
        "answers": "/staff/",
        "search": f"/staff/?q={TYPO_QUERY}",
        "entry": "/staff/entries/healing-time",
        "console": "/staff/console",
        "sources": "/staff/sources",
    }
    page, _ = open_staff_page(paths[state], **context_options)
    if state == "console":
        try_in_console(page, SMOKING)
    return page


STATES = ["login", "answers", "search", "entry", "console", "sources", "report"]


def test_wrong_password_is_refused_and_the_right_one_opens_the_answers(open_staff_page, screenshot):
    """A staff page sends me to log in; a wrong password shows an error and keeps my name, my name and the right
    password land on the answers, saying who I am."""
    page, watch = open_staff_page("/staff/", logged_in=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff log in")
    page.get_by_label("Name").fill(STAFF_NAME)
    page.get_by_label("Password").fill("not the staff password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("That name or password is not right. Please try again.")
    expect(page.locator("#name")).to_have_value(STAFF_NAME)
    expect(page.locator("#password")).to_have_value("")
    screenshot(page, "staff-desktop-login-error")
    assert watch.console_errors == [UNAUTHORIZED]
    watch.console_errors.clear()  # the browser reports the 401 itself

    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(at("/staff/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Standard answers")
    navigation = page.get_by_role("navigation", name="Staff")
    expect(navigation.get_by_role("link", name="Answers")).to_have_attribute("aria-current", "page")
    expect(navigation).to_contain_text(f"{STAFF_NAME} (reviewer)")
    expect(navigation.get_by_role("link", name="Accounts")).to_have_count(0)  # for administrators only


def test_log_out_ends_the_session(open_staff_page):
    """After Log out I see a confirmation, and staff pages ask me to log in again."""
    page, _ = open_staff_page("/staff/console")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(at("/staff/login"))
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto("/staff/console")
    expect(page).to_have_url(re.compile(r"/staff/login\?next=(/|%2F)staff(/|%2F)console$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff log in")


def test_search_with_a_patients_typo_lists_the_healing_time_entry_first(open_staff_page, screenshot):
    """Searching the way a patient writes, typos included, puts the healing-time answer first."""
    page, _ = open_staff_page()
    page.get_by_role("searchbox", name=re.compile("^Search")).fill(TYPO_QUERY)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/?q=*")
    rows = page.locator("table.entries tbody tr")
    expect(rows.first.get_by_role("link")).to_have_text(HEALING)
    expect(page.get_by_role("status")).to_contain_text(f"matching “{TYPO_QUERY}”, best first")
    scores = [float(s) for s in page.locator("table.entries tbody td:nth-child(2)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    screenshot(page, "staff-desktop-search")


def test_filters_narrow_the_list(open_staff_page):
    """Ticking "only entries with a staff note" lists fewer answers, each with its note shown."""
    page, _ = open_staff_page()
    everything = page.locator("table.entries tbody tr").count()
    page.get_by_label(re.compile("^Only entries with a staff note")).check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**noted=1*")
    noted = page.locator("table.entries tbody tr")
    assert 0 < noted.count() < everything
    expect(noted.locator("td:last-child").first).not_to_be_empty()
    expect(page.get_by_role("status")).to_have_text(f"{noted.count()} answers.")


def test_entry_page_shows_the_answer_and_each_cited_passage_with_a_link(open_staff_page, staff_site, screenshot):
    """An entry opened from the list shows its answer as patients see it and every passage it cites, linked."""
    knowledge = staff_site.app.extensions["faqbot"].knowledge
    entry = knowledge.entry("healing-time")
    page, _ = open_staff_page()
    page.get_by_role("link", name=HEALING).click()
    page.wait_for_url(at("/staff/entries/healing-time"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEALING)
    expect(page.locator("blockquote.answer")).to_have_text(" ".join(entry.answer.split()))
    cited = page.locator(".cited > li")
    passages = knowledge.cited_passages(entry)
    expect(cited).to_have_count(len(passages))
    for item, passage in zip(cited.all(), passages):
        expect(item.locator("blockquote")).to_have_text(" ".join(passage.text.split()))
        link = item.get_by_role("link")
        expect(link).to_have_attribute("href", f"/sources/{passage.document_id}#{passage.id}")
    screenshot(page, "staff-desktop-entry")
    cited.last.get_by_role("link").click()
    page.wait_for_url(f"**/sources/{passages[-1].document_id}#{passages[-1].id}")
    assert page.locator(f"#{passages[-1].id}").evaluate("node => node.matches(':target')")


def test_console_shows_the_reply_kind_why_the_threshold_and_the_candidates(open_staff_page, screenshot):
    """Trying a question shows the reply kind, why it was chosen, the threshold and the top candidates."""
    page, _ = open_staff_page("/staff/console")
    result = try_in_console(page, SMOKING)
    expect(result.get_by_role("heading", level=2)).to_have_text(re.compile(r"^Reply: fallback, confidence 0\.\d\d$"))
    expect(result).to_contain_text("Why: closest to a topic the sources do not cover: smoking-alcohol.")
    expect(result).to_contain_text(re.compile(r"the right answer is at least 0\.\d\d"))
    table = result.get_by_role("table", name="Top candidates")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Rank", "Candidate", "Probability or closeness", "Phrasing that matched"]
    )
    rows = table.locator("tbody tr")
    expect(rows.locator("td:first-child").first).to_have_text("1")
    expect(table).to_contain_text("Not covered: smoking, vaping or alcohol")
    expect(page.locator("#question")).to_have_value(SMOKING)  # ready to be reworded
    screenshot(page, "staff-desktop-console")

    result = try_in_console(page, "how long does it take for an implant to heal")
    expect(result.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"^Reply: answer, confidence (0\.[89]\d|1\.00)$")
    )
    expect(result.get_by_role("link", name=HEALING).first).to_have_attribute("href", "/staff/entries/healing-time")
    expect(result.locator("tbody tr").first).to_contain_text("(above threshold)")


def test_console_result_opens_in_view_on_a_phone(open_staff_page):
    """On a small screen the page comes back scrolled to the result, not to the form I just used."""
    page, _ = open_staff_page("/staff/console", viewport=PHONE)
    result = try_in_console(page, SMOKING)
    assert page.url.endswith("/staff/console#result")
    heading = result.get_by_role("heading", level=2)
    for _ in range(50):  # smooth scrolling may still be on its way
        if 0 <= heading.evaluate("node => node.getBoundingClientRect().top") < 100:
            break
        page.wait_for_timeout(40)
    assert 0 <= heading.evaluate("node => node.getBoundingClientRect().top") < 100


def test_report_counts_the_chats_in_a_chart_and_keeps_no_text(open_staff_page, serve_app, screenshot):
    """After some chats the report shows the totals, an SVG chart, the served and unhelpful answers, no texts."""
    page, _ = open_staff_page("/staff/report", site=serve_app())
    chat(page)
    page.reload()
    expect(page.locator(".summary")).to_contain_text("7 replies from")
    expect(page.locator(".summary")).to_contain_text("fallback rate 57.1%")
    chart = page.get_by_role("img", name=re.compile("^Replies per day by kind"))
    expect(chart).to_have_accessible_name(re.compile(": 7 replies, 4 fallbacks$"))
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert chart.locator("rect[fill='#a32020']").count() == 2  # today's fallback bar, and its legend key
    expect(page.locator("figcaption")).to_contain_text("answer 2, clarify 0, fallback 4, smalltalk 1, urgent 0.")
    served = page.get_by_role("region", name="Most served answers")
    expect(served.get_by_role("listitem")).to_have_text(["What is osseointegration?: 2"])
    unhelpful = page.get_by_role("region", name="Least helpful answers")
    expect(unhelpful.get_by_role("listitem")).to_have_text(["What is osseointegration?: 0 helpful, 1 not helpful"])
    expect(page.get_by_role("region", name="Unanswered questions")).to_contain_text("Not kept")
    expect(page.locator("body")).not_to_contain_text("bitcoin")
    screenshot(page, "staff-desktop-report-not-kept")


def test_report_chart_stays_readable_on_a_phone(open_staff_page, serve_app):
    """On a phone the chart keeps a readable size, scrolls in its own box and opens at the latest day."""
    page, _ = open_staff_page("/staff/report", site=serve_app(), viewport=PHONE)
    chat(page)
    page.reload()
    chart = page.get_by_role("img", name=re.compile("^Replies per day by kind"))
    assert chart.bounding_box()["width"] >= 640
    today = chart.locator("rect:has(title)").last  # the bars have a title each, the legend keys none
    box = today.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_report_groups_unanswered_questions_when_kept(open_staff_page, serve_app, screenshot):
    """With KEEP_UNANSWERED_TEXT on, unanswered questions are grouped, most asked first, contact details removed."""
    page, _ = open_staff_page("/staff/report", site=serve_app(KEEP_UNANSWERED_TEXT=True))
    chat(page)
    page.reload()
    table = page.get_by_role("region", name="Unanswered questions").get_by_role("table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)  # answered questions and small talk are not kept
    first_three = "td:nth-child(-n+3)"  # times asked, question, other wordings
    expect(rows.first.locator(first_three)).to_have_text(["3", "can I pay with bitcoin", "do you accept bitcoin"])
    parking = "is there free parking at the clinic, call me on [phone]"
    expect(rows.last.locator(first_three)).to_have_text(["1", parking, ""])
    expect(page.locator("body")).not_to_contain_text(PHONE_NUMBER)
    screenshot(page, "staff-desktop-report")


def read_csv(path: Path) -> list[list[str]]:
    """Read a downloaded CSV file into rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_csv_download_link_saves_the_report_for_the_chosen_period(open_staff_page, serve_app, tmp_path):
    """Download CSV saves a file named for the period shown, with one row a day and the most served answer."""
    page, _ = open_staff_page("/staff/report", site=serve_app())
    chat(page)
    page.get_by_label("Period").select_option("7")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(at("/staff/report?days=7"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert re.fullmatch(r"faqbot-report-\d{4}-\d\d-\d\d-7d\.csv", download.suggested_filename)
    download.save_as(tmp_path / download.suggested_filename)
    rows = read_csv(tmp_path / download.suggested_filename)
    assert [r[0] for r in rows].count("per day") == 7
    served = next(r for r in rows if r[0] == "most served")
    assert served[1] == "osseointegration" and served[-4:] == ["2", "0", "1", "What is osseointegration?"]


def test_login_and_console_work_from_the_keyboard_with_visible_focus(open_staff_page, screenshot):
    """With only the keyboard I can log in, open the console, try a question and open a candidate entry."""
    page, _ = open_staff_page("/staff/console", logged_in=False)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    tab_to(page, "#name")
    page.keyboard.type(STAFF_NAME)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(at("/staff/console"))  # back where I was going

    tab_to(page, "#question")
    page.keyboard.type(SMOKING)
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name=re.compile("^Reply:"))).to_be_visible()
    screenshot(page, "staff-desktop-keyboard-console")
    tab_to(page, ".candidates tbody a")
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(at(target))

    tab_to(page, "button.secondary")  # Log out
    expect(page.get_by_role("button", name="Log out")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(at("/staff/login"))


@pytest.mark.parametrize("state", STATES)
def test_axe_staff_pages(open_staff_page, serve_app, state, screenshot):
    """Each main staff page, in the state staff use it, has no axe-core violations."""
    page = open_state(open_staff_page, serve_app, state)
    assert_no_axe_violations(page)
    screenshot(page, f"staff-desktop-{state}")


@pytest.mark.parametrize("state", STATES)
def test_staff_pages_fit_320_pixels(open_staff_page, serve_app, state, screenshot):
    """At 320 CSS pixels wide no staff page needs horizontal scrolling, and axe still finds nothing."""
    page = open_state(open_staff_page, serve_app, state, viewport=PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert_no_axe_violations(page)
    screenshot(page, f"staff-phone-{state}")


def test_staff_pages_load_nothing_from_another_origin(open_staff_page, serve_app):
    """Every staff page, stylesheet and chart included, comes from the workspace's own origin."""
    page = open_state(open_staff_page, serve_app, "report")
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    for path in ["/staff/", "/staff/entries/healing-time", "/staff/console", "/staff/sources", "/staff/report"]:
        page.goto(path)
    origin = page.evaluate("() => location.origin")
    assert requested and all(url.startswith(origin + "/") for url in requested)
