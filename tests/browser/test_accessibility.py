"""WCAG 2.2 AA in a real browser: axe-core audits, live regions, 320 px layout, target size, motion."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import PHONE

URGENT = "my gum has been bleeding for hours and it won't stop"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
PAGES = ["/", "/embed", "/sources/", "/sources/two-stage-process", "/embed/snippet", "/no-such-page"]


def assert_no_axe_violations(page) -> None:
    """Run axe-core on the page and fail with each violated rule and where."""
    # From the top: mid-page, whatever happens to sit under the sticky header at that moment would be
    # reported as a too-small target, though the patient only has to scroll a little to reach it.
    page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert problems == []


def test_axe_chat_page_at_load(page):
    """The chat page as first loaded has no axe-core violations."""
    assert_no_axe_violations(page)


def test_axe_chat_page_after_answers(page, ask, clarifying):
    """After a clarify, an answer, a fallback and an urgent reply, the page has no axe-core violations."""
    ask(page, clarifying, "clarify")  # first: after an answer, the same words may read as its follow-up
    ask(page, "what is a dental implant", "answer")
    ask(page, "can I pay with bitcoin", "fallback")
    ask(page, URGENT, "urgent")
    page.locator(".kind-answer").get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator(".kind-answer .thanks")).to_be_visible()
    assert_no_axe_violations(page)


def test_axe_source_page_with_a_highlighted_passage(open_page):
    """A source article opened at a passage has no axe-core violations."""
    page, _ = open_page("/sources/two-stage-process#tsp-step2-timing")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/embed", "/sources/", "/embed/snippet", "/no-such-page"])
def test_axe_other_pages(open_page, path):
    """The embed, the sources list, the snippet page and the error page have no axe-core violations."""
    page, watch = open_page(path)
    assert_no_axe_violations(page)
    if path == "/no-such-page":
        assert watch.console_errors == [
            "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
        ]
        watch.console_errors.clear()


def test_axe_no_javascript_conversation(open_page):
    """The page rebuilt by the server after posts (JavaScript off) has no axe-core violations."""
    page, _ = open_page("/", java_script_enabled=False)
    for message in ("what is a dental implant", URGENT):
        page.fill("#message", message)
        page.press("#message", "Enter")
    page.wait_for_selector(".kind-urgent")
    # axe needs script; the server-rendered page is re-opened in a JS context with the same cookie.
    html = page.content()
    checker, _ = open_page("/")
    checker.set_content(html.replace('<script type="module" src="/static/chat.js"></script>', ""))
    assert_no_axe_violations(checker)


def test_transcript_is_one_labelled_live_region(page, ask):
    """There is exactly one live region for the transcript, labelled, plus status and alert regions outside it."""
    ask(page, "what is a dental implant", "answer")
    live = page.locator("[role=log], [aria-live]:not([role=status]):not([role=alert])")
    expect(live).to_have_count(1)
    expect(live).to_have_attribute("aria-label", "Conversation with the assistant")
    assert page.locator("#transcript [role=log], #transcript [aria-live], #transcript [role=status]").count() == 0
    expect(page.locator("[role=status]")).to_have_count(1)
    expect(page.locator("[role=alert]")).to_have_count(1)


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scroll_at_320_pixels(open_page, path, screenshot):
    """At 320 CSS pixels wide nothing needs horizontal scrolling."""
    page, watch = open_page(path, viewport=PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    screenshot(page, "phone" + (path.replace("/", "-").rstrip("-") or "-chat"))
    if path == "/no-such-page":
        watch.console_errors.clear()  # the browser reports the 404 itself


def test_conversation_fits_320_pixels(open_page, ask, clarifying, screenshot):
    """Answers, sources, choices and an urgent reply all fit a 320 px screen."""
    page, _ = open_page("/", viewport=PHONE)
    ask(page, clarifying, "clarify")
    ask(page, "how long does it take for an implant to heal", "answer")
    ask(page, URGENT, "urgent")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    screenshot(page, "phone-conversation")


def test_every_control_is_at_least_24_pixels(open_page, ask):
    """Buttons, button links and the text box are at least 24 by 24 CSS pixels, on a phone too."""
    page, _ = open_page("/", viewport=PHONE)
    ask(page, "what is a dental implant", "answer")
    ask(page, URGENT, "urgent")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('button, a.button, input:not([type=hidden]), .skip-link')]
            .map(e => [e.textContent.trim() || e.id, e.getBoundingClientRect()])
            .map(([name, r]) => [name, r.width, r.height])
            .filter(([, w, h]) => w > 0 || h > 0)"""
    )
    small = [(name, width, height) for name, width, height in sizes if width < 24 or height < 24]
    assert sizes and small == []


@pytest.mark.parametrize(("motion", "animation"), [("reduce", "none"), ("no-preference", "appear")])
def test_new_messages_animate_only_without_reduced_motion(open_page, ask, motion, animation):
    """A new reply fades in, unless the patient asked the system for reduced motion."""
    page, _ = open_page("/", reduced_motion=motion)
    reply = ask(page, "what is a dental implant", "answer")
    assert reply.evaluate("node => getComputedStyle(node).animationName") == animation


def test_status_and_alert_do_not_move_focus(open_page):
    """Status and error messages are announced where they are; focus stays in the question box."""
    page, watch = open_page("/")
    page.focus("#message")
    page.evaluate("() => document.querySelector('#message').value = '   '")
    page.locator("#chat-form").evaluate("form => form.requestSubmit()")
    expect(page.get_by_role("alert")).to_have_text("Please type a question first.")
    expect(page.locator("#message")).to_be_focused()


@pytest.mark.parametrize("path", ["/", "/sources/two-stage-process"])
def test_sticky_header_never_hides_what_has_focus(open_page, path):
    """Where the header stays in view, the scroll padding is taller than it, so focus is never under it."""
    page, _ = open_page(path)
    header, padding, position = page.evaluate(
        """() => [document.querySelector('.site-header').offsetHeight,
                 parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop),
                 getComputedStyle(document.querySelector('.site-header')).position]"""
    )
    assert position == "sticky"
    assert header < padding
