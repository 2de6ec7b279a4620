"""Two ways patients use the chat that are easy to break: keyboard only, and JavaScript off."""

from __future__ import annotations

import base64
import json
import zlib

from playwright.sync_api import expect

FOCUSED = "() => document.activeElement"
OUTLINE = "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"


def tab_to(page, selector: str, key: str = "Tab", limit: int = 40) -> int:
    """Press Tab (or Shift+Tab) until the element matching selector has focus; return how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if page.evaluate(f"() => document.activeElement.matches({json.dumps(selector)})"):
            return presses
    raise AssertionError(f"{selector} never received focus with {key}")


# The element under the centre of the focused one, after the browser scrolled it into view.
# A link that wraps has one box per line: take the first line's box, not their union.
UNDER_CENTRE = """() => {
    const focused = document.activeElement, r = focused.getClientRects()[0];
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return focused === hit || focused.contains(hit);
}"""


def assert_focus_visible(page) -> None:
    """The focused element shows a visible focus outline and is not hidden under the sticky header."""
    if page.evaluate("() => document.activeElement === document.body"):
        return
    html = page.evaluate("() => document.activeElement.outerHTML")
    style, width = page.evaluate(OUTLINE)
    assert style != "none" and float(width.rstrip("px")) >= 2, html
    for _ in range(25):  # smooth scrolling may still be bringing it into view
        if page.evaluate(UNDER_CENTRE):
            return
        page.wait_for_timeout(40)
    raise AssertionError(f"focused element is covered or off screen: {html}")


def test_keyboard_only_conversation_end_to_end(page, screenshot):
    """Skip link, question, vote, suggestion and source link all work from the keyboard with visible focus."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    tab_to(page, "#message")
    page.keyboard.type("what is a dental implant")
    page.keyboard.press("Enter")
    answer = page.locator("#transcript .kind-answer").last
    expect(answer).to_be_visible()
    expect(page.locator("#message")).to_be_focused()  # the reply is announced; focus does not move

    tab_to(page, ".kind-answer .vote[value='up']", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(answer.locator(".thanks")).to_be_visible()

    tab_to(page, ".kind-answer .suggestion", key="Shift+Tab")
    question = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript .kind-answer h3").last).to_have_text(question)
    screenshot(page, "desktop-keyboard")

    tab_to(page, ".kind-answer .sources summary", key="Shift+Tab")
    page.keyboard.press("Enter")  # unfold the sources
    tab_to(page, ".kind-answer .sources a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sources/**#*")
    assert page.evaluate("() => document.querySelector(':target') !== null")


def test_clear_and_send_buttons_work_from_the_keyboard(page):
    """Space on Start over and Enter on Send work like clicks."""
    page.focus("#message")
    page.keyboard.type("does implant surgery hurt")
    tab_to(page, "button.send")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript .kind-answer")).to_have_count(1)
    tab_to(page, "form.clear button")
    page.keyboard.press("Space")
    expect(page.locator("#transcript .kind-answer")).to_have_count(0)


def session_payload(context) -> str:
    """Return the decoded payload of the session cookie (signed, not encrypted)."""
    value = next(c["value"] for c in context.cookies() if c["name"] == "faqbot_session")
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(data) if value.startswith(".") else data).decode()


def test_conversation_without_javascript(open_page, screenshot):
    """With JavaScript off, every action posts and comes back with the whole conversation."""
    page, _ = open_page("/", java_script_enabled=False)
    page.fill("#message", "what is a dental implant zebra")
    page.press("#message", "Enter")
    page.wait_for_url("**/#turn-0")
    expect(page.locator("#turn-0")).to_have_class("message bot kind-fallback")

    page.get_by_role("button", name="What is a dental implant?").first.click()
    page.wait_for_url("**/#turn-1")
    expect(page.locator("#turn-1 h3")).to_have_text("What is a dental implant?")
    expect(page.locator("#turn-1 .sources a").first).to_have_attribute(
        "href", "/sources/placement-vs-restoration#pvr-what-root"
    )

    page.locator("#turn-1").get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator("#turn-1 .thanks")).to_have_text("Thank you for your feedback.")
    expect(page.locator("#turn-0")).to_be_visible()  # the whole conversation comes back each time

    page.fill("#message", "my gum has been bleeding for hours and it won't stop")
    page.press("#message", "Enter")
    expect(page.locator("#turn-2")).to_have_class("message bot kind-urgent")
    screenshot(page, "desktop-no-javascript")
    cookie = session_payload(page.context)
    assert "zebra" not in cookie and "hours" not in cookie and "gum" not in cookie

    page.get_by_role("button", name="Start over").click()
    expect(page.locator("#transcript .message:not(.welcome)")).to_have_count(0)
    expect(page.locator("#chat-status")).to_have_text("The conversation was cleared.")


def test_empty_question_without_javascript_is_explained(open_page):
    """With JavaScript off, sending only spaces brings the page back with an alert, not an error page."""
    page, _ = open_page("/", java_script_enabled=False)
    page.fill("#message", "   ")
    page.press("#message", "Enter")
    expect(page.get_by_role("alert")).to_have_text("Please type a question first.")
