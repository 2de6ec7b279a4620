"""Editing in a real browser: an editor drafts, a reviewer signs off, patients get it at once, a revert undoes it.

Every new page (editor with problems, draft, test all, history, version, review, files, lists) is
audited with axe-core on the way.
"""

from __future__ import annotations

import re

import pytest
import staff_forms
from playwright.sync_api import expect

from .conftest import ADMIN_NAME, STAFF_PASSWORD
from .test_accessibility import assert_no_axe_violations

HEALING = "how long does it take for an implant to heal"
ADDED = "Your own dentist will confirm the timing for you."
EDITOR = "eddie"
REFUSED = "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
FORBIDDEN = "Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"
CONFLICT = "Failed to load resource: the server responded with a status of 409 (CONFLICT)"


@pytest.fixture(scope="module")
def editing_site(serve_app):
    """A served app of its own (publishing changes what its patients get), with an editor account too."""
    site = serve_app()
    staff_forms.add_account(site.app, EDITOR, "editor", STAFF_PASSWORD)
    return site


def patient_answer(open_page_at, site) -> str:
    """Ask the healing question on the patient page, as a patient would, and return the answer's words."""
    page, _ = open_page_at("/", site=site, logged_in=False)
    page.fill("#message", HEALING)
    page.press("#message", "Enter")
    reply = page.locator("#transcript .message.bot").last
    reply.wait_for()
    expect(reply).to_have_class(re.compile("kind-answer"))
    return reply.locator(".text").inner_text()


def test_editor_drafts_reviewer_publishes_patients_get_it_and_a_revert_undoes_it(open_staff_page, editing_site):
    """The whole change, as staff and patients see it, without a restart."""
    before = patient_answer(open_staff_page, editing_site)
    assert ADDED not in before

    # The editor changes the answer; a number its passages do not state is refused next to the field.
    page, watch = open_staff_page("/staff/entries/healing-time", site=editing_site, account=EDITOR)
    page.get_by_role("link", name="Edit", exact=True).click()
    answer = page.get_by_label("Answer", exact=True)
    original = answer.input_value()
    answer.fill(original + " It takes 99 days.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#problem-answer")).to_contain_text("answer says '99'")
    expect(answer).to_have_attribute("aria-invalid", "true")
    assert watch.console_errors == [REFUSED]  # the refused save's status, as the browser logs it; nothing else
    watch.console_errors.clear()
    assert_no_axe_violations(page)
    answer.fill(original + " " + ADDED)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=re.compile("^Draft: Change to"))).to_be_visible()
    expect(page.locator(".preview .text")).to_contain_text(ADDED)
    expect(page.locator(".diff ins")).to_contain_text("Your own dentist")
    expect(page.get_by_role("button", name="Sign off and publish")).to_have_count(0)  # an editor cannot
    assert_no_axe_violations(page)
    page.get_by_label("Question", exact=True).fill(HEALING)
    page.get_by_role("button", name="Ask the draft and the published knowledge").click()
    expect(page.locator("#try-result")).to_contain_text(ADDED)
    page.get_by_role("link", name=re.compile("^Test all")).click()
    expect(page.get_by_role("status")).to_contain_text("stored test questions ran")
    assert_no_axe_violations(page)
    assert ADDED not in patient_answer(open_staff_page, editing_site)  # a draft reaches nobody

    # The reviewer signs it off; patients get it from the next message, no restart.
    page, _ = open_staff_page("/staff/drafts", site=editing_site)
    assert_no_axe_violations(page)
    page.get_by_role("link", name=re.compile("healing-time")).click()
    page.get_by_role("button", name="Sign off and publish").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Version \d+ \(live\)"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("patients get it from now on")
    assert_no_axe_violations(page)
    assert ADDED in patient_answer(open_staff_page, editing_site)
    page.goto("/staff/entries/healing-time")
    expect(page.locator(".signoff")).to_contain_text(f"Signed off by {staff_forms.NAME}")
    page.goto("/staff/history")
    expect(page.get_by_role("cell", name=EDITOR)).to_be_visible()
    assert_no_axe_violations(page)

    # One step back: the revert is a new version, and patients get the earlier text again.
    page.get_by_role("link", name=re.compile(r"^Version \d+$")).first.click()
    page.get_by_role("button", name="Revert this change").click()
    expect(page.get_by_role("status")).to_contain_text("is reverted")
    assert ADDED not in patient_answer(open_staff_page, editing_site)


@pytest.mark.parametrize(
    "path",
    ["/staff/review", "/staff/knowledge", "/staff/edit/topic", "/staff/edit/topic/cost", "/staff/edit/entry/new"],
)
def test_the_other_editing_pages_have_no_axe_violations(open_staff_page, editing_site, path):
    """Review dates, files, lists and forms pass axe-core as they first open."""
    page, _ = open_staff_page(path, site=editing_site)
    assert_no_axe_violations(page)


def test_the_refusal_pages_have_no_axe_violations(open_staff_page, editing_site):
    """The page saying a role may not do something, and the one saying why nothing was published, pass axe-core."""
    page, watch = open_staff_page("/staff/edit/entry/new", site=editing_site, account=ADMIN_NAME)
    expect(page.get_by_text("cannot edit")).to_be_visible()  # an administrator may not write answers
    assert watch.console_errors == [FORBIDDEN]
    watch.console_errors.clear()
    assert_no_axe_violations(page)

    page, watch = open_staff_page("/staff/review", site=editing_site)
    sign_off = page.locator('form[action$="/review/entry/crown"] button')
    sign_off.click()
    expect(page.get_by_role("status")).to_contain_text("Signed off")
    sign_off.click()  # the same again, the same day, changes nothing
    expect(page.get_by_role("heading", name="Not published")).to_be_visible()
    assert watch.console_errors == [CONFLICT]
    watch.console_errors.clear()
    assert_no_axe_violations(page)
