"""Staff accounts in a real browser: an administrator adds and removes a person, who logs in by name and out again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ADMIN_NAME, PHONE, STAFF_NAME, STAFF_PASSWORD
from .test_accessibility import assert_no_axe_violations

NEW_PASSWORD = "rita's own long password"
BAD_REQUEST = "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
FORBIDDEN = "Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"


def add_rita(page) -> None:
    """Fill in and send the Add an account form for rita, an editor."""
    form = page.get_by_role("region", name="Add an account")
    form.get_by_label("Name").fill("rita")
    form.get_by_label("Role").select_option("editor")
    form.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Add account").click()


def test_an_administrator_adds_a_person_who_logs_in_and_is_logged_out_when_removed(
    open_staff_page, serve_app, screenshot
):
    """Ada adds rita under Accounts; rita logs in by name; when ada removes her, rita's next page is the login."""
    site = serve_app()
    admin, _ = open_staff_page("/staff/", site=site, account=ADMIN_NAME)
    admin.get_by_role("navigation", name="Staff").get_by_role("link", name="Accounts").click()
    admin.wait_for_url("**/staff/accounts")
    add_rita(admin)
    admin.wait_for_url("**/staff/accounts")
    expect(admin.get_by_role("status")).to_have_text("Added rita as editor. They log in with that name and password.")
    expect(admin.get_by_role("row", name=re.compile("^rita editor"))).to_be_visible()
    screenshot(admin, "staff-desktop-accounts")

    rita, _ = open_staff_page("/staff/login", site=site, logged_in=False)
    rita.get_by_label("Name").fill("Rita")  # a phone's keyboard capitalises the first letter
    rita.get_by_label("Password").fill(NEW_PASSWORD)
    rita.get_by_role("button", name="Log in").click()
    rita.wait_for_url("**/staff/")
    expect(rita.get_by_role("navigation", name="Staff")).to_contain_text("rita (editor)")

    admin.get_by_role("link", name="rita", exact=True).click()
    admin.get_by_role("link", name="Remove the account rita").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Remove the account rita?")
    expect(admin.locator("main")).to_contain_text("1 open session ends at once")
    admin.get_by_role("button", name="Remove rita").click()
    admin.wait_for_url("**/staff/accounts")
    expect(admin.get_by_role("status")).to_have_text("Removed rita; 1 open session ended.")

    rita.goto("/staff/report")
    expect(rita).to_have_url(re.compile(r"/staff/login\?next="))
    expect(rita.get_by_role("heading", level=1)).to_have_text("Staff log in")


def test_a_mistake_in_the_form_is_said_and_the_name_kept(open_staff_page, serve_app):
    """A name with a space is refused with the rule, the form keeps what I typed, and nobody is added."""
    page, watch = open_staff_page("/staff/accounts", site=serve_app(), account=ADMIN_NAME)
    form = page.get_by_role("region", name="Add an account")
    form.get_by_label("Name").fill("rita smith")
    form.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("alert")).to_contain_text("A name is at most 40 characters")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was changed.")
    expect(form.get_by_label("Name")).to_have_value("rita smith")
    expect(page.get_by_role("link", name="rita smith")).to_have_count(0)
    assert_no_axe_violations(page)
    assert watch.console_errors == [BAD_REQUEST]
    watch.console_errors.clear()  # the browser reports the 400 itself


def test_an_editor_is_told_who_may_manage_accounts(open_staff_page, serve_app):
    """A reviewer typing the accounts address gets a page saying that an administrator can."""
    page, watch = open_staff_page("/staff/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("alert")).to_have_text("Your account (reviewer) cannot manage accounts; an admin can.")
    assert_no_axe_violations(page)
    assert watch.console_errors == [FORBIDDEN]
    watch.console_errors.clear()


def open_account_state(open_staff_page, state: str, **context_options):
    """Open one of the account pages as the administrator: the list, one account, the removal's confirmation."""
    paths = {"accounts": "/staff/accounts", "account": f"/staff/accounts/{STAFF_NAME}"}
    paths["remove"] = paths["account"] + "/remove"
    return open_staff_page(paths[state], account=ADMIN_NAME, **context_options)[0]


@pytest.mark.parametrize("state", ["accounts", "account", "remove"])
def test_axe_account_pages(open_staff_page, state, screenshot):
    """The accounts list, an account's page and the removal's confirmation have no axe-core violations."""
    page = open_account_state(open_staff_page, state)
    assert_no_axe_violations(page)
    screenshot(page, f"staff-desktop-{state}")


@pytest.mark.parametrize("state", ["accounts", "account", "remove"])
def test_account_pages_fit_320_pixels(open_staff_page, state, screenshot):
    """At 320 CSS pixels wide the account pages need no horizontal scrolling, and axe still finds nothing."""
    page = open_account_state(open_staff_page, state, viewport=PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert_no_axe_violations(page)
    screenshot(page, f"staff-phone-{state}")


def test_login_by_name_works_from_the_keyboard_for_an_administrator(open_staff_page):
    """Name, Tab, password, Enter: the administrator lands on the answers with Accounts in the navigation."""
    page, _ = open_staff_page("/staff/login", logged_in=False)
    page.get_by_label("Name").focus()
    page.keyboard.type(ADMIN_NAME)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("navigation", name="Staff").get_by_role("link", name="Accounts")).to_be_visible()
